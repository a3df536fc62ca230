// Exercises the library's layers against a live host; prints "selftest ok"
// or one failing check and exits 1. Uses IPC_PRIVATE objects only and
// removes them, so it can run anywhere.

import {
  shmget, shmat, shmdt, shmctl, semget, semctl, semtimedop, errno, getErrno, strerror,
  IPC_PRIVATE, IPC_CREAT, IPC_EXCL, IPC_RMID, IPC_STAT, IPC_INFO, SHM_INFO, GETALL, EEXIST, EINVAL, ENOENT, EIDRM,
  Segment, SemaphoreSet, P, V, ShmidDs, Shminfo, ShmInfo, Seminfo, SembufArray, Timespec,
  sleepMs, nowMs
} from "../index";
import { fail } from "./lib/cli";

function expect(cond: bool, what: string): void {
  if (!cond) fail("selftest: " + what + " (errno " + getErrno().toString() + ": " + strerror(getErrno()) + ")");
}

// 1. The very first thing: attach at a host-chosen address before anything
//    was allocated. The libc wrapper must have set up the allocator first,
//    so later allocations never land in the window.
let id = shmget(IPC_PRIVATE, 3 * 4096, IPC_CREAT | 0o600);
expect(id >= 0, "shmget(IPC_PRIVATE)");
let addr = shmat(id, 0, 0);
expect(addr != <usize>-1 && (addr & 4095) == 0, "shmat at a host-chosen address");
memory.fill(addr, 0xab, 3 * 4096);
let big = new StaticArray<u8>(4 << 20);
let lo = changetype<usize>(big), hi = lo + <usize>big.length;
expect(hi <= addr || lo >= addr + 3 * 4096, "allocation overlaps the window");
expect(load<u8>(addr + 3 * 4096 - 1) == 0xab, "window lost data after allocation");

// 2. errno and strerror.
expect(shmget(0x7e57ab1e, 0, 0) == -1 && getErrno() == ENOENT && errno == ENOENT, "shmget of a missing key sets ENOENT");
expect(strerror(EEXIST) == "File exists" && strerror(EIDRM) == "Identifier removed", "strerror text");
expect(strerror(999) == "Unknown error 999", "strerror of an unknown number");
expect(shmdt(addr + 4096) == -1 && getErrno() == EINVAL, "shmdt inside a window gives EINVAL");

// 3. Structures.
let ds = new ShmidDs();
expect(shmctl(id, IPC_STAT, ds.ptr) == 0, "IPC_STAT");
expect(ds.shm_segsz == 3 * 4096 && ds.shm_nattch == 1, "shm_segsz / shm_nattch");
expect((ds.shm_perm.mode & 0o777) == 0o600 && ds.shm_cpid > 0, "shm_perm.mode / shm_cpid");
let info = new Shminfo();
expect(shmctl(0, IPC_INFO, info.ptr) >= 0 && info.shmmax > 0 && info.shmmni > 0, "shmctl(IPC_INFO)");
let sinfo = new ShmInfo();
expect(shmctl(0, SHM_INFO, sinfo.ptr) >= 0 && sinfo.used_ids >= 1, "shmctl(SHM_INFO)");
expect(shmdt(addr) == 0, "shmdt");
expect(load<u8>(addr) == 0, "detached pages read as zero");
expect(shmctl(id, IPC_RMID) == 0, "IPC_RMID");

// 4. The friendly shared-memory layer.
let seg = Segment.create(IPC_PRIVATE, 1000, 0o600);
expect(seg.created && seg.size == 1000, "Segment.create");
let w = seg.attach();
w.storeI32(0, -5); w.storeU64(8, 0x1122334455667788); w.storeF64(992, 2.5);
expect(w.loadI32(0) == -5 && w.loadU64(8) == 0x1122334455667788 && w.loadF64(992) == 2.5, "Window loads/stores");
let r = seg.attach(true);
expect(r.addr != w.addr && r.loadI32(0) == -5, "a second, read-only window sees the first's stores");
expect(seg.nattch == 2, "nattch with two windows");
r.detach(); w.detach();
expect(!w.attached && w.size == 0, "Window.detach");
seg.remove();

// 5. Semaphores.
let s = SemaphoreSet.create(IPC_PRIVATE, 3, 0o600);
expect(s.created && s.nsems == 3, "SemaphoreSet.create");
s.setAll([1, 2, 3]);
let all = s.getAll();
expect(all.length == 3 && all[0] == 1 && all[1] == 2 && all[2] == 3, "setAll/getAll");
V(s, 0); P(s, 1, true);
expect(s.getVal(0) == 2 && s.getVal(1) == 1, "P/V");
s.setVal(2, 0);
expect(!s.tryWait(2), "tryWait on 0");
let t0 = nowMs();
expect(!s.timedWait(2, 100), "timedWait on 0 times out");
let waited = nowMs() - t0;
expect(waited >= 90 && waited < 2000, "timedWait waited about 100 ms, not " + waited.toString());
let ops = new SembufArray(2).set(0, 0, -2).set(1, 2, 1);
expect(semtimedop(s.id, ops.ptr, 2, Timespec.fromMs(10).ptr) == 0 && s.getVal(0) == 0 && s.getVal(2) == 1, "semtimedop with two ops");
let sds = s.stat();
expect(sds.sem_nsems == 3 && (sds.sem_perm.mode & 0o777) == 0o600, "semid_ds");
let si = new Seminfo();
expect(semctl(0, 0, IPC_INFO, <i32>si.ptr) >= 0 && si.semmsl > 0, "semctl(IPC_INFO)");
s.remove();
expect(semctl(s.id, 0, GETALL, 0) == -1, "the removed set is gone");

// 6. Exclusive creation and sleeping.
let k = 0x5e1f7e57;
let a = SemaphoreSet.create(k, 1, 0o600);
let b = SemaphoreSet.create(k, 1, 0o600);
expect(a.created && !b.created && a.id == b.id, "create opens an existing set");
expect(semget(k, 1, IPC_CREAT | IPC_EXCL | 0o600) == -1 && getErrno() == EEXIST, "IPC_EXCL gives EEXIST");
a.remove();
t0 = nowMs();
sleepMs(50);
let slept = nowMs() - t0;
expect(slept >= 45 && slept < 1000, "sleepMs(50) slept " + slept.toString());

console.log("selftest ok");
