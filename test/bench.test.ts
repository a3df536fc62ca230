// The bench report: a variant that failed shows in the table and the JSON
// with its reason; one that failed some repeats is marked with how many
// samples its median has; the load warning points only to tables the run
// prints. (The figures themselves are never asserted: speed is the bench's
// business, not a unit test's.)
import * as assert from 'uvu/assert';
import { test } from './helpers.js';
import { buildResult, report, loadWarning } from '../host/bench/cli.js';
import { workloads } from '../host/bench/workloads.js';

const handoff = workloads(true).find((w) => w.kind === 'handoff')!;
const semop = workloads(true).find((w) => w.kind === 'semop')!;

/** A result for `handoff` where `failedReps[v]` repeats of v threw `why`. */
function result(failedReps: Record<string, number>, reps = 3) {
  const samples = new Map<string, number[]>();
  const fails = new Map<string, string[]>();
  for (const v of handoff.variants) {
    const bad = failedReps[v] ?? 0;
    samples.set(v, Array.from({ length: reps - bad }, (_, i) => 10 + i));
    fails.set(v, Array.from({ length: bad }, () => `${v} exited 1: broken on purpose`));
  }
  return buildResult(handoff, reps, samples, new Map(), fails, new Set(['abc']));
}

test('a variant that failed every repeat appears in every table as FAILED, with its reason', () => {
  // Deliberate break (docs/mutation.md): drop failed variants from the
  // report again (names from r.mbps keys, cells without marks) -> fails.
  const r = result({ postMessage: 3 });
  const text = report([r]);
  const mbps = text.split('\n').find((l) => l.startsWith(`${handoff.name} `) && /FAILED/.test(l) && !/us\/buffer/.test(l));
  assert.ok(mbps, `the MB/s table shows postMessage as FAILED:\n${text}`);
  assert.match(text, /MB\/s \(median\).*postMessage/, 'postMessage keeps its column');
  assert.match(text, /peers, us\/buffer.*postMessage/);
  assert.match(text, new RegExp(`${handoff.name} postMessage: 3 of 3 repeats failed: postMessage exited 1: broken on purpose`));
  const json = JSON.parse(JSON.stringify(r));
  assert.equal(json.failures.postMessage, { failed: 3, of: 3, reasons: ['postMessage exited 1: broken on purpose'] });
  assert.ok(json.variants.includes('postMessage'));
});

test('native or wasm failing shows FAILED in the main table, and no ratio', () => {
  const r = result({ wasm: 3 });
  const row = report([r]).split('\n').find((l) => l.startsWith(`${handoff.name} `) && l.includes('us/buffer'))!;
  assert.match(row, /FAILED/);
  assert.is(Number.isNaN(r.ratio), true);
});

test('a variant that failed some repeats is marked with the samples its median has', () => {
  const r = result({ wasm: 1, 'copy-shim': 2 });
  const text = report([r]);
  const row = text.split('\n').find((l) => l.startsWith(`${handoff.name} `) && l.includes('us/buffer'))!;
  assert.match(row, /\(2\/3\)/, `wasm's cell says 2 of 3: ${row}`);
  assert.match(text, /copy-shim: 2 of 3 repeats failed/);
  assert.match(text, /\(1\/3\)/, 'copy-shim is marked 1/3 where it appears');
  assert.equal(r.stats['wasm']!.samples.length, 2);
  assert.equal(JSON.parse(JSON.stringify(r)).failures.wasm.failed, 1);
});

test('a clean run has no marks and no failures section', () => {
  const text = report([result({})]);
  assert.not.match(text, /FAILED|failures|\(\d\/\d\)/);
});

test('the load warning points to the CPU-time table only when the run prints one', () => {
  // Deliberate break 5b (docs/mutation.md): the old fixed text -> fails.
  const h = loadWarning(3, 2, [handoff]);
  assert.not.match(h, /CPU time table/);
  assert.match(h, /no CPU-time cross-check/);
  const s = loadWarning(3, 2, [semop, handoff]);
  assert.match(s, /process CPU time table cross-checks semop-uncontended/);
  assert.match(s, /the other workloads have no such check/);
});

test.run();
