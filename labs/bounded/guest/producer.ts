// A bounded-buffer producer (correct): producer p puts items p * ITEMS + 1
// .. p * ITEMS + ITEMS into the ring: P(empty), then inside the mutex it
// writes the slot `in` points at and advances `in`, then V(full).
// Usage: producer INDEX
import { Segment, SemaphoreSet } from "../../../assembly/index";

const MUTEX = 0, EMPTY = 1, FULL = 2;
let p = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let sems = SemaphoreSet.open(0xbb00);
let win = Segment.open(0xbb00).attach();
let slots = win.loadI32(8), items = win.loadI32(16);
for (let j = 0; j < items; j++) {
  sems.wait(EMPTY);
  sems.wait(MUTEX);
  let slot = win.loadI32(0);
  win.storeI32(64 + 4 * <usize>slot, p * items + j + 1);
  win.storeI32(0, (slot + 1) % slots);
  sems.post(MUTEX);
  sems.post(FULL);
}
win.detach();
console.log("producer " + p.toString() + " put " + items.toString() + " items");
