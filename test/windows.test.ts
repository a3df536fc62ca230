// The window manager against the real kernel, in this process: placement,
// abi.md's rules for explicit addresses, detach and reuse, nattch.
// "The window is the segment itself" is checked through an independent view
// (NativeView: a native shmat in this process at an address of its own),
// never by reading back the wasm memory the bytes were written through.
import * as assert from 'uvu/assert';
import * as libc from '../host/libc.js';
import { GuestMemory } from '../host/guest-memory.js';
import { MAX_RUNS, WindowManager } from '../host/windows.js';
import { Errno, SHM_RDONLY, SHM_REMAP, SHM_RND, IPC_CREAT, IPC_RMID } from '../host/abi.js';
import { test, shmStat, NativeView } from './helpers.js';

function setup(pages = 2) {
  const memory = new WebAssembly.Memory({ initial: pages, maximum: 1000 });
  const mem = new GuestMemory(memory);
  return { memory, mem, wm: new WindowManager(mem) };
}
const segments: number[] = [];
function segment(size: number): number {
  const id = libc.shmget(0, size, IPC_CREAT | 0o600);
  assert.ok(id >= 0, `shmget: errno ${libc.errno()}`);
  segments.push(id);
  return id;
}
test.after.each(() => { for (const id of segments.splice(0)) libc.shmctl(id, IPC_RMID, 0); });

let stamp = 0;
/**
 * The guest pages [start, start + size) are the segment `id`: on every 4 KiB
 * page (its first and last byte, and the segment's last byte), a store
 * through wasm memory is read back through a native attach, and a native
 * store is read back through wasm memory.
 */
function assertIsSegment(memory: WebAssembly.Memory, start: number, id: number, size: number, what = 'window'): void {
  const view = new NativeView(id, size);
  try {
    const offs = new Set<number>([size - 1]);
    for (let p = 0; p < size; p += 4096) { offs.add(p); offs.add(Math.min(p + 4095, size - 1)); }
    for (const off of offs) {
      const g = (stamp++ % 250) + 1; // never 0: zero pages must not pass
      new Uint8Array(memory.buffer)[start + off] = g;
      assert.is(view.read(off, 1)[0], g, `${what}: a wasm store at +${off} is in the segment`);
      const n = (stamp++ % 250) + 1;
      view.write(off, Uint8Array.of(n));
      assert.is(new Uint8Array(memory.buffer)[start + off], n, `${what}: a native store at +${off} is in wasm memory`);
    }
  } finally {
    view.detach();
  }
}

test('a host-chosen window lies above the guest\'s pages and is the segment itself', () => {
  // Deliberate break (docs/mutation.md): map anonymous pages over the last
  // page of every host-chosen window in WindowManager.attach -> fails here.
  const { wm, memory } = setup();
  const id = segment(10000);
  const a = wm.attach(id, 0, 0);
  assert.ok(a >= 2 * 65536, `window at ${a} must be above the guest's own 2 pages`);
  assert.is(a % 4096, 0);
  assert.is(shmStat(id)!.nattch, 1);
  assertIsSegment(memory, a, id, 10000);
  assert.is(wm.detach(a), 0);
  assert.is(shmStat(id)!.nattch, 0);
  assert.is(new Uint8Array(memory.buffer)[a + 9999], 0, 'detached pages read as zero');
  // After shmdt the pages are the guest's own again, no longer the segment.
  const view = new NativeView(id, 10000);
  const before = view.read(9999, 1)[0];
  new Uint8Array(memory.buffer)[a + 9999] = before! ^ 0xff;
  assert.is(view.read(9999, 1)[0], before, 'a store into the detached pages does not reach the segment');
  view.detach();
});

test('detached pages host later windows; growth only when needed', () => {
  const { wm, mem } = setup();
  const id = segment(4096);
  const a = wm.attach(id, 0, 0);
  const size = mem.size;
  const b = wm.attach(id, 0, 0);
  assert.is(b, a + 4096, 'the rest of the grown wasm page is reused');
  assert.is(mem.size, size, 'no growth for a window that fits');
  assert.is(wm.detach(a), 0);
  const c = wm.attach(id, 0, 0);
  assert.is(c, a, 'a freed page is reused first');
  assert.is(shmStat(id)!.nattch, 2);
  wm.detachAll();
  assert.is(shmStat(id)!.nattch, 0);
  assert.equal(wm.list(), []);
});

test('a window that needs more than the free tail of the reserved pages grows memory only by the difference', () => {
  // First fit over the host's reserved pages, extending the last run when it
  // ends at the end of memory: 13 free pages at the tail + 1 wasm page (16).
  const { wm, mem } = setup(2); // guest pages 0-31
  const small = segment(3 * 4096);
  const a = wm.attach(small, 0, 0);
  assert.is(a, 32 * 4096);
  assert.is(mem.size, 3 * 65536, 'one wasm page grown: pages 32-47 reserved, 35-47 free');
  const big = segment(17 * 4096);
  const b = wm.attach(big, 0, 0);
  assert.is(b, 35 * 4096, 'right after the first window, across the old end of memory');
  assert.is(mem.size, 4 * 65536, 'grown by one more wasm page, not two');
  assertIsSegment(mem.memory, b, big, 17 * 4096, 'the window across the old end');
  wm.detachAll();
  assert.is(shmStat(small)!.nattch + shmStat(big)!.nattch, 0);
});

test('after the guest grew its memory, a window bigger than the old free tail gets a reserved run of its own', () => {
  // The free tail of a reserved run counts only while that run ends at the
  // end of memory; here the guest's own pages 48-63 follow it.
  const { wm, mem } = setup(2); // guest pages 0-31
  const small = segment(3 * 4096);
  assert.is(wm.attach(small, 0, 0), 32 * 4096); // reserves 32-47
  assert.is(wm.grow(1), 3, 'the guest grows memory: pages 48-63 are its own');
  const big = segment(17 * 4096);
  const b = wm.attach(big, 0, 0);
  assert.is(b, 64 * 4096, 'above the guest\'s new pages');
  assert.is(mem.size, 6 * 65536, 'grown by the 17 pages it needs, rounded up to wasm pages');
  assertIsSegment(mem.memory, b, big, 17 * 4096, 'the window above the guest\'s pages');
  wm.detachAll();
  assert.is(shmStat(small)!.nattch + shmStat(big)!.nattch, 0);
});

test('an explicit window without SHM_REMAP must lie inside the host\'s reserved pages, up to their last page', () => {
  const { wm, mem } = setup(2); // guest pages 0-31
  const one = segment(4096);
  const two = segment(2 * 4096);
  const h = wm.attach(one, 0, 0); // reserves pages 32-47
  assert.is(h, 32 * 4096);
  assert.is(wm.detach(h), 0);
  assert.is(wm.grow(1), 3, 'the guest grows memory: pages 48-63 are the guest\'s own');
  assert.is(mem.size, 4 * 65536);
  assert.is(wm.attach(two, 31 * 4096, 0), -Errno.EINVAL, 'starting on a guest page below the reserved run');
  assert.is(wm.attach(two, 47 * 4096, 0), -Errno.EINVAL, 'running past the reserved run onto a guest page');
  const e = wm.attach(two, 46 * 4096, 0);
  assert.is(e, 46 * 4096, 'ending on the reserved run\'s last page');
  assertIsSegment(mem.memory, e, two, 2 * 4096, 'the window at the end of the reserved run');
  assert.is(wm.attach(two, 47 * 4096, SHM_REMAP), 47 * 4096, 'with SHM_REMAP the guest\'s pages may be replaced');
  assert.is(shmStat(two)!.nattch, 2);
  wm.detachAll();
  assert.is(shmStat(two)!.nattch, 0);
});

test('two windows of one segment alias each other', () => {
  const { wm, memory } = setup();
  const id = segment(8192);
  const a = wm.attach(id, 0, 0);
  const b = wm.attach(id, 0, 0);
  assert.is.not(a, b);
  const u32 = new Uint32Array(memory.buffer);
  u32[(a + 4096) / 4] = 0xfeedf00d;
  assert.is(new Uint32Array(memory.buffer)[(b + 4096) / 4], 0xfeedf00d);
  assertIsSegment(memory, a, id, 8192, 'first window');
  assertIsSegment(memory, b, id, 8192, 'second window');
  wm.detachAll();
});

test('windows survive memory.grow with their contents', () => {
  const { wm, memory, mem } = setup();
  const id = segment(3 * 4096);
  const a = wm.attach(id, 0, 0);
  new Uint32Array(memory.buffer)[(a + 2 * 4096) / 4] = 1234567;
  memory.grow(50);
  mem.refresh();
  assert.is(new Uint32Array(memory.buffer)[(a + 2 * 4096) / 4], 1234567);
  const view = new NativeView(id, 3 * 4096);
  assert.is(view.u32(2 * 4096), 1234567, 'the segment holds the store made before the growth');
  view.detach();
  assertIsSegment(memory, a, id, 3 * 4096, 'window after memory.grow');
  wm.detachAll();
});

test('explicit addresses follow abi.md and Linux', () => {
  const { wm, mem } = setup(4);
  const id = segment(4096);
  assert.is(wm.attach(id, 4097, 0), -Errno.EINVAL, 'unaligned without SHM_RND');
  assert.is(wm.attach(id, 8192, 0), -Errno.EINVAL, 'guest-owned pages are mapped: SHM_REMAP needed');
  assert.is(wm.attach(id, 0, SHM_REMAP), -Errno.EINVAL, 'SHM_REMAP with a NULL address');
  assert.is(wm.attach(id, 100, SHM_RND | SHM_REMAP), -Errno.EINVAL, 'rounds down to NULL with SHM_REMAP');
  assert.is(wm.attach(id, 4 * 65536, SHM_REMAP), -Errno.EINVAL, 'range past the end of linear memory');
  assert.is(wm.attach(id, -4096, SHM_REMAP), -Errno.EINVAL, 'top of the 4 GiB space');
  assert.is(wm.attach(-1, 0, 0), -Errno.EINVAL, 'negative id');
  assert.is(wm.attach(0x7fffffff, 0, 0), -Errno.EINVAL, 'no such id');
  const r = wm.attach(id, 8192 + 5, SHM_RND | SHM_REMAP);
  assert.is(r, 8192, 'SHM_RND rounds down to the page');
  assertIsSegment(mem.memory, r, id, 4096, 'window at an explicit address');
  // A free host page counts as unmapped; a window's pages count as mapped.
  const h = wm.attach(id, 0, 0);
  assert.is(wm.detach(h), 0);
  assert.is(wm.attach(id, h, 0), h, 'a free reserved page takes a window without SHM_REMAP');
  assert.is(wm.attach(id, h, 0), -Errno.EINVAL, 'an existing window is mapped');
  assert.is(wm.attach(id, h, SHM_REMAP), h, 'SHM_REMAP replaces a whole window');
  assert.is(shmStat(id)!.nattch, 2, 'the replaced window was dropped by the kernel');
  assert.equal(wm.list().map((w) => w.start), [8192, h]);
  wm.detachAll();
  assert.is(shmStat(id)!.nattch, 0);
});

test('an explicit window may end exactly at the end of linear memory, not one page past it', () => {
  // Linear memory is the guest's address space: a window must lie wholly
  // inside it (abi.md), and its last page may be memory's last page.
  const { wm, mem } = setup(4);
  const size = 4 * 65536;
  const id = segment(2 * 4096);
  assert.is(wm.attach(id, size - 4096, SHM_REMAP), -Errno.EINVAL, 'its second page would lie past the end');
  assert.is(wm.attach(id, size - 3 * 4096, SHM_RND | SHM_REMAP), size - 3 * 4096, 'ending a page short of the end');
  const r = wm.attach(id, size - 2 * 4096, SHM_REMAP);
  assert.is(r, size - 2 * 4096, 'ending exactly at the end of memory');
  assertIsSegment(mem.memory, r, id, 2 * 4096, 'window ending at the end of memory');
  assert.is(shmStat(id)!.nattch, 2);
  wm.detachAll();
  assert.is(shmStat(id)!.nattch, 0);
});

test('SHM_REMAP over part of a window leaves a fragment that counts, as on Linux', () => {
  const { wm, memory } = setup(4);
  const big = segment(3 * 4096);
  const small = segment(4096);
  const at = 65536;
  assert.is(wm.attach(big, at, SHM_REMAP), at);
  new Uint32Array(memory.buffer)[(at + 2 * 4096) / 4] = 0xb16;
  assert.is(wm.attach(small, at + 4096, SHM_REMAP), at + 4096, 'over the middle page');
  assert.is(shmStat(big)!.nattch, 2, 'the head and the tail are two fragments, each counted');
  assert.is(shmStat(small)!.nattch, 1);
  assert.is(new Uint32Array(memory.buffer)[(at + 2 * 4096) / 4], 0xb16);
  const tail = new NativeView(big, 3 * 4096);
  assert.is(tail.u32(2 * 4096), 0xb16, 'the tail is still the big segment');
  tail.write(2 * 4096 + 4, Uint8Array.of(0x42));
  assert.is(new Uint8Array(memory.buffer)[at + 2 * 4096 + 4], 0x42, 'the tail is still the big segment, both ways');
  tail.detach();
  assertIsSegment(memory, at + 4096, small, 4096, 'the small window over the middle page');
  assert.is(wm.detach(at + 4096), 0, 'shmdt of the small window');
  assert.is(shmStat(small)!.nattch, 0);
  assert.is(wm.detach(at), 0, 'shmdt at the big window\'s address takes every fragment');
  assert.is(shmStat(big)!.nattch, 0);
  assert.is(new Uint32Array(memory.buffer)[(at + 2 * 4096) / 4], 0, 'restored zero pages');
  assert.equal(wm.list(), []);
});

test('shmdt at an address holding a newer window and an older fragment takes the lower one', () => {
  const { wm } = setup(4);
  const big = segment(2 * 4096);
  const small = segment(4096);
  const at = 65536;
  assert.is(wm.attach(big, at, SHM_REMAP), at);
  assert.is(wm.attach(small, at, SHM_REMAP), at, 'over the head of the big window');
  assert.is(shmStat(big)!.nattch, 1);
  assert.is(wm.detach(at), 0);
  assert.is(shmStat(small)!.nattch, 0, 'the window at the address itself goes first');
  assert.is(shmStat(big)!.nattch, 1);
  assert.is(wm.detach(at), 0, 'then the fragment of the window attached there');
  assert.is(shmStat(big)!.nattch, 0);
});

test('read-only windows are marked for the accessor and unmarked on detach', () => {
  const { wm, mem } = setup();
  const id = segment(4096);
  const a = wm.attach(id, 0, SHM_RDONLY);
  assert.not.ok(mem.writable(a, 4));
  assert.ok(mem.inBounds(a, 4));
  assert.ok(mem.writable(a - 4, 4));
  assert.is(wm.detach(a), 0);
  assert.ok(mem.writable(a, 4), 'after detach the zero pages are writable');
});

test('shmdt takes only the start of a window', () => {
  const { wm } = setup();
  const id = segment(8192);
  const a = wm.attach(id, 0, 0);
  assert.is(wm.detach(a + 4096), -Errno.EINVAL);
  assert.is(wm.detach(a + 1), -Errno.EINVAL);
  assert.is(wm.detach(0), -Errno.EINVAL);
  assert.is(wm.detach(-1), -Errno.EINVAL);
  assert.is(wm.detach(a), 0);
  assert.is(wm.detach(a), -Errno.EINVAL, 'twice');
});

test('a guest holds at most MAX_RUNS mapped pieces: the next shmat is ENOMEM, fragments count, a detach makes room', () => {
  // Without the cap a guest could take every mapping of the process (V8
  // then dies on its next mmap) or make each growth move thousands of
  // read-only windows (issue 8, found while measuring a hostile guest).
  const memory = new WebAssembly.Memory({ initial: 2, maximum: 4000 });
  const mem = new GuestMemory(memory);
  const wm = new WindowManager(mem);
  const id = segment(4096);
  const big = segment(3 * 4096);
  const addrs: number[] = [];
  const first = wm.attach(big, 0, 0); // split into two fragments below: 2 pieces
  assert.ok(first > 0);
  assert.ok(wm.attach(id, first + 4096, SHM_REMAP) > 0);
  for (let i = 3; i < MAX_RUNS; i++) {
    const a = wm.attach(id, 0, i % 2 ? SHM_RDONLY : 0);
    assert.ok(a > 0, `attach ${i}: ${a}`);
    addrs.push(a);
  }
  assert.is(wm.attach(id, 0, 0), -Errno.ENOMEM, 'the piece past the cap');
  assert.is(wm.attach(id, 0, SHM_RDONLY), -Errno.ENOMEM);
  assert.is(wm.attach(-1 >>> 1, 0, 0), -Errno.EINVAL, 'a bad id is still EINVAL first');
  assert.is(shmStat(id)!.nattch, MAX_RUNS - 2);
  // Growing with hundreds of read-only windows attached still works.
  const pages = memory.buffer.byteLength / 65536;
  assert.is(wm.grow(3), pages);
  assert.is(wm.detach(addrs.pop()!), 0);
  assert.ok(wm.attach(id, 0, 0) > 0, 'room again after a detach');
  wm.detachAll();
  assert.is(shmStat(id)!.nattch, 0);
});

test('no room to grow gives ENOMEM', () => {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 2 });
  const wm = new WindowManager(new GuestMemory(memory));
  const id = segment(2 * 65536);
  assert.is(wm.attach(id, 0, 0), -Errno.ENOMEM);
});

/** The 4 KiB guest page at `at` is page `off / 4096` of segment `id`, both ways. */
function assertPageIs(memory: WebAssembly.Memory, at: number, id: number, size: number, off: number, what: string): void {
  const view = new NativeView(id, size);
  try {
    for (const k of [0, 4095]) {
      const g = (stamp++ % 250) + 1;
      new Uint8Array(memory.buffer)[at + k] = g;
      assert.is(view.read(off + k, 1)[0], g, `${what}: a wasm store at +${k} is in the segment`);
      const n = (stamp++ % 250) + 1;
      view.write(off + k, Uint8Array.of(n));
      assert.is(new Uint8Array(memory.buffer)[at + k], n, `${what}: a native store at +${k} is in wasm memory`);
    }
  } finally {
    view.detach();
  }
}

const runsOf = (wm: WindowManager, start: number) =>
  wm.list().find((w) => w.start === start)?.runs.map((r) => [r.start, r.end]);

// Kills StrykerJS mutants of windows.ts #13/#14 (the subtraction of a run
// that does not touch the other: `if (false)` would stretch the untouched
// fragment over its neighbours, `return []` would forget it) (docs/mutation.md).
test('SHM_REMAP over one fragment of a split window leaves its other fragment as it was', () => {
  const { wm, memory } = setup(2);
  const big = segment(4 * 4096);
  const b = segment(4096);
  const c = segment(4096);
  const a = wm.attach(big, 0, 0);
  const p = a / 4096;
  assert.is(wm.attach(b, a + 4096, SHM_REMAP), a + 4096);
  assert.equal(runsOf(wm, a), [[p, p + 1], [p + 2, p + 4]], 'split by the window over its page 1');
  // Over page 3: only the second fragment is touched; the first (page 0) is apart from it.
  assert.is(wm.attach(c, a + 3 * 4096, SHM_REMAP), a + 3 * 4096);
  assert.equal(runsOf(wm, a), [[p, p + 1], [p + 2, p + 3]], 'the fragment apart from the new window is unchanged');
  assert.is(shmStat(big)!.nattch, 2);
  assertPageIs(memory, a, big, 4 * 4096, 0, 'page 0 of the split window');
  assertPageIs(memory, a + 2 * 4096, big, 4 * 4096, 2 * 4096, 'page 2 of the split window');
  assertIsSegment(memory, a + 4096, b, 4096, 'the window over page 1');
  assertIsSegment(memory, a + 3 * 4096, c, 4096, 'the window over page 3');
  // shmdt of the split window unmaps exactly its two fragments.
  assert.is(wm.detach(a), 0);
  assert.is(shmStat(big)!.nattch, 0, 'no fragment of it is left mapped');
  assert.is(shmStat(b)!.nattch, 1, 'the neighbour over page 1 is still attached');
  assert.is(shmStat(c)!.nattch, 1, 'the neighbour over page 3 is still attached');
  assertIsSegment(memory, a + 4096, b, 4096, 'the window over page 1 after the shmdt');
  assertIsSegment(memory, a + 3 * 4096, c, 4096, 'the window over page 3 after the shmdt');
  // The freed pages 0 and 2 host the next host-chosen windows, in order.
  const d = segment(4096);
  assert.is(wm.attach(d, 0, 0), a, 'first fit: the freed page 0');
  assert.is(wm.attach(d, 0, 0), a + 2 * 4096, 'then the freed page 2');
  assert.is(wm.attach(d, 0, 0), a + 4 * 4096, 'then the page after the old window');
  assertIsSegment(memory, a, d, 4096, 'the window in the freed page 0');
  assertIsSegment(memory, a + 2 * 4096, d, 4096, 'the window in the freed page 2');
  assert.is(shmStat(d)!.nattch, 3);
  wm.detachAll();
  assert.is(shmStat(b)!.nattch + shmStat(c)!.nattch + shmStat(d)!.nattch, 0);
});

// Kills windows.ts #5 (`a.start <= b.end` in intersects: a window that
// starts where the new one ends counted as overlapping it) (docs/mutation.md).
test('free pages right below or right above a window take an explicit window without SHM_REMAP', () => {
  const { wm, memory } = setup(2);
  const id = segment(4096);
  const x = segment(4096);
  const a = wm.attach(id, 0, 0);
  const m = wm.attach(id, 0, 0);
  const z = wm.attach(id, 0, 0);
  assert.equal([m, z], [a + 4096, a + 2 * 4096], 'three adjacent host-chosen windows');
  assert.is(wm.detach(a), 0);
  assert.is(wm.detach(z), 0);
  assert.is(wm.attach(x, a, 0), a, 'the page that ends where the window starts is free');
  assert.is(wm.attach(x, z, 0), z, 'the page that starts where the window ends is free');
  assert.is(shmStat(id)!.nattch, 1);
  assert.is(shmStat(x)!.nattch, 2);
  assertIsSegment(memory, a, x, 4096, 'the window below');
  assertIsSegment(memory, m, id, 4096, 'the window between');
  assertIsSegment(memory, z, x, 4096, 'the window above');
  wm.detachAll();
  assert.is(shmStat(id)!.nattch + shmStat(x)!.nattch, 0);
});

test.run();
