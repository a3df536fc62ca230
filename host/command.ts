// What makes a module a guest this host can run: a WASI command. Checked
// before a worker starts, so that a module built the wrong way gets one line
// saying what it lacks and how to build a guest, instead of the engine's or
// the WASI library's own text.
import path from 'node:path';
import { ModuleError } from './module.js';
import { GROW_IMPORT } from './wasm-rewrite.js';

const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);
// The host's own import modules; GROW_IMPORT's is added by the host itself
// to a module whose memory.grow it routes (wasm-rewrite.ts).
const HOST_MODULES = new Set(['sysv', 'proc', GROW_IMPORT.module]);
const HOW = 'build the guest as a WASI command: asc with the @assemblyscript/wasi-shim config (README, "Writing a guest")';

/** Throws ModuleError when `module` is not a WASI command the host can link. */
export function checkWasiCommand(module: WebAssembly.Module, wasmPath: string): void {
  const name = path.basename(wasmPath);
  const imports = WebAssembly.Module.imports(module);
  const foreign = imports.find((i) => !WASI_MODULES.has(i.module) && !HOST_MODULES.has(i.module));
  if (foreign) {
    throw new ModuleError(`${name} imports ${foreign.module}.${foreign.name}, which a WASI command does not have: ${HOW}`);
  }
  if (!imports.some((i) => WASI_MODULES.has(i.module))) {
    throw new ModuleError(`${name} imports nothing from WASI (wasi_snapshot_preview1), so it is not a WASI command: ${HOW}`);
  }
}
