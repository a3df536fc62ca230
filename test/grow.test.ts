// Linear memory grows with read-only windows attached, and the host lives:
// real guest processes. Without the host's care, V8's mprotect(RW) over an
// SHM_RDONLY mapping aborts Node (exit 133). Both triggers: the guest's own
// growth (the memory.grow instruction, and its allocator growing on its
// own), and the host growing memory to place a later window. This test
// process is the native peer: attached at a native address, it checks the
// segment's data and nattch before and after the growth, also when IPC_RMID
// was already done, and feeds the guest through the segment.
// (test/lift.test.ts watches the same in process, during the growth too.)
import * as assert from 'uvu/assert';
import * as libc from '../host/libc.js';
import { runGuest } from '../host/runner.js';
import { IPC_RMID } from '../host/abi.js';
import { guest, shmStat, startCli, type Running, test } from './helpers.js';
import { Peer, segment, cleanup } from './peer.js';

test.after.each(cleanup);

/** Waits for a line on stdout, failing at once if the process ends first. */
async function until(g: Running, re: RegExp): Promise<string> {
  return Promise.race([
    g.line(re),
    g.done.then(({ code, signal }) => {
      throw new Error(`guest ended (code ${code}, signal ${signal}) before ${re}:\n${g.out()}\n${g.err()}`);
    }),
  ]);
}

const tool = guest('shm-tool');

const growers: Array<[string, string[], RegExp]> = [
  ['memory.grow', ['grow', '50'], /^grow [1-9]\d*$/m],
  ['its allocator', ['alloc', '8000000'], /^alloc \d{3,}$/m],
];
for (const rmid of [false, true]) {
  const tag = rmid ? ' (IPC_RMID already done)' : '';
  for (const [how, cmd, grew] of growers) {
    test(`a guest grows its memory through ${how} with a read-only window attached${tag}`, async () => {
      const key = rmid ? 0x4712 : 0x4711;
      const a = segment(8192, key);
      const peer = new Peer(a);
      peer.write(0, 0xc0ffee);
      const g = startCli(['run', tool, 'open', `0x${key.toString(16)}`, 'attach', 'ro', 'read', '0', 'wait', '4', '1',
        ...cmd, 'read', '0', 'nattch', 'wait', '4', '2', 'read', '8', 'store-ro']);
      await until(g, /^read 12648430/);
      assert.is(peer.nattch(), 2, 'before');
      if (rmid) assert.is(libc.shmctl(a, IPC_RMID, 0), 0);
      peer.write(4, 1);
      await until(g, /^nattch \d+$/); // the line's "\n" may follow in a separate write
      assert.match(g.out(), grew);
      assert.match(g.out(), /\nread 12648430\nnattch 2(\n|$)/, 'after: the guest reads the data, nattch unchanged');
      assert.is(peer.nattch(), 2, 'after, seen by the peer');
      assert.is(peer.read(0), 0xc0ffee);
      peer.write(8, 0xbeef);
      peer.write(4, 2);
      const { code, signal } = await g.done;
      assert.is(signal, null, g.err());
      assert.is(code, 134, `a store into the window traps the guest, the host lives: ${g.err()}`);
      assert.match(g.out(), /saw 2\nread 48879\nstoring\n$/, 'the window is still the segment itself');
      assert.match(g.err(), /trapped: memory access out of bounds/);
      assert.is(peer.nattch(), 1);
      assert.is(peer.read(0), 0xc0ffee, 'the store did not land');
      peer.detach();
      assert.is(shmStat(a) === null, rmid);
    });
  }

  test(`a guest attaches 128 KiB after a read-only window: the host grows memory${tag}`, async () => {
    const key = rmid ? 0x4714 : 0x4713;
    const a = segment(8192, key);
    const peer = new Peer(a);
    peer.write(0, 0xc0ffee);
    const g = startCli(['run', tool, 'open', `0x${key.toString(16)}`, 'attach', 'ro', 'read', '0', 'wait', '4', '1',
      'create', '0', '131072', 'attach', 'write', '0', '77', 'detach', 'read', '0', 'wait', '4', '2', 'read', '8', 'store-ro']);
    await until(g, /^read 12648430/);
    assert.is(peer.nattch(), 2, 'before');
    if (rmid) assert.is(libc.shmctl(a, IPC_RMID, 0), 0);
    peer.write(4, 1);
    await until(g, /^detach 0/);
    assert.is(peer.nattch(), 2, 'after');
    assert.is(peer.read(0), 0xc0ffee);
    peer.write(8, 0xbeef);
    peer.write(4, 2);
    const { code, signal } = await g.done;
    assert.is(signal, null, g.err());
    assert.is(code, 134, g.err());
    assert.match(g.out(), /attached (\d+)\n/);
    assert.match(g.out(), /wrote 77\ndetach 0\nread 12648430\nsaw 2\nread 48879\nstoring\n$/);
    assert.is(peer.nattch(), 1);
    assert.is(peer.read(0), 0xc0ffee, 'the store did not land');
    peer.detach();
    assert.is(shmStat(a) === null, rmid);
  });
}

test('GuestOptions.memoryPages: a guest growing past it gets -1 and the outcome counts it', async () => {
  const outcome = await runGuest({
    wasmPath: tool, args: ['shm-tool', 'grow', '1', 'grow', '10000', 'exit', '3'], env: {}, dirs: [], trace: false, memoryPages: 64,
  });
  const { peakPages, ...rest } = outcome as typeof outcome & { peakPages?: number };
  assert.equal(rest, { kind: 'exit', code: 3, memoryRefused: 1 });
  // The peak is the memory at the end (it never shrinks): within the limit.
  assert.ok(peakPages !== undefined && peakPages >= 2 && peakPages <= 64, `peakPages ${peakPages}`);
});

test.run();
