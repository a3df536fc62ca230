// Builds the benchmark's guests and its C twin into build/bench/, each only
// when one of its sources is newer than the output:
//   bench.wasm    assembly/bench/bench.ts (+ the guest library)   asc, release
//   copy.wasm     assembly/bench/copy.ts  (+ the guest library)   asc, release
//   floor.wasm    assembly/bench/floor.ts (+ the guest library)   asc, release
//   hello.wasm    assembly/bench/hello.ts                         asc, release
//   kernel.wasm   assembly/bench/kernel.ts: the data kernel for the JS peers,
//                 bare (no WASI), importing a shared memory
//   bench-native  assembly/bench/native/bench.c                   cc -O2
// Compilers run two at a time; outputs appear atomically (written under a
// temporary name, then renamed), so an interrupted build is never mistaken
// for a fresh one.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { ROOT, OUT, BENCH_WASM, COPY_WASM, FLOOR_WASM, HELLO_WASM, KERNEL_WASM, KERNEL_MAX_PAGES, NATIVE } from './paths.js';
import { BuildError, ascJs, needCc, prebuiltOnly } from '../toolchain.js';

export { BuildError };

interface Target { out: string; deps: string[]; cmd: string; args: (tmp: string) => string[] }

function files(dir: string, ext: string): string[] {
  const abs = path.join(ROOT, dir);
  if (!fs.existsSync(abs)) return [];
  return fs.readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath ?? (e as any).path, e.name));
}

function targets(): Target[] {
  const asc = ascJs(ROOT) ?? '';
  const lib = [
    path.join(ROOT, 'assembly', 'index.ts'), ...files('assembly/sysv', '.ts'),
    ...files('assembly/bench/lib', '.ts'), path.join(ROOT, 'asconfig.json'),
  ];
  const rel = (p: string) => path.relative(ROOT, p);
  const guest = (src: string, out: string): Target => ({
    out, deps: [path.join(ROOT, src), ...lib], cmd: process.execPath,
    // asc resolves the wasi-shim's library against the working directory: run from the root.
    args: (tmp) => [asc, src, '--config', 'asconfig.json', '--target', 'release', '-o', rel(tmp)],
  });
  return [
    guest('assembly/bench/bench.ts', BENCH_WASM),
    guest('assembly/bench/copy.ts', COPY_WASM),
    guest('assembly/bench/floor.ts', FLOOR_WASM),
    guest('assembly/bench/hello.ts', HELLO_WASM),
    {
      out: KERNEL_WASM,
      deps: [path.join(ROOT, 'assembly/bench/kernel.ts'), path.join(ROOT, 'assembly/bench/lib/kernel.ts')],
      cmd: process.execPath,
      args: (tmp) => [asc, 'assembly/bench/kernel.ts', '-O3', '--runtime', 'stub', '--noAssert', '--use', 'abort=',
        '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', String(KERNEL_MAX_PAGES),
        '--enable', 'threads', '--noExportMemory', '-o', rel(tmp)],
    },
    {
      out: NATIVE,
      deps: [path.join(ROOT, 'assembly/bench/native/bench.c'), ...files('assembly/bench/native', '.h')],
      cmd: 'cc',
      args: (tmp) => ['-O2', '-Wall', '-Werror', '-o', rel(tmp), 'assembly/bench/native/bench.c'],
    },
  ];
}

const mtime = (p: string) => { try { return fs.statSync(p).mtimeMs; } catch { return -Infinity; } };

function compile(t: Target): Promise<void> {
  const tmp = `${t.out}.tmp-${process.pid}${path.extname(t.out)}`;
  return new Promise((resolve, reject) => {
    const child = spawn(t.cmd, t.args(tmp), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    child.on('error', (e) => reject(new Error(`cannot run ${t.cmd}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0 && fs.existsSync(tmp)) {
        fs.renameSync(tmp, t.out);
        fs.rmSync(`${tmp}.map`, { force: true });
        resolve();
      } else {
        fs.rmSync(tmp, { force: true });
        fs.rmSync(`${tmp}.map`, { force: true });
        reject(new Error(`building ${path.relative(ROOT, t.out)} failed:\n${out.trim()}`));
      }
    });
  });
}

/** Builds what is stale; returns the outputs it built. */
export async function buildBench(log: (line: string) => void = () => {}): Promise<string[]> {
  fs.mkdirSync(OUT, { recursive: true });
  const asc = ascJs(ROOT);
  const stale = targets().filter((t) => mtime(t.out) <= Math.max(...t.deps.map(mtime))).filter((t) => {
    // A package install has the guests prebuilt and no asc: use them as they are.
    if (t.cmd === 'cc') needCc('the bench\'s C twin');
    else if (!asc) { prebuiltOnly(t.out, ROOT); return false; }
    return true;
  });
  const queue = [...stale];
  const built: string[] = [];
  const workers = Array.from({ length: Math.min(2, queue.length) }, async () => {
    for (let t = queue.shift(); t; t = queue.shift()) {
      log(`building ${path.relative(ROOT, t.out)}`);
      await compile(t);
      built.push(t.out);
    }
  });
  await Promise.all(workers);
  return built;
}

// As a command: node dist/host/bench/build.js (for `npm run build`, so that
// a fresh clone's first bench run does not spend its time compiling).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    for (const out of await buildBench()) console.log(`built ${path.relative(ROOT, out)}`);
  } catch (e) {
    console.error((e as Error).message);
    process.exitCode = 1;
  }
}
