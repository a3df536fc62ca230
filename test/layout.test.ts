// The guest structures of abi.md, filled by the host, must say exactly what
// glibc's native structures say for the same objects (checked with cc).
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { SysvState } from '../host/sysv-state.js';
import { sysvImports } from '../host/sysv.js';
import * as abi from '../host/abi.js';
import { test, native } from './helpers.js';

test('IPC_STAT shmid_ds and semid_ds match the native structures field by field', () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const sys = sysvImports(new SysvState().bind(memory));
  const shm = sys.shmget!(0x1a7, 12345, abi.IPC_CREAT | 0o640);
  const sem = sys.semget!(0x1a8, 3, abi.IPC_CREAT | 0o604);
  const sop = 512;
  const v = new DataView(memory.buffer);
  v.setUint16(sop, 1, true); v.setInt16(sop + 2, 2, true); v.setInt16(sop + 4, 0, true);
  assert.is(sys.semop!(sem, sop, 1), 0, 'sets sem_otime');
  const win = sys.shmat!(shm, 0, 0); // sets atime, lpid, nattch
  const shmBuf = 1024;
  const semBuf = 2048;
  // Native first: spawning forks this process, and fork/exec counts as an
  // attach and a detach of the window (atime, dtime, lpid change), so the
  // guest's view is taken after, of the same state.
  const out = spawnSync(native('layout'), [String(shm), String(sem)], { encoding: 'utf8', timeout: 30_000 });
  assert.is(out.status, 0, out.stderr);
  assert.is(sys.shmctl!(shm, abi.IPC_STAT, shmBuf), 0);
  assert.is(sys.semctl!(sem, 0, abi.IPC_STAT, semBuf), 0);
  const [shmLine, semLine] = out.stdout.trim().split('\n');
  const g = new DataView(memory.buffer);
  const perm = (at: number) => [g.getInt32(at, true), ...[4, 8, 12, 16, 20, 24].map((o) => g.getUint32(at + o, true))];
  const guestShm = [...perm(shmBuf), g.getBigUint64(shmBuf + 32, true), g.getBigInt64(shmBuf + 40, true),
    g.getBigInt64(shmBuf + 48, true), g.getBigInt64(shmBuf + 56, true), g.getInt32(shmBuf + 64, true),
    g.getInt32(shmBuf + 68, true), g.getBigUint64(shmBuf + 72, true)].join(' ');
  const guestSem = [...perm(semBuf), g.getBigInt64(semBuf + 32, true), g.getBigInt64(semBuf + 40, true),
    g.getBigUint64(semBuf + 48, true)].join(' ');
  assert.is(`shm ${guestShm}`, shmLine);
  assert.is(`sem ${guestSem}`, semLine);
  assert.is(g.getBigUint64(shmBuf + 72, true), 1n, 'nattch of the window');
  assert.is(g.getUint32(shmBuf + 20, true) & 0o777, 0o640);
  assert.is(g.getBigUint64(semBuf + 48, true), 3n);
  assert.is(sys.shmdt!(win), 0);
  sys.shmctl!(shm, abi.IPC_RMID, 0);
  sys.semctl!(sem, 0, abi.IPC_RMID, 0);
});

test.run();
