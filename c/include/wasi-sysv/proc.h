/* Child guests for C programs under wasi-sysv: what fork gives a native
 * program, as spawning a module in a new process (the `proc` import,
 * docs/abi.md addition 8). WASI has no fork: a program that forks keeps its
 * shape by spawning its own module with an argument that selects the
 * child's role, and the child opens its segments by key or id itself (it
 * inherits no attachment):
 *
 *     #ifdef __wasi__
 *         pid_t pid = wsv_spawn_self("--child", "--key", keytext, (char *)NULL);
 *     #else
 *         pid_t pid = fork();   // the child runs the --child branch
 *     #endif
 *
 * wait/waitpid and the W* macros are in <sys/wait.h>; getpid() gives the
 * guest's real pid (the one the kernel records for its SysV calls). */
#ifndef WASI_SYSV_PROC_H
#define WASI_SYSV_PROC_H

#include <sys/types.h>
#include <sys/wait.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Starts `module` (NULL or "" = this guest's own module; else a .wasm path
 * relative to this module's directory) as a child process with argv[1..] =
 * args (NULL-terminated; NULL = none). Its pid, or -1 with errno
 * (EAGAIN past --max-procs, EACCES, ENOENT, E2BIG, EINVAL). */
pid_t wsv_spawn(const char *module, const char *const *args);

/* wsv_spawn of this guest's own module; the arguments end with (char *)NULL. */
pid_t wsv_spawn_self(const char *arg, ...);

/* waitpid(pid, status, 0). */
pid_t wsv_wait(pid_t pid, int *status);

#ifdef __cplusplus
}
#endif
#endif
