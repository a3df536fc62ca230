// Child guests, the `proc` import module of docs/abi.md (addition 8): what
// fork and waitpid give a C program, as spawning a module in a new process.
// The raw imports (sys_*) follow the sysv convention (a result in
// [-4095, -1] is -errno); the wrappers return -1 and set errno, as C does.

import { setErrno } from "./errno";

// @ts-ignore: decorator
@external("proc", "spawn")
export declare function sys_spawn(path: i32, pathLen: i32, args: i32, argsLen: i32): i32;

// @ts-ignore: decorator
@external("proc", "wait")
export declare function sys_wait(pid: i32, status: i32, options: i32): i32;

// @ts-ignore: decorator
@external("proc", "getpid")
export declare function sys_getpid(): i32;

/** wait's option: return 0 at once when no child has ended. */
// @ts-ignore: decorator
@inline export const WNOHANG: i32 = 1;

/** The name that spawns the calling guest's own module. */
// @ts-ignore: decorator
@inline export const SELF: string = "";

function ret(r: i32): i32 {
  if (<u32>(r + 4095) < 4095) {
    setErrno(-r);
    return -1;
  }
  return r;
}

/**
 * Starts `module` (a .wasm file beside this guest's own module, or SELF)
 * as a new process with `args` (its argv after argv[0]). Returns the
 * child's pid, or -1 with errno set (EACCES, ENOENT, EAGAIN...).
 */
export function spawn(module: string, args: string[] = []): i32 {
  let path = String.UTF8.encode(module);
  let size = 0;
  let encoded = new Array<ArrayBuffer>(args.length);
  for (let i = 0; i < args.length; i++) {
    encoded[i] = String.UTF8.encode(args[i], true);
    size += encoded[i].byteLength;
  }
  let block = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < encoded.length; i++) {
    block.set(Uint8Array.wrap(encoded[i]), at);
    at += encoded[i].byteLength;
  }
  return ret(sys_spawn(<i32>changetype<usize>(path), path.byteLength, <i32>block.dataStart, size));
}

/** What wait() learnt about a child: Linux's wait status, decoded. */
export class ChildStatus {
  constructor(public pid: i32, public raw: i32) {}
  /** The child ended by itself (exit, or a trap: its host exits 134). */
  get exited(): bool { return (this.raw & 0x7f) == 0; }
  /** Its exit status (valid when exited). */
  get code(): i32 { return (this.raw >> 8) & 0xff; }
  /** The signal that killed its host process (valid when !exited). */
  get signal(): i32 { return this.raw & 0x7f; }
}

const statusBuf = new StaticArray<i32>(1);

/**
 * Waits for child `pid` (-1: any child) to end and reaps it. Returns its
 * status, or null with errno set (ECHILD: no such child; with WNOHANG,
 * null and errno 0 when none has ended yet).
 */
export function wait(pid: i32 = -1, options: i32 = 0): ChildStatus | null {
  let r = sys_wait(pid, <i32>changetype<usize>(statusBuf), options);
  if (r == 0) { setErrno(0); return null; }
  if (ret(r) == -1) return null;
  return new ChildStatus(r, statusBuf[0]);
}

/** The pid of this guest's process: the one the kernel records (shm_cpid, sempid...). */
export function getpid(): i32 {
  return sys_getpid();
}
