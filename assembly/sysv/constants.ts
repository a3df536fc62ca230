// Linux (x86-64) values, as listed in abi.md. Declared @inline so that they
// fold into constants and cost nothing when unused.

// ipc flags and commands
// @ts-ignore: decorator
@inline export const IPC_PRIVATE: i32 = 0;
// @ts-ignore: decorator
@inline export const IPC_CREAT: i32 = 0o1000;
// @ts-ignore: decorator
@inline export const IPC_EXCL: i32 = 0o2000;
// @ts-ignore: decorator
@inline export const IPC_NOWAIT: i32 = 0o4000;
// @ts-ignore: decorator
@inline export const IPC_RMID: i32 = 0;
// @ts-ignore: decorator
@inline export const IPC_SET: i32 = 1;
// @ts-ignore: decorator
@inline export const IPC_STAT: i32 = 2;
// @ts-ignore: decorator
@inline export const IPC_INFO: i32 = 3;

// shmat flags
// @ts-ignore: decorator
@inline export const SHM_RDONLY: i32 = 0o10000;
// @ts-ignore: decorator
@inline export const SHM_RND: i32 = 0o20000;
// @ts-ignore: decorator
@inline export const SHM_REMAP: i32 = 0o40000;
// @ts-ignore: decorator
@inline export const SHM_EXEC: i32 = 0o100000;

// shmctl commands
// @ts-ignore: decorator
@inline export const SHM_LOCK: i32 = 11;
// @ts-ignore: decorator
@inline export const SHM_UNLOCK: i32 = 12;
// @ts-ignore: decorator
@inline export const SHM_STAT: i32 = 13;
// @ts-ignore: decorator
@inline export const SHM_INFO: i32 = 14;
// @ts-ignore: decorator
@inline export const SHM_STAT_ANY: i32 = 15;

// status bits in ipc_perm.mode of a segment
// @ts-ignore: decorator
@inline export const SHM_DEST: u32 = 0o1000;
// @ts-ignore: decorator
@inline export const SHM_LOCKED: u32 = 0o2000;

// semop flag and semctl commands
// @ts-ignore: decorator
@inline export const SEM_UNDO: i32 = 0x1000;
// @ts-ignore: decorator
@inline export const GETPID: i32 = 11;
// @ts-ignore: decorator
@inline export const GETVAL: i32 = 12;
// @ts-ignore: decorator
@inline export const GETALL: i32 = 13;
// @ts-ignore: decorator
@inline export const GETNCNT: i32 = 14;
// @ts-ignore: decorator
@inline export const GETZCNT: i32 = 15;
// @ts-ignore: decorator
@inline export const SETVAL: i32 = 16;
// @ts-ignore: decorator
@inline export const SETALL: i32 = 17;
// @ts-ignore: decorator
@inline export const SEM_STAT: i32 = 18;
// @ts-ignore: decorator
@inline export const SEM_INFO: i32 = 19;
// @ts-ignore: decorator
@inline export const SEM_STAT_ANY: i32 = 20;

// errno numbers
// @ts-ignore: decorator
@inline export const EPERM: i32 = 1;
// @ts-ignore: decorator
@inline export const ENOENT: i32 = 2;
// @ts-ignore: decorator
@inline export const EINTR: i32 = 4;
// @ts-ignore: decorator
@inline export const E2BIG: i32 = 7;
// @ts-ignore: decorator
@inline export const ECHILD: i32 = 10;
// @ts-ignore: decorator
@inline export const EAGAIN: i32 = 11;
// @ts-ignore: decorator
@inline export const ENOMEM: i32 = 12;
// @ts-ignore: decorator
@inline export const EACCES: i32 = 13;
// @ts-ignore: decorator
@inline export const EFAULT: i32 = 14;
// @ts-ignore: decorator
@inline export const EEXIST: i32 = 17;
// @ts-ignore: decorator
@inline export const EINVAL: i32 = 22;
// @ts-ignore: decorator
@inline export const ENFILE: i32 = 23;
// @ts-ignore: decorator
@inline export const EFBIG: i32 = 27;
// @ts-ignore: decorator
@inline export const ENOSPC: i32 = 28;
// @ts-ignore: decorator
@inline export const ERANGE: i32 = 34;
// @ts-ignore: decorator
@inline export const ENOSYS: i32 = 38;
// @ts-ignore: decorator
@inline export const EIDRM: i32 = 43;
