// Fault injection by the kernel itself, for the host's failure paths that a
// correct kernel reaches only when it runs out of something (memory, map
// count): a seccomp filter on the calling thread makes the system calls that
// match a rule fail with an errno, the way the kernel would fail them. Only
// the thread that installs it (and threads it starts) is affected, and a
// filter cannot be removed: install it in a worker thread made for the test.
// Nothing is mocked: every other call, and every call that does not match,
// is the kernel's.
//
// A rule may also stop its call instead of failing it (watch(): the
// kernel's user notification): the thread waits in the kernel, before the
// call does anything, until another thread lets it go on (nextCall, resume).
// In between, that other thread can look at the process as the call would
// find it, e.g. at /proc/self/maps.
import koffi from 'koffi';
import * as libc from '../host/libc.js';

export const SYS_MMAP = 9, SYS_MREMAP = 25;

/** Calls of syscall `nr` whose arguments equal the given values fail with errno. */
export interface FaultRule { nr: number; args: Array<[index: number, value: number]>; errno: number }
/** Calls of syscall `nr` whose arguments equal the given values wait for resume(). */
export interface WatchRule { nr: number; args: Array<[index: number, value: number]> }

const LD_ABS_W = 0x20, JEQ_K = 0x15, RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const RET_ALLOW = 0x7fff0000, RET_ERRNO = 0x00050000, RET_USER_NOTIF = 0x7fc00000;

/** The BPF program: each rule a block that returns its errno or falls through to the next. */
export function program(rules: Array<FaultRule | WatchRule>): Array<[code: number, jt: number, jf: number, k: number]> {
  const blocks = rules.map((r) => {
    // Instructions after each compare, up to the block's end: a miss jumps there.
    const ins: Array<[number, number, number, number]> = [[LD_ABS_W, 0, 0, 0], [JEQ_K, 0, -1, r.nr]];
    for (const [i, v] of r.args) {
      const lo = v % 2 ** 32, hi = Math.floor(v / 2 ** 32);
      ins.push([LD_ABS_W, 0, 0, 16 + 8 * i], [JEQ_K, 0, -1, lo], [LD_ABS_W, 0, 0, 16 + 8 * i + 4], [JEQ_K, 0, -1, hi]);
    }
    ins.push([RET_K, 0, 0, 'errno' in r ? RET_ERRNO | r.errno : RET_USER_NOTIF]);
    // A miss skips to the next block: the instructions left after the jump.
    return ins.map(([c, jt, jf, k], at) => [c, jt, jf === -1 ? ins.length - at - 1 : jf, k] as [number, number, number, number]);
  });
  const body = blocks.flat();
  return [
    [LD_ABS_W, 0, 0, 4], [JEQ_K, 0, body.length, AUDIT_ARCH_X86_64], // another ABI: allowed
    ...body,
    [RET_K, 0, 0, RET_ALLOW],
  ];
}

/** The program as the kernel takes it (struct sock_fprog), kept alive with the thread. */
function fprogOf(rules: Array<FaultRule | WatchRule>): libc.NativeScratch {
  const prog = program(rules);
  const filter = new libc.NativeScratch(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    filter.view.setUint16(i * 8, code, true);
    filter.view.setUint8(i * 8 + 2, jt);
    filter.view.setUint8(i * 8 + 3, jf);
    filter.view.setUint32(i * 8 + 4, k, true);
  });
  const fprog = new libc.NativeScratch(16);
  fprog.view.setUint16(0, prog.length, true);
  fprog.view.setBigUint64(8, BigInt(filter.addr), true);
  // Keep the buffers alive as long as the thread: the kernel copied the
  // program, but nothing should be freed under a call in flight.
  keep.push(filter, fprog);
  return fprog;
}
const keep: libc.NativeScratch[] = [];

let libcSo: ReturnType<typeof koffi.load> | undefined;
const c = () => (libcSo ??= koffi.load('libc.so.6'));
// Each prototype is bound once (koffi parses it on every func() call).
const bound = new Map<string, unknown>();
const fn = <F>(proto: string) => {
  if (!bound.has(proto)) bound.set(proto, c().func(proto));
  return bound.get(proto) as F;
};
const prctl = (o: number, a: number, b = 0) =>
  fn<(o: number, a: number, b: number, c: number, d: number) => number>('int prctl(int option, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)')(o, a, b, 0, 0);
const ioctl = (fd: number, req: number, arg: number) =>
  fn<(fd: number, req: number, arg: number) => number>('int ioctl(int fd, unsigned long req, uintptr_t arg)')(fd, req, arg);

function noNewPrivs(): void {
  const PR_SET_NO_NEW_PRIVS = 38;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1) !== 0) throw new Error(`prctl(PR_SET_NO_NEW_PRIVS): errno ${libc.errno()}`);
}

/** Installs the rules on the calling thread for the rest of its life. */
export function injectFaults(rules: FaultRule[]): void {
  noNewPrivs();
  const PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprogOf(rules).addr) !== 0) throw new Error(`prctl(PR_SET_SECCOMP): errno ${libc.errno()}`);
}

/**
 * Installs the rules on the calling thread for the rest of its life: a
 * matching call waits in the kernel. Returns the listener fd another thread
 * passes to nextCall and resume (fds are the process's, not the thread's).
 */
export function watch(rules: WatchRule[]): number {
  noNewPrivs();
  const syscall = fn<(nr: number, op: number, flags: number, args: number) => number>('long syscall(long nr, long op, long flags, uintptr_t args)');
  const SYS_SECCOMP = 317, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
  const fd = syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, fprogOf(rules).addr);
  if (fd < 0) throw new Error(`seccomp(SECCOMP_FILTER_FLAG_NEW_LISTENER): errno ${libc.errno()}`);
  return fd;
}

/** A watched call, stopped: its id (for resume), syscall number and arguments. */
export interface StoppedCall { id: bigint; nr: number; args: number[] }

// ioctl numbers: _IOWR('!', 0, struct seccomp_notif) (80 bytes) and
// _IOWR('!', 1, struct seccomp_notif_resp) (24 bytes).
const NOTIF_RECV = 0xc0502100, NOTIF_SEND = 0xc0182101, FLAG_CONTINUE = 1;

/** Waits up to timeoutMs for a watched call to stop; null if none did. */
export function nextCall(fd: number, timeoutMs: number): StoppedCall | null {
  const pfd = new libc.NativeScratch(8);
  pfd.view.setInt32(0, fd, true);
  pfd.view.setInt16(4, libc.POLLIN, true);
  if (libc.poll(pfd.addr, 1, timeoutMs) !== 1) return null;
  const notif = new libc.NativeScratch(80); // zeroed, as the kernel asks
  if (ioctl(fd, NOTIF_RECV, notif.addr) !== 0) throw new Error(`SECCOMP_IOCTL_NOTIF_RECV: errno ${libc.errno()}`);
  const v = notif.view;
  const args = [0, 1, 2, 3, 4, 5].map((i) => Number(v.getBigUint64(32 + 8 * i, true)));
  return { id: v.getBigUint64(0, true), nr: v.getInt32(16, true), args };
}

/** Lets a stopped call go on, as the kernel would have run it. */
export function resume(fd: number, call: StoppedCall): void {
  const resp = new libc.NativeScratch(24);
  resp.view.setBigUint64(0, call.id, true);
  resp.view.setUint32(20, FLAG_CONTINUE, true);
  if (ioctl(fd, NOTIF_SEND, resp.addr) !== 0) throw new Error(`SECCOMP_IOCTL_NOTIF_SEND: errno ${libc.errno()}`);
}
