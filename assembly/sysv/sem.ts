// The friendly layer for semaphores. Failures throw with strerror's message.

import { semget, semop, semtimedop, semctl } from "./libc";
import {
  IPC_CREAT, IPC_EXCL, IPC_PRIVATE, IPC_NOWAIT, IPC_RMID, IPC_STAT, SEM_UNDO,
  GETVAL, SETVAL, GETALL, SETALL, GETNCNT, GETZCNT, GETPID, EEXIST, ENOENT, EAGAIN, EINTR
} from "./constants";
import { errno, errnoMessage } from "./errno";
import { SemidDs, Timespec } from "./structs";
import { sleepMs, nowMs } from "./time";

// One sembuf for wait/post, reused so that the hot path allocates nothing.
const OP: usize = memory.data(8, 8);

function hex(key: i32): string {
  return "0x" + (<u32>key).toString(16);
}

export class SemaphoreSet {
  /** `created`: whether SemaphoreSet.create made it (false if it already existed). */
  constructor(readonly id: i32, readonly nsems: i32, readonly created: bool = false) {}

  /**
   * Opens the set of `key`, creating it with `nsems` semaphores (permission
   * bits `mode`) if it does not exist, like semget(key, nsems, IPC_CREAT|mode).
   * Linux starts new semaphores at 0. `flags` may add IPC_EXCL.
   */
  static create(key: i32, nsems: i32, mode: i32 = 0o600, flags: i32 = 0): SemaphoreSet {
    let perm = mode & 0o777;
    while (true) {
      let id = semget(key, nsems, IPC_CREAT | IPC_EXCL | flags | perm);
      if (id >= 0) return new SemaphoreSet(id, nsems, true);
      if (errno != EEXIST || (flags & IPC_EXCL) != 0 || key == IPC_PRIVATE) break;
      id = semget(key, nsems, perm);
      if (id >= 0) return SemaphoreSet.fromId(id);
      if (errno != ENOENT) break;
    }
    throw new Error(errnoMessage("semget(key=" + hex(key) + ", nsems=" + nsems.toString() + ")"));
  }

  /** Opens an existing set; waits up to `waitMs` for it to appear. */
  static open(key: i32, waitMs: i32 = 0): SemaphoreSet {
    let s = SemaphoreSet.tryOpen(key, waitMs);
    if (s == null) throw new Error(errnoMessage("semget(key=" + hex(key) + ")"));
    return s;
  }

  /** Like open, but returns null if the key does not exist (errno ENOENT). */
  static tryOpen(key: i32, waitMs: i32 = 0): SemaphoreSet | null {
    let deadline = nowMs() + <f64>waitMs;
    while (true) {
      let id = semget(key, 0, 0);
      if (id >= 0) return SemaphoreSet.fromId(id);
      if (errno != ENOENT) throw new Error(errnoMessage("semget(key=" + hex(key) + ")"));
      if (nowMs() >= deadline) return null;
      sleepMs(20);
    }
  }

  /** Wraps an existing id, learning its size with IPC_STAT. */
  static fromId(id: i32): SemaphoreSet {
    let ds = new SemidDs();
    if (semctl(id, 0, IPC_STAT, <i32>ds.ptr) < 0) throw new Error(errnoMessage("semctl(IPC_STAT)"));
    return new SemaphoreSet(id, <i32>ds.sem_nsems, false);
  }

  stat(): SemidDs {
    let ds = new SemidDs();
    this.ctl(0, IPC_STAT, <i32>ds.ptr, "IPC_STAT");
    return ds;
  }

  remove(): void { this.ctl(0, IPC_RMID, 0, "IPC_RMID"); }

  getVal(n: i32): i32 { return this.ctl(n, GETVAL, 0, "GETVAL"); }
  setVal(n: i32, v: i32): void { this.ctl(n, SETVAL, v, "SETVAL"); }
  getNcnt(n: i32): i32 { return this.ctl(n, GETNCNT, 0, "GETNCNT"); }
  getZcnt(n: i32): i32 { return this.ctl(n, GETZCNT, 0, "GETZCNT"); }
  getPid(n: i32): i32 { return this.ctl(n, GETPID, 0, "GETPID"); }

  getAll(): u16[] {
    let buf = new StaticArray<u16>(this.nsems);
    this.ctl(0, GETALL, <i32>changetype<usize>(buf), "GETALL");
    let out = new Array<u16>(this.nsems);
    for (let i = 0; i < this.nsems; i++) out[i] = buf[i];
    return out;
  }

  setAll(values: u16[]): void {
    if (values.length != this.nsems) throw new RangeError("setAll needs one value per semaphore");
    let buf = new StaticArray<u16>(this.nsems);
    for (let i = 0; i < this.nsems; i++) buf[i] = values[i];
    this.ctl(0, SETALL, <i32>changetype<usize>(buf), "SETALL");
  }

  /**
   * Adds `delta` to semaphore `n` (blocking while the result would be
   * negative, or for delta 0 until it is zero). Returns false only when
   * IPC_NOWAIT is in `flags` and the operation would block.
   */
  op(n: i32, delta: i16, flags: i16 = 0): bool {
    store<u16>(OP, <u16>n, 0);
    store<i16>(OP, delta, 2);
    store<i16>(OP, flags, 4);
    while (semop(this.id, OP, 1) < 0) {
      if (errno == EAGAIN && (flags & IPC_NOWAIT) != 0) return false;
      if (errno != EINTR) throw new Error(errnoMessage("semop(sem " + n.toString() + ", " + delta.toString() + ")"));
    }
    return true;
  }

  /** Like op with a timeout; returns false when it ran out (EAGAIN). */
  timedOp(n: i32, delta: i16, timeoutMs: i64, flags: i16 = 0): bool {
    let ts = Timespec.fromMs(timeoutMs);
    store<u16>(OP, <u16>n, 0);
    store<i16>(OP, delta, 2);
    store<i16>(OP, flags, 4);
    // An EINTR restarts with the full timeout; good enough for a friendly API.
    while (semtimedop(this.id, OP, 1, ts.ptr) < 0) {
      if (errno == EAGAIN) return false;
      if (errno != EINTR) throw new Error(errnoMessage("semtimedop(sem " + n.toString() + ", " + delta.toString() + ")"));
    }
    return true;
  }

  /** P: decrement semaphore n, blocking while it is 0. */
  wait(n: i32, undo: bool = false): void { this.op(n, -1, undo ? <i16>SEM_UNDO : 0); }
  /** V: increment semaphore n. */
  post(n: i32, undo: bool = false): void { this.op(n, 1, undo ? <i16>SEM_UNDO : 0); }
  /** P without blocking; false if the semaphore was 0. */
  tryWait(n: i32, undo: bool = false): bool { return this.op(n, -1, <i16>(IPC_NOWAIT | (undo ? SEM_UNDO : 0))); }
  /** P giving up after `ms`; false on timeout. */
  timedWait(n: i32, ms: i64, undo: bool = false): bool { return this.timedOp(n, -1, ms, undo ? <i16>SEM_UNDO : 0); }

  private ctl(n: i32, cmd: i32, arg: i32, name: string): i32 {
    let r = semctl(this.id, n, cmd, arg);
    if (r < 0) throw new Error(errnoMessage("semctl(" + name + ")"));
    return r;
  }
}

/** Dijkstra's P (wait) on semaphore n of the set. */
export function P(set: SemaphoreSet, n: i32, undo: bool = false): void { set.wait(n, undo); }
/** Dijkstra's V (signal) on semaphore n of the set. */
export function V(set: SemaphoreSet, n: i32, undo: bool = false): void { set.post(n, undo); }
