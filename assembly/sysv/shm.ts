// The friendly layer for shared memory: Segment (the kernel object) and
// Window (one attachment of it in linear memory). Failures throw with
// strerror's message.

import { shmget, shmat, shmdt, shmctl } from "./libc";
import { IPC_CREAT, IPC_EXCL, IPC_PRIVATE, IPC_RMID, IPC_STAT, SHM_RDONLY, EEXIST, ENOENT } from "./constants";
import { errno, errnoMessage } from "./errno";
import { ShmidDs } from "./structs";
import { sleepMs, nowMs } from "./time";

function hex(key: i32): string {
  return "0x" + (<u32>key).toString(16);
}

export class Segment {
  /** `created`: whether Segment.create made it (false if it already existed). */
  constructor(readonly id: i32, readonly created: bool = false) {}

  /**
   * Opens the segment of `key`, creating it (`size` bytes, permission bits
   * `mode`) if it does not exist, like shmget(key, size, IPC_CREAT|mode).
   * `flags` may add IPC_EXCL to fail when it exists.
   */
  static create(key: i32, size: usize, mode: i32 = 0o600, flags: i32 = 0): Segment {
    let perm = mode & 0o777;
    while (true) {
      // Exclusive first, so that `created` tells whether this call made it.
      let id = shmget(key, size, IPC_CREAT | IPC_EXCL | flags | perm);
      if (id >= 0) return new Segment(id, true);
      if (errno != EEXIST || (flags & IPC_EXCL) != 0 || key == IPC_PRIVATE) break;
      id = shmget(key, size, perm);
      if (id >= 0) return new Segment(id, false);
      if (errno != ENOENT) break; // else it vanished in between: try again
    }
    throw new Error(errnoMessage("shmget(key=" + hex(key) + ", size=" + size.toString() + ")"));
  }

  /** Opens an existing segment; waits up to `waitMs` for it to appear. */
  static open(key: i32, waitMs: i32 = 0): Segment {
    let s = Segment.tryOpen(key, waitMs);
    if (s == null) throw new Error(errnoMessage("shmget(key=" + hex(key) + ")"));
    return s;
  }

  /** Like open, but returns null if the key does not exist (errno ENOENT). */
  static tryOpen(key: i32, waitMs: i32 = 0): Segment | null {
    let deadline = nowMs() + <f64>waitMs;
    while (true) {
      let id = shmget(key, 0, 0);
      if (id >= 0) return new Segment(id);
      if (errno != ENOENT) throw new Error(errnoMessage("shmget(key=" + hex(key) + ")"));
      if (nowMs() >= deadline) return null;
      sleepMs(20);
    }
  }

  /** Attaches at an address the host picks. */
  attach(readOnly: bool = false): Window {
    let size = <usize>this.stat().shm_segsz;
    let addr = shmat(this.id, 0, readOnly ? SHM_RDONLY : 0);
    if (addr == <usize>-1) throw new Error(errnoMessage("shmat(id=" + this.id.toString() + ")"));
    return new Window(addr, size, readOnly);
  }

  /** Attaches at `addr` (4096-aligned unless SHM_RND; SHM_REMAP to map over used pages). */
  attachAt(addr: usize, shmflg: i32): Window {
    let size = <usize>this.stat().shm_segsz;
    let at = shmat(this.id, addr, shmflg);
    if (at == <usize>-1) throw new Error(errnoMessage("shmat(id=" + this.id.toString() + ", addr=" + addr.toString() + ")"));
    return new Window(at, size, (shmflg & SHM_RDONLY) != 0);
  }

  stat(): ShmidDs {
    let ds = new ShmidDs();
    if (shmctl(this.id, IPC_STAT, ds.ptr) < 0) throw new Error(errnoMessage("shmctl(IPC_STAT)"));
    return ds;
  }

  get size(): usize { return <usize>this.stat().shm_segsz; }
  get nattch(): u64 { return this.stat().shm_nattch; }

  /** Marks it for removal: it goes when the last window is detached. */
  remove(): void {
    if (shmctl(this.id, IPC_RMID, 0) < 0) throw new Error(errnoMessage("shmctl(IPC_RMID)"));
  }
}

/**
 * A segment mapped into linear memory at [addr, addr + size). The typed
 * accessors check bounds (and read-only); for hot loops use plain
 * load<T>(w.addr + off) / store<T>, which hit the shared pages directly.
 */
export class Window {
  constructor(private _addr: usize, private _size: usize, readonly readOnly: bool) {}

  /** Guest address of the first byte; 0 once detached. */
  get addr(): usize { return this._addr; }
  /** The segment's size (shm_segsz); 0 once detached. */
  get size(): usize { return this._size; }
  get attached(): bool { return this._addr != 0; }

  /** Address of [off, off + len), checked. */
  ptr(off: usize, len: usize = 0): usize {
    this.check(off, len);
    return this.addr + off;
  }

  // @ts-ignore: decorator
  @inline private check(off: usize, n: usize): void {
    if (n > this.size || off > this.size - n) {
      throw new RangeError(this.addr == 0 ? "window is detached" : "offset outside the window");
    }
  }

  // @ts-ignore: decorator
  @inline private checkWrite(off: usize, n: usize): void {
    this.check(off, n);
    if (this.readOnly) throw new Error("store into a read-only window");
  }

  get<T>(off: usize): T { this.check(off, sizeof<T>()); return load<T>(this.addr + off); }
  set<T>(off: usize, v: T): void { this.checkWrite(off, sizeof<T>()); store<T>(this.addr + off, v); }

  loadU8(off: usize): u8 { return this.get<u8>(off); }
  loadI8(off: usize): i8 { return this.get<i8>(off); }
  loadU16(off: usize): u16 { return this.get<u16>(off); }
  loadI16(off: usize): i16 { return this.get<i16>(off); }
  loadU32(off: usize): u32 { return this.get<u32>(off); }
  loadI32(off: usize): i32 { return this.get<i32>(off); }
  loadU64(off: usize): u64 { return this.get<u64>(off); }
  loadI64(off: usize): i64 { return this.get<i64>(off); }
  loadF32(off: usize): f32 { return this.get<f32>(off); }
  loadF64(off: usize): f64 { return this.get<f64>(off); }

  storeU8(off: usize, v: u8): void { this.set<u8>(off, v); }
  storeI8(off: usize, v: i8): void { this.set<i8>(off, v); }
  storeU16(off: usize, v: u16): void { this.set<u16>(off, v); }
  storeI16(off: usize, v: i16): void { this.set<i16>(off, v); }
  storeU32(off: usize, v: u32): void { this.set<u32>(off, v); }
  storeI32(off: usize, v: i32): void { this.set<i32>(off, v); }
  storeU64(off: usize, v: u64): void { this.set<u64>(off, v); }
  storeI64(off: usize, v: i64): void { this.set<i64>(off, v); }
  storeF32(off: usize, v: f32): void { this.set<f32>(off, v); }
  storeF64(off: usize, v: f64): void { this.set<f64>(off, v); }

  fill(off: usize, value: u8, len: usize): void {
    this.checkWrite(off, len);
    memory.fill(this.addr + off, value, len);
  }

  /** Copies `len` bytes from guest memory at `src` into the window at `off`. */
  copyIn(off: usize, src: usize, len: usize): void {
    this.checkWrite(off, len);
    memory.copy(this.addr + off, src, len);
  }

  /** Copies `len` bytes from the window at `off` to guest memory at `dst`. */
  copyOut(off: usize, dst: usize, len: usize): void {
    this.check(off, len);
    memory.copy(dst, this.addr + off, len);
  }

  /** Detaches; the pages then read as zero and every accessor throws. */
  detach(): void {
    if (this.addr == 0) return;
    if (shmdt(this.addr) < 0) throw new Error(errnoMessage("shmdt"));
    this._addr = 0;
    this._size = 0;
  }
}
