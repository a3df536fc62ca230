#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the two entry points that
// every `wasi-sysv run` loads, each with the host modules it imports, into
// one file in place, with a source map that leads back to the TypeScript:
//  - dist/host/cli.js, the command (main thread; 10 modules);
//  - dist/host/worker.js, the guest's thread (22 modules).
//
// Why (issue 12, start-up; docs/startup.md): Node's ES module loader costs
// memory and time for every module a thread loads, and a worker thread loads
// its whole graph again. `wasi-sysv run` of a hello-world guest, peak RSS
// (node -e 0: 40.3 MiB): 62.3 MiB unbundled, 59.8 MiB with the worker
// bundled, 59.4 MiB with both. The code is the same; only the loading
// changes. koffi and @wasmer/wasi stay outside (native code and a wasm
// bundle, loaded on first use), and so do the subcommands the CLI imports
// by computed path (lab, view, cc...).
//
// The public API (dist/host/index.js and the rest) stays unbundled. tsc
// writes the unbundled files again on every build, so a build that skips
// this step (tsc alone) runs the same code, unbundled. Stryker's sandbox
// build runs it too (scripts/mutation-test.mjs --build).
import { buildSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
for (const entry of ['cli.js', 'worker.js']) {
  const file = join(root, 'dist', 'host', entry);
  buildSync({
    entryPoints: [file],
    outfile: file,
    allowOverwrite: true,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    external: ['koffi', '@wasmer/wasi'],
    logLevel: 'warning',
  });
}
