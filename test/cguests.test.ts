// C guests (issue 16): `wasi-sysv cc` and what it builds. The same C source
// built with cc and with wasi-sysv cc prints the same; the examples built
// both ways interoperate on one key; malloc and host-chosen windows never
// overlap; a lab runs a C guest; a missing toolchain gives one line naming
// the Debian packages. Every run is real: the kernel's objects, processes.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, ROOT, CLI, cli, start, clearIpc, native, checkDbufPairs } from './helpers.js';

const OUT = path.join(ROOT, 'build/test/c');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-cguests-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
test.after.each(clearIpc);

const mtime = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;
const libInputs = () => (fs.readdirSync(path.join(ROOT, 'c'), { recursive: true }) as string[])
  .filter((f) => /\.(c|h)$/.test(f)).map((f) => path.join(ROOT, 'c', f));

/** test/c/NAME.c built both ways: { wasm, nat }, rebuilt when stale. */
function build(name: string): { wasm: string; nat: string } {
  const src = path.join(ROOT, 'test/c', `${name}.c`);
  const wasm = path.join(OUT, `${name}.wasm`);
  const nat = path.join(OUT, name);
  fs.mkdirSync(OUT, { recursive: true });
  if (mtime(wasm) < Math.max(mtime(src), ...libInputs().map(mtime))) {
    const r = cli(['cc', '-O2', '-Wall', '-Werror', src, '-o', wasm]);
    assert.is(r.status, 0, `wasi-sysv cc ${name}: ${r.stderr}`);
  }
  if (mtime(nat) < mtime(src)) {
    const r = spawnSync('cc', ['-O2', '-Wall', '-Werror', src, '-o', nat], { encoding: 'utf8' });
    assert.is(r.status, 0, `cc ${name}: ${r.stderr}`);
  }
  return { wasm, nat };
}

/** Runs a command in a fresh IPC namespace (as root), to completion. */
const isolated = (cmd: string[]) => spawnSync('unshare', ['--ipc', '--', ...cmd], { encoding: 'utf8', timeout: 60_000 });
const run = (wasm: string, args: string[] = []) => [process.execPath, CLI, 'run', wasm, ...args];

test('a plain SysV program that runs into every common error prints the same built with cc and with wasi-sysv cc', () => {
  const { wasm, nat } = build('errors');
  const n = isolated([nat]);
  const w = isolated(run(wasm));
  assert.is(n.status, 0, n.stderr);
  assert.is(w.status, 0, w.stderr);
  assert.not.match(n.stdout, /UNEXPECTED/, 'the expectations hold natively (Linux is the reference)');
  assert.is(w.stdout, n.stdout);
  assert.is(w.stderr, n.stderr, 'perror prints glibc\'s text');
  // The lines that prove errno mapping and the structures, by name.
  for (const l of [/shmget\(same key, IPC_CREAT\|IPC_EXCL\)\s+-1 EEXIST \(File exists\)$/m, /semctl\(SETVAL 32768\)\s+-1 ERANGE \(Numerical result out of range\)$/m,
    /semop\(501 operations\)\s+-1 E2BIG/m, /semop\(semaphore 3 of 3\)\s+-1 EFBIG/m, /^segsz 10000 nattch 2 mode 640 cpid==lpid 1$/m,
    /^second window reads: hello through the segment$/m, /^values 1 2 3, GETVAL\(2\) 3$/m]) {
    assert.match(w.stdout, l);
  }
  assert.is(w.stderr, 'perror says: Identifier removed\n');
});

test('malloc (sbrk -> memory.grow) and host-chosen windows never overlap, also when malloc grows after a window', () => {
  const { wasm, nat } = build('malloc-windows');
  const n = isolated([nat]);
  assert.is(n.status, 0, n.stdout + n.stderr);
  const w = isolated(run(wasm));
  assert.is(w.status, 0, w.stdout + w.stderr);
  assert.is(w.stdout, n.stdout);
  assert.match(w.stdout, /^malloc-windows ok 49 5$/m);
});

const example = (n: string) => path.join(ROOT, 'build/examples/c', `${n}.wasm`);
const twin = (n: string) => path.join(ROOT, 'build/native', n);
const values = (out: string, prefix: string) =>
  out.split('\n').filter((l) => l.startsWith(prefix)).map((l) => Number(l.slice(prefix.length)));

test('counter.c: one source, forked natively and spawning itself as a guest, prints the same child and final lines', () => {
  for (const [what, cmd] of [['native', [twin('counter')]], ['wasm', run(example('counter'))]] as const) {
    const r = isolated([...cmd, '--key', '4340', '--count', '3', '--interval', '20']);
    assert.is(r.status, 0, `${what}: ${r.stderr}`);
    // The parent prints its final line after waitpid: the order is wait's.
    assert.equal(values(r.stdout, 'child '), [2, 3, 4], `${what}: ${r.stdout}`);
    assert.match(r.stdout, /\nfinal 4\n$/, `${what}: ${r.stdout}`);
    const shown = r.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
    assert.is(shown.length, 3, r.stdout);
    assert.ok(shown.every((v) => v >= 1 && v <= 4), r.stdout);
  }
});

test('counter.c: the native build\'s child and the wasm build\'s child increment one int, either way round', async () => {
  // The test creates the segment, so neither counter removes it (each
  // removes only what it created) and it ends with the count: the parent's
  // 1, its own child's 8 and the other build's child's 3. The second child
  // starts once the first has counted (its "child 2" line), so after the
  // parent's reset to 1.
  let key = 4341;
  for (const [name, parent, other] of [
    ['native parent, wasm child', [twin('counter')], run(example('counter'))],
    ['wasm parent, native child', run(example('counter')), [twin('counter')]],
  ] as const) {
    key++;
    assert.match(spawnSync(native('shm-tool'), ['create', String(key), '4'], { encoding: 'utf8', timeout: 30_000 }).stdout, /^id \d+/);
    const p = start(parent[0]!, [...parent.slice(1), '--key', String(key), '--count', '8', '--interval', '50']);
    await p.line(/^child 2$/);
    const c = spawnSync(other[0]!, [...other.slice(1), '--child', '--key', String(key), '--count', '3', '--interval', '1'], { encoding: 'utf8', timeout: 30_000 });
    assert.is(c.status, 0, `${name}: ${c.stderr}`);
    assert.is(values(c.stdout, 'child ').length, 3, c.stdout);
    assert.is((await p.done).code, 0, `${name}: ${p.err()}`);
    const kernel = spawnSync(native('shm-tool'), ['open', String(key), 'attach', 'read', '0'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(kernel.stdout, /read 12\n/, `${name}: 1 + 8 + 3 increments in one int: ${kernel.stdout}`);
  }
});

test('dbuf-writer.c / dbuf-reader.c built as C guests interoperate with their native twins and the AssemblyScript guests', async () => {
  const asWasm = (n: string) => run(path.join(ROOT, 'build/examples', `${n}.wasm`));
  const pairs: Array<[string, string[], string[]]> = [
    ['C wasm -> native', run(example('dbuf-writer')), [twin('dbuf-reader')]],
    ['native -> C wasm', [twin('dbuf-writer')], run(example('dbuf-reader'))],
    ['C wasm -> C wasm', run(example('dbuf-writer')), run(example('dbuf-reader'))],
    ['C wasm -> AssemblyScript', run(example('dbuf-writer')), asWasm('dbuf-reader')],
    ['AssemblyScript -> C wasm', asWasm('dbuf-writer'), run(example('dbuf-reader'))],
  ];
  await checkDbufPairs(pairs, 0x5170);
});

test('a lab runs a C guest like any other wasm: the counter lab with its worker written in C', () => {
  const { wasm } = build('lab-worker');
  const dir = path.join(tmp, 'clab');
  fs.mkdirSync(dir);
  for (const f of ['init.wasm', 'check.wasm']) fs.copyFileSync(path.join(ROOT, 'labs/counter', f), path.join(dir, f));
  fs.copyFileSync(wasm, path.join(dir, 'worker.wasm'));
  const lab = JSON.parse(fs.readFileSync(path.join(ROOT, 'labs/counter/lab.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'lab.json'), JSON.stringify({ ...lab, name: 'counter-c' }));
  const json = path.join(dir, 'report.json');
  const r = spawnSync(process.execPath, [CLI, 'lab', path.join(dir, 'lab.json'), '--json', json], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /lab counter-c: PASS/);
  const report = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.match(report.checks[3].why, /counter = 3000/);
});

test('wasi-sysv cc without clang, wasi-libc or compiler-rt: one line naming the Debian packages, exit 2', () => {
  const src = path.join(ROOT, 'test/c/errors.c');
  const out = path.join(tmp, 'x.wasm');
  const cc = (env: Record<string, string>) =>
    spawnSync(process.execPath, [CLI, 'cc', src, '-o', out], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
  const pkgs = /apt-get install clang lld wasi-libc libclang-rt-dev-wasm32/;
  const noClang = cc({ WASI_SYSV_CLANG: '/nonexistent/clang' });
  assert.is(noClang.status, 2);
  assert.match(noClang.stderr, /^wasi-sysv cc: clang is not installed: /);
  assert.match(noClang.stderr, pkgs);
  assert.is(noClang.stderr.trim().split('\n').length, 1, noClang.stderr);
  const noLibc = cc({ WASI_SYSROOT: path.join(tmp, 'empty-sysroot') });
  assert.is(noLibc.status, 2);
  assert.match(noLibc.stderr, /^wasi-sysv cc: wasi-libc is not installed/);
  assert.match(noLibc.stderr, pkgs);
  // A clang whose compiler-rt for wasm32 is not there.
  const fake = path.join(tmp, 'clang-no-rt');
  fs.writeFileSync(fake, '#!/bin/sh\nfor a in "$@"; do [ "$a" = -print-libgcc-file-name ] && { echo /nonexistent/libclang_rt.builtins-wasm32.a; exit 0; }; done\nexec clang "$@"\n', { mode: 0o755 });
  const noRt = cc({ WASI_SYSV_CLANG: fake });
  assert.is(noRt.status, 2);
  assert.match(noRt.stderr, /^wasi-sysv cc: compiler-rt for wasm32 is not installed/);
  assert.match(noRt.stderr, pkgs);
  assert.not.ok(fs.existsSync(out));
  // And a compile error is clang's, with clang's status.
  fs.writeFileSync(path.join(tmp, 'bad.c'), 'int main(void) { return nope; }\n');
  const bad = cli(['cc', path.join(tmp, 'bad.c'), '-o', out]);
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /use of undeclared identifier 'nope'/);
});

test('wasi-sysv cc -c then link: objects and the library link like with cc', () => {
  const obj = path.join(tmp, 'errors.o');
  const out = path.join(tmp, 'linked.wasm');
  const c = cli(['cc', '-O2', '-c', path.join(ROOT, 'test/c/errors.c'), '-o', obj]);
  assert.is(c.status, 0, c.stderr);
  const l = cli(['cc', obj, '-o', out]);
  assert.is(l.status, 0, l.stderr);
  const r = isolated(run(out));
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /EEXIST \(File exists\)/);
});

test.run();
