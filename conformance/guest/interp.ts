// Guest interpreter of the conformance DSL (canonical form; see
// conformance/README.md), the AssemblyScript twin of
// conformance/native/interp.c: same steps, same transcript lines, but every
// SysV call goes through the host's `sysv` imports (docs/abi.md).
// Written against the ABI alone (its own imports, no library), so the suite
// tests the contract, not one client of it.

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
@external("wasi_snapshot_preview1", "poll_oneoff") declare function wasi_poll_oneoff(i: usize, o: usize, n: u32, ne: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "fd_read") declare function wasi_fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
// @ts-ignore: decorator
@external("wasi_snapshot_preview1", "clock_time_get") declare function wasi_clock_time_get(id: u32, precision: u64, out: usize): u16;

const AWAIT_MS: i64 = 10000;
const IPC_STAT = 2;

// Scratch areas. Allocating them first also sets up the allocator's heap
// before any window exists (see platform-facts.md).
const BUF: usize = heap.alloc(65536);
const SOPS: usize = heap.alloc(1024 * 6);
const TS: usize = heap.alloc(16);
const SCRATCH: usize = heap.alloc(128);
/** One WASI clock subscription (48 bytes), its event (32) and the count. */
const SUB: usize = heap.alloc(96);

class Step {
  line: i32 = 0;
  isAwait: bool = false;
  op: string = "";
  args: string[] = [];
  hasMask: bool = false;
  mask: string = "";
  cmp: string = "";
  target: string = "";
  end: i32 = 0;
}

const steps = new Array<Step>();
const varNames = new Array<string>();
const varValues = new Array<i64>();
let curLine = 0;
let quietDepth = 0;

function out(s: string): void {
  console.log(s);
}

function die(msg: string, line: i32): void {
  out("L" + line.toString() + " FAIL " + msg);
  process.exit(1);
}

function varIndex(name: string): i32 {
  for (let i = 0; i < varNames.length; i++) if (varNames[i] == name) return i;
  return -1;
}

function setVar(name: string, v: i64): void {
  const i = varIndex(name);
  if (i >= 0) varValues[i] = v;
  else { varNames.push(name); varValues.push(v); }
}

function isNameChar(c: i32): bool {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95;
}

let pos = 0;

function operand(s: string): i64 {
  if (pos < s.length && s.charCodeAt(pos) == 36) { // '$'
    pos++;
    const start = pos;
    while (pos < s.length && isNameChar(s.charCodeAt(pos))) pos++;
    const name = s.substring(start, pos);
    const i = varIndex(name);
    if (i < 0) die("unset variable $" + name, curLine);
    return varValues[i];
  }
  let neg = false;
  if (pos < s.length && s.charCodeAt(pos) == 45) { neg = true; pos++; }
  if (!(pos < s.length && s.charCodeAt(pos) >= 48 && s.charCodeAt(pos) <= 57)) die("bad number", curLine);
  let v: u64 = 0;
  while (pos < s.length) {
    const c = s.charCodeAt(pos);
    if (c < 48 || c > 57) break;
    v = v * 10 + <u64>(c - 48);
    pos++;
  }
  return neg ? -<i64>v : <i64>v;
}

function evalExpr(s: string): i64 {
  pos = 0;
  let acc = operand(s);
  while (pos < s.length) {
    const op = s.charCodeAt(pos++);
    const b = operand(s);
    if (op == 43) acc = acc + b;
    else if (op == 45) acc = acc - b;
    else if (op == 42) acc = acc * b;
    else if (op == 38) acc = acc & b;
    else if (op == 124) acc = acc | b;
    else if (op == 94) acc = acc ^ b;
    else die("bad operator", curLine);
  }
  return acc;
}

// Result of a step: ok with a value, or an errno.
let resErr = false;
let resVal: i64 = 0;

function ok(v: i64): void { resErr = false; resVal = v; }
function err(e: i64): void { resErr = true; resVal = e; }
/** The ABI's convention: [-4095, -1] is -errno. */
function sys(r: i32): void {
  if (r >= -4095 && r <= -1) err(-r); else ok(<i64>r);
}

function readLine(): string {
  let s = "";
  for (;;) {
    store<u32>(SCRATCH, <u32>(SCRATCH + 16));
    store<u32>(SCRATCH + 4, 1);
    const e = wasi_fd_read(0, SCRATCH, 1, SCRATCH + 8);
    if (e != 0 || load<u32>(SCRATCH + 8) == 0) die("driver closed stdin", curLine);
    const c = load<u8>(SCRATCH + 16);
    if (c == 10) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function clockNs(id: u32): i64 {
  if (wasi_clock_time_get(id, 1000, SCRATCH + 32) != 0) die("clock_time_get failed", curLine);
  return load<i64>(SCRATCH + 32);
}

function nowMs(): i64 { return clockNs(1) / 1000000; }

function sleepMs(ms: i64): void {
  if (ms <= 0) return;
  memory.fill(SUB, 0, 48);
  store<u8>(SUB, 0, 8);                       // EVENTTYPE_CLOCK
  store<u32>(SUB, 1, 16);                     // CLOCK_MONOTONIC
  store<u64>(SUB, <u64>ms * 1000000, 24);     // relative timeout (ns)
  if (wasi_poll_oneoff(SUB, SUB + 48, 1, SUB + 80) != 0) die("poll_oneoff failed", curLine);
}

// Field offsets and sizes in the guest structures of abi.md.
let fOff = 0;
let fSize = 0;
let fSigned = false;

function fieldInfo(f: string): bool {
  fSigned = false;
  if (f == "key") { fOff = 0; fSize = 4; fSigned = true; return true; }
  if (f == "uid") { fOff = 4; fSize = 4; return true; }
  if (f == "gid") { fOff = 8; fSize = 4; return true; }
  if (f == "cuid") { fOff = 12; fSize = 4; return true; }
  if (f == "cgid") { fOff = 16; fSize = 4; return true; }
  if (f == "mode") { fOff = 20; fSize = 4; return true; }
  if (f == "seq") { fOff = 24; fSize = 4; return true; }
  if (f == "shm_segsz") { fOff = 32; fSize = 8; return true; }
  if (f == "shm_atime") { fOff = 40; fSize = 8; fSigned = true; return true; }
  if (f == "shm_dtime") { fOff = 48; fSize = 8; fSigned = true; return true; }
  if (f == "shm_ctime") { fOff = 56; fSize = 8; fSigned = true; return true; }
  if (f == "shm_cpid") { fOff = 64; fSize = 4; fSigned = true; return true; }
  if (f == "shm_lpid") { fOff = 68; fSize = 4; fSigned = true; return true; }
  if (f == "shm_nattch") { fOff = 72; fSize = 8; return true; }
  if (f == "sem_otime") { fOff = 32; fSize = 8; fSigned = true; return true; }
  if (f == "sem_ctime") { fOff = 40; fSize = 8; fSigned = true; return true; }
  if (f == "sem_nsems") { fOff = 48; fSize = 8; return true; }
  const info = ["shmmax", "shmmin", "shmmni", "shmseg", "shmall"];
  for (let i = 0; i < info.length; i++) if (f == info[i]) { fOff = i * 8; fSize = 8; return true; }
  const sinfo = ["used_ids", "shm_tot", "shm_rss", "shm_swp", "swap_attempts", "swap_successes"];
  for (let i = 0; i < sinfo.length; i++) if (f == sinfo[i]) { fOff = i * 8; fSize = 8; return true; }
  const seminfo = ["semmap", "semmni", "semmns", "semmnu", "semmsl", "semopm", "semume", "semusz", "semvmx", "semaem"];
  for (let i = 0; i < seminfo.length; i++) if (f == seminfo[i]) { fOff = i * 8; fSize = 8; return true; }
  return false;
}

function readSized(p: usize, size: i32, signed: bool): i64 {
  if (size == 1) return signed ? <i64>load<i8>(p) : <i64>load<u8>(p);
  if (size == 2) return signed ? <i64>load<i16>(p) : <i64>load<u16>(p);
  if (size == 4) return signed ? <i64>load<i32>(p) : <i64>load<u32>(p);
  return load<i64>(p);
}

function writeSized(p: usize, size: i32, v: i64): void {
  if (size == 1) store<u8>(p, <u8>v);
  else if (size == 2) store<u16>(p, <u16>v);
  else if (size == 4) store<u32>(p, <u32>v);
  else store<i64>(p, v);
}

function fieldGet(f: string): void {
  if (!fieldInfo(f)) die("unknown field", curLine);
  ok(readSized(BUF + <usize>fOff, fSize, fSigned));
}

let tSize = 0;
let tSigned = false;
function typeInfo(t: string): bool {
  if (t.length < 2) return false;
  const c = t.charCodeAt(0);
  if (c != 117 && c != 105) return false; // 'u' 'i'
  tSigned = c == 105;
  const bits = I32.parseInt(t.substring(1));
  if (bits != 8 && bits != 16 && bits != 32 && bits != 64) return false;
  tSize = bits / 8;
  return true;
}

/** sops "num:op:flg*count" into SOPS; returns how many. */
function buildSops(args: string[], from: i32): i32 {
  let k = 0;
  for (let i = from; i < args.length; i++) {
    const a = args[i];
    const star = a.indexOf("*");
    const parts = a.substring(0, star).split(":");
    if (star < 0 || parts.length != 3) die("bad sembuf", curLine);
    const num = I32.parseInt(parts[0]);
    const op = I32.parseInt(parts[1]);
    const flg = I32.parseInt(parts[2]);
    const count = I32.parseInt(a.substring(star + 1));
    for (let c = 0; c < count; c++) {
      if (k == 1024) die("too many sembufs", curLine);
      const p = SOPS + <usize>k * 6;
      store<u16>(p, <u16>num);
      store<i16>(p, <i16>op, 2);
      store<i16>(p, <i16>flg, 4);
      k++;
    }
  }
  return k;
}

/** A guest address or pointer argument as the ABI's i32. */
function P(v: i64): i32 { return <i32>v; }
/** A guest address for our own loads and stores. */
function addr(v: i64): usize { return <usize><u32>v; }

function need(s: Step, n: i32): void {
  if (s.args.length < n) die("missing argument", s.line);
}

function A(s: Step, i: i32): i64 { return evalExpr(s.args[i]); }

function execOp(s: Step): void {
  const op = s.op;
  if (op == "shmget") {
    need(s, 3);
    const size = A(s, 1);
    // The ABI's size is an i32 read as unsigned: nothing else can be passed.
    if (size < -0x80000000 || size > 0xffffffff) die("a size beyond 32 bits cannot be passed by a guest (docs/abi.md): use a native process", s.line);
    sys(sys_shmget(<i32>A(s, 0), <i32>size, <i32>A(s, 2)));
    return;
  }
  if (op == "shmat") {
    need(s, 3);
    const r = sys_shmat(<i32>A(s, 0), P(A(s, 1)), <i32>A(s, 2));
    if (r >= -4095 && r <= -1) err(-r); else ok(<i64><u32>r);
    return;
  }
  if (op == "shmdt") { need(s, 1); sys(sys_shmdt(P(A(s, 0)))); return; }
  if (op == "shmctl") { need(s, 3); sys(sys_shmctl(<i32>A(s, 0), <i32>A(s, 1), P(A(s, 2)))); return; }
  if (op == "semget") { need(s, 3); sys(sys_semget(<i32>A(s, 0), <i32>A(s, 1), <i32>A(s, 2))); return; }
  if (op == "semop") {
    need(s, 1);
    const n = buildSops(s.args, 1);
    sys(sys_semop(<i32>A(s, 0), <i32>SOPS, n));
    return;
  }
  if (op == "semtimedop") {
    need(s, 2);
    const n = buildSops(s.args, 2);
    const ms = A(s, 1);
    store<i64>(TS, ms / 1000);
    store<i64>(TS + 8, (ms % 1000) * 1000000);
    sys(sys_semtimedop(<i32>A(s, 0), <i32>SOPS, n, ms < 0 ? 0 : <i32>TS));
    return;
  }
  if (op == "semop_raw") { need(s, 3); sys(sys_semop(<i32>A(s, 0), P(A(s, 1)), <i32>A(s, 2))); return; }
  if (op == "semtimedop_raw") { need(s, 4); sys(sys_semtimedop(<i32>A(s, 0), P(A(s, 1)), <i32>A(s, 2), P(A(s, 3)))); return; }
  if (op == "semctl") { need(s, 4); sys(sys_semctl(<i32>A(s, 0), <i32>A(s, 1), <i32>A(s, 2), <i32>A(s, 3))); return; }
  if (op == "stat") {
    need(s, 2);
    sys(sys_shmctl(<i32>A(s, 0), IPC_STAT, <i32>BUF));
    if (!resErr) fieldGet(s.args[1]);
    return;
  }
  if (op == "semstat") {
    need(s, 2);
    sys(sys_semctl(<i32>A(s, 0), 0, IPC_STAT, <i32>BUF));
    if (!resErr) fieldGet(s.args[1]);
    return;
  }
  if (op == "field") { need(s, 1); fieldGet(s.args[0]); return; }
  if (op == "setfield") {
    need(s, 2);
    if (!fieldInfo(s.args[0])) die("unknown field", s.line);
    const off = fOff, size = fSize;
    writeSized(BUF + <usize>off, size, A(s, 1));
    ok(0);
    return;
  }
  if (op == "store") {
    need(s, 3);
    if (!typeInfo(s.args[1])) die("bad type", s.line);
    const size = tSize;
    const p = addr(A(s, 0));
    writeSized(p, size, A(s, 2));
    ok(0);
    return;
  }
  if (op == "load") {
    need(s, 2);
    if (!typeInfo(s.args[1])) die("bad type", s.line);
    const size = tSize, signed = tSigned;
    ok(readSized(addr(A(s, 0)), size, signed));
    return;
  }
  if (op == "fill") {
    need(s, 3);
    const p = addr(A(s, 0));
    const len = A(s, 1), seed = A(s, 2);
    for (let k: i64 = 0; k < len; k++) store<u8>(p + <usize>k, <u8>((seed + k) & 255));
    ok(0);
    return;
  }
  if (op == "checksum") {
    need(s, 2);
    const p = addr(A(s, 0));
    const len = A(s, 1);
    let h: u32 = 2166136261;
    for (let k: i64 = 0; k < len; k++) { h ^= <u32>load<u8>(p + <usize>k); h *= 16777619; }
    ok(<i64>h);
    return;
  }
  if (op == "check") { need(s, 1); ok(A(s, 0)); return; }
  if (op == "set") {
    need(s, 2);
    if (s.args[0].charCodeAt(0) != 36) die("set needs a $variable", s.line);
    const v = A(s, 1);
    setVar(s.args[0].substring(1), v);
    ok(v);
    return;
  }
  if (op == "now") { ok(clockNs(0) / 1000000000); return; }
  if (op == "clock") { ok(nowMs()); return; }
  if (op == "sleep") { need(s, 1); sleepMs(A(s, 0)); ok(0); return; }
  if (op == "grow") {
    need(s, 1);
    const r = memory.grow(<i32>A(s, 0));
    if (r < 0) err(12); else ok(<i64>r);
    return;
  }
  if (op == "exit") { need(s, 1); process.exit(<i32>A(s, 0)); }
  if (op == "trap") { unreachable(); }
  if (op == "spawn" || op == "wait" || op == "kill" || op == "signal") {
    need(s, 1);
    out("@" + op + " " + s.args[0] + (op == "signal" ? " " + s.args[1] : ""));
    const v = I64.parseInt(readLine());
    if (v < 0) err(-v); else ok(v);
    return;
  }
  die("unknown step", s.line);
}

function isValueOp(op: string): bool {
  return op == "load" || op == "field" || op == "check" || op == "checksum" || op == "stat" || op == "semstat";
}

function describe(): string {
  return resErr ? "E" + resVal.toString() : "ok(" + resVal.toString() + ")";
}

let judged = "";

function judge(s: Step): bool {
  const got = describe();
  const cmp = s.cmp;
  if (cmp == "->") {
    const t = s.target;
    if (t.charCodeAt(0) == 33) { // '!'
      const want = I64.parseInt(t.substring(1));
      if (resErr && resVal == want) { judged = "E" + want.toString(); return true; }
      judged = "FAIL want E" + want.toString() + " got " + got;
      return false;
    }
    if (resErr) { judged = "FAIL want ok got " + got; return false; }
    if (t.charCodeAt(0) == 36) setVar(t.substring(1), resVal);
    judged = "ok";
    return true;
  }
  if (resErr) { judged = "FAIL want ok got " + got; return false; }
  let v = resVal;
  if (s.hasMask) v &= evalExpr(s.mask);
  if (cmp == "") {
    judged = isValueOp(s.op) ? "= " + v.toString() : "ok";
    return true;
  }
  const w = evalExpr(s.target);
  let pass = false;
  if (cmp == "==") pass = v == w;
  else if (cmp == "!=") pass = v != w;
  else if (cmp == "<") pass = v < w;
  else if (cmp == "<=") pass = v <= w;
  else if (cmp == ">") pass = v > w;
  else if (cmp == ">=") pass = v >= w;
  else die("bad comparison", s.line);
  if (pass) { judged = "ok"; return true; }
  judged = "FAIL want " + cmp + " " + w.toString() + " got " + v.toString();
  return false;
}

function runStep(s: Step): void {
  curLine = s.line;
  const L = "L" + s.line.toString() + " ";
  if (s.cmp == "->" && s.target == "trap") {
    out(L + "trap?");
    execOp(s);
    die("want trap got " + describe(), s.line);
  }
  if (s.isAwait) {
    const deadline = nowMs() + AWAIT_MS;
    for (;;) {
      execOp(s);
      if (judge(s)) break;
      if (nowMs() > deadline) { out(L + judged + " (after " + AWAIT_MS.toString() + " ms)"); process.exit(1); }
      sleepMs(2);
    }
  } else {
    execOp(s);
    if (!judge(s)) { out(L + judged); process.exit(1); }
  }
  if (quietDepth == 0) out(L + judged);
}

function runBlock(from: i32, to: i32): void {
  for (let i = from; i < to; i++) {
    const s = steps[i];
    if (s.op == "repeat") {
      curLine = s.line;
      if (s.args.length < 1) die("repeat needs a count", s.line);
      const n = A(s, 0);
      const name = s.args.length > 1 && s.args[1].charCodeAt(0) == 36 ? s.args[1].substring(1) : "";
      quietDepth++;
      for (let k: i64 = 0; k < n; k++) {
        if (name.length > 0) setVar(name, k);
        runBlock(i + 1, s.end);
      }
      quietDepth--;
      if (quietDepth == 0) out("L" + s.line.toString() + " ok");
      i = s.end;
    } else if (s.op != "end") {
      runStep(s);
    }
  }
}

function isCmp(t: string): bool {
  return t == "==" || t == "!=" || t == "<" || t == "<=" || t == ">" || t == ">=" || t == "->";
}

function parse(script: string): void {
  const lines = script.split("\n");
  const stack = new Array<i32>();
  for (let li = 0; li < lines.length; li++) {
    const raw = lines[li];
    if (raw.length == 0) continue;
    const all = raw.split(" ");
    const tok = new Array<string>();
    for (let k = 0; k < all.length; k++) if (all[k].length > 0) tok.push(all[k]);
    if (tok.length < 2) die("short line", 0);
    const s = new Step();
    s.line = I32.parseInt(tok[0]);
    let i = 1;
    if (tok[i] == "await") { s.isAwait = true; i++; }
    s.op = tok[i++];
    while (i < tok.length && !isCmp(tok[i]) && tok[i] != "&") s.args.push(tok[i++]);
    if (i < tok.length && tok[i] == "&") {
      if (i + 1 >= tok.length) die("mask without value", s.line);
      s.hasMask = true;
      s.mask = tok[i + 1];
      i += 2;
    }
    if (i < tok.length) {
      if (i + 1 >= tok.length) die("comparison without value", s.line);
      s.cmp = tok[i];
      s.target = tok[i + 1];
    }
    if (s.op == "repeat") stack.push(steps.length);
    else if (s.op == "end") {
      if (stack.length == 0) die("end without repeat", s.line);
      steps[stack.pop()].end = steps.length;
    }
    steps.push(s);
  }
  if (stack.length > 0) die("repeat without end", steps[stack[stack.length - 1]].line);
}

const argv = process.argv;
if (argv.length < 2) {
  console.error("usage: wasi-sysv run interp.wasm SCRIPT   (canonical conformance DSL; driven by wasi-sysv conformance)");
  process.exit(2);
}
const hello = readLine(); // "go <pid>" from the driver: WASI has no getpid
const sp = hello.indexOf(" ");
setVar("self", I64.parseInt(hello.substring(sp + 1)));
setVar("buf", <i64>BUF);
setVar("bad", <i64>0xfffffff0); // beyond linear memory: EFAULT
parse(argv[1]);
runBlock(0, steps.length);
