// The bounded-buffer lab's checker: every item 1 .. PRODUCERS * ITEMS was
// taken by some consumer exactly once (read from the consumers' logs).
// Usage: check [REPORT]   (exit 0 when so, 1 otherwise)
import { Segment } from "../../../assembly/index";

let seg = Segment.tryOpen(0xbb00);
if (seg == null) {
  console.log("no bounded-buffer segment (key 0xbb00)");
  process.exit(1);
}
let win = seg!.attach(true);
let slots = win.loadI32(8), total = win.loadI32(12) * win.loadI32(16), consumers = win.loadI32(20);
let per = total / consumers;
let seen = new Int32Array(total + 1);
let taken = 0, strange = 0;
for (let c = 0; c < consumers; c++) {
  let log = <usize>(64 + 4 * slots + c * (4 + 4 * per));
  let n = win.loadI32(log);
  taken += n;
  for (let k = 0; k < n && k < per; k++) {
    let item = win.loadI32(log + 4 + 4 * <usize>k);
    if (item < 1 || item > total) strange++; else seen[item]++;
  }
}
win.detach();
let missing = 0, twice = 0, firstMissing = 0, firstTwice = 0;
for (let i = 1; i <= total; i++) {
  if (seen[i] == 0) { missing++; if (firstMissing == 0) firstMissing = i; }
  if (seen[i] > 1) { twice++; if (firstTwice == 0) firstTwice = i; }
}
if (missing == 0 && twice == 0 && strange == 0 && taken == total) {
  console.log("all " + total.toString() + " items taken exactly once");
  process.exit(0);
}
console.log(taken.toString() + " items taken for " + total.toString() + " produced: " + missing.toString() + " never taken" +
  (missing > 0 ? " (first: " + firstMissing.toString() + ")" : "") + ", " + twice.toString() + " taken more than once" +
  (twice > 0 ? " (first: " + firstTwice.toString() + ")" : "") + ", " + strange.toString() + " taken that nobody produced (an empty slot)");
process.exit(1);
