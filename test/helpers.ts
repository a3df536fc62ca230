// Shared helpers for the tests: `test` with a timeout, building test guests
// and native tools on demand, running the CLI as a real process, and asking
// the kernel directly.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { test as uvuTest } from 'uvu';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import koffi from 'koffi';
import * as libc from '../host/libc.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLI = path.join(ROOT, 'bin/wasi-sysv.js');
const OUT = path.join(ROOT, 'build/test');

/** Every process started with start() that has not ended yet. */
const live = new Set<ChildProcess>();

/** How long a test may take unless it says otherwise. */
/**
 * Scales every time limit of the tests (WASI_SYSV_TEST_TIME_SCALE, default
 * 1): the mutation runner's coverage pass sets it, since there every host
 * function records each mutant it reaches and a heavy test (a poll of
 * 1,000,000 subscriptions) runs many times slower.
 */
export const TIME_SCALE = Math.max(1, Number(process.env.WASI_SYSV_TEST_TIME_SCALE ?? 1) || 1);
export const TEST_TIMEOUT_MS = 60_000 * TIME_SCALE;

type Handler = () => unknown;

/**
 * uvu has no timeout: a test waiting on a stuck guest would hang the run.
 * This one fails after ms instead and kills every process the test started
 * with start(). (A test blocked in a synchronous call cannot be interrupted
 * from inside; scripts/uvu-run.mjs kills its whole file after a deadline,
 * and cli() and the tests' spawnSync calls carry their own timeouts.)
 */
export function withTimeout(name: string, fn: Handler, ms: number): () => Promise<void> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        for (const c of live) c.kill('SIGKILL');
        reject(new Error(`test "${name}" timed out after ${ms} ms (its processes were killed)`));
      }, ms);
    });
    try {
      await Promise.race([Promise.resolve().then(fn), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

interface TimedTest {
  (name: string, fn: Handler, timeoutMs?: number): void;
  only(name: string, fn: Handler, timeoutMs?: number): void;
  skip(name: string, fn?: Handler): void;
  before: typeof uvuTest.before;
  after: typeof uvuTest.after;
  run(): void;
}

/** uvu's test, each with a timeout (TEST_TIMEOUT_MS unless given). Every test file uses this one. */
export const test: TimedTest = Object.assign(
  (name: string, fn: Handler, timeoutMs = TEST_TIMEOUT_MS) => uvuTest(name, withTimeout(name, fn, timeoutMs)),
  {
    only: (name: string, fn: Handler, timeoutMs = TEST_TIMEOUT_MS) => uvuTest.only(name, withTimeout(name, fn, timeoutMs)),
    skip: (name: string, fn?: Handler) => uvuTest.skip(name, fn as any),
    before: uvuTest.before,
    after: uvuTest.after,
    run: () => uvuTest.run(),
  },
);

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
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', input: input ?? '', timeout: 30_000 * TIME_SCALE });
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
  live.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => { out += d; });
  child.stderr!.on('data', (d) => { err += d; });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => { live.delete(child); resolve({ code, signal }); }));
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

// Copies between this process's memory and a raw address, for NativeView.
const testLibc = koffi.load('libc.so.6');
const copyFrom = testLibc.func('memcpy', 'uintptr_t', ['void *', 'uintptr_t', 'size_t']) as (d: Uint8Array, s: number, n: number) => number;
const copyTo = testLibc.func('memcpy', 'uintptr_t', ['uintptr_t', 'void *', 'size_t']) as (d: number, s: Uint8Array, n: number) => number;

/**
 * An independent view of a segment: a native shmat in this process at an
 * address the kernel picks, outside any wasm memory. Bytes read here come
 * from the kernel segment, never from a wasm memory's buffer, so a window
 * that is not the segment (a copy, anonymous pages) shows as a difference.
 */
export class NativeView {
  readonly addr: number;
  constructor(readonly shmid: number, readonly size: number) {
    this.addr = libc.shmat(shmid, 0, 0);
    if (this.addr === -1) throw new Error(`native shmat(${shmid}) failed: errno ${libc.errno()}`);
  }
  read(off: number, len: number): Uint8Array {
    if (off < 0 || off + len > this.size) throw new RangeError(`read ${off}+${len} outside the ${this.size}-byte segment`);
    const out = new Uint8Array(len);
    copyFrom(out, this.addr + off, len);
    return out;
  }
  write(off: number, bytes: Uint8Array): void {
    if (off < 0 || off + bytes.length > this.size) throw new RangeError(`write ${off}+${bytes.length} outside the ${this.size}-byte segment`);
    copyTo(this.addr + off, bytes, bytes.length);
  }
  u32(off: number): number { return new DataView(this.read(off, 4).buffer).getUint32(0, true); }
  setU32(off: number, v: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    this.write(off, b);
  }
  detach(): void {
    if (libc.shmdt(this.addr) !== 0) throw new Error(`native shmdt failed: errno ${libc.errno()}`);
  }
}

/**
 * A host that lives on after its guest (test/live-host.ts): 'here' runs the
 * guest on the host's main thread, 'thread' on a worker that "stop" on
 * stdin stops; "exit" on stdin ends the host.
 */
export function liveHost(mode: 'here' | 'thread', wasm: string, args: string[]): Running {
  return start(process.execPath, [path.join(ROOT, 'dist/test/live-host.js'), mode, wasm, ...args], { stdin: 'pipe' });
}

/** The line of /proc/PID/maps whose range holds addr, or undefined when addr is not mapped. */
export function mappingAt(pid: number, addr: number): string | undefined {
  return fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n').find((l) => {
    const m = /^([0-9a-f]+)-([0-9a-f]+) /.exec(l);
    return m !== null && parseInt(m[1]!, 16) <= addr && addr < parseInt(m[2]!, 16);
  });
}

/** Lines of `ipcs` rows (keys start with 0x) for shm (-m) or sem (-s). */
export function ipcsRows(kind: '-m' | '-s'): string[] {
  return spawnSync('ipcs', [kind], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.startsWith('0x'));
}

/** Removes every segment and semaphore set in this (test) IPC namespace. */
export function clearIpc(): void {
  spawnSync('ipcrm', ['--all'], { encoding: 'utf8' });
}

/**
 * Runs each pairing of a double-buffer writer and reader (seeds' dbuf
 * examples, 64 buffers of 64 KiB) on a key of its own from firstKey up, and
 * checks that every pairing moved the same bytes (equal checksums).
 */
export async function checkDbufPairs(pairs: Array<[string, string[], string[]]>, firstKey: number): Promise<void> {
  const args = (key: number) => ['--key', String(key), '--size', '65536', '--count', '64'];
  const sums = new Set<string>();
  let key = firstKey;
  for (const [name, w, r] of pairs) {
    key++;
    const wp = start(w[0]!, [...w.slice(1), ...args(key)]);
    const rp = start(r[0]!, [...r.slice(1), ...args(key)]);
    const [wd, rd] = await Promise.all([wp.done, rp.done]);
    assert.is(wd.code, 0, `${name} writer: ${wp.err()}`);
    assert.is(rd.code, 0, `${name} reader: ${rp.err()}`);
    const ws = /checksum=([0-9a-f]{16}) bytes=4194304 buffers=64/.exec(wp.out())?.[1];
    const rs = /checksum=([0-9a-f]{16}) bytes=4194304 buffers=64/.exec(rp.out())?.[1];
    assert.ok(ws && rs, `${name}: ${wp.out()} ${rp.out()}`);
    assert.is(ws, rs, name);
    sums.add(ws!);
  }
  assert.is(sums.size, 1, 'every pairing moved the same bytes');
}
