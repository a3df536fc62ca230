// The handoff data kernel as a bare module (no WASI, no sysv) for the
// JavaScript peers: they move the bytes with Node's own mechanisms and call
// these for the work on the bytes, so a peer differs from the wasm guest only
// in how the bytes travel. Built twice: with its own memory (copying peers)
// and with an imported shared memory (the SharedArrayBuffer peer).
import { fillBuffer, sumBuffer, stampBuffer, checkBuffer } from "./lib/kernel";

export { FNV_OFFSET } from "./lib/kernel";

export function fill(p: usize, i: u64, words: usize, h: u64): u64 {
  return fillBuffer(p, i, words, h);
}

export function sum(p: usize, words: usize, h: u64): u64 {
  return sumBuffer(p, words, h);
}

export function stamp(p: usize, i: u64, pages: usize, h: u64): u64 {
  return stampBuffer(p, i, pages, h);
}

export function check(p: usize, i: u64, pages: usize, h: u64): u64 {
  return checkBuffer(p, i, pages, h);
}

export { stampOf, lastBadPage, lastBadValue } from "./lib/kernel";
