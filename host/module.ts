// Loading a guest module: read, memory.grow routed through the host
// (wasm-rewrite.ts), compiled, and checked for what the host needs (a
// _start, an exported memory, only the sysv and proc imports it provides).
// Its own module, apart from guest.ts, so that the thread that only checks a
// module before handing it to the guest's thread (index.ts) loads neither
// WASI nor the sysv implementation (docs/startup.md).
import fs from 'node:fs';
import { rewriteModule, START_EXPORT, WasmRewriteError } from './wasm-rewrite.js';
import { PROC_IMPORTS } from './abi.js';

/** A problem with the module itself, reported as one line before it runs. */
export class ModuleError extends Error {}

/** Loads, rewrites (wasm-rewrite.ts: memory.grow; the loads too with wrapLoads) and compiles a guest module. */
export async function loadModule(wasmPath: string, opts: { wrapLoads?: boolean } = {}): Promise<WebAssembly.Module> {
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
    ({ bytes: rewritten, startExported } = rewriteModule(original, opts));
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

