// The public API of the wasi-sysv package (`import ... from "wasi-sysv"`):
// run a guest, run the conformance suite, run the bench. A thin layer over
// the internals (runner, stdio, the suite, the bench), which may change
// between versions; what is exported here is what the package promises.
// The wasi-sysv command is built on it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDir, type DirMapping, type DirQuota } from './dirs.js';
import { loadModule, ModuleError } from './module.js';
import { checkWasiCommand } from './command.js';
import { runGuest, SIGNALS, type StopCause } from './runner.js';
import { StdioPump, type InputSource, type OutputTarget } from './stdio.js';

export type { InputSource, OutputTarget, StopCause, DirQuota };

export interface RunOptions {
  /** Guest arguments after argv[0]. */
  args?: string[];
  /** The guest's argv[0] (default: the module path as given). */
  argv0?: string;
  /** The guest's environment; the host's is never passed through. */
  env?: Record<string, string>;
  /**
   * Host directories the guest sees: "HOST[:GUEST[:ro,bytes=SIZE,files=N]]" or
   * { host, guest, quota, readOnly }. Served in place (no copies): the guest's writes
   * reach the disk as they happen, and the kernel keeps every path beneath
   * its directory. Past a quota, writes and creations get EDQUOT.
   */
  dirs?: Array<string | { host: string; guest?: string; quota?: DirQuota; readOnly?: boolean }>;
  /** Guest fd 0: 'inherit' (default), 'ignore' (EOF), an fd, { file }, or { data }. */
  stdin?: InputSource;
  /** Guest fd 1: 'inherit' (default), 'ignore', an fd, a Writable, or a callback per chunk. */
  stdout?: OutputTarget;
  /** Guest fd 2: as stdout. */
  stderr?: OutputTarget;
  /** Bytes kept per output stream; the rest is dropped and the result says so. */
  outputLimitBytes?: number;
  /** Stop the guest after this many seconds (kind 'timeout'). */
  timeoutSeconds?: number;
  /** Stop the guest when this signal aborts (kind 'interrupted', signal 'abort'). */
  signal?: AbortSignal;
  /** One line per sysv call: true writes it to the guest's stderr, a function receives it. */
  trace?: boolean | ((line: string) => void);
  /** Stop the guest on SIGINT, SIGTERM and SIGHUP of this process (the CLI does). */
  handleSignals?: boolean;
  /**
   * Run the guest as this uid and gid (root only). The whole host process
   * drops its privileges once everything is loaded, so use it in a process
   * of its own (the CLI's --uid).
   */
  uid?: number;
  /**
   * Linear memory may not grow past this many 64 KiB pages: a guest's
   * memory.grow past it returns -1, a shmat that would need it ENOMEM.
   */
  memoryPages?: number;
  /**
   * Live children the guest may have at once (its proc.spawn gives EAGAIN
   * past it); each child gets the same limit. Default and maximum: 1024.
   */
  maxProcs?: number;
  /**
   * Race hunting: before and after every sysv call, nothing, a sched_yield
   * or a sleep of up to 2 ms, drawn from a PRNG with this seed (an unsigned
   * 32-bit integer); the same seed, the same draws. Children spawned through
   * proc are not perturbed.
   */
  perturbSeed?: number;
  /**
   * A FIFO that bounds the spawns of a whole tree of guests (a lab's
   * `processes` limit): each byte in it is one more process the tree may
   * start. spawn takes one (none left: EAGAIN), reaping the child gives it
   * back; every child gets the same FIFO. The caller creates and fills it.
   */
  spawnTokens?: string;
}

/** How a guest ended. */
export type RunEnd =
  | { kind: 'exit'; code: number }
  | { kind: 'trap'; message: string; func?: string }
  | { kind: 'timeout'; seconds: number }
  | { kind: 'interrupted'; signal: StopCause }
  /** phase 'load': the module or an option is unusable (status 1); 'host': the host failed (status 70). */
  | { kind: 'error'; phase: 'load' | 'host'; message: string };

/** How a run ended. `exitStatus` is what the wasi-sysv command exits with. */
export type RunResult = RunEnd & {
  exitStatus: number;
  /** Output streams cut at outputLimitBytes. */
  truncated: { stdout: boolean; stderr: boolean };
  /** memory.grow calls (or shmat placements) refused at memoryPages; absent when none was (or the guest was stopped). */
  memoryRefused?: number;
  /** The guest's linear memory at its end (its peak: it never shrinks), in 64 KiB pages; set when it exited or trapped. */
  peakPages?: number;
};

export const EXIT_TRAP = 134;
export const EXIT_TIMEOUT = 124;
export const EXIT_LOAD_ERROR = 1;
export const EXIT_HOST_ERROR = 70;

/** The exit status for a stop: 128 + the signal's number; an abort counts as SIGINT. */
export function signalStatus(cause: StopCause): number {
  return 128 + (cause === 'abort' ? SIGNALS.SIGINT : SIGNALS[cause]);
}

function toDir(d: string | { host: string; guest?: string; quota?: DirQuota; readOnly?: boolean }): DirMapping {
  if (typeof d === 'string') return parseDir(d);
  const out: DirMapping = { host: path.resolve(d.host), guest: d.guest ?? d.host };
  if (d.quota) out.quota = { ...d.quota };
  if (d.readOnly) out.readOnly = true;
  return out;
}

/**
 * Runs a WASI command guest on a worker thread and resolves with how it
 * ended. It never rejects for anything the guest or the module does; it
 * throws a TypeError for options of the wrong type.
 */
export async function run(wasm: string, options: RunOptions = {}): Promise<RunResult> {
  const o = options;
  const traceFn = typeof o.trace === 'function' ? o.trace : undefined;
  const pump = new StdioPump(
    { ...(o.stdin !== undefined ? { stdin: o.stdin } : {}), ...(o.stdout !== undefined ? { stdout: o.stdout } : {}),
      ...(o.stderr !== undefined ? { stderr: o.stderr } : {}), ...(o.outputLimitBytes !== undefined ? { outputLimitBytes: o.outputLimitBytes } : {}) },
    traceFn,
  );
  const done = (r: RunEnd, exitStatus: number): RunResult => ({ ...r, exitStatus, truncated: { ...pump.truncated } });
  const loadError = (message: string) => done({ kind: 'error', phase: 'load', message }, EXIT_LOAD_ERROR);

  if (o.timeoutSeconds !== undefined && !(o.timeoutSeconds > 0)) throw new TypeError('timeoutSeconds must be a positive number');
  if (o.maxProcs !== undefined && !(Number.isSafeInteger(o.maxProcs) && o.maxProcs >= 0)) throw new TypeError('maxProcs must be a whole number >= 0');
  if (o.perturbSeed !== undefined && !(Number.isInteger(o.perturbSeed) && o.perturbSeed >= 0 && o.perturbSeed <= 0xffffffff)) throw new TypeError('perturbSeed must be an integer from 0 to 4294967295');
  let dirs: DirMapping[];
  try {
    dirs = (o.dirs ?? []).map(toDir);
  } catch (e: any) {
    return loadError(e.message);
  }
  // The guest's worker starts now, and its start-up overlaps the loading
  // of the module here (docs/startup.md); a module or an option found
  // unusable cancels it before anything runs.
  let handOver!: (m: WebAssembly.Module | null) => void;
  const running = runGuest(
    {
      wasmPath: path.resolve(wasm), args: [o.argv0 ?? wasm, ...(o.args ?? [])], env: o.env ?? {}, dirs,
      trace: traceFn ? 'callback' : o.trace === true,
      ...(o.uid !== undefined ? { uid: o.uid } : {}),
      ...(o.memoryPages !== undefined ? { memoryPages: o.memoryPages } : {}),
      ...(o.maxProcs !== undefined ? { maxProcs: o.maxProcs } : {}),
      ...(o.perturbSeed !== undefined ? { perturbSeed: o.perturbSeed } : {}),
      ...(o.spawnTokens !== undefined ? { spawnTokens: o.spawnTokens } : {}),
    },
    {
      stdio: pump,
      module: new Promise((resolve) => { handOver = resolve; }),
      ...(o.handleSignals ? { handleSignals: true } : {}),
      ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    },
  );
  const cancel = async <T>(r: T): Promise<T> => { handOver(null); await running; return r; };
  let module: WebAssembly.Module;
  try {
    // Loaded (and its memory.grow routed through the host) once, here; the
    // worker runs this very module.
    module = await loadModule(wasm, { wrapLoads: o.perturbSeed !== undefined });
    checkWasiCommand(module, wasm);
  } catch (e: any) {
    if (e instanceof ModuleError) return cancel(loadError(e.message));
    await cancel(null);
    throw e;
  }
  for (const d of dirs) {
    if (!fs.statSync(d.host, { throwIfNoEntry: false })?.isDirectory()) return cancel(loadError(`--dir ${d.host}: not a directory`));
  }
  if (o.stdin && typeof o.stdin === 'object' && 'file' in o.stdin) {
    try { fs.accessSync(o.stdin.file, fs.constants.R_OK); } catch (e: any) { return cancel(loadError(`stdin ${o.stdin.file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`)); }
  }
  handOver(module);
  const outcome = await running;
  if (pump.broken) return done({ kind: 'error', phase: 'host', message: `guest output lost: ${pump.broken}` }, EXIT_HOST_ERROR);
  switch (outcome.kind) {
    case 'exit': return done(outcome, outcome.code);
    case 'trap': return done(outcome, EXIT_TRAP);
    case 'timeout': return done(outcome, EXIT_TIMEOUT);
    case 'interrupted': return done(outcome, signalStatus(outcome.signal));
    // Stopped from inside without a recorded cause: as Ctrl-C.
    case 'stopped': return done({ kind: 'interrupted', signal: 'SIGINT' }, signalStatus('SIGINT'));
    case 'error': return done({ kind: 'error', phase: 'host', message: outcome.message }, EXIT_HOST_ERROR);
  }
}

// ---- the conformance suite -------------------------------------------------------

export interface ConformanceOptions {
  /** Only cases whose name, group or file contains this text (case-insensitive). */
  filter?: string;
  /** Runs at a time (default 2). */
  concurrency?: number;
  /** The targets (default ['native', 'wasm', 'wasm-c']; also 'gvisor', 'qemu', 'wrap:CMD ...'); native, the reference, always runs. */
  targets?: string[];
  /** Called after each finished run. */
  onProgress?: (done: number, total: number, label: string) => void;
}

export type { CaseResult, RunnerResult } from '../conformance/suite.js';

/**
 * Runs the differential conformance suite: each case natively (a C
 * interpreter, built with cc on first use) and as a wasm guest, each in a
 * fresh IPC namespace (needs unshare). `ok` when every case agrees.
 */
export async function runConformance(options: ConformanceOptions = {}) {
  const { runSuite } = await import('../conformance/suite.js');
  const { cases } = await runSuite({ ...options });
  return { cases, ok: cases.length > 0 && cases.every((c) => c.agree) };
}

// ---- the bench ----------------------------------------------------------------

export type { BenchOptions, BenchReport, Result as BenchResult } from './bench/cli.js';

/** Runs the benchmark (see the README); builds its C twin with cc on first use. */
export async function runBench(options: import('./bench/cli.js').BenchOptions = {}) {
  const bench = await import('./bench/cli.js');
  return bench.runBench(options);
}

/** The package's version. */
export function version(): string {
  const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
  return pkg.version as string;
}
