// The conformance matrix (issue 15): targets from the registry run every
// case and are judged against native; the default run keeps the two-runner
// keys; a wrap: command really wraps every native process (a broken libc
// injected with it shows up as a difference, never as a pass); a set-up the
// target cannot do (become another user, write a sysctl) is a missing
// feature; gVisor's known differences on a few cases; --expect compares the
// judged targets' cells with a recorded matrix, one line per changed case.
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSuite } from '../conformance/suite.js';
import { parseTargets, splitCommand } from '../conformance/targets.js';
import { BEGIN, compareWithRecord, renderMatrix, type MatrixDoc } from '../conformance/record.js';
import { CLI, ROOT, test } from './helpers.js';

const EXCL = 'shmget IPC_CREAT|IPC_EXCL on an existing key gives EEXIST';
const SHMMAX = 'shmget size above SHMMAX gives EINVAL';
const EACCES = 'shmget EACCES when the mode forbids another user';
const PLAIN = 'shmget IPC_CREAT then open by key returns the same id';
const GUEST_ONLY = 'guest boundary shmctl IPC_STAT buffer out of range gives EFAULT';

const isRoot = process.getuid?.() === 0;
const hasRunsc = spawnSync('runsc', ['--version'], { stdio: 'ignore' }).status === 0;

/** build/test/shmget-excl-einval.so: the broken libc (test/native/shmget-excl-einval.c). */
function brokenLibc(): string {
  const src = path.join(ROOT, 'test/native/shmget-excl-einval.c');
  const out = path.join(ROOT, 'build/test/shmget-excl-einval.so');
  if (!fs.existsSync(out) || fs.statSync(src).mtimeMs > fs.statSync(out).mtimeMs) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    const r = spawnSync('cc', ['-O2', '-Wall', '-Werror', '-shared', '-fPIC', '-o', out, src, '-ldl'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cc shmget-excl-einval: ${r.stderr}`);
  }
  return out;
}

/** The cases whose name is one of names (the suite's filter is a substring: pick exact names after). */
async function matrix(targets: string[], filter: string) {
  const r = await runSuite({ targets, filter });
  assert.ok(r.cases.length > 0, `no case matches ${filter}`);
  return r;
}
const byName = (cases: Awaited<ReturnType<typeof runSuite>>['cases'], name: string) => {
  const c = cases.find((x) => x.name === name);
  if (!c) throw new Error(`no case "${name}"`);
  return c;
};

test('the default run is native and wasm: agree, native and wasm keep their meaning, results hold the cells', async () => {
  const { cases, targets } = await matrix(['native', 'wasm'], EXCL);
  const c = byName(cases, EXCL);
  assert.equal(targets.map((t) => t.name), ['native', 'wasm']);
  assert.is(c.native.status, 'pass');
  assert.is(c.wasm.status, 'pass');
  assert.ok(c.agree);
  assert.equal(c.results, { native: { status: 'pass' }, wasm: { status: 'pass' } });
  assert.ok(c.native.procs?.[0]?.transcript.some((l) => /E17|EEXIST/.test(l)) || c.native.procs?.[0]?.transcript.length, 'native transcript kept');
  assert.is(targets[1]!.pass, cases.length);
});

test('native is always the reference: --targets without it still runs it first', async () => {
  const { targets } = await matrix(['wrap:env'], PLAIN);
  assert.equal(targets.map((t) => t.name), ['native', 'wrap:env']);
});

test('a guest-only case is n/a on a target without guests, and counted as such', async () => {
  const { cases, targets } = await matrix(['native', 'wasm', 'wrap:env'], GUEST_ONLY);
  const c = byName(cases, GUEST_ONLY);
  assert.is(c.results.native!.status, 'n/a');
  assert.is(c.results['wrap:env']!.status, 'n/a');
  assert.is(c.results.wasm!.status, 'pass');
  assert.ok(targets.find((t) => t.name === 'wrap:env')!.na >= 1);
});

test('wrap: runs every native process behind the command: a broken libc injected with it is a difference, not a pass', async () => {
  const so = brokenLibc();
  const wrap = `wrap:env LD_PRELOAD=${so}`;
  const { cases, targets } = await matrix(['native', 'wasm', wrap, 'wrap:env'], 'shmget IPC_');
  const excl = byName(cases, EXCL);
  assert.is(excl.results[wrap]!.status, 'differ');
  assert.match(excl.results[wrap]!.why!, /want EEXIST got EINVAL/);
  assert.is(excl.results['wrap:env']!.status, 'pass', 'the same wrapper without the broken libc agrees');
  // The judged target's difference is not this project's: agree stays.
  assert.ok(excl.agree);
  // Only the case that meets EEXIST differs.
  for (const c of cases.filter((x) => x.name !== EXCL)) assert.is(c.results[wrap]!.status, 'pass', c.name);
  const t = targets.find((x) => x.name === wrap)!;
  assert.equal([t.differ, t.pass], [1, cases.length - 1]);
});

test('a user the target cannot become is a missing feature, never a pass nor an ordinary difference', async () => {
  if (!isRoot) return; // not root: the suite skips every uid case itself (and says so)
  // setpriv takes CAP_SETUID/CAP_SETGID away: the interpreter's switch to uid 65534 fails.
  const wrap = 'wrap:setpriv --inh-caps -setuid,-setgid --bounding-set -setuid,-setgid';
  const { cases, targets } = await matrix(['native', wrap], EACCES);
  const c = byName(cases, EACCES);
  assert.is(c.results.native!.status, 'pass');
  assert.is(c.results[wrap]!.status, 'missing');
  assert.match(c.results[wrap]!.why!, /other: cannot run as uid 65534: Operation not permitted/);
  const t = targets.find((x) => x.name === wrap)!;
  assert.equal([t.missing, t.pass], [1, 0]);
});

const gvisor = hasRunsc ? test : test.skip;
gvisor('gVisor: the EEXIST and EACCES differences, shmmax it cannot write, and a case that agrees', async () => {
  const { cases, targets } = await matrix(['native', 'gvisor'], 'shmget');
  const cell = (n: string) => byName(cases, n).results.gvisor!;
  assert.equal(cell(PLAIN), { status: 'pass' });
  assert.is(cell(EXCL).status, 'differ');
  assert.match(cell(EXCL).why!, /want EEXIST got EINVAL/);
  assert.is(cell(SHMMAX).status, 'missing');
  assert.match(cell(SHMMAX).why!, /cannot write \/proc\/sys\/kernel\/shmmax = 1048576 \(EIO\)/);
  if (isRoot) {
    assert.is(cell(EACCES).status, 'differ');
    assert.match(cell(EACCES).why!, /want EACCES got ok/);
  }
  // The column's totals count each cell once, a missing feature apart from a pass.
  const g = targets[1]!;
  const n = (s: string) => cases.filter((c) => c.results.gvisor?.status === s).length;
  assert.equal([g.pass, g.differ, g.missing, g.na], [n('pass'), n('differ'), n('missing'), n('n/a')]);
  assert.ok(g.missing >= 2 && g.pass + g.differ + g.missing + g.na === cases.length);
  assert.ok(targets[1]!.seconds > 0);
  assert.match(targets[1]!.version!, /runsc version/);
}, 180_000);

test('--expect: the judged targets\' cells equal the record, or one line names each changed case', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-matrix-'));
  try {
    const rec = path.join(dir, 'record.json');
    const run = (...a: string[]) => spawnSync(process.execPath, [CLI, 'conformance', '--targets', 'native,wrap:env', '--filter', 'shmget IPC_CREAT', ...a],
      { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    let r = run('--json', rec);
    assert.is(r.status, 0, r.stdout + r.stderr);
    const doc = JSON.parse(fs.readFileSync(rec, 'utf8'));
    assert.equal(doc.targets.map((t: any) => t.name), ['native', 'wrap:env']);
    r = run('--expect', rec);
    assert.is(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Every cell of wrap:env equals/);
    // The record says the implementation differed on one case: the run (which agrees) is a change.
    const c = doc.cases.find((x: any) => x.name === EXCL);
    c.results['wrap:env'] = { status: 'differ', why: 'main L30 FAIL want EEXIST got EINVAL' };
    fs.writeFileSync(rec, JSON.stringify(doc));
    r = run('--expect', rec);
    assert.is(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`wrap:env: ${EXCL.replace(/[|]/g, '\\|')}: recorded differ \\(main L30 FAIL want EEXIST got EINVAL\\), now pass`));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);

test('--targets: names, wrap: commands with quotes and commas, and errors in one line', () => {
  assert.equal(parseTargets('native,wasm,qemu').map((t) => t.name), ['native', 'wasm', 'qemu']);
  assert.equal(splitCommand(`env 'A=1 2' B="x\\"y" C\\ D`), ['env', 'A=1 2', 'B=x"y', 'C D']);
  assert.equal(parseTargets(`native,wrap:env "A=1,2"`).map((t) => t.name), ['native', 'wrap:env "A=1,2"']);
  assert.throws(() => parseTargets('native,vmware'), /unknown target "vmware" \(known: native, wasm, wasm-c, gvisor, qemu, wrap:CMD\)/);
  assert.throws(() => parseTargets('wasm,wasm'), /names wasm twice/);
  assert.throws(() => parseTargets('wrap:'), /wrap: needs a command/);
  const r = spawnSync(process.execPath, [CLI, 'conformance', '--targets', 'wrap:no-such-wrapper-cmd', '--filter', PLAIN], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 2);
  assert.match(r.stderr, /target wrap:no-such-wrapper-cmd: no-such-wrapper-cmd: command not found/);
});

test('compareWithRecord: addresses (ASLR) compare equal, small values and statuses do not, skips say nothing', () => {
  const doc = (cells: Record<string, { status: any; why?: string }>): MatrixDoc => ({
    targets: [{ name: 'native', pass: 0, differ: 0, na: 0, missing: 0, skip: 0, seconds: 0 }, { name: 'g', pass: 0, differ: 0, na: 0, missing: 0, skip: 0, seconds: 0 }],
    cases: Object.entries(cells).map(([name, g]) => ({ name, group: 'x', file: 'f:1', results: { g } })),
  });
  const rec = doc({ a: { status: 'differ', why: 'main L40 FAIL want EINVAL got ok(139792654811136)' }, b: { status: 'differ', why: 'other L78 FAIL want EACCES got ok(1)' }, c: { status: 'pass' }, d: { status: 'skip' } });
  assert.equal(compareWithRecord(doc({ a: { status: 'differ', why: 'main L40 FAIL want EINVAL got ok(140140496203776)' }, b: { status: 'differ', why: 'other L78 FAIL want EACCES got ok(1)' }, c: { status: 'pass' }, d: { status: 'pass' } }), rec, ['g']), []);
  assert.equal(compareWithRecord(doc({ b: { status: 'differ', why: 'other L78 FAIL want EACCES got ok(2)' }, c: { status: 'missing', why: 'cannot write' }, e: { status: 'pass' } }), rec, ['g']), [
    'g: b: recorded differ (other L78 FAIL want EACCES got ok(1)), now differ (other L78 FAIL want EACCES got ok(2))',
    'g: c: recorded pass, now missing (cannot write)',
    'g: e: not in the record (now pass)',
  ]);
  assert.equal(compareWithRecord(doc({}), rec, ['h']), ['h: no column for this target in the record']);
});

test('docs/implementations.md matches docs/implementations.json: the generated matrix, and prose naming every case that differs', () => {
  const rec = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/implementations.json'), 'utf8')) as MatrixDoc;
  const md = fs.readFileSync(path.join(ROOT, 'docs/implementations.md'), 'utf8');
  assert.ok(md.includes(renderMatrix(rec)), 'the generated part is what scripts/implementations.mjs writes from the record: re-run it');
  const judged = (rec.targets ?? []).filter((t) => !t.own).map((t) => t.name);
  assert.equal(judged, ['gvisor', 'qemu']);
  const heading: Record<string, string> = { gvisor: '## gVisor', qemu: '## qemu-user' };
  const prose = md.slice(0, md.indexOf(BEGIN));
  for (const t of judged) {
    const from = prose.indexOf(heading[t]!);
    assert.ok(from >= 0, `a section ${heading[t]}`);
    const next = prose.indexOf('\n## ', from + 1);
    const section = prose.slice(from, next < 0 ? undefined : next).replace(/\s+/g, ' ');
    for (const c of rec.cases) {
      const cell = c.results?.[t];
      if (!cell || cell.status === 'pass' || cell.status === 'n/a') continue;
      assert.ok(section.includes(`\`${c.name}\``), `${heading[t]} explains the ${cell.status} of \`${c.name}\` (${cell.why})`);
    }
  }
});

test.run();
