// libc bindings through koffi: the only module that talks to the C library.
//
// Pointers are declared as uintptr_t/intptr_t so that the host can hand the
// kernel raw addresses (linear-memory base + guest offset) without koffi
// marshalling anything: that is what keeps a sysv call close to native cost
// (see platform-facts.md: marshalled sembuf arrays cost 3x a raw address).
import koffi from 'koffi';

const lib = koffi.load('libc.so.6');

type Fn<A extends unknown[], R> = (...args: A) => R;

export const shmget = lib.func('int shmget(int key, size_t size, int shmflg)') as Fn<[number, number, number], number>;
export const shmat = lib.func('intptr_t shmat(int shmid, uintptr_t shmaddr, int shmflg)') as Fn<[number, number, number], number>;
export const shmdt = lib.func('int shmdt(uintptr_t shmaddr)') as Fn<[number], number>;
export const shmctl = lib.func('int shmctl(int shmid, int cmd, uintptr_t buf)') as Fn<[number, number, number], number>;
export const semget = lib.func('int semget(int key, int nsems, int semflg)') as Fn<[number, number, number], number>;
export const semop = lib.func('int semop(int semid, uintptr_t sops, size_t nsops)') as Fn<[number, number, number], number>;
export const semtimedop = lib.func('int semtimedop(int semid, uintptr_t sops, size_t nsops, uintptr_t timeout)') as Fn<[number, number, number, number], number>;
// semctl is variadic in C. On x86-64 a fourth integer-class argument travels
// in the same register either way, and glibc reads it as a pointer-sized
// union semun, so a fixed intptr_t parameter is exact and avoids koffi's
// slower variadic path.
export const semctl = lib.func('int semctl(int semid, int semnum, int cmd, intptr_t arg)') as Fn<[number, number, number, number], number>;
export const mmap = lib.func('intptr_t mmap(uintptr_t addr, size_t length, int prot, int flags, int fd, intptr_t offset)') as Fn<[number, number, number, number, number, number], number>;
export const munmap = lib.func('int munmap(uintptr_t addr, size_t length)') as Fn<[number, number], number>;
// mremap is variadic; its fifth argument (the new address, read only with
// MREMAP_FIXED) travels in a register on x86-64 either way, as for semctl.
export const mremap = lib.func('intptr_t mremap(uintptr_t old_address, size_t old_size, size_t new_size, int flags, uintptr_t new_address)') as Fn<[number, number, number, number, number], number>;
// Race hunting (perturb.ts) gives up the CPU between a guest's sysv calls.
export const schedYield = lib.func('int sched_yield(void)') as Fn<[], number>;
export const poll = lib.func('int poll(uintptr_t fds, unsigned long nfds, int timeout)') as Fn<[number, number, number], number>;
export const unshare = lib.func('int unshare(int flags)') as Fn<[number], number>;
export const gettid = lib.func('int gettid(void)') as Fn<[], number>;
export const tgkill = lib.func('int tgkill(int tgid, int tid, int sig)') as Fn<[number, number, number], number>;
// --- Child processes (proc.ts) ---------------------------------------------
// posix_spawn returns its error number (0 on success) and the child's pid in
// pid[0]; argv and envp are NULL-terminated string arrays.
export const posixSpawn = lib.func('int posix_spawn(_Out_ int *pid, const char *path, uintptr_t file_actions, void *attrp, const char **argv, const char **envp)') as
  Fn<[number[], string, number, null, Array<string | null>, Array<string | null>], number>;
export const spawnFileActionsInit = lib.func('int posix_spawn_file_actions_init(uintptr_t fa)') as Fn<[number], number>;
/** With fd == newfd, glibc (2.29+) clears FD_CLOEXEC in the child: the fd is inherited. */
export const spawnFileActionsAddDup2 = lib.func('int posix_spawn_file_actions_adddup2(uintptr_t fa, int fd, int newfd)') as Fn<[number, number, number], number>;
export const waitpid = lib.func('int waitpid(int pid, uintptr_t status, int options)') as Fn<[number, number, number], number>;
export const WNOHANG_NATIVE = 1;
const syscall2 = lib.func('long syscall(long nr, long a, long b)') as Fn<[number, number, number], number>;
const SYS_pidfd_open = 434;
/** A descriptor that polls readable once the process pid has ended (Linux 5.3+), or -1. */
export function pidfdOpen(pid: number): number {
  return syscall2(SYS_pidfd_open, pid, 0);
}
// glibc applies these to every thread of the process (its setxid broadcast).
const setgroups = lib.func('int setgroups(size_t size, uintptr_t list)') as Fn<[number, number], number>;
const setgid = lib.func('int setgid(uint32_t gid)') as Fn<[number], number>;
const setuid = lib.func('int setuid(uint32_t uid)') as Fn<[number], number>;

/**
 * Becomes uid and gid `id` with no supplementary groups, for the whole
 * process and for good (needs root). Returns 0, or the errno of the step
 * that failed.
 */
export function dropPrivileges(id: number): number {
  if (setgroups(0, 0) !== 0 || setgid(id) !== 0 || setuid(id) !== 0) return koffi.errno();
  return 0;
}
/** The signal that interrupts a guest thread's blocking call (see stop.ts). */
export const SIGUSR2 = 12;
/** unshare(2): a new, empty SEM_UNDO list for the calling thread. */
export const CLONE_SYSVSEM = 0x00040000;
// memmove(p, p, 0) returns p: the cheapest way to learn the host address of
// an ArrayBuffer's backing store (koffi passes typed arrays by address).
const memmove = lib.func('uintptr_t memmove(void *dest, void *src, size_t n)') as Fn<[Uint8Array, Uint8Array, number], number>;

/** Host address of the first byte of a typed array's backing store. */
export function addressOf(bytes: Uint8Array): number {
  return memmove(bytes, bytes, 0);
}

/** errno of the last call made through koffi on this thread. */
export function errno(): number {
  return koffi.errno();
}

/** Linux system-call convention: -1 becomes -errno, anything else passes. */
export function sys(result: number): number {
  return result === -1 ? -koffi.errno() : result;
}

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const MAP_PRIVATE = 0x02;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_NORESERVE = 0x4000;
export const PROT_NONE = 0;
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const POLLIN = 0x1;

/**
 * Native memory that never moves, for structures the host marshals
 * (shmid_ds, semid_ds, timespec...). A large ArrayBuffer's backing store is
 * allocated outside V8's moving heap, so its address is stable for its life.
 */
export class NativeScratch {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly addr: number;
  constructor(size = 4096) {
    this.bytes = new Uint8Array(new ArrayBuffer(Math.max(size, 4096)));
    this.view = new DataView(this.bytes.buffer);
    this.addr = addressOf(this.bytes);
  }
}

/**
 * An address the kernel will always refuse with EFAULT (inside the never
 * mapped first page). Passed in place of a guest pointer that failed the
 * bounds check, so the kernel itself picks between EFAULT and any earlier
 * error (EINVAL, E2BIG, EIDRM...) exactly as Linux orders them.
 */
export const BAD_ADDRESS = 8;

// --- Directory access for --dir (wasi-fs.ts) --------------------------------
// Every path a guest names is resolved by the kernel beneath a directory fd
// with openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS). glibc 2.36 has no
// openat2 wrapper, so it goes through syscall(2); on x86-64 fixed integer
// parameters travel exactly as the variadic ones would (as for semctl).
// Paths are passed as NUL-terminated Buffers (raw bytes, no re-encoding).
const syscall4 = lib.func('long syscall(long nr, long a, void *b, void *c, size_t d)') as Fn<[number, number, Uint8Array, Uint8Array, number], number>;
const SYS_openat2 = 437;
/** openat2(dirfd, path, &how, sizeof how); how is {flags, mode, resolve}, 3 u64. */
export function openat2(dirfd: number, path: Uint8Array, how: Uint8Array): number {
  return syscall4(SYS_openat2, dirfd, path, how, 24);
}
export const mkdirat = lib.func('int mkdirat(int dirfd, void *path, uint32_t mode)') as Fn<[number, Uint8Array, number], number>;
export const unlinkat = lib.func('int unlinkat(int dirfd, void *path, int flags)') as Fn<[number, Uint8Array, number], number>;
export const renameat = lib.func('int renameat(int olddirfd, void *oldpath, int newdirfd, void *newpath)') as Fn<[number, Uint8Array, number, Uint8Array], number>;
export const symlinkat = lib.func('int symlinkat(void *target, int newdirfd, void *linkpath)') as Fn<[Uint8Array, number, Uint8Array], number>;
export const readlinkat = lib.func('intptr_t readlinkat(int dirfd, void *path, uintptr_t buf, size_t size)') as Fn<[number, Uint8Array, number, number], number>;
export const linkat = lib.func('int linkat(int olddirfd, void *oldpath, int newdirfd, void *newpath, int flags)') as Fn<[number, Uint8Array, number, Uint8Array, number], number>;
export const utimensat = lib.func('int utimensat(int dirfd, void *path, void *times, int flags)') as Fn<[number, Uint8Array, Uint8Array | null, number], number>;
export const fallocate = lib.func('int fallocate(int fd, int mode, int64_t offset, int64_t len)') as Fn<[number, number, number | bigint, number | bigint], number>;
export const lseek = lib.func('int64_t lseek(int fd, int64_t offset, int whence)') as Fn<[number, number | bigint, number], number>;
export const readv = lib.func('intptr_t readv(int fd, uintptr_t iov, int iovcnt)') as Fn<[number, number, number], number>;
export const writev = lib.func('intptr_t writev(int fd, uintptr_t iov, int iovcnt)') as Fn<[number, number, number], number>;
export const preadv = lib.func('intptr_t preadv(int fd, uintptr_t iov, int iovcnt, int64_t offset)') as Fn<[number, number, number, number | bigint], number>;
export const pwritev = lib.func('intptr_t pwritev(int fd, uintptr_t iov, int iovcnt, int64_t offset)') as Fn<[number, number, number, number | bigint], number>;
export const getdents64 = lib.func('intptr_t getdents64(int fd, uintptr_t dirp, size_t count)') as Fn<[number, number, number], number>;
export const close = lib.func('int close(int fd)') as Fn<[number], number>;
export const O_WRONLY = 0o1, O_RDWR = 0o2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000, O_SYNC = 0o4010000, O_PATH = 0o10000000;
export const RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_BENEATH = 0x08;
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
/** Linux's IOV_MAX: readv/writev refuse more iovecs with EINVAL. */
export const IOV_MAX = 1024;
// --- end of directory access --------------------------------------------------
