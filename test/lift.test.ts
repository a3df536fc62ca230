// Growing linear memory around read-only windows, in process, against the
// real kernel (WindowManager.grow, windows.ts): both triggers, a native peer
// checking data and nattch before, during (from inside the growth step) and
// after, fragments, and the page limit. A failure here aborts the whole test
// process (that is the bug): test/grow.test.ts shows the same with guests in
// their own processes.
import * as assert from 'uvu/assert';
import * as libc from '../host/libc.js';
import { GuestMemory } from '../host/guest-memory.js';
import { WindowManager } from '../host/windows.js';
import { Errno, IPC_RMID, SHM_DEST, SHM_RDONLY } from '../host/abi.js';
import koffi from 'koffi';
import { shmStat, test } from './helpers.js';
import { Peer, segment, cleanup } from './peer.js';
import { probe } from './probe.js';

test.after.each(cleanup);


/** A guest's memory with a window manager whose growth step can be watched. */
function setup(during?: () => void, memoryPages?: number) {
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 1000 });
  const mem = new GuestMemory(memory);
  class Watched extends WindowManager {
    protected override growHere(delta: number): number { during?.(); return super.growHere(delta); }
  }
  const wm = new Watched(mem, memoryPages === undefined ? {} : { memoryPages });
  return { memory, mem, wm, probe: probe(memory) };
}

for (const rmid of [false, true]) {
  const tag = rmid ? ' (IPC_RMID already done)' : '';

  test(`in process: both triggers with a read-only window; data and nattch never change${tag}`, () => {
    const a = segment(8192);
    const peer = new Peer(a);
    peer.write(0, 0xc0ffee);
    peer.write(8188, 0x1234);
    const seen: Array<{ nattch: number; data: number }> = [];
    let watch = false;
    const { wm, mem, probe } = setup(() => { if (watch) seen.push({ nattch: peer.nattch(), data: peer.read(0) }); });
    const ro = wm.attach(a, 0, SHM_RDONLY);
    assert.ok(ro > 0);
    watch = true;
    if (rmid) {
      assert.is(libc.shmctl(a, IPC_RMID, 0), 0);
      assert.ok(shmStat(a)!.mode & SHM_DEST, 'marked for removal');
    }
    assert.is(peer.nattch(), 2, 'before');

    // Trigger 2: the host grows memory to place a later 128 KiB window.
    const b = segment(128 * 1024);
    const pagesBefore = mem.size / 65536;
    const w = wm.attach(b, 0, 0);
    assert.ok(w > ro, `second window at ${w}`);
    assert.ok(mem.size / 65536 > pagesBefore, 'linear memory grew');
    // Trigger 1: the guest's own memory.grow, as the rewritten module calls it.
    const old = wm.grow(40);
    assert.is(old, mem.size / 65536 - 40, 'old size in pages, as memory.grow');
    assert.equal(seen, [{ nattch: 2, data: 0xc0ffee }, { nattch: 2, data: 0xc0ffee }], 'during both growths');

    assert.is(peer.nattch(), 2, 'after');
    assert.is(probe.load(ro), 0xc0ffee, 'the guest reads the segment through its window');
    assert.is(probe.load(ro + 8188), 0x1234);
    peer.write(0, 0xbeef);
    assert.is(probe.load(ro), 0xbeef, 'still the segment itself, not a copy');
    assert.throws(() => probe.store(ro), /memory access out of bounds/, 'a store into the window still traps');
    assert.is(peer.read(0), 0xbeef);
    assert.not.ok(mem.writable(ro, 4), 'still read-only for host writes');
    probe.store(w); // the writable window stays writable
    assert.is(probe.load(w), 1);

    wm.detachAll();
    assert.is(peer.nattch(), 1, 'the guest\'s window is gone, the peer\'s stays');
    assert.is(peer.read(0), 0xbeef);
    peer.detach();
    assert.is(shmStat(a) === null, rmid, rmid ? 'removed with its last attach' : 'kept');
  });
}

test('in process: fragments of a read-only window all move and come back', () => {
  const big = segment(3 * 4096);
  const small = segment(4096);
  const peer = new Peer(big);
  for (let p = 0; p < 3; p++) peer.write(p * 4096, 100 + p);
  const { wm, probe } = setup();
  const at = 65536;
  assert.is(wm.attach(big, at, SHM_RDONLY | 0o40000), at); // SHM_REMAP over guest pages
  assert.is(wm.attach(small, at + 4096, 0o40000), at + 4096, 'splits the read-only window in two');
  assert.is(peer.nattch(), 3, 'peer + two fragments');
  assert.ok(wm.grow(10) > 0);
  assert.is(peer.nattch(), 3);
  assert.is(probe.load(at), 100);
  assert.is(probe.load(at + 8192), 102);
  assert.throws(() => probe.store(at + 8192), /out of bounds/);
  wm.detachAll();
  assert.is(peer.nattch(), 1);
  peer.detach();
});

test('the side effect abi.md documents: a growth sets shm_dtime and shm_lpid, never nattch', () => {
  const a = segment(4096);
  const { wm } = setup();
  const stat = new libc.NativeScratch();
  const times = () => {
    assert.is(libc.shmctl(a, 2, stat.addr), 0);
    const v = stat.view;
    return { dtime: Number(v.getBigInt64(64, true)), lpid: v.getInt32(84, true), nattch: Number(v.getBigUint64(88, true)) };
  };
  assert.ok(wm.attach(a, 0, 0) > 0);
  wm.grow(1);
  assert.equal(times(), { dtime: 0, lpid: process.pid, nattch: 1 }, 'a writable window is left alone');
  const ro = wm.attach(a, 0, SHM_RDONLY);
  assert.ok(ro > 0);
  wm.grow(1);
  const after = times();
  assert.is(after.nattch, 2);
  assert.ok(after.dtime > 0, 'the move counts as a detach');
  assert.is(after.lpid, process.pid);
  wm.detachAll();
});

test('a run that cannot be moved aside: every step undone, the growth fails with -1, the host lives', () => {
  const mprotect = koffi.load('libc.so.6').func('int mprotect(uintptr_t addr, size_t len, int prot)') as
    (a: number, l: number, p: number) => number;
  const a = segment(4096);
  const b = segment(8192);
  const peer = new Peer(a);
  peer.write(0, 0xaaaa);
  const { wm, mem, probe } = setup();
  const wa = wm.attach(a, 0, SHM_RDONLY);
  const wb = wm.attach(b, 0, SHM_RDONLY);
  // Splitting b's mapping in two (its second page PROT_NONE) makes mremap
  // of the whole run fail (EFAULT) after a's run was already moved aside.
  assert.is(mprotect(mem.hostAddress(wb + 4096), 4096, 0), 0);
  const size = mem.size;
  assert.is(wm.grow(1), -1, 'the growth is refused, as when no memory can be had');
  assert.is(mem.size, size);
  assert.is(peer.nattch(), 2, 'a is back in place');
  assert.is(probe.load(wa), 0xaaaa);
  assert.throws(() => probe.store(wa), /out of bounds/);
  assert.is(probe.load(wb), 0);
  wm.detachAll();
  assert.is(peer.nattch(), 1);
  peer.detach();
});

test('the page limit: growth past it returns -1 (and a window needing it ENOMEM), counted', () => {
  const { wm, mem } = setup(undefined, 4);
  assert.is(wm.grow(1), 2);
  assert.is(wm.grow(2), -1, 'past the limit');
  assert.is(mem.size / 65536, 3);
  assert.is(wm.attach(segment(128 * 1024), 0, 0), -Errno.ENOMEM);
  assert.is(wm.limitRefusals, 2);
  assert.is(wm.grow(0), 3, 'memory.grow 0 always gives the size');
  assert.is(wm.grow(1), 3, 'up to the limit');
});

test.run();
