// The benchmark's own System V objects: created with IPC_PRIVATE by the
// driver (so no key can collide with anything else on the machine), handed to
// the writer and reader by id, and removed however the measurement ends.
import fs from 'node:fs';
import * as libc from '../libc.js';

const IPC_PRIVATE = 0;
const IPC_CREAT = 0o1000;
const IPC_RMID = 0;
const SETVAL = 16;

export interface HandoffObjects {
  shmid: number;
  semid: number;
}

/** Every object this process created or learned about and has not removed yet. */
const live = { shm: new Set<number>(), sem: new Set<number>() };

export function createHandoff(bytes: number): HandoffObjects {
  const shmid = libc.shmget(IPC_PRIVATE, bytes, IPC_CREAT | 0o600);
  if (shmid === -1) throw new Error(`shmget(IPC_PRIVATE, ${bytes}): errno ${libc.errno()}`);
  live.shm.add(shmid);
  // Linux starts new semaphores at 0, which is what the double buffer needs.
  const semid = libc.semget(IPC_PRIVATE, 2, IPC_CREAT | 0o600);
  if (semid === -1) {
    const e = libc.errno();
    removeShm(shmid);
    throw new Error(`semget(IPC_PRIVATE, 2): errno ${e}`);
  }
  live.sem.add(semid);
  return { shmid, semid };
}

/**
 * The contention runs' objects: a set of four semaphores (0 the mutex, at 1;
 * 1 ready; 2 the gate, at 1 until the timer opens it; 3 done) and one page
 * whose first u64 is the counter.
 */
export function createContention(): HandoffObjects {
  const shmid = libc.shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600);
  if (shmid === -1) throw new Error(`shmget(IPC_PRIVATE, 4096): errno ${libc.errno()}`);
  live.shm.add(shmid);
  const semid = libc.semget(IPC_PRIVATE, 4, IPC_CREAT | 0o600);
  if (semid === -1) {
    const e = libc.errno();
    removeShm(shmid);
    throw new Error(`semget(IPC_PRIVATE, 4): errno ${e}`);
  }
  live.sem.add(semid);
  for (const num of [0, 2]) {
    if (libc.semctl(semid, num, SETVAL, 1) === -1) {
      const e = libc.errno();
      removeHandoff({ shmid, semid });
      throw new Error(`semctl(SETVAL) on semaphore ${num}: errno ${e}`);
    }
  }
  return { shmid, semid };
}

export const removeContention = (o: HandoffObjects): void => removeHandoff(o);

/** Records an object a child announced ("ipc shm=ID" / "ipc sem=ID"), so it can be removed. */
export function adopt(kind: 'shm' | 'sem', id: number): void {
  live[kind].add(id);
}

/** Removes one object; an id that is already gone is fine. */
export function removeShm(id: number): void {
  libc.shmctl(id, IPC_RMID, 0);
  live.shm.delete(id);
}

export function removeSem(id: number): void {
  libc.semctl(id, 0, IPC_RMID, 0);
  live.sem.delete(id);
}

export function removeHandoff(o: HandoffObjects): void {
  removeSem(o.semid);
  removeShm(o.shmid);
}

/** Removes everything still recorded (end of run, or on the way out after a failure). */
export function removeAll(): void {
  for (const id of [...live.sem]) removeSem(id);
  for (const id of [...live.shm]) removeShm(id);
}

/**
 * Makes sure a segment of `bytes` fits this IPC namespace's limits (shmmax,
 * and shmall in pages for two such segments), raising them where they are
 * lower and this process may (root in the namespace). Recent kernels start
 * a namespace with limits far above this; older ones with 32 MiB.
 */
export function ensureShmLimits(bytes: number): void {
  const read = (f: string) => { try { return Number(fs.readFileSync(f, 'utf8').trim()); } catch { return NaN; } };
  const want: Array<[string, number]> = [['/proc/sys/kernel/shmmax', bytes], ['/proc/sys/kernel/shmall', Math.ceil((2 * bytes) / 4096)]];
  for (const [file, need] of want) {
    const have = read(file);
    if (!Number.isFinite(have) || have >= need) continue;
    try {
      fs.writeFileSync(file, String(need));
    } catch (e) {
      throw new Error(`${file} is ${have}, the bench needs ${need}: raise it (as root: echo ${need} > ${file}) or leave out the large workloads (${(e as Error).message})`);
    }
  }
}

/** Objects that exist in this IPC namespace, from /proc/sysvipc (ids). */
export function listAll(): { shm: number[]; sem: number[] } {
  const ids = (file: string) => {
    try {
      const lines = fs.readFileSync(file, 'utf8').trim().split('\n').slice(1);
      return lines.map((l) => Number(l.trim().split(/\s+/)[1])).filter((n) => Number.isInteger(n));
    } catch {
      return [];
    }
  };
  return { shm: ids('/proc/sysvipc/shm'), sem: ids('/proc/sysvipc/sem') };
}
