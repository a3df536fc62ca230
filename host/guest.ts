// Runs one guest to completion on the current thread: WASI and sysv imports,
// instantiation, _start, and the cleanup that must happen however the guest
// ends: every window detached (segments and data stay), the guest's host
// descriptors closed (its --dir writes are already on disk).
// The module is loaded with its memory.grow routed through the host
// (wasm-rewrite.ts), so that linear memory can grow with read-only windows
// attached (windows.ts, grow()). With a perturbation seed (race hunting),
// its loads are also wrapped in hooks that pause after window loads
// (perturb.ts, memoryHooks).
import path from 'node:path';
import { createWasi, initWasi, GuestExit, HostFailure } from './wasi.js';
import { SysvState } from './sysv-state.js';
import { sysvImports } from './sysv.js';
import { ProcState, procImports } from './proc.js';
import { StopSignal, GuestStopped } from './stop.js';
import type { DirMapping } from './dirs.js';
import { ATOMIC_IMPORT, BULK_IMPORTS, GROW_IMPORT, PERTURB_IMPORTS, READONLY_EXPORT, START_EXPORT, WRAPPER_NAMES } from './wasm-rewrite.js';
import { loadModule } from './module.js';
import { memoryHooks } from './perturb.js';
import * as libc from './libc.js';
import { errnoName, PAGE_SIZE } from './abi.js';
import { inheritPlan, type StdioPlan } from './stdio.js';
import { GuestStdio } from './guest-stdio.js';

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
  /**
   * Race hunting: random short pauses around every sysv call and after
   * loads from windows, from this seed (perturb.ts). The module must have
   * been loaded with loadModule(path, { wrapLoads: true }).
   */
  perturbSeed?: number;
}

export { loadModule, ModuleError } from './module.js';

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

const WRAPPERS = Object.values(WRAPPER_NAMES);

/** The trap's message and the innermost guest function named in its stack. */
export function describeTrap(e: Error): { message: string; func?: string } {
  // The first frame of the guest's own code (not a function the host's
  // rewrite added: a trap in its memory.copy is the caller's).
  const frame = (e.stack ?? '').split('\n').find((l) => (l.includes('wasm://') || l.includes('wasm-function[')) && !WRAPPERS.some((n) => l.includes(`at ${n} (`)));
  const named = frame?.match(/at\s+(.+?)\s+\(wasm:\/\//);
  const func = named?.[1] ?? frame?.match(/wasm-function\[\d+\]/)?.[0];
  return func ? { message: e.message, func } : { message: e.message };
}

/**
 * The guest's memory.copy, memory.fill and atomic writes while it has a
 * read-only window, and its memory.init always, routed here by the module rewrite
 * (wasm-rewrite.ts): V8 runs them outside its trap handler (the bulk ones
 * in C++), where a write into a read-only window is a SIGSEGV of the host,
 * not the guest's trap.
 * Any byte out of bounds, or a destination byte in a read-only window, traps
 * as the instruction does, before anything is written.
 */
function guardedWrites(state: SysvState): Record<string, Function> {
  const trap = () => new WebAssembly.RuntimeError('memory access out of bounds');
  return {
    [BULK_IMPORTS.copy]: (dest: number, src: number, n: number) => {
      const mem = state.mem, len = n >>> 0;
      if (!mem.inBounds(src, len) || !mem.writable(dest, len)) throw trap();
      mem.u8.copyWithin(dest >>> 0, src >>> 0, (src >>> 0) + len);
    },
    [BULK_IMPORTS.fill]: (dest: number, value: number, n: number) => {
      const mem = state.mem, len = n >>> 0;
      if (!mem.writable(dest, len)) throw trap();
      mem.u8.fill(value & 0xff, dest >>> 0, (dest >>> 0) + len);
    },
    // The instruction itself checks the data segment and the bounds.
    [BULK_IMPORTS.init]: (dest: number, offset: number, n: number) => {
      if (state.mem.inBounds(dest, n >>> 0) && !state.mem.writable(dest, n >>> 0)) throw trap();
      return [dest, offset, n];
    },
    // Before an atomic write (address + the instruction's offset, its width):
    // the instruction itself then checks bounds and alignment.
    [ATOMIC_IMPORT]: (addr: number, width: number, offset: number) => {
      const at = (addr >>> 0) + (offset >>> 0);
      if (at < 2 ** 32 && state.mem.inBounds(at, width) && !state.mem.writable(at, width)) throw trap();
    },
  };
}

export async function runGuestHere(opts: GuestOptions): Promise<GuestOutcome> {
  const module = opts.module ?? await loadModule(opts.wasmPath, { wrapLoads: opts.perturbSeed !== undefined });
  if (opts.uid !== undefined) {
    // The library is otherwise loaded on first use; after the switch its
    // files need not be readable by that user.
    await initWasi();
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
  const sysv = sysvImports(state, trace, opts.perturbSeed);
  const hostOwn: Record<string, Function> = { [GROW_IMPORT.name]: (delta: number) => state.windows.grow(delta), ...guardedWrites(state) };
  if (opts.perturbSeed !== undefined && WebAssembly.Module.imports(module).some((i) => i.name === PERTURB_IMPORTS.at)) {
    // The load hooks pause only after loads from windows: they learn them after each shmat and shmdt.
    const hooks = memoryHooks(opts.perturbSeed);
    Object.assign(hostOwn, hooks.imports);
    for (const name of ['shmat', 'shmdt']) {
      const call = sysv[name]!;
      sysv[name] = (...args: number[]) => {
        const r = call(...args);
        hooks.setWindows(state.windows.list().flatMap((w) => w.runs.map((x) => ({ start: x.start * PAGE_SIZE, end: x.end * PAGE_SIZE }))));
        return r;
      };
    }
  }
  const imports = {
    ...wasi.imports,
    sysv,
    proc: procImports(proc, () => state.mem, trace),
    [GROW_IMPORT.module]: hostOwn,
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
  const flag = instance.exports[READONLY_EXPORT];
  if (flag instanceof WebAssembly.Global) state.mem.readOnlyFlag = flag;
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
