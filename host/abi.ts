// The guest ABI of docs/abi.md: constants, errno numbers and the byte
// layouts of the guest structures, next to the native (glibc x86-64) layouts
// they are translated to and from. Offsets were read from glibc's headers with
// offsetof(); test/native-layout.test.ts re-checks them with the C compiler.

export const IPC_CREAT = 0o1000;
export const IPC_EXCL = 0o2000;
export const IPC_NOWAIT = 0o4000;
export const IPC_PRIVATE = 0;
export const IPC_RMID = 0;
export const IPC_SET = 1;
export const IPC_STAT = 2;
export const IPC_INFO = 3;
/** The "new layout" bit of 32-bit ABIs. x86-64 Linux does not strip it: a
 * command carrying it is EINVAL there, and so in a guest (docs/abi.md, addition 4). */
export const IPC_64 = 0x100;

export const SHM_RDONLY = 0o10000;
export const SHM_RND = 0o20000;
export const SHM_REMAP = 0o40000;
export const SHM_EXEC = 0o100000;
export const SHM_LOCK = 11;
export const SHM_UNLOCK = 12;
export const SHM_STAT = 13;
export const SHM_INFO = 14;
export const SHM_STAT_ANY = 15;
export const SHM_DEST = 0o1000;
export const SHM_LOCKED = 0o2000;

export const SEM_UNDO = 0x1000;
export const GETPID = 11;
export const GETVAL = 12;
export const GETALL = 13;
export const GETNCNT = 14;
export const GETZCNT = 15;
export const SETVAL = 16;
export const SETALL = 17;
export const SEM_STAT = 18;
export const SEM_INFO = 19;
export const SEM_STAT_ANY = 20;

export const PAGE_SIZE = 4096;
export const WASM_PAGE_SIZE = 65536;

/** Linux errno numbers (x86-64) and their names, as abi.md lists them. */
export const Errno = {
  EPERM: 1, ENOENT: 2, EINTR: 4, E2BIG: 7, ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EEXIST: 17, EINVAL: 22, ENFILE: 23, EFBIG: 27, ENOSPC: 28,
  ERANGE: 34, ENOSYS: 38, EIDRM: 43,
} as const;

const errnoNames = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** "EEXIST" for 17; "E123" for numbers outside abi.md's list. */
export function errnoName(e: number): string {
  return errnoNames.get(e) ?? `E${e}`;
}

/** Guest structure sizes (abi.md). */
export const GUEST = {
  shmid_ds: 80, semid_ds: 56, sembuf: 6, timespec: 16,
  shminfo: 5 * 8, shm_info: 6 * 8, seminfo: 10 * 8,
} as const;

/** Native glibc x86-64 structure sizes. */
export const NATIVE = {
  ipc_perm: 48, shmid_ds: 112, semid_ds: 104, shminfo: 72, shm_info: 48, seminfo: 40,
} as const;

// --- The proc import module (docs/abi.md, addition 8; implemented in proc.ts) ---
/** The functions of import module "proc". */
export const PROC_IMPORTS = ['spawn', 'wait', 'getpid'];
/** Live (unreaped) children per guest, whatever the embedder's limit. */
export const MAX_CHILDREN = 1024;
