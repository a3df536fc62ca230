#!/usr/bin/env node
// Entry point of the wasi-sysv command (compiled TypeScript lives in dist/).
import { main } from '../dist/host/cli.js';

process.exitCode = await main(process.argv.slice(2));
