/* lab-exec: runs one process of a lab under its per-process CPU limit and
 * reports how it ended with its resource usage, which Node's child_process
 * cannot give (no wait4/rusage).
 *
 *   lab-exec CPU_SECONDS PROGRAM [ARGS...]
 *
 * CPU_SECONDS 0 means no limit. The program gets RLIMIT_CPU (soft CPU_SECONDS,
 * hard one more: SIGXCPU, then SIGKILL) and PR_SET_PDEATHSIG SIGKILL, so it
 * dies with this wrapper even when the wrapper is SIGKILLed. On SIGTERM,
 * SIGINT or SIGHUP the wrapper SIGKILLs the program and still reports.
 * The report on fd 3 is "pid PID" once the program runs, then one line:
 *   exit CODE UTIME_US STIME_US      or      signal SIGNO UTIME_US STIME_US
 * or "error MESSAGE" when the program cannot be started (then exit 127). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile pid_t child = 0;

static void stop(int sig) {
  (void)sig;
  if (child > 0) kill(child, SIGKILL);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: lab-exec CPU_SECONDS PROGRAM [ARGS...]\n");
    return 2;
  }
  long cpu = strtol(argv[1], NULL, 10);
  FILE *report = fdopen(3, "w");
  if (!report) report = stderr;
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = stop;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);
  int gate[2];
  if (pipe2(gate, O_CLOEXEC) != 0) { fprintf(report, "error pipe: %s\n", strerror(errno)); return 127; }
  pid_t pid = fork();
  if (pid < 0) { fprintf(report, "error fork: %s\n", strerror(errno)); return 127; }
  if (pid == 0) {
    close(gate[0]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    /* No core files in the lab's directory (SIGXCPU dumps core). */
    struct rlimit none = { 0, 0 };
    setrlimit(RLIMIT_CORE, &none);
    if (cpu > 0) {
      struct rlimit rl = { (rlim_t)cpu, (rlim_t)cpu + 1 };
      setrlimit(RLIMIT_CPU, &rl);
    }
    close(3);
    execv(argv[2], argv + 2);
    int e = errno;
    if (write(gate[1], &e, sizeof e) < 0) {}
    _exit(127);
  }
  child = pid;
  close(gate[1]);
  fprintf(report, "pid %d\n", (int)pid);
  fflush(report);
  int e = 0;
  ssize_t n = read(gate[0], &e, sizeof e);
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) { fprintf(report, "error wait4: %s\n", strerror(errno)); return 127; }
  }
  if (n == (ssize_t)sizeof e) { fprintf(report, "error cannot run %s: %s\n", argv[2], strerror(e)); fflush(report); return 127; }
  long long ut = (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec;
  long long st = (long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
  if (WIFSIGNALED(status)) fprintf(report, "signal %d %lld %lld\n", WTERMSIG(status), ut, st);
  else fprintf(report, "exit %d %lld %lld\n", WEXITSTATUS(status), ut, st);
  fflush(report);
  return 0;
}
