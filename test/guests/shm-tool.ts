// Test guest: runs the commands in argv, one after another, against the raw
// sysv imports (no library), printing one line per result. The C twin
// test/native/shm-tool.c understands the same commands, so tests can pair a
// guest with a native process on one segment.
//   create KEY SIZE | open KEY | attach [ro] | detach | write OFF VAL | read OFF
//   wait OFF VAL | nattch | grow PAGES | alloc BYTES | sleep MS | block | busy | trap | rmid
//   echo-stdin | print TEXT | alias | store-ro | exit N | env K | args
//   writefile NAME TEXT | readfile NAME | openfile NAME (left open)   (in the first --dir)
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "shmat") declare function shmat(id: i32, addr: i32, flg: i32): i32;
@external("sysv", "shmdt") declare function shmdt(addr: i32): i32;
@external("sysv", "shmctl") declare function shmctl(id: i32, cmd: i32, buf: i32): i32;
@external("sysv", "semget") declare function semget(key: i32, n: i32, flg: i32): i32;
@external("sysv", "semop") declare function semop(id: i32, sops: i32, n: i32): i32;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(i: usize, o: usize, n: u32, ne: usize): u16;
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: u32, nw: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_get") declare function fd_prestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_close") declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "path_open") declare function path_open(dirfd: u32, dirflags: u32, path: usize, len: usize, oflags: u16, rb: u64, ri: u64, fdflags: u16, fd: usize): u16;

const argv = process.argv;
const stat = heap.alloc(80); // also claims the allocator's heap before any window
let id = -1;
const windows = new Array<i32>();

function fail(msg: string): void { console.log("error " + msg); process.exit(2); }
function sleepMs(ms: i32): void {
  const sub = heap.alloc(48 + 32 + 8);
  memory.fill(sub, 0, 48);
  store<u8>(sub, 0, 8); store<u32>(sub, 1, 16); store<u64>(sub, <u64>ms * 1000000, 24);
  poll_oneoff(sub, sub + 48, 1, sub + 80);
  heap.free(sub);
}
function last(): i32 { if (windows.length == 0) fail("no window"); return windows[windows.length - 1]; }
function num(s: string): i32 { return s.startsWith("0x") ? <i32>I64.parseInt(s.slice(2), 16) : I32.parseInt(s); }

let i = 1;
while (i < argv.length) {
  const cmd = argv[i++];
  if (cmd == "create") { id = shmget(num(argv[i++]), num(argv[i++]), 0o1666); console.log("id " + id.toString()); if (id < 0) process.exit(1); }
  else if (cmd == "open") { id = shmget(num(argv[i++]), 0, 0); console.log("id " + id.toString()); if (id < 0) process.exit(1); }
  else if (cmd == "attach") {
    let flg = 0;
    if (i < argv.length && argv[i] == "ro") { flg = 0o10000; i++; }
    const a = shmat(id, 0, flg);
    console.log("attached " + a.toString());
    if (a < 0 && a > -4096) process.exit(1);
    windows.push(a);
  }
  else if (cmd == "detach") { console.log("detach " + shmdt(windows.pop()).toString()); }
  else if (cmd == "write") { const off = num(argv[i++]); const v = num(argv[i++]); store<u32>(last() + off, v); console.log("wrote " + v.toString()); }
  else if (cmd == "read") { const off = num(argv[i++]); console.log("read " + load<u32>(last() + off).toString()); }
  else if (cmd == "wait") {
    const off = num(argv[i++]); const v = <u32>num(argv[i++]);
    let n = 0;
    while (load<u32>(last() + off) != v) { sleepMs(1); if (++n > 20000) fail("timeout waiting for " + v.toString()); }
    console.log("saw " + v.toString());
  }
  else if (cmd == "nattch") { const r = shmctl(id, 2, <i32>stat); console.log("nattch " + (r < 0 ? r.toString() : load<u64>(stat + 72).toString())); }
  else if (cmd == "alloc") { // the allocator grows memory on its own when it must
    const n = num(argv[i++]); const p = heap.alloc(n); memory.fill(p, 0x5a, n);
    console.log("alloc " + memory.size().toString());
  }
  else if (cmd == "grow") { const n = num(argv[i++]); console.log("grow " + memory.grow(n).toString()); }
  else if (cmd == "sleep") { sleepMs(num(argv[i++])); }
  else if (cmd == "block") {
    const sem = semget(0, 1, 0o1600);
    const sop = heap.alloc(8); store<u16>(sop, 0); store<i16>(sop, -1, 2); store<i16>(sop, 0, 4);
    console.log("blocking");
    semop(sem, <i32>sop, 1);
    console.log("unblocked?");
  }
  else if (cmd == "busy") { console.log("busy"); let x: u64 = 0; while (x != 1) { x = (x * 6364136223846793005 + 1) | 2; } }
  else if (cmd == "trap") { console.log("trapping"); unreachable(); }
  else if (cmd == "store-ro") { console.log("storing"); store<u32>(last(), 1); }
  else if (cmd == "rmid") { console.log("rmid " + shmctl(id, 0, 0).toString()); }
  else if (cmd == "alias") {
    const a = shmat(id, 0, 0); const b = shmat(id, 0, 0);
    store<u32>(a + 8, 0xa11a5);
    console.log("alias " + (a != b ? "distinct " : "same ") + load<u32>(b + 8).toString(16));
    windows.push(a); windows.push(b);
  }
  else if (cmd == "echo-stdin") {
    const buf = heap.alloc(256); const iov = heap.alloc(16); const nread = heap.alloc(4);
    store<u32>(iov, <u32>buf); store<u32>(iov, 256, 4);
    const err = fd_read(0, iov, 1, nread);
    console.log("stdin " + err.toString() + " " + String.UTF8.decodeUnsafe(buf, load<u32>(nread)).trim());
  }
  else if (cmd == "writefile" || cmd == "readfile" || cmd == "openfile") {
    // In the last preopened directory (the --dir; wasmer preopens "/" first).
    let dirfd: u32 = 3;
    const pre = heap.alloc(8);
    for (let fd: u32 = 3; fd < 16; fd++) if (fd_prestat_get(fd, pre) == 0) dirfd = fd;
    const name = String.UTF8.encode(argv[i++]);
    const fdp = heap.alloc(4); const iov = heap.alloc(8); const n = heap.alloc(4);
    const oflags: u16 = cmd == "writefile" ? 1 | 8 : 0; // O_CREAT|O_TRUNC
    const rights: u64 = cmd == "writefile" ? 64 : 2; // fd_write / fd_read
    let err = path_open(dirfd, 0, changetype<usize>(name), name.byteLength, oflags, rights, 0, 0, fdp);
    if (err != 0) { console.log(cmd + " error " + err.toString()); continue; }
    const fd = load<u32>(fdp);
    const buf = heap.alloc(4096);
    if (cmd == "openfile") { console.log("opened " + fd.toString()); continue; } // left open
    if (cmd == "writefile") {
      const text = String.UTF8.encode(argv[i++]);
      store<u32>(iov, changetype<usize>(text)); store<u32>(iov, text.byteLength, 4);
      err = fd_write(fd, iov, 1, n);
      console.log("wrote file " + err.toString());
    } else {
      store<u32>(iov, <u32>buf); store<u32>(iov, 4096, 4);
      err = fd_read(fd, iov, 1, n);
      console.log("file " + String.UTF8.decodeUnsafe(buf, load<u32>(n)));
    }
    fd_close(fd);
  }
  else if (cmd == "env") { const k = argv[i++]; console.log("env " + k + "=" + (process.env.has(k) ? process.env.get(k) : "<unset>")); }
  else if (cmd == "args") { console.log("args " + argv.join(",")); }
  else if (cmd == "print") { console.log(argv[i++]); }
  else if (cmd == "exit") { process.exit(num(argv[i++])); }
  else fail("unknown command " + cmd);
}
