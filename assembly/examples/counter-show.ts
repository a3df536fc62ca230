// The showing half of the counter example: creates the int segment of key
// 1234 (IPC_CREAT|0666) and prints its value every second, 10 times by
// default. Run counter-inc (or native counter-peer) beside it to see the
// value move.
// Usage: counter-show [--key K] [--count N] [--interval MS] [--rm]

import { Segment, sleepMs } from "../index";
import { Args } from "./lib/cli";

let args = new Args("[--key K] [--count N] [--interval MS] [--rm]");
let key = <i32>args.int("--key", 1234);
let count = args.int("--count", 10);
let interval = args.int("--interval", 1000);
let rm = args.flag("--rm"); // remove the segment at the end
args.done();

let seg = Segment.create(key, sizeof<i32>(), 0o666);
let win = seg.attach();
for (let i: i64 = 0; i < count; i++) {
  sleepMs(interval);
  console.log("show -> " + win.loadI32(0).toString());
}
win.detach();
if (rm) seg.remove();
