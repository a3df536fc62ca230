// Schedule perturbation for race hunting (`wasi-sysv run --perturb SEED`,
// RunOptions.perturbSeed, the lab's --runs/--seed): before and after every
// sysv call of the guest, the host does nothing, yields the CPU
// (sched_yield) or sleeps 0-2 ms, drawn per call point from a PRNG seeded
// with SEED. The same seed gives the same sequence of draws, so a run that
// exposed a race can be replayed with the same perturbation (the kernel's
// own scheduling still varies). Only wasm guests are perturbed: a native
// program's calls do not pass through the host. Without a seed nothing here
// runs: sysv.ts returns the plain imports.
//
// Pauses at sysv calls cannot widen a race that lies wholly in plain memory
// accesses (a counter incremented without a mutex: load, add, store). So,
// with a seed, the module is also loaded with every load wrapped in two hooks
// (wasm-rewrite.ts, PERTURB_IMPORTS), and memoryHooks() below pauses now
// and then right after a load from an attached window: between the read of
// shared memory and the write that depends on it. Which window loads pause,
// and how, is drawn from a second PRNG stream of the same seed, counted in
// window loads, so a replay pauses after the same loads.
import * as libc from './libc.js';
import { PERTURB_IMPORTS } from './wasm-rewrite.js';

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

/** Window loads between two pauses, on average (geometric). */
export const MEMORY_PAUSE_EVERY = 16;
/** Sleeping after window loads stops at this many ms per guest (yields go on): long loops stay bounded. */
export const MEMORY_SLEEP_BUDGET_MS = 500;

/**
 * The pauses after window loads for a seed, as a sequence: for each pause,
 * how many window loads come before it (>= 1) and what it is (a yield or a
 * sleep of up to 1 ms). A function of the seed alone.
 */
export function memoryPauses(seed: number): () => { gap: number; pause: Pause } {
  const next = prng((seed ^ 0x5bd1e995) >>> 0);
  return () => {
    // Geometric gap with mean MEMORY_PAUSE_EVERY: one draw per pause, not per load.
    const gap = 1 + Math.floor(Math.log(1 - next()) / Math.log(1 - 1 / MEMORY_PAUSE_EVERY));
    const r = next();
    return { gap, pause: r < 0.3 ? 'yield' : Math.max(0.01, ((r - 0.3) / 0.7)) };
  };
}

/** The load hooks of a module rewritten with wrapLoads, and what they did. */
export interface MemoryHooks {
  /** The five PERTURB_IMPORTS functions, by their import names. */
  imports: Record<string, (v: any) => any>;
  /** The windows now attached, as [start, end) guest byte ranges; called after each shmat/shmdt. */
  setWindows(ranges: Array<{ start: number; end: number }>): void;
  /** Loads from windows seen, and the pauses made (yields, sleeps) so far. */
  stats: { windowLoads: number; yields: number; sleeps: number; sleptMs: number };
}

/**
 * The hooks for race hunting inside guest code: `at` notes each load's
 * address; the value hooks, for a load from a window, count down to the
 * next drawn pause and make it. Loads outside every window cost two calls
 * and two comparisons.
 */
export function memoryHooks(seed: number): MemoryHooks {
  const draw = memoryPauses(seed);
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const stats = { windowLoads: 0, yields: 0, sleeps: 0, sleptMs: 0 };
  let ranges: Array<{ start: number; end: number }> = [];
  let lo = Infinity, hi = -Infinity;
  let last = 0;
  let { gap, pause } = draw();
  const after = () => {
    const a = last;
    if (a < lo || a >= hi || !ranges.some((r) => a >= r.start && a < r.end)) return;
    stats.windowLoads++;
    if (--gap > 0) return;
    if (pause === 'yield' || stats.sleptMs >= MEMORY_SLEEP_BUDGET_MS) { stats.yields++; libc.schedYield(); }
    else if (pause !== 'none') { stats.sleeps++; stats.sleptMs += pause; Atomics.wait(cell, 0, 0, pause); }
    ({ gap, pause } = draw());
  };
  const identity = <T>(v: T) => { after(); return v; };
  return {
    imports: {
      [PERTURB_IMPORTS.at]: (a: number) => { last = a >>> 0; return a; },
      [PERTURB_IMPORTS.i32]: identity, [PERTURB_IMPORTS.i64]: identity,
      [PERTURB_IMPORTS.f32]: identity, [PERTURB_IMPORTS.f64]: identity,
    },
    setWindows(rs) {
      ranges = rs.map((r) => ({ ...r }));
      lo = Math.min(Infinity, ...ranges.map((r) => r.start));
      hi = Math.max(-Infinity, ...ranges.map((r) => r.end));
    },
    stats,
  };
}
