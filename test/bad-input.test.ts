// Every kind of value a guest can pass to the sysv imports: null, unaligned
// and out-of-range pointers, sizes 0 and 2^32-1, unknown commands and flags,
// negative ids, nsops 0 and over SEMOPM. Each must give the errno Linux
// gives, and none may crash or hang the host. Real kernel, this process.
import * as assert from 'uvu/assert';
import { test } from './helpers.js';
import { SysvState } from '../host/sysv-state.js';
import { sysvImports } from '../host/sysv.js';
import * as abi from '../host/abi.js';
import * as libc from '../host/libc.js';

const { EINVAL, EFAULT, ENOENT, E2BIG, EFBIG, ERANGE, EAGAIN, EEXIST, ENOMEM } = abi.Errno;
const memory = new WebAssembly.Memory({ initial: 1, maximum: 64 });
const state = new SysvState().bind(memory);
const sys = sysvImports(state);
const dv = () => new DataView(memory.buffer);
// First byte past linear memory (host-chosen windows grow it as tests go).
const end = () => memory.buffer.byteLength;
const BUF = 1024; // a valid scratch area in guest memory

const shm = sys.shmget!(abi.IPC_PRIVATE, 4096, abi.IPC_CREAT | 0o600);
const sem = sys.semget!(abi.IPC_PRIVATE, 2, abi.IPC_CREAT | 0o600);
assert.ok(shm >= 0 && sem >= 0);
const ro = sys.shmat!(shm, 0, abi.SHM_RDONLY);

function sembuf(at: number, num: number, op: number, flg: number): number {
  dv().setUint16(at, num, true); dv().setInt16(at + 2, op, true); dv().setInt16(at + 4, flg, true);
  return at;
}

test('shmget: sizes 0 and 2^32-1, missing keys, EXCL', () => {
  assert.is(sys.shmget!(abi.IPC_PRIVATE, 0, abi.IPC_CREAT | 0o600), -EINVAL, 'size 0 < SHMMIN');
  assert.is(sys.shmget!(0x7a11, 0, 0), -ENOENT);
  assert.is(sys.shmget!(-1, 4096, 0), -ENOENT, 'key -1 is an ordinary key');
  // Same call natively: the guest gets exactly what Linux says.
  const native = libc.sys(libc.shmget(0x5151, 0xffffffff, abi.IPC_CREAT | 0o600));
  if (native >= 0) libc.shmctl(native, abi.IPC_RMID, 0);
  const guest = sys.shmget!(0x5151, -1, abi.IPC_CREAT | 0o600);
  assert.is(guest >= 0, native >= 0, `2^32-1 bytes: native ${native}, guest ${guest}`);
  if (guest >= 0) {
    assert.is(sys.shmat!(guest, 0, 0), -ENOMEM, 'a 4 GiB window cannot fit in linear memory');
    assert.is(sys.shmget!(0x5151, 4096, abi.IPC_CREAT | abi.IPC_EXCL | 0o600), -EEXIST);
    assert.is(sys.shmctl!(guest, abi.IPC_RMID, 0), 0);
  }
});

test('shmat/shmdt: negative and unknown ids, unaligned and out-of-range addresses', () => {
  assert.is(sys.shmat!(-1, 0, 0), -EINVAL);
  assert.is(sys.shmat!(0x7fffffff, 0, 0), -EINVAL);
  assert.is(sys.shmat!(shm, 1, 0), -EINVAL, 'unaligned without SHM_RND');
  assert.is(sys.shmat!(shm, 0, abi.SHM_REMAP), -EINVAL);
  assert.is(sys.shmat!(shm, -4096, abi.SHM_REMAP), -EINVAL, 'beyond linear memory');
  const a = sys.shmat!(shm, 0, 0x7ff00000 & ~(abi.SHM_RDONLY | abi.SHM_RND | abi.SHM_REMAP | abi.SHM_EXEC));
  assert.ok(a > 0, 'unknown flag bits are ignored, as by Linux');
  assert.is(sys.shmdt!(a), 0);
  for (const bad of [0, -1, 1, a + 1, a]) assert.is(sys.shmdt!(bad), -EINVAL, `shmdt(${bad})`);
});

test('shmctl: unknown commands, negative ids, NULL/out-of-range/read-only buffers', () => {
  assert.is(sys.shmctl!(shm, 99, BUF), -EINVAL);
  assert.is(sys.shmctl!(shm, -1, BUF), -EINVAL);
  assert.is(sys.shmctl!(-1, abi.IPC_STAT, BUF), -EINVAL);
  assert.is(sys.shmctl!(0x7fffffff, abi.IPC_STAT, end() - 8), -EINVAL, 'the bad id is reported before the bad buffer');
  for (const cmd of [abi.IPC_STAT, abi.IPC_SET, abi.SHM_STAT_ANY]) {
    // SHM_STAT_ANY takes an index: shm's own (Linux's id is seq * 32768 + index),
    // whatever other test files left in the namespace before this one.
    const id = cmd === abi.SHM_STAT_ANY ? shm % 32768 : shm;
    assert.is(sys.shmctl!(id, cmd, 0), -EFAULT, `cmd ${cmd} NULL`);
    assert.is(sys.shmctl!(id, cmd, end() - 40), -EFAULT, `cmd ${cmd} straddling the end`);
    assert.is(sys.shmctl!(id, cmd, -80), -EFAULT, `cmd ${cmd} at 2^32-80`);
  }
  assert.is(sys.shmctl!(shm, abi.IPC_STAT, ro), -EFAULT, 'the host never writes a read-only window');
  assert.is(sys.shmctl!(0, abi.IPC_INFO, ro), -EFAULT);
  assert.is(sys.shmctl!(0, abi.SHM_INFO, end() - 8), -EFAULT);
  assert.is(sys.shmctl!(shm, abi.IPC_STAT, end() - 80), 0, 'the last 80 bytes are fine');
  assert.is(sys.shmctl!(shm, abi.IPC_STAT, BUF), 0);
  assert.is(dv().getBigUint64(BUF + 32, true), 4096n);
});

test('semget: nsems 0, negative and over SEMMSL', () => {
  assert.is(sys.semget!(abi.IPC_PRIVATE, 0, abi.IPC_CREAT | 0o600), -EINVAL);
  assert.is(sys.semget!(abi.IPC_PRIVATE, -1, abi.IPC_CREAT | 0o600), -EINVAL);
  assert.is(sys.semget!(abi.IPC_PRIVATE, 32001, abi.IPC_CREAT | 0o600), -EINVAL);
  assert.is(sys.semget!(0x7a12, 1, 0), -ENOENT);
});

test('semop/semtimedop: nsops 0 and over SEMOPM, bad sops and timeouts', () => {
  const ok = sembuf(BUF, 0, 1, 0);
  assert.is(sys.semop!(sem, ok, 0), -EINVAL);
  assert.is(sys.semop!(sem, ok, 501), -E2BIG);
  assert.is(sys.semop!(sem, ok, -1), -E2BIG, 'nsops 2^32-1');
  assert.is(sys.semop!(sem, 0, 0), -EINVAL, 'nsops is checked before the pointer');
  assert.is(sys.semop!(sem, 0, 1), -EFAULT, 'NULL sops');
  assert.is(sys.semop!(sem, end() - 3, 1), -EFAULT);
  assert.is(sys.semop!(sem, -6, 1), -EFAULT);
  assert.is(sys.semop!(-1, ok, 1), -EINVAL);
  assert.is(sys.semop!(0x7fffffff, ok, 1), -EINVAL);
  assert.is(sys.semop!(sem, sembuf(BUF, 7, 1, 0), 1), -EFBIG, 'sem_num out of range');
  assert.is(sys.semop!(sem, sembuf(BUF, 0, -5, abi.IPC_NOWAIT), 1), -EAGAIN);
  const ts = BUF + 64;
  dv().setBigInt64(ts, 0n, true); dv().setBigInt64(ts + 8, 1_000_000_000n, true);
  assert.is(sys.semtimedop!(sem, sembuf(BUF, 0, -5, 0), 1, ts), -EINVAL, 'tv_nsec = 1e9');
  dv().setBigInt64(ts, -1n, true); dv().setBigInt64(ts + 8, 0n, true);
  assert.is(sys.semtimedop!(sem, BUF, 1, ts), -EINVAL, 'tv_sec < 0');
  assert.is(sys.semtimedop!(sem, BUF, 1, end() - 8), -EFAULT);
  dv().setBigInt64(ts, 0n, true); dv().setBigInt64(ts + 8, 20_000_000n, true);
  const t0 = performance.now();
  assert.is(sys.semtimedop!(sem, BUF, 1, ts), -EAGAIN);
  const took = performance.now() - t0;
  assert.ok(took >= 19, `timeout honoured (${took.toFixed(1)} ms)`);
});

test('semctl: unknown commands, ranges, NULL and out-of-range arrays', () => {
  assert.is(sys.semctl!(sem, 0, 99, 0), -EINVAL);
  assert.is(sys.semctl!(-1, 0, abi.GETVAL, 0), -EINVAL);
  assert.is(sys.semctl!(sem, 2, abi.GETVAL, 0), -EINVAL, 'semnum out of range');
  assert.is(sys.semctl!(sem, -1, abi.GETVAL, 0), -EINVAL);
  assert.is(sys.semctl!(sem, 0, abi.SETVAL, -1), -ERANGE);
  assert.is(sys.semctl!(sem, 0, abi.SETVAL, 32768), -ERANGE);
  assert.is(sys.semctl!(sem, 0, abi.SETVAL, 32767), 0);
  assert.is(sys.semctl!(sem, 0, abi.GETALL, 0), -EFAULT);
  assert.is(sys.semctl!(sem, 0, abi.GETALL, end() - 2), -EFAULT);
  assert.is(sys.semctl!(sem, 0, abi.GETALL, ro), -EFAULT);
  assert.is(sys.semctl!(sem, 0, abi.SETALL, -2), -EFAULT);
  assert.is(sys.semctl!(sem, 0, abi.IPC_STAT, end() - 10), -EFAULT);
  assert.is(sys.semctl!(sem, 0, abi.IPC_SET, 0), -EFAULT);
  assert.is(sys.semctl!(0, 0, abi.SEM_INFO, ro), -EFAULT);
  assert.is(sys.semctl!(0x7fffffff, 0, abi.GETALL, 0), -EINVAL, 'bad id before bad pointer');
  assert.is(sys.semctl!(sem, 0, abi.GETALL, end() - 4), 0, 'exactly nsems u16s at the end');
  assert.equal([dv().getUint16(end() - 4, true), dv().getUint16(end() - 2, true)], [32767, 0]);
});

test.after(() => {
  state.windows.detachAll();
  libc.shmctl(shm, abi.IPC_RMID, 0);
  libc.semctl(sem, 0, abi.IPC_RMID, 0);
});

test.run();
