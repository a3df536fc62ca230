/* The double-buffer protocol, identical to assembly/examples/lib/dbuf.ts:
 * one segment of 2 buffers of B bytes (buf k at offset k*B), one set of 2
 * semaphores starting at 0: S1 (index 0) counts drained buffers, S2 (index 1)
 * counts full ones.
 *   writer, i = 0..n-1: if i >= 2 P(S1); fill buf[i%2]; V(S2)
 *   reader, i = 0..n-1: P(S2); checksum buf[i%2]; V(S1)
 * Word j of buffer i = splitmix64(i*(B/8) + j); checksum = FNV-1a over the
 * 64-bit words in order. */
#ifndef WASI_SYSV_EXAMPLES_DBUF_H
#define WASI_SYSV_EXAMPLES_DBUF_H

#include "common.h"
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define DEFAULT_KEY 0x5157
#define DEFAULT_SIZE (1LL << 20)
#define DEFAULT_COUNT 64
#define S1 0
#define S2 1
#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static const char *const DBUF_KNOWN[] = { "--key=", "--size=", "--count=", NULL };

struct dbuf_args {
    key_t key;
    size_t size;
    long long count;
};

static inline struct dbuf_args dbuf_parse(int argc, char **argv, const char *usage)
{
    struct dbuf_args a;
    args_check(argc, argv, DBUF_KNOWN, usage);
    a.key = (key_t)arg_int(argc, argv, "--key", DEFAULT_KEY, usage);
    long long size = arg_int(argc, argv, "--size", DEFAULT_SIZE, usage);
    a.count = arg_int(argc, argv, "--count", DEFAULT_COUNT, usage);
    /* The same limits as the wasm twins, so both accept the same arguments. */
    if (size <= 0 || size % 8)
        usage_error("--size must be a positive multiple of 8", usage);
    if (size > 0x3fffffff)
        usage_error("--size too large", usage);
    if (a.count < 0)
        usage_error("--count must be >= 0", usage);
    a.size = (size_t)size;
    return a;
}

static inline uint64_t splitmix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One semop on one semaphore, retried on EINTR. */
static inline void sem_add(int semid, unsigned short num, short delta)
{
    struct sembuf op = { num, delta, 0 };
    while (semop(semid, &op, 1) == -1)
        if (errno != EINTR)
            die("semop");
}

static inline void print_result(uint64_t h, long long count, size_t size)
{
    printf("checksum=%016llx bytes=%llu buffers=%lld\n", (unsigned long long)h,
           (unsigned long long)count * size, count);
}

#endif
