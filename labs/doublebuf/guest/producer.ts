// The double buffer's producer (correct): block i goes into buffer i % 2;
// before it reuses a buffer (from block 2 on) it waits until the consumer
// has drained one (P(S1)); after filling it, it signals a full one (V(S2)).
// Block i: word 0 and the last word hold i, word j in between word(i, j).
// Usage: producer BLOCKS
import { Segment, SemaphoreSet } from "../../../assembly/index";

const BLOCK: usize = 4096, WORDS: i32 = <i32>(BLOCK / 4), RESULTS: usize = 2 * BLOCK;
const S1 = 0, S2 = 1;
function word(i: i32, j: i32): i32 { return (i * 0x9e3779b1) ^ (j * 0x85ebca6b) ^ (j << 16); }

let n = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 100;
let sems = SemaphoreSet.open(0xdb00);
let win = Segment.open(0xdb00).attach();
let h: u64 = 0xcbf29ce484222325;
for (let i = 0; i < n; i++) {
  if (i >= 2) sems.wait(S1);
  let base = <usize>(i & 1) * BLOCK;
  win.storeI32(base, i);
  for (let j = 1; j < WORDS - 1; j++) {
    let w = word(i, j);
    win.storeI32(base + 4 * <usize>j, w);
    h = (h ^ <u64><u32>w) * 0x100000001b3;
  }
  win.storeI32(base + BLOCK - 4, i);
  sems.post(S2);
}
win.storeI32(RESULTS, n);
win.storeU64(RESULTS + 8, h);
win.detach();
console.log("produced " + n.toString() + " blocks");
