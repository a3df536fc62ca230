// Start-up (issue 12, docs/startup.md): what the host leaves out of a
// guest's start must stay out, and must still be there when a guest needs
// it. @wasmer/wasi is loaded on the first call the host leaves to it, in
// the middle of the run; a guest that only writes and exits never loads it.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, guest, test } from './helpers.js';
import { LIBRARY_FUNCS } from '../host/wasi.js';

const tool = guest('shm-tool');

/** A WASI command that imports fd_write and proc_exit and does nothing. */
function quietModule(): Buffer {
  const str = (t: string) => [t.length, ...Buffer.from(t)];
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const imp = (n: string, type: number) => [...str('wasi_snapshot_preview1'), ...str(n), 0x00, type];
  const imports = [...imp('fd_write', 1), ...imp('proc_exit', 2)];
  return Buffer.from([
    0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    // types: 0 () -> (), 1 (i32 i32 i32 i32) -> i32, 2 (i32) -> ()
    ...section(1, [3, 0x60, 0, 0, 0x60, 4, 0x7f, 0x7f, 0x7f, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 0]),
    ...section(2, [2, ...imports]),
    ...section(3, [1, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [2, ...str('_start'), 0, 2, ...str('memory'), 2, 0]),
    ...section(10, [1, 2, 0, 0x0b]),
  ]);
}

/** Runs an ES module script in a fresh node process; it must exit 0. */
function freshNode(script: string): { stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  return { stdout: r.stdout, stderr: r.stderr };
}

/** fn with the path of quietModule() written to a temporary file, removed afterwards. */
function withQuietModule(fn: (quiet: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-start-'));
  const quiet = path.join(dir, 'quiet.wasm');
  fs.writeFileSync(quiet, quietModule());
  try {
    fn(quiet);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs guests one after another on this thread of a fresh process; after each, whether the library is loaded. */
function inFreshProcess(runs: Array<{ wasm: string; args: string[] }>): { lines: string[]; stderr: string } {
  const guestJs = pathToFileURL(path.join(ROOT, 'dist/host/guest.js')).href;
  const wasiJs = pathToFileURL(path.join(ROOT, 'dist/host/wasi.js')).href;
  const libcJs = pathToFileURL(path.join(ROOT, 'dist/host/libc.js')).href;
  const script = `
    const { runGuestHere } = await import(${JSON.stringify(guestJs)});
    const { wasiLibraryLoaded } = await import(${JSON.stringify(wasiJs)});
    const libc = await import(${JSON.stringify(libcJs)});
    for (const r of ${JSON.stringify(runs)}) {
      const o = await runGuestHere({ wasmPath: r.wasm, args: [r.wasm, ...r.args], env: {}, dirs: [], trace: false });
      console.log('outcome ' + JSON.stringify(o) + ' library ' + wasiLibraryLoaded() + ' libc ' + libc.loaded());
    }`;
  const r = freshNode(script);
  return { lines: r.stdout.trim().split('\n'), stderr: r.stderr };
}

test('a guest that needs nothing of @wasmer/wasi never loads it; the first call that does loads it mid-run', () => {
  // Deliberate break: call library() at the top of createWasi (host/wasi.ts)
  // -> the first line says "library true" and this fails.
  withQuietModule((quiet) => {
    const { lines } = inFreshProcess([
      { wasm: quiet, args: [] },
      // args_sizes_get and args_get are the library's: loaded on that call.
      { wasm: tool, args: ['args'] },
    ]);
    const outcomes = lines.filter((l) => l.startsWith('outcome '));
    assert.equal(outcomes.map((l) => l.replace(/ libc \w+$/, '')), [
      'outcome {"kind":"exit","code":0,"peakPages":1} library false',
      'outcome {"kind":"exit","code":0,"peakPages":1} library true',
    ], lines.join('\n'));
    assert.ok(lines.some((l) => l === `args ${tool},args`), `the guest read its args through the library: ${lines.join('\n')}`);
  });
});

test('a guest that makes no sysv call never loads the C library (koffi); its first sysv call does, and works', () => {
  // Deliberate break: `this.address = addressOf(this.bytes)` back in
  // NativeScratch's constructor (host/libc.ts) -> the first line says
  // "libc true" and this fails. Each C function is declared on its first
  // call (libc.ts, lazy); a stub kept by a caller must keep working, so the
  // second guest makes the same call twice.
  withQuietModule((quiet) => {
    const { lines } = inFreshProcess([
      { wasm: quiet, args: [] },
      // No segment has this key: shmget gives ENOENT (id -2), and the tool exits 1.
      { wasm: tool, args: ['open', '0x7eadbeef'] },
      { wasm: tool, args: ['open', '0x7eadbeef'] },
    ]);
    const outcomes = lines.filter((l) => l.startsWith('outcome '));
    assert.equal(outcomes.map((l) => l.replace(/^.* libc /, 'libc ')), ['libc false', 'libc true', 'libc true'], lines.join('\n'));
    assert.equal(lines.filter((l) => l.startsWith('id ')), ['id -2', 'id -2'], lines.join('\n'));
    assert.ok(outcomes[1]!.includes('"kind":"exit","code":1'), lines.join('\n'));
  });
});

test('the built command and worker are one file each: a run loads no module graph (scripts/bundle.mjs)', () => {
  // Deliberate break: drop `node scripts/bundle.mjs` from the build
  // script (package.json) -> worker.js imports ./guest.js and this fails.
  for (const [entry, inner] of [['cli', 'index'], ['worker', 'guest']] as const) {
    const code = fs.readFileSync(path.join(ROOT, `dist/host/${entry}.js`), 'utf8');
    const relative = [...code.matchAll(/^\s*import\b[^;]*?from\s*["'](\.[^"']*)["']/gm)].map((m) => m[1]);
    assert.equal(relative, [], `dist/host/${entry}.js still imports ${relative.join(', ')}: run npm run build`);
    assert.ok(code.trimEnd().endsWith(`//# sourceMappingURL=${entry}.js.map`), `the ${entry} bundle has a source map`);
    const map = JSON.parse(fs.readFileSync(path.join(ROOT, `dist/host/${entry}.js.map`), 'utf8')) as { sources: string[] };
    assert.ok(map.sources.includes(`../../host/${inner}.ts`), `its map leads to the TypeScript: ${map.sources.join(' ')}`);
  }
});

test('initWasi() loads the library at once (a guest run as another user then needs no access to its files)', async () => {
  // Deliberate break: empty initWasi's body (host/wasi.ts) -> false.
  const wasiJs = pathToFileURL(path.join(ROOT, 'dist/host/wasi.js')).href;
  const script = `const w = await import(${JSON.stringify(wasiJs)});
    const before = w.wasiLibraryLoaded(); await w.initWasi(); console.log(before + ' ' + w.wasiLibraryLoaded());`;
  const r = freshNode(script);
  assert.is(r.stdout.trim(), 'false true', r.stderr);
});

test('the WASI functions the guest is offered are exactly those the library provides', async () => {
  // The host builds its import object from LIBRARY_FUNCS without loading the
  // library; a newer library with other functions must show up here.
  const { init, WASI } = await import('@wasmer/wasi');
  await init();
  const module = new WebAssembly.Module(new Uint8Array(quietModule()));
  const imports = new WASI({ args: [], env: {} }).getImports(module) as Record<string, Record<string, unknown>>;
  assert.equal(Object.keys(imports), ['wasi_snapshot_preview1']);
  assert.equal(Object.keys(imports['wasi_snapshot_preview1']!).sort(), [...LIBRARY_FUNCS].sort());
});

test.run();
