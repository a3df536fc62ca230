// Fault guest: bad pointers and host writes into a read-only window must give
// EFAULT (sysv: -14, WASI: 21) and never crash the host. argv[1] = "store"
// ends with a guest store into the read-only window (a trap).
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, flg: i32): i32;
@external("sysv", "shmat") declare function shmat(id: i32, addr: i32, flg: i32): i32;
@external("sysv", "shmctl") declare function shmctl(id: i32, cmd: i32, buf: i32): i32;
@external("sysv", "semget") declare function semget(key: i32, n: i32, flg: i32): i32;
@external("sysv", "semop") declare function semop(id: i32, sops: i32, n: i32): i32;
@external("sysv", "semtimedop") declare function semtimedop(id: i32, sops: i32, n: i32, ts: i32): i32;
@external("sysv", "semctl") declare function semctl(id: i32, num: i32, cmd: i32, arg: i32): i32;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, p: u64, out: usize): u16;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "args_sizes_get") declare function args_sizes_get(a: usize, b: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, n: usize, nw: usize): u16;
@external("wasi_snapshot_preview1", "args_get") declare function args_get(argv: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(envp: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(n: usize, bytes: usize): u16;
@external("wasi_snapshot_preview1", "fd_read") declare function fd_read(fd: u32, iovs: usize, n: usize, nread: usize): u16;
const args = process.argv;
const id = shmget(0, 4096, 0o1600);
const sem = semget(0, 2, 0o1600);
const ro = shmat(id, 0, 0o10000);
const top = <i32>(memory.size() << 16);
function line(what: string, r: i32): void { console.log(what + " " + r.toString()); }
line("shmctl IPC_STAT oob", shmctl(id, 2, top - 8));
line("shmctl IPC_STAT ro", shmctl(id, 2, ro));
line("shmctl IPC_STAT badid oob", shmctl(12345, 2, -16));
line("shmctl IPC_INFO ro", shmctl(0, 3, ro));
line("shmctl IPC_SET oob", shmctl(id, 1, -1));
line("semctl IPC_STAT ro", semctl(sem, 0, 2, ro));
line("semctl GETALL ro", semctl(sem, 0, 13, ro));
line("semctl GETALL oob", semctl(sem, 0, 13, top - 2));
line("semctl SETALL oob", semctl(sem, 0, 17, -2));
line("semctl SEM_INFO ro", semctl(sem, 0, 19, ro));
line("semop oob", semop(sem, top - 4, 1));
line("semop nsops0", semop(sem, 0, 0));
line("semop big", semop(sem, 0, 100000));
line("semop huge", semop(sem, 0, -1));
line("semtimedop ts oob", semtimedop(sem, 0, 1, -8));
const bad = heap.alloc(16);
store<i64>(bad, 0); store<i64>(bad, 2000000000, 8);
const sop = heap.alloc(8); store<u16>(sop, 0); store<i16>(sop, -1, 2); store<i16>(sop, 0, 4);
line("semtimedop ts einval", semtimedop(sem, <i32>sop, 1, <i32>bad));
store<i64>(bad, 0); store<i64>(bad, 30000000, 8);
line("semtimedop 30ms", semtimedop(sem, <i32>sop, 1, <i32>bad));
store<i16>(sop, 0o4000, 4);
line("semop nowait", semop(sem, <i32>sop, 1));
line("wasi clock ro", clock_time_get(0, 0, ro));
line("wasi clock oob", clock_time_get(0, 0, top - 4));
line("wasi random ro", random_get(ro + 100, 16));
line("wasi args ro", args_sizes_get(ro, ro + 8));
// The library's own functions: the host checks their output buffers first.
line("wasi args_get buf ro", args_get(<usize>heap.alloc(64), ro + 16));
line("wasi args_get argv ro", args_get(ro + 16, <usize>heap.alloc(4096)));
line("wasi args_get buf oob", args_get(<usize>heap.alloc(64), top - 2));
line("wasi environ_get buf ro", environ_get(<usize>heap.alloc(64), ro + 16));
line("wasi environ_get envp ro", environ_get(ro + 16, <usize>heap.alloc(4096)));
// String buffers that end one byte inside the read-only window (sized as
// args_sizes_get and environ_sizes_get say): the host checks all of them.
const sizes = heap.alloc(8);
args_sizes_get(sizes, sizes + 4);
line("wasi args_get buf straddles ro", args_get(<usize>heap.alloc(64), ro - load<u32>(sizes + 4) + 1));
environ_sizes_get(sizes, sizes + 4);
line("wasi environ_get buf straddles ro", environ_get(<usize>heap.alloc(64), ro - load<u32>(sizes + 4) + 1));
const iov = heap.alloc(8); store<u32>(iov, <u32>ro); store<u32>(iov, 0, 4);
line("wasi fd_write nwritten ro", fd_write(1, iov, 1, ro));
// stdin (the test gives it bytes) read into the read-only window: the host
// itself would store there (a SIGSEGV of the whole host) without its check.
const riov = heap.alloc(8); store<u32>(riov, <u32>ro); store<u32>(riov, 16, 4);
line("wasi fd_read stdin into ro", fd_read(0, riov, 1, <usize>heap.alloc(4)));
line("wasi fd_write iovs oob", fd_write(1, top - 4, 1, <usize>heap.alloc(4)));
shmctl(id, 0, 0); semctl(sem, 0, 0, 0);
if (args.length > 1 && args[1] == "store") { console.log("storing"); store<u8>(ro, 1); }
console.log("done");
