// C-library-style wrappers over the raw imports: on failure they return -1
// (shmat: -1 as usize, C's (void *)-1) and set `errno`; otherwise they return
// what the host returned.

import {
  sys_shmget, sys_shmat, sys_shmdt, sys_shmctl,
  sys_semget, sys_semop, sys_semtimedop, sys_semctl
} from "./imports";
import { setErrno } from "./errno";

/** Turns a raw result into the C convention. */
// @ts-ignore: decorator
@inline function ret(r: i32): i32 {
  // r in [-4095, -1]  <=>  r + 4095 in [0, 4094]
  if (<u32>(r + 4095) < 4095) {
    setErrno(-r);
    return -1;
  }
  return r;
}

// AssemblyScript's TLSF allocator, on its first allocation, claims every page
// up to memory.size(). If the host grew memory for a window before that, the
// allocator would later hand out the window's pages. So make sure the
// allocator exists before any shmat, whatever the address.
let heapReady = false;
function ensureHeap(): void {
  if (!heapReady) {
    heap.free(heap.alloc(16));
    heapReady = true;
  }
}

export function shmget(key: i32, size: usize, shmflg: i32): i32 {
  return ret(sys_shmget(key, <i32>size, shmflg));
}

/** Returns the window's guest address, or `<usize>-1` with errno set. */
export function shmat(shmid: i32, shmaddr: usize, shmflg: i32): usize {
  ensureHeap();
  let r = sys_shmat(shmid, <i32>shmaddr, shmflg);
  // The address may exceed 2^31 (negative as i32) but never lies in the
  // errno range, so ret() tells the two apart.
  if (ret(r) == -1) return <usize>-1;
  return <usize><u32>r;
}

export function shmdt(shmaddr: usize): i32 {
  return ret(sys_shmdt(<i32>shmaddr));
}

/** `buf`: guest shmid_ds, or shminfo / shm_info for IPC_INFO / SHM_INFO; 0 for IPC_RMID. */
export function shmctl(shmid: i32, cmd: i32, buf: usize = 0): i32 {
  return ret(sys_shmctl(shmid, cmd, <i32>buf));
}

export function semget(key: i32, nsems: i32, semflg: i32): i32 {
  return ret(sys_semget(key, nsems, semflg));
}

/** `sops`: array of `nsops` 6-byte sembuf. */
export function semop(semid: i32, sops: usize, nsops: usize): i32 {
  return ret(sys_semop(semid, <i32>sops, <i32>nsops));
}

/** `timeout`: guest timespec, or 0 to wait forever. */
export function semtimedop(semid: i32, sops: usize, nsops: usize, timeout: usize): i32 {
  return ret(sys_semtimedop(semid, <i32>sops, <i32>nsops, <i32>timeout));
}

/**
 * `arg` stands for C's `union semun`: the value for SETVAL, a guest pointer
 * (cast with `<i32>`) for GETALL/SETALL (u16[nsems]), IPC_STAT/IPC_SET/SEM_STAT
 * (semid_ds) and IPC_INFO/SEM_INFO (seminfo); ignored otherwise.
 */
export function semctl(semid: i32, semnum: i32, cmd: i32, arg: i32 = 0): i32 {
  return ret(sys_semctl(semid, semnum, cmd, arg));
}
