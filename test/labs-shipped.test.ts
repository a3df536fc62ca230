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

test.run();
