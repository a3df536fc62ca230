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

/** A result for workload `w` from plain samples per variant (none: every repeat failed). */
function resultOf(name: string, per: Record<string, number[]>, cpu: Record<string, number[]> = {}, parts: Record<string, number[]> = {}, reps = 3) {
  const w = workloads(true).find((x) => x.name === name)!;
  const samples = new Map<string, number[]>();
  const fails = new Map<string, string[]>();
  for (const v of w.variants) {
    const xs = per[v] ?? [];
    samples.set(v, xs);
    fails.set(v, Array.from({ length: reps - xs.length }, () => `${v}: broken on purpose`));
  }
  return buildResult(w, reps, samples, new Map(Object.entries(cpu)), fails, new Set(), { parts: new Map(Object.entries(parts)) });
}

test('startup and rss are against node -e 0: the baseline is named in the table and the JSON', () => {
  const r = resultOf('startup', { 'node -e 0': [90e6, 100e6, 110e6].map((x) => x * 1e-6), wasm: [300, 320, 340] });
  assert.is(r.baseline, 'node -e 0');
  assert.is(r.native, 100);
  assert.is(r.ratio, 3.2);
  const row = report([r]).split('\n').find((l) => l.startsWith('startup '))!;
  assert.match(row, /node -e 0: 100/);
  assert.match(report([r]), /startup ratio 3\.20 <= 2: MISSED/);
});

test('the call floor: semop-uncontended is reported over it as well as over native', () => {
  const r = resultOf('semop-uncontended', { native: [1000, 1000, 1000], wasm: [1500, 1500, 1500], 'call-floor': [1400, 1400, 1400] },
    { native: [900, 900, 900], wasm: [1300, 1300, 1300], 'call-floor': [1250, 1250, 1250] });
  assert.is(r.floor!.floor, 1400);
  assert.ok(Math.abs(r.floor!.wasmOverFloor - 1500 / 1400) < 1e-12);
  const text = report([r]);
  assert.match(text, /call floor .*1400 ns\/pair, 1\.40x native; the host over the floor: 1\.07x wall, 1\.04x process CPU time/);
  assert.match(text, /host overhead over the call floor 7\.1% <= 5%: MISSED/);
  assert.match(text, /call-floor 1250/, 'the CPU table shows the floor');
});

test('shmat-shmdt: the breakdown of the host system calls is in the report and the JSON', () => {
  const r = resultOf('shmat-shmdt', { native: [7000, 7000, 7000], wasm: [14000, 14000, 14000], 'host-syscalls': [11000, 11000, 11000] }, {},
    { 'IPC_STAT': [1000, 1100, 1200], 'shmat(SHM_REMAP)': [6000, 6000, 6000], 'mmap restore': [4000, 4000, 4000] });
  assert.equal(r.breakdown, { 'IPC_STAT': 1100, 'shmat(SHM_REMAP)': 6000, 'mmap restore': 4000 });
  assert.match(report([r]), /the host's system calls, in C: 11000 = IPC_STAT 1100 \+ shmat\(SHM_REMAP\) 6000 \+ mmap restore 4000.*wasm 14000, of which 3000 above/);
});

test('a contention variant that failed shows FAILED in the contention table, with its reason', () => {
  // Deliberate break (docs/mutation.md): rate() prints the NaN rate as "-" -> fails.
  const r = resultOf('contention-4', { native: [2000, 2100, 2200] });
  const text = report([r]);
  const row = text.split('\n').find((l) => l.startsWith('contention-4 ') && l.includes('sections/s') === false && l.includes('native |'))!;
  assert.match(row, /FAILED/);
  assert.match(row, /see failures/);
  assert.match(text, /contention-4 wasm: 3 of 3 repeats failed: wasm: broken on purpose/);
  assert.ok(Math.abs(r.rate!['native']! - 1e9 / 2100) < 1e-6);
});

test('touch-16MiB and up: the >= 10x target against the copying peers, a failed peer counts as missed', () => {
  const r = resultOf('touch-16MiB', { native: [900, 900, 900], wasm: [1000, 1000, 1000], 'copy-shim': [20000, 20000, 20000], 'SAB+Atomics': [800, 800, 800], child_process: [9e5, 9e5, 9e5] });
  const text = report([r]);
  assert.match(text, /touch-16MiB wasm 20\.0x faster than copy-shim \(>= 10x\): met/);
  assert.match(text, /touch-16MiB wasm - faster than postMessage \(>= 10x\): MISSED/);
  assert.match(text, /touch-16MiB ratio 1\.11 <= 1\.1: MISSED/);
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
