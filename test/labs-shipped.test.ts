// The shipped labs (labs/*/lab.json and broken.json) run for real: their own
// namespaces, real guests, the real kernel. Each correct solution passes,
// each broken one gets the verdict its lab is about.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, test } from './helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'labs-shipped-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Runs `wasi-sysv lab labs/FILE --json R ...extra`; returns the exit status, output and report. */
function runLab(file: string, extra: string[] = []) {
  const json = path.join(tmp, `report${++n}.json`);
  const r = spawnSync(process.execPath, [CLI, 'lab', path.join(ROOT, 'labs', file), '--json', json, ...extra],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const report = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : undefined;
  return { r, report, out: `${r.stdout}${r.stderr}` };
}

test('philosophers: the ordered pickup passes, every philosopher ate 100 times and no neighbours ate together', () => {
  const { r, report, out } = runLab('philosophers/lab.json');
  assert.is(r.status, 0, out);
  assert.is(report.verdict, 'pass');
  assert.is(report.processes.filter((p: any) => p.name === 'phil' && p.verdict === 'ok').length, 5);
  assert.match(report.checks[2].why, /^meals 100 100 100 100 100 \(expected 100 each\), neighbours eating together: 0$/);
  assert.is(report.deadlock, null);
});

test('philosophers: the naive left-then-right deadlocks, with the circle of five waits', () => {
  const { r, report, out } = runLab('philosophers/broken.json');
  assert.is(r.status, 1, out);
  assert.is(report.verdict, 'deadlock', out);
  const phils = report.processes.filter((p: any) => p.name === 'phil');
  assert.equal(phils.map((p: any) => p.verdict), Array(5).fill('deadlock'));
  const d = report.deadlock;
  // Each philosopher i holds fork i and waits for fork (i + 1) % 5.
  assert.equal(d.processes.map((p: any) => [p.index, p.key, p.ops]).sort((a: any, b: any) => a[0] - b[0]),
    [0, 1, 2, 3, 4].map((i) => [i, 0x9100, [{ num: (i + 1) % 5, op: -1, flg: 0 }]]));
  const forks = d.sets[0].sems.slice(0, 5);
  assert.equal(forks.map((s: any) => [s.value, s.ncnt]), Array(5).fill([0, 1]));
  // The circle: whoever waits for fork k waits on philosopher k, who took it last.
  assert.is(d.cycle.length, 5);
  for (let k = 0; k < 5; k++) {
    const c = d.cycle[k], next = d.cycle[(k + 1) % 5];
    assert.is(c.num, (c.index + 1) % 5);
    assert.is(next.index, c.num);
    assert.is(forks[c.num].pid, next.pid);
  }
  assert.match(r.stdout, /circle of waits: (phil\[\d\] -\(sem \d\)-> ){5}phil\[\d\]/);
  assert.match(r.stdout, /lab philosophers-broken: DEADLOCK/);
});

test('doublebuf: the two-semaphore double buffer passes: the consumer got every block, whole and in order', () => {
  const { r, report, out } = runLab('doublebuf/lab.json');
  assert.is(r.status, 0, out);
  assert.is(report.verdict, 'pass');
  assert.match(report.checks[2].why, /^the consumer received all 200 blocks, in order, as produced \(checksum [0-9a-f]+\)$/);
  assert.match(report.processes.find((p: any) => p.name === 'consumer').stdout, /consumed 200 blocks, each whole and in order/);
});

test('doublebuf: a producer without S1 overwrites blocks before they are read, and the checker says so', () => {
  const { r, report, out } = runLab('doublebuf/broken.json');
  assert.is(r.status, 1, out);
  assert.is(report.verdict, 'fail');
  assert.equal(report.checks.map((c: any) => c.pass), [true, true, false]);
  const m = /^exit 1: (\d+) block\(s\) were overwritten before or while the consumer read them \(first: block (\d+), its buffer held block (\d+)/.exec(report.checks[2].why);
  assert.ok(m, report.checks[2].why);
  assert.ok(Number(m![1]) > 0 && Number(m![3]) !== Number(m![2]));
  // The producer never waited: S1 counts every drained buffer, none taken back.
  assert.is(report.ipc.sem[0].sems[0].value, 200);
});

test('bounded: three producers and two consumers with empty/full/mutex: every item taken exactly once', () => {
  const { r, report, out } = runLab('bounded/lab.json');
  assert.is(r.status, 0, out);
  assert.is(report.verdict, 'pass');
  assert.is(report.checks[3].why, 'all 600 items taken exactly once');
  assert.equal(report.ipc.sem[0].sems.map((s: any) => s.value), [1, 4, 0]);
});

test('bounded: without the mutex, items get lost and taken twice: fails within 3 perturbed runs, which name their seeds', () => {
  const { r, report, out } = runLab('bounded/broken.json', ['--runs', '3', '--seed', '700']);
  assert.is(r.status, 1, out);
  assert.ok(report.summary.failed >= 1, JSON.stringify(report.summary));
  const failed = report.runs.filter((x: any) => x.verdict === 'fail');
  for (const f of failed) assert.equal(f.failedChecks, ['command check.wasm'], JSON.stringify(f));
  assert.equal(report.summary.failingSeeds, failed.map((x: any) => x.seed));
});

test('race hunting inside guest code: the light race (200 increments, no mutex) fails within 3 perturbed runs', () => {
  const { r, report, out } = runLab('counter/light-race.json', ['--runs', '3', '--seed', '900']);
  assert.is(r.status, 1, out);
  assert.ok(report.summary.failed >= 1, JSON.stringify(report.summary));
  for (const f of report.runs.filter((x: any) => x.verdict === 'fail')) assert.equal(f.failedChecks, ['command check.wasm 600']);
});

test('race hunting: the correct double buffer and bounded buffer pass perturbed runs (no false failures)', () => {
  for (const file of ['doublebuf/lab.json', 'bounded/lab.json']) {
    const { r, report, out } = runLab(file, ['--runs', '2', '--seed', '31']);
    assert.is(r.status, 0, out);
    assert.is(report.summary.failed, 0, file);
  }
});

test.run();
