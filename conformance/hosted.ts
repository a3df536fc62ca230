// A host that lives on: runs one guest with the programmatic runGuest() on a
// worker thread of this process, reports how it ended ("@ended exit 0",
// "@ended trap") on stdout, and then stays alive until the case driver closes
// its stdin. Used for `proc NAME hosted`, so a case can check what a guest's
// end does to the kernel objects while its host process still runs (windows
// detached, SEM_UNDO reverted), as a native process's exit would.
//
// The guest's worker holds on to the guest's linear memory until the driver
// lets go (GuestOptions.holdShared): were the memory freed, its unmapping
// would detach every window anyway, and a host that forgot to detach them at
// the guest's end would go unnoticed.
import fs from 'node:fs';
import { runGuest } from '../host/runner.js';
import type { GuestOutcome } from '../host/guest.js';

const argv = process.argv.slice(2);
let uid: number | undefined;
if (argv[0] === '--uid') { uid = Number(argv[1]); argv.splice(0, 2); }
const [wasm, script] = argv;
if (!wasm || script === undefined) {
  fs.writeSync(2, 'usage: hosted.js [--uid N] GUEST.wasm SCRIPT\n');
  process.exit(2);
}

const hold = new SharedArrayBuffer(4);
let reported = false;
const report = (o: GuestOutcome | { kind: string }) => {
  if (reported) return;
  reported = true;
  const what = o.kind === 'exit' && 'code' in o ? `exit ${o.code}` : o.kind === 'trap' ? 'trap' : `${o.kind}${'message' in o ? `: ${o.message}` : ''}`;
  if (o.kind === 'trap' && 'message' in o) fs.writeSync(2, `wasi-sysv: guest trapped: ${o.message}\n`);
  fs.writeSync(1, `@ended ${what}\n`);
  // Live on until the driver lets go (stdin closed); the guest read stdin
  // itself while it ran, so only now does this thread listen to it.
  process.stdin.resume();
  process.stdin.on('end', letGo);
  process.stdin.on('error', letGo);
};
const letGo = () => {
  Atomics.store(new Int32Array(hold), 0, 1);
  Atomics.notify(new Int32Array(hold), 0);
};

const done = runGuest({ wasmPath: wasm, args: [wasm, script], env: {}, dirs: [], trace: false, holdShared: hold,
  ...(uid !== undefined ? { uid } : {}) },
  { onOutcome: report });
const o = await done;
report(o); // a worker that died without a result
process.exit(0);
