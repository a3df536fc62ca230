/* The handoff data, the C twin of ../lib/kernel.ts: word j of buffer i is
 * splitmix64(i * (B / 8) + j); the checksum is FNV-1a over the 64-bit words
 * in order, carried from buffer to buffer. */
#ifndef WASI_SYSV_BENCH_KERNEL_H
#define WASI_SYSV_BENCH_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

static inline uint64_t splitmix64(uint64_t z)
{
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Not inlined, like the wasm guest's (which calls it through a function
 * value so that V8 can tier it up between buffers). */
__attribute__((noinline)) static uint64_t fill_buffer(uint64_t *p, uint64_t i, size_t words, uint64_t h)
{
    uint64_t z = i * (uint64_t)words;
    for (uint64_t *end = p + words; p < end; p++) {
        uint64_t w = splitmix64(z++);
        *p = w;
        h = (h ^ w) * FNV_PRIME;
    }
    return h;
}

__attribute__((noinline)) static uint64_t sum_buffer(const uint64_t *p, size_t words, uint64_t h)
{
    for (const uint64_t *end = p + words; p < end; p++)
        h = (h ^ *p) * FNV_PRIME;
    return h;
}

/* The transfer-bound handoffs (touch-*), twin of ../lib/kernel.ts: one
 * stamp per 4 KiB page, stamp of page k of buffer i = splitmix64(i * pages
 * + k); the checksum is FNV-1a over the stamps. */
#define STAMP_PAGE 4096

__attribute__((noinline)) static uint64_t stamp_buffer(unsigned char *p, uint64_t i, size_t pages, uint64_t h)
{
    uint64_t z = i * (uint64_t)pages;
    for (size_t k = 0; k < pages; k++, p += STAMP_PAGE) {
        uint64_t w = splitmix64(z++);
        *(volatile uint64_t *)p = w;
        h = (h ^ w) * FNV_PRIME;
    }
    return h;
}

/* Checks the stamps of buffer i; returns the checksum over the stamps read.
 * On the first wrong stamp it stops and sets *bad to that page and *got to
 * what it held (else *bad = -1). */
__attribute__((noinline)) static uint64_t check_buffer(const unsigned char *p, uint64_t i, size_t pages, uint64_t h,
                                                       long long *bad, uint64_t *got)
{
    uint64_t z = i * (uint64_t)pages;
    *bad = -1;
    for (size_t k = 0; k < pages; k++, p += STAMP_PAGE) {
        uint64_t w = *(const volatile uint64_t *)p;
        if (w != splitmix64(z + k)) {
            *bad = (long long)k;
            *got = w;
            return h;
        }
        h = (h ^ w) * FNV_PRIME;
    }
    return h;
}

#endif
