/* The counter lab's worker (labs/counter/guest/worker.ts) as a plain SysV C
 * program: waits at the start barrier (sem 1), then increments the shared
 * counter (key 0x1ab0) N times inside the mutex (sem 0).
 * Usage: lab-worker INDEX N */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

static void op(int semid, unsigned short num, short delta)
{
    struct sembuf b = { num, delta, 0 };
    if (semop(semid, &b, 1) == -1) { perror("semop"); exit(1); }
}

int main(int argc, char **argv)
{
    const char *index = argc > 1 ? argv[1] : "?";
    int n = argc > 2 ? atoi(argv[2]) : 1000;
    int semid = semget(0x1ab0, 0, 0);
    int shmid = shmget(0x1ab0, 0, 0);
    if (semid == -1 || shmid == -1) { perror("get"); return 1; }
    volatile int *counter = shmat(shmid, NULL, 0);
    if (counter == (void *)-1) { perror("shmat"); return 1; }
    op(semid, 1, -1);
    op(semid, 1, 0); /* everybody starts together */
    for (int i = 0; i < n; i++) {
        op(semid, 0, -1);
        *counter = *counter + 1;
        op(semid, 0, 1);
    }
    shmdt((void *)counter);
    printf("worker %s done\n", index);
    return 0;
}
