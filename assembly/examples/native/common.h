/* Helpers shared by the native examples (header-only, C99 + POSIX). */
#ifndef WASI_SYSV_EXAMPLES_COMMON_H
#define WASI_SYSV_EXAMPLES_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* glibc leaves union semun to the program. */
union semun {
    int val;
    struct semid_ds *buf;
    unsigned short *array;
};

/* One line on stderr, exit status 1. */
static inline void die(const char *what)
{
    fprintf(stderr, "%s: %s\n", what, strerror(errno));
    exit(1);
}

static inline void usage_error(const char *msg, const char *usage)
{
    fprintf(stderr, "%s (usage: %s)\n", msg, usage);
    exit(1);
}

/* strtoll(s, 0, 0) plus an optional K or M suffix, as the wasm examples parse. */
static inline long long parse_num(const char *s, const char *usage)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 0);
    if (end == s || errno)
        usage_error("bad number", usage);
    if (*end == 'k' || *end == 'K') { v <<= 10; end++; }
    else if (*end == 'm' || *end == 'M') { v <<= 20; end++; }
    if (*end)
        usage_error("bad number", usage);
    return v;
}

/* Value of `--name value` in argv, or def; every argument must be known. */
static inline long long arg_int(int argc, char **argv, const char *name, long long def, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], name) == 0) {
            if (i + 1 >= argc)
                usage_error("option needs a value", usage);
            return parse_num(argv[i + 1], usage);
        }
    }
    return def;
}

static inline int arg_flag(int argc, char **argv, const char *name)
{
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

/* Fails on any argument that is not one of `known` (NULL-terminated;
 * names ending in '=' take a value, e.g. "--key="). */
static inline void args_check(int argc, char **argv, const char *const *known, const char *usage)
{
    for (int i = 1; i < argc; i++) {
        int ok = 0;
        for (const char *const *k = known; *k; k++) {
            size_t n = strlen(*k);
            int takes = (*k)[n - 1] == '=';
            if (strncmp(argv[i], *k, n - takes) == 0 && argv[i][n - takes] == '\0') {
                ok = 1;
                i += takes;
                break;
            }
        }
        if (!ok) {
            fprintf(stderr, "unknown argument: %s (usage: %s)\n", argv[i], usage);
            exit(1);
        }
    }
}

static inline double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static inline void sleep_ms(long long ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

#endif
