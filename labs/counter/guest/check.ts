// The counter lab's checker: the counter must equal EXPECTED.
// Usage: check EXPECTED [REPORT]   (exit 0 when it does, 1 otherwise)
import { Segment } from "../../../assembly/index";

let expected = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let seg = Segment.tryOpen(0x1ab0);
if (seg == null) {
  console.log("no counter segment (key 0x1ab0)");
  process.exit(1);
}
let win = seg!.attach(true);
let v = win.loadI32(0);
win.detach();
console.log("counter = " + v.toString() + ", expected " + expected.toString());
process.exit(v == expected ? 0 : 1);
