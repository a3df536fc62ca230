#!/usr/bin/env node
// Entry point of the wasi-sysv command (compiled TypeScript lives in dist/).
import { existsSync } from 'node:fs';

const cli = new URL('../dist/host/cli.js', import.meta.url);
if (!existsSync(cli)) {
  // A clone installed without its devDependencies (see scripts/prepare.mjs).
  process.stderr.write(`wasi-sysv: not built: run "npm install" in ${new URL('..', import.meta.url).pathname} (it builds), or install wasi-sysv from npm or a tarball\n`);
  process.exit(1);
}
const { main } = await import(cli.href);
process.exitCode = await main(process.argv.slice(2));
