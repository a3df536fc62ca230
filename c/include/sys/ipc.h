/* <sys/ipc.h> for C guests of wasi-sysv (wasm32-wasi): the System V IPC
 * basics as on x86-64 Linux, over the `sysv` imports of docs/abi.md.
 * Shipped with `wasi-sysv cc`, which puts this directory before wasi-libc's
 * headers (wasi-libc has no SysV IPC). */
#ifndef WASI_SYSV_SYS_IPC_H
#define WASI_SYSV_SYS_IPC_H

#include <sys/types.h> /* key_t, uid_t, gid_t, mode_t, pid_t, time_t */

#ifdef __cplusplus
extern "C" {
#endif

/* Flags of shmget/semget (Linux's values, as the ABI passes them on). */
#define IPC_CREAT   01000
#define IPC_EXCL    02000
#define IPC_NOWAIT  04000
#define IPC_PRIVATE ((key_t)0)

/* Commands of shmctl/semctl. */
#define IPC_RMID 0
#define IPC_SET  1
#define IPC_STAT 2
#define IPC_INFO 3

/* The kernel's "new layout" bit. x86-64 Linux has only the 64-bit layouts
 * and refuses a command carrying it (EINVAL); so does the host (abi.md,
 * addition 4). These headers never set it. */
#define IPC_64 0x100

/* ipc_perm of docs/abi.md: 32 bytes. The key and sequence fields carry
 * glibc's names. */
struct ipc_perm {
    key_t __key;        /* @0 */
    uid_t uid;          /* @4 */
    gid_t gid;          /* @8 */
    uid_t cuid;         /* @12 */
    gid_t cgid;         /* @16 */
    mode_t mode;        /* @20: 9 permission bits and SHM_DEST, SHM_LOCKED */
    unsigned int __seq; /* @24 */
    unsigned int __pad; /* @28 */
};

/* ftok(path, id): (id & 0xff) << 24 | (st_dev & 0xff) << 16 | (st_ino & 0xffff),
 * as glibc computes it. The guest must see the path (wasi-sysv run --dir):
 * the same file gives the key a native program gets. */
key_t ftok(const char *path, int id);

#ifdef __cplusplus
}
#endif
#endif
