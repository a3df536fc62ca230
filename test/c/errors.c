/* A plain SysV C program (standard headers only) that runs into the errors
 * a course's programs meet, and prints for each the errno's name, strerror
 * and whether `errno == NAME` holds, plus what IPC_STAT and GETALL report.
 * Built with cc and with wasi-sysv cc it must print the same lines
 * (test/cguests.test.ts). Run it in a fresh IPC namespace: keys 0x7e00.. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/types.h>

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
    struct seminfo *__buf;
};

static const char *name(int e)
{
#define N(x) if (e == x) return #x;
    N(EPERM) N(ENOENT) N(EINTR) N(E2BIG) N(EAGAIN) N(ENOMEM) N(EACCES) N(EFAULT)
    N(EEXIST) N(EINVAL) N(ENFILE) N(EFBIG) N(ENOSPC) N(ERANGE) N(ENOSYS) N(EIDRM)
#undef N
    return "other";
}

/* One line: what was called, and its result or errno. */
static void show(const char *what, long r, int want)
{
    if (r == -1)
        printf("%-44s -1 %s (%s)%s\n", what, name(errno), strerror(errno), errno == want ? "" : " UNEXPECTED");
    else
        printf("%-44s ok%s\n", what, want ? " UNEXPECTED" : "");
}

int main(void)
{
    union semun u;
    struct shmid_ds ds;
    struct semid_ds sds;

    int id = shmget(0x7e01, 10000, IPC_CREAT | IPC_EXCL | 0640);
    show("shmget(new key, IPC_CREAT|IPC_EXCL)", id == -1 ? -1 : 0, 0);
    show("shmget(same key, IPC_CREAT|IPC_EXCL)", shmget(0x7e01, 10000, IPC_CREAT | IPC_EXCL | 0640), EEXIST);
    show("shmget(missing key, 0)", shmget(0x7e02, 4096, 0), ENOENT);
    show("shmget(existing key, bigger size)", shmget(0x7e01, 20000, 0), EINVAL);
    show("shmget(size 0, IPC_CREAT)", shmget(0x7e03, 0, IPC_CREAT | 0600), EINVAL);
    show("shmctl(IPC_STAT, NULL)", shmctl(id, IPC_STAT, NULL), EFAULT);
    show("shmctl(bad id, IPC_STAT)", shmctl(0x7fffffff, IPC_STAT, &ds), EINVAL);
    show("shmat(bad id)", shmat(-1, NULL, 0) == (void *)-1 ? -1 : 0, EINVAL);
    show("shmat(unaligned address)", shmat(id, (void *)4097, 0) == (void *)-1 ? -1 : 0, EINVAL);
    show("shmdt(not a window)", shmdt((void *)(8 * 4096)), EINVAL);

    char *p = shmat(id, NULL, 0);
    show("shmat(NULL)", p == (void *)-1 ? -1 : 0, 0);
    strcpy(p, "hello through the segment");
    char *q = shmat(id, NULL, SHM_RDONLY);
    show("shmat(NULL, SHM_RDONLY)", q == (void *)-1 ? -1 : 0, 0);
    printf("second window reads: %s\n", q);
    show("shmctl(IPC_STAT)", shmctl(id, IPC_STAT, &ds), 0);
    printf("segsz %llu nattch %llu mode %o cpid==lpid %d\n", (unsigned long long)ds.shm_segsz,
           (unsigned long long)ds.shm_nattch, (unsigned)ds.shm_perm.mode & 0777, ds.shm_cpid == ds.shm_lpid);
    show("shmctl(IPC_RMID) while attached", shmctl(id, IPC_RMID, NULL), 0);
    show("shmctl(IPC_STAT) after IPC_RMID", shmctl(id, IPC_STAT, &ds), 0);
    printf("mode has SHM_DEST %d, key now %d\n", (ds.shm_perm.mode & SHM_DEST) != 0, (int)ds.shm_perm.__key);
    show("shmget(removed key, 0)", shmget(0x7e01, 0, 0), ENOENT);
    show("shmdt(first window)", shmdt(p), 0);
    show("shmdt(second window)", shmdt(q), 0);
    show("shmctl(IPC_STAT) after the last detach", shmctl(id, IPC_STAT, &ds), EINVAL);

    int s = semget(0x7e11, 3, IPC_CREAT | IPC_EXCL | 0600);
    show("semget(new key, 3)", s == -1 ? -1 : 0, 0);
    show("semget(same key, IPC_EXCL)", semget(0x7e11, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    show("semget(same key, more semaphores)", semget(0x7e11, 4, 0), EINVAL);
    show("semget(missing key)", semget(0x7e12, 1, 0), ENOENT);
    u.val = 32768;
    show("semctl(SETVAL 32768)", semctl(s, 0, SETVAL, u), ERANGE);
    u.val = 7;
    show("semctl(SETVAL 7)", semctl(s, 1, SETVAL, u), 0);
    unsigned short init[3] = { 1, 2, 3 }, all[3];
    u.array = init;
    show("semctl(SETALL 1 2 3)", semctl(s, 0, SETALL, u), 0);
    u.array = all;
    show("semctl(GETALL)", semctl(s, 0, GETALL, u), 0);
    printf("values %d %d %d, GETVAL(2) %d\n", all[0], all[1], all[2], semctl(s, 2, GETVAL));
    u.buf = &sds;
    show("semctl(IPC_STAT)", semctl(s, 0, IPC_STAT, u), 0);
    printf("nsems %llu mode %o\n", (unsigned long long)sds.sem_nsems, (unsigned)sds.sem_perm.mode & 0777);
    struct sembuf take = { 0, -2, IPC_NOWAIT };
    show("semop(-2 of 1, IPC_NOWAIT)", semop(s, &take, 1), EAGAIN);
    struct sembuf far = { 3, 1, 0 };
    show("semop(semaphore 3 of 3)", semop(s, &far, 1), EFBIG);
    static struct sembuf many[501];
    show("semop(501 operations)", semop(s, many, 501), E2BIG);
    show("semop(NULL, 1)", semop(s, NULL, 1), EFAULT);
    struct timespec ts = { 0, 30 * 1000000 };
    show("semtimedop(-2 of 1, 30 ms)", semtimedop(s, &take, 1, &ts), EAGAIN);
    struct timespec badts = { 0, 1000000000 };
    show("semtimedop(tv_nsec 1e9)", semtimedop(s, &take, 1, &badts), EINVAL);
    struct sembuf give = { 0, 1, SEM_UNDO };
    show("semop(+1, SEM_UNDO)", semop(s, &give, 1), 0);
    printf("GETVAL(0) %d GETNCNT %d GETZCNT %d\n", semctl(s, 0, GETVAL), semctl(s, 0, GETNCNT), semctl(s, 0, GETZCNT));
    show("semctl(bad cmd 99)", semctl(s, 0, 99), EINVAL);
    show("semctl(IPC_RMID)", semctl(s, 0, IPC_RMID), 0);
    show("semop after IPC_RMID", semop(s, &give, 1), EINVAL);
    errno = EIDRM;
    perror("perror says");
    return 0;
}
