// Double-buffer reader; see lib/dbuf.ts for the protocol.
// Usage: dbuf-reader [--key K] [--size BYTES] [--count N]

import { Segment, SemaphoreSet, P, V, nowMs } from "../index";
import { Args, fail, hex64, fixed1 } from "./lib/cli";
import { DEFAULT_KEY, DEFAULT_SIZE, DEFAULT_COUNT, S1, S2, FNV_OFFSET, USAGE, sumBuffer, sizeError } from "./lib/dbuf";

const WAIT_MS = 5000; // for the writer to create the objects

let args = new Args(USAGE);
let key = <i32>args.int("--key", DEFAULT_KEY);
let size = args.int("--size", DEFAULT_SIZE);
let count = args.int("--count", DEFAULT_COUNT);
args.done();
let bad = sizeError(size);
if (bad != null) fail(bad!);
if (count < 0) fail("--count must be >= 0");

let B = <usize>size;
let seg = Segment.tryOpen(key, WAIT_MS);
if (seg == null) fail("no segment with key 0x" + (<u32>key).toString(16) + " after 5 s");
let sems = SemaphoreSet.tryOpen(key, WAIT_MS);
if (sems == null) fail("no semaphore set with key 0x" + (<u32>key).toString(16) + " after 5 s");
if (sems!.nsems < 2) fail("semaphore set has fewer than 2 semaphores");
let win = seg!.attach(true); // the reader only reads
if (win.size < 2 * B) fail("segment is smaller than 2*size");

let words = B >> 3;
// Called through a function value so that Binaryen does not inline the hot
// loop into _start (see dbuf-writer.ts: V8 would run it unoptimized).
let sumFn = sumBuffer;
let h = FNV_OFFSET;
// Timed from the first P to the last V, so it includes the writer's first fill.
let t0 = nowMs();
for (let i: i64 = 0; i < count; i++) {
  P(sems!, S2);
  h = sumFn(win.addr + <usize>(i & 1) * B, words, h);
  V(sems!, S1);
}
let t1 = nowMs();
win.detach();
let bytes = <u64>count * B;
console.log("checksum=" + hex64(h) + " bytes=" + bytes.toString() + " buffers=" + count.toString());
let secs = (t1 - t0) / 1000;
console.log("MB/s=" + fixed1(secs > 0 ? <f64>bytes / 1e6 / secs : 0));

