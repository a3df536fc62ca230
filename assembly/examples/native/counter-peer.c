/* A native peer for the counter guests: attaches the int segment of key 1234
 * (creating it if absent) and increments it N times, one every interval,
 * printing each value. Run it beside counter-show.wasm.
 * Usage: counter-peer [--count N] [--key K] [--interval MS] [--rm] */
#include "common.h"
#include <sys/ipc.h>
#include <sys/shm.h>

static const char *USAGE = "counter-peer [--count N] [--key K] [--interval MS] [--rm]";

int main(int argc, char **argv)
{
    static const char *const known[] = { "--count=", "--key=", "--interval=", "--rm", NULL };
    args_check(argc, argv, known, USAGE);
    long long count = arg_int(argc, argv, "--count", 10, USAGE);
    key_t key = (key_t)arg_int(argc, argv, "--key", 1234, USAGE);
    long long interval = arg_int(argc, argv, "--interval", 1000, USAGE);
    int rm = arg_flag(argc, argv, "--rm");

    int shmid = shmget(key, sizeof(int), 0666 | IPC_CREAT);
    if (shmid == -1)
        die("shmget");
    volatile int *num = shmat(shmid, NULL, 0);
    if (num == (void *)-1)
        die("shmat");
    for (long long i = 0; i < count; i++) {
        if (i > 0)
            sleep_ms(interval);
        int v = *num + 1; /* not atomic, as in native/counter.c: one incrementer */
        *num = v;
        printf("peer -> %d\n", v);
        fflush(stdout);
    }
    if (shmdt((void *)num) == -1)
        die("shmdt");
    if (rm && shmctl(shmid, IPC_RMID, NULL) == -1)
        die("shmctl(IPC_RMID)");
    return 0;
}
