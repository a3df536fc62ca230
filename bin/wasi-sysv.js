#!/usr/bin/env node
// Entry point of the wasi-sysv command (compiled TypeScript lives in dist/).
import { main } from '../dist/host/cli.js';

// process.exit, not a natural end: the host keeps a SIGUSR2 handler (its
// stop kick, host/runner.ts), and while Node winds down its event loop it
// gives that signal back its default action, so a SIGUSR2 arriving then
// would kill a host whose guest had ended well. Output is written
// synchronously (fs.writeSync; stdout and stderr are synchronous on Linux).
process.exit(await main(process.argv.slice(2)));
