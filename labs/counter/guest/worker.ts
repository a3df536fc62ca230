// A correct counter worker: waits at the start barrier, then increments the
// shared counter N times, each time inside the mutex (sem 0).
// Usage: worker INDEX N
import { Segment, SemaphoreSet } from "../../../assembly/index";

let index = process.argv.length > 1 ? process.argv[1] : "?";
let n = process.argv.length > 2 ? I32.parseInt(process.argv[2]) : 1000;
let sems = SemaphoreSet.open(0x1ab0);
let win = Segment.open(0x1ab0).attach();
sems.op(1, -1);
sems.op(1, 0); // everybody starts together
for (let i = 0; i < n; i++) {
  sems.wait(0);
  win.storeI32(0, win.loadI32(0) + 1);
  sems.post(0);
}
win.detach();
console.log("worker " + index + " done");
