// A hostile guest for the lab's IPC namespace: creates a segment and a
// semaphore set with the counter lab's key (0x1ab0), then removes every id
// it can guess (the kernel's scheme: id = sequence * 32768 + index, here
// sequences 0-3 and indexes 0-63) with IPC_RMID, sweep after sweep. In its
// first --dir it writes the file "sweeping" when it starts, and it stops
// when a file "stop" appears there; then prints "swept S times, removed R".
import { shmget, shmctl, semget, semctl, IPC_CREAT, IPC_RMID } from "../../../assembly/index";

@external("wasi_snapshot_preview1", "fd_prestat_get") declare function fd_prestat_get(fd: u32, out: usize): u16;
@external("wasi_snapshot_preview1", "fd_close") declare function fd_close(fd: u32): u16;
@external("wasi_snapshot_preview1", "path_open") declare function path_open(dirfd: u32, dirflags: u32, path: usize, len: usize, oflags: u16, rb: u64, ri: u64, fdflags: u16, fd: usize): u16;

const pre = heap.alloc(8);
const fdp = heap.alloc(4);
let dirfd: u32 = 0;
for (let fd: u32 = 3; fd < 16; fd++) if (fd_prestat_get(fd, pre) == 0) dirfd = fd;
if (dirfd == 0) { process.stderr.write("rmid-all: needs a directory (lab dirs)\n"); process.exit(2); }

/** Opens (creating it if asked) a file of the directory; true when it could. */
function touch(name: string, create: bool): bool {
  const n = String.UTF8.encode(name);
  const err = path_open(dirfd, 0, changetype<usize>(n), n.byteLength, create ? 1 : 0, create ? 64 : 2, 0, 0, fdp);
  if (err != 0) return false;
  fd_close(load<u32>(fdp));
  return true;
}

if (shmget(0x1ab0, 4096, IPC_CREAT | 0o600) < 0 || semget(0x1ab0, 2, IPC_CREAT | 0o600) < 0) {
  process.stderr.write("rmid-all: cannot create its own objects\n");
  process.exit(3);
}
if (!touch("sweeping", true)) { process.stderr.write("rmid-all: cannot write to its directory\n"); process.exit(2); }
let sweeps = 0, removed = 0;
while (!touch("stop", false)) {
  for (let seq = 0; seq < 4; seq++) {
    for (let idx = 0; idx < 64; idx++) {
      const id = seq * 32768 + idx;
      if (shmctl(id, IPC_RMID, 0) == 0) removed++;
      if (semctl(id, 0, IPC_RMID) == 0) removed++;
    }
  }
  sweeps++;
}
console.log("swept " + sweeps.toString() + " times, removed " + removed.toString());
