// A correct dining philosopher: picks up its two forks in a fixed global
// order (the lower-numbered fork first), so no circle of waits can form:
// philosopher 4 reaches for fork 0 before fork 4, like everybody else it
// goes from low to high. Eats MEALS times.
// Usage: philosopher INDEX MEALS
import { Segment, SemaphoreSet } from "../../../assembly/index";

let i = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : -1;
let meals = process.argv.length > 2 ? I32.parseInt(process.argv[2]) : 3;
if (i < 0 || i > 4) { process.stderr.write("usage: philosopher INDEX(0-4) MEALS\n"); process.exit(2); }
let sems = SemaphoreSet.open(0x9100);
let win = Segment.open(0x9100).attach();
let left = i, right = (i + 1) % 5;
let first = min(left, right), second = max(left, right);

for (let m = 0; m < meals; m++) {
  sems.wait(first);
  sems.wait(second);
  // Eat: neither neighbour may be eating now.
  win.storeI32(32 + 4 * i, 1);
  if (win.loadI32(32 + 4 * ((i + 4) % 5)) != 0 || win.loadI32(32 + 4 * ((i + 1) % 5)) != 0) {
    win.storeI32(64, win.loadI32(64) + 1);
  }
  win.storeI32(4 * i, win.loadI32(4 * i) + 1);
  win.storeI32(32 + 4 * i, 0);
  sems.post(second);
  sems.post(first);
}
win.detach();
console.log("philosopher " + i.toString() + " ate " + meals.toString() + " times");
