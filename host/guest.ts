// Runs one guest to completion on the current thread: WASI and sysv imports,
// instantiation, _start, and the cleanup that must happen however the guest
// ends: every window detached (segments and data stay), --dir written back.
import fs from 'node:fs';
import { MemFS, createWasi, initWasi, GuestExit } from './wasi.js';
import { SysvState } from './sysv-state.js';
import { sysvImports } from './sysv.js';
import { StopSignal, GuestStopped } from './stop.js';
import { GuestStdio, inheritPlan, type StdioPlan } from './stdio.js';
import { copyIn, copyOut, memPath, type DirMapping, type Snapshot } from './dirs.js';

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
}

export type GuestOutcome =
  | { kind: 'exit'; code: number }
  | { kind: 'trap'; message: string; func?: string }
  | { kind: 'stopped' }
  | { kind: 'error'; message: string };

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
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(new Uint8Array(bytes));
  } catch (e: any) {
    throw new ModuleError(`${wasmPath} is not a valid WebAssembly module (${e?.message ?? e}); pass a .wasm file`);
  }
  const exports = WebAssembly.Module.exports(module);
  if (!exports.some((x) => x.name === '_start' && x.kind === 'function')) {
    throw new ModuleError(`${wasmPath} has no _start function: build it as a WASI command (asc with the wasi-shim config)`);
  }
  if (!exports.some((x) => x.name === 'memory' && x.kind === 'memory')) {
    throw new ModuleError(`${wasmPath} does not export its memory as "memory"`);
  }
  const known = new Set(['shmget', 'shmat', 'shmdt', 'shmctl', 'semget', 'semop', 'semtimedop', 'semctl']);
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === 'sysv' && !known.has(imp.name)) {
      throw new ModuleError(`${wasmPath} imports sysv.${imp.name}, which the host does not provide (see abi.md)`);
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
  const module = await loadModule(opts.wasmPath);
  await initWasi();
  const memfs = new MemFS();
  const snapshots: Snapshot[] = opts.dirs.map((d) => copyIn(memfs, d));
  const preopens: Record<string, string> = {};
  for (const d of opts.dirs) preopens[d.guest] = memPath(d.guest);

  const stop = new StopSignal(opts.stopShared);
  const state = new SysvState(stop);
  const stdio = new GuestStdio(opts.stdio ?? inheritPlan(), stop);
  const wasi = createWasi(module, { args: opts.args, env: opts.env, fs: memfs, preopens, stdio }, stop);
  const trace = opts.trace ? (line: string) => stdio.trace(line, opts.trace === 'callback') : undefined;
  const imports = { ...wasi.imports, sysv: sysvImports(state, trace) };

  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  } catch (e: any) {
    return { kind: 'error', message: `cannot instantiate ${opts.wasmPath}: ${e?.message ?? e}` };
  }
  state.bind(instance.exports['memory'] as WebAssembly.Memory);
  wasi.bind(instance, state.mem);

  let outcome: GuestOutcome;
  try {
    (instance.exports['_start'] as () => void)();
    outcome = { kind: 'exit', code: 0 };
  } catch (e: any) {
    outcome = classify(e);
  } finally {
    try {
      state.windows.detachAll();
    } catch (e: any) {
      outcome = { kind: 'error', message: `detaching windows failed: ${e?.message ?? e}` };
    }
    stdio.close();
  }
  if (opts.dirs.length > 0) {
    // The MemFS handed to WASI is locked from then on; its own view is not.
    const view = wasi.wasi.fs;
    try {
      opts.dirs.forEach((d, i) => copyOut(view, d, snapshots[i]!));
    } finally {
      view.free();
    }
  }
  return outcome;
}

function classify(e: any): GuestOutcome {
  if (e instanceof GuestExit) return { kind: 'exit', code: e.code };
  if (e instanceof GuestStopped) return { kind: 'stopped' };
  if (e instanceof WebAssembly.RuntimeError) return { kind: 'trap', ...describeTrap(e) };
  if (e instanceof RangeError && /call stack/i.test(e.message)) return { kind: 'trap', ...describeTrap(e) };
  return { kind: 'error', message: e?.message ?? String(e) };
}
