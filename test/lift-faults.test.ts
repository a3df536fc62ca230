// Growing linear memory with a read-only window attached, when the kernel
// fails a step of the host's lift (windows.ts: reserve room aside, move the
// window there, fill its place, put it back). The kernel fails these only
// when it runs out of memory or mappings; here a seccomp filter in a worker
// thread (test/seccomp.ts) makes exactly that call fail with ENOMEM, as the
// kernel would. The first three must leave everything as it was and answer
// the growth with -1; a window that cannot be put back, and a shmdt whose
// fresh pages cannot be mapped, must stop the guest with a one-line error,
// and the segment's data must survive it. A native
// peer (this thread's own attach) checks data and nattch.
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { shmStat, test } from './helpers.js';
import { Peer, segment, cleanup } from './peer.js';
import type { Outcome, Step } from './lift-faults-worker.js';

test.after.each(cleanup);

const SIZE = 8192;

function run(shmid: number, step: Step, others: number[] = []): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./lift-faults-worker.js', import.meta.url), { workerData: { shmid, others, size: SIZE, step } });
    let out: Outcome | undefined;
    w.on('message', (m: Outcome) => { out = m; });
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

test('a window that cannot be put back: a one-line fatal error, the segment and its data stay', async () => {
  const id = segment(SIZE);
  const peer = new Peer(id);
  peer.write(0, 0xc0ffee);
  const o = await run(id, 'put back');
  assert.ok(o.fatal, 'a WindowFatalError');
  assert.is(o.error, `could not map read-only window pages back at guest 0x${o.ro.toString(16)} after growing linear memory (errno 12); the guest cannot go on`);
  assert.is(o.pagesAfter, o.pagesBefore + 1, 'the growth itself happened');
  assert.is(o.loadFirst, 0, 'the window\'s place holds fresh pages');
  assert.not.ok(o.storeTraps);
  assert.is(shmStat(id)!.nattch, 1, 'the window was detached (only the peer is attached)');
  assert.is(peer.read(0), 0xc0ffee, 'the data is intact');
});

test('windows that cannot be put back: the error names them, lowest first, the first three and how many more', async () => {
  const hex = (a: number) => `0x${a.toString(16)}`;
  const a = segment(SIZE), b = segment(SIZE);
  const two = await run(a, 'put back all', [b]);
  assert.ok(two.fatal, 'a WindowFatalError');
  assert.ok(two.ro < two.others[0]!);
  assert.is(two.error, `could not map read-only window pages back at guest ${hex(two.ro)}, ${hex(two.others[0]!)} after growing linear memory (errno 12); the guest cannot go on`);
  const c = segment(SIZE);
  const three = await run(a, 'put back all', [b, c]);
  assert.is(three.error, `could not map read-only window pages back at guest ${[three.ro, ...three.others].map(hex).join(', ')} after growing linear memory (errno 12); the guest cannot go on`);
  const more = [segment(SIZE), segment(SIZE), segment(SIZE), segment(SIZE)];
  const five = await run(a, 'put back all', more);
  assert.is(five.error, `could not map read-only window pages back at guest ${[five.ro, ...five.others.slice(0, 2)].map(hex).join(', ')} and 2 more after growing linear memory (errno 12); the guest cannot go on`);
  for (const id of [a, b, c, ...more]) assert.is(shmStat(id)!.nattch, 0);
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
