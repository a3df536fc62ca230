// A deliberately broken libc for the native interpreter, used by
// test/matrix.test.ts through `wrap:env LD_PRELOAD=...`: shmget with
// IPC_CREAT|IPC_EXCL on a key that exists fails with EINVAL instead of
// EEXIST (the difference gVisor 20221219 shows), every other call is libc's.
// The matrix must report the wrapped target as differing on the case that
// pins EEXIST, and nowhere else.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>

int shmget(key_t key, size_t size, int flags) {
  static int (*real)(key_t, size_t, int);
  if (!real) real = (int (*)(key_t, size_t, int))dlsym(RTLD_NEXT, "shmget");
  int r = real(key, size, flags);
  if (r < 0 && errno == EEXIST) errno = EINVAL;
  return r;
}
