// The philosophers lab's checker: every philosopher ate MEALS times, and no
// philosopher ever ate while a neighbour did.
// Usage: check MEALS [REPORT]   (exit 0 when so, 1 otherwise)
import { Segment } from "../../../assembly/index";

let meals = process.argv.length > 1 ? I32.parseInt(process.argv[1]) : 0;
let seg = Segment.tryOpen(0x9100);
if (seg == null) {
  console.log("no table segment (key 0x9100)");
  process.exit(1);
}
let win = seg!.attach(true);
let ok = true;
let line = "meals";
for (let i = 0; i < 5; i++) {
  let n = win.loadI32(4 * i);
  line += " " + n.toString();
  if (n != meals) ok = false;
}
let clashes = win.loadI32(64);
win.detach();
if (clashes != 0) ok = false;
console.log(line + " (expected " + meals.toString() + " each), neighbours eating together: " + clashes.toString());
process.exit(ok ? 0 : 1);
