// The supervisor: runs a guest on a worker thread and stops it on request
// (timeout, Ctrl-C). A stop first raises the shared flag and signals the
// guest's thread, which unwinds a guest blocked in semop, a sleep or a stdin
// read at once, so its windows are detached cleanly; a guest that is busy
// computing is terminated after a grace period.
import { Worker } from 'node:worker_threads';
import { StopSignal } from './stop.js';
import type { GuestOptions, GuestOutcome } from './guest.js';

// The stop signal must never kill the host: a handler that does nothing is
// enough for the kernel to interrupt the guest thread's call with EINTR.
let wakeHandler = false;
function ensureWakeHandler(): void {
  if (wakeHandler) return;
  process.on('SIGUSR2', () => {});
  wakeHandler = true;
}

export type RunOutcome = GuestOutcome | { kind: 'timeout'; seconds: number } | { kind: 'interrupted'; signal: string };

export interface RunControl {
  /** Stop the guest after this many seconds. */
  timeoutSeconds?: number;
  /** Stop the guest on SIGINT/SIGTERM (the CLI does). */
  handleSignals?: boolean;
  /** How long a stopped guest may take to unwind before it is terminated. */
  graceMs?: number;
  /** Told the guest's outcome as soon as it ended (before the worker exits). */
  onOutcome?: (outcome: GuestOutcome) => void;
}

export function runGuest(opts: GuestOptions, control: RunControl = {}): Promise<RunOutcome> {
  ensureWakeHandler();
  const stopShared = new SharedArrayBuffer(8);
  const stop = new StopSignal(stopShared);
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: { ...opts, stopShared },
    stdout: false,
    stderr: false,
  });

  return new Promise<RunOutcome>((resolve) => {
    let stoppedBy: RunOutcome | undefined;
    let outcome: GuestOutcome | undefined;
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let kick: NodeJS.Timeout | undefined;

    const requestStop = (why: RunOutcome) => {
      if (stoppedBy) return;
      stoppedBy = why;
      stop.request();
      kick = setInterval(() => stop.interrupt(), 20);
      grace = setTimeout(() => { void worker.terminate(); }, control.graceMs ?? 1000);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      if (stoppedBy) process.exit(130); // second Ctrl-C: leave now
      requestStop({ kind: 'interrupted', signal });
    };
    if (control.timeoutSeconds !== undefined) {
      timer = setTimeout(() => requestStop({ kind: 'timeout', seconds: control.timeoutSeconds! }), control.timeoutSeconds * 1000);
    }
    if (control.handleSignals) {
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
    }

    worker.on('message', (m: GuestOutcome) => { outcome = m; control.onOutcome?.(m); });
    worker.on('error', (e) => { outcome ??= { kind: 'error', message: e.message }; });
    worker.on('exit', () => {
      clearTimeout(timer);
      clearTimeout(grace);
      clearInterval(kick);
      if (control.handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      // A guest that finished on its own before the stop took effect keeps its result.
      if (stoppedBy && (!outcome || outcome.kind === 'stopped')) resolve(stoppedBy);
      else resolve(outcome ?? { kind: 'error', message: 'guest worker ended without a result' });
    });
  });
}
