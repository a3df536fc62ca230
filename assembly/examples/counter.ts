// The forked counter as one program, like the seed's C original
// (native/counter.c), with spawn in place of fork: the parent creates the
// int segment of key 1234 and sets it to 1, then spawns its own module with
// --child; the child increments the int every interval and prints it, the
// parent prints it every interval. Both stop after --count rounds; the
// parent waits for the child, prints the final value and removes the
// segment if it created it. Exits with the child's status if that failed.
// A spawned child inherits no attachment (fork's child would), so it opens
// the segment by key itself.
// Usage: counter [--count N] [--key K] [--interval MS]

import { Segment, sleepMs, spawn, wait, SELF, errno, strerror } from "../index";
import { Args, fail } from "./lib/cli";

// Parent and child write to the same stdout: one write per line, so that
// their lines never mix (console.log writes the text and "\n" apart).
function say(line: string): void {
  process.stdout.write(line + "\n");
}

let args = new Args("[--count N] [--key K] [--interval MS]");
let key = <i32>args.int("--key", 1234);
let count = args.int("--count", 10);
let interval = args.int("--interval", 1000);
let child = args.flag("--child"); // the child's role (set by the parent)
args.done();

if (child) {
  let win = Segment.open(key).attach();
  for (let i: i64 = 0; i < count; i++) {
    let v = win.loadI32(0) + 1; // one incrementer: no lock needed
    win.storeI32(0, v);
    say("child " + v.toString());
    sleepMs(interval);
  }
  win.detach();
} else {
  let seg = Segment.create(key, sizeof<i32>(), 0o666);
  let win = seg.attach();
  win.storeI32(0, 1);
  let pid = spawn(SELF, ["--child", "--key", key.toString(), "--count", count.toString(), "--interval", interval.toString()]);
  if (pid < 0) fail("spawn: " + strerror(errno));
  for (let i: i64 = 0; i < count; i++) {
    sleepMs(interval);
    say(win.loadI32(0).toString());
  }
  let st = wait(pid);
  if (st == null) fail("wait: " + strerror(errno));
  say("final " + win.loadI32(0).toString());
  win.detach();
  if (seg.created) seg.remove();
  if (!st!.exited || st!.code != 0) fail("counter: the child failed (wait status " + st!.raw.toString() + ")");
}
