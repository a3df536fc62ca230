// A guest written only against docs/abi.md: its own `sysv` imports,
// no use of the wasi-sysv library, so it shows that the contract alone is
// enough. Prints "abi-only ok" and exits 0, or one line and exits 1.

// @ts-ignore: decorator
@external("sysv", "shmget") declare function shmget(key: i32, size: i32, shmflg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmat") declare function shmat(shmid: i32, shmaddr: i32, shmflg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmdt") declare function shmdt(shmaddr: i32): i32;
// @ts-ignore: decorator
@external("sysv", "shmctl") declare function shmctl(shmid: i32, cmd: i32, buf: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semget") declare function semget(key: i32, nsems: i32, semflg: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semop") declare function semop(semid: i32, sops: i32, nsops: i32): i32;
// @ts-ignore: decorator
@external("sysv", "semctl") declare function semctl(semid: i32, semnum: i32, cmd: i32, arg: i32): i32;

const IPC_PRIVATE = 0, IPC_CREAT = 0o1000, IPC_NOWAIT = 0o4000;
const IPC_RMID = 0, IPC_STAT = 2, GETVAL = 12, SETVAL = 16;
const EAGAIN = 11;
const SIZE = 8192;

function fail(msg: string): void {
  process.stderr.write("abi-only: " + msg + "\n");
  process.exit(1);
}

function isErr(r: i32): bool {
  return r >= -4095 && r <= -1;
}

function check(r: i32, what: string): i32 {
  if (isErr(r)) fail(what + " failed with errno " + (-r).toString());
  return r;
}

// Allocate first, as any guest does before it thinks of shared memory.
let before = new Array<u64>(512);
before[0] = 42;
let label = "abi" + "-only";

// --- shared memory -----------------------------------------------------
let shmid = check(shmget(IPC_PRIVATE, SIZE, IPC_CREAT | 0o600), "shmget");
let raw = shmat(shmid, 0, 0);
check(raw, "shmat");
let addr = <usize><u32>raw; // may exceed 2^31
if ((addr & 4095) != 0) fail("window address is not page aligned");

store<u32>(addr, 0xdeadbeef);
store<u64>(addr + SIZE - 8, 0x0123456789abcdef);
if (load<u32>(addr) != 0xdeadbeef || load<u64>(addr + SIZE - 8) != 0x0123456789abcdef) fail("window does not hold what was stored");

// The allocator must not hand out the window's pages.
let after = new Array<u8>(1 << 20);
let lo = after.dataStart, hi = lo + <usize>after.length;
if (hi > addr && lo < addr + SIZE) fail("allocation overlaps the window");
if (before[0] != 42) fail("earlier allocation was overwritten");

let ds = new StaticArray<u8>(80); // shmid_ds
let dsp = changetype<usize>(ds);
check(shmctl(shmid, IPC_STAT, <i32>dsp), "shmctl(IPC_STAT)");
if (load<u64>(dsp, 32) != SIZE) fail("shm_segsz is " + load<u64>(dsp, 32).toString());
if (load<u64>(dsp, 72) != 1) fail("shm_nattch is " + load<u64>(dsp, 72).toString());
if ((load<u32>(dsp, 20) & 0o777) != 0o600) fail("mode is wrong");

check(shmdt(<i32>addr), "shmdt");
if (load<u32>(addr) != 0) fail("detached pages do not read as zero");
check(shmctl(shmid, IPC_RMID, 0), "shmctl(IPC_RMID)");

// --- semaphores ----------------------------------------------------------
let semid = check(semget(IPC_PRIVATE, 2, IPC_CREAT | 0o600), "semget");
check(semctl(semid, 0, SETVAL, 1), "semctl(SETVAL)");
let ops = new StaticArray<u8>(12); // two 6-byte sembuf
let opp = changetype<usize>(ops);
store<u16>(opp, 0, 0); store<i16>(opp, -1, 2); store<i16>(opp, 0, 4);  // sem 0: -1
store<u16>(opp, 1, 6); store<i16>(opp, 2, 8); store<i16>(opp, 0, 10);  // sem 1: +2
check(semop(semid, <i32>opp, 2), "semop");
if (check(semctl(semid, 0, GETVAL, 0), "GETVAL") != 0) fail("sem 0 should be 0");
if (check(semctl(semid, 1, GETVAL, 0), "GETVAL") != 2) fail("sem 1 should be 2");
store<i16>(opp, <i16>IPC_NOWAIT, 4);                                   // sem 0: -1, nowait
let r = semop(semid, <i32>opp, 1);
if (r != -EAGAIN) fail("semop on a zero semaphore with IPC_NOWAIT returned " + r.toString());
check(semctl(semid, 0, IPC_RMID, 0), "semctl(IPC_RMID)");

console.log(label + " ok");
