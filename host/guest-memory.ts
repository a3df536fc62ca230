// The one door to guest linear memory. Every sysv and WASI import goes
// through here: bounds checks on every guest pointer, and a check of every
// host-side write against the read-only windows (a JavaScript store into a
// PROT_READ page is a SIGSEGV of the whole Node process, not an exception).
import { addressOf } from './libc.js';

/** Linear memory's base address changed: every window is now wrong. */
export class BaseMovedError extends Error {
  constructor(was: number, now: number) {
    super(`linear memory moved from 0x${was.toString(16)} to 0x${now.toString(16)}; ` +
      'windows mapped into it are no longer valid (the engine relocated the memory)');
  }
}

interface Range { start: number; end: number }

export class GuestMemory {
  readonly memory: WebAssembly.Memory;
  /**
   * Host address of guest offset 0, fixed for the life of the memory; 0
   * until first asked for (learning it loads the C library, which a guest
   * that never calls sysv does without: issue 12, start-up).
   */
  private baseAddress = 0;
  private buffer: ArrayBuffer;
  private bytes: Uint8Array;
  private dataView: DataView;
  /** Read-only windows as guest byte ranges [start, end), unordered, few. */
  // Stryker disable next-line ArrayDeclaration: equivalent, an entry without start and end overlaps nothing (every comparison with undefined is false) (docs/mutation.md)
  private readOnly: Range[] = [];

  constructor(memory: WebAssembly.Memory) {
    this.memory = memory;
    this.buffer = memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
  }

  /** Host address of guest offset 0. Fixed for the life of the memory. */
  get base(): number {
    if (this.baseAddress === 0) this.baseAddress = addressOf(this.bytes);
    return this.baseAddress;
  }

  /**
   * Re-reads the buffer after memory.grow (by the guest or the host) and
   * verifies that the base did not move. Cheap when nothing grew: V8 only
   * replaces memory.buffer on growth, and only growth could move the base.
   */
  refresh(): void {
    // memory.buffer is a call into V8; a non-shared memory detaches its old
    // buffer on every grow, so a buffer that still has bytes means no growth.
    // Stryker disable next-line ConditionalExpression,BooleanLiteral: equivalent, a fast path that only skips the next line's check when it would return too (docs/mutation.md)
    if (this.buffer.byteLength !== 0 && !(this.buffer instanceof SharedArrayBuffer)) return;
    // Stryker disable next-line ConditionalExpression: equivalent when forced false, the same buffer is simply taken again (docs/mutation.md)
    if (this.memory.buffer === this.buffer) return;
    this.buffer = this.memory.buffer;
    this.bytes = new Uint8Array(this.buffer);
    this.dataView = new DataView(this.buffer);
    // Not known yet: nothing (no window, no kernel call) depends on it.
    if (this.baseAddress === 0) return;
    const now = addressOf(this.bytes);
    if (now !== this.baseAddress) throw new BaseMovedError(this.baseAddress, now);
  }

  /** Current size of linear memory in bytes. */
  get size(): number {
    this.refresh();
    return this.buffer.byteLength;
  }

  /** [ptr, ptr + len) lies wholly inside linear memory (both read unsigned). */
  inBounds(ptr: number, len: number): boolean {
    const p = ptr >>> 0;
    return len >= 0 && p + len <= this.size;
  }

  /** The host may write [ptr, ptr + len): in bounds and in no read-only window. */
  writable(ptr: number, len: number): boolean {
    if (!this.inBounds(ptr, len)) return false;
    if (len === 0) return true; // nothing is written
    const p = ptr >>> 0;
    for (const r of this.readOnly) if (p < r.end && p + len > r.start) return false;
    return true;
  }

  /**
   * A structure argument the kernel needs: NULL (guest address 0) is EFAULT,
   * as on Linux, though address 0 lies in linear memory (no toolchain puts
   * an object there); otherwise as inBounds/writable.
   */
  structIn(ptr: number, len: number): boolean {
    return ptr !== 0 && this.inBounds(ptr, len);
  }

  structOut(ptr: number, len: number): boolean {
    return ptr !== 0 && this.writable(ptr, len);
  }

  /** Host address of a guest offset (the caller checked the range). */
  hostAddress(ptr: number): number {
    return this.base + (ptr >>> 0);
  }

  /**
   * The guest's own flag (the rewritten module's READONLY_EXPORT, see
   * wasm-rewrite.ts): kept at 1 while a read-only window exists, so that its
   * memory.copy and memory.fill ask the host to check them only then.
   */
  readOnlyFlag?: WebAssembly.Global;

  /** The read-only windows' byte ranges [start, end), replacing the old set. */
  setReadOnly(ranges: Array<{ start: number; end: number }>): void {
    this.readOnly = ranges.map((r) => ({ start: r.start, end: r.end }));
    if (this.readOnlyFlag) this.readOnlyFlag.value = ranges.length > 0 ? 1 : 0;
  }

  // Typed access. Callers check the whole structure once with inBounds() or
  // writable() and then read or write its fields through these.
  get view(): DataView { this.refresh(); return this.dataView; }
  get u8(): Uint8Array { this.refresh(); return this.bytes; }

  /** Copies bytes out of guest memory (checked by the caller). */
  read(ptr: number, len: number): Uint8Array {
    const p = ptr >>> 0;
    return this.u8.slice(p, p + len);
  }

  /** Copies bytes into guest memory, or returns false if not writable. */
  write(ptr: number, data: Uint8Array): boolean {
    if (!this.writable(ptr, data.length)) return false;
    this.u8.set(data, ptr >>> 0);
    return true;
  }

  readString(ptr: number, len: number): string | null {
    if (!this.inBounds(ptr, len)) return null;
    return Buffer.from(this.buffer, ptr >>> 0, len).toString('utf8');
  }
}
