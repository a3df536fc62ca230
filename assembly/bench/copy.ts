// The handoff guest for the copying shim (host/bench/copy-host.ts): the same
// double buffer as bench.ts's writer and reader, but the guest's buffer is
// ordinary linear memory and each handoff copies it to or from the kernel
// segment through the `sysvcopy` import module, instead of the segment being
// mapped into linear memory. Semaphores are the ordinary `sysv` imports.
//
//   copy-writer --shmid S --semid M --size B --count N
//   copy-reader --shmid S --semid M --size B --count N --warm W
//   copy-touch-writer / copy-touch-reader: the same for the transfer-bound
//          handoffs (one stamp per 4 KiB page, each stamp checked)
//
// Each side copies as early as the protocol allows (the writer fills before
// it waits, the reader releases the buffer before it sums), the best case
// for a copying transport.
import { strerror } from "../index";
import { fail, mode, int, hex64, nowNs } from "./lib/args";
import {
  FNV_OFFSET, fillBuffer, sumBuffer, stampBuffer, checkBuffer, lastBadPage, lastBadValue, stampOf, STAMP_PAGE,
} from "./lib/kernel";
import { P, V, S1, S2 } from "./lib/ops";

// @ts-ignore: decorator
@external("sysvcopy", "attach")
declare function copy_attach(shmid: i32, readonly: i32): i32;
// @ts-ignore: decorator
@external("sysvcopy", "put")
declare function copy_put(handle: i32, segOffset: i32, ptr: i32, len: i32): i32;
// @ts-ignore: decorator
@external("sysvcopy", "get")
declare function copy_get(handle: i32, segOffset: i32, ptr: i32, len: i32): i32;
// @ts-ignore: decorator
@external("sysvcopy", "detach")
declare function copy_detach(handle: i32): i32;

function ok(r: i32, what: string): i32 {
  if (r < 0) fail(what + ": " + strerror(-r));
  return r;
}

// Called through function values, as in bench.ts, so that V8 tiers them up.
type Kernel4 = (p: usize, i: u64, words: usize, h: u64) => u64;
type Kernel3 = (p: usize, words: usize, h: u64) => u64;
let fill: Kernel4 = fillBuffer;
let sum: Kernel3 = sumBuffer;
let stamp: Kernel4 = stampBuffer;
let checkStamps: Kernel4 = checkBuffer;

function writerMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count");
  let seg = ok(copy_attach(shmid, 0), "attach");
  let local = heap.alloc(B);
  let words = B >> 3;
  let h = FNV_OFFSET;
  for (let i: i64 = 0; i < count; i++) {
    h = fill(local, <u64>i, words, h);
    if (i >= 2) P(semid, S1);
    ok(copy_put(seg, <i32>((i & 1) * <i64>B), <i32>local, <i32>B), "put");
    V(semid, S2);
  }
  ok(copy_detach(seg), "detach");
  heap.free(local);
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
}

function readerMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count"), warm = int("--warm", 0);
  if (warm >= count) fail("--warm must be below --count");
  let seg = ok(copy_attach(shmid, 1), "attach");
  let local = heap.alloc(B);
  let words = B >> 3;
  let h = FNV_OFFSET;
  let t0: f64 = 0;
  for (let i: i64 = 0; i < count; i++) {
    P(semid, S2);
    if (i == warm) t0 = nowNs();
    ok(copy_get(seg, <i32>((i & 1) * <i64>B), <i32>local, <i32>B), "get");
    V(semid, S1);
    h = sum(local, words, h);
  }
  let t1 = nowNs();
  ok(copy_detach(seg), "detach");
  heap.free(local);
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
  console.log("ns_per_op=" + ((t1 - t0) / <f64>(count - warm)).toString());
}

function touchWriterMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count");
  if (B % STAMP_PAGE != 0) fail("--size must be a multiple of 4096");
  let seg = ok(copy_attach(shmid, 0), "attach");
  let local = heap.alloc(B);
  let pages = B / STAMP_PAGE;
  let h = FNV_OFFSET;
  for (let i: i64 = 0; i < count; i++) {
    h = stamp(local, <u64>i, pages, h);
    if (i >= 2) P(semid, S1);
    ok(copy_put(seg, <i32>((i & 1) * <i64>B), <i32>local, <i32>B), "put");
    V(semid, S2);
  }
  ok(copy_detach(seg), "detach");
  heap.free(local);
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
}

function touchReaderMode(): void {
  let shmid = <i32>int("--shmid"), semid = <i32>int("--semid");
  let B = <usize>int("--size"), count = int("--count"), warm = int("--warm", 0);
  if (warm >= count) fail("--warm must be below --count");
  if (B % STAMP_PAGE != 0) fail("--size must be a multiple of 4096");
  let seg = ok(copy_attach(shmid, 1), "attach");
  let local = heap.alloc(B);
  let pages = B / STAMP_PAGE;
  let h = FNV_OFFSET;
  let t0: f64 = 0;
  for (let i: i64 = 0; i < count; i++) {
    P(semid, S2);
    if (i == warm) t0 = nowNs();
    ok(copy_get(seg, <i32>((i & 1) * <i64>B), <i32>local, <i32>B), "get");
    V(semid, S1);
    h = checkStamps(local, <u64>i, pages, h);
    let bad = lastBadPage();
    if (bad >= 0) {
      fail("stamp mismatch in buffer " + i.toString() + ", page " + bad.toString() + ": expected " +
        hex64(stampOf(<u64>i, pages, <usize>bad)) + ", found " + hex64(lastBadValue()));
    }
  }
  let t1 = nowNs();
  ok(copy_detach(seg), "detach");
  heap.free(local);
  console.log("checksum=" + hex64(h) + " buffers=" + count.toString());
  console.log("ns_per_op=" + ((t1 - t0) / <f64>(count - warm)).toString());
}

let m = mode();
if (m == "copy-writer") writerMode();
else if (m == "copy-reader") readerMode();
else if (m == "copy-touch-writer") touchWriterMode();
else if (m == "copy-touch-reader") touchReaderMode();
else fail("unknown mode " + m);
