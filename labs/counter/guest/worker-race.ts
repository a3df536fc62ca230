// The broken counter worker: the same as worker.ts without the mutex. The
// read and the write of the counter are not atomic across processes, so
// increments get lost when workers overlap.
// Usage: worker-race INDEX N
import { Segment, SemaphoreSet } from "../../../assembly/index";

let index = process.argv.length > 1 ? process.argv[1] : "?";
let n = process.argv.length > 2 ? I32.parseInt(process.argv[2]) : 1000;
let sems = SemaphoreSet.open(0x1ab0);
let win = Segment.open(0x1ab0).attach();
sems.op(1, -1);
sems.op(1, 0); // everybody starts together
for (let i = 0; i < n; i++) {
  let v = win.loadI32(0);
  // Some work between the read and the write, as a real update would have.
  let x: i32 = 0;
  for (let k = 0; k < 200; k++) x += k ^ v;
  if (x == -1) console.log("");
  win.storeI32(0, v + 1);
}
win.detach();
console.log("worker " + index + " done");
