// Builds the two fuzz executors when their sources are newer than the outputs:
//   fuzz/native/*.c    -> build/fuzz/twin       (cc -O2 -Wall -Werror)
//   fuzz/guest/exec.ts -> build/fuzz/exec.wasm  (asc, release)
import fs from 'node:fs';
import path from 'node:path';
import { buildStep as run, sources, stale } from '../host/toolchain.js';

export interface Executors { native: string; guest: string }

/** Rebuilds what is stale; returns the executors' paths. */
export function ensureBuilt(root: string): Executors {
  const outDir = path.join(root, 'build', 'fuzz');
  fs.mkdirSync(outDir, { recursive: true });
  const native = path.join(outDir, 'twin');
  const guest = path.join(outDir, 'exec.wasm');
  const cDeps = sources(path.join(root, 'fuzz', 'native'), ['.c', '.h']);
  if (stale(native, cDeps)) {
    run('cc', ['-O2', '-Wall', '-Werror', '-o', native, ...cDeps.filter((f) => f.endsWith('.c'))], root, 'native fuzz twin');
  }
  const tsDeps = [...sources(path.join(root, 'fuzz', 'guest'), ['.ts']), path.join(root, 'asconfig.json')];
  if (stale(guest, tsDeps)) {
    const asc = path.join(root, 'node_modules', '.bin', 'asc');
    run(asc, ['fuzz/guest/exec.ts', '--config', 'asconfig.json', '--target', 'release', '-o', path.relative(root, guest)],
      root, 'fuzz guest');
  }
  return { native, guest };
}
