// The test harness itself (scripts/test.mjs and scripts/uvu-run.mjs), run on
// the fixture files in test/fixtures/harness, never on the real suite: the
// summary line is exact with skips, with and without colour; a filter that
// selects nothing, a run that executed nothing, a file that throws, never
// runs or hangs, and a conformance CLI that dies before writing its JSON all
// fail the run. Also: every test file takes `test` from helpers (so every
// test has a timeout), and that timeout works.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, withTimeout, ROOT } from './helpers.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/harness');

function harness(args: string[], env: Record<string, string | undefined> = {}) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/test.mjs'), '--dir', FIXTURES, ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: 60_000,
    // Already inside the test namespace: no build, no second unshare.
    env: { ...process.env, WASI_SYSV_TEST_NS: '1', NO_COLOR: undefined, FORCE_COLOR: undefined, ...env },
  });
  const lines = r.stdout.trimEnd().split('\n');
  return { status: r.status, last: lines[lines.length - 1], out: r.stdout + r.stderr };
}

test('passing files: exact count, exit 0', () => {
  const r = harness(['pass']);
  assert.is(r.last, '2 passed, 0 failed', r.out);
  assert.is(r.status, 0);
});

test('a failing test is counted and fails the run', () => {
  const r = harness(['fail']);
  assert.is(r.last, '1 passed, 1 failed', r.out);
  assert.is(r.status, 1);
  assert.match(r.out, /one is not two/, 'uvu\'s own failure report is shown');
});

test('a test.skip is counted as skipped, not as failed, with and without colour', () => {
  // Deliberate break 3a (docs/mutation.md): failed = total - passed - skipped
  // in uvu-run.mjs -> "2 passed, -1 failed, 1 skipped" and this fails.
  for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }, {}]) {
    const r = harness(['skip'], env);
    assert.is(r.last, '2 passed, 0 failed, 1 skipped', `${JSON.stringify(env)}: ${r.out}`);
    assert.is(r.status, 0);
  }
});

test('several filters add up', () => {
  const r = harness(['pass', 'fail', 'skip'], { FORCE_COLOR: '1' });
  assert.is(r.last, '5 passed, 1 failed, 1 skipped', r.out);
});

test('a filter that matches no test file fails the run', () => {
  const r = harness(['no-such-test']);
  assert.is(r.last, '0 passed, 1 failed', r.out);
  assert.match(r.out, /no test file matches "no-such-test"/);
  assert.is(r.status, 1);
  const mixed = harness(['pass', 'no-such-test']);
  assert.is(mixed.last, '2 passed, 1 failed', 'a typo beside a good filter still fails');
});

test('a run that executed nothing fails, even with skips', () => {
  // Deliberate break 3c: drop the "no test ran" check in test.mjs -> fails.
  const r = harness(['ignored']);
  assert.is(r.last, '0 passed, 1 failed, 1 skipped', r.out);
  assert.match(r.out, /no test ran/);
});

test('a file that throws at load or never calls test.run() is a failure', () => {
  const t = harness(['throws']);
  assert.is(t.last, '0 passed, 1 failed', t.out);
  assert.match(t.out, /could not be loaded: Error: this file fails to load/);
  const n = harness(['norun']);
  assert.is(n.last, '0 passed, 1 failed', n.out);
  assert.match(n.out, /ran no test/);
});

test('a file that hangs is killed at its deadline and counted as failed; the next file still runs', () => {
  const r = harness(['hang', 'pass'], { WASI_SYSV_TEST_FILE_TIMEOUT_MS: '1500' });
  assert.is(r.last, '2 passed, 1 failed', r.out);
  assert.match(r.out, /hang\.test\.mjs did not finish within 1\.5 s and was killed/);
});

test('a substring of "conformance" is a file filter, not the conformance suite', () => {
  // Deliberate break 3b: select the suite with 'conformance'.includes(f) -> fails.
  const agree = path.join(FIXTURES, 'conformance-agree.mjs');
  for (const f of ['on', 'conf', 'ance']) {
    const r = harness([f], { WASI_SYSV_TEST_CONFORMANCE_CLI: agree });
    assert.not.match(r.out, /fixture conformance/, `${f} ran the conformance suite`);
    assert.is(r.last, '0 passed, 1 failed', r.out);
  }
  const all = harness(['conformance'], { WASI_SYSV_TEST_CONFORMANCE_CLI: agree });
  assert.match(all.out, /fixture conformance filter=\n/);
  assert.is(all.last, '2 passed, 0 failed, 1 skipped', all.out);
  const some = harness(['conformance:semop'], { WASI_SYSV_TEST_CONFORMANCE_CLI: agree });
  assert.match(some.out, /fixture conformance filter=semop\n/);
});

test('a conformance CLI that dies before writing its JSON fails the run (no stale file is read)', () => {
  // Deliberate break 3d: read build/conformance-results.json, as before -> fails.
  // What an earlier run would have left where the old harness looked.
  const stale = path.join(ROOT, 'build', 'conformance-results.json');
  const had = fs.existsSync(stale);
  if (!had) fs.writeFileSync(stale, JSON.stringify({ cases: [{ name: 'stale', agree: true, native: {}, wasm: {} }] }));
  try {
    const r = harness(['conformance'], { WASI_SYSV_TEST_CONFORMANCE_CLI: path.join(FIXTURES, 'conformance-throws.mjs') });
    assert.is(r.last, '0 passed, 1 failed', r.out);
    assert.match(r.out, /conformance suite \(status 70\) wrote no results/);
    assert.is(r.status, 1);
  } finally {
    if (!had) fs.rmSync(stale, { force: true });
  }
});

test('the conformance CLI never leaves an older run\'s --json in place', () => {
  const dir = fs.mkdtempSync(path.join(ROOT, 'build', 'conf-json-'));
  try {
    const json = path.join(dir, 'out.json');
    fs.writeFileSync(json, '{"cases":[{"name":"older run","agree":true}]}');
    // A run that finds no case still writes its (empty) answer over the old one.
    const none = spawnSync(process.execPath, [path.join(ROOT, 'bin/wasi-sysv.js'), 'conformance', '--filter', 'no case has this name', '--json', json],
      { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    assert.is(none.status, 1, none.stderr);
    assert.equal(JSON.parse(fs.readFileSync(json, 'utf8')).cases, [], 'the older run\'s cases are gone');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('every test file takes test() from helpers, so every test has a timeout', () => {
  for (const f of fs.readdirSync(path.join(ROOT, 'test')).filter((n) => n.endsWith('.test.ts'))) {
    const src = fs.readFileSync(path.join(ROOT, 'test', f), 'utf8');
    assert.not.match(src, /import\s*\{[^}]*\btest\b[^}]*\}\s*from\s*'uvu'/, `${f} imports test from uvu directly`);
    assert.match(src, /import\s*\{[^}]*\btest\b[^}]*\}\s*from\s*'\.\/helpers\.js'/, `${f} takes test from helpers`);
  }
});

test('the timeout fails a test that never ends', async () => {
  // Deliberate break 4a: withTimeout awaits fn() without the race -> this
  // test hangs and uvu-run.mjs kills the file at its deadline: the run fails.
  const never = withTimeout('never ends', () => new Promise(() => {}), 50);
  let err: unknown;
  try { await never(); } catch (e) { err = e; }
  assert.instance(err, Error);
  assert.match((err as Error).message, /test "never ends" timed out after 50 ms/);
  await withTimeout('ends', async () => 1, 1000)(); // and passes one that ends
});

test.run();
