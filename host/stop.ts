// Stopping a guest from outside (Ctrl-C, --timeout). The guest runs on a
// worker thread; the supervisor raises a flag in shared memory and signals
// the guest's thread. A blocking semop is one plain system call on the
// guest's own sembuf array, and Linux never restarts semop after a signal,
// so it returns EINTR and the host sees the flag. Sleeps wake on the flag
// (Atomics.notify); stdin waits in slices of SLICE_MS. Each then unwinds the
// guest by throwing GuestStopped.
/**
 * libc.ts's tgkill, loaded on the first interrupt: the supervisor's thread
 * loads no C library unless it has a guest to stop (docs/startup.md).
 */
let tgkill: ((tgid: number, tid: number, sig: number) => number) | undefined;
let loading: Promise<void> | undefined;
/** As libc.SIGUSR2 (Linux), without loading libc.ts for it. */
const SIGUSR2 = 12;

/**
 * Loads what interrupt() needs, if not yet loaded. Called ahead by a
 * supervisor whose process will drop its privileges (--uid): after the
 * switch this installation need not be readable.
 */
export function loadInterrupt(): Promise<void> {
  loading ??= import('./libc.js').then((libc) => { tgkill = libc.tgkill; });
  return loading;
}

export const SLICE_MS = 50;

/** Thrown through the guest's stack when the supervisor asked it to stop. */
export class GuestStopped extends Error {
  constructor() { super('guest stopped by the host'); }
}

export class StopSignal {
  /** [0]: stop requested (0 or 1); [1]: the guest thread's tid. Shared with the supervisor. */
  readonly flags: Int32Array;

  constructor(shared?: SharedArrayBuffer) {
    this.flags = new Int32Array(shared ?? new SharedArrayBuffer(8));
  }

  get requested(): boolean {
    return Atomics.load(this.flags, 0) !== 0;
  }

  /** Throws GuestStopped when a stop was requested. */
  check(): void {
    if (Atomics.load(this.flags, 0) !== 0) throw new GuestStopped();
  }

  /** Guest side: says which thread to interrupt; 0 when it is done. */
  publishThread(tid: number): void {
    Atomics.store(this.flags, 1, tid);
  }

  /** Supervisor side: ask the guest to stop and wake any sleep. */
  request(): void {
    Atomics.store(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
    this.interrupt();
  }

  /**
   * Supervisor side: interrupts the guest thread's blocking system call.
   * Called again until the guest is gone, since a signal that lands just
   * before the call starts is not seen by it.
   */
  interrupt(): void {
    const tid = Atomics.load(this.flags, 1);
    if (tid <= 0) return;
    if (tgkill) { tgkill(process.pid, tid, SIGUSR2); return; }
    // The first time: once libc is loaded, interrupt (the guest may be gone
    // by then: tid 0). Should it fail to load, the supervisor's grace
    // period still ends the guest (runner.ts terminates its worker).
    loadInterrupt().then(() => this.interrupt(), () => {});
  }

  /** Sleeps up to ms, waking early when a stop is requested. */
  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(this.flags, 0, 0, ms);
    this.check();
  }
}
