// A hostile guest for the lab's `processes` limit: a tree of spawns, each
// process spawning itself until spawn fails (EAGAIN at the limit), then
// waiting. The root counts the tree once it has settled, prints
// "tree of N processes, spawn then failed with errno E", lets every process
// go and reaps its own children.
// Semaphore set 0x5b0b: sem 0 processes started, sem 1 the gate they wait
// at, sem 2 spawns that succeeded, sem 3 (always 0) the root's pause.
// Usage: spawn-tree            (the root)      spawn-tree child
import { SemaphoreSet, spawn, wait, SELF, errno } from "../../../assembly/index";

let root = process.argv.length < 2 || process.argv[1] != "child";
let sems = root ? SemaphoreSet.create(0x5b0b, 4) : SemaphoreSet.open(0x5b0b);
sems.post(0);
let err = 0;
for (;;) {
  if (spawn(SELF, ["child"]) < 0) { err = errno; break; }
  sems.post(2);
}
if (!root) {
  sems.wait(1);
  process.exit(0);
}
// Settled: every spawned process has started (sem 0 = spawns + 1) and waits
// at the gate (no one is still spawning).
for (;;) {
  let started = sems.getVal(0), spawned = sems.getVal(2);
  if (started == spawned + 1 && sems.getNcnt(1) == spawned) break;
  sems.timedOp(3, -1, 20); // a 20 ms pause: sem 3 stays 0
}
let n = sems.getVal(0);
console.log("tree of " + n.toString() + " processes, spawn then failed with errno " + err.toString());
sems.setVal(1, n - 1);
while (wait() != null) {}
