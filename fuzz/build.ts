// Builds the two fuzz executors when their sources are newer than the outputs:
//   fuzz/native/*.c    -> build/fuzz/twin       (cc -O2 -Wall -Werror)
//   fuzz/guest/exec.ts -> build/fuzz/exec.wasm  (asc, release)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface Executors { native: string; guest: string }

const mtime = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

function sources(dir: string, exts: string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => exts.some((e) => n.endsWith(e))).map((n) => path.join(dir, n));
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    throw new Error(`building the ${what} failed: ${cmd} ${args.join(' ')}\n${out || e.message}`);
  }
}

/** Rebuilds what is stale; returns the executors' paths. */
export function ensureBuilt(root: string): Executors {
  const outDir = path.join(root, 'build', 'fuzz');
  fs.mkdirSync(outDir, { recursive: true });
  const native = path.join(outDir, 'twin');
  const guest = path.join(outDir, 'exec.wasm');
  const cDeps = sources(path.join(root, 'fuzz', 'native'), ['.c', '.h']);
  if (cDeps.some((d) => mtime(d) > mtime(native))) {
    run('cc', ['-O2', '-Wall', '-Werror', '-o', native, ...cDeps.filter((f) => f.endsWith('.c'))], root, 'native fuzz twin');
  }
  const tsDeps = [...sources(path.join(root, 'fuzz', 'guest'), ['.ts']), path.join(root, 'asconfig.json')];
  if (tsDeps.some((d) => mtime(d) > mtime(guest))) {
    const asc = path.join(root, 'node_modules', '.bin', 'asc');
    run(asc, ['fuzz/guest/exec.ts', '--config', 'asconfig.json', '--target', 'release', '-o', path.relative(root, guest)],
      root, 'fuzz guest');
  }
  return { native, guest };
}
