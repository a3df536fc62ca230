// The bounded-buffer lab's setup (runs first), key 0xbb00.
//   segment: header (i32s): in at 0, out at 4, SLOTS at 8, PRODUCERS at 12,
//   ITEMS (per producer) at 16, CONSUMERS at 20; the ring of SLOTS i32 at
//   64; then each consumer's log, at 64 + 4 * SLOTS + c * (4 + 4 * PER):
//   how many items it took, then the items (PER = PRODUCERS * ITEMS /
//   CONSUMERS each). The logs are each consumer's own: the checker reads
//   them, whatever the ring went through.
//   semaphores: 0 the mutex (1), 1 empty slots (SLOTS), 2 full slots (0).
// Usage: init PRODUCERS ITEMS CONSUMERS SLOTS
import { Segment, SemaphoreSet } from "../../../assembly/index";

function arg(i: i32): i32 { return process.argv.length > i ? I32.parseInt(process.argv[i]) : 0; }
let producers = arg(1), items = arg(2), consumers = arg(3), slots = arg(4);
if (producers < 1 || items < 1 || consumers < 1 || slots < 1 || slots > 1000 || (producers * items) % consumers != 0) {
  process.stderr.write("usage: init PRODUCERS ITEMS CONSUMERS SLOTS (PRODUCERS * ITEMS a multiple of CONSUMERS)\n");
  process.exit(2);
}
let per = producers * items / consumers;
let size = <usize>(64 + 4 * slots + consumers * (4 + 4 * per));
let win = Segment.create(0xbb00, size).attach();
for (let off: usize = 0; off < size; off += 4) win.storeI32(off, 0);
win.storeI32(8, slots);
win.storeI32(12, producers);
win.storeI32(16, items);
win.storeI32(20, consumers);
win.detach();
let sems = SemaphoreSet.create(0xbb00, 3);
sems.setAll([1, <u16>slots, 0]);
console.log("a ring of " + slots.toString() + " slots for " + producers.toString() + " producers and " + consumers.toString() + " consumers");
