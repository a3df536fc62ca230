/* <sys/sem.h> for C guests of wasi-sysv: semget, semop, semtimedop, semctl
 * over the `sysv` imports, with the structures laid out as docs/abi.md says.
 * As on Linux, the program defines union semun itself:
 *     union semun { int val; struct semid_ds *buf; unsigned short *array;
 *                   struct seminfo *__buf; };
 * and passes one as semctl's fourth argument (not a bare int: in wasm a
 * union and an int travel differently through `...`). Errors set errno. */
#ifndef WASI_SYSV_SYS_SEM_H
#define WASI_SYSV_SYS_SEM_H

#include <stddef.h>
#include <sys/ipc.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* semop flag. */
#define SEM_UNDO 0x1000

/* semctl commands. */
#define GETPID  11
#define GETVAL  12
#define GETALL  13
#define GETNCNT 14
#define GETZCNT 15
#define SETVAL  16
#define SETALL  17
#define SEM_STAT     18
#define SEM_INFO     19
#define SEM_STAT_ANY 20

/* As glibc: the program defines union semun. */
#define _SEM_SEMUN_UNDEFINED 1

/* semid_ds of docs/abi.md: 56 bytes (print sem_nsems with %llu). */
struct semid_ds {
    struct ipc_perm sem_perm;     /* @0 */
    time_t sem_otime;             /* @32: last semop */
    time_t sem_ctime;             /* @40: last change */
    unsigned long long sem_nsems; /* @48 */
};

/* sembuf, 6 bytes, the native layout. */
struct sembuf {
    unsigned short sem_num;
    short sem_op;
    short sem_flg;
};

/* semctl(IPC_INFO / SEM_INFO): Linux's fields, each 64 bits (abi.md). */
struct seminfo {
    long long semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem;
};

int semget(key_t key, int nsems, int semflg);
int semop(int semid, struct sembuf *sops, size_t nsops);
/* timeout NULL: no timeout. */
int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout);
int semctl(int semid, int semnum, int cmd, ...);

#ifdef __cplusplus
}
#endif
#endif
