// The counter lab's setup (runs first): creates the counter segment (key
// 0x1ab0, one i32 at offset 0, zero) and the semaphore set of the same key:
// sem 0 the mutex (1), sem 1 a start barrier (the number of workers).
// Usage: init WORKERS
import { Segment, SemaphoreSet } from "../../../assembly/index";

let workers = I32.parseInt(process.argv.length > 1 ? process.argv[1] : "");
if (isNaN(<f64>workers) || workers < 1) {
  process.stderr.write("usage: init WORKERS\n");
  process.exit(2);
}
let seg = Segment.create(0x1ab0, 4096);
let win = seg.attach();
win.storeI32(0, 0);
win.detach();
let sems = SemaphoreSet.create(0x1ab0, 2);
sems.setAll([1, <u16>workers]);
console.log("counter ready for " + workers.toString() + " workers");
