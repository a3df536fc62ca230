// Hostile guests (issue 10): each hits one limit of its lab and gets its
// verdict, while the counter lab running next to it in the same lab is
// unharmed; and a guest that IPC_RMIDs every id it can guess cannot touch
// another lab running at the same time on the same keys. Real processes,
// real namespaces, the real kernel. The guests are labs/hostile/guest/*.ts.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { CLI, guest, start, test } from './helpers.js';
import { COUNTER, HOSTILE, bystander, bystanderOk, labDir, proc, runLab } from './lab-run.js';

const dir = labDir('labs-hostile-');
test.after(() => dir.remove());

test('spawn in a loop, by every process of the tree: together they never exceed limits.processes; spawn gives EAGAIN', () => {
  // Break: in labs/lab.ts openSpawnTokens, put `limit - instances + 3` tokens in -> a tree of 10.
  const b = bystander();
  // Instances: tree 1 + init 1 + workers 2 = 4 of 10, so the tree may add 6 processes: 7 in all.
  const file = dir.file({
    name: 'spawn-loop', limits: { processes: 10, wallSeconds: 60 },
    processes: [{ name: 'tree', wasm: path.join(HOSTILE, 'spawn-tree.wasm') }, ...b.processes],
    checks: [...b.checks, { process: 'tree', stdout: 'tree of 7 processes, spawn then failed with errno 11' }],
  });
  const { r, report } = runLab(file);
  assert.ok(report, r.stderr);
  assert.is(proc(report, 'tree').verdict, 'ok', JSON.stringify(proc(report, 'tree')));
  bystanderOk(report, assert);
  assert.is(report.verdict, 'pass');
  assert.is(r.status, 0);
  // The tree's own count of its processes is in the kernel: sem 0 of 0x5b0b.
  assert.is(report.ipc.sem.find((s: any) => s.key === 0x5b0b).sems[0].value, 7);
});

test('memory.grow to the maximum: verdict memory at limits.memoryPages, with peakPages; the rest of the lab unharmed', () => {
  // Break: drop the `refused` branch in labs/lab.ts startInstance -> the verdict is trap.
  const b = bystander();
  const file = dir.file({
    name: 'grow', limits: { memoryPages: 1024, wallSeconds: 60 },
    processes: [{ name: 'grow', wasm: path.join(HOSTILE, 'grow-max.wasm') }, ...b.processes],
    checks: b.checks,
  });
  const { r, report } = runLab(file);
  assert.ok(report, r.stderr);
  const g = proc(report, 'grow');
  assert.is(g.verdict, 'memory', JSON.stringify(g));
  assert.match(g.why, /^memory\.grow refused at memoryPages = 1024, then trapped: unreachable/);
  assert.ok(g.memoryRefused >= 1);
  // It held more than 900 of its 1024 pages (64 MiB), and never more.
  assert.ok(g.peakPages > 900 && g.peakPages <= 1024, String(g.peakPages));
  assert.match(g.stdout, /holding 48 MiB\n/);
  bystanderOk(report, assert);
  for (const w of report.processes.filter((p: any) => p.name !== 'grow')) assert.ok(w.peakPages >= 1 && w.peakPages < 1024, JSON.stringify(w));
  assert.is(report.verdict, 'pass');
  assert.match(r.stdout, /grow\[0\].*memory\s+134 .*memory\.grow refused/);
  assert.match(r.stdout, /pages/);
});

test('a print flood, a busy loop, shmget in a loop and a semop that waits forever, in one lab: each its verdict, the counter unharmed', () => {
  const b = bystander();
  const mis = guest('lab-misbehave');
  const file = dir.file({
    name: 'hostile', limits: { wallSeconds: 60, cpuSeconds: 2, outputBytes: 4096, shmmni: 8 },
    processes: [
      { name: 'flood', wasm: mis, args: ['flood'] },
      { name: 'spin', wasm: mis, args: ['spin'] },
      { name: 'shm', wasm: mis, args: ['shmloop'] },
      { name: 'hold', wasm: mis, args: ['hold'] },
      ...b.processes,
    ],
    // The counter's setup made 1 of the 8 segments first (it runs before).
    checks: [...b.checks, { process: 'shm', stdout: 'made 7 segments, then errno 28' }],
  });
  const { r, report } = runLab(file);
  assert.ok(report, r.stderr);
  assert.is(proc(report, 'flood').verdict, 'output');
  assert.is(proc(report, 'spin').verdict, 'timeout');
  assert.match(proc(report, 'spin').why, /CPU/);
  assert.is(proc(report, 'shm').verdict, 'ok');
  // Once everything else ended, the holder waited alone: a deadlock, with its picture.
  assert.is(proc(report, 'hold').verdict, 'deadlock');
  assert.is(report.deadlock.processes.length, 1);
  assert.is(report.deadlock.processes[0].key, 0x7a11);
  bystanderOk(report, assert);
  assert.is(report.verdict, 'deadlock');
  assert.is(r.status, 1);
});

test('IPC_RMID of every id it can guess, while another lab runs on the same keys: the other lab is unharmed', async () => {
  // Break: drop --ipc from labs/cli.ts reexec (both labs in this namespace) -> the counter lab fails.
  const file = dir.file({
    name: 'rmid', limits: { wallSeconds: 120 }, dirs: [{ host: 'sync', guest: '/sync' }],
    processes: [{ name: 'rmid', wasm: path.join(HOSTILE, 'rmid-all.wasm') }],
    checks: [{ process: 'rmid', exit: 0 }],
  }, ['sync']);
  const sync = path.join(path.dirname(file), 'sync');
  const json = path.join(path.dirname(file), 'report.json');
  const hostile = start(process.execPath, [CLI, 'lab', file, '--json', json]);
  // It has created its own 0x1ab0 objects and sweeps from now on, until "stop" appears.
  const t0 = Date.now();
  while (!fs.existsSync(path.join(sync, 'sweeping'))) {
    if (Date.now() - t0 > 60_000) throw new Error(`the sweeper never started: ${hostile.err()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const counterJson = path.join(path.dirname(file), 'counter.json');
  const counter = start(process.execPath, [CLI, 'lab', path.join(COUNTER, 'lab.json'), '--json', counterJson]);
  const c = await counter.done;
  fs.writeFileSync(path.join(sync, 'stop'), '');
  const h = await hostile.done;
  assert.is(c.code, 0, counter.out() + counter.err());
  const cr = JSON.parse(fs.readFileSync(counterJson, 'utf8'));
  assert.is(cr.verdict, 'pass');
  assert.is(h.code, 0, hostile.out() + hostile.err());
  const hr = JSON.parse(fs.readFileSync(json, 'utf8'));
  // It removed exactly its own two objects, sweep after sweep.
  assert.match(proc(hr, 'rmid').stdout, /^swept [1-9]\d* times, removed 2\n$/);
});

test.run();
