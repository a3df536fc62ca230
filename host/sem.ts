// The semaphore family of the sysv import module: semget, semop, semtimedop,
// semctl. sembuf arrays, timespecs and GETALL/SETALL arrays have the native
// layout in the guest, so the kernel reads and writes them in place.
import * as libc from './libc.js';
import type { SysvState } from './sysv-state.js';
import {
  Errno, GETALL, GUEST, IPC_64, IPC_INFO, IPC_NOWAIT, IPC_SET, IPC_STAT, SEM_INFO, SEM_STAT,
  SEM_STAT_ANY, SETALL, SETVAL,
} from './abi.js';
import { semidToGuest, semidToNative, seminfoToGuest } from './structs.js';
import { SLICE_MS } from './stop.js';

export function semget(s: SysvState, key: number, nsems: number, semflg: number): number {
  return libc.sys(libc.semget(key, nsems, semflg));
}

export function semop(s: SysvState, semid: number, sops: number, nsops: number): number {
  return semtimedop(s, semid, sops, nsops, 0);
}

/**
 * A blocking semop must block only this guest and must still let the host
 * stop it, so the kernel wait is cut into slices of at most SLICE_MS; between
 * slices the stop flag is read. The guest sees one call with Linux's results:
 * EAGAIN only for IPC_NOWAIT or its own timeout, never EINTR from the host's
 * signals.
 */
export function semtimedop(s: SysvState, semid: number, sops: number, nsops: number, timeout: number): number {
  const n = nsops >>> 0;
  const sopsOk = s.mem.structIn(sops, n * GUEST.sembuf);
  const sopsAddr = sopsOk ? s.mem.hostAddress(sops) : libc.BAD_ADDRESS;

  let deadline = Infinity;
  if (timeout !== 0) {
    if (!s.mem.inBounds(timeout, GUEST.timespec)) {
      return libc.sys(libc.semtimedop(semid, sopsAddr, n, libc.BAD_ADDRESS));
    }
    const v = s.mem.view;
    const sec = v.getBigInt64(timeout >>> 0, true);
    const nsec = v.getBigInt64((timeout >>> 0) + 8, true);
    if (sec < 0n || nsec < 0n || nsec >= 1_000_000_000n) {
      // Invalid: let the kernel say EINVAL, after its own earlier checks.
      return libc.sys(libc.semtimedop(semid, sopsAddr, n, s.mem.hostAddress(timeout)));
    }
    deadline = performance.now() + Number(sec) * 1e3 + Number(nsec) / 1e6;
  }

  const nowait = sopsOk && anyNowait(s.mem.view, sops >>> 0, n);
  const times = s.times;
  for (let slice = 0; ; slice++) {
    let sliceMs = SLICE_MS;
    let tsAddr = times.addr;
    if (deadline !== Infinity) {
      sliceMs = Math.max(0, Math.min(SLICE_MS, deadline - performance.now()));
      const ns = Math.round(sliceMs * 1e6);
      times.view.setBigInt64(16, BigInt(Math.floor(ns / 1e9)), true);
      times.view.setBigInt64(24, BigInt(ns % 1e9), true);
      tsAddr = times.addr + 16;
    }
    const t0 = nowait ? performance.now() : 0;
    const r = libc.semtimedop(semid, sopsAddr, n, tsAddr);
    if (r !== -1) return r;
    const e = libc.errno();
    if (e === Errno.EAGAIN) {
      if (deadline !== Infinity && performance.now() >= deadline) return -Errno.EAGAIN;
      // A slice runs its full length before it expires; an IPC_NOWAIT
      // failure comes back at once.
      if (nowait && performance.now() - t0 < sliceMs / 2) return -Errno.EAGAIN;
    } else if (e === Errno.EINVAL && slice > 0) {
      // The set was there when this call started waiting; removed between two
      // slices, it is what a sleeper woken by IPC_RMID sees.
      return -Errno.EIDRM;
    } else if (e !== Errno.EINTR) {
      return -e;
    }
    s.stop.check();
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
  if (e !== Errno.EACCES || cmd !== SETALL) return -e;
  for (const mask of [0x7fff, 0xffffff]) { // index bits: 15, or 24 with ipcmni_extend
    if (libc.semctl(semid & mask, 0, SEM_STAT_ANY, s.scratch.addr) === semid) {
      return Number(s.scratch.view.getBigUint64(80, true));
    }
  }
  return -e;
}

function anyNowait(v: DataView, sops: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    if (v.getInt16(sops + i * GUEST.sembuf + 4, true) & IPC_NOWAIT) return true;
  }
  return false;
}

export function semctl(s: SysvState, semid: number, semnum: number, cmdArg: number, arg: number): number {
  if (semid < 0) return -Errno.EINVAL;
  const cmd = cmdArg & ~IPC_64;
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
  if (nsems < 0) return nsems;
  const ok = cmd === GETALL ? s.mem.structOut(arg, nsems * 2) : s.mem.structIn(arg, nsems * 2);
  return libc.sys(libc.semctl(semid, semnum, cmd, ok ? s.mem.hostAddress(arg) : libc.BAD_ADDRESS));
}
