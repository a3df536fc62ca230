// The compilers the conformance suite, the fuzzer and the bench use on first
// run, what to say when one is missing, and the rebuild-when-stale steps
// they share. A package install ships the wasm guests
// prebuilt (asc is a dev tool) and builds the small C programs with the
// user's cc the first time they are needed.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';

/** A build that cannot happen here; its message is one line for people. */
export class BuildError extends Error {}

let ccFound: boolean | undefined;
/** Throws BuildError when there is no C compiler on PATH. */
export function needCc(what: string): void {
  ccFound ??= !spawnSync('cc', ['--version'], { stdio: 'ignore' }).error;
  if (!ccFound) {
    throw new BuildError(`${what} is built on first use with a C compiler, and there is no cc on PATH: install one (e.g. apt-get install gcc) and run again`);
  }
}

/** The assemblyscript compiler beside the package, or null in a package install without it. */
export function ascJs(root: string): string | null {
  const p = path.join(root, 'node_modules', 'assemblyscript', 'bin', 'asc.js');
  return fs.existsSync(p) ? p : null;
}

/** When asc is missing: use a prebuilt guest as it is, or say how to get one. */
export function prebuiltOnly(out: string, root: string): void {
  if (!fs.existsSync(out)) {
    throw new BuildError(`${path.relative(root, out)} is not built and assemblyscript is not installed: npm install --save-dev assemblyscript @assemblyscript/wasi-shim`);
  }
}

const mtime = (p: string) => fs.statSync(p, { throwIfNoEntry: false })?.mtimeMs ?? -Infinity;

/** The files of dir whose names end in one of exts (none if dir is missing). */
export function sources(dir: string, exts: string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((n) => exts.some((e) => n.endsWith(e))).map((n) => path.join(dir, n));
}

/** out is missing or older than one of deps. */
export function stale(out: string, deps: string[]): boolean {
  const t = mtime(out);
  return deps.some((d) => mtime(d) > t);
}

/** Runs one build step quietly; on failure, an Error with the command and what it printed. */
export function buildStep(cmd: string, args: string[], cwd: string, what: string): void {
  try {
    execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e: any) {
    const out = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim();
    throw new Error(`building the ${what} failed: ${cmd} ${args.join(' ')}\n${out || e.message}`);
  }
}
