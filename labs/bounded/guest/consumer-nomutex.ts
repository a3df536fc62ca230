// A broken bounded-buffer consumer: the same as consumer.ts without the
// mutex. Two consumers can read the same `out` and take the same item.
// Usage: consumer-nomutex INDEX
import { Segment, SemaphoreSet } from "../../../assembly/index";

const EMPTY = 1, FULL = 2;
let c = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let sems = SemaphoreSet.open(0xbb00);
let win = Segment.open(0xbb00).attach();
let slots = win.loadI32(8), per = win.loadI32(12) * win.loadI32(16) / win.loadI32(20);
let log = <usize>(64 + 4 * slots + c * (4 + 4 * per));
let x: i32 = 0;
for (let k = 0; k < per; k++) {
  sems.wait(FULL);
  let slot = win.loadI32(4);
  let item = win.loadI32(64 + 4 * <usize>slot);
  for (let i = 0; i < 200; i++) x += i ^ slot; // bookkeeping
  win.storeI32(4, (slot + 1) % slots);
  sems.post(EMPTY);
  win.storeI32(log + 4 + 4 * <usize>k, item);
  win.storeI32(log, k + 1);
}
win.detach();
if (x == -1) console.log("");
console.log("consumer " + c.toString() + " took " + per.toString() + " items");
