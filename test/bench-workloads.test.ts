// The benchmark's workloads check what they measure: a touch-* reader that
// finds a wrong stamp fails and names the buffer and page (C, wasm, the
// copying shim's guest and the JS peers' kernel); the contention count
// check catches a lost increment; a small contention run with guests counts
// every critical section. Real segments and semaphores, no timing asserted.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { test, NativeView } from './helpers.js';
import * as libc from '../host/libc.js';
import * as ipc from '../host/bench/ipc.js';
import { BIN, BENCH_WASM, COPY_WASM, NATIVE, HERE } from '../host/bench/paths.js';
import { loadKernel, kernelMemory, work, hex64, FNV_OFFSET, STAMP_PAGE } from '../host/bench/peers.js';
import { checkCount, sectionsReported, measure, workloads, type Workload } from '../host/bench/workloads.js';

const SETVAL = 16;
const PAGES = 4;
const SIZE = PAGES * STAMP_PAGE;

/** Buffer 0's stamped bytes, and the checksum over them, from the peers' kernel. */
function stamped(): { bytes: Uint8Array; checksum: string } {
  const memory = kernelMemory(SIZE, 1);
  const k = loadKernel(memory);
  const h = k.stamp(0, 0n, PAGES, FNV_OFFSET);
  return { bytes: new Uint8Array(memory.buffer).slice(0, SIZE), checksum: hex64(h) };
}

/** The touch readers, each with count 1: buffer 0 only. */
function readers(o: ipc.HandoffObjects): Array<[string, string, string[]]> {
  const args = ['--shmid', String(o.shmid), '--semid', String(o.semid), '--size', String(SIZE), '--count', '1', '--warm', '0'];
  return [
    ['native', NATIVE, ['touch-reader', ...args]],
    ['wasm', process.execPath, [BIN, 'run', BENCH_WASM, 'touch-reader', ...args]],
    ['copy-shim', process.execPath, [path.join(HERE, 'copy-host.js'), COPY_WASM, 'copy-touch-reader', ...args]],
  ];
}

function runReader(o: ipc.HandoffObjects, cmd: string, args: string[]) {
  // One full buffer for the reader (semaphore 1: full buffers).
  assert.is.not(libc.semctl(o.semid, 1, SETVAL, 1), -1, 'SETVAL');
  return spawnSync(cmd, args, { encoding: 'utf8', timeout: 30_000 });
}

test('a touch reader that finds a wrong stamp fails and names the buffer and page; with every stamp right it agrees on the checksum', () => {
  // Deliberate break (docs/mutation.md): make checkBuffer (lib/kernel.ts)
  // or check_buffer (kernel.h) stop one page early -> the last page's
  // mismatch goes unseen and these fail.
  const o = ipc.createHandoff(2 * SIZE);
  const view = new NativeView(o.shmid, 2 * SIZE);
  try {
    const good = stamped();
    // The last page holds the stamp it would have in buffer 2: stale data.
    const bad = good.bytes.slice();
    const stale = loadKernel(kernelMemory(SIZE, 1));
    const wrong = stale.stampOf(2n, PAGES, PAGES - 1);
    new DataView(bad.buffer).setBigUint64((PAGES - 1) * STAMP_PAGE, wrong, true);
    view.write(0, bad);
    for (const [name, cmd, args] of readers(o)) {
      const r = runReader(o, cmd, args);
      assert.is.not(r.status, 0, `${name} reader accepted a wrong stamp: ${r.stdout}`);
      assert.match(r.stderr, new RegExp(`stamp mismatch in buffer 0, page ${PAGES - 1}: expected [0-9a-f]{16}, found ${hex64(wrong)}`), `${name}: ${r.stderr}`);
    }
    // The JS peers' reader, on its own copy of the bytes.
    const memory = kernelMemory(SIZE, 1);
    new Uint8Array(memory.buffer).set(bad, 0);
    const peer = work(loadKernel(memory), { size: SIZE, count: 1, warm: 0, touch: true });
    assert.throws(() => peer.read(0, 0, FNV_OFFSET), new RegExp(`stamp mismatch in buffer 0, page ${PAGES - 1}`));

    view.write(0, good.bytes);
    for (const [name, cmd, args] of readers(o)) {
      const r = runReader(o, cmd, args);
      assert.is(r.status, 0, `${name}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`checksum=${good.checksum}`), `${name} checksum`);
    }
    new Uint8Array(memory.buffer).set(good.bytes, 0);
    assert.is(hex64(peer.read(0, 0, FNV_OFFSET)), good.checksum);
  } finally {
    view.detach();
    ipc.removeHandoff(o);
  }
});

test('the contention count check: a lost increment, an extra one, a contender that stopped short', () => {
  // Deliberate break (docs/mutation.md): checkCount compares only reported
  // with planned -> the lost increment passes.
  assert.is(checkCount(800, 800, 800), null);
  assert.match(checkCount(799, 800, 800)!, /1 increments lost/);
  assert.match(checkCount(801, 800, 800)!, /1 too many/);
  assert.match(checkCount(700, 700, 800)!, /report 700 critical sections, 800 were planned/);
});

test('sections reported by guests that share a stdout are all counted, however their lines interleave', () => {
  assert.is(sectionsReported(['sections=5\n', 'sections=7sections=7\n\n', 'noise sections=1\n']), 20);
  assert.is(sectionsReported(['']), 0);
});

test('a small contention run (1 guest, 1 native contender) counts every critical section', async () => {
  const base = workloads(true).find((w) => w.kind === 'contention')!;
  const w: Workload = { ...base, name: 'contention-test', contention: { n: 1, total: 400 } };
  const s = await measure(w, 'wasm');
  assert.is(s.count, 400);
  assert.ok(s.ns > 0);
  assert.equal(ipc.listAll(), { shm: [], sem: [] }, 'the run removed its objects');
}, 90_000);

test.run();
