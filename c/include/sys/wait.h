/* <sys/wait.h> for C guests of wasi-sysv: wait and waitpid over the `proc`
 * import (docs/abi.md, addition 8), for children started with wsv_spawn or
 * wsv_spawn_self (<wasi-sysv/proc.h>). The status is Linux's: the W* macros
 * read it as on Linux. */
#ifndef WASI_SYSV_SYS_WAIT_H
#define WASI_SYSV_SYS_WAIT_H

#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WNOHANG 1

#define WEXITSTATUS(s) (((s) & 0xff00) >> 8)
#define WTERMSIG(s)    ((s) & 0x7f)
#define WSTOPSIG(s)    WEXITSTATUS(s)
#define WIFEXITED(s)   (!WTERMSIG(s))
#define WIFSTOPPED(s)  ((short)((((s) & 0xffff) * 0x10001) >> 8) > 0x7f00)
#define WIFSIGNALED(s) (((s) & 0xffff) - 1U < 0xffu)

/* pid -1: any child; pid > 0: that child. options: 0 or WNOHANG. */
pid_t waitpid(pid_t pid, int *status, int options);
pid_t wait(int *status);

#ifdef __cplusplus
}
#endif
#endif
