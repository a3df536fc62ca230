/* fork's replacement for C guests: wsv_spawn, wsv_spawn_self, waitpid,
 * wait and getpid over the `proc` import (docs/abi.md, addition 8). Part of
 * libwasi-sysv.a (wasi-sysv cc); a program that calls none of them does
 * not import `proc`. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <wasi-sysv/errno.h>
#include <wasi-sysv/proc.h>

#define IMPORT(name) __attribute__((import_module("proc"), import_name(#name)))

IMPORT(spawn) int32_t __wsv_spawn(int32_t path, int32_t path_len, int32_t args, int32_t args_len);
IMPORT(wait) int32_t __wsv_wait(int32_t pid, int32_t status, int32_t options);
IMPORT(getpid) int32_t __wsv_getpid(void);

#define ADDR(p) ((int32_t)(uintptr_t)(p))

static int result(int32_t r)
{
    if ((uint32_t)r >= (uint32_t)-4095) {
        errno = wsv_errno_from_linux(-r);
        return -1;
    }
    return r;
}

pid_t wsv_spawn(const char *module, const char *const *args)
{
    /* The ABI takes the arguments as one block of NUL-terminated strings. */
    size_t len = 0;
    for (const char *const *a = args; a && *a; a++)
        len += strlen(*a) + 1;
    char *block = len ? malloc(len) : NULL;
    if (len && !block) {
        errno = ENOMEM;
        return -1;
    }
    char *p = block;
    for (const char *const *a = args; a && *a; a++) {
        size_t n = strlen(*a) + 1;
        memcpy(p, *a, n);
        p += n;
    }
    size_t mlen = module ? strlen(module) : 0;
    int r = result(__wsv_spawn(ADDR(module), (int32_t)mlen, ADDR(block), (int32_t)len));
    free(block);
    return r;
}

pid_t wsv_spawn_self(const char *arg, ...)
{
    va_list ap;
    size_t n = 0;
    va_start(ap, arg);
    for (const char *a = arg; a; a = va_arg(ap, const char *))
        n++;
    va_end(ap);
    const char **args = malloc((n + 1) * sizeof *args);
    if (!args) {
        errno = ENOMEM;
        return -1;
    }
    va_start(ap, arg);
    size_t i = 0;
    for (const char *a = arg; a; a = va_arg(ap, const char *))
        args[i++] = a;
    va_end(ap);
    args[i] = NULL;
    pid_t r = wsv_spawn(NULL, args);
    free(args);
    return r;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    return result(__wsv_wait(pid, ADDR(status), options));
}

pid_t wait(int *status)
{
    return waitpid(-1, status, 0);
}

pid_t wsv_wait(pid_t pid, int *status)
{
    return waitpid(pid, status, 0);
}

pid_t getpid(void)
{
    return __wsv_getpid();
}
