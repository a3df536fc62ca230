// Double-buffer writer; see lib/dbuf.ts for the protocol.
// Usage: dbuf-writer [--key K] [--size BYTES] [--count N]

import { Segment, SemaphoreSet, P, V } from "../index";
import { Args, fail, hex64 } from "./lib/cli";
import { DEFAULT_KEY, DEFAULT_SIZE, DEFAULT_COUNT, S1, S2, FNV_OFFSET, USAGE, fillBuffer, sizeError } from "./lib/dbuf";

let args = new Args(USAGE);
let key = <i32>args.int("--key", DEFAULT_KEY);
let size = args.int("--size", DEFAULT_SIZE);
let count = args.int("--count", DEFAULT_COUNT);
args.done();
let bad = sizeError(size);
if (bad != null) fail(bad!);
if (count < 0) fail("--count must be >= 0");

let B = <usize>size;
let seg = Segment.create(key, 2 * B, 0o600);
let sems = SemaphoreSet.create(key, 2, 0o600);
if (sems.created) sems.setAll([0, 0]);
if (sems.nsems < 2) fail("semaphore set of key " + key.toString() + " has fewer than 2 semaphores");
let win = seg.attach();
if (win.size < 2 * B) fail("segment of key " + key.toString() + " is smaller than 2*size");

let words = B >> 3;
// Called through a function value so that Binaryen does not inline the hot loop
// into _start, which runs once: V8 has no on-stack replacement for wasm, so
// a loop there would stay in baseline (Liftoff) code, ~1.6x slower, while a
// function called once per buffer is soon recompiled optimized.
let fillFn = fillBuffer;
let h = FNV_OFFSET;
for (let i: i64 = 0; i < count; i++) {
  if (i >= 2) P(sems, S1);
  h = fillFn(win.addr + <usize>(i & 1) * B, <u64>i, words, h);
  V(sems, S2);
}
win.detach();
console.log("checksum=" + hex64(h) + " bytes=" + (<u64>count * B).toString() + " buffers=" + count.toString());

