// Guests for the live view's tests (test/view.test.ts) and screenshots
// (scripts/view-screenshots.mjs).
// Usage: view-lab MODE ARGS
//   slow INDEX N MS   a slow counter worker for the counter lab (key 0x1ab0:
//                     the segment's i32 at 0, sem 0 the mutex, sem 1 the start
//                     barrier): N increments inside the mutex, MS ms apart
//   table N           the dining table (key 0x7d00): N forks (sems 0..N-1,
//                     each 1) and a barrier (sem N, value N), then exits
//   phil I N          philosopher I: takes fork I, waits at the barrier until
//                     all have theirs, then takes fork (I+1) % N: a deadlock
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
} else if (mode == "table") {
  let n = I32.parseInt(arg(2));
  let s = SemaphoreSet.create(0x7d00, n + 1);
  let v = new Array<u16>(n + 1);
  for (let i = 0; i < n; i++) v[i] = 1;
  v[n] = <u16>n;
  s.setAll(v);
  console.log("table for " + n.toString());
} else if (mode == "phil") {
  let i = I32.parseInt(arg(2));
  let n = I32.parseInt(arg(3));
  let s = SemaphoreSet.open(0x7d00);
  s.wait(i);
  s.op(n, -1);
  s.op(n, 0);
  s.wait((i + 1) % n);
  console.log("ate");
} else {
  process.stderr.write("usage: view-lab slow INDEX N MS | table N | phil I N\n");
  process.exit(2);
}
