// Stopping a guest from outside (Ctrl-C, --timeout). The guest runs on a
// worker thread; the supervisor raises a flag in shared memory, and every
// place where the guest can block (semop, sleeps, stdin) looks at the flag at
// least every SLICE_MS and unwinds by throwing GuestStopped.

export const SLICE_MS = 50;

/** Thrown through the guest's stack when the supervisor asked it to stop. */
export class GuestStopped extends Error {
  constructor() { super('guest stopped by the host'); }
}

export class StopSignal {
  /** [0]: stop requested (0 or 1). Shared with the supervisor. */
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

  /** Supervisor side: ask the guest to stop and wake any sleep. */
  request(): void {
    Atomics.store(this.flags, 0, 1);
    Atomics.notify(this.flags, 0);
  }

  /** Sleeps up to ms, waking early when a stop is requested. */
  sleep(ms: number): void {
    if (ms > 0) Atomics.wait(this.flags, 0, 0, ms);
    this.check();
  }
}
