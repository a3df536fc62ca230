// A host that lives on: runs one guest with the programmatic runGuest() on a
// worker thread of this process, reports how it ended ("@ended exit 0",
// "@ended trap") on stdout, and then stays alive until the case driver closes
// its stdin. Used for `proc NAME hosted`, so a case can check what a guest's
// end does to the kernel objects while its host process still runs (windows
// detached, SEM_UNDO reverted), as a native process's exit would.
import fs from 'node:fs';
import { runGuest } from '../host/runner.js';

const [wasm, script] = process.argv.slice(2);
if (!wasm || script === undefined) {
  fs.writeSync(2, 'usage: hosted.js GUEST.wasm SCRIPT\n');
  process.exit(2);
}
const o = await runGuest({ wasmPath: wasm, args: [wasm, script], env: {}, dirs: [], trace: false });
const what = o.kind === 'exit' ? `exit ${o.code}` : o.kind === 'trap' ? 'trap' : `${o.kind}${'message' in o ? `: ${o.message}` : ''}`;
if (o.kind === 'trap') fs.writeSync(2, `wasi-sysv: guest trapped: ${o.message}\n`);
fs.writeSync(1, `@ended ${what}\n`);
// Live on until the driver lets go.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
