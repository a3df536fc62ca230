/* strerror (and so perror) with glibc's texts where musl's differ, so that
 * a guest prints what the same program prints natively on Linux ("shmget:
 * Cannot allocate memory", not "Out of memory"). wasi-sysv cc links with
 * --wrap=strerror; every other errno keeps wasi-libc's text. Part of
 * libwasi-sysv.a. */
#include <errno.h>
#include <string.h>

char *__real_strerror(int e);

char *__wrap_strerror(int e)
{
    switch (e) {
    case ENOMEM: return (char *)"Cannot allocate memory";
    case ERANGE: return (char *)"Numerical result out of range";
    case ECHILD: return (char *)"No child processes";
    case EMFILE: return (char *)"Too many open files";
    case EIO: return (char *)"Input/output error";
    case EDQUOT: return (char *)"Disk quota exceeded";
    case ETIMEDOUT: return (char *)"Connection timed out";
    case EOVERFLOW: return (char *)"Value too large for defined data type";
    case EBUSY: return (char *)"Device or resource busy";
    case ENAMETOOLONG: return (char *)"File name too long";
    case ELOOP: return (char *)"Too many levels of symbolic links";
    case EDEADLK: return (char *)"Resource deadlock avoided";
    case EXDEV: return (char *)"Invalid cross-device link";
    case ENOTTY: return (char *)"Inappropriate ioctl for device";
    case ESPIPE: return (char *)"Illegal seek";
    case EDOM: return (char *)"Numerical argument out of domain";
    default: return __real_strerror(e);
    }
}
