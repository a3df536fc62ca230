// Where the benchmark finds the repository's pieces (from dist/host/bench/).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'wasi-sysv.js');
export const OUT = path.join(ROOT, 'build', 'bench');
export const BENCH_WASM = path.join(OUT, 'bench.wasm');
export const COPY_WASM = path.join(OUT, 'copy.wasm');
export const KERNEL_WASM = path.join(OUT, 'kernel.wasm');
export const NATIVE = path.join(OUT, 'bench-native');
/** Compiled JavaScript of this directory (worker and child-process entries). */
export const HERE = path.dirname(fileURLToPath(import.meta.url));
