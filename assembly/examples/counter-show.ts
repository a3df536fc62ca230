// The showing half of the counter example: creates the int segment of key
// 1234 (IPC_CREAT|0666) and prints its value every second, 10 times by
// default. Run counter-inc (or native counter-peer) beside it to see the
// value move. With --until V it stops as soon as it has shown V, and exits 1
// if --count rounds pass without it.
// Usage: counter-show [--key K] [--count N] [--interval MS] [--until V] [--rm]

import { Segment, sleepMs } from "../index";
import { Args, fail } from "./lib/cli";

let args = new Args("[--key K] [--count N] [--interval MS] [--until V] [--rm]");
let key = <i32>args.int("--key", 1234);
let count = args.int("--count", 10);
let interval = args.int("--interval", 1000);
let until = args.int("--until", -1); // -1: show --count values
let rm = args.flag("--rm"); // remove the segment at the end
args.done();

let seg = Segment.create(key, sizeof<i32>(), 0o666);
let win = seg.attach();
let seen = false;
for (let i: i64 = 0; i < count && !seen; i++) {
  sleepMs(interval);
  let v = win.loadI32(0);
  console.log("show -> " + v.toString());
  seen = until >= 0 && v == until;
}
win.detach();
if (rm) seg.remove();
if (until >= 0 && !seen) fail("counter-show: never saw " + until.toString() + " in " + count.toString() + " rounds");
