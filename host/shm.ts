// The shared-memory family of the sysv import module: shmget, shmat, shmdt,
// shmctl. Window placement lives in windows.ts; here are the argument rules
// and the translation of control structures.
import * as libc from './libc.js';
import type { SysvState } from './sysv-state.js';
import {
  Errno, GUEST, IPC_INFO, IPC_SET, IPC_STAT, SHM_INFO, SHM_STAT, SHM_STAT_ANY,
} from './abi.js';
import { shmInfoToGuest, shmidToGuest, shmidToNative, shminfoToGuest } from './structs.js';

export function shmget(s: SysvState, key: number, size: number, shmflg: number): number {
  return libc.sys(libc.shmget(key, size >>> 0, shmflg));
}

export function shmat(s: SysvState, shmid: number, shmaddr: number, shmflg: number): number {
  // Addresses above 2^31 come back negative as i32, never in [-4095, -1].
  return s.windows.attach(shmid, shmaddr, shmflg) | 0;
}

export function shmdt(s: SysvState, shmaddr: number): number {
  return s.windows.detach(shmaddr);
}

export function shmctl(s: SysvState, shmid: number, cmd: number, buf: number): number {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, Linux's ksys_shmctl begins with the same check and answers EINVAL itself
  if (cmd < 0 || shmid < 0) return -Errno.EINVAL;
  // As on x86-64 Linux, the IPC_64 bit is not stripped: cmd|IPC_64 is an
  // unknown command (EINVAL from the kernel, by the default branch).
  const call = (addr: number) => libc.shmctl(shmid, cmd, addr);
  switch (cmd) {
    case IPC_STAT: case SHM_STAT: case SHM_STAT_ANY:
      return s.callWithOut(buf, GUEST.shmid_ds, call, shmidToGuest);
    case IPC_INFO:
      return s.callWithOut(buf, GUEST.shminfo, call, shminfoToGuest);
    case SHM_INFO:
      return s.callWithOut(buf, GUEST.shm_info, call, shmInfoToGuest);
    case IPC_SET:
      return s.callWithIn(buf, GUEST.shmid_ds, call, shmidToNative);
    default:
      // IPC_RMID, SHM_LOCK, SHM_UNLOCK ignore buf; unknown commands get the
      // kernel's own EINVAL.
      return libc.sys(call(0));
  }
}
