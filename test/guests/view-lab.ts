// A guest for the live view's tests (test/view.test.ts) and screenshots
// (scripts/view-screenshots.mjs).
// Usage: view-lab slow INDEX N MS
//   slow INDEX N MS   a slow counter worker for the counter lab (key 0x1ab0:
//                     the segment's i32 at 0, sem 0 the mutex, sem 1 the start
//                     barrier): N increments inside the mutex, MS ms apart
import { Segment, SemaphoreSet, sleepMs } from "../../assembly/index";

const arg = (i: i32): string => (process.argv.length > i ? process.argv[i] : "");
let mode = arg(1);

if (mode == "slow") {
  let n = I32.parseInt(arg(3));
  let ms = I32.parseInt(arg(4));
  let sems = SemaphoreSet.open(0x1ab0);
  let win = Segment.open(0x1ab0).attach();
  sems.op(1, -1);
  sems.op(1, 0);
  for (let i = 0; i < n; i++) {
    sems.wait(0);
    win.storeI32(0, win.loadI32(0) + 1);
    sems.post(0);
    sleepMs(ms);
  }
  win.detach();
  console.log("worker " + arg(2) + " done");
} else {
  process.stderr.write("usage: view-lab slow INDEX N MS\n");
  process.exit(2);
}
