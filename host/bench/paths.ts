// Where the benchmark finds the repository's pieces (from dist/host/bench/).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const BIN = path.join(ROOT, 'bin', 'wasi-sysv.js');
export const OUT = path.join(ROOT, 'build', 'bench');
export const BENCH_WASM = path.join(OUT, 'bench.wasm');
export const COPY_WASM = path.join(OUT, 'copy.wasm');
export const HELLO_WASM = path.join(OUT, 'hello.wasm');
export const FLOOR_WASM = path.join(OUT, 'floor.wasm');
export const KERNEL_WASM = path.join(OUT, 'kernel.wasm');
export const NATIVE = path.join(OUT, 'bench-native');
/** Compiled JavaScript of this directory (worker and child-process entries). */
export const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The JS peers' kernel memory may have this many 64 KiB pages (256 MiB: two 64 MiB buffers fit). */
export const KERNEL_MAX_PAGES = 4096;
