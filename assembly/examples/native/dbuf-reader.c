/* Double-buffer reader, the native twin of dbuf-reader.wasm (see dbuf.h).
 * Usage: dbuf-reader [--key K] [--size BYTES] [--count N] */
#include "dbuf.h"

static const char *USAGE = "dbuf-reader [--key K] [--size BYTES] [--count N]";
#define WAIT_MS 5000 /* for the writer to create the objects */

/* semget/shmget(key, 0, 0), retried while the key does not exist yet. */
static int open_waiting(int is_sem, key_t key)
{
    double deadline = now_ms() + WAIT_MS;
    for (;;) {
        int id = is_sem ? semget(key, 0, 0) : shmget(key, 0, 0);
        if (id != -1 || errno != ENOENT || now_ms() >= deadline)
            return id;
        sleep_ms(20);
    }
}

int main(int argc, char **argv)
{
    struct dbuf_args a = dbuf_parse(argc, argv, USAGE);
    size_t B = a.size, words = B / 8;

    int shmid = open_waiting(0, a.key);
    if (shmid == -1)
        die("shmget");
    int semid = open_waiting(1, a.key);
    if (semid == -1)
        die("semget");
    struct shmid_ds ds;
    if (shmctl(shmid, IPC_STAT, &ds) == -1)
        die("shmctl(IPC_STAT)");
    if (ds.shm_segsz < 2 * B) {
        fprintf(stderr, "segment is smaller than 2*size\n");
        return 1;
    }
    const unsigned char *mem = shmat(shmid, NULL, SHM_RDONLY);
    if (mem == (void *)-1)
        die("shmat");

    uint64_t h = FNV_OFFSET;
    /* Timed from the first P to the last V, as the wasm reader does. */
    double t0 = now_ms();
    for (long long i = 0; i < a.count; i++) {
        sem_add(semid, S2, -1);
        const uint64_t *buf = (const uint64_t *)(mem + (size_t)(i & 1) * B);
        for (size_t j = 0; j < words; j++)
            h = (h ^ buf[j]) * FNV_PRIME;
        sem_add(semid, S1, 1);
    }
    double t1 = now_ms();
    if (shmdt(mem) == -1)
        die("shmdt");
    print_result(h, a.count, B);
    double secs = (t1 - t0) / 1000;
    printf("MB/s=%.1f\n", secs > 0 ? (double)a.count * B / 1e6 / secs : 0.0);
    return 0;
}
