// A broken bounded-buffer producer: the same as producer.ts without the
// mutex. Two producers can read the same `in`, write the same slot (one
// item lost) and both advance `in` (a slot skipped: a consumer takes a
// stale item again). Some bookkeeping between reading `in` and advancing
// it, as a real program has, widens the window.
// Usage: producer-nomutex INDEX
import { Segment, SemaphoreSet } from "../../../assembly/index";

const EMPTY = 1, FULL = 2;
let p = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let sems = SemaphoreSet.open(0xbb00);
let win = Segment.open(0xbb00).attach();
let slots = win.loadI32(8), items = win.loadI32(16);
let x: i32 = 0;
for (let j = 0; j < items; j++) {
  sems.wait(EMPTY);
  let slot = win.loadI32(0);
  for (let k = 0; k < 200; k++) x += k ^ slot; // bookkeeping
  win.storeI32(64 + 4 * <usize>slot, p * items + j + 1);
  win.storeI32(0, (slot + 1) % slots);
  sems.post(FULL);
}
win.detach();
if (x == -1) console.log("");
console.log("producer " + p.toString() + " put " + items.toString() + " items");
