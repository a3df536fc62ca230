// Race hunting's schedule perturbation (host/perturb.ts, `run --perturb`):
// the draws are a pure function of the seed (so a seed replays), each lab
// instance gets its own seed, the host really pauses where the draws say,
// and a correct program's results do not change.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import { CLI, ROOT, cli, guest, test } from './helpers.js';
import { memoryPauses, pauses, prng } from '../host/perturb.js';
import { deriveSeed } from '../labs/seeds.js';
import { run } from '../host/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perturb-test-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const take = <T>(next: () => T, n: number) => Array.from({ length: n }, next);

test('the PRNG and the pauses are a function of the seed alone', () => {
  assert.equal(take(prng(42), 50), take(prng(42), 50));
  assert.not.equal(take(prng(42), 50), take(prng(43), 50));
  const p = take(pauses(9), 2000);
  assert.equal(p, take(pauses(9), 2000));
  // All three kinds occur, and sleeps stay within (0, 2] ms.
  assert.ok(p.includes('none') && p.includes('yield'));
  const sleeps = p.filter((x): x is number => typeof x === 'number');
  assert.ok(sleeps.length > 300 && sleeps.every((ms) => ms > 0 && ms <= 2), 'sleeps between 0 and 2 ms');
});

test('each lab instance gets a distinct seed from the run seed, its name and index', () => {
  assert.is(deriveSeed(5, 'worker', 1), deriveSeed(5, 'worker', 1));
  const seeds = new Set([deriveSeed(5, 'worker', 0), deriveSeed(5, 'worker', 1), deriveSeed(5, 'init', 0), deriveSeed(6, 'worker', 0)]);
  assert.is(seeds.size, 4);
  for (const s of seeds) assert.ok(Number.isInteger(s) && s >= 0 && s <= 0xffffffff);
});

/** Runs the smoke guest under strace, in its own IPC namespace; returns its stdout, trace lines and sched_yield count. */
function straced(extra: string[]) {
  const out = path.join(tmp, 'strace.txt');
  const r = spawnSync('unshare', ['--ipc', 'strace', '-f', '-qq', '-e', 'trace=sched_yield,shmget', '-o', out,
    process.execPath, CLI, 'run', '--trace', ...extra, guest('smoke')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  // Only the guest's thread counts (the one that made the shmget): V8's own
  // threads may yield now and then.
  const sys = fs.readFileSync(out, 'utf8').split('\n');
  const tid = sys.find((l) => / shmget\(/.test(l))?.split(' ')[0];
  assert.ok(tid, 'the guest\'s shmget seen by strace');
  return {
    stdout: r.stdout,
    calls: r.stderr.split('\n').filter((l) => /^(shm|sem)\w+\(/.test(l)),
    yields: sys.filter((l) => l.startsWith(`${tid} `) && /sched_yield\(/.test(l)).length,
  };
}

test('--perturb SEED pauses exactly where the seed says: sched_yield as drawn, the same on replay', () => {
  const plain = straced([]);
  assert.is(plain.yields, 0, 'no perturbation without --perturb');
  for (const seed of [7, 8]) {
    const run = straced(['--perturb', String(seed)]);
    // Two draws per sysv call (before, after): the yields among them; and
    // those after the guest's two loads from a window (test/perturb-memory.test.ts
    // counts these on a guest that makes thousands).
    const draw = memoryPauses(seed);
    let windowLoads = 2, memYields = 0;
    for (let d = draw(); d.gap <= windowLoads; d = draw()) { windowLoads -= d.gap; if (d.pause === 'yield') memYields++; }
    const expected = take(pauses(seed), 2 * run.calls.length).filter((p) => p === 'yield').length + memYields;
    assert.ok(expected > 0);
    assert.is(run.yields, expected, `seed ${seed}: ${run.calls.length} calls`);
  }
});

test('--perturb leaves a correct program\'s results unchanged', () => {
  // Each in a fresh IPC namespace, so that the segment gets the same id.
  const run = (extra: string[]) => spawnSync('unshare', ['--ipc', process.execPath, CLI, 'run', '--trace', ...extra, guest('smoke')],
    { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  const mask = (r: { stdout: string; stderr: string }) => [r.stdout, r.stderr];
  const plain = run([]);
  const perturbed = run(['--perturb', '123456']);
  assert.is(plain.status, 0, plain.stderr);
  assert.is(perturbed.status, 0, perturbed.stderr);
  assert.ok(plain.stderr.split('\n').filter((l) => l.startsWith('shm')).length >= 5, plain.stderr);
  assert.equal(mask(perturbed), mask(plain));
});

test('--perturb needs a seed from 0 to 4294967295', () => {
  for (const bad of ['-1', 'x', '4294967296']) {
    const r = cli(['run', '--perturb', bad, guest('smoke')]);
    assert.is(r.status, 2);
    assert.match(r.stderr, /--perturb needs a seed/);
  }
});

test('RunOptions.perturbSeed must be an integer from 0 to 4294967295 (TypeError)', async () => {
  for (const bad of [-1, 1.5, 2 ** 32, NaN]) {
    try {
      await run(guest('smoke'), { perturbSeed: bad, stdout: 'ignore', stderr: 'ignore' });
      assert.unreachable(`perturbSeed ${bad} accepted`);
    } catch (e: any) {
      assert.instance(e, TypeError);
      assert.match(e.message, /perturbSeed must be an integer/);
    }
  }
});

test.run();
