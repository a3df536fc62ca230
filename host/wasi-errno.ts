// WASI numbers its errors differently from Linux. The host answers WASI
// calls with real system calls, so every Linux errno it meets is translated
// here, in one table, to the WASI errno the guest expects.

/** WASI preview1 errno values (not Linux's). */
export const WasiErrno = {
  SUCCESS: 0, TOOBIG: 1, ACCES: 2, AGAIN: 6, BADF: 8, BUSY: 10, DQUOT: 19, EXIST: 20, FAULT: 21, FBIG: 22,
  ILSEQ: 25, INTR: 27, INVAL: 28, IO: 29, ISDIR: 31, LOOP: 32, MFILE: 33, MLINK: 34, NAMETOOLONG: 37,
  NFILE: 41, NODEV: 43, NOENT: 44, NOMEM: 48, NOSPC: 51, NOSYS: 52, NOTDIR: 54, NOTEMPTY: 55, NOTSOCK: 57, NOTSUP: 58,
  NOTTY: 59, NXIO: 60, OVERFLOW: 61, PERM: 63, PIPE: 64, RANGE: 68, ROFS: 69, SPIPE: 70, STALE: 72,
  TXTBSY: 74, XDEV: 75, NOTCAPABLE: 76,
} as const;

// Linux errno -> WASI errno, for every errno a file-system call can return.
const FROM_LINUX: Record<number, number> = {
  1: WasiErrno.PERM, 2: WasiErrno.NOENT, 4: WasiErrno.INTR, 5: WasiErrno.IO, 6: WasiErrno.NXIO,
  7: WasiErrno.TOOBIG, 9: WasiErrno.BADF, 11: WasiErrno.AGAIN, 12: WasiErrno.NOMEM, 13: WasiErrno.ACCES,
  14: WasiErrno.FAULT, 16: WasiErrno.BUSY, 17: WasiErrno.EXIST, 18: WasiErrno.XDEV, 19: WasiErrno.NODEV,
  20: WasiErrno.NOTDIR, 21: WasiErrno.ISDIR, 22: WasiErrno.INVAL, 23: WasiErrno.NFILE, 24: WasiErrno.MFILE,
  25: WasiErrno.NOTTY, 26: WasiErrno.TXTBSY, 27: WasiErrno.FBIG, 28: WasiErrno.NOSPC, 29: WasiErrno.SPIPE,
  30: WasiErrno.ROFS, 31: WasiErrno.MLINK, 32: WasiErrno.PIPE, 34: WasiErrno.RANGE, 36: WasiErrno.NAMETOOLONG,
  38: WasiErrno.NOSYS, 39: WasiErrno.NOTEMPTY, 40: WasiErrno.LOOP, 61: WasiErrno.NOENT /* ENODATA */,
  75: WasiErrno.OVERFLOW, 84: WasiErrno.ILSEQ, 95: WasiErrno.NOTSUP, 116: WasiErrno.STALE, 122: WasiErrno.DQUOT,
};

/** The WASI errno for a Linux errno (positive); unknown ones are EIO. */
export function fromLinux(errno: number): number {
  return FROM_LINUX[errno] ?? WasiErrno.IO;
}

/** The WASI errno for an exception from Node's fs (errno is -linux on Linux). */
export function fromNodeError(e: any): number {
  const n = typeof e?.errno === 'number' ? -e.errno : NaN;
  if (Number.isInteger(n) && n > 0) return fromLinux(n);
  throw e; // not a system-call failure: a host bug, reported as such
}
