// `wasi-sysv cc`: compiles C programs into wasm guests of this host. A thin
// wrapper around clang that knows what a C guest needs: the wasm32-wasi
// target, wasi-libc (Debian's /usr/include/wasm32-wasi and
// /usr/lib/wasm32-wasi, or a wasi-sdk style sysroot), compiler-rt for
// wasm32, and this package's SysV headers (c/include: sys/ipc.h, sys/shm.h,
// sys/sem.h, sys/wait.h, wasi-sysv/proc.h) with their library
// (c/lib/*.c -> build/c/libwasi-sysv.a, built on first use). Everything
// else on the command line goes to clang as it is.
//
// A room of its own: the core (host/) knows nothing of C; this module uses
// only the shared build helpers of host/toolchain.ts.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BuildError, buildStep, stale } from '../host/toolchain.js';

/** The package root (dist/c/ -> ../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const PACKAGES = 'apt-get install clang lld wasi-libc libclang-rt-dev-wasm32';

export interface Toolchain {
  clang: string;
  /** clang's own headers (stddef.h, stdarg.h...). */
  resourceInclude: string;
  /** wasi-libc's headers and libraries. */
  sysroot: string;
  libcInclude: string;
  libcLib: string;
  /** compiler-rt's builtins for wasm32. */
  builtins: string;
}

const runs = (cmd: string, args: string[]) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.error || r.status !== 0 ? null : r.stdout.trim();
};

let found: Toolchain | undefined;

/**
 * Finds clang, wasi-libc and compiler-rt, or throws a BuildError: one line
 * naming what is missing and the Debian packages that bring it.
 * WASI_SYSV_CLANG and WASI_SYSROOT override the search.
 */
export function findToolchain(): Toolchain {
  if (found) return found;
  const clangs = process.env['WASI_SYSV_CLANG'] ? [process.env['WASI_SYSV_CLANG']]
    : ['clang', ...Array.from({ length: 8 }, (_, i) => `clang-${20 - i}`), 'clang-14'];
  const clang = clangs.find((c) => runs(c, ['--version']) !== null);
  if (!clang) throw new BuildError(`wasi-sysv cc: clang is not installed: ${PACKAGES}`);

  const roots = process.env['WASI_SYSROOT'] ? [process.env['WASI_SYSROOT']] : ['/usr/share/wasi-sysroot', '/usr/lib/wasi-sysroot', '/usr'];
  let sys: Pick<Toolchain, 'sysroot' | 'libcInclude' | 'libcLib'> | undefined;
  for (const root of roots) {
    const inc = [path.join(root, 'include', 'wasm32-wasi'), path.join(root, 'include')]
      .find((d) => fs.existsSync(path.join(d, 'wasi', 'api.h')));
    const lib = path.join(root, 'lib', 'wasm32-wasi');
    if (inc && fs.existsSync(path.join(lib, 'libc.a'))) { sys = { sysroot: root, libcInclude: inc, libcLib: lib }; break; }
  }
  if (!sys) throw new BuildError(`wasi-sysv cc: wasi-libc is not installed (no wasm32-wasi libc.a under ${roots.join(', ')}): ${PACKAGES}`);

  const builtins = runs(clang, ['--target=wasm32-wasi', '-print-libgcc-file-name']);
  if (!builtins || !fs.existsSync(builtins)) {
    throw new BuildError(`wasi-sysv cc: compiler-rt for wasm32 is not installed (${builtins ?? 'clang does not say where'}): ${PACKAGES}`);
  }
  const resource = runs(clang, ['-print-resource-dir']);
  if (!resource) throw new BuildError(`wasi-sysv cc: ${clang} -print-resource-dir failed: ${PACKAGES}`);
  const ld = runs(clang, ['--target=wasm32-wasi', '-print-prog-name=wasm-ld']);
  if (!ld || (path.isAbsolute(ld) ? !fs.existsSync(ld) : runs(ld, ['--version']) === null)) {
    throw new BuildError(`wasi-sysv cc: the wasm linker (wasm-ld, from lld) is not installed: ${PACKAGES}`);
  }
  found = { clang, resourceInclude: path.join(resource, 'include'), builtins, ...sys };
  return found;
}

export const INCLUDE = path.join(ROOT, 'c', 'include');
const LIB_SRC = path.join(ROOT, 'c', 'lib');

function headerFiles(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => f.endsWith('.h')).map((f) => path.join(dir, f));
}

/** Flags that make clang compile for this host, our headers first. */
function compileFlags(t: Toolchain): string[] {
  return [
    '--target=wasm32-wasi', `--sysroot=${t.sysroot}`,
    // Only these include directories: with a sysroot of /usr, clang would
    // also search /usr/include, the host's glibc headers.
    '-nostdinc', '-isystem', INCLUDE, '-isystem', t.resourceInclude, '-isystem', t.libcInclude,
    // getpid() is real here (proc.getpid): declare it without wasi-libc's
    // deprecation.
    '-D_WASI_EMULATED_GETPID',
  ];
}

/** build/c/libwasi-sysv.a from c/lib/*.c, rebuilt when a source or header is newer; returns its directory. */
export function ensureLibrary(t: Toolchain = findToolchain(), root: string = ROOT): string {
  const outDir = path.join(root, 'build', 'c');
  const lib = path.join(outDir, 'libwasi-sysv.a');
  const srcs = fs.readdirSync(LIB_SRC).filter((f) => f.endsWith('.c')).map((f) => path.join(LIB_SRC, f));
  if (!stale(lib, [...srcs, ...headerFiles(INCLUDE)])) return outDir;
  fs.mkdirSync(outDir, { recursive: true });
  // Objects and archive under names of this process, then one rename: a
  // concurrent build never sees half an archive.
  const tmp = fs.mkdtempSync(path.join(outDir, `.lib-${process.pid}-`));
  try {
    const objs = srcs.map((s) => {
      const o = path.join(tmp, path.basename(s, '.c') + '.o');
      buildStep(t.clang, [...compileFlags(t), '-O2', '-Wall', '-Wextra', '-Werror', '-c', s, '-o', o], root, `C guest library (${path.basename(s)})`);
      return o;
    });
    const ar = path.join(tmp, 'libwasi-sysv.a');
    const llvmAr = ['llvm-ar', `llvm-ar-${/clang-(\d+)$/.exec(t.clang)?.[1] ?? ''}`, 'llvm-ar-14'].find((a) => runs(a, ['--version']) !== null);
    if (!llvmAr) throw new BuildError(`wasi-sysv cc: llvm-ar is not installed (it comes with clang's llvm): ${PACKAGES} llvm`);
    buildStep(llvmAr, ['rcs', ar, ...objs], root, 'C guest library (archive)');
    fs.renameSync(ar, lib);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return outDir;
}

/** clang's arguments for `wasi-sysv cc ARGS`. */
export function clangArgs(args: string[], t: Toolchain = findToolchain()): string[] {
  // Only compiling (or preprocessing): no library, no linking flags.
  const noLink = args.some((a) => ['-c', '-S', '-E', '-M', '-MM', '-fsyntax-only'].includes(a));
  const link = noLink ? [] : [`-L${ensureLibrary(t)}`];
  // strerror and perror with glibc's texts (c/lib/strerror.c). Without -g,
  // the DWARF that Debian's libc.a carries is left out (150 KB of a 180 KB
  // module); the name section stays, so a trap still names its function.
  const debug = args.some((x) => /^-g/.test(x));
  return [...compileFlags(t), ...link, ...args, ...(noLink ? [] : ['-lwasi-sysv', '-Wl,--wrap=strerror', ...(debug ? [] : ['-Wl,--strip-debug'])])];
}

const USAGE = `usage: wasi-sysv cc FILE.c... -o OUT.wasm [clang flags]
Compiles C against wasi-libc and the SysV headers of wasi-sysv (sys/ipc.h,
sys/shm.h, sys/sem.h, sys/wait.h, wasi-sysv/proc.h) into a guest for
wasi-sysv run. Every argument goes to clang (e.g. -O2 -Wall -DNAME).
Needs: ${PACKAGES}.`;

/** The command: exit status 0, clang's own status on a compile error, 2 for a missing toolchain or no arguments. */
export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h') {
    fs.writeSync(argv.length ? 1 : 2, USAGE + '\n');
    return argv.length ? 0 : 2;
  }
  let t: Toolchain, args: string[];
  try {
    t = findToolchain();
    args = clangArgs(argv, t);
  } catch (e: any) {
    if (e instanceof BuildError) { fs.writeSync(2, `${e.message}\n`); return 2; }
    throw e;
  }
  const r = spawnSync(t.clang, args, { stdio: 'inherit' });
  if (r.error) { fs.writeSync(2, `wasi-sysv cc: cannot run ${t.clang}: ${r.error.message}\n`); return 2; }
  return r.status ?? 1;
}
