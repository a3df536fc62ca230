// The naive dining philosopher: left fork, then right fork. To make the
// deadlock happen every run (not only when the scheduler is unlucky), each
// philosopher, with its left fork in hand, waits at a barrier that all five
// pass before anybody reaches for a right fork: then every fork is held and
// every philosopher waits for its right neighbour's fork, a circle of five
// waits that never ends.
// Usage: philosopher-naive INDEX MEALS
import { Segment, SemaphoreSet } from "../../../assembly/index";

let i = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : -1;
let meals = process.argv.length > 2 ? I32.parseInt(process.argv[2]) : 3;
if (i < 0 || i > 4) { process.stderr.write("usage: philosopher-naive INDEX(0-4) MEALS\n"); process.exit(2); }
let sems = SemaphoreSet.open(0x9100);
let win = Segment.open(0x9100).attach();
let left = i, right = (i + 1) % 5;

for (let m = 0; m < meals; m++) {
  sems.wait(left);
  if (m == 0) {
    sems.op(5, -1);
    sems.op(5, 0); // everybody holds a left fork now
  }
  sems.wait(right);
  win.storeI32(4 * i, win.loadI32(4 * i) + 1);
  sems.post(right);
  sems.post(left);
}
win.detach();
console.log("philosopher " + i.toString() + " ate " + meals.toString() + " times");
