// The double-buffer lab's checker: the consumer received exactly what the
// producer produced, in order: the same number of blocks, the same
// checksum (FNV-1a over every data word, in order), and no block it read
// was overwritten or torn.
// Usage: check BLOCKS [REPORT]   (exit 0 when so, 1 otherwise)
import { Segment } from "../../../assembly/index";

const RESULTS: usize = 2 * 4096;
let n = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let seg = Segment.tryOpen(0xdb00);
if (seg == null) {
  console.log("no double-buffer segment (key 0xdb00)");
  process.exit(1);
}
let win = seg!.attach(true);
let produced = win.loadI32(RESULTS), consumed = win.loadI32(RESULTS + 16);
let hp = win.loadU64(RESULTS + 8), hc = win.loadU64(RESULTS + 24);
let bad = win.loadI32(RESULTS + 32), firstBad = win.loadI32(RESULTS + 36), found = win.loadI32(RESULTS + 40);
win.detach();
let why = "";
if (produced != n) why = "the producer produced " + produced.toString() + " of " + n.toString() + " blocks";
else if (consumed != n) why = "the consumer received " + consumed.toString() + " of " + n.toString() + " blocks";
else if (bad != 0) why = bad.toString() + " block(s) were overwritten before or while the consumer read them (first: block " +
  firstBad.toString() + ", its buffer held block " + found.toString() + " when the consumer got to it)";
else if (hp != hc) why = "what the consumer read differs from what the producer wrote (checksums " + hc.toString(16) + " != " + hp.toString(16) + ")";
if (why.length == 0) {
  console.log("the consumer received all " + n.toString() + " blocks, in order, as produced (checksum " + hp.toString(16) + ")");
  process.exit(0);
}
console.log(why);
process.exit(1);
