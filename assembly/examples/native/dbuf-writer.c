/* Double-buffer writer, the native twin of dbuf-writer.wasm (see dbuf.h).
 * Usage: dbuf-writer [--key K] [--size BYTES] [--count N] */
#include "dbuf.h"

static const char *USAGE = "dbuf-writer [--key K] [--size BYTES] [--count N]";

/* Opens the object of `key`, creating it if needed; *created says which. */
static int get_or_create(int is_sem, key_t key, size_t n, int *created)
{
    for (;;) {
        int id = is_sem ? semget(key, (int)n, IPC_CREAT | IPC_EXCL | 0600)
                        : shmget(key, n, IPC_CREAT | IPC_EXCL | 0600);
        if (id != -1) {
            *created = 1;
            return id;
        }
        if (errno != EEXIST)
            return -1;
        id = is_sem ? semget(key, (int)n, 0600) : shmget(key, n, 0600);
        if (id != -1 || errno != ENOENT) {
            *created = 0;
            return id;
        }
    }
}

int main(int argc, char **argv)
{
    struct dbuf_args a = dbuf_parse(argc, argv, USAGE);
    size_t B = a.size, words = B / 8;
    int created;

    int shmid = get_or_create(0, a.key, 2 * B, &created);
    if (shmid == -1)
        die("shmget");
    int semid = get_or_create(1, a.key, 2, &created);
    if (semid == -1)
        die("semget");
    if (created) {
        unsigned short zero[2] = { 0, 0 };
        if (semctl(semid, 0, SETALL, (union semun){ .array = zero }) == -1)
            die("semctl(SETALL)");
    }
    unsigned char *mem = shmat(shmid, NULL, 0);
    if (mem == (void *)-1)
        die("shmat");

    uint64_t h = FNV_OFFSET;
    for (long long i = 0; i < a.count; i++) {
        if (i >= 2)
            sem_add(semid, S1, -1);
        uint64_t *buf = (uint64_t *)(mem + (size_t)(i & 1) * B);
        uint64_t z = (uint64_t)i * words;
        for (size_t j = 0; j < words; j++) {
            uint64_t w = splitmix64(z + j);
            buf[j] = w;
            h = (h ^ w) * FNV_PRIME;
        }
        sem_add(semid, S2, 1);
    }
    if (shmdt(mem) == -1)
        die("shmdt");
    print_result(h, a.count, B);
    return 0;
}
