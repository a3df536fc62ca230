// Shared helpers for the tests: building test guests and native tools on
// demand, running the CLI as a real process, and asking the kernel directly.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as libc from '../host/libc.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin/wasi-sysv.js');
const OUT = path.join(ROOT, 'build/test');

const newer = (src: string, out: string) =>
  !fs.existsSync(out) || fs.statSync(src).mtimeMs > fs.statSync(out).mtimeMs;

/** build/test/NAME.wasm from test/guests/NAME.ts, rebuilt when stale. */
export function guest(name: string): string {
  const src = path.join(ROOT, 'test/guests', `${name}.ts`);
  const out = path.join(OUT, `${name}.wasm`);
  if (newer(src, out)) {
    const r = spawnSync(path.join(ROOT, 'node_modules/.bin/asc'),
      [src, '--config', 'asconfig.json', '--target', 'release', '-o', out], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`asc ${name}: ${r.stderr}`);
  }
  return out;
}

/** build/test/NAME from test/native/NAME.c, rebuilt when stale. */
export function native(name: string): string {
  const src = path.join(ROOT, 'test/native', `${name}.c`);
  const out = path.join(OUT, name);
  if (newer(src, out)) {
    fs.mkdirSync(OUT, { recursive: true });
    const r = spawnSync('cc', ['-O2', '-Wall', '-Werror', '-o', out, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cc ${name}: ${r.stderr}`);
  }
  return out;
}

/** Runs the CLI to completion. */
export function cli(args: string[], input?: string): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', input: input ?? '', timeout: 60_000 });
}

export interface Running {
  child: ReturnType<typeof spawn>;
  out: () => string;
  err: () => string;
  /** Resolves when a line matching re has been printed on stdout. */
  line(re: RegExp, timeoutMs?: number): Promise<string>;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a process in the background, collecting its output. */
export function start(cmd: string, args: string[], opts: { stdin?: 'pipe' | 'ignore' } = {}): Running {
  const child = spawn(cmd, args, { cwd: ROOT, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })));
  return {
    child, done, out: () => out, err: () => err,
    line(re, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const t0 = Date.now();
        const poll = () => {
          const m = out.split('\n').find((l) => re.test(l));
          if (m !== undefined) return resolve(m);
          if (Date.now() - t0 > timeoutMs) return reject(new Error(`no line ${re} in:\n${out}\n${err}`));
          setTimeout(poll, 5);
        };
        poll();
      });
    },
  };
}

export const startCli = (args: string[], opts: { stdin?: 'pipe' | 'ignore' } = {}) =>
  start(process.execPath, [CLI, ...args], opts);

/** The kernel's view of a segment: IPC_STAT through glibc, in this process. */
export function shmStat(shmid: number): { segsz: number; nattch: number; mode: number; key: number } | null {
  const s = new libc.NativeScratch();
  if (libc.shmctl(shmid, 2, s.addr) === -1) return null;
  return {
    key: s.view.getInt32(0, true),
    mode: s.view.getUint32(20, true),
    segsz: Number(s.view.getBigUint64(48, true)),
    nattch: Number(s.view.getBigUint64(88, true)),
  };
}

/** Lines of `ipcs` rows (keys start with 0x) for shm (-m) or sem (-s). */
export function ipcsRows(kind: '-m' | '-s'): string[] {
  return spawnSync('ipcs', [kind], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('0x'));
}

/** Removes every segment and semaphore set in this (test) IPC namespace. */
export function clearIpc(): void {
  spawnSync('ipcrm', ['--all'], { encoding: 'utf8' });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
