// The data of the handoff workloads, shared by every guest and every peer so
// that they all do the same work per byte (the C twin is native/kernel.h):
// word j of buffer i = splitmix64(i * (B / 8) + j); the checksum is FNV-1a
// over the 64-bit words in order, carried from buffer to buffer. This is the
// protocol of assembly/examples/lib/dbuf.ts, so checksums agree with the
// dbuf examples for the same size and count. The definitions are repeated
// here on purpose: kernel.wasm (the JS peers' kernel, on imported shared
// memory) must carry no other module's static data, or its layout moves
// under the peers (importing lib/dbuf.ts made their checksums disagree).

export const FNV_OFFSET: u64 = 0xcbf29ce484222325;
const FNV_PRIME: u64 = 0x100000001b3;

// @ts-ignore: decorator
@inline function splitmix64(z: u64): u64 {
  z += 0x9e3779b97f4a7c15;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}

/**
 * Writes buffer number `i` (`words` 64-bit words) at `p` and returns the
 * checksum `h` carried over the words written. Called once per buffer, so
 * the engine's tier-up replaces its baseline code after the first few.
 */
export function fillBuffer(p: usize, i: u64, words: usize, h: u64): u64 {
  let z = i * <u64>words;
  let end = p + (words << 3);
  while (p < end) {
    let w = splitmix64(z++);
    store<u64>(p, w);
    h = (h ^ w) * FNV_PRIME;
    p += 8;
  }
  return h;
}

/** Carries the checksum `h` over `words` words at `p` (every byte is read). */
export function sumBuffer(p: usize, words: usize, h: u64): u64 {
  let end = p + (words << 3);
  while (p < end) {
    h = (h ^ load<u64>(p)) * FNV_PRIME;
    p += 8;
  }
  return h;
}
