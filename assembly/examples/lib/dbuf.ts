// The double-buffer protocol shared by dbuf-writer and dbuf-reader (and by
// their C twins in native/, which must stay identical):
//   one segment of 2 buffers of B bytes (buf k at offset k*B), one set of 2
//   semaphores starting at 0: S1 (index 0) counts drained buffers, S2 (index
//   1) counts full ones.
//   writer, i = 0..n-1: if i >= 2 P(S1); fill buf[i%2]; V(S2)
//   reader, i = 0..n-1: P(S2); checksum buf[i%2]; V(S1)
//   word j of buffer i = splitmix64(i*(B/8) + j); checksum = FNV-1a over the
//   64-bit words in order.

export const DEFAULT_KEY: i64 = 0x5157;
export const DEFAULT_SIZE: i64 = 1 << 20;
export const DEFAULT_COUNT: i64 = 64;
export const S1: i32 = 0;
export const S2: i32 = 1;
export const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

// @ts-ignore: decorator
@inline export function splitmix64(z: u64): u64 {
  z += 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/** Fills buffer number `i` (of `words` words) at `p`; returns the checksum carried on. */
export function fillBuffer(p: usize, i: u64, words: usize, h: u64): u64 {
  let z = i * <u64>words;
  for (let j: usize = 0; j < words; j++) {
    let w = splitmix64(z + <u64>j);
    store<u64>(p + (j << 3), w);
    h = (h ^ w) * FNV_PRIME;
  }
  return h;
}

/** Carries the checksum over `words` words at `p`. */
export function sumBuffer(p: usize, words: usize, h: u64): u64 {
  for (let j: usize = 0; j < words; j++) {
    h = (h ^ load<u64>(p + (j << 3))) * FNV_PRIME;
  }
  return h;
}

export const USAGE = "[--key K] [--size BYTES] [--count N]";

/** Checks --size: positive, a multiple of 8, and 2*B must fit a wasm32 segment. */
export function sizeError(b: i64): string | null {
  if (b <= 0 || (b & 7) != 0) return "--size must be a positive multiple of 8";
  if (b > 0x3fffffff) return "--size too large";
  return null;
}
