// A broken double-buffer producer: it uses only S2 (full buffers) and not
// S1 (drained ones), so it never waits for the consumer: it fills the next
// buffer while the consumer may still be reading it, and, since a consumer
// that checks what it reads is slower than a producer that only writes,
// it soon overwrites blocks before they were read.
// Usage: producer-nowait BLOCKS
import { Segment, SemaphoreSet } from "../../../assembly/index";

const BLOCK: usize = 4096, WORDS: i32 = <i32>(BLOCK / 4), RESULTS: usize = 2 * BLOCK;
const S2 = 1;
function word(i: i32, j: i32): i32 { return (i * 0x9e3779b1) ^ (j * 0x85ebca6b) ^ (j << 16); }

let n = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 100;
let sems = SemaphoreSet.open(0xdb00);
let win = Segment.open(0xdb00).attach();
let h: u64 = 0xcbf29ce484222325;
for (let i = 0; i < n; i++) {
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
