// A real guest hands the host bad pointers and read-only windows as output
// buffers, through sysv and through WASI: every one is EFAULT (sysv -14, WASI
// 21), the host never writes a read-only page, and a guest store there traps.
import * as assert from 'uvu/assert';
import { test, cli, guest } from './helpers.js';

const faults = guest('faults');

test('sysv and WASI answer EFAULT for out-of-range and read-only outputs', () => {
  const r = cli(['run', '--env', 'FAULTS=1', faults], 'sixteen bytes...');
  assert.is(r.status, 0, r.stderr);
  const got = new Map(r.stdout.trim().split('\n').filter((l) => l !== 'done').map((l) => {
    const i = l.lastIndexOf(' ');
    return [l.slice(0, i), Number(l.slice(i + 1))];
  }));
  const expected: Record<string, number> = {
    'shmctl IPC_STAT oob': -14, 'shmctl IPC_STAT ro': -14, 'shmctl IPC_STAT badid oob': -22,
    'shmctl IPC_INFO ro': -14, 'shmctl IPC_SET oob': -14, 'semctl IPC_STAT ro': -14, 'semctl GETALL ro': -14,
    'semctl GETALL oob': -14, 'semctl SETALL oob': -14, 'semctl SEM_INFO ro': -14, 'semop oob': -14,
    'semop nsops0': -22, 'semop big': -7, 'semop huge': -7, 'semtimedop ts oob': -14, 'semtimedop ts einval': -22,
    'semtimedop 30ms': -11, 'semop nowait': -11,
    'wasi clock ro': 21, 'wasi clock oob': 21, 'wasi random ro': 21, 'wasi args ro': 21,
    'wasi fd_write nwritten ro': 21, 'wasi fd_write iovs oob': 21,
    'wasi args_get buf ro': 21, 'wasi args_get argv ro': 21, 'wasi args_get buf oob': 21,
    'wasi environ_get buf ro': 21, 'wasi environ_get envp ro': 21,
    'wasi args_get buf straddles ro': 21, 'wasi environ_get buf straddles ro': 21, 'wasi fd_read stdin into ro': 21,
  };
  for (const [what, errno] of Object.entries(expected)) assert.is(got.get(what), errno, what);
  assert.is(got.size, Object.keys(expected).length);
  assert.match(r.stdout, /\ndone\n$/, 'the guest carried on after every fault');
});

test('then a store into the read-only window traps the guest, not the host', () => {
  const r = cli(['run', faults, 'store']);
  assert.is(r.status, 134);
  assert.is(r.signal, null, 'the host exited normally');
  assert.match(r.stdout, /storing\n$/);
  assert.match(r.stderr, /trapped: memory access out of bounds/);
});

test.run();
