/* A counter in a shared int, the classic fork example done correctly: the
 * parent creates the int segment of key 1234 and forks; the child increments it every second, the parent
 * prints it every second. Both stop after N rounds, detach, and the parent
 * removes the segment if it created it.
 *
 * One source for both worlds: `cc` builds the native program, which forks;
 * `wasi-sysv cc` builds a guest, which has no fork and instead spawns its
 * own module with --child (<wasi-sysv/proc.h>, docs/abi.md). That child
 * inherits no attachment: it opens the segment by key itself.
 * Usage: counter [--count N] [--key K] [--interval MS] */
#include "common.h"
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __wasi__
#include <wasi-sysv/proc.h>
#endif

static const char *USAGE = "counter [--count N] [--key K] [--interval MS]";

static int run_child(volatile int *num, long long count, long long interval)
{
    for (long long i = 0; i < count; i++) {
        *num = *num + 1;
        printf("child %d\n", *num);
        fflush(stdout);
        sleep_ms(interval);
    }
    if (shmdt((void *)num) == -1)
        die("shmdt");
    return 0;
}

int main(int argc, char **argv)
{
    /* --child: the spawned child's role (the wasm build only). */
    static const char *const known[] = { "--count=", "--key=", "--interval=", "--child", NULL };
    args_check(argc, argv, known, USAGE);
    long long count = arg_int(argc, argv, "--count", 10, USAGE);
    key_t key = (key_t)arg_int(argc, argv, "--key", 1234, USAGE);
    long long interval = arg_int(argc, argv, "--interval", 1000, USAGE);

    if (arg_flag(argc, argv, "--child")) {
        int shmid = shmget(key, 0, 0);
        if (shmid == -1)
            die("shmget");
        volatile int *num = shmat(shmid, NULL, 0);
        if (num == (void *)-1)
            die("shmat");
        return run_child(num, count, interval);
    }

    int created = 1;
    int shmid = shmget(key, sizeof(int), 0666 | IPC_CREAT | IPC_EXCL);
    if (shmid == -1 && errno == EEXIST) {
        created = 0;
        shmid = shmget(key, sizeof(int), 0666);
    }
    if (shmid == -1)
        die("shmget");
    /* Attach before fork: the child inherits the attachment (re-attaching
     * in the child with IPC_CREAT passed as shmat flags would be wrong). */
    volatile int *num = shmat(shmid, NULL, 0);
    if (num == (void *)-1)
        die("shmat");
    *num = 1;
    fflush(stdout); /* or buffered output would be printed twice */

#ifdef __wasi__
    char k[24], c[24], iv[24];
    snprintf(k, sizeof k, "%d", (int)key);
    snprintf(c, sizeof c, "%lld", count);
    snprintf(iv, sizeof iv, "%lld", interval);
    pid_t pid = wsv_spawn_self("--child", "--key", k, "--count", c, "--interval", iv, (char *)NULL);
    if (pid == -1)
        die("spawn");
#else
    pid_t pid = fork();
    if (pid == -1)
        die("fork");
    if (pid == 0)
        return run_child(num, count, interval);
#endif
    for (long long i = 0; i < count; i++) {
        sleep_ms(interval);
        printf("%d\n", *num);
        fflush(stdout);
    }
    int status;
    if (waitpid(pid, &status, 0) == -1)
        die("waitpid");
    printf("final %d\n", *num);
    if (shmdt((void *)num) == -1)
        die("shmdt");
    if (created && shmctl(shmid, IPC_RMID, NULL) == -1)
        die("shmctl(IPC_RMID)");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
