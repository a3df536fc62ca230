// Race hunting's seeds: run k of `lab --runs N --seed S` uses S + k, and each
// wasm instance of a run gets a seed of its own, derived from the run's seed,
// its process name and its index, which the host's `run --perturb` takes.
// The lab's own policy, so it lives here; the host only takes a seed.

/** The seed of one lab instance: FNV-1a of "runSeed/name/index", as an unsigned 32-bit number. */
export function deriveSeed(runSeed: number, name: string, index: number): number {
  let h = 0x811c9dc5;
  for (const ch of `${runSeed >>> 0}/${name}/${index}`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
