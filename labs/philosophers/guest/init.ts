// The philosophers lab's setup (runs first): creates the table, key 0x9100.
//   semaphore set: sem 0..4 the forks (1 each: fork i lies between
//   philosopher i and philosopher i+1, so philosopher i's left fork is i and
//   its right fork is (i + 1) % 5); sem 5 a barrier (5) the naive
//   philosophers pass with their left fork in hand.
//   segment: meals[i] at 4*i (how often philosopher i ate), eating[i] at
//   32 + 4*i (1 while it eats), clashes at 64 (how often a philosopher found
//   a neighbour eating: two neighbours can only eat together with a fork
//   used twice).
// Usage: init
import { Segment, SemaphoreSet } from "../../../assembly/index";

let seg = Segment.create(0x9100, 4096);
let win = seg.attach();
for (let off: usize = 0; off < 128; off += 4) win.storeI32(off, 0);
win.detach();
let sems = SemaphoreSet.create(0x9100, 6);
sems.setAll([1, 1, 1, 1, 1, 5]);
console.log("table laid for 5");
