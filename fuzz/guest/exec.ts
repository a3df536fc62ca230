// Guest twin of the fuzz executor (AssemblyScript): runs a fuzz program
// (fuzz/gen.ts writes it; format in fuzz/README.md) through the host's `sysv`
// imports and prints one transcript line per call. fuzz/native/twin.c runs
// the same program with real libc calls; the driver compares the transcripts.
// Keep the two in step: every rule that turns a program argument into a
// concrete argument exists in both, in the same words.
//
// Written against docs/abi.md alone (its own imports, no library), and it
// allocates nothing once the program runs: every buffer is taken before the
// first window exists, so the guest never grows memory itself while a
// read-only window is attached (issue 8 part 1: that growth aborts Node).
//
// Input on stdin: "pid N" (the host process's pid, which WASI cannot tell),
// then one call per line, integers separated by spaces.

// @ts-ignore: decorator
@external("sysv", "shmget") declare function sys_shmget(key: i32, size: i32, flg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmat") declare function sys_shmat(id: i32, addr: i32, flg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmdt") declare function sys_shmdt(addr: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmctl") declare function sys_shmctl(id: i32, cmd: i32, buf: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semget") declare function sys_semget(key: i32, n: i32, flg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semop") declare function sys_semop(id: i32, sops: i32, n: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semtimedop") declare function sys_semtimedop(id: i32, sops: i32, n: i32, ts: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semctl") declare function sys_semctl(id: i32, num: i32, cmd: i32, arg: i32): i32;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read") declare function wasi_fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_write") declare function wasi_fd_write(fd: u32, iovs: usize, n: u32, nwritten: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "proc_exit") declare function wasi_proc_exit(code: u32): void;

const PAGE: u32 = 4096;
const SCR_SIZE: u32 = 256 * 1024;
const AREA_PAGES: u32 = 64;
const OOB_BASE: u32 = 0xfff00000;
const OOB_SIZE: u32 = 1024 * 1024;
const RESERVE: u32 = 32 * 1024 * 1024;
const ATTACH_MAX: u32 = 1024 * 1024;
const LIVE_MAX_PAGES: u32 = 1024;
const MAXIDS = 256;
const MAXWIN = 64;
const OUTCAP: u32 = 1 << 20;

const IPC_STAT = 2, IPC_SET = 1, IPC_INFO = 3;
const SHM_RDONLY = 0o10000, SHM_RND = 0o20000;
const SHM_STAT = 13, SHM_INFO = 14, SHM_STAT_ANY = 15;
const GETPID = 11, GETALL = 13, SETALL = 17, SEM_STAT = 18, SEM_INFO = 19, SEM_STAT_ANY = 20;
const P_VALID = 0, P_NULL = 1, P_OOB = 2, P_UNALIGNED = 3, P_ROWIN = 4, P_RWWIN = 5, P_STRADDLE = 6, P_AREA = 7;

// Buffers, all taken before the program runs.
const IO: usize = heap.alloc(64);
const SCRATCH_STAT: usize = heap.alloc(128);
const scr: u32 = <u32>((heap.alloc(SCR_SIZE + PAGE) + PAGE - 1) & ~(PAGE - 1));
const area: u32 = <u32>((heap.alloc(AREA_PAGES * PAGE + PAGE) + PAGE - 1) & ~(PAGE - 1));
const outbuf: usize = heap.alloc(OUTCAP);
let outlen: u32 = 0;
const ARGS: usize = heap.alloc(1600 * 4);
const shmids: usize = heap.alloc(MAXIDS * 4);
const semids: usize = heap.alloc(MAXIDS * 4);
let nshm = 0, nsem = 0;
// Windows: start u32, pages u32, ro u32, clean u32, host u32.
const WIN_SZ = 20;
const wins: usize = heap.alloc(MAXWIN * WIN_SZ);
let nwins = 0;
let self: i32 = 0;

function flush(): void {
  let o: u32 = 0;
  while (o < outlen) {
    store<u32>(IO, <u32>outbuf + o);
    store<u32>(IO, outlen - o, 4);
    if (wasi_fd_write(1, IO, 1, IO + 8) != 0) break;
    const w = load<u32>(IO + 8);
    if (w == 0) break;
    o += w;
  }
  outlen = 0;
}
function outc(c: i32): void {
  if (outlen + 1 > OUTCAP) flush();
  store<u8>(outbuf + outlen, <u8>c);
  outlen++;
}
function outs(s: string): void { for (let i = 0; i < s.length; i++) outc(s.charCodeAt(i)); }
function outu(v: u64): void {
  // 20 digits at most
  const b = IO + 16;
  let i = 24;
  do { i--; store<u8>(b + i, <u8>(48 + <i32>(v % 10))); v /= 10; } while (v != 0);
  for (; i < 24; i++) outc(load<u8>(b + i));
}
function outi(v: i64): void { if (v < 0) { outc(45); outu(<u64>(0 - v)); } else outu(<u64>v); }
function sp(tag: string): void { outc(32); outs(tag); }

function A(i: i32): i32 { return load<i32>(ARGS + <usize>i * 4); }

function addId(list: usize, isShm: bool, id: i32): void {
  let n = isShm ? nshm : nsem;
  for (let i = 0; i < n; i++) if (load<i32>(list + <usize>i * 4) == id) return;
  if (n == MAXIDS) { memory.copy(list, list + 4, (MAXIDS - 1) * 4); n--; }
  store<i32>(list + <usize>n * 4, id);
  n++;
  if (isShm) nshm = n; else nsem = n;
}

function idRef(list: usize, n: i32, m: i32, v: i32): i32 {
  if (m == 1) return v;
  if (n == 0) return -1;
  return load<i32>(list + <usize>((<u32>v) % <u32>n) * 4);
}

function mix(r: i32): u32 { return <u32>r * 2654435761; }

function wStart(i: i32): u32 { return load<u32>(wins + <usize>i * WIN_SZ); }
function wPages(i: i32): u32 { return load<u32>(wins + <usize>i * WIN_SZ, 4); }
function wRo(i: i32): bool { return load<u32>(wins + <usize>i * WIN_SZ, 8) != 0; }
function wClean(i: i32): bool { return load<u32>(wins + <usize>i * WIN_SZ, 12) != 0; }
function wHost(i: i32): bool { return load<u32>(wins + <usize>i * WIN_SZ, 16) != 0; }
function removeWin(i: i32): void {
  memory.copy(wins + <usize>i * WIN_SZ, wins + <usize>(i + 1) * WIN_SZ, <usize>(nwins - i - 1) * WIN_SZ);
  nwins--;
}

/** Window pointer classes pick among clean read-only / writable windows (see the twin). */
function pickWin(ro: bool, r: i32): i32 {
  let cnt = 0;
  for (let i = 0; i < nwins; i++) if (wClean(i) && (ro ? wRo(i) : !wRo(i))) cnt++;
  if (cnt == 0) return -1;
  let k = <i32>(<u32>r % <u32>cnt);
  for (let i = 0; i < nwins; i++) if (wClean(i) && (ro ? wRo(i) : !wRo(i))) { if (k == 0) return i; k--; }
  return -1;
}

let lastClass = 0;

/** need: the fewest bytes the call touches at the pointer in either layout. */
function ptrOf(c: i32, r: i32, need: u32): u32 {
  lastClass = c;
  if (c == P_NULL) return 0;
  if (c == P_OOB) return OOB_BASE + (<u32>r % (OOB_SIZE - PAGE));
  if (c == P_UNALIGNED) return scr + ((<u32>r % 65536) & ~7) + 1 + (<u32>r >> 16) % 7;
  if (c == P_STRADDLE) {
    if (need > PAGE) need = PAGE; // as in the twin
    const end = <u32>memory.size() << 16;
    return end - (need >= 2 ? 1 + <u32>r % (need - 1) : 1);
  }
  if (c == P_AREA) { // as in the twin
    let off = (mix(r) % (AREA_PAGES * PAGE - PAGE + 1)) & ~7;
    if (off % PAGE > PAGE - 128) off -= 128;
    return area + off;
  }
  if (c == P_ROWIN || c == P_RWWIN) {
    const w = pickWin(c == P_ROWIN, r);
    if (w >= 0) {
      // As in the twin: aligned to 8, never within 128 bytes of a page's end.
      const avail = wPages(w) * PAGE - PAGE;
      let off = (mix(r) % (avail + 1)) & ~7;
      if (off % PAGE > PAGE - 128) off -= 128;
      return wStart(w) + off;
    }
    lastClass = P_VALID;
  }
  return scr + ((<u32>r % 65536) & ~7);
}
function writableClass(): bool { return lastClass == P_VALID || lastClass == P_UNALIGNED || lastClass == P_RWWIN; }
function readableClass(): bool { return writableClass() || lastClass == P_ROWIN || lastClass == P_AREA; }
function scrubClass(): bool { return lastClass == P_RWWIN || lastClass == P_AREA; }

function outErr(e: i32): void { outc(69); outu(<u64>e); }
function isErr(r: i32): bool { return r >= -4095 && r <= -1; }
function outPid(p: i32): void { outs(p == self ? "S" : p == 0 ? "0" : "X"); }
function outT(t: i64): void { outs(t != 0 ? "1" : "0"); }

function fnv(p: usize, n: u32): u32 {
  let h: u32 = 2166136261;
  for (let i: u32 = 0; i < n; i++) { h ^= <u32>load<u8>(p + i); h *= 16777619; }
  return h;
}

function outPerm(p: usize): void {
  sp("k"); outi(load<i32>(p)); sp("u"); outu(load<u32>(p, 4)); sp("g"); outu(load<u32>(p, 8));
  sp("cu"); outu(load<u32>(p, 12)); sp("cg"); outu(load<u32>(p, 16)); sp("m"); outu(load<u32>(p, 20)); sp("s"); outu(load<u32>(p, 24));
}
function outShmid(p: usize): void {
  outPerm(p);
  sp("z"); outu(load<u64>(p, 32)); sp("a"); outT(load<i64>(p, 40)); sp("d"); outT(load<i64>(p, 48)); sp("c"); outT(load<i64>(p, 56));
  sp("cp"); outPid(load<i32>(p, 64)); sp("lp"); outPid(load<i32>(p, 68)); sp("n"); outu(load<u64>(p, 72));
}
function outSemid(p: usize): void {
  outPerm(p);
  sp("o"); outT(load<i64>(p, 32)); sp("c"); outT(load<i64>(p, 40)); sp("n"); outu(load<u64>(p, 48));
}

/** The set's size, also without read permission (as in the twin). */
function nsemsOf(id: i32): i32 {
  if (!isErr(sys_semctl(id, 0, IPC_STAT, <i32>SCRATCH_STAT))) return <i32>load<u64>(SCRATCH_STAT, 48);
  if (id >= 0 && sys_semctl(id & 0x7fff, 0, SEM_STAT_ANY, <i32>SCRATCH_STAT) == id) return <i32>load<u64>(SCRATCH_STAT, 48);
  return 0;
}

let leakedPages: u32 = 0;
function liveHostPages(): u32 {
  let n: u32 = leakedPages;
  for (let i = 0; i < nwins; i++) if (wHost(i)) n += wPages(i);
  return n;
}

function doShmat(): void {
  const id = idRef(shmids, nshm, A(1), A(2));
  const cls = A(3), flg = A(6);
  let addr: u32 = 0, lo: u32 = 0, span: u32 = 0;
  if (cls == 1) { addr = area + (<u32>A(4) % (AREA_PAGES * PAGE)); lo = area; span = AREA_PAGES * PAGE; }
  else if (cls == 2) {
    const w = peekWin(A(4), false);
    if (w < 0) { outs("skip"); return; }
    addr = wStart(w) + (<u32>A(5) % (wPages(w) * PAGE)); lo = wStart(w); span = wPages(w) * PAGE;
  } else if (cls == 3) addr = 1 + <u32>A(4) % (PAGE - 1);
  if (nwins == MAXWIN) { outs("skip"); return; }
  let eff = addr;
  if ((flg & SHM_RND) != 0 && cls != 3) eff &= ~(PAGE - 1);
  let pages: u32 = 0;
  if (!isErr(sys_shmctl(id, IPC_STAT, <i32>SCRATCH_STAT))) {
    const segsz = load<u64>(SCRATCH_STAT, 32);
    pages = <u32>((segsz + PAGE - 1) / PAGE);
    if (cls == 0) {
      if (segsz > <u64>ATTACH_MAX || liveHostPages() + pages > LIVE_MAX_PAGES) { outs("skip"); return; }
    } else if ((cls == 1 || cls == 2) && eff % PAGE == 0) {
      if (eff < lo || <u64>eff + <u64>pages * PAGE > <u64>lo + span) { outs("skip"); return; }
    }
  }
  const r = sys_shmat(id, <i32>addr, flg);
  if (isErr(r)) { outErr(-r); return; }
  const s = <u32>r;
  if (cls == 0) outs(s % PAGE == 0 && s != 0 ? "ok H" : "ok H!");
  else outs(s == eff ? "ok X=" : "ok X!");
  if (pages == 0) pages = 1;
  if (cls != 0) {
    const e = <u64>s + <u64>pages * PAGE;
    for (let i = 0; i < nwins; i++) {
      const ws = <u64>wStart(i), we = ws + <u64>wPages(i) * PAGE;
      if (<u64>s <= ws && we <= e) { removeWin(i); i--; }
      else if (ws < e && <u64>s < we) {
        // Partly covered: a window outside the area is forgotten (see the twin).
        if (wHost(i)) { leakedPages += wPages(i); removeWin(i); i--; }
        else store<u32>(wins + <usize>i * WIN_SZ, 0, 12);
      }
    }
  }
  const p = wins + <usize>nwins * WIN_SZ;
  store<u32>(p, s); store<u32>(p, pages, 4); store<u32>(p, (flg & SHM_RDONLY) != 0 ? 1 : 0, 8);
  store<u32>(p, 1, 12);
  store<u32>(p, s >= area && s < area + AREA_PAGES * PAGE ? 0 : 1, 16); // "host": outside the area
  nwins++;
}

function doShmdt(): void {
  let addr: u32 = 0;
  const c = A(1);
  if (c == 0) {
    if (nwins == 0) { outs("skip"); return; }
    addr = wStart(<i32>(<u32>A(2) % <u32>nwins));
  } else if (c == 1) { // inside a clean window (see the twin)
    const w = peekWin(A(2), false);
    if (w < 0) { outs("skip"); return; }
    const d = <u32>A(3);
    addr = wStart(w) + ((d & 1) != 0 || wPages(w) < 2 || wHost(w) ? 1 + d % (PAGE - 1) : PAGE * (1 + d % (wPages(w) - 1)));
  } else if (c == 2) addr = 0;
  else if (c == 3) addr = area + (<u32>A(2) % (AREA_PAGES * PAGE));
  else if (c == 4) addr = OOB_BASE + (<u32>A(2) % (OOB_SIZE - PAGE));
  else addr = <u32>A(2);
  const r = sys_shmdt(<i32>addr);
  if (isErr(r)) { outErr(-r); return; }
  outs("ok");
  for (let i = nwins - 1; i >= 0; i--) if (wStart(i) == addr) { removeWin(i); break; }
}

function setPerm(p: u32, from: i32): void {
  // uid, gid, mode: the same offsets (4, 8, 20) in the guest and native ipc_perm.
  store<i32>(p, A(from), 4); store<i32>(p, A(from + 1), 8); store<i32>(p, A(from + 2), 20);
}

function doShmctl(): void {
  const id = idRef(shmids, nshm, A(1), A(2));
  const cmd = A(3);
  const base = cmd & ~0x100;
  const need: u32 = base == IPC_INFO ? 40 : base == SHM_INFO ? 48 : 80;
  const p = ptrOf(A(4), A(5), need);
  if (base == IPC_SET && writableClass()) setPerm(p, 6);
  const r = sys_shmctl(id, cmd, <i32>p);
  if (isErr(r)) { outErr(-r); return; }
  outs("ok "); outi(r);
  if (base == SHM_STAT || base == SHM_STAT_ANY) addId(shmids, true, r);
  if (!readableClass()) return;
  if (base == IPC_STAT || base == SHM_STAT || base == SHM_STAT_ANY) outShmid(p);
  else if (base == IPC_INFO) { for (let i = 0; i < 5; i++) { sp(""); outu(load<u64>(p + <u32>i * 8)); } }
  else if (base == SHM_INFO) { for (let i = 0; i < 6; i++) { sp(""); outu(load<u64>(p + <u32>i * 8)); } }
  else return;
  if (scrubClass()) memory.fill(p, 0, 112); // layouts differ: scrub (fuzz/README.md)
}

function doSemop(): void {
  const id = idRef(semids, nsem, A(1), A(2));
  const timed = A(3), npass = A(10), ngen = A(11);
  const n = <u32>npass;
  const p = ptrOf(A(4), A(5), n <= 500 && n != 0 ? n * 6 : 6);
  if (writableClass()) {
    for (let i = 0; i < ngen; i++) {
      store<u16>(p + <u32>i * 6, <u16>A(12 + 3 * i));
      store<i16>(p + <u32>i * 6, <i16>A(13 + 3 * i), 2);
      store<i16>(p + <u32>i * 6, <i16>A(14 + 3 * i), 4);
    }
  }
  let r: i32;
  if (timed == 0) r = sys_semop(id, <i32>p, npass);
  else {
    const tc = A(6);
    let t: u32 = 0;
    if (tc != P_NULL) {
      t = ptrOf(tc == P_VALID || tc == P_UNALIGNED || tc == P_OOB || tc == P_STRADDLE ? tc : P_VALID, A(7), 16);
      if (lastClass == P_VALID || lastClass == P_UNALIGNED) { store<i64>(t, <i64>A(8)); store<i64>(t, <i64>A(9), 8); }
    }
    r = sys_semtimedop(id, <i32>p, npass, <i32>t);
  }
  if (isErr(r)) outErr(-r); else { outs("ok "); outi(r); }
}

function doSemctl(): void {
  const id = idRef(semids, nsem, A(1), A(2));
  const num = A(3), cmd = A(4), arg = A(5);
  const base = cmd & ~0x100;
  let p: u32 = 0;
  let nsems = 0, isPtr = true;
  let need: u32 = 0;
  if (base == IPC_STAT || base == SEM_STAT || base == SEM_STAT_ANY || base == IPC_SET) need = 56;
  else if (base == IPC_INFO || base == SEM_INFO) need = 40;
  else if (base == GETALL || base == SETALL) { nsems = nsemsOf(id); need = <u32>nsems * 2; }
  else isPtr = false;
  let a: i32 = arg;
  if (isPtr) {
    p = ptrOf(A(6), A(7), need);
    if ((base == GETALL || base == SETALL) && (lastClass == P_ROWIN || lastClass == P_RWWIN || lastClass == P_AREA) && need > PAGE) { outs("skip"); return; }
    if (base == IPC_SET && writableClass()) setPerm(p, 8);
    if (base == SETALL && writableClass()) {
      const seed = <u32>A(11);
      for (let i = 0; i < nsems; i++) {
        const h = mix(<i32>(seed + <u32>i));
        const v = <u16>((h >> 28) == 15 ? h >> 8 : (h >> 24) % 4);
        store<u16>(p + <u32>i * 2, v);
      }
    }
    a = <i32>p;
  }
  const r = sys_semctl(id, num, cmd, a);
  if (isErr(r)) { outErr(-r); return; }
  outs("ok ");
  if (base == GETPID) outPid(r); else outi(r);
  if (base == SEM_STAT || base == SEM_STAT_ANY) addId(semids, false, r);
  if (!isPtr || !readableClass()) return;
  if (base == IPC_STAT || base == SEM_STAT || base == SEM_STAT_ANY) outSemid(p);
  else if (base == IPC_INFO || base == SEM_INFO) { for (let i = 0; i < 10; i++) { sp(""); outu(load<u64>(p + <u32>i * 8)); } }
  else if (base == GETALL) {
    if (nsems <= 16) { for (let i = 0; i < nsems; i++) { sp(""); outu(load<u16>(p + <u32>i * 2)); } }
    else { sp("h"); outu(fnv(p, <u32>nsems * 2)); }
    return;
  } else return;
  if (scrubClass()) memory.fill(p, 0, 112); // layouts differ: scrub (fuzz/README.md)
}

function peekWin(n: i32, rw: bool): i32 {
  let cnt = 0;
  for (let i = 0; i < nwins; i++) if (wClean(i) && (!rw || !wRo(i))) cnt++;
  if (cnt == 0) return -1;
  let k = <i32>(<u32>n % <u32>cnt);
  for (let i = 0; i < nwins; i++) if (wClean(i) && (!rw || !wRo(i))) { if (k == 0) return i; k--; }
  return -1;
}

function doPeekPoke(poke: bool): void {
  const w = peekWin(A(1), poke);
  if (w < 0) { outs("skip"); return; }
  const size = wPages(w) * PAGE, off = <u32>A(2) % size;
  let len = <u32>A(3) % (PAGE + 1);
  if (len > size - off) len = size - off;
  const s = wStart(w);
  if (poke) {
    const seed = <u32>A(4);
    for (let i: u32 = 0; i < len; i++) store<u8>(s + off + i, <u8>(seed + i));
    outs("ok");
  } else { outs("ok "); outu(fnv(s + off, len)); }
}

function die(msg: string): void {
  flush();
  outs("fuzz guest: " + msg + "\n");
  store<u32>(IO, <u32>outbuf); store<u32>(IO, outlen, 4);
  wasi_fd_write(2, IO, 1, IO + 8);
  wasi_proc_exit(70);
}

// Read the whole program before any window exists (this may grow memory).
let cap: u32 = 1 << 20, len: u32 = 0;
let src = heap.alloc(cap);
for (;;) {
  if (len + 65536 > cap) { cap *= 2; src = heap.realloc(src, cap); }
  store<u32>(IO, <u32>src + len); store<u32>(IO, cap - len - 1, 4);
  if (wasi_fd_read(0, IO, 1, IO + 8) != 0) die("cannot read the program on stdin");
  const n = load<u32>(IO + 8);
  if (n == 0) break;
  len += n;
}
store<u8>(src + len, 0);
// The area and the scratch start as zero, as the twin's fresh mappings do
// (the allocator does not clear the memory it hands out).
memory.fill(area, 0, AREA_PAGES * PAGE);
memory.fill(scr, 0, SCR_SIZE);

// The reserve step: one private segment attached by the host (which adds
// RESERVE bytes of window pages to linear memory), detached and removed, so
// later host-chosen windows fit without growing memory. The native twin does
// the same calls, so ids and sequence numbers match.
{
  const rid = sys_shmget(0, <i32>RESERVE, 0o600);
  const ra = isErr(rid) ? -1 : sys_shmat(rid, 0, 0);
  if (isErr(rid) || isErr(ra) || sys_shmdt(ra) != 0 || sys_shmctl(rid, 0, 0) != 0) die("reserve step failed");
}

let s: usize = src;
function peek(): i32 { return load<u8>(s); }
// "pid N"
while (peek() != 0 && peek() != 10 && (peek() < 48 || peek() > 57)) s++;
while (peek() >= 48 && peek() <= 57) { self = self * 10 + (peek() - 48); s++; }
while (peek() != 0 && peek() != 10) s++;
if (peek() == 10) s++;

while (peek() != 0) {
  let n = 0;
  while (peek() != 0 && peek() != 10) {
    while (peek() == 32) s++;
    if (peek() == 10 || peek() == 0) break;
    let neg = false;
    if (peek() == 45) { neg = true; s++; }
    let v: i64 = 0;
    while (peek() >= 48 && peek() <= 57) { v = v * 10 + <i64>(peek() - 48); s++; }
    if (n < 1600) { store<i32>(ARGS + <usize>n * 4, <i32>(neg ? -v : v)); n++; }
    while (peek() != 0 && peek() != 10 && peek() != 32) s++;
  }
  if (peek() == 10) s++;
  if (n == 0) continue;
  const op = A(0);
  if (op == 0) {
    const r = sys_shmget(A(1), A(2), A(3));
    if (isErr(r)) outErr(-r); else { outs("ok "); outi(r); addId(shmids, true, r); }
  } else if (op == 1) doShmat();
  else if (op == 2) doShmdt();
  else if (op == 3) doShmctl();
  else if (op == 4) {
    const r = sys_semget(A(1), A(2), A(3));
    if (isErr(r)) outErr(-r); else { outs("ok "); outi(r); addId(semids, false, r); }
  } else if (op == 5) doSemop();
  else if (op == 6) doSemctl();
  else if (op == 7) doPeekPoke(false);
  else if (op == 8) doPeekPoke(true);
  else if (op == 9) { // DUMP (for debugging by hand; the generator never draws it): the area, every clean window
    outs("ok a:"); outu(fnv(area, AREA_PAGES * PAGE));
    for (let i = 0; i < nwins; i++) if (wClean(i)) {
      sp("w"); outu(wPages(i)); outs(wRo(i) ? "r" : "w"); outs(wClean(i) ? "c" : "m"); outs(wHost(i) ? "h" : "x");
      outs(":"); outu(fnv(wStart(i), wPages(i) * PAGE));
    }
  }
  else outs("bad op");
  outc(10);
  // Each line goes out at once: if the host dies, the driver knows at which
  // call (a write per call costs little next to the call itself).
  flush();
}
outs("end\n");
flush();
