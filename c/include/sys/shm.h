/* <sys/shm.h> for C guests of wasi-sysv: shmget, shmat, shmdt, shmctl over
 * the `sysv` imports, with the structures laid out as docs/abi.md says
 * (64-bit fields where x86-64 Linux has them: print shm_segsz and
 * shm_nattch with %llu). Errors set errno (wasi-libc's numbering, so
 * `errno == EEXIST` and perror work). */
#ifndef WASI_SYSV_SYS_SHM_H
#define WASI_SYSV_SYS_SHM_H

#include <stddef.h>
#include <sys/ipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* shmat flags. */
#define SHM_RDONLY 010000
#define SHM_RND    020000
#define SHM_REMAP  040000
#define SHM_EXEC   0100000

/* shmget flags (passed on to the kernel). */
#define SHM_HUGETLB   04000
#define SHM_NORESERVE 010000

/* shmctl commands. */
#define SHM_LOCK     11
#define SHM_UNLOCK   12
#define SHM_STAT     13
#define SHM_INFO     14
#define SHM_STAT_ANY 15

/* Status bits in shm_perm.mode. */
#define SHM_DEST   01000
#define SHM_LOCKED 02000

/* Window addresses are rounded to this (SHM_RND): 4096 as on x86-64, not
 * the 64 KiB wasm page. */
#define SHMLBA 4096

typedef unsigned long long shmatt_t;

/* shmid_ds of docs/abi.md: 80 bytes. */
struct shmid_ds {
    struct ipc_perm shm_perm;     /* @0 */
    unsigned long long shm_segsz; /* @32: size in bytes */
    time_t shm_atime;             /* @40: last attach */
    time_t shm_dtime;             /* @48: last detach */
    time_t shm_ctime;             /* @56: last change */
    pid_t shm_cpid;               /* @64: creator */
    pid_t shm_lpid;               /* @68: last shmat/shmdt */
    shmatt_t shm_nattch;          /* @72: attaches */
};

/* shmctl(IPC_INFO): Linux's fields, each 64 bits (abi.md). */
struct shminfo {
    unsigned long long shmmax, shmmin, shmmni, shmseg, shmall;
};

/* shmctl(SHM_INFO): Linux's fields, each 64 bits (abi.md). */
struct shm_info {
    long long used_ids;
    unsigned long long shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};

int shmget(key_t key, size_t size, int shmflg);
/* NULL lets the host choose the pages (never ones malloc owns or will
 * own: docs/abi.md, "C guests"); (void *)-1 on error. */
void *shmat(int shmid, const void *shmaddr, int shmflg);
int shmdt(const void *shmaddr);
/* buf: struct shmid_ds, or struct shminfo / shm_info (cast) for
 * IPC_INFO / SHM_INFO, as on Linux. */
int shmctl(int shmid, int cmd, struct shmid_ds *buf);

#ifdef __cplusplus
}
#endif
#endif
