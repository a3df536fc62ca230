// Test guest for --dir and the WASI functions an attacker would lean on
// (issue 14). Runs the commands in argv one after another against the raw
// WASI imports, in the first preopened directory (fd 3), printing one line
// per result: "<command> <wasi errno>" and, where there is one, a value.
//   write P TEXT | append P TEXT | read P | mkdir P | rmdir P | unlink P
//   rename A B | symlink TARGET P | readlink P | link A B | linkf A B
//   stat P | lstat P | open P | openl P | ls P | nul | longname N
//   setsize P N | allocate P N | bigwrite P MIB | seekwrite P OFF
//   nest N | many N | iov N | random BYTES | poll N TIMEOUT_NS | pollmix | pollnow | pollstdin
//   prestat | writefd3
@external("wasi_snapshot_preview1", "path_open") declare function path_open(dirfd: u32, dirflags: u32, path: usize, len: usize, oflags: u16, rb: u64, ri: u64, fdflags: u16, fd: usize): u16;
@external("wasi_snapshot_preview1", "fd_close") declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: u32, nw: usize): u16;
@external("wasi_snapshot_preview1", "fd_seek") declare function fd_seek(fd: u32, off: i64, whence: u8, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_filestat_set_size") declare function fd_filestat_set_size(fd: u32, size: u64): u16;
@external("wasi_snapshot_preview1", "fd_allocate") declare function fd_allocate(fd: u32, off: u64, len: u64): u16;
@external("wasi_snapshot_preview1", "fd_readdir") declare function fd_readdir(fd: u32, buf: usize, len: u32, cookie: u64, used: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_get") declare function fd_prestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name") declare function fd_prestat_dir_name(fd: u32, p: usize, len: u32): u16;
@external("wasi_snapshot_preview1", "path_create_directory") declare function path_create_directory(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_remove_directory") declare function path_remove_directory(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_unlink_file") declare function path_unlink_file(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_rename") declare function path_rename(fd: u32, p: usize, len: usize, fd2: u32, p2: usize, len2: usize): u16;
@external("wasi_snapshot_preview1", "path_symlink") declare function path_symlink(t: usize, tlen: usize, fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_readlink") declare function path_readlink(fd: u32, p: usize, len: usize, buf: usize, blen: usize, used: usize): u16;
@external("wasi_snapshot_preview1", "path_link") declare function path_link(fd: u32, fl: u32, p: usize, len: usize, fd2: u32, p2: usize, len2: usize): u16;
@external("wasi_snapshot_preview1", "path_filestat_get") declare function path_filestat_get(fd: u32, fl: u32, p: usize, len: usize, out: usize): u16;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(i: usize, o: usize, n: u32, ne: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, p: u64, out: usize): u16;

const argv = process.argv;
const DIR: u32 = 3;
const RW: u64 = 2 | 64 | 256 | (1 << 22); // fd_read, fd_write, fd_allocate, fd_filestat_set_size
const scratch = heap.alloc(4096);
const out = scratch + 3072; // small outputs

// AssemblyScript closures cannot capture locals: values they need go here.
let gN: u64 = 0;
let gBuf: usize = 0;
let gChunk = new ArrayBuffer(0);

function line(s: string): void { console.log(s); }
function u64of(s: string): u64 { let n: u64 = 0; for (let k = 0; k < s.length; k++) n = n * 10 + <u64>(s.charCodeAt(k) - 48); return n; }
function bytes(s: string): ArrayBuffer { return String.UTF8.encode(s); }
function ptr(b: ArrayBuffer): usize { return changetype<usize>(b); }

/** Opens P under the directory: errno, and the fd in load<u32>(out). */
function open(p: string, oflags: u16, rights: u64, follow: bool = true, fdflags: u16 = 0): u16 {
  const b = bytes(p);
  return path_open(DIR, follow ? 1 : 0, ptr(b), b.byteLength, oflags, rights, rights, fdflags, out);
}
function writeAll(fd: u32, b: ArrayBuffer): u16 {
  store<u32>(scratch, <u32>ptr(b)); store<u32>(scratch, b.byteLength, 4);
  return fd_write(fd, scratch, 1, scratch + 8);
}
function writeFile(p: string, text: string, fdflags: u16 = 0): string {
  let err = open(p, fdflags ? 1 : 1 | 8, RW, true, fdflags);
  if (err != 0) return err.toString();
  const fd = load<u32>(out);
  err = writeAll(fd, bytes(text));
  const n = load<u32>(scratch + 8);
  fd_close(fd);
  return err != 0 ? err.toString() : "0 " + n.toString();
}
function readFile(p: string, follow: bool = true): string {
  const err = open(p, 0, 2, follow);
  if (err != 0) return err.toString();
  const fd = load<u32>(out);
  const buf = heap.alloc(65536);
  store<u32>(scratch, <u32>buf); store<u32>(scratch, 65536, 4);
  const e = fd_read(fd, scratch, 1, scratch + 8);
  fd_close(fd);
  const s = e.toString() + " " + String.UTF8.decodeUnsafe(buf, load<u32>(scratch + 8));
  heap.free(buf);
  return s;
}
function onPath(p: string, f: (p: usize, len: usize) => u16): u16 { const b = bytes(p); return f(ptr(b), b.byteLength); }
function twoPaths(a: string, b: string, f: (pa: usize, la: usize, pb: usize, lb: usize) => u16): u16 {
  const x = bytes(a); const y = bytes(b);
  return f(ptr(x), x.byteLength, ptr(y), y.byteLength);
}
function statOf(p: string, follow: bool): string {
  const b = bytes(p);
  const err = path_filestat_get(DIR, follow ? 1 : 0, ptr(b), b.byteLength, out);
  if (err != 0) return err.toString();
  return "0 type " + load<u8>(out + 16).toString() + " size " + load<u64>(out + 32).toString() + " nlink " + load<u64>(out + 24).toString();
}
function withFile(p: string, f: (fd: u32) => u16): string {
  let err = open(p, 1, RW);
  if (err != 0) return err.toString();
  const fd = load<u32>(out);
  err = f(fd);
  fd_close(fd);
  return err.toString();
}

let i = 1;
while (i < argv.length) {
  const cmd = argv[i++];
  if (cmd == "write") { const p = argv[i++]; line("write " + writeFile(p, argv[i++])); }
  else if (cmd == "append") { const p = argv[i++]; line("append " + writeFile(p, argv[i++], 1)); }
  else if (cmd == "read") { line("read " + readFile(argv[i++])); }
  else if (cmd == "mkdir") { line("mkdir " + onPath(argv[i++], (p, l) => path_create_directory(DIR, p, l)).toString()); }
  else if (cmd == "rmdir") { line("rmdir " + onPath(argv[i++], (p, l) => path_remove_directory(DIR, p, l)).toString()); }
  else if (cmd == "unlink") { line("unlink " + onPath(argv[i++], (p, l) => path_unlink_file(DIR, p, l)).toString()); }
  else if (cmd == "rename") { const a = argv[i++]; line("rename " + twoPaths(a, argv[i++], (pa, la, pb, lb) => path_rename(DIR, pa, la, DIR, pb, lb)).toString()); }
  else if (cmd == "symlink") { const t = argv[i++]; line("symlink " + twoPaths(t, argv[i++], (pa, la, pb, lb) => path_symlink(pa, la, DIR, pb, lb)).toString()); }
  else if (cmd == "link") { const a = argv[i++]; line("link " + twoPaths(a, argv[i++], (pa, la, pb, lb) => path_link(DIR, 0, pa, la, DIR, pb, lb)).toString()); }
  else if (cmd == "linkf") { const a = argv[i++]; line("linkf " + twoPaths(a, argv[i++], (pa, la, pb, lb) => path_link(DIR, 1, pa, la, DIR, pb, lb)).toString()); }
  else if (cmd == "readlink") {
    gBuf = heap.alloc(256);
    const err = onPath(argv[i++], (p, l) => path_readlink(DIR, p, l, gBuf, 256, out));
    line("readlink " + err.toString() + (err == 0 ? " " + String.UTF8.decodeUnsafe(gBuf, load<u32>(out)) : ""));
  }
  else if (cmd == "stat") { line("stat " + statOf(argv[i++], true)); }
  else if (cmd == "lstat") { line("lstat " + statOf(argv[i++], false)); }
  else if (cmd == "open") { const e = open(argv[i++], 0, 2); if (e == 0) fd_close(load<u32>(out)); line("open " + e.toString()); }
  else if (cmd == "openl") { const e = open(argv[i++], 0, 2, false); if (e == 0) fd_close(load<u32>(out)); line("openl " + e.toString()); }
  else if (cmd == "ls") {
    // Lists with a 64-byte buffer, so that most calls cut an entry and the cookies carry on.
    const e = open(argv[i++], 2, 1 << 14);
    if (e != 0) { line("ls " + e.toString()); continue; }
    const fd = load<u32>(out);
    const buf = heap.alloc(64);
    let cookie: u64 = 0; let names = new Array<string>(); let err: u16 = 0;
    for (;;) {
      err = fd_readdir(fd, buf, 64, cookie, out);
      if (err != 0) break;
      const used = load<u32>(out);
      let at: usize = 0; let advanced = false;
      while (at + 24 <= used) {
        const nlen = load<u32>(buf + at + 16);
        if (at + 24 + nlen > used) break;
        const name = String.UTF8.decodeUnsafe(buf + at + 24, nlen);
        if (name != "." && name != "..") names.push(name);
        cookie = load<u64>(buf + at); advanced = true;
        at += 24 + nlen;
      }
      if (used < 64) break;
      if (!advanced) { err = 99; break; } // an entry longer than the buffer
    }
    fd_close(fd);
    names.sort();
    line("ls " + err.toString() + " " + names.join(","));
  }
  else if (cmd == "nul") {
    const b = bytes("a\0b");
    line("nul " + path_open(DIR, 0, ptr(b), b.byteLength, 1, RW, RW, 0, out).toString());
  }
  else if (cmd == "longname") { line("longname " + writeFile("x".repeat(<i32>u64of(argv[i++])), "long")); }
  else if (cmd == "setsize") { const p = argv[i++]; gN = u64of(argv[i++]); line("setsize " + withFile(p, (fd) => fd_filestat_set_size(fd, gN))); }
  else if (cmd == "allocate") { const p = argv[i++]; gN = u64of(argv[i++]); line("allocate " + withFile(p, (fd) => fd_allocate(fd, 0, gN))); }
  else if (cmd == "bigwrite") {
    const p = argv[i++]; gN = u64of(argv[i++]);
    gChunk = new ArrayBuffer(1 << 20);
    memory.fill(changetype<usize>(gChunk), 0x5a, 1 << 20);
    line("bigwrite " + withFile(p, (fd) => {
      for (let k: u64 = 0; k < gN; k++) { const e = writeAll(fd, gChunk); if (e != 0) return e; }
      return 0;
    }));
  }
  else if (cmd == "seekwrite") {
    const p = argv[i++]; gN = u64of(argv[i++]);
    line("seekwrite " + withFile(p, (fd) => {
      const e = fd_seek(fd, <i64>gN, 0, scratch + 16);
      return e != 0 ? e : writeAll(fd, bytes("!"));
    }) + " at " + load<u64>(scratch + 16).toString());
  }
  else if (cmd == "nest") {
    // Each level opened from the one above: no path ever gets long.
    const n = <i32>u64of(argv[i++]);
    const d = bytes("d");
    let dir = DIR; let err: u16 = 0; let k = 0;
    for (; k < n; k++) {
      err = path_create_directory(dir, ptr(d), 1);
      if (err != 0) break;
      err = path_open(dir, 0, ptr(d), 1, 2, 1 << 14, <u64>-1, 0, out);
      if (err != 0) break;
      if (dir != DIR) fd_close(dir);
      dir = load<u32>(out);
    }
    if (dir != DIR) fd_close(dir);
    line("nest " + err.toString() + " " + k.toString());
  }
  else if (cmd == "many") {
    const n = <i32>u64of(argv[i++]);
    let err = ""; let k = 0;
    for (; k < n; k++) { err = writeFile("f" + k.toString(), k.toString()); if (!err.startsWith("0 ")) break; }
    line("many " + err + " " + k.toString());
  }
  else if (cmd == "iov") {
    // n zero-length iovecs to stdout (the host's own fd) and to a file of the directory.
    const n = <u32>u64of(argv[i++]);
    const iovs = heap.alloc(<usize>n * 8);
    memory.fill(iovs, 0, <usize>n * 8);
    const a = fd_write(1, iovs, n, out);
    const e = open("iov.txt", 1, RW);
    const b = e != 0 ? e : fd_write(load<u32>(out), iovs, n, out + 8);
    line("iov " + a.toString() + " " + b.toString());
  }
  else if (cmd == "random") {
    const n = <usize>u64of(argv[i++]);
    const pages = <i32>((n + 0xffff) >> 16);
    const at = <usize>memory.grow(pages) << 16;
    const e = random_get(at, n);
    let nonzero = 0;
    for (let k: usize = n - 64; k < n; k++) if (load<u8>(at + k) != 0) nonzero++;
    line("random " + e.toString() + " tail-nonzero " + (nonzero > 32 ? "yes" : "no"));
  }
  else if (cmd == "poll") {
    // n relative clock subscriptions, all with the same timeout.
    const n = <u32>u64of(argv[i++]); const timeout = u64of(argv[i++]);
    const subs = heap.alloc(<usize>n * 48); const evs = heap.alloc(<usize>n * 32);
    for (let k: u32 = 0; k < n; k++) {
      const s = subs + <usize>k * 48;
      memory.fill(s, 0, 48);
      store<u64>(s, k); store<u32>(s, 1, 16); store<u64>(s, timeout, 24);
    }
    const e = poll_oneoff(subs, evs, n, out);
    const got = load<u32>(out);
    let ok = true;
    for (let k: u32 = 0; k < got; k++) if (load<u16>(evs + <usize>k * 32 + 8) != 0 || load<u64>(evs + <usize>k * 32) >= n) ok = false;
    line("poll " + e.toString() + " events " + got.toString() + (ok ? " ok" : " bad"));
  }
  else if (cmd == "pollmix") {
    // Three due now (timeout 0, and a host file ready to read), one in 60 s: three events.
    const subs = heap.alloc(4 * 48); const evs = heap.alloc(4 * 32);
    memory.fill(subs, 0, 4 * 48);
    for (let k = 0; k < 3; k++) { store<u64>(subs + k * 48, k); store<u32>(subs + k * 48, 1, 16); }
    store<u64>(subs + 2 * 48 + 24, 0);
    store<u64>(subs + 48 + 24, 60000000000);
    store<u64>(subs + 3 * 48, 3); store<u8>(subs + 3 * 48, 1, 8); store<u32>(subs + 3 * 48, DIR, 16);
    const e = poll_oneoff(subs, evs, 4, out);
    const got = load<u32>(out);
    let ids = "";
    for (let k: u32 = 0; k < got; k++) ids += load<u64>(evs + k * 32).toString();
    line("pollmix " + e.toString() + " events " + got.toString() + " " + ids);
  }
  else if (cmd == "pollnow") {
    // Subscriptions that are due at once, each beside a relative 2 s clock:
    // write stdout, write stderr (ready), write stdin, read stdout, read
    // stderr (EBADF), clock 9 (EINVAL); then a read of stdin (open and
    // empty: never ready) beside a 300 ms clock. Per poll: its event count,
    // the first event's error and userdata, and whether it came back before
    // the 2 s clock could fire: "now" (under 1 s, a margin for a loaded
    // machine) or "late".
    const subs = heap.alloc(2 * 48); const evs = heap.alloc(2 * 32);
    const tags: u8[] = [2, 2, 2, 1, 1, 0, 1];
    const words: u32[] = [1, 2, 0, 1, 2, 9, 0];
    let s = "pollnow";
    for (let k = 0; k < 7; k++) {
      memory.fill(subs, 0, 2 * 48);
      store<u8>(subs, tags[k], 8); store<u32>(subs, words[k], 16);
      store<u64>(subs + 48, 1); store<u32>(subs + 48, 1, 16); store<u64>(subs + 48, k < 6 ? 2000000000 : 300000000, 24);
      clock_time_get(1, 0, out);
      const t0 = load<u64>(out);
      poll_oneoff(subs, evs, 2, out);
      const got = load<u32>(out);
      clock_time_get(1, 0, out);
      const took = load<u64>(out) - t0;
      s += " " + got.toString() + ":" + load<u16>(evs + 8).toString() + ":" + load<u64>(evs).toString()
        + (took < 1000000000 ? ":now" : ":late");
    }
    line(s);
  }
  else if (cmd == "pollstdin") {
    // A read of stdin beside a 5 s clock, after saying "polling": the test
    // then writes to stdin, and the poll must return with that event soon.
    const subs = heap.alloc(2 * 48); const evs = heap.alloc(2 * 32);
    memory.fill(subs, 0, 2 * 48);
    store<u8>(subs, 1, 8);
    store<u64>(subs + 48, 1); store<u32>(subs + 48, 1, 16); store<u64>(subs + 48, 5000000000, 24);
    line("polling");
    clock_time_get(1, 0, out);
    const t0 = load<u64>(out);
    poll_oneoff(subs, evs, 2, out);
    const got = load<u32>(out);
    clock_time_get(1, 0, out);
    line("pollstdin " + got.toString() + ":" + load<u16>(evs + 8).toString() + ":" + load<u64>(evs).toString()
      + (load<u64>(out) - t0 < 4000000000 ? ":soon" : ":late"));
  }
  else if (cmd == "prestat") {
    let s = "";
    for (let fd: u32 = 3; fd < 8; fd++) {
      if (fd_prestat_get(fd, out) != 0) continue;
      const len = load<u32>(out + 4);
      fd_prestat_dir_name(fd, scratch, len);
      s += " " + fd.toString() + "=" + String.UTF8.decodeUnsafe(scratch, len);
    }
    line("prestat" + s);
  }
  else if (cmd == "stdio") {
    // File calls on the process's own stdout (fd 1): errors, never a failure of the host.
    const fd: u32 = 1;
    let s = "stdio";
    s += " " + fd_seek(fd, 1 << 40, 0, out).toString();
    s += " " + fd_filestat_set_size(fd, 1 << 40).toString();
    s += " " + fd_allocate(fd, 0, 1 << 40).toString();
    store<u32>(scratch, <u32>scratch + 512); store<u32>(scratch, 16, 4);
    s += " " + fd_readdir(fd, scratch + 512, 256, 0, out).toString();
    s += " " + fd_read(fd, scratch, 1, out).toString();
    s += " " + fd_write(0, scratch, 1, out).toString();
    const b = bytes("x");
    s += " " + path_open(fd, 0, ptr(b), 1, 1, RW, RW, 0, out).toString();
    s += " " + fd_prestat_get(fd, out).toString();
    s += " " + fd_prestat_dir_name(fd, scratch, 16).toString();
    line(s);
  }
  else { line("unknown command " + cmd); process.exit(2); }
}
