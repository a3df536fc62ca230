// Worker-thread entry: the guest runs here so that the supervisor thread
// stays free to handle Ctrl-C and --timeout while the guest computes or blocks.
import fs from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { runGuestHere, type GuestOptions, type GuestOutcome } from './guest.js';
import * as libc from './libc.js';
import { StopSignal } from './stop.js';

// Linux keeps SEM_UNDO adjustments per process and applies them at exit. A
// guest is one thread of a host that may live on, so it gets an undo list of
// its own, which the kernel applies when this thread ends: at the guest's
// exit, trap or stop, as for a native process. The list is made when this
// thread loads the C library (libc.ts loads it on the first call that needs
// it), so always before its first semop; a guest that never loads it never
// made a SEM_UNDO adjustment, and does without koffi (issue 12, start-up).
libc.onLoad(() => {
  if (libc.unshare(libc.CLONE_SYSVSEM) !== 0) {
    throw new Error(`unshare(CLONE_SYSVSEM) failed (errno ${libc.errno()}): SEM_UNDO could not be scoped to the guest`);
  }
});

// The module may follow the start (runner.ts, RunControl.module): this
// thread's start-up overlapped its loading.
const opts = (workerData.moduleFollows
  ? { ...workerData, module: await new Promise((resolve) => parentPort!.once('message', resolve)) }
  : workerData) as GuestOptions;
const stop = new StopSignal(opts.stopShared);
// This thread's id, for the supervisor's tgkill (stop.ts), without the C
// library: /proc/thread-self is "<pid>/task/<tid>" for the thread that reads
// it. Without /proc, gettid() (which loads the library).
stop.publishThread(threadId());

function threadId(): number {
  try {
    const tid = Number(fs.readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) return tid;
  } catch { /* no /proc */ }
  return libc.gettid();
}
let outcome: GuestOutcome;
/** With holdShared: the guest's memory, kept alive until the holder lets go. */
let held: WebAssembly.Memory | undefined;
try {
  outcome = await runGuestHere(opts.holdShared ? { ...opts, onEnd: (m) => { held = m; } } : opts);
} catch (e: any) {
  outcome = { kind: 'error', message: e?.message ?? String(e) };
} finally {
  stop.publishThread(0);
  // Apply the guest's SEM_UNDO adjustments now, before anyone hears that it
  // ended: leaving the undo list applies it (this thread is its only user).
  // Waiting for the thread's own exit would race with whoever looks next.
  if (libc.loaded()) libc.unshare(libc.CLONE_SYSVSEM);
}
parentPort!.postMessage(outcome);
if (opts.holdShared) {
  Atomics.wait(new Int32Array(opts.holdShared), 0, 0);
  held = undefined;
}
