// The incrementing half of the counter example: opens the int segment of
// key 1234 (waiting up to 5 s for it to appear) and increments it every
// second, 10 times by default.
// Usage: counter-inc [--key K] [--count N] [--interval MS]

import { Segment, sleepMs } from "../index";
import { Args, fail } from "./lib/cli";

let args = new Args("[--key K] [--count N] [--interval MS]");
let key = <i32>args.int("--key", 1234);
let count = args.int("--count", 10);
let interval = args.int("--interval", 1000);
args.done();

let seg = Segment.tryOpen(key, 5000);
if (seg == null) fail("no segment with key " + key.toString() + " after 5 s (start counter-show first)");
let win = seg!.attach();
for (let i: i64 = 0; i < count; i++) {
  if (i > 0) sleepMs(interval);
  // Not atomic across processes, as in the forking C original: one incrementer at a time.
  let v = win.loadI32(0) + 1;
  win.storeI32(0, v);
  console.log("inc -> " + v.toString());
}
win.detach();
