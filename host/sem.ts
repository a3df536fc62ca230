// The semaphore family of the sysv import module: semget, semop, semtimedop,
// semctl. sembuf arrays, timespecs and GETALL/SETALL arrays have the native
// layout in the guest, so the kernel reads and writes them in place.
import * as libc from './libc.js';
import type { SysvState } from './sysv-state.js';
import {
  Errno, GETALL, GUEST, IPC_INFO, IPC_SET, IPC_STAT, SEM_INFO, SEM_STAT,
  SEM_STAT_ANY, SETALL, SETVAL,
} from './abi.js';
import { semidToGuest, semidToNative, seminfoToGuest } from './structs.js';

export function semget(s: SysvState, key: number, nsems: number, semflg: number): number {
  return libc.sys(libc.semget(key, nsems, semflg));
}

export function semop(s: SysvState, semid: number, sops: number, nsops: number): number {
  const n = nsops >>> 0;
  // Stryker disable next-line ArithmeticOperator: equivalent, a too-short check passes the real address and the kernel's read past linear memory faults: EFAULT either way (docs/mutation.md)
  const addr = s.mem.structIn(sops, n * GUEST.sembuf) ? s.mem.hostAddress(sops) : libc.BAD_ADDRESS;
  for (;;) {
    const r = libc.semop(semid, addr, n);
    if (r !== -1) return r;
    const e = libc.errno();
    if (e !== Errno.EINTR) return -e;
    s.stop.check(); // a stop request interrupts the wait; anything else retries
  }
}

/**
 * The kernel waits on the guest's own sembuf array and timespec (native
 * layouts). Only a signal to this thread interrupts the wait: the host's stop
 * request unwinds the guest; any other signal resumes the wait with the time
 * that is left, so the guest never sees EINTR.
 */
export function semtimedop(s: SysvState, semid: number, sops: number, nsops: number, timeout: number): number {
  if (timeout === 0) return semop(s, semid, sops, nsops);
  const n = nsops >>> 0;
  // Stryker disable next-line ArithmeticOperator: equivalent, a too-short check passes the real address and the kernel's read past linear memory faults: EFAULT either way (docs/mutation.md)
  const addr = s.mem.structIn(sops, n * GUEST.sembuf) ? s.mem.hostAddress(sops) : libc.BAD_ADDRESS;
  const tsOk = s.mem.inBounds(timeout, GUEST.timespec);
  let ts = tsOk ? s.mem.hostAddress(timeout) : libc.BAD_ADDRESS;
  const t0 = performance.now();
  for (;;) {
    const r = libc.semtimedop(semid, addr, n, ts);
    if (r !== -1) return r;
    const e = libc.errno();
    if (e !== Errno.EINTR) return -e;
    s.stop.check();
    // The kernel accepted the timespec (EINTR comes after its checks): wait
    // for what is left of it.
    const v = s.mem.view;
    const asked = Number(v.getBigInt64(timeout >>> 0, true)) * 1e3 + Number(v.getBigInt64((timeout >>> 0) + 8, true)) / 1e6;
    const leftNs = Math.max(0, Math.round((asked - (performance.now() - t0)) * 1e6));
    s.times.view.setBigInt64(0, BigInt(Math.floor(leftNs / 1e9)), true);
    s.times.view.setBigInt64(8, BigInt(leftNs % 1e9), true);
    ts = s.times.addr;
  }
}

/**
 * nsems of a set, or -errno. IPC_STAT needs read permission; SETALL needs
 * only alter permission, so where IPC_STAT says EACCES the size comes from
 * SEM_STAT_ANY on the set's index (no permission check), verified by id.
 */
function setSize(s: SysvState, semid: number, cmd: number): number {
  if (libc.semctl(semid, 0, IPC_STAT, s.scratch.addr) !== -1) return Number(s.scratch.view.getBigUint64(80, true));
  const e = libc.errno();
  // Stryker disable next-line ConditionalExpression,LogicalOperator,UnaryOperator: equivalent, GETALL/SETALL itself then fails with this errno (the kernel checks the id and the permission in the same order), whatever size is tried (docs/mutation.md)
  if (e !== Errno.EACCES || cmd !== SETALL) return -e;
  for (const mask of [0x7fff, 0xffffff]) { // index bits: 15, or 24 with ipcmni_extend
    // Stryker disable next-line ConditionalExpression: equivalent without ipcmni_extend, where semid & 0x7fff is the set's own index (docs/mutation.md)
    if (libc.semctl(semid & mask, 0, SEM_STAT_ANY, s.scratch.addr) === semid) {
      return Number(s.scratch.view.getBigUint64(80, true));
    }
  }
  // Stryker disable next-line UnaryOperator: unreachable without a race, the set removed between IPC_STAT and SEM_STAT_ANY (docs/mutation.md)
  return -e;
}

export function semctl(s: SysvState, semid: number, semnum: number, cmd: number, arg: number): number {
  // Stryker disable next-line ConditionalExpression: equivalent when forced false, Linux's semctl starts with the same check (EINVAL), and every path below reaches it (docs/mutation.md)
  if (semid < 0) return -Errno.EINVAL;
  // cmd|IPC_64 is an unknown command on x86-64 Linux (EINVAL, default branch).
  const call = (addr: number) => libc.semctl(semid, semnum, cmd, addr);
  switch (cmd) {
    case SETVAL:
      return libc.sys(libc.semctl(semid, semnum, cmd, arg | 0));
    case GETALL: case SETALL:
      return arrayCall(s, semid, semnum, cmd, arg);
    case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY:
      return s.callWithOut(arg, GUEST.semid_ds, call, semidToGuest);
    case IPC_INFO: case SEM_INFO:
      return s.callWithOut(arg, GUEST.seminfo, call, seminfoToGuest);
    case IPC_SET:
      return s.callWithIn(arg, GUEST.semid_ds, call, semidToNative);
    default:
      // GETVAL, GETPID, GETNCNT, GETZCNT, IPC_RMID take no argument; unknown
      // commands get the kernel's EINVAL.
      return libc.sys(call(0));
  }
}

/**
 * GETALL/SETALL: the guest array is u16[nsems], the native layout, so the
 * kernel uses it in place; the set's size (from IPC_STAT, which fails where
 * GETALL would) bounds-checks it first.
 */
function arrayCall(s: SysvState, semid: number, semnum: number, cmd: number, arg: number): number {
  const nsems = setSize(s, semid, cmd);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with a negative size the array is refused (BAD_ADDRESS) and the kernel then gives the same errno as IPC_STAT did; a set never has 0 semaphores (docs/mutation.md)
  if (nsems < 0) return nsems;
  // Stryker disable next-line ConditionalExpression,ArithmeticOperator: equivalent, the kernel reads and writes the array itself: a too-short or read-only check passes the real address and a page past linear memory or read-only gives EFAULT either way (docs/mutation.md)
  const ok = cmd === GETALL ? s.mem.structOut(arg, nsems * 2) : s.mem.structIn(arg, nsems * 2);
  return libc.sys(libc.semctl(semid, semnum, cmd, ok ? s.mem.hostAddress(arg) : libc.BAD_ADDRESS));
}
