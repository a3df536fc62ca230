// Semaphore operations of the double buffer, one semop each, as the C twin's
// sem_add does: no allocation, no retry loop beyond EINTR.
import { semop, errno, EINTR, strerror } from "../../index";
import { fail } from "./args";

// Two sembufs per semaphore number: P (-1) and V (+1), for sem 0 and sem 1.
const SOPS: usize = memory.data(24, 8);
store<u16>(SOPS + 0, 0); store<i16>(SOPS + 2, -1); store<i16>(SOPS + 4, 0);
store<u16>(SOPS + 6, 0); store<i16>(SOPS + 8, 1); store<i16>(SOPS + 10, 0);
store<u16>(SOPS + 12, 1); store<i16>(SOPS + 14, -1); store<i16>(SOPS + 16, 0);
store<u16>(SOPS + 18, 1); store<i16>(SOPS + 20, 1); store<i16>(SOPS + 22, 0);

export const S1: i32 = 0; // drained buffers
export const S2: i32 = 1; // full buffers

/** Address of the sembuf for P (delta -1) or V (+1) on semaphore `num` (0 or 1). */
// @ts-ignore: decorator
@inline export function sop(num: i32, v: bool): usize {
  return SOPS + <usize>(num * 12 + (v ? 6 : 0));
}

export function P(semid: i32, num: i32): void {
  while (semop(semid, sop(num, false), 1) < 0) {
    if (errno != EINTR) fail("semop P: " + strerror(errno));
  }
}

export function V(semid: i32, num: i32): void {
  while (semop(semid, sop(num, true), 1) < 0) {
    if (errno != EINTR) fail("semop V: " + strerror(errno));
  }
}
