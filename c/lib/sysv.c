/* The SysV IPC calls of <sys/shm.h>, <sys/sem.h> and <sys/ipc.h> for C
 * guests, over the `sysv` imports of docs/abi.md: each passes its
 * arguments on as they are (the structures already have the ABI's layout)
 * and turns a result in [-4095, -1] into -1 and errno. Part of
 * libwasi-sysv.a (wasi-sysv cc). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <wasi-sysv/errno.h>

#define IMPORT(name) __attribute__((import_module("sysv"), import_name(#name)))

IMPORT(shmget) int32_t __wsv_shmget(int32_t key, int32_t size, int32_t flg);
IMPORT(shmat) int32_t __wsv_shmat(int32_t id, int32_t addr, int32_t flg);
IMPORT(shmdt) int32_t __wsv_shmdt(int32_t addr);
IMPORT(shmctl) int32_t __wsv_shmctl(int32_t id, int32_t cmd, int32_t buf);
IMPORT(semget) int32_t __wsv_semget(int32_t key, int32_t nsems, int32_t flg);
IMPORT(semop) int32_t __wsv_semop(int32_t id, int32_t sops, int32_t nsops);
IMPORT(semtimedop) int32_t __wsv_semtimedop(int32_t id, int32_t sops, int32_t nsops, int32_t timeout);
IMPORT(semctl) int32_t __wsv_semctl(int32_t id, int32_t num, int32_t cmd, int32_t arg);

#define ADDR(p) ((int32_t)(uintptr_t)(p))

/* The ABI's convention: [-4095, -1] is a negated Linux errno. */
static int is_error(int32_t r) { return (uint32_t)r >= (uint32_t)-4095; }

static int result(int32_t r)
{
    if (is_error(r)) {
        errno = wsv_errno_from_linux(-r);
        return -1;
    }
    return r;
}

int shmget(key_t key, size_t size, int shmflg)
{
    return result(__wsv_shmget(key, (int32_t)size, shmflg));
}

void *shmat(int shmid, const void *shmaddr, int shmflg)
{
    int32_t r = __wsv_shmat(shmid, ADDR(shmaddr), shmflg);
    if (is_error(r)) {
        errno = wsv_errno_from_linux(-r);
        return (void *)-1;
    }
    return (void *)(uintptr_t)(uint32_t)r;
}

int shmdt(const void *shmaddr)
{
    return result(__wsv_shmdt(ADDR(shmaddr)));
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
    return result(__wsv_shmctl(shmid, cmd, ADDR(buf)));
}

int semget(key_t key, int nsems, int semflg)
{
    return result(__wsv_semget(key, nsems, semflg));
}

int semop(int semid, struct sembuf *sops, size_t nsops)
{
    return result(__wsv_semop(semid, ADDR(sops), (int32_t)nsops));
}

int semtimedop(int semid, struct sembuf *sops, size_t nsops, const struct timespec *timeout)
{
    if (!timeout)
        return result(__wsv_semtimedop(semid, ADDR(sops), (int32_t)nsops, 0));
    /* wasi-libc's timespec has a 32-bit tv_nsec beside padding that need
     * not be zero; the ABI's has a 64-bit one. Copy it, but let a pointer
     * the host would refuse through as it is, so the error stays the
     * host's (EFAULT in the order Linux checks). */
    if ((uintptr_t)timeout > UINTPTR_MAX - sizeof *timeout
        || (uintptr_t)timeout + sizeof *timeout > __builtin_wasm_memory_size(0) * 65536u)
        return result(__wsv_semtimedop(semid, ADDR(sops), (int32_t)nsops, ADDR(timeout)));
    struct { int64_t sec, nsec; } ts = { timeout->tv_sec, timeout->tv_nsec };
    return result(__wsv_semtimedop(semid, ADDR(sops), (int32_t)nsops, ADDR(&ts)));
}

/* The caller's union semun, as it travels through `...` (a union of one
 * pointer-sized member, the same in every definition a program may use). */
union wsv_semun {
    int val;
    void *ptr;
};

int semctl(int semid, int semnum, int cmd, ...)
{
    int32_t arg = 0;
    va_list ap;
    /* Read the fourth argument only for the commands that take one, as
     * glibc does (the caller may leave it out for the others). */
    switch (cmd & ~IPC_64) {
    case SETVAL: case GETALL: case SETALL: case IPC_STAT: case IPC_SET:
    case IPC_INFO: case SEM_INFO: case SEM_STAT: case SEM_STAT_ANY: {
        va_start(ap, cmd);
        union wsv_semun u = va_arg(ap, union wsv_semun);
        va_end(ap);
        arg = (cmd & ~IPC_64) == SETVAL ? u.val : ADDR(u.ptr);
        break;
    }
    default:
        break;
    }
    return result(__wsv_semctl(semid, semnum, cmd, arg));
}

key_t ftok(const char *path, int id)
{
    struct stat st;
    if (stat(path, &st) == -1)
        return -1;
    return (key_t)((st.st_ino & 0xffff) | ((st.st_dev & 0xff) << 16) | (((unsigned)id & 0xff) << 24));
}
