// --trace formatting, exactly as documented.
import * as assert from 'uvu/assert';
import { test } from './helpers.js';
import { GuestMemory } from '../host/guest-memory.js';
import { formatCall } from '../host/trace.js';
import * as abi from '../host/abi.js';

const mem = new GuestMemory(new WebAssembly.Memory({ initial: 1 }));

test('the documented examples', () => {
  assert.is(formatCall(mem, 'shmat', [3, 0, abi.SHM_RDONLY], 0x30000), 'shmat(3, NULL, SHM_RDONLY) = 0x30000');
  assert.is(formatCall(mem, 'shmget', [0x4d2, 4096, abi.IPC_CREAT | abi.IPC_EXCL | 0o600], -abi.Errno.EEXIST),
    'shmget(0x4d2, 4096, IPC_CREAT|IPC_EXCL|0600) = -1 EEXIST');
});

test('sembuf arrays, timespecs, commands and addresses above 2^31', () => {
  const v = mem.view;
  v.setUint16(100, 1, true); v.setInt16(102, -1, true); v.setInt16(104, abi.SEM_UNDO | abi.IPC_NOWAIT, true);
  v.setBigInt64(200, 2n, true); v.setBigInt64(208, 500n, true);
  assert.is(formatCall(mem, 'semop', [5, 100, 1], 0), 'semop(5, [{1, -1, IPC_NOWAIT|SEM_UNDO}], 1) = 0');
  assert.is(formatCall(mem, 'semtimedop', [5, 100, 1, 200], -abi.Errno.EAGAIN),
    'semtimedop(5, [{1, -1, IPC_NOWAIT|SEM_UNDO}], 1, {tv_sec=2, tv_nsec=500}) = -1 EAGAIN');
  assert.is(formatCall(mem, 'semctl', [5, 0, abi.SETVAL, 3], 0), 'semctl(5, 0, SETVAL, 3) = 0');
  assert.is(formatCall(mem, 'semctl', [5, 0, abi.GETALL, 0x800], 0), 'semctl(5, 0, GETALL, 0x800) = 0');
  assert.is(formatCall(mem, 'shmctl', [1, abi.IPC_RMID, 0], 0), 'shmctl(1, IPC_RMID, NULL) = 0');
  assert.is(formatCall(mem, 'shmctl', [1, 77, 0], -abi.Errno.EINVAL), 'shmctl(1, 77, NULL) = -1 EINVAL');
  assert.is(formatCall(mem, 'shmat', [1, 0, 0], 0x80000000 | 0), 'shmat(1, NULL, 0) = 0x80000000');
  assert.is(formatCall(mem, 'shmdt', [0x10000], 0), 'shmdt(0x10000) = 0');
  assert.is(formatCall(mem, 'semget', [0, 2, abi.IPC_CREAT | 0o600], 4), 'semget(IPC_PRIVATE, 2, IPC_CREAT|0600) = 4');
  assert.is(formatCall(mem, 'semop', [5, 65530, 2], -abi.Errno.EFAULT), 'semop(5, 0xfffa, 2) = -1 EFAULT');
});

test.run();
