// npm test: builds, then runs every test inside a private IPC namespace
// (unshare --ipc as root, unshare -r --ipc otherwise), so keys and ids are
// predictable and nothing is left in the machine's ipcs. Ends with one line:
// "N passed, N failed" (", N skipped" when some were skipped).
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';

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

/** Runs a command, echoing its output, and returns what it printed. */
function run(cmd, args) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; process.stdout.write(d); });
    child.on('close', (code) => resolve({ code, out }));
  });
}

const totals = { passed: 0, failed: 0, skipped: 0 };

// Unit and integration tests: uvu over the compiled test files, under c8.
const filter = process.argv[2];
const uvu = await run(path.join(root, 'node_modules/.bin/c8'), [
  path.join(root, 'node_modules/.bin/uvu'), 'dist/test', filter ? `${filter}.*\\.test\\.js$` : '\\.test\\.js$',
]);
const num = (label) => Number(uvu.out.match(new RegExp(`${label}:\\s+(\\d+)`))?.[1] ?? NaN);
const total = num('Total'), passed = num('Passed'), skipped = num('Skipped');
if (Number.isNaN(total)) {
  totals.failed += 1; // uvu itself did not finish
} else {
  totals.passed += passed;
  totals.skipped += skipped;
  totals.failed += total - passed - skipped;
  if (uvu.code !== 0 && total - passed - skipped === 0) totals.failed += 1;
}

// The differential conformance suite: each case natively and as a guest.
// A case that agrees counts as passed; one skipped (needs root to run as
// another user) as skipped; the rest as failed.
if (!filter || 'conformance'.includes(filter)) {
  const json = path.join(root, 'build', 'conformance-results.json');
  const conf = await run(process.execPath, [path.join(root, 'bin/wasi-sysv.js'), 'conformance', '--json', json]);
  try {
    const { cases } = JSON.parse(readFileSync(json, 'utf8'));
    const skippedCase = (c) => [c.native?.status, c.wasm?.status].includes('skip');
    totals.passed += cases.filter((c) => c.agree && !skippedCase(c)).length;
    totals.skipped += cases.filter(skippedCase).length;
    totals.failed += cases.filter((c) => !c.agree && !skippedCase(c)).length;
    if (conf.code !== 0 && cases.every((c) => c.agree || skippedCase(c))) totals.failed += 1;
  } catch (e) {
    console.log(`conformance suite did not produce results: ${e.message}`);
    totals.failed += 1;
  }
}

// Differential fuzzing (fuzz/): a short run, one test per seed, passed when
// the seed's program agrees natively and as a guest (no divergence, no host
// death); one more test fails if the run made fewer than 20,000 calls. As
// root, one more seed runs as uid 65534 (the permission paths).
if (!filter || 'fuzz'.includes(filter)) {
  const runs = [['--seeds', '5', '--calls', '4400', '--seed', '1']];
  if (process.getuid?.() === 0) runs.push(['--seeds', '1', '--calls', '4400', '--seed', '100', '--user', '65534']);
  let calls = 0;
  for (const [i, args] of runs.entries()) {
    const json = path.join(root, 'build', `fuzz-results-${i}.json`);
    rmSync(json, { force: true }); // never read an earlier run's results
    const fz = await run(process.execPath, [path.join(root, 'bin/wasi-sysv.js'), 'fuzz', ...args, '--no-shrink', '--json', json]);
    try {
      const { seeds, totals: t } = JSON.parse(readFileSync(json, 'utf8'));
      totals.passed += seeds.filter((r) => r.status === 'agree').length;
      totals.failed += seeds.filter((r) => r.status !== 'agree').length;
      calls += t.calls;
      if (fz.code !== 0 && seeds.every((r) => r.status === 'agree')) totals.failed += 1;
    } catch (e) {
      console.log(`fuzz run did not produce results: ${e.message}`);
      totals.failed += 1;
    }
  }
  if (calls < 20000) { console.log(`fuzz: only ${calls} calls (want >= 20000)`); totals.failed += 1; }
}

const skippedPart = totals.skipped ? `, ${totals.skipped} skipped` : '';
console.log(`${totals.passed} passed, ${totals.failed} failed${skippedPart}`);
process.exit(totals.failed === 0 ? 0 : 1);
