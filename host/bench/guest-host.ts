// A bare host for the benchmark's own guest variants (the copying shim, the
// call floor): WASI and the real `sysv` imports, plus the import modules the
// variant adds, on the main thread of its own process. No supervisor, no
// stop, no --dir: only what these guests use.
import fs from 'node:fs';
import { createWasi, initWasi, GuestExit } from '../wasi.js';
import { SysvState } from '../sysv-state.js';
import { sysvImports } from '../sysv.js';

export type ExtraImports = (state: SysvState) => Record<string, Record<string, (...a: number[]) => number>>;

/** Runs the guest to its end; returns its exit status (70 for a host error). */
export async function runBenchGuest(name: string, wasmPath: string, args: string[], extra: ExtraImports,
  onBind?: (state: SysvState) => void): Promise<number> {
  const module = await WebAssembly.compile(fs.readFileSync(wasmPath));
  await initWasi();
  const state = new SysvState();
  const wasi = createWasi(module, { args: [wasmPath, ...args], env: {} }, state.stop);
  const imports = { ...wasi.imports, sysv: sysvImports(state), ...extra(state) };
  const instance = new WebAssembly.Instance(module, imports as WebAssembly.Imports);
  state.bind(instance.exports['memory'] as WebAssembly.Memory);
  wasi.bind(instance, state.mem);
  onBind?.(state);
  try {
    (instance.exports['_start'] as () => void)();
    return 0;
  } catch (e) {
    if (e instanceof GuestExit) return e.code;
    fs.writeSync(2, `${name}: ${(e as Error)?.stack ?? e}\n`);
    return 70;
  }
}
