// The stack's floor (wasi-sysv bench: the call-floor variant of
// semop-uncontended): the same P+V loop as bench.ts's semop mode, but each
// semop goes to `benchfloor.semop`, which floor-host.ts answers with one
// koffi call into libc and nothing else (no bounds check, no stop check, no
// retry). The difference between this and the real host is the host's own
// logic; the difference between this and C is the wasm -> JS -> koffi call.
//
//   floor --iters N --warm W --batch K
import { semget, semctl, errno, strerror, IPC_PRIVATE, IPC_CREAT, IPC_RMID, SETVAL } from "../index";
import { fail, mode, int, nowNs, cpuNs } from "./lib/args";
import { sop } from "./lib/ops";

// @ts-ignore: decorator
@external("benchfloor", "semop")
declare function floor_semop(semid: i32, sops: usize, nsops: usize): i32;

function check(r: i32, what: string): i32 {
  if (r < 0) fail(what + ": " + strerror(errno));
  return r;
}

type Batch = (id: i32, n: i32) => void;
function semPairs(id: i32, n: i32): void {
  let p = sop(0, false), v = sop(0, true);
  for (let k = 0; k < n; k++) {
    let r = floor_semop(id, p, 1);
    if (r < 0) fail("semop P: " + strerror(-r));
    r = floor_semop(id, v, 1);
    if (r < 0) fail("semop V: " + strerror(-r));
  }
}
let pairs: Batch = semPairs;

function floorMode(): void {
  let iters = int("--iters"), warm = int("--warm", 0), batch = int("--batch", 1000);
  let id = check(semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600), "semget");
  console.log("ipc sem=" + id.toString());
  check(semctl(id, 0, SETVAL, 1), "semctl(SETVAL)");
  for (let done: i64 = 0; done < warm; done += batch) pairs(id, <i32>min(batch, warm - done));
  let c0 = cpuNs();
  let t0 = nowNs();
  for (let done: i64 = 0; done < iters; done += batch) pairs(id, <i32>min(batch, iters - done));
  let t1 = nowNs();
  let c1 = cpuNs();
  console.log("ns_per_op=" + ((t1 - t0) / <f64>iters).toString() + " cpu_ns_per_op=" + ((c1 - c0) / <f64>iters).toString());
  check(semctl(id, 0, IPC_RMID), "semctl(IPC_RMID)");
}

let m = mode();
if (m == "floor") floorMode();
else fail("unknown mode " + m);
