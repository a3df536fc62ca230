// Runs one guest to completion on the current thread: WASI and sysv imports,
// instantiation, _start, and the cleanup that must happen however the guest
// ends: every window detached (segments and data stay), the guest's host
// descriptors closed (its --dir writes are already on disk).
import fs from 'node:fs';
import { createWasi, initWasi, GuestExit, HostFailure } from './wasi.js';
import { SysvState } from './sysv-state.js';
import { sysvImports } from './sysv.js';
import { StopSignal, GuestStopped } from './stop.js';
import type { DirMapping } from './dirs.js';

export interface GuestOptions {
  wasmPath: string;
  /** Guest argv, argv[0] included. */
  args: string[];
  env: Record<string, string>;
  dirs: DirMapping[];
  trace: boolean;
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
    const why = e?.code === 'ENOENT' ? 'no such file (check the path; npm run build makes build/examples/*.wasm)' : e?.message;
    throw new ModuleError(`cannot read ${wasmPath}: ${why}`);
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
  const stop = new StopSignal(opts.stopShared);
  const state = new SysvState(stop);
  let wasi: ReturnType<typeof createWasi>;
  try {
    wasi = createWasi(module, { args: opts.args, env: opts.env, dirs: opts.dirs }, stop);
  } catch (e: any) {
    return { kind: 'error', message: e?.message ?? String(e) };
  }
  const trace = opts.trace ? (line: string) => { fs.writeSync(2, line + '\n'); } : undefined;
  const imports = { ...wasi.imports, sysv: sysvImports(state, trace) };

  let instance: WebAssembly.Instance;
  try {
    instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  } catch (e: any) {
    wasi.close();
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
    wasi.close();
    try {
      state.windows.detachAll();
    } catch (e: any) {
      outcome = { kind: 'error', message: `detaching windows failed: ${e?.message ?? e}` };
    }
  }
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
