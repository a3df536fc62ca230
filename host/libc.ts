// libc bindings through koffi: the only module that talks to the C library.
//
// Pointers are declared as uintptr_t/intptr_t so that the host can hand the
// kernel raw addresses (linear-memory base + guest offset) without koffi
// marshalling anything: that is what keeps a sysv call close to native cost
// (see platform-facts.md: marshalled sembuf arrays cost 3x a raw address).
//
// Loaded lazily (issue 12, start-up): koffi and each C function are loaded on
// the first call of that function, in the thread that makes it. Loading koffi
// costs about 3.5 MB of RSS and declaring all of the functions below another
// 2.5 MB, per thread; a guest that never calls sysv (or reads stdin, or opens
// a --dir) never pays for it. Each export is a `let` that starts as a stub:
// the stub declares the function, rebinds the export to it (ES module
// bindings are live, so every importer calls koffi directly from then on)
// and makes the call. A stub someone kept a reference to stays correct (it
// calls the declared function). onLoad() runs code right after koffi loads.
import { createRequire } from 'node:module';

type Fn<A extends unknown[], R> = (...args: A) => R;
type Koffi = typeof import('koffi');

let koffi: Koffi | undefined;
let lib: ReturnType<Koffi['load']> | undefined;
const loadHooks: Array<() => void> = [];

/** koffi and libc.so.6, loaded on first use (then the onLoad hooks run). */
function libc(): ReturnType<Koffi['load']> {
  if (lib) return lib;
  koffi = createRequire(import.meta.url)('koffi') as Koffi;
  lib = koffi.load('libc.so.6');
  for (const hook of loadHooks.splice(0)) hook();
  return lib;
}

/** Whether this thread has loaded the C library yet. */
export function loaded(): boolean {
  return lib !== undefined;
}

/**
 * Runs fn right after this thread loads the C library, before the call that
 * loads it (or at once if it is loaded). worker.ts scopes SEM_UNDO with it.
 */
export function onLoad(fn: () => void): void {
  if (lib) fn();
  else loadHooks.push(fn);
}

/** A stub for the C function `decl` that declares it on first call and hands it to `bind`. */
function lazy<F extends (...args: any[]) => any>(decl: string, bind: (f: F) => void): F {
  let real: F | undefined;
  return ((...args: any[]) => {
    if (real === undefined) {
      real = libc().func(decl) as unknown as F;
      bind(real);
    }
    return real(...args);
  }) as F;
}

export let shmget = lazy<Fn<[number, number, number], number>>('int shmget(int key, size_t size, int shmflg)', (f) => { shmget = f; });
export let shmat = lazy<Fn<[number, number, number], number>>('intptr_t shmat(int shmid, uintptr_t shmaddr, int shmflg)', (f) => { shmat = f; });
export let shmdt = lazy<Fn<[number], number>>('int shmdt(uintptr_t shmaddr)', (f) => { shmdt = f; });
export let shmctl = lazy<Fn<[number, number, number], number>>('int shmctl(int shmid, int cmd, uintptr_t buf)', (f) => { shmctl = f; });
export let semget = lazy<Fn<[number, number, number], number>>('int semget(int key, int nsems, int semflg)', (f) => { semget = f; });
export let semop = lazy<Fn<[number, number, number], number>>('int semop(int semid, uintptr_t sops, size_t nsops)', (f) => { semop = f; });
export let semtimedop = lazy<Fn<[number, number, number, number], number>>('int semtimedop(int semid, uintptr_t sops, size_t nsops, uintptr_t timeout)', (f) => { semtimedop = f; });
// semctl is variadic in C. On x86-64 a fourth integer-class argument travels
// in the same register either way, and glibc reads it as a pointer-sized
// union semun, so a fixed intptr_t parameter is exact and avoids koffi's
// slower variadic path.
export let semctl = lazy<Fn<[number, number, number, number], number>>('int semctl(int semid, int semnum, int cmd, intptr_t arg)', (f) => { semctl = f; });
export let mmap = lazy<Fn<[number, number, number, number, number, number], number>>('intptr_t mmap(uintptr_t addr, size_t length, int prot, int flags, int fd, intptr_t offset)', (f) => { mmap = f; });
export let munmap = lazy<Fn<[number, number], number>>('int munmap(uintptr_t addr, size_t length)', (f) => { munmap = f; });
// mremap is variadic; its fifth argument (the new address, read only with
// MREMAP_FIXED) travels in a register on x86-64 either way, as for semctl.
export let mremap = lazy<Fn<[number, number, number, number, number], number>>('intptr_t mremap(uintptr_t old_address, size_t old_size, size_t new_size, int flags, uintptr_t new_address)', (f) => { mremap = f; });
// Race hunting (perturb.ts) gives up the CPU between a guest's sysv calls.
export let schedYield = lazy<Fn<[], number>>('int sched_yield(void)', (f) => { schedYield = f; });
export let poll = lazy<Fn<[number, number, number], number>>('int poll(uintptr_t fds, unsigned long nfds, int timeout)', (f) => { poll = f; });
export let unshare = lazy<Fn<[number], number>>('int unshare(int flags)', (f) => { unshare = f; });
export let gettid = lazy<Fn<[], number>>('int gettid(void)', (f) => { gettid = f; });
export let tgkill = lazy<Fn<[number, number, number], number>>('int tgkill(int tgid, int tid, int sig)', (f) => { tgkill = f; });
// --- Child processes (proc.ts) ---------------------------------------------
// posix_spawn returns its error number (0 on success) and the child's pid in
// pid[0]; argv and envp are NULL-terminated string arrays.
export let posixSpawn = lazy<Fn<[number[], string, number, null, Array<string | null>, Array<string | null>], number>>('int posix_spawn(_Out_ int *pid, const char *path, uintptr_t file_actions, void *attrp, const char **argv, const char **envp)', (f) => { posixSpawn = f; });
export let spawnFileActionsInit = lazy<Fn<[number], number>>('int posix_spawn_file_actions_init(uintptr_t fa)', (f) => { spawnFileActionsInit = f; });
/** With fd == newfd, glibc (2.29+) clears FD_CLOEXEC in the child: the fd is inherited. */
export let spawnFileActionsAddDup2 = lazy<Fn<[number, number, number], number>>('int posix_spawn_file_actions_adddup2(uintptr_t fa, int fd, int newfd)', (f) => { spawnFileActionsAddDup2 = f; });
export let waitpid = lazy<Fn<[number, number, number], number>>('int waitpid(int pid, uintptr_t status, int options)', (f) => { waitpid = f; });
export const WNOHANG_NATIVE = 1;
let syscall2 = lazy<Fn<[number, number, number], number>>('long syscall(long nr, long a, long b)', (f) => { syscall2 = f; });
const SYS_pidfd_open = 434;
/** A descriptor that polls readable once the process pid has ended (Linux 5.3+), or -1. */
export function pidfdOpen(pid: number): number {
  return syscall2(SYS_pidfd_open, pid, 0);
}
// glibc applies these to every thread of the process (its setxid broadcast).
let setgroups = lazy<Fn<[number, number], number>>('int setgroups(size_t size, uintptr_t list)', (f) => { setgroups = f; });
let setgid = lazy<Fn<[number], number>>('int setgid(uint32_t gid)', (f) => { setgid = f; });
let setuid = lazy<Fn<[number], number>>('int setuid(uint32_t uid)', (f) => { setuid = f; });

/**
 * Becomes uid and gid `id` with no supplementary groups, for the whole
 * process and for good (needs root). Returns 0, or the errno of the step
 * that failed.
 */
export function dropPrivileges(id: number): number {
  if (setgroups(0, 0) !== 0 || setgid(id) !== 0 || setuid(id) !== 0) return errno();
  return 0;
}
/** The signal that interrupts a guest thread's blocking call (see stop.ts). */
export const SIGUSR2 = 12;
/** unshare(2): a new, empty SEM_UNDO list for the calling thread. */
export const CLONE_SYSVSEM = 0x00040000;
// memmove(p, p, 0) returns p: the cheapest way to learn the host address of
// an ArrayBuffer's backing store (koffi passes typed arrays by address).
let memmove = lazy<Fn<[Uint8Array, Uint8Array, number], number>>('uintptr_t memmove(void *dest, void *src, size_t n)', (f) => { memmove = f; });

/** Host address of the first byte of a typed array's backing store. */
export function addressOf(bytes: Uint8Array): number {
  return memmove(bytes, bytes, 0);
}

/** errno of the last call made through koffi on this thread. */
export function errno(): number {
  return koffi === undefined ? 0 : koffi.errno();
}

/** Linux system-call convention: -1 becomes -errno, anything else passes. */
export function sys(result: number): number {
  return result === -1 ? -errno() : result;
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
export const MREMAP_DONTUNMAP = 4;
export const POLLIN = 0x1;

/**
 * Native memory that never moves, for structures the host marshals
 * (shmid_ds, semid_ds, timespec...). A large ArrayBuffer's backing store is
 * allocated outside V8's moving heap, so its address is stable for its life.
 */
export class NativeScratch {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  private address = 0;
  constructor(size = 4096) {
    this.bytes = new Uint8Array(new ArrayBuffer(Math.max(size, 4096)));
    this.view = new DataView(this.bytes.buffer);
  }
  /** Its host address (learnt on first use: that loads the C library). */
  get addr(): number {
    if (this.address === 0) this.address = addressOf(this.bytes);
    return this.address;
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
let syscall4 = lazy<Fn<[number, number, Uint8Array, Uint8Array, number], number>>('long syscall(long nr, long a, void *b, void *c, size_t d)', (f) => { syscall4 = f; });
const SYS_openat2 = 437;
/** openat2(dirfd, path, &how, sizeof how); how is {flags, mode, resolve}, 3 u64. */
export function openat2(dirfd: number, path: Uint8Array, how: Uint8Array): number {
  return syscall4(SYS_openat2, dirfd, path, how, 24);
}
export let mkdirat = lazy<Fn<[number, Uint8Array, number], number>>('int mkdirat(int dirfd, void *path, uint32_t mode)', (f) => { mkdirat = f; });
export let unlinkat = lazy<Fn<[number, Uint8Array, number], number>>('int unlinkat(int dirfd, void *path, int flags)', (f) => { unlinkat = f; });
export let renameat = lazy<Fn<[number, Uint8Array, number, Uint8Array], number>>('int renameat(int olddirfd, void *oldpath, int newdirfd, void *newpath)', (f) => { renameat = f; });
export let symlinkat = lazy<Fn<[Uint8Array, number, Uint8Array], number>>('int symlinkat(void *target, int newdirfd, void *linkpath)', (f) => { symlinkat = f; });
export let readlinkat = lazy<Fn<[number, Uint8Array, number, number], number>>('intptr_t readlinkat(int dirfd, void *path, uintptr_t buf, size_t size)', (f) => { readlinkat = f; });
export let linkat = lazy<Fn<[number, Uint8Array, number, Uint8Array, number], number>>('int linkat(int olddirfd, void *oldpath, int newdirfd, void *newpath, int flags)', (f) => { linkat = f; });
export let utimensat = lazy<Fn<[number, Uint8Array, Uint8Array | null, number], number>>('int utimensat(int dirfd, void *path, void *times, int flags)', (f) => { utimensat = f; });
export let fallocate = lazy<Fn<[number, number, number | bigint, number | bigint], number>>('int fallocate(int fd, int mode, int64_t offset, int64_t len)', (f) => { fallocate = f; });
export let lseek = lazy<Fn<[number, number | bigint, number], number>>('int64_t lseek(int fd, int64_t offset, int whence)', (f) => { lseek = f; });
export let readv = lazy<Fn<[number, number, number], number>>('intptr_t readv(int fd, uintptr_t iov, int iovcnt)', (f) => { readv = f; });
export let writev = lazy<Fn<[number, number, number], number>>('intptr_t writev(int fd, uintptr_t iov, int iovcnt)', (f) => { writev = f; });
export let preadv = lazy<Fn<[number, number, number, number | bigint], number>>('intptr_t preadv(int fd, uintptr_t iov, int iovcnt, int64_t offset)', (f) => { preadv = f; });
export let pwritev = lazy<Fn<[number, number, number, number | bigint], number>>('intptr_t pwritev(int fd, uintptr_t iov, int iovcnt, int64_t offset)', (f) => { pwritev = f; });
export let getdents64 = lazy<Fn<[number, number, number], number>>('intptr_t getdents64(int fd, uintptr_t dirp, size_t count)', (f) => { getdents64 = f; });
export let close = lazy<Fn<[number], number>>('int close(int fd)', (f) => { close = f; });
export const O_WRONLY = 0o1, O_RDWR = 0o2, O_CREAT = 0o100, O_EXCL = 0o200, O_TRUNC = 0o1000, O_APPEND = 0o2000;
export const O_NONBLOCK = 0o4000, O_DSYNC = 0o10000, O_DIRECTORY = 0o200000, O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000, O_SYNC = 0o4010000, O_PATH = 0o10000000;
export const RESOLVE_NO_MAGICLINKS = 0x02, RESOLVE_BENEATH = 0x08;
export const AT_SYMLINK_NOFOLLOW = 0x100, AT_REMOVEDIR = 0x200, AT_EMPTY_PATH = 0x1000;
/** Linux's IOV_MAX: readv/writev refuse more iovecs with EINVAL. */
export const IOV_MAX = 1024;
// --- end of directory access --------------------------------------------------
