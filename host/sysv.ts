// The `sysv` import module of docs/abi.md, assembled from the shm and
// sem families. With a tracer, each call is also reported strace-style; with
// a perturbation seed (race hunting, perturb.ts), each call is wrapped in
// random short pauses. Neither costs anything when absent.
import * as shm from './shm.js';
import * as sem from './sem.js';
import type { SysvState } from './sysv-state.js';
import { formatCall } from './trace.js';
import { perturbed } from './perturb.js';

export type SysvImports = Record<string, (...args: number[]) => number>;

export function sysvImports(s: SysvState, trace?: (line: string) => void, perturbSeed?: number): SysvImports {
  const plain: SysvImports = {
    shmget: (key, size, flg) => shm.shmget(s, key!, size!, flg!),
    shmat: (id, addr, flg) => shm.shmat(s, id!, addr!, flg!),
    shmdt: (addr) => shm.shmdt(s, addr!),
    shmctl: (id, cmd, buf) => shm.shmctl(s, id!, cmd!, buf!),
    semget: (key, n, flg) => sem.semget(s, key!, n!, flg!),
    semop: (id, sops, n) => sem.semop(s, id!, sops!, n!),
    semtimedop: (id, sops, n, ts) => sem.semtimedop(s, id!, sops!, n!, ts!),
    semctl: (id, num, cmd, arg) => sem.semctl(s, id!, num!, cmd!, arg!),
  };
  const fns = perturbSeed === undefined ? plain : perturbed(plain, perturbSeed);
  if (!trace) return fns;
  const traced: SysvImports = {};
  for (const [name, fn] of Object.entries(fns)) {
    traced[name] = (...args: number[]) => {
      const r = fn(...args);
      trace(formatCall(s.mem, name, args, r));
      return r;
    };
  }
  return traced;
}
