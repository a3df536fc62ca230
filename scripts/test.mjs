// npm test: builds, then runs the tests inside a private IPC namespace
// (unshare --ipc as root, unshare -r --ipc otherwise), so keys and ids are
// predictable and nothing is left in the machine's ipcs. Ends with one line:
// "N passed, N failed" (", N skipped" when some were skipped).
//
//   node scripts/test.mjs [FILTER...]
//     no FILTER       every uvu test file and the whole conformance suite
//     NAME            the uvu test files whose name (NAME.test.ts) contains NAME
//     conformance     the conformance suite (and, with runsc installed, the
//                     gvisor column compared with docs/implementations.json)
//     conformance:T   the conformance cases whose name, group or file contains T
//     fuzz            the short differential fuzzing run (fuzz/) and test/fuzz.test.ts
//   A FILTER that selects nothing fails the run, and so does a run that
//   executed no test at all.
//   --dir DIR        (for the harness's own tests) take the test files from DIR
//                    instead of dist/test; no coverage; conformance only when
//                    asked. WASI_SYSV_TEST_CONFORMANCE_CLI=FILE replaces
//                    bin/wasi-sysv.js for the conformance run.
//
// The counts are read in machine form: uvu's through scripts/uvu-run.mjs (its
// JSON report), the conformance suite's from the JSON its CLI writes, into a
// fresh temporary directory each run (no stale file can be read).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = fileURLToPath(import.meta.url);

if (!process.env.WASI_SYSV_TEST_NS) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) {
    console.log('build failed: 0 passed, 1 failed');
    process.exit(1);
  }
  const ns = process.getuid?.() === 0 ? ['--ipc'] : ['-r', '--ipc'];
  const r = spawnSync('unshare', [...ns, '--', process.execPath, self, ...process.argv.slice(2)], {
    cwd: root, stdio: 'inherit', env: { ...process.env, WASI_SYSV_TEST_NS: '1' },
  });
  if (r.error) console.error(`cannot run unshare (${r.error.message}): install util-linux`);
  process.exit(r.status ?? 1);
}

const argv = process.argv.slice(2);
let dir;
const filters = [];
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--dir') dir = path.resolve(argv[++i] ?? '.');
  else filters.push(argv[i]);
}

const totals = { passed: 0, failed: 0, skipped: 0 };
const problem = (line) => { console.log(line); totals.failed += 1; };

// What to run.
const testDir = dir ?? path.join(root, 'dist/test');
const isTest = (n) => /\.test\.m?js$/.test(n);
const base = (n) => n.replace(/\.test\.m?js$/, '');
const all = fs.existsSync(testDir) ? fs.readdirSync(testDir).filter(isTest).sort() : [];
const files = new Set();
let conformance; // undefined: not run; '': every case; text: the cases matching it
let fuzz = false; // the short differential fuzzing run
if (filters.length === 0) {
  all.forEach((n) => files.add(n));
  if (!dir) { conformance = ''; fuzz = true; }
} else {
  for (const f of filters) {
    if (f === 'fuzz') { fuzz = true; all.filter((n) => base(n).includes(f)).forEach((n) => files.add(n)); }
    else if (f === 'conformance') conformance = '';
    else if (f.startsWith('conformance:') && f.length > 'conformance:'.length) conformance ??= f.slice('conformance:'.length);
    else {
      const hit = all.filter((n) => base(n).includes(f));
      if (hit.length === 0) problem(`no test file matches "${f}" (files: ${all.map(base).join(', ')}; or conformance, conformance:TEXT, fuzz)`);
      hit.forEach((n) => files.add(n));
    }
  }
}

/** Runs a command with stdout and stderr shown as they come; resolves its exit status. */
function run(cmd, args, env = testEnv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env });
    child.on('error', (e) => { console.log(`cannot run ${cmd}: ${e.message}`); resolve(-1); });
    child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : -1)));
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-test-'));
// Everything the tests make under os.tmpdir() lands in here (TMPDIR), so
// nothing of a run is left in /tmp, whatever a test forgets to remove.
// Readable by all, as /tmp is: some processes run as another user.
fs.chmodSync(tmp, 0o755);
const scratch = path.join(tmp, 'tmp');
fs.mkdirSync(scratch, { mode: 0o1777 });
fs.chmodSync(scratch, 0o1777);
const testEnv = { ...process.env, TMPDIR: scratch };
try {
  // Unit and integration tests: uvu, one process per file, under c8.
  if (files.size > 0) {
    const out = path.join(tmp, 'uvu.json');
    const runner = [path.join(root, 'scripts/uvu-run.mjs'), '--results', out, ...[...files].map((n) => path.join(testDir, n))];
    const code = dir
      ? await run(process.execPath, runner)
      : await run(path.join(root, 'node_modules/.bin/c8'), [process.execPath, ...runner]);
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    } catch {
      problem(`the uvu runner ended (status ${code}) without reporting results`);
    }
    if (doc) {
      for (const f of doc.files) {
        totals.passed += f.passed;
        totals.failed += f.failed;
        totals.skipped += f.skipped;
      }
      const bad = doc.files.filter((f) => f.failed > 0).map((f) => `${path.basename(f.file)} (${f.failed})`);
      if (bad.length) console.log(`failed in: ${bad.join(', ')}`);
    }
  }

  // The differential conformance suite: each case natively and as a guest.
  // A case that agrees counts as passed; one skipped (needs root to run as
  // another user) as skipped; the rest as failed.
  //
  // With gVisor's runsc installed, the same run also judges gVisor and
  // compares its column with the recorded one (docs/implementations.json):
  // a case whose gVisor cell changed, on either side, fails with one line
  // naming it; every other compared case counts as passed.
  // WASI_SYSV_REQUIRE_GVISOR=1 (CI) makes a missing runsc a failure.
  if (conformance !== undefined) {
    const json = path.join(tmp, 'conformance.json');
    const cli = process.env.WASI_SYSV_TEST_CONFORMANCE_CLI ?? path.join(root, 'bin/wasi-sysv.js');
    const record = path.join(root, 'docs/implementations.json');
    const gvisor = spawnSync('runsc', ['--version'], { stdio: 'ignore' }).status === 0;
    if (!gvisor && process.env.WASI_SYSV_REQUIRE_GVISOR === '1') problem('gVisor\'s runsc is not installed: the gvisor column cannot be compared (apt-get install runsc)');
    else if (!gvisor) console.log('conformance: runsc not installed, the gvisor column is not compared with docs/implementations.json');
    const judge = gvisor ? ['--targets', 'native,wasm,wasm-c,gvisor', '--expect', record] : [];
    const code = await run(process.execPath, [cli, 'conformance', '--json', json, ...judge, ...(conformance ? ['--filter', conformance] : [])]);
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(json, 'utf8'));
    } catch (e) {
      problem(`the conformance suite (status ${code}) wrote no results: ${e.code === 'ENOENT' ? 'no JSON file' : e.message}`);
    }
    if (doc) {
      const cases = Array.isArray(doc.cases) ? doc.cases : [];
      const skippedCase = (c) => [c.native?.status, c.wasm?.status].includes('skip');
      const passed = cases.filter((c) => c.agree && !skippedCase(c)).length;
      const failed = cases.filter((c) => !c.agree && !skippedCase(c)).length;
      totals.passed += passed;
      totals.skipped += cases.filter(skippedCase).length;
      totals.failed += failed;
      // The judged gVisor column: one failure per changed case (the CLI
      // printed the lines), the other compared cases pass.
      const changed = Array.isArray(doc.changes) ? doc.changes.length : 0;
      if (Array.isArray(doc.targets) && doc.targets.some((t) => t.name === 'gvisor')) {
        const compared = cases.filter((c) => c.results?.gvisor && c.results.gvisor.status !== 'skip').length;
        totals.passed += Math.max(0, compared - changed);
        totals.failed += changed;
      }
      if (doc.error) problem(`the conformance suite failed: ${doc.error}`);
      else if (code !== 0 && failed === 0 && changed === 0) problem(`the conformance suite exited with status ${code}`);
    }
  }

  // Differential fuzzing (fuzz/): a short run, one test per seed, passed when
  // the seed's program agrees natively and as a guest (no divergence, no host
  // death); one more test fails if the run made fewer than 20,000 calls. As
  // root, one more seed runs as uid 65534 (the permission paths).
  if (fuzz) {
    const runs = [['--seeds', '5', '--calls', '4400', '--seed', '1']];
    if (process.getuid?.() === 0) runs.push(['--seeds', '1', '--calls', '4400', '--seed', '100', '--user', '65534']);
    let calls = 0;
    for (const [i, args] of runs.entries()) {
      const json = path.join(tmp, `fuzz-${i}.json`);
      const code = await run(process.execPath, [path.join(root, 'bin/wasi-sysv.js'), 'fuzz', ...args, '--no-shrink', '--json', json]);
      let doc;
      try {
        doc = JSON.parse(fs.readFileSync(json, 'utf8'));
      } catch (e) {
        problem(`the fuzz run (status ${code}) wrote no results: ${e.code === 'ENOENT' ? 'no JSON file' : e.message}`);
      }
      if (doc) {
        const seeds = Array.isArray(doc.seeds) ? doc.seeds : [];
        totals.passed += seeds.filter((r) => r.status === 'agree').length;
        totals.failed += seeds.filter((r) => r.status !== 'agree').length;
        calls += doc.totals?.calls ?? 0;
        if (code !== 0 && seeds.every((r) => r.status === 'agree')) problem(`the fuzz run exited with status ${code}`);
      }
    }
    if (calls < 20000) problem(`fuzz: only ${calls} calls (want >= 20000)`);
  }
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (totals.passed + totals.failed === 0) problem('no test ran');
const skippedPart = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skippedPart}`);
process.exit(totals.failed === 0 ? 0 : 1);
