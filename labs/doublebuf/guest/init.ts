// The double-buffer lab's setup (runs first), key 0xdb00, the protocol of
// the seeds' lecture notes (shared/seeds: "double buffering with two
// semaphores"):
//   segment: two buffers of BLOCK bytes (buffer k at k * BLOCK), then the
//   results at RESULTS = 2 * BLOCK: the producer's block count (i32) and
//   checksum (u64) at +0/+8, the consumer's at +16/+24, the consumer's
//   count of bad blocks at +32, the first bad one (expected and found
//   sequence numbers) at +36/+40.
//   semaphores, both 0: S1 (0) counts drained buffers, S2 (1) full ones.
// Usage: init
import { Segment, SemaphoreSet } from "../../../assembly/index";

const BLOCK: usize = 4096;
let seg = Segment.create(0xdb00, 2 * BLOCK + 64);
let win = seg.attach();
for (let off: usize = 0; off < 2 * BLOCK + 64; off += 4) win.storeI32(off, 0);
win.storeI32(2 * BLOCK + 36, -1);
win.storeI32(2 * BLOCK + 40, -1);
win.detach();
let sems = SemaphoreSet.create(0xdb00, 2);
sems.setAll([0, 0]);
console.log("two buffers of " + BLOCK.toString() + " bytes ready");
