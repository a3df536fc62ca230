// What makes a module a guest this host can run: a WASI command. Checked
// before a worker starts, so that a module built the wrong way gets one line
// saying what it lacks and how to build a guest, instead of the engine's or
// the WASI library's own text.
import path from 'node:path';
import { ModuleError } from './guest.js';
import { GROW_IMPORT } from './wasm-rewrite.js';

const WASI_MODULES = new Set(['wasi_snapshot_preview1', 'wasi_unstable']);
const HOW = 'build the guest as a WASI command: asc with the @assemblyscript/wasi-shim config (README, "Writing a guest")';

/** Throws ModuleError when `module` is not a WASI command the host can link. */
export function checkWasiCommand(module: WebAssembly.Module, wasmPath: string): void {
  const name = path.basename(wasmPath);
  const imports = WebAssembly.Module.imports(module);
  // The module is the one loadModule returned: its memory.grow already routed
  // through the host's own import (wasm-rewrite.ts), which is not foreign.
  const hosts = (i: WebAssembly.ModuleImportDescriptor) => i.module === GROW_IMPORT.module && i.name === GROW_IMPORT.name;
  const foreign = imports.find((i) => !WASI_MODULES.has(i.module) && i.module !== 'sysv' && !hosts(i));
  if (foreign) {
    throw new ModuleError(`${name} imports ${foreign.module}.${foreign.name}, which a WASI command does not have: ${HOW}`);
  }
  if (!imports.some((i) => WASI_MODULES.has(i.module))) {
    throw new ModuleError(`${name} imports nothing from WASI (wasi_snapshot_preview1), so it is not a WASI command: ${HOW}`);
  }
}
