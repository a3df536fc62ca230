// A guest whose linear memory starts at 0 pages: the host grows it for its
// first window, and must not put that window on guest page 0, whose address
// (0) reads as NULL. Linux never returns 0 from shmat for a host-chosen
// address. (The conformance DSL cannot express such a guest: its
// interpreter has static data.)
import * as assert from 'uvu/assert';
import * as libc from '../host/libc.js';
import { GuestMemory } from '../host/guest-memory.js';
import { WindowManager } from '../host/windows.js';
import { Errno, IPC_CREAT, IPC_RMID, SHM_REMAP, SHM_RND } from '../host/abi.js';
import { shmStat, test } from './helpers.js';

test('a guest with no memory gets its first window above page 0', () => {
  const memory = new WebAssembly.Memory({ initial: 0, maximum: 100 });
  const mem = new GuestMemory(memory);
  const wm = new WindowManager(mem);
  const id = libc.shmget(0, 4096, IPC_CREAT | 0o600);
  assert.ok(id >= 0, `shmget: errno ${libc.errno()}`);
  try {
    const a = wm.attach(id, 0, 0);
    assert.ok(a > 0, `shmat with a NULL address returned ${a}`);
    assert.is(a % 4096, 0);
    assert.is(shmStat(id)!.nattch, 1);
    // Page 0 stays the guest's own memory: mapping over it needs SHM_REMAP.
    assert.is(wm.attach(id, 100, SHM_RND), -Errno.EINVAL);
    assert.is(wm.attach(id, 100, SHM_RND | SHM_REMAP), -Errno.EINVAL);
    const b = wm.attach(id, 0, 0);
    assert.ok(b > 0 && b !== a);
    new Uint8Array(memory.buffer)[a + 4095] = 0x5a;
    assert.is(new Uint8Array(memory.buffer, b, 4096)[4095], 0x5a, 'another window of the segment sees the byte');
    wm.detachAll();
    assert.is(shmStat(id)!.nattch, 0);
  } finally {
    libc.shmctl(id, IPC_RMID, 0);
  }
});

test.run();
