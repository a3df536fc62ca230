// Runs one guest to completion on the current thread: WASI and sysv imports,
// instantiation, _start, and the cleanup that must happen however the guest
// ends: every window detached (segments and data stay), the guest's host
// descriptors closed (its --dir writes are already on disk).
// The module is loaded with its memory.grow routed through the host
// (wasm-rewrite.ts), so that linear memory can grow with read-only windows
// attached (windows.ts, grow()).
import fs from 'node:fs';
import path from 'node:path';
import { createWasi, initWasi, GuestExit, HostFailure } from './wasi.js';
import { SysvState } from './sysv-state.js';
import { sysvImports } from './sysv.js';
import { ProcState, procImports, PROC_IMPORTS } from './proc.js';
import { StopSignal, GuestStopped } from './stop.js';
import type { DirMapping } from './dirs.js';
import { routeMemoryGrow, GROW_IMPORT, START_EXPORT, WasmRewriteError } from './wasm-rewrite.js';
import * as libc from './libc.js';
import { errnoName } from './abi.js';
import { GuestStdio, inheritPlan, type StdioPlan } from './stdio.js';

export interface GuestOptions {
  wasmPath: string;
  /** Guest argv, argv[0] included. */
  args: string[];
  env: Record<string, string>;
  dirs: DirMapping[];
  /** true: trace lines to the guest's stderr; 'callback': posted to the embedder. */
  trace: boolean | 'callback';
  /** Where fd 0-2 go (stdio.ts); default: the process's own. */
  stdio?: StdioPlan;
  /** Shared stop flag from the supervisor (see stop.ts). */
  stopShared?: SharedArrayBuffer;
  /**
   * Called once the guest has ended and all its cleanup is done (windows
   * detached), with its linear memory. In-process runs pass it directly;
   * the worker sets it for holdShared (a function cannot be posted). Tests
   * keep that memory alive to observe the detach while it is still mapped:
   * when a worker ends, V8 unmaps its memory, which drops any window left
   * attached and would hide a missing detach.
   */
  onEnd?: (memory: WebAssembly.Memory) => void;
  /**
   * Linear memory may not grow past this many wasm pages (64 KiB): a guest
   * memory.grow past it returns -1, a shmat that would need it gives ENOMEM,
   * and the outcome says how many growths were refused (memoryRefused).
   */
  memoryPages?: number;
  /**
   * The module as loadModule(wasmPath) returned it, if the caller has it
   * already (the CLI checks the module before it starts the worker): saves
   * loading, rewriting and compiling it twice. Posted to the worker as is.
   */
  module?: WebAssembly.Module;
  /**
   * Keep the guest's memory alive after it ended (worker.ts): the worker
   * posts the outcome, then waits until [0] of this buffer (Int32) is
   * nonzero. For tests that must see what the guest's end did (windows
   * detached) before its memory could unmap them anyway.
   */
  holdShared?: SharedArrayBuffer;
  /**
   * Run the guest as this uid and gid (root only). The host loads everything
   * it needs first (modules, the guest, WASI), then drops its privileges for
   * the whole process, as sandboxes do: neither the guest nor the host's
   * files need be reachable by that user. --dir directories are opened and
   * used as that user.
   */
  uid?: number;
  /**
   * Live children the guest may have at once (proc.spawn gives EAGAIN past
   * it; never more than proc.ts's MAX_CHILDREN); each child inherits it.
   */
  maxProcs?: number;
  /** A FIFO of spawn tokens shared by a tree of guests (proc.ts, ProcConfig.tokens). */
  spawnTokens?: string;
  /** The live child pids, shared with the supervisor (proc.ts, ProcConfig.shared). */
  procShared?: SharedArrayBuffer;
  /** Race hunting: random short pauses around every sysv call, from this seed (perturb.ts). */
  perturbSeed?: number;
}

export type GuestOutcome = (
  | { kind: 'exit'; code: number }
  | { kind: 'trap'; message: string; func?: string }
  | { kind: 'stopped' }
  | { kind: 'error'; message: string }
) & {
  /** Growths refused by GuestOptions.memoryPages (absent when none was). */
  memoryRefused?: number;
  /** Linear memory at the end, in 64 KiB pages: its peak, since it never shrinks (absent when no instance ran). */
  peakPages?: number;
};

/** A problem with the module itself, reported as one line before it runs. */
export class ModuleError extends Error {}

export async function loadModule(wasmPath: string): Promise<WebAssembly.Module> {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(wasmPath);
  } catch (e: any) {
    const why = e?.code === 'ENOENT' ? 'no such file (check the path)' : e?.message;
    throw new ModuleError(e?.code === 'EISDIR' ? `${wasmPath} is a directory: pass a .wasm file` : `cannot read ${wasmPath}: ${why}`);
  }
  const original: Uint8Array<ArrayBuffer> = new Uint8Array(bytes);
  const invalid = (e: any) => new ModuleError(`${wasmPath} is not a valid WebAssembly module (${e?.message ?? e}); pass a .wasm file`);
  let rewritten: Uint8Array<ArrayBuffer>;
  let startExported = false;
  try {
    ({ bytes: rewritten, startExported } = routeMemoryGrow(original));
  } catch (e: any) {
    if (!(e instanceof WasmRewriteError)) throw e;
    // The engine's own message is the clearer one for a module that is invalid anyway.
    try { await WebAssembly.compile(original); } catch (v: any) { throw invalid(v); }
    throw new ModuleError(`${wasmPath}: cannot route its memory.grow through the host (${e.message}); ` +
      'the host supports WebAssembly 1.0 with the standard extensions (one 32-bit memory)');
  }
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(rewritten);
  } catch (e: any) {
    if (rewritten === original) throw invalid(e);
    try { await WebAssembly.compile(original); } catch (v: any) { throw invalid(v); }
    throw new ModuleError(`${wasmPath}: routing its memory.grow through the host gave an invalid module (${e?.message ?? e}); this is a host bug, please report it`);
  }
  const exports = WebAssembly.Module.exports(module);
  if (!startExported && exports.some((x) => x.name === START_EXPORT)) {
    throw new ModuleError(`${wasmPath} exports "${START_EXPORT}", a name the host reserves (docs/abi.md); rename that export`);
  }
  if (!exports.some((x) => x.name === '_start' && x.kind === 'function')) {
    throw new ModuleError(`${wasmPath} has no _start function: build it as a WASI command (asc with the wasi-shim config)`);
  }
  if (!exports.some((x) => x.name === 'memory' && x.kind === 'memory')) {
    throw new ModuleError(`${wasmPath} does not export its memory as "memory"`);
  }
  const known = new Set(['shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl']);
  for (const imp of WebAssembly.Module.imports(module)) {
    if ((imp.module === 'sysv' && !known.has(imp.name)) || (imp.module === 'proc' && !PROC_IMPORTS.includes(imp.name))) {
      throw new ModuleError(`${wasmPath} imports ${imp.module}.${imp.name}, which the host does not provide (see abi.md)`);
    }
  }
  return module;
}

/** The trap's message and the innermost guest function named in its stack. */
export function describeTrap(e: Error): { message: string; func?: string } {
  const frame = (e.stack ?? '').split('\n').find((l) => l.includes('wasm://') || l.includes('wasm-function['));
  const named = frame?.match(/at\s+(.+?)\s+\(wasm:\/\//);
  const func = named?.[1] ?? frame?.match(/wasm-function\[\d+\]/)?.[0];
  return func ? { message: e.message, func } : { message: e.message };
}

export async function runGuestHere(opts: GuestOptions): Promise<GuestOutcome> {
  const module = opts.module ?? await loadModule(opts.wasmPath);
  await initWasi();
  if (opts.uid !== undefined) {
    const e = libc.dropPrivileges(opts.uid);
    if (e !== 0) return { kind: 'error', message: `cannot run the guest as uid ${opts.uid}: ${errnoName(e)} (switching users needs root)` };
  }
  const stop = new StopSignal(opts.stopShared);
  const state = new SysvState(stop);
  const stdio = new GuestStdio(opts.stdio ?? inheritPlan(), stop);
  let wasi: ReturnType<typeof createWasi>;
  try {
    wasi = createWasi(module, { args: opts.args, env: opts.env, dirs: opts.dirs, stdio }, stop);
  } catch (e: any) {
    stdio.close();
    return { kind: 'error', message: e?.message ?? String(e) };
  }
  const trace = opts.trace ? (line: string) => stdio.trace(line, opts.trace === 'callback') : undefined;
  const proc = new ProcState({
    wasmPath: path.resolve(opts.wasmPath), env: opts.env, dirs: opts.dirs, trace: opts.trace !== false,
    ...(opts.maxProcs !== undefined ? { maxProcs: opts.maxProcs } : {}),
    ...(opts.memoryPages !== undefined ? { memoryPages: opts.memoryPages } : {}),
    ...(opts.procShared ? { shared: opts.procShared } : {}),
    ...(opts.spawnTokens !== undefined ? { tokens: opts.spawnTokens } : {}),
  }, stop);
  const imports = {
    ...wasi.imports,
    sysv: sysvImports(state, trace, opts.perturbSeed),
    proc: procImports(proc, () => state.mem, trace),
    [GROW_IMPORT.module]: { [GROW_IMPORT.name]: (delta: number) => state.windows.grow(delta) },
  };

  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  } catch (e: any) {
    wasi.close();
    stdio.close();
    return { kind: 'error', message: `cannot instantiate ${opts.wasmPath}: ${e?.message ?? e}` };
  }
  state.bind(instance.exports['memory'] as WebAssembly.Memory, { memoryPages: opts.memoryPages });
  wasi.bind(instance, state.mem);

  let outcome: GuestOutcome;
  try {
    // A start function runs here, once the host holds the memory (it may grow it).
    const start = instance.exports[START_EXPORT];
    if (typeof start === 'function') start();
    (instance.exports['_start'] as () => void)();
    outcome = { kind: 'exit', code: 0 };
  } catch (e: any) {
    outcome = classify(e);
  } finally {
    wasi.close();
    proc.close();
    try {
      state.windows.detachAll();
    } catch (e: any) {
      outcome = { kind: 'error', message: `detaching windows failed: ${e?.message ?? e}` };
    }
    stdio.close();
  }
  if (state.windows.limitRefusals > 0) outcome.memoryRefused = state.windows.limitRefusals;
  outcome.peakPages = (instance.exports['memory'] as WebAssembly.Memory).buffer.byteLength / 65536;
  opts.onEnd?.(instance.exports['memory'] as WebAssembly.Memory);
  return outcome;
}

function classify(e: any): GuestOutcome {
  if (e instanceof GuestExit) return { kind: 'exit', code: e.code };
  if (e instanceof GuestStopped) return { kind: 'stopped' };
  if (e instanceof HostFailure) return { kind: 'error', message: e.message };
  if (e instanceof WebAssembly.RuntimeError) return { kind: 'trap', ...describeTrap(e) };
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { kind: 'trap', ...describeTrap(e) };
  return { kind: 'error', message: e?.message ?? String(e) };
}
