// The C library's `errno`: set by the wrappers in libc.ts when a call fails,
// never cleared on success (as in C).

export let errno: i32 = 0;

export function getErrno(): i32 {
  return errno;
}

export function setErrno(e: i32): void {
  errno = e;
}

/** glibc's message for `e` (only the numbers abi.md can produce are named). */
export function strerror(e: i32): string {
  switch (e) {
    case 0: return "Success";
    case 1: return "Operation not permitted";
    case 2: return "No such file or directory";
    case 4: return "Interrupted system call";
    case 7: return "Argument list too long";
    case 10: return "No child processes";
    case 11: return "Resource temporarily unavailable";
    case 12: return "Cannot allocate memory";
    case 13: return "Permission denied";
    case 14: return "Bad address";
    case 17: return "File exists";
    case 22: return "Invalid argument";
    case 23: return "Too many open files in system";
    case 27: return "File too large";
    case 28: return "No space left on device";
    case 34: return "Numerical result out of range";
    case 38: return "Function not implemented";
    case 43: return "Identifier removed";
  }
  return "Unknown error " + e.toString();
}

/** "what: <strerror(errno)>", for the friendly layer's exceptions. */
export function errnoMessage(what: string): string {
  return what + ": " + strerror(errno);
}
