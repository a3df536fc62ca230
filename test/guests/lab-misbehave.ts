// A guest that misbehaves on purpose, for the labs tests.
// Usage: lab-misbehave MODE
//   trap   traps in the function deepTrouble (unreachable)
//   spin   a busy loop that never ends
//   flood  prints lines without end
//   hold   creates semaphore set 0x7a11 (one semaphore, 0), prints "holding",
//          then waits on it forever
//   env    prints its environment, one K=V a line, then "env end"
//   exit N exits with status N
//   shmloop  shmget(IPC_PRIVATE) in a loop until it fails; prints
//          "made N segments, then errno E"
import { SemaphoreSet, shmget, errno, IPC_PRIVATE, IPC_CREAT } from "../../assembly/index";

let mode = process.argv.length > 1 ? process.argv[1] : "";
let sink: i32 = 0;

function deepTrouble(n: i32): i32 {
  if (n >= 0) unreachable();
  return n;
}

if (mode == "trap") {
  sink = deepTrouble(sink);
} else if (mode == "spin") {
  while (true) { sink = sink * 31 + 7; store<i32>(1024, sink); }
} else if (mode == "flood") {
  while (true) console.log("flood flood flood flood flood flood flood flood");
} else if (mode == "hold") {
  let s = SemaphoreSet.create(0x7a11, 1);
  console.log("holding " + s.id.toString());
  s.wait(0);
} else if (mode == "env") {
  let keys = process.env.keys();
  for (let i = 0; i < keys.length; i++) console.log(keys[i] + "=" + process.env.get(keys[i]));
  console.log("env end");
} else if (mode == "shmloop") {
  let n = 0;
  while (n < 100000 && shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0o600) >= 0) n++;
  console.log("made " + n.toString() + " segments, then errno " + errno.toString());
} else if (mode == "exit") {
  process.exit(I32.parseInt(process.argv[2]));
} else {
  process.stderr.write("usage: lab-misbehave trap|spin|flood|hold|env|exit N\n");
  process.exit(2);
}
