// Growing linear memory with a read-only window attached, when the kernel
// fails a step of the host's lift (windows.ts: reserve room aside, move the
// window there, fill its place, put it back). The kernel fails these only
// when it runs out of memory or mappings; here a seccomp filter in a worker
// thread (test/seccomp.ts) makes exactly that call fail with ENOMEM, as the
// kernel would. The first three must leave everything as it was and answer
// the growth with -1; a window that cannot be put back, and a shmdt whose
// fresh pages cannot be mapped, must stop the guest with a one-line error,
// and the segment's data must survive it. A native
// peer (this thread's own attach) checks data and nattch. One case stops the
// fill's call in the kernel instead of failing it, to look at the
// process's mappings at that moment.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import { Worker } from 'node:worker_threads';
import { shmStat, test } from './helpers.js';
import { Peer, segment, cleanup } from './peer.js';
import { nextCall, resume, SYS_MMAP } from './seccomp.js';
import type { Outcome, Step } from './lift-faults-worker.js';

test.after.each(cleanup);

const SIZE = 8192;
const hex = (a: number) => `0x${a.toString(16)}`;

/** A stopped call's listener, posted by a 'watch fill' worker. */
interface Listener { listener: number; at: number; size: number }

function run(shmid: number, step: Step, others: number[] = [], onListener?: (l: Listener) => void): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./lift-faults-worker.js', import.meta.url), { workerData: { shmid, others, size: SIZE, step } });
    let out: Outcome | undefined;
    w.on('message', (m: Outcome | Listener) => {
      if ('listener' in m) onListener?.(m);
      else out = m;
    });
    w.on('error', reject);
    w.on('exit', (code) => (out && code === 0 ? resolve(out) : reject(new Error(`fault worker exited with ${code} and ${out ? 'a' : 'no'} result`))));
  });
}

for (const step of ['reserve', 'move aside', 'fill'] as const) {
  test(`a failed "${step}" step: memory.grow gives -1, the read-only window is untouched`, async () => {
    const id = segment(SIZE);
    const peer = new Peer(id);
    peer.write(0, 0xc0ffee);
    peer.write(SIZE - 4, 0x1234);
    const o = await run(id, step);
    assert.is(o.error, null, 'no error thrown');
    assert.is(o.grew, -1, 'the growth was refused');
    assert.is(o.pagesAfter, o.pagesBefore, 'memory did not grow');
    assert.is(o.loadFirst, 0xc0ffee, 'the window still shows the segment');
    assert.is(o.loadLast, 0x1234);
    assert.ok(o.storeTraps, 'the window is still read-only');
    // The worker has ended: its memory, and the window with it, are gone.
    assert.is(shmStat(id)!.nattch, 1, 'only the peer is attached');
    assert.is(peer.read(0), 0xc0ffee, 'the data is intact');
  });
}

/** The error of windows that could not be put back, as the host words it. */
const putBackError = (where: string) => `could not map read-only window pages back at guest ${where} after growing linear memory (errno 12); the guest cannot go on`;

test('a window that cannot be put back: a one-line fatal error, the segment and its data stay', async () => {
  const id = segment(SIZE);
  const peer = new Peer(id);
  peer.write(0, 0xc0ffee);
  const o = await run(id, 'put back');
  assert.ok(o.fatal, 'a WindowFatalError');
  assert.is(o.error, putBackError(hex(o.ro)));
  assert.is(o.pagesAfter, o.pagesBefore + 1, 'the growth itself happened');
  assert.is(o.loadFirst, 0, 'the window\'s place holds fresh pages');
  assert.not.ok(o.storeTraps);
  assert.is(shmStat(id)!.nattch, 1, 'the window was detached (only the peer is attached)');
  assert.is(peer.read(0), 0xc0ffee, 'the data is intact');
});

test('windows that cannot be put back: the error names them, lowest first, the first three and how many more', async () => {
  const a = segment(SIZE), b = segment(SIZE);
  const two = await run(a, 'put back all', [b]);
  assert.ok(two.fatal, 'a WindowFatalError');
  assert.ok(two.ro < two.others[0]!);
  assert.is(two.error, putBackError(`${hex(two.ro)}, ${hex(two.others[0]!)}`));
  const c = segment(SIZE);
  const three = await run(a, 'put back all', [b, c]);
  assert.is(three.error, putBackError([three.ro, ...three.others].map(hex).join(', ')));
  const more = [segment(SIZE), segment(SIZE), segment(SIZE), segment(SIZE)];
  const five = await run(a, 'put back all', more);
  assert.is(five.error, putBackError(`${[five.ro, ...five.others.slice(0, 2)].map(hex).join(', ')} and 2 more`));
  for (const id of [a, b, c, ...more]) assert.is(shmStat(id)!.nattch, 0);
});

// The window's place is never a hole while it is lifted: a hole, even for
// the moment between two system calls, can be given to another thread's
// mmap (V8's compiler threads map memory at any time), and the filler's
// MAP_FIXED would then destroy that thread's memory. The fill's mmap is
// stopped in the kernel (seccomp user notification) while this thread
// reads the process's mappings.
test('while a read-only window is lifted for a growth, its place is never a hole', async () => {
  const id = segment(SIZE);
  const peer = new Peer(id);
  peer.write(0, 0xc0ffee);
  let seen: string[] | undefined;
  let why = '';
  const o = await run(id, 'watch fill', [], ({ listener, at, size }) => {
    const call = nextCall(listener, 20_000);
    if (!call) { why = 'the fill never came'; return; }
    try {
      if (call.nr !== SYS_MMAP || call.args[0] !== at) why = `stopped the wrong call (${call.nr} at ${hex(call.args[0]!)})`;
      // Every mapping that covers a byte of the window's place.
      seen = fs.readFileSync('/proc/self/maps', 'utf8').split('\n').filter((l) => {
        const [lo, hi] = (l.split(' ')[0] ?? '').split('-').map((x) => parseInt(x, 16));
        return lo! < at + size && at < hi!;
      });
      const covered = seen.map((l) => l.split(' ')[0]!.split('-').map((x) => parseInt(x, 16)))
        .reduce((end, [lo, hi]) => (lo! <= end ? Math.max(end, hi!) : end), at);
      if (covered < at + size) why = `the window's place is unmapped from ${hex(covered)} (mappings there: ${JSON.stringify(seen)})`;
    } finally {
      resume(listener, call);
    }
  });
  assert.is(why, '', why);
  assert.ok(seen!.every((l) => /SYSV/.test(l)), `the segment is still mapped there until the fill replaces it: ${JSON.stringify(seen)}`);
  assert.is(o.error, null);
  assert.is(o.grew, o.pagesBefore, 'the growth went on');
  assert.is(o.loadFirst, 0xc0ffee, 'the window shows the segment again');
  assert.ok(o.storeTraps, 'and is read-only');
  assert.is(peer.read(0), 0xc0ffee);
  assert.is(shmStat(id)!.nattch, 1, 'the worker ended: only the peer is attached');
});

test('a detach whose fresh pages cannot be mapped: a one-line fatal error, the window stays as it was', async () => {
  const id = segment(SIZE);
  const peer = new Peer(id);
  peer.write(0, 0xc0ffee);
  const o = await run(id, 'restore');
  assert.ok(o.fatal, 'a WindowFatalError');
  assert.is(o.error, `could not restore ${SIZE} bytes of linear memory at guest 0x${o.ro.toString(16)} (errno 12)`);
  assert.is(o.loadFirst, 0xc0ffee, 'the window still shows the segment');
  assert.ok(o.storeTraps, 'and is still read-only');
  assert.is(shmStat(id)!.nattch, 1, 'the worker ended: only the peer is attached');
  assert.is(peer.read(0), 0xc0ffee, 'the data is intact');
});

test.run();
