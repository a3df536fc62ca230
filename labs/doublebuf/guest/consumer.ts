// The double buffer's consumer: for block i it waits for a full buffer
// (P(S2)), reads buffer i % 2 and checks it is block i, whole (its first and
// last words say i, every word in between is what the producer wrote for
// block i), then hands the buffer back (V(S1)). Each word also gets some
// processing, as a real consumer would do: so it is slower than the
// producer, and a producer that does not wait for it overwrites blocks.
// Usage: consumer BLOCKS
import { Segment, SemaphoreSet } from "../../../assembly/index";

const BLOCK: usize = 4096, WORDS: i32 = <i32>(BLOCK / 4), RESULTS: usize = 2 * BLOCK;
const S1 = 0, S2 = 1;
function word(i: i32, j: i32): i32 { return (i * 0x9e3779b1) ^ (j * 0x85ebca6b) ^ (j << 16); }

let n = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 100;
let sems = SemaphoreSet.open(0xdb00);
let win = Segment.open(0xdb00).attach();
let h: u64 = 0xcbf29ce484222325;
let bad = 0, firstBad = -1, found = -1;
let work: u32 = 0;
for (let i = 0; i < n; i++) {
  sems.wait(S2);
  let base = <usize>(i & 1) * BLOCK;
  let seq = win.loadI32(base);
  let whole = seq == i;
  for (let j = 1; j < WORDS - 1; j++) {
    let w = win.loadI32(base + 4 * <usize>j);
    if (w != word(i, j)) whole = false;
    h = (h ^ <u64><u32>w) * 0x100000001b3;
    for (let k = 0; k < 8; k++) work = (work ^ <u32>w) * 16777619 + <u32>k; // processing
  }
  if (win.loadI32(base + BLOCK - 4) != i) whole = false;
  if (!whole) {
    if (bad == 0) { firstBad = i; found = seq; }
    bad++;
  }
  sems.post(S1);
}
win.storeI32(RESULTS + 16, n);
win.storeU64(RESULTS + 24, h);
win.storeI32(RESULTS + 32, bad);
win.storeI32(RESULTS + 36, firstBad);
win.storeI32(RESULTS + 40, found);
win.detach();
if (work == 1) console.log(""); // keeps the processing
if (bad == 0) console.log("consumed " + n.toString() + " blocks, each whole and in order");
else console.log("consumed " + n.toString() + " blocks, " + bad.toString() + " of them overwritten or torn (first: block " +
  firstBad.toString() + ", whose buffer began with block " + found.toString() + ")");
