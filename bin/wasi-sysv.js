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
// process.exit, not a natural end: the host keeps a SIGUSR2 handler (its
// stop kick, host/runner.ts), and while Node winds down its event loop it
// gives that signal back its default action, so a SIGUSR2 arriving then
// would kill a host whose guest had ended well. Output is written
// synchronously (fs.writeSync; stdout and stderr are synchronous on Linux).
process.exit(await main(process.argv.slice(2)));
