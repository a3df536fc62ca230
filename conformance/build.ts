// Builds the three interpreters when their sources are newer than the outputs:
//   conformance/native/*.c  -> build/conformance/interp        (cc -O2 -Wall)
//   conformance/guest/*.ts  -> build/conformance/interp.wasm   (asc, release)
//   conformance/native/*.c  -> build/conformance/interp-c.wasm (wasi-sysv cc -O2:
//                              the C guest, against c/include and c/lib)
import fs from 'node:fs';
import path from 'node:path';
import { ascJs, BuildError, buildStep as run, needCc, prebuiltOnly, sources, stale } from '../host/toolchain.js';
import { clangArgs, findToolchain, INCLUDE } from '../c/cc.js';

export interface Interpreters { native: string; guest: string }

/** Rebuilds what is stale; returns the interpreters' paths. */
export function ensureBuilt(root: string): Interpreters {
  const outDir = path.join(root, 'build', 'conformance');
  fs.mkdirSync(outDir, { recursive: true });
  const native = path.join(outDir, 'interp');
  const guest = path.join(outDir, 'interp.wasm');

  const cDeps = sources(path.join(root, 'conformance', 'native'), ['.c', '.h']);
  if (stale(native, cDeps)) {
    needCc('the conformance suite\'s native interpreter');
    const c = cDeps.filter((f) => f.endsWith('.c'));
    run('cc', ['-O2', '-Wall', '-Werror', '-o', native, ...c], root, 'native interpreter');
  }
  const tsDeps = [...sources(path.join(root, 'conformance', 'guest'), ['.ts']), path.join(root, 'asconfig.json')];
  const ascPath = ascJs(root);
  // A package install has the guest interpreter prebuilt and no asc: use it.
  if (!ascPath) prebuiltOnly(guest, root);
  else if (stale(guest, tsDeps)) {
    const asc = path.join(root, 'node_modules', '.bin', 'asc');
    // asc resolves the wasi-shim's lib path against the cwd: run from the root.
    run(asc, ['conformance/guest/interp.ts', '--config', 'asconfig.json', '--target', 'release', '-o', path.relative(root, guest)],
      root, 'guest interpreter');
  }
  return { native, guest };
}

/**
 * The C guest interpreter (for the wasm-c target), rebuilt when stale. A
 * package install ships it prebuilt: without clang and wasi-libc, that one
 * is used as it is.
 */
export function ensureCGuest(root: string): string {
  const outDir = path.join(root, 'build', 'conformance');
  fs.mkdirSync(outDir, { recursive: true });
  const cDeps = sources(path.join(root, 'conformance', 'native'), ['.c', '.h']);
  const cguest = path.join(outDir, 'interp-c.wasm');
  const libDir = path.join(root, 'c', 'lib');
  const cgDeps = [...cDeps, ...sources(libDir, ['.c']), ...(fs.readdirSync(INCLUDE, { recursive: true }) as string[]).map((f) => path.join(INCLUDE, f))];
  if (stale(cguest, cgDeps)) {
    let t;
    try { t = findToolchain(); } catch (e) {
      if (!(e instanceof BuildError) || !fs.existsSync(cguest)) throw e;
    }
    if (t) {
      const c = cDeps.filter((f) => f.endsWith('.c'));
      const tmp = cguest.replace(/\.wasm$/, `.${process.pid}.tmp.wasm`);
      run(t.clang, clangArgs(['-O2', '-Wall', '-Werror', '-o', tmp, ...c], t), root, 'C guest interpreter');
      fs.renameSync(tmp, cguest);
    }
  }
  return cguest;
}
