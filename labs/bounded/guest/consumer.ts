// A bounded-buffer consumer (correct): takes PER items: P(full), then
// inside the mutex it reads the slot `out` points at and advances `out`,
// then V(empty); it logs each item it took in its own log.
// Usage: consumer INDEX
import { Segment, SemaphoreSet } from "../../../assembly/index";

const MUTEX = 0, EMPTY = 1, FULL = 2;
let c = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let sems = SemaphoreSet.open(0xbb00);
let win = Segment.open(0xbb00).attach();
let slots = win.loadI32(8), per = win.loadI32(12) * win.loadI32(16) / win.loadI32(20);
let log = <usize>(64 + 4 * slots + c * (4 + 4 * per));
for (let k = 0; k < per; k++) {
  sems.wait(FULL);
  sems.wait(MUTEX);
  let slot = win.loadI32(4);
  let item = win.loadI32(64 + 4 * <usize>slot);
  win.storeI32(4, (slot + 1) % slots);
  sems.post(MUTEX);
  sems.post(EMPTY);
  win.storeI32(log + 4 + 4 * <usize>k, item);
  win.storeI32(log, k + 1);
}
win.detach();
console.log("consumer " + c.toString() + " took " + per.toString() + " items");
