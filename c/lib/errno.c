/* Linux errno numbers (what the host returns, negated) to wasi-libc's, and
 * back. Part of libwasi-sysv.a (wasi-sysv cc). */
#include <errno.h>
#include <wasi-sysv/errno.h>

static const struct { unsigned char linux_no; unsigned short wasi_no; } MAP[] = {
    {1, EPERM}, {2, ENOENT}, {3, ESRCH}, {4, EINTR}, {5, EIO}, {6, ENXIO}, {7, E2BIG},
    {8, ENOEXEC}, {9, EBADF}, {10, ECHILD}, {11, EAGAIN}, {12, ENOMEM}, {13, EACCES},
    {14, EFAULT}, {16, EBUSY}, {17, EEXIST}, {18, EXDEV}, {19, ENODEV}, {20, ENOTDIR},
    {21, EISDIR}, {22, EINVAL}, {23, ENFILE}, {24, EMFILE}, {25, ENOTTY}, {26, ETXTBSY},
    {27, EFBIG}, {28, ENOSPC}, {29, ESPIPE}, {30, EROFS}, {31, EMLINK}, {32, EPIPE},
    {33, EDOM}, {34, ERANGE}, {35, EDEADLK}, {36, ENAMETOOLONG}, {37, ENOLCK}, {38, ENOSYS},
    {39, ENOTEMPTY}, {40, ELOOP}, {42, ENOMSG}, {43, EIDRM}, {75, EOVERFLOW},
    {110, ETIMEDOUT}, {122, EDQUOT},
};
#define N (sizeof MAP / sizeof MAP[0])

int wsv_errno_from_linux(int e)
{
    for (unsigned i = 0; i < N; i++)
        if (MAP[i].linux_no == e)
            return MAP[i].wasi_no;
    return EIO;
}

int wsv_errno_to_linux(int e)
{
    for (unsigned i = 0; i < N; i++)
        if (MAP[i].wasi_no == e)
            return MAP[i].linux_no;
    return e;
}
