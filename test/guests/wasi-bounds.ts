// Every WASI function the host offers, called by a real guest with a good
// call and with each pointer bad in turn: past the end of memory, straddling
// it, wrapping around 4 GiB, or inside a read-only window (issue 8: the
// tables of host/wasi.ts that say which regions each function reads and
// writes). Prints "<function> <case> <wasi errno>" per call, then "done".
// Run with --dir on a directory holding a file "f" (content "hello"), a
// directory "d" and a symlink "l" -> "f"; stdin may hold bytes.
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "shmat") declare function shmat(id: i32, addr: i32, flg: i32): i32;
@external("sysv", "shmctl") declare function shmctl(id: i32, cmd: i32, buf: i32): i32;
@external("wasi_snapshot_preview1", "args_get") declare function args_get(argv: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "args_sizes_get") declare function args_sizes_get(a: usize, b: usize): u16;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(envp: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(a: usize, b: usize): u16;
@external("wasi_snapshot_preview1", "clock_res_get") declare function clock_res_get(id: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, p: u64, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_advise") declare function fd_advise(fd: u32, off: u64, len: u64, advice: u8): u16;
@external("wasi_snapshot_preview1", "fd_allocate") declare function fd_allocate(fd: u32, off: u64, len: u64): u16;
@external("wasi_snapshot_preview1", "fd_close") declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "fd_datasync") declare function fd_datasync(fd: u32): u16;
@external("wasi_snapshot_preview1", "fd_fdstat_get") declare function fd_fdstat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_fdstat_set_flags") declare function fd_fdstat_set_flags(fd: u32, f: u16): u16;
@external("wasi_snapshot_preview1", "fd_fdstat_set_rights") declare function fd_fdstat_set_rights(fd: u32, b: u64, i: u64): u16;
@external("wasi_snapshot_preview1", "fd_filestat_get") declare function fd_filestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_filestat_set_size") declare function fd_filestat_set_size(fd: u32, size: u64): u16;
@external("wasi_snapshot_preview1", "fd_filestat_set_times") declare function fd_filestat_set_times(fd: u32, a: u64, m: u64, fl: u16): u16;
@external("wasi_snapshot_preview1", "fd_pread") declare function fd_pread(fd: u32, iovs: usize, n: u32, off: u64, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_get") declare function fd_prestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_prestat_dir_name") declare function fd_prestat_dir_name(fd: u32, p: usize, len: u32): u16;
@external("wasi_snapshot_preview1", "fd_pwrite") declare function fd_pwrite(fd: u32, iovs: usize, n: u32, off: u64, nw: usize): u16;
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, n: u32, nread: usize): u16;
@external("wasi_snapshot_preview1", "fd_readdir") declare function fd_readdir(fd: u32, buf: usize, len: u32, cookie: u64, used: usize): u16;
@external("wasi_snapshot_preview1", "fd_renumber") declare function fd_renumber(fd: u32, to: u32): u16;
@external("wasi_snapshot_preview1", "fd_seek") declare function fd_seek(fd: u32, off: i64, whence: u8, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_sync") declare function fd_sync(fd: u32): u16;
@external("wasi_snapshot_preview1", "fd_tell") declare function fd_tell(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: u32, nw: usize): u16;
@external("wasi_snapshot_preview1", "path_create_directory") declare function path_create_directory(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_filestat_get") declare function path_filestat_get(fd: u32, fl: u32, p: usize, len: usize, out: usize): u16;
@external("wasi_snapshot_preview1", "path_filestat_set_times") declare function path_filestat_set_times(fd: u32, fl: u32, p: usize, len: usize, a: u64, m: u64, f: u16): u16;
@external("wasi_snapshot_preview1", "path_link") declare function path_link(fd: u32, fl: u32, p: usize, len: usize, fd2: u32, p2: usize, len2: usize): u16;
@external("wasi_snapshot_preview1", "path_open") declare function path_open(fd: u32, df: u32, p: usize, len: usize, ofl: u16, rb: u64, ri: u64, ff: u16, out: usize): u16;
@external("wasi_snapshot_preview1", "path_readlink") declare function path_readlink(fd: u32, p: usize, len: usize, buf: usize, blen: usize, used: usize): u16;
@external("wasi_snapshot_preview1", "path_remove_directory") declare function path_remove_directory(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "path_rename") declare function path_rename(fd: u32, p: usize, len: usize, fd2: u32, p2: usize, len2: usize): u16;
@external("wasi_snapshot_preview1", "path_symlink") declare function path_symlink(p: usize, len: usize, fd: u32, p2: usize, len2: usize): u16;
@external("wasi_snapshot_preview1", "path_unlink_file") declare function path_unlink_file(fd: u32, p: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(i: usize, o: usize, n: u32, ne: usize): u16;
@external("wasi_snapshot_preview1", "proc_raise") declare function proc_raise(sig: u8): u16;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "sched_yield") declare function sched_yield(): u16;
@external("wasi_snapshot_preview1", "sock_recv") declare function sock_recv(fd: u32, iovs: usize, n: u32, fl: u16, len: usize, ofl: usize): u16;
@external("wasi_snapshot_preview1", "sock_send") declare function sock_send(fd: u32, iovs: usize, n: u32, fl: u16, len: usize): u16;
@external("wasi_snapshot_preview1", "sock_shutdown") declare function sock_shutdown(fd: u32, how: u8): u16;

const DIR: u32 = 3;
const ALL: u64 = 0x1fffffff; // every right
// The allocator first: AssemblyScript's takes all of memory.size() as its
// heap when it starts, so it must start before the first window (docs/abi.md,
// addition 10).
const buf = heap.alloc(4096);
// A page of the guest's own, outside the allocator's heap: the "fits before
// ro" cases write into its end.
const own = <usize>memory.grow(1) << 16;
const shm = shmget(0, 4096, 0o1600);
const ro = <usize>shmat(shm, 0, 0o10000); // a read-only window, above the guest's pages
shmctl(shm, 0, 0); // IPC_RMID: gone when the guest ends
if (ro != own + 65536) { console.log("the window is not right above the guest's own page"); unreachable(); }
// The end of memory, the window included (read at each use: printing may grow it).
function top(): usize { return <usize>(memory.size() << 16); }
const WRAP: usize = 0xfffffff0; // wraps around 4 GiB
const a = buf + 2048, b = a + 512; // good small outputs
const iov = buf + 3072; // one iovec
const iov2 = iov + 64; // a second one
const name = buf + 3584; // path strings

function line(fn: string, what: string, r: u16): void { console.log(fn + " " + what + " " + r.toString()); }
function path(s: string): usize { return name + <usize>String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, name); }
function setIov(at: usize, p: usize, len: u32): usize { store<u32>(at, <u32>p); store<u32>(at, len, 4); return at; }
function open(p: string, oflags: u16 = 0): u32 {
  const end = path(p);
  const e = path_open(DIR, 1, name, end - name, oflags, ALL, ALL, 0, a);
  return e == 0 ? load<u32>(a) : 0xffffffff;
}
/** A subscription for poll_oneoff at `at`: a relative monotonic clock of 0 ns. */
function clockSub(at: usize): usize {
  memory.fill(at, 0, 48);
  store<u64>(at, 7); store<u8>(at, 0, 8); store<u32>(at, 1, 16); store<u64>(at, 0, 24);
  return at;
}

// args and environ: the counts and every string buffer.
line("args_sizes_get", "ok", args_sizes_get(a, b));
const argc = load<u32>(a), argBytes = load<u32>(b);
line("args_sizes_get", "argc ro", args_sizes_get(ro, b));
line("args_sizes_get", "bytes ro", args_sizes_get(a, ro));
line("args_sizes_get", "argc oob", args_sizes_get(top() - 2, b));
line("args_sizes_get", "bytes oob", args_sizes_get(a, top() - 2));
line("args_get", "ok", args_get(a, buf));
line("args_get", "argv last slot ro", args_get(ro - argc * 4 + 4, buf));
line("args_get", "argv fits before ro", args_get(ro - argc * 4, buf));
line("args_get", "buf fits before ro", args_get(a, ro - argBytes));
line("args_get", "argv oob", args_get(top() - 2, buf));
line("args_get", "argv wraps", args_get(WRAP, buf));
line("environ_sizes_get", "ok", environ_sizes_get(a, b));
const envc = load<u32>(a), envBytes = load<u32>(b);
line("environ_sizes_get", "count ro", environ_sizes_get(ro, b));
line("environ_sizes_get", "bytes ro", environ_sizes_get(a, ro));
line("environ_sizes_get", "bytes oob", environ_sizes_get(a, top() - 2));
line("environ_get", "ok", environ_get(a, buf));
line("environ_get", "envp last slot ro", environ_get(ro - envc * 4 + 4, buf));
line("environ_get", "envp fits before ro", environ_get(ro - envc * 4, buf));
line("environ_get", "buf fits before ro", environ_get(a, ro - envBytes));
line("environ_get", "envp oob", environ_get(top() - 2, buf));

// Clocks.
line("clock_res_get", "ok", clock_res_get(1, a));
line("clock_res_get", "is 1000 ns", load<u64>(a) == 1000 ? 0 : 1);
line("clock_res_get", "bad clock", clock_res_get(9, a));
line("clock_res_get", "out ro", clock_res_get(1, ro));
line("clock_res_get", "out oob", clock_res_get(1, top() - 4));
line("clock_res_get", "out wraps", clock_res_get(1, WRAP + 12));
line("clock_time_get", "ok", clock_time_get(0, 0, a));
line("clock_time_get", "bad clock", clock_time_get(9, 0, a));
line("clock_time_get", "out straddles ro", clock_time_get(1, 0, ro - 4));
// Values the test compares with its own clock: seconds since the epoch,
// CPU milliseconds of the process and of the thread, monotonic order.
clock_time_get(0, 0, a); console.log("clock realtime-s " + (load<u64>(a) / 1000000000).toString());
clock_time_get(2, 0, a); console.log("clock process-ms " + (load<u64>(a) / 1000000).toString());
clock_time_get(3, 0, a); console.log("clock thread-ms " + (load<u64>(a) / 1000000).toString());
clock_time_get(1, 0, a); clock_time_get(1, 0, b);
line("clock_time_get", "monotonic", load<u64>(b) >= load<u64>(a) && load<u64>(a) > 0 ? 0 : 1);

// Files under the directory: F is "f" opened with every right.
const F = open("f");
line("path_open", "f", F == 0xffffffff ? 1 : 0);
line("path_open", "out ro", path_open(DIR, 1, name, path("f") - name, 0, ALL, ALL, 0, ro));
line("path_open", "out oob", path_open(DIR, 1, name, path("f") - name, 0, ALL, ALL, 0, top() - 2));
line("path_open", "path oob", path_open(DIR, 1, top() - 1, 4, 0, ALL, ALL, 0, a));
line("path_open", "path wraps", path_open(DIR, 1, WRAP, 32, 0, ALL, ALL, 0, a));
line("fd_advise", "ok", fd_advise(F, 0, 5, 0));
line("fd_advise", "stdout", fd_advise(1, 0, 5, 0));
line("fd_allocate", "ok", fd_allocate(F, 0, 5));
line("fd_datasync", "ok", fd_datasync(F));
line("fd_sync", "ok", fd_sync(F));
line("fd_fdstat_get", "ok", fd_fdstat_get(F, a));
line("fd_fdstat_get", "out ro", fd_fdstat_get(F, ro));
line("fd_fdstat_get", "out straddles end", fd_fdstat_get(F, top() - 16));
line("fd_fdstat_get", "stdout ok", fd_fdstat_get(1, a));
line("fd_fdstat_get", "stdout out ro", fd_fdstat_get(1, ro));
line("fd_fdstat_get", "stdout out straddles ro", fd_fdstat_get(1, ro - 16));
line("fd_fdstat_set_flags", "ok", fd_fdstat_set_flags(F, 0));
line("fd_fdstat_set_rights", "ok", fd_fdstat_set_rights(F, ALL, ALL));
line("fd_filestat_get", "ok", fd_filestat_get(F, a));
line("fd_filestat_get", "size 5", load<u64>(a + 32) == 5 ? 0 : 1);
line("fd_filestat_get", "out ro", fd_filestat_get(F, ro));
line("fd_filestat_get", "out straddles ro", fd_filestat_get(F, ro - 32));
line("fd_filestat_get", "out straddles end", fd_filestat_get(F, top() - 32));
line("fd_filestat_get", "stdout out ro", fd_filestat_get(1, ro));
line("fd_filestat_get", "stdout out straddles end", fd_filestat_get(1, top() - 32));
line("fd_filestat_set_times", "ok", fd_filestat_set_times(F, 0, 0, 2 | 8)); // atime and mtime now
line("fd_seek", "ok", fd_seek(F, 1, 0, a));
line("fd_seek", "out ro", fd_seek(F, 1, 0, ro));
line("fd_seek", "out straddles end", fd_seek(F, 1, 0, top() - 4));
line("fd_tell", "ok", fd_tell(F, a));
line("fd_tell", "is 1", load<u64>(a) == 1 ? 0 : 1);
line("fd_tell", "out ro", fd_tell(F, ro));
line("fd_tell", "out straddles end", fd_tell(F, top() - 4));

// Reads and writes through iovecs.
setIov(iov, buf, 5);
line("fd_pread", "ok", fd_pread(F, iov, 1, 0, a));
line("fd_pread", "read 5", load<u32>(a) == 5 && load<u8>(buf) == 0x68 ? 0 : 1);
line("fd_pread", "nread ro", fd_pread(F, iov, 1, 0, ro));
line("fd_pread", "nread oob", fd_pread(F, iov, 1, 0, top() - 2));
line("fd_pread", "iovs oob", fd_pread(F, top() - 4, 1, 0, a));
line("fd_pread", "iovs wrap", fd_pread(F, WRAP, 2, 0, a));
line("fd_pread", "into ro", fd_pread(F, setIov(iov2, ro, 5), 1, 0, a));
line("fd_pread", "into straddles end", fd_pread(F, setIov(iov2, top() - 2, 5), 1, 0, a));
setIov(iov, buf, 1); setIov(iov + 8, ro + 8, 1);
line("fd_pread", "second iovec into ro", fd_pread(F, iov, 2, 0, a));
line("fd_pread", "iovecs over IOV_MAX", fd_pread(F, iov, 1025, 0, a));
setIov(iov, buf, 5);
line("fd_read", "ok", fd_read(F, iov, 1, a));
line("fd_read", "into ro", fd_read(F, setIov(iov2, ro, 5), 1, a));
line("fd_read", "nread ro", fd_read(F, iov, 1, ro));
line("fd_read", "iovs oob", fd_read(F, top() - 8, 2, a));
line("fd_read", "iovecs over IOV_MAX", fd_read(F, iov, 1025, a));
memory.copy(buf, changetype<usize>(String.UTF8.encode("HELLO")), 5);
setIov(iov, buf, 5);
line("fd_pwrite", "ok", fd_pwrite(F, iov, 1, 0, a));
line("fd_pwrite", "wrote 5", load<u32>(a) == 5 ? 0 : 1);
line("fd_pwrite", "nwritten ro", fd_pwrite(F, iov, 1, 0, ro));
line("fd_pwrite", "nwritten oob", fd_pwrite(F, iov, 1, 0, top() - 2));
line("fd_pwrite", "iovs oob", fd_pwrite(F, top() - 4, 1, 0, a));
line("fd_pwrite", "from oob", fd_pwrite(F, setIov(iov2, top() - 2, 5), 1, 0, a));
line("fd_pwrite", "from ro", fd_pwrite(F, setIov(iov2, ro, 5), 1, 0, a));
line("fd_pwrite", "iovecs over IOV_MAX", fd_pwrite(F, iov, 1025, 0, a));
line("fd_write", "ok", fd_write(F, iov, 1, a));
line("fd_write", "nwritten ro", fd_write(F, iov, 1, ro));
line("fd_write", "from oob", fd_write(F, setIov(iov2, top() - 2, 5), 1, a));
line("fd_write", "stdout from oob", fd_write(1, setIov(iov2, top() - 2, 5), 1, a));
line("fd_write", "stdout iovecs over IOV_MAX", fd_write(1, iov, 1025, a));

// Directories.
line("fd_prestat_get", "ok", fd_prestat_get(DIR, a));
line("fd_prestat_get", "name length 5", load<u32>(a + 4) == 5 ? 0 : 1);
line("fd_prestat_get", "out ro", fd_prestat_get(DIR, ro));
line("fd_prestat_get", "out straddles end", fd_prestat_get(DIR, top() - 4));
line("fd_prestat_dir_name", "ok", fd_prestat_dir_name(DIR, a, 5));
line("fd_prestat_dir_name", "is /data", String.UTF8.decodeUnsafe(a, 5) == "/data" ? 0 : 1);
line("fd_prestat_dir_name", "into ro", fd_prestat_dir_name(DIR, ro, 5));
line("fd_prestat_dir_name", "straddles ro", fd_prestat_dir_name(DIR, ro - 4, 5));
line("fd_prestat_dir_name", "straddles end", fd_prestat_dir_name(DIR, top() - 4, 5));
line("fd_readdir", "ok", fd_readdir(DIR, buf, 1024, 0, a));
line("fd_readdir", "used some", load<u32>(a) > 24 ? 0 : 1);
line("fd_readdir", "into ro", fd_readdir(DIR, ro, 64, 0, a));
line("fd_readdir", "straddles end", fd_readdir(DIR, top() - 8, 64, 0, a));
line("fd_readdir", "used ro", fd_readdir(DIR, buf, 64, 0, ro));
line("fd_readdir", "used oob", fd_readdir(DIR, buf, 64, 0, top() - 2));
line("path_filestat_get", "ok", path_filestat_get(DIR, 1, name, path("f") - name, a));
line("path_filestat_get", "out ro", path_filestat_get(DIR, 1, name, path("f") - name, ro));
line("path_filestat_get", "out straddles end", path_filestat_get(DIR, 1, name, path("f") - name, top() - 32));
line("path_filestat_get", "path oob", path_filestat_get(DIR, 1, top() - 1, 4, a));
line("path_filestat_set_times", "ok", path_filestat_set_times(DIR, 1, name, path("f") - name, 0, 0, 2 | 8));
line("path_filestat_set_times", "path oob", path_filestat_set_times(DIR, 1, top() - 1, 4, 0, 0, 2 | 8));
line("path_readlink", "ok", path_readlink(DIR, name, path("l") - name, buf, 64, a));
line("path_readlink", "is f", load<u32>(a) == 1 && load<u8>(buf) == 0x66 ? 0 : 1);
line("path_readlink", "into ro", path_readlink(DIR, name, path("l") - name, ro, 64, a));
line("path_readlink", "straddles end", path_readlink(DIR, name, path("l") - name, top() - 8, 64, a));
line("path_readlink", "used ro", path_readlink(DIR, name, path("l") - name, buf, 64, ro));
line("path_readlink", "path oob", path_readlink(DIR, top() - 1, 4, buf, 64, a));
line("path_create_directory", "ok", path_create_directory(DIR, name, path("n") - name));
line("path_create_directory", "path oob", path_create_directory(DIR, top() - 1, 4));
line("path_remove_directory", "ok", path_remove_directory(DIR, name, path("n") - name));
line("path_remove_directory", "path oob", path_remove_directory(DIR, top() - 1, 4));
const second = name + 256;
String.UTF8.encodeUnsafe(changetype<usize>("g"), 1, second);
line("path_link", "ok", path_link(DIR, 0, name, path("f") - name, DIR, second, 1));
line("path_link", "old oob", path_link(DIR, 0, top() - 1, 4, DIR, second, 1));
line("path_link", "new oob", path_link(DIR, 0, name, path("f") - name, DIR, top() - 1, 4));
String.UTF8.encodeUnsafe(changetype<usize>("h"), 1, second);
line("path_rename", "ok", path_rename(DIR, name, path("g") - name, DIR, second, 1));
line("path_rename", "old oob", path_rename(DIR, top() - 1, 4, DIR, second, 1));
line("path_rename", "new oob", path_rename(DIR, name, path("h") - name, DIR, top() - 1, 4));
String.UTF8.encodeUnsafe(changetype<usize>("s"), 1, second);
line("path_symlink", "ok", path_symlink(name, path("h") - name, DIR, second, 1));
line("path_symlink", "target oob", path_symlink(top() - 1, 4, DIR, second, 1));
line("path_symlink", "new oob", path_symlink(name, path("h") - name, DIR, top() - 1, 4));
line("path_unlink_file", "ok", path_unlink_file(DIR, name, path("s") - name));
line("path_unlink_file", "h", path_unlink_file(DIR, name, path("h") - name));
line("path_unlink_file", "path oob", path_unlink_file(DIR, top() - 1, 4));

// Descriptors: renumber among the host's, never between them and stdio.
const F2 = open("f"), F3 = open("f");
line("fd_renumber", "ok", fd_renumber(F2, F3));
line("fd_renumber", "source closed after", fd_close(F2));
line("fd_renumber", "stdio onto a file", fd_renumber(1, F3));
line("fd_renumber", "a file onto stdio", fd_renumber(F3, 1));
line("fd_close", "ok", fd_close(F3));
line("fd_close", "again", fd_close(F3));

// Sockets: none here.
setIov(iov, buf, 5);
line("sock_recv", "file", sock_recv(F, iov, 1, 0, a, b));
line("sock_recv", "stdin", sock_recv(0, iov, 1, 0, a, b));
line("sock_recv", "len ro", sock_recv(0, iov, 1, 0, ro, b));
line("sock_recv", "flags ro", sock_recv(0, iov, 1, 0, a, ro));
line("sock_recv", "iovecs over IOV_MAX", sock_recv(0, iov, 1025, 0, a, b));
line("sock_send", "file", sock_send(F, iov, 1, 0, a));
line("sock_send", "stdout", sock_send(1, iov, 1, 0, a));
line("sock_send", "len ro", sock_send(1, iov, 1, 0, ro));
line("sock_send", "from oob", sock_send(1, setIov(iov2, top() - 2, 5), 1, 0, a));
line("sock_send", "iovecs over IOV_MAX", sock_send(1, iov, 1025, 0, a));
line("sock_shutdown", "file", sock_shutdown(F, 2));
line("sock_shutdown", "stdout", sock_shutdown(1, 2));

// poll_oneoff: subscriptions in, events out.
const subs = buf, evs = buf + 1024;
clockSub(subs); clockSub(subs + 48);
line("poll_oneoff", "ok", poll_oneoff(subs, evs, 2, a));
line("poll_oneoff", "two events", load<u32>(a) == 2 && load<u64>(evs) == 7 ? 0 : 1);
line("poll_oneoff", "events ro", poll_oneoff(subs, ro, 1, a));
line("poll_oneoff", "second event straddles ro", poll_oneoff(subs, ro - 48, 2, a));
line("poll_oneoff", "nevents ro", poll_oneoff(subs, evs, 1, ro));
line("poll_oneoff", "second subscription oob", poll_oneoff(top() - 60, evs, 2, a));
line("poll_oneoff", "none", poll_oneoff(subs, evs, 0, a));
// Every kind of subscription at once (userdata = its index): what is due,
// with which error and type, in order. stdin holds unread bytes here.
function sub(i: i32, tag: u8, word: u32, timeout: u64 = 0, flags: u16 = 0): void {
  const at = subs + <usize>i * 48;
  memory.fill(at, 0, 48);
  store<u64>(at, <u64>i); store<u8>(at, tag, 8); store<u32>(at, word, 16);
  store<u64>(at, timeout, 24); store<u16>(at, flags, 40);
}
sub(0, 0, 1);                        // clock, relative 0: due
sub(1, 1, 0);                        // read stdin: ready
sub(2, 2, 1);                        // write stdout: ready
sub(3, 1, 1);                        // read stdout: EBADF
sub(4, 2, 0);                        // write stdin: EBADF
sub(5, 1, F);                        // read a host file: ready
sub(6, 1, 99);                       // read a descriptor not open: EBADF
sub(7, 9, 0);                        // no such event type: EINVAL, type 0
sub(8, 0, 9);                        // no such clock: EINVAL
sub(9, 0, 1, 3600000000000);         // an hour from now: not due
sub(10, 0, 0, 0, 1);                 // realtime, absolute 0 (long past): due
sub(11, 0, 1, 0xffffffffffffff, 1);  // monotonic, absolute far future: not due
sub(12, 0, 4);                       // clock 4, the first past WASI's four: EINVAL
memory.fill(evs, 0xee, 13 * 32);
let seen = "";
const pe = poll_oneoff(subs, evs, 13, a);
for (let i: u32 = 0; i < load<u32>(a); i++) {
  const e = evs + <usize>i * 32;
  let clean = load<u64>(e + 16) == 0 && load<u64>(e + 24) == 0;
  for (let k = 11; k < 16; k++) if (load<u8>(e + k) != 0) clean = false;
  seen += " " + load<u64>(e).toString() + ":" + load<u16>(e + 8).toString() + ":" + load<u8>(e + 10).toString() + (clean ? "" : "!");
}
console.log("poll_oneoff mixed " + pe.toString() + seen);
// An absolute deadline 50 ms ahead on the monotonic clock: due once it
// passes, well before a relative 2 s backstop.
clock_time_get(0, 0, a);
const r0 = load<u64>(a);
clock_time_get(1, 0, a);
const t0 = load<u64>(a);
sub(0, 0, 1, t0 + 50000000, 1);
sub(1, 0, 1, 2000000000);
const pa = poll_oneoff(subs, evs, 2, b);
clock_time_get(1, 0, a);
const waited = load<u64>(a) - t0;
clock_time_get(0, 0, a);
const realWaited = load<u64>(a) - r0;
console.log("poll_oneoff absolute " + pa.toString() + " " + load<u32>(b).toString() + " " + load<u64>(evs).toString() + " "
  + (waited >= 50000000 && waited < 2000000000 ? "in time" : "after " + waited.toString() + " ns"));
// The realtime clock moved forward with it.
line("clock_time_get", "realtime advances", realWaited >= 49000000 && realWaited < 2000000000 ? 0 : 1);
// stdin: the first iovec with room gets the bytes; only empty ones read nothing.
setIov(iov, buf, 0); setIov(iov + 8, buf + 16, 4);
line("fd_read", "stdin skips an empty iovec", fd_read(0, iov, 2, a));
line("fd_read", "stdin got 4", load<u32>(a) == 4 && String.UTF8.decodeUnsafe(buf + 16, 4) == "some" ? 0 : 1);
store<u32>(a, 99);
line("fd_read", "stdin only empty iovecs", fd_read(0, iov, 1, a));
line("fd_read", "stdin got 0", load<u32>(a) == 0 ? 0 : 1);
// stdout: every iovec, in order, and the sum of their lengths.
memory.copy(buf, changetype<usize>(String.UTF8.encode("abcd\n")), 5);
setIov(iov, buf, 2); setIov(iov + 8, buf + 2, 3);
line("fd_write", "stdout two iovecs", fd_write(1, iov, 2, a));
line("fd_write", "stdout wrote 5", load<u32>(a) == 5 ? 0 : 1);

// The rest.
line("random_get", "ok", random_get(buf, 64));
line("random_get", "straddles ro", random_get(ro - 8, 16));
line("random_get", "straddles end", random_get(top() - 8, 16));
line("random_get", "wraps", random_get(WRAP, 32));
// More than one chunk (1 MiB) of random bytes: the last ones are filled too.
const big = heap.alloc(1536 * 1024);
memory.fill(big, 0, 1536 * 1024);
line("random_get", "1.5 MiB", random_get(big, 1536 * 1024));
let tail: u64 = 0;
for (let k: usize = 0; k < 64; k += 8) tail |= load<u64>(big + 1536 * 1024 - 64 + k);
line("random_get", "its last 64 bytes are filled", tail != 0 ? 0 : 1);
line("random_get", "0 bytes", random_get(big, 0));
line("sched_yield", "ok", sched_yield());
line("proc_raise", "0", proc_raise(0));
line("fd_close", "F", fd_close(F));
// Last, as it changes the library's stdio table (the host's own fd_write
// to 1 and 2 does not use it): stdio renumbered onto stdio is the library's.
line("fd_renumber", "stdio onto stdio", fd_renumber(2, 1));
// The library keeps that table from call to call: the old number is closed.
line("fd_close", "stdio renumbered away", fd_close(2));
console.log("done");
