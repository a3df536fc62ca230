// The supervisor: runs a guest on a worker thread and stops it on request
// (timeout, Ctrl-C). A stop first raises the shared flag and signals the
// guest's thread, which unwinds a guest blocked in semop, a sleep or a stdin
// read at once, so its windows are detached cleanly; a guest that is busy
// computing is terminated after a grace period. The children it spawned
// (proc.ts) are stopped with it.
import { Worker } from 'node:worker_threads';
import { StopSignal, loadInterrupt } from './stop.js';
import { MAX_CHILDREN } from './abi.js';
import type { GuestOptions, GuestOutcome } from './guest.js';
import type { StdioPump } from './stdio.js';

// The stop signal must never kill the host: a handler that does nothing is
// enough for the kernel to interrupt the guest thread's call with EINTR.
let wakeHandler = false;
function ensureWakeHandler(): void {
  if (wakeHandler) return;
  process.on('SIGUSR2', () => {});
  wakeHandler = true;
}

/** What stopped a guest from outside: a process signal, or the embedder's AbortSignal. */
export type StopCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'abort';

export type RunOutcome = GuestOutcome | { kind: 'timeout'; seconds: number } | { kind: 'interrupted'; signal: StopCause };

/** The signals a supervisor with handleSignals stops the guest on; exit status 128 + number. */
export const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

export interface RunControl {
  /** Stop the guest after this many seconds. */
  timeoutSeconds?: number;
  /** Stop the guest on SIGINT/SIGTERM (the CLI does). */
  handleSignals?: boolean;
  /** How long a stopped guest may take to unwind before it is terminated. */
  graceMs?: number;
  /** Told the guest's outcome as soon as it ended (before the worker exits). */
  onOutcome?: (outcome: GuestOutcome) => void;
  /** Stops the guest when aborted (outcome interrupted, signal 'abort'). */
  signal?: AbortSignal;
  /** Routes the guest's stdio (stdio.ts); default: the process's own. */
  stdio?: StdioPump;
  /**
   * The module, still being loaded: the worker starts at once (its own
   * start-up overlaps the loading, docs/startup.md) and gets the module
   * when this resolves; null cancels the run (outcome kind 'error').
   * Otherwise opts.module, or the worker loads opts.wasmPath itself.
   */
  module?: Promise<WebAssembly.Module | null>;
}

export function runGuest(opts: GuestOptions, control: RunControl = {}): Promise<RunOutcome> {
  // What a stop needs (libc's tgkill, proc.ts's stopChildren) is otherwise
  // loaded by the first stop; with --uid the whole process drops its
  // privileges once the guest is loaded, and this installation need not be
  // readable after that: load it first.
  if (opts.uid !== undefined) return Promise.all([loadInterrupt(), import('./proc.js')]).then(() => supervise(opts, control));
  return supervise(opts, control);
}

function supervise(opts: GuestOptions, control: RunControl): Promise<RunOutcome> {
  ensureWakeHandler();
  const stopShared = new SharedArrayBuffer(8);
  const procShared = opts.procShared ?? new SharedArrayBuffer(MAX_CHILDREN * 4);
  const stop = new StopSignal(stopShared);
  const worker = new Worker(new URL('./worker.js', import.meta.url), {
    workerData: {
      ...opts, ...(control.stdio ? { stdio: control.stdio.plan } : {}), stopShared, procShared,
      ...(control.module ? { moduleFollows: true } : {}),
    },
    stdout: false,
    stderr: false,
  });
  let cancelled = false;

  return new Promise<RunOutcome>((resolve) => {
    let stoppedBy: RunOutcome | undefined;
    let outcome: GuestOutcome | undefined;
    let timer: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    let kick: NodeJS.Timeout | undefined;
    let ended = false;

    const requestStop = (why: RunOutcome) => {
      if (stoppedBy) return;
      stoppedBy = why;
      stop.request();
      kick = setInterval(() => stop.interrupt(), 20);
      grace = setTimeout(() => { void worker.terminate(); }, control.graceMs ?? 1000);
    };
    const onSignal = (signal: NodeJS.Signals) => {
      const cause = signal as keyof typeof SIGNALS;
      if (stoppedBy) process.exit(128 + SIGNALS[cause]); // a second signal: leave now
      requestStop({ kind: 'interrupted', signal: cause });
    };
    const onAbort = () => requestStop({ kind: 'interrupted', signal: 'abort' });
    if (control.signal?.aborted) onAbort();
    control.signal?.addEventListener('abort', onAbort);
    // --timeout counts from the guest's start: from the module's handover when it follows.
    const startTimer = () => {
      if (control.timeoutSeconds === undefined || ended) return;
      timer = setTimeout(() => requestStop({ kind: 'timeout', seconds: control.timeoutSeconds! }), control.timeoutSeconds * 1000);
    };
    const cancel = () => { cancelled = true; void worker.terminate(); };
    if (control.module) control.module.then((m) => { if (m) { worker.postMessage(m); startTimer(); } else cancel(); }, cancel);
    else startTimer();
    if (control.handleSignals) for (const sig of Object.keys(SIGNALS)) process.on(sig, onSignal);

    control.stdio?.start();
    worker.on('message', (m: GuestOutcome) => { outcome = m; control.onOutcome?.(m); });
    worker.on('error', (e) => { outcome ??= { kind: 'error', message: e.message }; });
    worker.on('exit', async () => {
      ended = true;
      clearTimeout(timer);
      clearTimeout(grace);
      clearInterval(kick);
      // A stopped guest's children are stopped too (proc.ts); those of a
      // guest that ended by itself live on, as a native process's do.
      // (proc.ts, and the C library with it, is loaded only then: docs/startup.md.)
      if (stoppedBy) await (await import('./proc.js')).stopChildren(procShared, control.graceMs ?? 1000, opts.spawnTokens);
      control.signal?.removeEventListener('abort', onAbort);
      if (control.handleSignals) for (const sig of Object.keys(SIGNALS)) process.off(sig, onSignal);
      // What the guest wrote is in the ring, also after a terminate: hand it all over.
      control.stdio?.finish();
      if (cancelled) resolve({ kind: 'error', message: 'run cancelled: the module was not loaded' });
      // A guest that finished on its own before the stop took effect keeps its result.
      else if (stoppedBy && (!outcome || outcome.kind === 'stopped')) resolve(stoppedBy);
      else resolve(outcome ?? { kind: 'error', message: 'guest worker ended without a result' });
    });
  });
}
