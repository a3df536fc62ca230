// The differential fuzzer (fuzz/): the generator is deterministic and
// draws everything it claims; the two executors agree on a real program; a
// divergence is detected, at the right call, and shrunk; a real break of
// the host (every host-side EINVAL reported as ENOENT, in a throwaway copy
// of the built host) is caught and shrunk to a short program.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generate, OP, P, formatProgram, parseProgram } from '../fuzz/gen.js';
import { compare, runPair, shrink, type RunPaths, type Side, type Verdict } from '../fuzz/run.js';
import { ensureBuilt } from '../fuzz/build.js';
import { ROOT, CLI, test } from './helpers.js';

const side = (lines: string[]): Side => ({ lines: [...lines, 'end'], code: 0, signal: null, stderr: '', ms: 1 });
let paths: RunPaths;
test.before(() => { paths = { ...ensureBuilt(ROOT), cli: CLI }; });

test('the generator is deterministic and draws every call and pointer class', () => {
  const a = generate(7, 4000), b = generate(7, 4000);
  assert.equal(a, b);
  assert.not.equal(generate(8, 50), a.slice(0, 50));
  const ops = new Set(a.map((l) => l[0]));
  for (const op of Object.values(OP)) assert.ok(ops.has(op), `op ${op} drawn`);
  // pointer classes of shmctl (index 4) and semctl (index 6)
  const classes = new Set([...a.filter((l) => l[0] === OP.SHMCTL).map((l) => l[4]), ...a.filter((l) => l[0] === OP.SEMCTL).map((l) => l[6])]);
  for (const c of Object.values(P)) assert.ok(classes.has(c), `pointer class ${c} drawn`);
  assert.equal(parseProgram(formatProgram(a)), a, 'the program format round-trips');
});

test('compare: the first differing line is the divergence; a short guest transcript is a death', () => {
  const prog = generate(1, 4);
  const v = compare(prog, side(['ok 0', 'E22', 'ok', 'E2']), side(['ok 0', 'E22', 'E2', 'E2']));
  assert.equal(v, { kind: 'divergence', index: 2, native: 'ok', guest: 'E2' });
  const d = compare(prog, side(['ok 0', 'E22', 'ok', 'E2']), { ...side(['ok 0']), lines: ['ok 0'], code: 133, stderr: 'Check failed: 12 == errno' });
  assert.is(d.kind, 'death');
  assert.is(compare(prog, side(['a', 'b']), side(['a', 'b'])).kind, 'agree');
});

test('shrink: keeps exactly the calls a planted divergence needs', async () => {
  const prog = generate(2, 300);
  const marked = (l: number[]) => l === prog[40] || l === prog[217];
  // The planted bug: the program diverges at its last call when it holds both marked calls.
  const planted = async (p: number[][]): Promise<Verdict> => (p.filter(marked).length === 2 && marked(p[p.length - 1]!) && p[p.length - 1] === prog[217]
    ? { kind: 'divergence', index: p.length - 1, native: 'ok', guest: 'E2' } : { kind: 'agree' });
  const s = await shrink(paths, prog, { kind: 'divergence', index: 217, native: 'ok', guest: 'E2' }, { run: planted });
  assert.equal(s.program, [prog[40], prog[217]]);
  assert.is(s.verdict.kind, 'divergence');
});

test('the native twin and the guest agree on a real program', async () => {
  const prog = generate(3, 400);
  const r = await runPair(paths, prog);
  assert.is(r.verdict.kind, 'agree', JSON.stringify(r.verdict));
  assert.ok(r.native.lines.filter((l) => l.startsWith('ok')).length > 50, 'many calls succeed');
});

test('a real host break (host-side EINVAL reported as ENOENT) is caught and shrunk', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'fuzz-break-'));
  try {
    fs.cpSync(path.join(ROOT, 'dist', 'host'), path.join(tmp, 'dist', 'host'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'bin'), path.join(tmp, 'bin'), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(tmp, 'package.json'));
    fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(tmp, 'node_modules'));
    let patched = 0;
    for (const f of fs.readdirSync(path.join(tmp, 'dist', 'host'))) {
      if (!f.endsWith('.js')) continue;
      const p = path.join(tmp, 'dist', 'host', f);
      const src = fs.readFileSync(p, 'utf8');
      const out = src.replaceAll('-Errno.EINVAL', '-Errno.ENOENT');
      if (out !== src) { fs.writeFileSync(p, out); patched++; }
    }
    assert.ok(patched > 0, 'the break applies');
    const broken: RunPaths = { ...paths, cli: path.join(tmp, 'bin', 'wasi-sysv.js') };
    const prog = generate(5, 120);
    const r = await runPair(broken, prog);
    assert.is(r.verdict.kind, 'divergence');
    if (r.verdict.kind !== 'divergence') return;
    assert.is(r.verdict.guest, 'E2');
    const s = await shrink(broken, prog, r.verdict, { maxRuns: 16 });
    assert.ok(s.program.length < r.verdict.index + 1 || s.program.length <= 2, `shrunk from ${r.verdict.index + 1} to ${s.program.length} calls`);
    const again = await runPair(broken, s.program);
    assert.is(again.verdict.kind, 'divergence', 'the shrunk program still diverges');
    const fixed = await runPair(paths, s.program);
    assert.is(fixed.verdict.kind, 'agree', 'and agrees on the real host');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

// Found by `wasi-sysv fuzz --user 65534`: Linux checks the permission on
// the segment before the address, so an explicit attach over mapped memory
// without read-write permission is EACCES, not EINVAL.
if (process.getuid?.() === 0) {
  test('as another user, shmat says EACCES before an address error (regression)', async () => {
    const prog = [
      [OP.SHMGET, 0, 4096, 0o1400], // IPC_CREAT|0400, owned by uid 65534
      [OP.SHMAT, 0, 0, 1, 0, 0, 0], // read-write at the area, no SHM_REMAP: EACCES first
      [OP.SHMAT, 0, 0, 1, 0, 0, 0o10000], // read-only: permitted, then the address: EINVAL
      [OP.SHMAT, 0, 0, 0, 0, 0, 0], // host-chosen, read-write: EACCES
    ];
    const r = await runPair({ ...paths, uid: 65534 }, prog);
    assert.match(r.native.lines[0]!, /^ok \d+$/);
    assert.equal(r.native.lines.slice(1), ['E13', 'E22', 'E13', 'end']);
    assert.equal(r.guest.lines, r.native.lines);
  });
}

test.run();
