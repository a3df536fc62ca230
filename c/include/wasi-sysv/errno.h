/* Errno numbering for C guests of wasi-sysv. The host answers with Linux's
 * errno values (docs/abi.md); the library stores wasi-libc's numbers in
 * errno, so the names of <errno.h>, strerror and perror work. These two
 * convert, for programs that print or compare raw Linux numbers. */
#ifndef WASI_SYSV_ERRNO_H
#define WASI_SYSV_ERRNO_H

#ifdef __cplusplus
extern "C" {
#endif

/* wasi-libc's errno for Linux's errno number e (EIO when WASI has none). */
int wsv_errno_from_linux(int e);
/* Linux's errno number for wasi-libc's errno e (e itself when unknown). */
int wsv_errno_to_linux(int e);

#ifdef __cplusplus
}
#endif
#endif
