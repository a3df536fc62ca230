// Schedule perturbation for race hunting (`wasi-sysv run --perturb SEED`,
// RunOptions.perturbSeed, the lab's --runs/--seed): before and after every
// sysv call of the guest, the host does nothing, yields the CPU
// (sched_yield) or sleeps 0-2 ms, drawn per call point from a PRNG seeded
// with SEED. The same seed gives the same sequence of draws, so a run that
// exposed a race can be replayed with the same perturbation (the kernel's
// own scheduling still varies). Only wasm guests are perturbed: a native
// program's calls do not pass through the host. Without a seed nothing here
// runs: sysv.ts returns the plain imports.
import * as libc from './libc.js';

/** mulberry32: a small, fast 32-bit PRNG; returns numbers in [0, 1). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One perturbation: 'none', 'yield', or a sleep of that many milliseconds (0 < ms <= 2). */
export type Pause = 'none' | 'yield' | number;

/** The sequence of pauses for a seed: two per sysv call (before, after). */
export function pauses(seed: number): () => Pause {
  const next = prng(seed);
  return () => {
    const r = next();
    if (r < 0.4) return 'none';
    if (r < 0.7) return 'yield';
    return Math.max(0.01, ((r - 0.7) / 0.3) * 2);
  };
}

/** Wraps every import so that a drawn pause runs before and after it. */
export function perturbed<T extends Record<string, (...args: number[]) => number>>(fns: T, seed: number): T {
  const draw = pauses(seed);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const pause = () => {
    const p = draw();
    if (p === 'yield') libc.schedYield();
    else if (p !== 'none') Atomics.wait(cell, 0, 0, p);
  };
  const out: Record<string, (...args: number[]) => number> = {};
  for (const [name, fn] of Object.entries(fns)) {
    out[name] = (...args: number[]) => {
      pause();
      const r = fn(...args);
      pause();
      return r;
    };
  }
  return out as T;
}
