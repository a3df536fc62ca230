/* The native side of the benchmark (wasi-sysv bench), the C twin of
 * ../bench.ts: the same modes, arguments, calls and output lines. Each mode
 * times its own loop with clock_gettime(CLOCK_MONOTONIC), so process
 * start-up is not in the figures.
 *
 *   semop  --iters N --warm W --batch K            P then V on a private semaphore
 *   shmat  --iters N --warm W --batch K --size B   attach + detach a segment
 *   writer --shmid S --semid M --size B --count N  double-buffer writer
 *   reader --shmid S --semid M --size B --count N --warm W   ... reader
 *   copy-writer / copy-reader: the same, but the buffer is private memory
 *          and each handoff copies it to or from the segment (the copying
 *          baseline in C, for reference).
 *   touch-writer / touch-reader: the same double buffer, transfer-bound: the
 *          writer stamps each 4 KiB page, the reader checks each stamp
 *          (kernel.h) and fails on the first wrong one.
 *   shmat-host --iters N --warm W --batch K --size B: the host's system calls
 *          for a guest's shmat + shmdt, in C: IPC_STAT, shmat(SHM_REMAP) at a
 *          fixed address, mmap restore; then each of the three timed alone.
 *   contend --semid S --shmid M --iters N: a contender on the SEM_UNDO mutex
 *          (semaphore 0): ready (V sem 1), wait for the gate (sem 2 to 0),
 *          N critical sections incrementing the u64 at the segment's start,
 *          done (V sem 3).
 *   contend-timer --semid S --shmid M --procs P: waits for P contenders to
 *          be ready, opens the gate, waits for P done; prints the time and
 *          the counter.
 *   launch -- CMD ARGS...: runs CMD (fork, exec, wait4); prints its wall
 *          time, CPU time (user + system) and peak RSS (ru_maxrss) after
 *          CMD's own output.
 *
 * semop and shmat create their object with IPC_PRIVATE, print "ipc sem=ID" /
 * "ipc shm=ID" at once so that the driver can remove it should this process
 * die, and remove it themselves at the end. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "kernel.h"

union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

static int g_argc;
static char **g_argv;

static void fail(const char *what)
{
    fprintf(stderr, "bench native: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(const char *msg)
{
    fprintf(stderr, "bench native: %s\n", msg);
    exit(2);
}

/* The value of --name as a decimal integer; def when absent (-1: required). */
static long long arg(const char *name, long long def)
{
    for (int i = 2; i + 1 < g_argc; i += 2) {
        if (strcmp(g_argv[i], name) != 0)
            continue;
        char *end;
        long long v = strtoll(g_argv[i + 1], &end, 10);
        if (*end || end == g_argv[i + 1])
            usage("bad number");
        return v;
    }
    if (def < 0) {
        fprintf(stderr, "bench native: missing %s\n", name);
        exit(2);
    }
    return def;
}

static double clock_ns(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static double now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* One sembuf per (semaphore, P or V), static like the guest's. */
static struct sembuf SOPS[2][2] = { { { 0, -1, 0 }, { 0, 1, 0 } }, { { 1, -1, 0 }, { 1, 1, 0 } } };
#define S1 0 /* drained buffers */
#define S2 1 /* full buffers */

static void P(int semid, int num)
{
    while (semop(semid, &SOPS[num][0], 1) == -1)
        if (errno != EINTR)
            fail("semop P");
}

static void V(int semid, int num)
{
    while (semop(semid, &SOPS[num][1], 1) == -1)
        if (errno != EINTR)
            fail("semop V");
}

__attribute__((noinline)) static void sem_pairs(int id, int n)
{
    struct sembuf *p = &SOPS[0][0], *v = &SOPS[0][1];
    for (int k = 0; k < n; k++) {
        if (semop(id, p, 1) == -1)
            fail("semop P");
        if (semop(id, v, 1) == -1)
            fail("semop V");
    }
}

__attribute__((noinline)) static void shm_pairs(int id, int n)
{
    for (int k = 0; k < n; k++) {
        void *a = shmat(id, NULL, 0);
        if (a == (void *)-1)
            fail("shmat");
        if (shmdt(a) == -1)
            fail("shmdt");
    }
}

/* Prints the wall-clock ns per op (the figure) and the process CPU ns per op
 * (robust against other load on the machine), as the guest does. */
static void timed(void (*run)(int, int), int id, long long iters, long long warm, long long batch)
{
    for (long long done = 0; done < warm; done += batch)
        run(id, (int)(warm - done < batch ? warm - done : batch));
    double c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    double t0 = now_ns();
    for (long long done = 0; done < iters; done += batch)
        run(id, (int)(iters - done < batch ? iters - done : batch));
    double t1 = now_ns();
    double c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
    printf("ns_per_op=%.6f cpu_ns_per_op=%.6f\n", (t1 - t0) / (double)iters, (c1 - c0) / (double)iters);
}

static void print_ns(double ns)
{
    printf("ns_per_op=%.6f\n", ns);
}

static void semop_mode(void)
{
    long long iters = arg("--iters", -1), warm = arg("--warm", 0), batch = arg("--batch", 1000);
    int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
    if (id == -1)
        fail("semget");
    printf("ipc sem=%d\n", id);
    fflush(stdout);
    if (semctl(id, 0, SETVAL, (union semun){ .val = 1 }) == -1)
        fail("semctl(SETVAL)");
    timed(sem_pairs, id, iters, warm, batch);
    if (semctl(id, 0, IPC_RMID) == -1)
        fail("semctl(IPC_RMID)");
}

static void shmat_mode(void)
{
    long long iters = arg("--iters", -1), warm = arg("--warm", 0), batch = arg("--batch", 1000);
    long long size = arg("--size", 65536);
    int id = shmget(IPC_PRIVATE, (size_t)size, IPC_CREAT | 0600);
    if (id == -1)
        fail("shmget");
    printf("ipc shm=%d\n", id);
    fflush(stdout);
    timed(shm_pairs, id, iters, warm, batch);
    if (shmctl(id, IPC_RMID, NULL) == -1)
        fail("shmctl(IPC_RMID)");
}

struct handoff {
    int shmid, semid;
    size_t size, words;
    long long count, warm;
};

static struct handoff handoff_args(int reader)
{
    struct handoff a;
    a.shmid = (int)arg("--shmid", -1);
    a.semid = (int)arg("--semid", -1);
    a.size = (size_t)arg("--size", -1);
    a.words = a.size / 8;
    a.count = arg("--count", -1);
    a.warm = reader ? arg("--warm", 0) : 0;
    if (reader && a.warm >= a.count)
        usage("--warm must be below --count");
    return a;
}

static void print_checksum(uint64_t h, long long count)
{
    printf("checksum=%016llx buffers=%lld\n", (unsigned long long)h, count);
}

static void touch_writer_mode(void)
{
    struct handoff a = handoff_args(0);
    if (a.size % STAMP_PAGE)
        usage("--size must be a multiple of 4096");
    unsigned char *base = shmat(a.shmid, NULL, 0);
    if (base == (void *)-1)
        fail("shmat");
    size_t pages = a.size / STAMP_PAGE;
    uint64_t h = FNV_OFFSET;
    for (long long i = 0; i < a.count; i++) {
        if (i >= 2)
            P(a.semid, S1);
        h = stamp_buffer(base + (size_t)(i & 1) * a.size, (uint64_t)i, pages, h);
        V(a.semid, S2);
    }
    if (shmdt(base) == -1)
        fail("shmdt");
    print_checksum(h, a.count);
}

static void touch_reader_mode(void)
{
    struct handoff a = handoff_args(1);
    if (a.size % STAMP_PAGE)
        usage("--size must be a multiple of 4096");
    const unsigned char *base = shmat(a.shmid, NULL, SHM_RDONLY);
    if (base == (void *)-1)
        fail("shmat");
    size_t pages = a.size / STAMP_PAGE;
    uint64_t h = FNV_OFFSET;
    double t0 = 0;
    for (long long i = 0; i < a.count; i++) {
        P(a.semid, S2);
        if (i == a.warm)
            t0 = now_ns();
        long long bad;
        uint64_t got = 0;
        h = check_buffer(base + (size_t)(i & 1) * a.size, (uint64_t)i, pages, h, &bad, &got);
        if (bad >= 0) {
            fprintf(stderr, "bench native: stamp mismatch in buffer %lld, page %lld: expected %016llx, found %016llx\n",
                    i, bad, (unsigned long long)splitmix64((uint64_t)i * pages + (uint64_t)bad), (unsigned long long)got);
            exit(1);
        }
        V(a.semid, S1);
    }
    double t1 = now_ns();
    if (shmdt(base) == -1)
        fail("shmdt");
    print_checksum(h, a.count);
    print_ns((t1 - t0) / (double)(a.count - a.warm));
}

static void writer_mode(int copying)
{
    struct handoff a = handoff_args(0);
    unsigned char *base = shmat(a.shmid, NULL, 0);
    if (base == (void *)-1)
        fail("shmat");
    uint64_t *local = copying ? aligned_alloc(4096, a.size) : NULL;
    if (copying && !local)
        fail("aligned_alloc");
    uint64_t h = FNV_OFFSET;
    for (long long i = 0; i < a.count; i++) {
        unsigned char *buf = base + (size_t)(i & 1) * a.size;
        if (copying) {
            h = fill_buffer(local, (uint64_t)i, a.words, h);
            if (i >= 2)
                P(a.semid, S1);
            memcpy(buf, local, a.size);
        } else {
            if (i >= 2)
                P(a.semid, S1);
            h = fill_buffer((uint64_t *)buf, (uint64_t)i, a.words, h);
        }
        V(a.semid, S2);
    }
    if (shmdt(base) == -1)
        fail("shmdt");
    free(local);
    print_checksum(h, a.count);
}

static void reader_mode(int copying)
{
    struct handoff a = handoff_args(1);
    const unsigned char *base = shmat(a.shmid, NULL, SHM_RDONLY);
    if (base == (void *)-1)
        fail("shmat");
    uint64_t *local = copying ? aligned_alloc(4096, a.size) : NULL;
    if (copying && !local)
        fail("aligned_alloc");
    uint64_t h = FNV_OFFSET;
    double t0 = 0;
    for (long long i = 0; i < a.count; i++) {
        const unsigned char *buf = base + (size_t)(i & 1) * a.size;
        P(a.semid, S2);
        if (i == a.warm)
            t0 = now_ns();
        if (copying) {
            memcpy(local, buf, a.size);
            V(a.semid, S1);
            h = sum_buffer(local, a.words, h);
        } else {
            h = sum_buffer((const uint64_t *)buf, a.words, h);
            V(a.semid, S1);
        }
    }
    double t1 = now_ns();
    if (shmdt(base) == -1)
        fail("shmdt");
    free(local);
    print_checksum(h, a.count);
    print_ns((t1 - t0) / (double)(a.count - a.warm));
}

/* ---- shmat-host: the host's system calls for shmat + shmdt ------------- */
static unsigned char *g_window;
static size_t g_window_len;

static void host_attach(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) == -1)
        fail("shmctl(IPC_STAT)");
    if (shmat(id, g_window, SHM_REMAP) != g_window)
        fail("shmat(SHM_REMAP)");
}

static void host_restore(void)
{
    if (mmap(g_window, g_window_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != g_window)
        fail("mmap restore");
}

__attribute__((noinline)) static void host_pairs(int id, int n)
{
    for (int k = 0; k < n; k++) {
        host_attach(id);
        host_restore();
    }
}

static void shmat_host_mode(void)
{
    long long iters = arg("--iters", -1), warm = arg("--warm", 0), batch = arg("--batch", 1000);
    long long size = arg("--size", 65536);
    g_window_len = ((size_t)size + 4095) & ~(size_t)4095;
    g_window = mmap(NULL, g_window_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (g_window == MAP_FAILED)
        fail("mmap");
    int id = shmget(IPC_PRIVATE, (size_t)size, IPC_CREAT | 0600);
    if (id == -1)
        fail("shmget");
    printf("ipc shm=%d\n", id);
    fflush(stdout);
    timed(host_pairs, id, iters, warm, batch);
    /* Each call alone, clock read around it (the clock's own cost, tens of
     * ns, is in each part). */
    double stat = 0, attach = 0, restore = 0;
    for (long long k = 0; k < iters; k++) {
        struct shmid_ds ds;
        double t0 = now_ns();
        if (shmctl(id, IPC_STAT, &ds) == -1)
            fail("shmctl(IPC_STAT)");
        double t1 = now_ns();
        if (shmat(id, g_window, SHM_REMAP) != g_window)
            fail("shmat(SHM_REMAP)");
        double t2 = now_ns();
        host_restore();
        double t3 = now_ns();
        stat += t1 - t0;
        attach += t2 - t1;
        restore += t3 - t2;
    }
    printf("stat_ns=%.3f attach_ns=%.3f restore_ns=%.3f\n", stat / (double)iters, attach / (double)iters,
           restore / (double)iters);
    if (shmctl(id, IPC_RMID, NULL) == -1)
        fail("shmctl(IPC_RMID)");
}

/* ---- contention on one SEM_UNDO mutex ----------------------------------- */
#define C_MUTEX 0
#define C_READY 1
#define C_GATE 2
#define C_DONE 3

static void sem_do(int semid, unsigned short num, short op, short flg, const char *what)
{
    struct sembuf b = { num, op, flg };
    while (semop(semid, &b, 1) == -1)
        if (errno != EINTR)
            fail(what);
}

__attribute__((noinline)) static void critical_sections(int semid, volatile uint64_t *counter, long long n)
{
    for (long long k = 0; k < n; k++) {
        sem_do(semid, C_MUTEX, -1, SEM_UNDO, "semop P(mutex)");
        *counter = *counter + 1;
        sem_do(semid, C_MUTEX, 1, SEM_UNDO, "semop V(mutex)");
    }
}

static void contend_mode(void)
{
    int semid = (int)arg("--semid", -1), shmid = (int)arg("--shmid", -1);
    long long iters = arg("--iters", -1);
    volatile uint64_t *counter = shmat(shmid, NULL, 0);
    if (counter == (void *)-1)
        fail("shmat");
    sem_do(semid, C_READY, 1, 0, "semop V(ready)");
    sem_do(semid, C_GATE, 0, 0, "semop wait(gate)");
    critical_sections(semid, counter, iters);
    if (shmdt((void *)counter) == -1)
        fail("shmdt");
    sem_do(semid, C_DONE, 1, 0, "semop V(done)");
    printf("sections=%lld\n", iters);
}

static void contend_timer_mode(void)
{
    int semid = (int)arg("--semid", -1), shmid = (int)arg("--shmid", -1);
    long long procs = arg("--procs", -1);
    if (procs < 1 || procs > 30000)
        usage("--procs out of range");
    const volatile uint64_t *counter = shmat(shmid, NULL, SHM_RDONLY);
    if (counter == (void *)-1)
        fail("shmat");
    sem_do(semid, C_READY, (short)-procs, 0, "semop wait(ready)");
    double t0 = now_ns();
    sem_do(semid, C_GATE, -1, 0, "semop open(gate)");
    sem_do(semid, C_DONE, (short)-procs, 0, "semop wait(done)");
    double t1 = now_ns();
    printf("elapsed_ns=%.0f count=%llu\n", t1 - t0, (unsigned long long)*counter);
    shmdt((const void *)counter);
}

/* ---- launch: wall time and peak RSS of a command ------------------------ */
static void launch_mode(int argc, char **argv)
{
    int i = 2;
    if (i < argc && !strcmp(argv[i], "--"))
        i++;
    if (i >= argc)
        usage("launch needs a command");
    fflush(stdout);
    double t0 = now_ns();
    pid_t pid = fork();
    if (pid == -1)
        fail("fork");
    if (pid == 0) {
        execv(argv[i], argv + i);
        fprintf(stderr, "bench native: cannot run %s: %s\n", argv[i], strerror(errno));
        _exit(127);
    }
    int st;
    struct rusage ru;
    while (wait4(pid, &st, 0, &ru) == -1)
        if (errno != EINTR)
            fail("wait4");
    double t1 = now_ns();
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        if (WIFEXITED(st))
            fprintf(stderr, "bench native: %s exited with status %d\n", argv[i], WEXITSTATUS(st));
        else
            fprintf(stderr, "bench native: %s killed by signal %d\n", argv[i], WTERMSIG(st));
        exit(1);
    }
    /* CPU time (user + system) is steadier than wall time on a loaded machine. */
    double cpu = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e9 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e3;
    printf("wall_ns=%.0f cpu_ns=%.0f maxrss_kb=%ld\n", t1 - t0, cpu, ru.ru_maxrss);
}

int main(int argc, char **argv)
{
    g_argc = argc;
    g_argv = argv;
    if (argc < 2)
        usage("usage: bench <mode> [--name value...]");
    const char *m = argv[1];
    if (!strcmp(m, "semop"))
        semop_mode();
    else if (!strcmp(m, "shmat"))
        shmat_mode();
    else if (!strcmp(m, "writer"))
        writer_mode(0);
    else if (!strcmp(m, "reader"))
        reader_mode(0);
    else if (!strcmp(m, "copy-writer"))
        writer_mode(1);
    else if (!strcmp(m, "copy-reader"))
        reader_mode(1);
    else if (!strcmp(m, "touch-writer"))
        touch_writer_mode();
    else if (!strcmp(m, "touch-reader"))
        touch_reader_mode();
    else if (!strcmp(m, "shmat-host"))
        shmat_host_mode();
    else if (!strcmp(m, "contend"))
        contend_mode();
    else if (!strcmp(m, "contend-timer"))
        contend_timer_mode();
    else if (!strcmp(m, "launch"))
        launch_mode(argc, argv);
    else
        usage("unknown mode");
    return 0;
}
