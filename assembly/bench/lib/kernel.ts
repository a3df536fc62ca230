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

// ---- the transfer-bound handoffs (touch-*) ---------------------------------
// Each side touches every 4 KiB page of the buffer but does little per byte:
// the writer stores one stamp at the start of each page, the reader checks
// it. Stamp of page k of buffer i = splitmix64(i * pages + k): it differs
// between buffers, so a page the reader sees from an older buffer, or a page
// that was never written, is caught. The checksum is FNV-1a over the stamps.

export const STAMP_PAGE: usize = 4096;

/** The stamp of page `k` of buffer `i` (of `pages` pages). */
export function stampOf(i: u64, pages: usize, k: usize): u64 {
  return splitmix64(i * <u64>pages + <u64>k);
}

/** Stamps the `pages` pages at `p` for buffer `i`; returns the checksum carried over the stamps. */
export function stampBuffer(p: usize, i: u64, pages: usize, h: u64): u64 {
  let z = i * <u64>pages;
  let end = p + pages * STAMP_PAGE;
  while (p < end) {
    let w = splitmix64(z++);
    store<u64>(p, w);
    h = (h ^ w) * FNV_PRIME;
    p += STAMP_PAGE;
  }
  return h;
}

// The first page whose stamp was wrong in the last checkBuffer (-1: none),
// and what it held.
let badPage: i64 = -1;
let badValue: u64 = 0;

/**
 * Checks the stamps of buffer `i` at `p`; returns the checksum carried over
 * the stamps read. On the first wrong stamp it stops: lastBadPage() then
 * gives that page and lastBadValue() what it held (else -1 and 0).
 */
export function checkBuffer(p: usize, i: u64, pages: usize, h: u64): u64 {
  let z = i * <u64>pages;
  badPage = -1;
  for (let k: usize = 0; k < pages; k++) {
    let w = load<u64>(p + k * STAMP_PAGE);
    if (w != splitmix64(z + <u64>k)) {
      badPage = <i64>k;
      badValue = w;
      return h;
    }
    h = (h ^ w) * FNV_PRIME;
  }
  return h;
}

export function lastBadPage(): i64 {
  return badPage;
}

export function lastBadValue(): u64 {
  return badValue;
}
