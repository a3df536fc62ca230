// The wasm side of the benchmark (wasi-sysv bench): one WASI command, one
// workload per mode. Each mode times its own loop on the WASI monotonic
// clock, so process start-up and compilation are not in the figures, and
// prints key=value lines. The C twin is native/bench.c; the two must do the
// same calls in the same order.
//
//   semop  --iters N --warm W --batch K   P then V on a private semaphore
//   shmat  --iters N --warm W --batch K --size B   attach + detach a segment
//   writer --shmid S --semid M --size B --count N  double-buffer writer
//   reader --shmid S --semid M --size B --count N --warm W   ... reader
//   touch-writer / touch-reader: the same double buffer, transfer-bound: one
//          stamp per 4 KiB page written, each stamp checked (lib/kernel.ts)
//   contend --semid S --shmid M --iters N: a contender on the SEM_UNDO
//          mutex (semaphore 0): ready, gate, N critical sections, done
//
// semop and shmat create their object with IPC_PRIVATE, print its id at once
// ("ipc sem=ID" / "ipc shm=ID") so that the driver can remove it should the
// guest die, and remove it themselves at the end.
import {
  semget, semctl, semop, shmget, shmat, shmdt, shmctl, errno, strerror,
  IPC_PRIVATE, IPC_CREAT, IPC_RMID, SETVAL, SHM_RDONLY, SEM_UNDO, EINTR,
} from "../index";
import { fail, mode, int, hex64, nowNs, cpuNs } from "./lib/args";
import {
  FNV_OFFSET, fillBuffer, sumBuffer, stampBuffer, checkBuffer, lastBadPage, lastBadValue, stampOf, STAMP_PAGE,
} from "./lib/kernel";
import { P, V, S1, S2, sop } from "./lib/ops";

function check(r: i32, what: string): i32 {
  if (r < 0) fail(what + ": " + strerror(errno));
  return r;
}

// The hot loops live in functions called once per buffer or per batch, so
// that V8's tier-up (which replaces a function between calls, not inside a
// running loop: there is no on-stack replacement for wasm) has optimised
// them before the timed part starts. They are called through function
// values so that the optimiser cannot inline them back into the mode
// functions, which run once. The C twin has the same calls.
type Kernel4 = (p: usize, i: u64, words: usize, h: u64) => u64;
type Kernel3 = (p: usize, words: usize, h: u64) => u64;
type Batch = (id: i32, n: i32) => void;
let fill: Kernel4 = fillBuffer;
let sum: Kernel3 = sumBuffer;
let stamp: Kernel4 = stampBuffer;
let checkStamps: Kernel4 = checkBuffer;
function semPairs(id: i32, n: i32): void {
  let p = sop(0, false), v = sop(0, true);
  for (let k = 0; k < n; k++) {
    if (semop(id, p, 1) < 0) fail("semop P: " + strerror(errno));
    if (semop(id, v, 1) < 0) fail("semop V: " + strerror(errno));
  }
}

function shmPairs(id: i32, n: i32): void {
  for (let k = 0; k < n; k++) {
    let a = shmat(id, 0, 0);
    if (a == <usize>-1) fail("shmat: " + strerror(errno));
    if (shmdt(a) < 0) fail("shmdt: " + strerror(errno));
  }
}

/**
 * Runs `warm` untimed then `iters` timed operations in batches; prints the
 * wall-clock ns per op (the figure) and the process CPU ns per op (robust
 * against other load on the machine).
 */
function timed(run: Batch, id: i32, iters: i64, warm: i64, batch: i64): void {
  for (let done: i64 = 0; done < warm; done += batch) {
    let n = <i32>min(batch, warm - done);
    run(id, n);
  }
  let c0 = cpuNs();
  let t0 = nowNs();
  for (let done: i64 = 0; done < iters; done += batch) {
    let n = <i32>min(batch, iters - done);
    run(id, n);
  }
  let t1 = nowNs();
  let c1 = cpuNs();
  console.log("ns_per_op=" + ((t1 - t0) / <f64>iters).toString() + " cpu_ns_per_op=" + ((c1 - c0) / <f64>iters).toString());
}

function semopMode(): void {
  let iters = int("--iters"), warm = int("--warm", 0), batch = int("--batch", 1000);
  let id = check(semget(IPC_PRIVATE, 1, IPC_CREAT | 0o600), "semget");
  console.log("ipc sem=" + id.toString());
  check(semctl(id, 0, SETVAL, 1), "semctl(SETVAL)");
  timed(semPairs, id, iters, warm, batch);
  check(semctl(id, 0, IPC_RMID), "semctl(IPC_RMID)");
}

function shmatMode(): void {
  let iters = int("--iters"), warm = int("--warm", 0), batch = int("--batch", 1000);
  let size = int("--size", 65536);
  let id = check(shmget(IPC_PRIVATE, <usize>size, IPC_CREAT | 0o600), "shmget");
  console.log("ipc shm=" + id.toString());
  timed(shmPairs, id, iters, warm, batch);
  check(shmctl(id, IPC_RMID), "shmctl(IPC_RMID)");
}

function writerMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count");
  let base = shmat(shmid, 0, 0);
  if (base == <usize>-1) fail("shmat: " + strerror(errno));
  let words = B >> 3;
  let h = FNV_OFFSET;
  for (let i: i64 = 0; i < count; i++) {
    if (i >= 2) P(semid, S1);
    h = fill(base + <usize>(i & 1) * B, <u64>i, words, h);
    V(semid, S2);
  }
  check(shmdt(base), "shmdt");
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
}

function readerMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count"), warm = int("--warm", 0);
  if (warm >= count) fail("--warm must be below --count");
  let base = shmat(shmid, 0, SHM_RDONLY);
  if (base == <usize>-1) fail("shmat: " + strerror(errno));
  let words = B >> 3;
  let h = FNV_OFFSET;
  let t0: f64 = 0;
  for (let i: i64 = 0; i < count; i++) {
    P(semid, S2);
    if (i == warm) t0 = nowNs();
    h = sum(base + <usize>(i & 1) * B, words, h);
    V(semid, S1);
  }
  let t1 = nowNs();
  check(shmdt(base), "shmdt");
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
  console.log("ns_per_op=" + ((t1 - t0) / <f64>(count - warm)).toString());
}

function touchWriterMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count");
  if (B % STAMP_PAGE != 0) fail("--size must be a multiple of 4096");
  let base = shmat(shmid, 0, 0);
  if (base == <usize>-1) fail("shmat: " + strerror(errno));
  let pages = B / STAMP_PAGE;
  let h = FNV_OFFSET;
  for (let i: i64 = 0; i < count; i++) {
    if (i >= 2) P(semid, S1);
    h = stamp(base + <usize>(i & 1) * B, <u64>i, pages, h);
    V(semid, S2);
  }
  check(shmdt(base), "shmdt");
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
}

function touchReaderMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count"), warm = int("--warm", 0);
  if (warm >= count) fail("--warm must be below --count");
  if (B % STAMP_PAGE != 0) fail("--size must be a multiple of 4096");
  let base = shmat(shmid, 0, SHM_RDONLY);
  if (base == <usize>-1) fail("shmat: " + strerror(errno));
  let pages = B / STAMP_PAGE;
  let h = FNV_OFFSET;
  let t0: f64 = 0;
  for (let i: i64 = 0; i < count; i++) {
    P(semid, S2);
    if (i == warm) t0 = nowNs();
    h = checkStamps(base + <usize>(i & 1) * B, <u64>i, pages, h);
    let bad = lastBadPage();
    if (bad >= 0) {
      fail("stamp mismatch in buffer " + i.toString() + ", page " + bad.toString() + ": expected " +
        hex64(stampOf(<u64>i, pages, <usize>bad)) + ", found " + hex64(lastBadValue()));
    }
    V(semid, S1);
  }
  let t1 = nowNs();
  check(shmdt(base), "shmdt");
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
  console.log("ns_per_op=" + ((t1 - t0) / <f64>(count - warm)).toString());
}

// Contention: semaphore 0 is the mutex (SEM_UNDO), 1 ready, 2 the gate
// (wait for zero), 3 done; the C twin and the timer are in native/bench.c.
const CSOPS: usize = memory.data(30, 8);
function csop(k: i32, num: u16, op: i16, flg: i16): usize {
  let b = CSOPS + <usize>(k * 6);
  store<u16>(b, num); store<i16>(b + 2, op); store<i16>(b + 4, flg);
  return b;
}
const C_P = csop(0, 0, -1, <i16>SEM_UNDO);
const C_V = csop(1, 0, 1, <i16>SEM_UNDO);
const C_READY = csop(2, 1, 1, 0);
const C_GATE = csop(3, 2, 0, 0);
const C_DONE = csop(4, 3, 1, 0);

function semDo(semid: i32, b: usize, what: string): void {
  while (semop(semid, b, 1) < 0) {
    if (errno != EINTR) fail("semop " + what + ": " + strerror(errno));
  }
}

type Sections = (semid: i32, counter: usize, n: i64) => void;
function criticalSections(semid: i32, counter: usize, n: i64): void {
  for (let k: i64 = 0; k < n; k++) {
    semDo(semid, C_P, "P(mutex)");
    store<u64>(counter, load<u64>(counter) + 1);
    semDo(semid, C_V, "V(mutex)");
  }
}
let sections: Sections = criticalSections;

function contendMode(): void {
  let semid = <i32>int("--semid"), shmid = <i32>int("--shmid"), iters = int("--iters");
  let counter = shmat(shmid, 0, 0);
  if (counter == <usize>-1) fail("shmat: " + strerror(errno));
  semDo(semid, C_READY, "V(ready)");
  semDo(semid, C_GATE, "wait(gate)");
  sections(semid, counter, iters);
  check(shmdt(counter), "shmdt");
  semDo(semid, C_DONE, "V(done)");
  console.log("sections=" + iters.toString());
}

let m = mode();
if (m == "semop") semopMode();
else if (m == "shmat") shmatMode();
else if (m == "writer") writerMode();
else if (m == "reader") readerMode();
else if (m == "touch-writer") touchWriterMode();
else if (m == "touch-reader") touchReaderMode();
else if (m == "contend") contendMode();
else fail("unknown mode " + m);

