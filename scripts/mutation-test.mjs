#!/usr/bin/env node
// The test command StrykerJS runs for every mutant (`npm run mutation`,
// stryker.config.mjs, docs/mutation.md). Stryker instruments all mutants of
// the mutated host files into one build (mutation switching) and activates
// one per run through the environment variable __STRYKER_ACTIVE_MUTANT__,
// which every process and worker thread of the run inherits. This script
// finds the file that holds the active mutant and runs only the tests that
// can execute that file's code, stopping at the first failure: exit 1 means
// the mutant is killed, exit 0 that it survived.
//
// Without an active mutant (Stryker's dry run, or by hand) it runs every
// test. MUTATION_TOPIC=host/sem.ts selects a file's tests by hand (to time
// them); MUTATION_TOPIC=all runs everything.
//
// --stryker (how Stryker calls it): in the dry run, a test file or case that
// fails twice on the unmutated host is written to mutation-excluded.json
// and left out of every mutant's run (it cannot be evidence of a kill; this
// only ever lowers the score), and the dry run passes unless more than
// MAX_EXCLUDED fail, which means the suite is broken rather than flaky.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

// --build: Stryker's build command, run once in its sandbox after it wrote
// the instrumented sources. It runs before Stryker links node_modules into
// the sandbox: tsc comes from the project's node_modules/.bin on PATH,
// @types/node from the project above the sandbox. The sandbox is made by
// mkdtemp, mode 0700: every process that runs as another user (conformance
// `proc ... uid`, `wasi-sysv fuzz --user`) starts as root and drops to the
// uid once loaded (issue 8, part 5), so it needs no way into the sandbox.
// After tsc, the bundles of `npm run build` (scripts/bundle.mjs; esbuild is
// found in the project above the sandbox, as @types/node is), so that the
// mutants run in the bundled worker and command, as shipped, and the
// startup test (which checks the bundles) passes on the unmutated host.
if (process.argv[2] === '--build') {
  const r = spawnSync('tsc', ['-p', '.'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
  const b = spawnSync(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: 'inherit' });
  process.exit(b.status ?? 1);
}

// Everything runs in a private IPC namespace, as npm test does: the uvu
// tests use fixed keys, and nothing may be left in the machine's ipcs.
if (!process.env.WASI_SYSV_TEST_NS) {
  const ns = process.getuid?.() === 0 ? ['--ipc'] : ['-r', '--ipc'];
  const r = spawnSync('unshare', [...ns, '--', process.execPath, self, ...process.argv.slice(2)], {
    cwd: root, stdio: 'inherit', env: { ...process.env, WASI_SYSV_TEST_NS: '1' },
  });
  if (r.error) console.error(`cannot run unshare (${r.error.message}): install util-linux`);
  process.exit(r.status ?? 1);
}

/** The host file that holds mutant `id` (instrumented sources carry stryMutAct_...("id")). */
function fileOfMutant(id) {
  const needle = new RegExp(`stryMutAct_\\w+\\("${id}"\\)`);
  for (const name of fs.readdirSync(path.join(root, 'host'))) {
    if (!name.endsWith('.ts')) continue;
    if (needle.test(fs.readFileSync(path.join(root, 'host', name), 'utf8'))) return `host/${name}`;
  }
  return undefined;
}

// ------------------------------------------------------------ the topics
// Which tests can execute a file's code (the reasons are in docs/mutation.md).
// uvu: fast in-process files first, the slow ones (guests as processes) last.
const FAST_UVU = ['bad-input', 'guest-memory', 'layout', 'trace', 'windows'];
const SLOW_UVU = ['fuzz', 'faults', 'wasi-bounds', 'processes', 'examples', 'cli'];

// Conformance cases, chosen by the steps of their canonical scripts
// ("12 shmctl 5 2 65536 -> $r"; `await` prefixes a step).
const steps = (c) => c.procs.flatMap((p) => p.script.split('\n').map((l) => {
  const t = l.trim().split(/\s+/);
  return t[1] === 'await' ? t.slice(2) : t.slice(1);
}));
const uses = (verbs) => (c) => steps(c).some((t) => verbs.includes(t[0]));
// Commands whose structures structs.ts translates (after & ~IPC_64):
// IPC_SET 1, IPC_STAT 2, IPC_INFO 3, SHM_STAT 13, SHM_INFO 14,
// SHM_STAT_ANY 15, SEM_STAT 18, SEM_INFO 19, SEM_STAT_ANY 20. A command
// that is not a literal number (a variable) counts as one of them.
const STRUCT_CMDS = new Set([1, 2, 3, 13, 14, 15, 18, 19, 20]);
const structCmd = (v) => v === undefined || !/^-?\d+$/.test(v) || STRUCT_CMDS.has(Number(v) & ~256);
const usesStructs = (c) => steps(c).some((t) =>
  t[0] === 'stat' || t[0] === 'semstat'
  || (t[0] === 'shmctl' && structCmd(t[2]))
  || (t[0] === 'semctl' && structCmd(t[3])));

const all = () => true;
const TOPICS = {
  'host/shm.ts': uses(['shmget', 'shmat', 'shmdt', 'shmctl', 'stat']),
  'host/sem.ts': uses(['semget', 'semop', 'semtimedop', 'semop_raw', 'semtimedop_raw', 'semctl', 'semstat']),
  'host/structs.ts': usesStructs,
  // grow() answers every memory.grow (the guest's own, routed by the module
  // rewrite), so any case can reach it.
  'host/windows.ts': all,
  'host/guest-memory.ts': all,
  'host/sysv.ts': all,
  'host/wasi.ts': all,
};
// Groups whose cases go first for a file's mutants (the rest keep the
// files' order): the same cases run, a mutant is only caught sooner.
const FIRST = {
  'host/shm.ts': ['shmctl', 'shmget', 'shmat'],
  'host/sem.ts': ['semop', 'semctl', 'semget'],
  'host/structs.ts': ['shmctl', 'semctl', 'guest-boundary'],
  'host/windows.ts': ['shmat', 'shmdt', 'nattch', 'guest-boundary'],
};

// Units that go first in a run with a coverage map, before the cost order:
// the coverage pass's times are not the real ones (recording coverage
// slows each unit by a different factor). In the wasi.ts runs of the fifth
// round, `uvu wasi-bounds` caught 112 of 213 mutants but its inflated
// coverage-pass time put it after the conformance cases: 54 s a kill on
// average, where the file itself runs in under a second.
const FIRST_UNITS = {
  'host/wasi.ts': ['uvu wasi-bounds', 'uvu faults'],
};

// ------------------------------------------------------------ running
const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
const stryker = process.argv.includes('--stryker');
const dryRun = stryker && mutant === undefined;
// The coverage pass (docs/mutation.md): Stryker's dry run, or --coverage by
// hand. Every unit runs once with no mutant active, and each records the
// mutant ids its processes and threads reach (scripts/mutation-coverage.cjs).
const coveragePass = dryRun || process.argv.includes('--coverage');
const coverageFile = path.join(root, 'mutation-coverage.json');
const coverage = !coveragePass && mutant !== undefined && fs.existsSync(coverageFile)
  ? JSON.parse(fs.readFileSync(coverageFile, 'utf8')) : undefined;

let topic = process.env.MUTATION_TOPIC ?? 'all';
if (mutant !== undefined) {
  const file = fileOfMutant(mutant);
  if (!file) {
    console.error(`mutation-test: mutant ${mutant} is in no host/*.ts file: running every test`);
  } else if (TOPICS[file]) {
    topic = file;
  }
}
if (topic !== 'all' && !TOPICS[topic]) {
  console.error(`mutation-test: MUTATION_TOPIC=${topic} is not one of: all, ${Object.keys(TOPICS).join(', ')}`);
  process.exit(2);
}
// With a coverage map the topic only orders the cases (FIRST).
const pick = topic === 'all' || coverage ? all : TOPICS[topic];
// With a coverage map, a mutant gets exactly the units that reach it: a
// unit that never executes the mutant's code cannot tell it from the
// original. The mutation-test process itself loads the conformance runner
// (and with it any host module it imports) before the cases: ids reached
// there count for every case.
const reaches = coverage
  ? (unit) => coverage.units[unit]?.mutants.includes(mutant) || (unit.startsWith('case ') && coverage.parent.includes(mutant))
  : () => true;
const logTopic = coverage ? 'coverage' : topic;

const MAX_EXCLUDED = 5;
const excludedFile = path.join(root, 'mutation-excluded.json');
const excluded = new Set(!dryRun && stryker && fs.existsSync(excludedFile) ? JSON.parse(fs.readFileSync(excludedFile, 'utf8')) : []);
const failedInDryRun = [];
const whyFailed = new Map(); // unit -> what its failure printed (dry run)
const t0 = performance.now();
const elapsed = () => ((performance.now() - t0) / 1000).toFixed(1);
// MUTATION_LOG=FILE: one JSON line per run, so an interrupted Stryker run
// still leaves each mutant's outcome (scripts/mutation.mjs sets it).
function record(result, by, extra = {}) {
  if (!process.env.MUTATION_LOG || mutant === undefined) return;
  const s = Number(elapsed());
  fs.appendFileSync(process.env.MUTATION_LOG, JSON.stringify({ mutant, topic: logTopic, result, by, s, ...extra }) + '\n');
}
const fail = (what, test, result = 'killed') => {
  if (dryRun && test !== undefined) {
    failedInDryRun.push(test);
    whyFailed.set(test, what);
    console.log(`mutation-test: dry run: ${what}: left out of the mutant runs`);
    if (MAX_EXCLUDED < failedInDryRun.length) {
      console.log(`mutation-test: dry run: more than ${MAX_EXCLUDED} tests fail on the unmutated host: fix the suite first`);
      process.exit(1);
    }
    return;
  }
  console.log(`mutation-test: ${logTopic}${mutant ? ` mutant ${mutant}` : ''}: ${result === 'timeout' ? 'timed out in' : 'caught by'} ${what} (${elapsed()} s)`);
  record(result, what, unitsRun !== undefined ? { units: unitsRun } : {});
  process.exit(1);
};

// ------------------------------------------------------------ time limits
// A unit may take its coverage-pass time * 3 + 30 s in a mutant's run; past
// that the mutant made it hang (an emptied retry loop spins forever inside
// an in-process uvu file, where no test timer can fire): the unit is killed
// and the mutant counted as a timeout (detected, like Stryker's own), not
// rerun. Without a coverage map a uvu file gets UNIT_LIMIT_S.
const UNIT_LIMIT_S = 600;
const limitOf = (unit) => {
  const s = coverage?.units[unit]?.s;
  return (s === undefined ? UNIT_LIMIT_S : 3 * s + 30) * 1000;
};
const TIMEOUT = Symbol('timeout');

// ------------------------------------------------------------ coverage pass
const covRoot = path.join(root, '.mutation-coverage');
const covDirs = new Map(); // unit -> dir
const unitTime = new Map(); // unit -> seconds of its (last passing) run
const preload = path.join(root, 'scripts/mutation-coverage.cjs');
function covEnv(unit) {
  if (!coveragePass) return {};
  // Recording coverage slows the host many times over: the tests' own time
  // limits (test/helpers.ts) grow with it, or a heavy test fails there
  // (wasi-dirs' poll of 1,000,000 subscriptions did, under load) and is
  // left out of every mutant's run.
  let dir = covDirs.get(unit);
  if (!dir) {
    dir = path.join(covRoot, String(covDirs.size));
    fs.mkdirSync(dir, { recursive: true });
    covDirs.set(unit, dir);
  }
  return {
    MUTATION_COVERAGE_DIR: dir,
    WASI_SYSV_TEST_TIME_SCALE: '4',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(preload)}`.trim(),
  };
}
/** The mutant ids a directory's files name; throws if a process lost some. */
function idsIn(dir) {
  const ids = new Set();
  for (const name of fs.readdirSync(dir)) {
    const text = fs.readFileSync(path.join(dir, name), 'utf8');
    if (name.startsWith('LOST-')) throw new Error(`a process could not record its coverage (${text}): no map written`);
    for (const id of text.split('\n')) if (id) ids.add(id);
  }
  return ids;
}
// This process's own coverage (the conformance runner it imports).
const parentHits = new Set();
if (coveragePass) {
  fs.rmSync(covRoot, { recursive: true, force: true });
  fs.rmSync(coverageFile, { force: true });
  const ns = globalThis.__stryker__ ??= {};
  ns.mutantCoverage = { static: new Proxy({}, { set(t, id, v) { parentHits.add(String(id)); t[id] = v; return true; } }), perTest: {} };
}

// ------------------------------------------------------------ units
let unitsRun;
function uvu(name) {
  return new Promise((resolve) => {
    const unit = `uvu ${name}`;
    const pattern = `^(${name})\\.test\\.js$`;
    // Its own process group, so that a hung file goes with all it started.
    const child = spawn(process.execPath, [path.join(root, 'node_modules/uvu/bin.js'), 'dist/test', pattern, '--bail'],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...covEnv(unit) } });
    let out = '';
    let timedOut = false;
    const timer = mutant !== undefined ? setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    }, limitOf(unit)) : undefined;
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, out, timedOut }); });
  });
}

async function uvuFile(name) {
  const t = performance.now();
  const r = await uvu(name);
  if (r.timedOut) return TIMEOUT;
  // uvu prints "Total: N ... Passed: N"; a run that never got there failed too.
  const total = Number(r.out.match(/Total:\s+(\d+)/)?.[1] ?? NaN);
  const passed = Number(r.out.match(/Passed:\s+(\d+)/)?.[1] ?? NaN);
  if (r.code === 0 && !Number.isNaN(total) && passed === total) {
    unitTime.set(`uvu ${name}`, (performance.now() - t) / 1000);
    return null;
  }
  const plain = r.out.replace(/\x1b\[[0-9;]*m/g, '');
  // The first failure and the lines that say why (kept short).
  const lines = plain.split('\n');
  const at = lines.findIndex((l) => /FAIL|Error/.test(l));
  const first = at < 0 ? '' : lines.slice(at, at + 4).map((l) => l.trim()).filter(Boolean).join(' | ').slice(0, 400);
  return `uvu ${name} (exit ${r.code ?? r.signal}) ${first}`;
}

// A failure counts only when it happens again: on this shared, loaded
// machine a few tests that wait on wall-clock intervals can fail once
// (docs/mutation.md); a mutant is killed by a failure that repeats. A
// timeout is not rerun (it already had three times its usual time).
async function twice(run) {
  const first = await run();
  if (first === null || first === TIMEOUT) return first;
  const again = await run();
  return again === null || again === TIMEOUT ? again : `${again} (failed twice)`;
}

const verdict = (bad, unit) => {
  if (bad === TIMEOUT) fail(`${unit} (over its limit of ${(limitOf(unit) / 1000).toFixed(0)} s)`, unit, 'timeout');
  else if (bad) fail(bad, unit);
};

async function uvuStage(names) {
  for (const name of names) {
    const unit = `uvu ${name}`;
    if (excluded.has(unit) || !reaches(unit)) continue;
    unitsRun++;
    verdict(await twice(() => uvuFile(name)), unit);
  }
}

// The uvu files no mutant run uses: harness (the test scripts themselves),
// package (npm pack and install), readme (the README's blocks), the
// benchmarks, matrix (other implementations of SysV), view (the live view)
// and labs-class, labs-readme, labs-shipped (whole classes and the shipped
// labs; labs and labs-hostile run the lab runner). Leaving a file out can
// only lower a score.
const LATER_UVU = ['api', 'cguests', 'grow', 'labs', 'labs-hostile', 'lift', 'lift-faults', 'page0', 'perturb', 'perturb-memory', 'proc', 'startup', 'wasi-dirs', 'wasm-rewrite'];
// Stryker's dry run makes the coverage map, so every unit then runs once.
unitsRun = 0;

// A mutant's run with a coverage map: the units that reach it, cheapest
// first by their coverage-pass time, uvu files and cases mixed (issue 8,
// fourth round). A kill then costs about the cheapest unit that can see it:
// sysv.ts #10 (--perturb ignored) was caught by `uvu perturb` only after
// 206 units and 682 s in the fixed order below, where perturb came last.
// As in that order, a uvu file never runs beside anything else (the files
// share this process's IPC namespace and some are timing-sensitive); cases,
// each in its own namespace, run two at a time.
const ordered = coverage !== undefined && !coveragePass;

if (!ordered) await uvuStage(FAST_UVU);

// Conformance: each chosen case on its own (two at a time, one at a time in
// the coverage pass, where each case's processes get their own
// MUTATION_COVERAGE_DIR through the environment), so that the first
// disagreement ends the run.
const { runSuite, loadCases } = await import(pathToFileURL(path.join(root, 'dist/conformance/cli.js')).href);
const first = FIRST[topic] ?? [];
const rank = (c) => (first.includes(c.group) ? first.indexOf(c.group) : first.length);
const cases = loadCases(root).filter((c) => (c.error || pick(c)) && !excluded.has(`case ${c.name}`) && reaches(`case ${c.name}`))
  .map((c, i) => ({ c, i })).sort((a, b) => rank(a.c) - rank(b.c) || a.i - b.i).map(({ c }) => c);
const runCase = async (c) => {
  const unit = `case ${c.name}`;
  const t = performance.now();
  if (coveragePass) Object.assign(process.env, covEnv(unit));
  let timer;
  const limit = mutant !== undefined
    ? new Promise((resolve) => { timer = setTimeout(() => resolve(TIMEOUT), limitOf(unit)); }) : new Promise(() => {});
  const r = await Promise.race([runSuite({ root, filter: c.name, concurrency: 1 }), limit]);
  clearTimeout(timer);
  if (r === TIMEOUT) return TIMEOUT;
  const bad = r.cases.find((x) => !x.agree);
  if (bad) return `conformance "${bad.name}": ${bad.why ?? 'disagrees'}`;
  unitTime.set(unit, (performance.now() - t) / 1000);
  return null;
};
let next = 0;
const worker = async () => {
  while (next < cases.length) {
    const c = cases[next++];
    unitsRun++;
    verdict(await twice(() => runCase(c)), `case ${c.name}`);
  }
};
if (ordered) await runOrdered();
else await Promise.all(coveragePass ? [worker()] : [worker(), worker()]);
if (coveragePass) {
  delete process.env.MUTATION_COVERAGE_DIR;
  process.env.NODE_OPTIONS = process.env.NODE_OPTIONS?.replace(` --require ${JSON.stringify(preload)}`, '').replace(`--require ${JSON.stringify(preload)}`, '');
}

if (!ordered) {
  await uvuStage(SLOW_UVU);
  await uvuStage(coverage || coveragePass ? LATER_UVU : []);
}

/** The ordered run: a queue by cost, two workers; a uvu file waits until it can run alone. */
async function runOrdered() {
  const cost = (unit) => coverage.units[unit]?.s ?? Infinity;
  const uvuUnits = [...FAST_UVU, ...SLOW_UVU, ...LATER_UVU]
    .filter((name) => !excluded.has(`uvu ${name}`) && reaches(`uvu ${name}`))
    .map((name) => ({ unit: `uvu ${name}`, run: () => uvuFile(name), alone: true }));
  const caseUnits = cases.map((c) => ({ unit: `case ${c.name}`, run: () => runCase(c), alone: false }));
  const early = FIRST_UNITS[topic] ?? [];
  const rankOf = (unit) => (early.includes(unit) ? early.indexOf(unit) : early.length);
  const queue = [...uvuUnits, ...caseUnits].map((u, i) => ({ ...u, i }))
    .sort((a, b) => rankOf(a.unit) - rankOf(b.unit) || cost(a.unit) - cost(b.unit) || a.i - b.i);
  let busy = 0; // units running now
  let waiters = []; // resolvers of workers waiting for the others to finish
  const idle = () => new Promise((resolve) => { if (busy === 0) resolve(); else waiters.push(resolve); });
  const done = () => { if (--busy === 0) { const w = waiters; waiters = []; for (const r of w) r(); } };
  let aloneRunning = null; // a promise while a uvu file runs
  const take = async () => {
    while (queue.length > 0) {
      while (aloneRunning) await aloneRunning;
      const u = queue.shift();
      if (u === undefined) return;
      if (u.alone) {
        let release;
        aloneRunning = new Promise((resolve) => { release = resolve; });
        await idle();
        busy++;
        unitsRun++;
        try { verdict(await twice(u.run), u.unit); } finally { done(); aloneRunning = null; release(); }
      } else {
        busy++;
        unitsRun++;
        try { verdict(await twice(u.run), u.unit); } finally { done(); }
      }
    }
  };
  await Promise.all([take(), take()]);
}
if (dryRun) {
  fs.writeFileSync(excludedFile, JSON.stringify(failedInDryRun));
  if (process.env.MUTATION_LOG) {
    for (const t of failedInDryRun) fs.appendFileSync(process.env.MUTATION_LOG, JSON.stringify({ excluded: t, why: whyFailed.get(t) }) + '\n');
  }
}
if (coveragePass) {
  const units = {};
  for (const [unit, dir] of covDirs) {
    if (failedInDryRun.includes(unit)) continue;
    units[unit] = { s: Number((unitTime.get(unit) ?? 0).toFixed(1)), mutants: [...idsIn(dir)].sort((a, b) => a - b) };
  }
  const map = { units, parent: [...parentHits].sort((a, b) => a - b) };
  fs.writeFileSync(coverageFile, JSON.stringify(map));
  fs.rmSync(covRoot, { recursive: true, force: true });
  const reached = new Set([...map.parent, ...Object.values(units).flatMap((u) => u.mutants)]);
  console.log(`mutation-test: coverage pass: ${Object.keys(units).length} units reach ${reached.size} mutants (${elapsed()} s); map in ${path.relative(root, coverageFile)}`);
}
if (coverage && unitsRun === 0) {
  // No unit reaches this mutant: no test can kill it. Stryker hears
  // "survived"; the log says why.
  record('no coverage', null, { units: 0 });
  console.log(`mutation-test: mutant ${mutant}: no coverage (no test unit reaches it)`);
  process.exit(0);
}
record('survived', null, unitsRun !== undefined ? { units: unitsRun } : {});
console.log(`mutation-test: ${logTopic}${mutant ? ` mutant ${mutant}` : ''}: survived ${unitsRun} units${excluded.size ? ` (${excluded.size} left out: failed in the dry run)` : ''} (${elapsed()} s)`);
