// A byte ring in shared memory from one writer thread to one reader thread:
// records of (tag, bytes), in order. The writer never allocates or posts a
// message per write (a postMessage costs tens of microseconds, a guest may
// print a line per microsecond); the reader wakes on Atomics.waitAsync and
// takes everything written so far in one go. When the ring is full the
// writer waits for room, through a callback that may give up (a stop).
// What was written stays readable after the writer's thread is gone.

/** Data bytes; a power of two, so that positions may wrap as int32. */
export const RING_BYTES = 1 << 20;
/** Largest record payload; longer writes are split. */
const MAX_RECORD = RING_BYTES >>> 2;
const HEADER = 4; // tag (1 byte), length (3 bytes)
const W = 0; // ctrl index: write position
const R = 1; // ctrl index: read position
const SLEEPING = 2; // ctrl index: 1 while the reader waits for a write
const FULL = 3; // ctrl index: 1 while the writer waits for room

export class ByteRing {
  private readonly ctrl: Int32Array;
  private readonly data: Uint8Array;

  /** A new ring's shared memory. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(16 + RING_BYTES);
  }

  constructor(readonly shared: SharedArrayBuffer) {
    this.ctrl = new Int32Array(shared, 0, 4);
    this.data = new Uint8Array(shared, 16, RING_BYTES);
  }

  private copyIn(pos: number, bytes: Uint8Array): void {
    const at = (pos >>> 0) & (RING_BYTES - 1);
    const first = Math.min(bytes.length, RING_BYTES - at);
    this.data.set(bytes.subarray(0, first), at);
    if (first < bytes.length) this.data.set(bytes.subarray(first), 0);
  }

  private copyOut(pos: number, len: number): Uint8Array {
    const out = new Uint8Array(len);
    const at = (pos >>> 0) & (RING_BYTES - 1);
    const first = Math.min(len, RING_BYTES - at);
    out.set(this.data.subarray(at, at + first), 0);
    if (first < len) out.set(this.data.subarray(0, len - first), first);
    return out;
  }

  // ---- writer ----

  /**
   * Appends bytes under tag (0-255), split into records as needed. While
   * the ring is full, calls waitForRoom() after each wait slice of sliceMs;
   * it may throw to give up.
   */
  write(tag: number, bytes: Uint8Array, sliceMs: number, waitForRoom: () => void): void {
    for (let off = 0; off < bytes.length; ) {
      const len = Math.min(MAX_RECORD, bytes.length - off);
      const need = HEADER + len;
      const w = Atomics.load(this.ctrl, W);
      for (let r = Atomics.load(this.ctrl, R); RING_BYTES - ((w - r) | 0) < need; r = Atomics.load(this.ctrl, R)) {
        Atomics.store(this.ctrl, FULL, 1);
        if (Atomics.load(this.ctrl, R) === r) Atomics.wait(this.ctrl, R, r, sliceMs);
        waitForRoom();
      }
      const d = this.data;
      const m = RING_BYTES - 1;
      d[w & m] = tag; d[(w + 1) & m] = len & 0xff; d[(w + 2) & m] = (len >>> 8) & 0xff; d[(w + 3) & m] = len >>> 16;
      this.copyIn((w + HEADER) | 0, bytes.subarray(off, off + len));
      Atomics.store(this.ctrl, W, (w + need) | 0);
      // Waking the reader posts a task to its thread: only when it sleeps.
      if (Atomics.exchange(this.ctrl, SLEEPING, 0) === 1) Atomics.notify(this.ctrl, W);
      off += len;
    }
  }

  // ---- reader ----

  /** The next record, or null when the ring is empty. */
  read(): { tag: number; bytes: Uint8Array } | null {
    const r = Atomics.load(this.ctrl, R);
    if (Atomics.load(this.ctrl, W) === r) return null;
    const d = this.data;
    const m = RING_BYTES - 1;
    const tag = d[r & m]!;
    const len = d[(r + 1) & m]! | (d[(r + 2) & m]! << 8) | (d[(r + 3) & m]! << 16);
    // Only this module writes the ring; a record longer than what was written is a bug, not input.
    if (HEADER + len > ((Atomics.load(this.ctrl, W) - r) | 0)) throw new Error('stdio ring: record beyond the write position');
    const bytes = this.copyOut((r + HEADER) | 0, len);
    Atomics.store(this.ctrl, R, (r + HEADER + len) | 0);
    if (Atomics.exchange(this.ctrl, FULL, 0) === 1) Atomics.notify(this.ctrl, R);
    return { tag, bytes };
  }

  /** Resolves when something may have been written since the reader last looked (or on wake()). */
  async written(): Promise<void> {
    // Say so before the last look, so that a write after it sees the flag.
    Atomics.store(this.ctrl, SLEEPING, 1);
    const r = Atomics.load(this.ctrl, R);
    const w = Atomics.load(this.ctrl, W);
    if (w !== r) return;
    const res = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number): { async: boolean; value: unknown } }).waitAsync(this.ctrl, W, w);
    if (res.async) await res.value;
  }

  /** Wakes a reader waiting in written(). */
  wake(): void {
    Atomics.notify(this.ctrl, W);
  }
}
