/* Native twin of test/guests/shm-tool.ts: the same commands, for pairing a
 * native process with a guest on one segment. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/shm.h>

static int id = -1;
static char *win[16];
static int nwin;

static void sleep_ms(long ms) { struct timespec t = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&t, 0); }
static long num(const char *s) { return strtol(s, 0, 0); }
static char *last(void) { if (!nwin) { printf("error no window\n"); exit(2); } return win[nwin - 1]; }

int main(int argc, char **argv) {
  setvbuf(stdout, 0, _IOLBF, 0);
  for (int i = 1; i < argc;) {
    const char *cmd = argv[i++];
    if (!strcmp(cmd, "create")) { key_t k = num(argv[i++]); size_t n = num(argv[i++]); id = shmget(k, n, IPC_CREAT | 0666); printf("id %d\n", id); if (id < 0) return 1; }
    else if (!strcmp(cmd, "open")) { id = shmget(num(argv[i++]), 0, 0); printf("id %d\n", id); if (id < 0) return 1; }
    else if (!strcmp(cmd, "attach")) {
      int flg = 0;
      if (i < argc && !strcmp(argv[i], "ro")) { flg = SHM_RDONLY; i++; }
      char *a = shmat(id, 0, flg);
      if (a == (char *)-1) { perror("shmat"); return 1; }
      printf("attached\n");
      win[nwin++] = a;
    }
    else if (!strcmp(cmd, "detach")) printf("detach %d\n", shmdt(win[--nwin]));
    else if (!strcmp(cmd, "write")) { long off = num(argv[i++]); uint32_t v = num(argv[i++]); *(volatile uint32_t *)(last() + off) = v; printf("wrote %u\n", v); }
    else if (!strcmp(cmd, "read")) { long off = num(argv[i++]); printf("read %u\n", *(volatile uint32_t *)(last() + off)); }
    else if (!strcmp(cmd, "wait")) {
      long off = num(argv[i++]); uint32_t v = num(argv[i++]);
      for (int n = 0; *(volatile uint32_t *)(last() + off) != v; n++) { if (n > 20000) { printf("error timeout\n"); return 2; } sleep_ms(1); }
      printf("saw %u\n", v);
    }
    else if (!strcmp(cmd, "nattch")) { struct shmid_ds ds; int r = shmctl(id, IPC_STAT, &ds); printf("nattch %ld\n", r < 0 ? -1L : (long)ds.shm_nattch); }
    else if (!strcmp(cmd, "sleep")) sleep_ms(num(argv[i++]));
    else if (!strcmp(cmd, "rmid")) printf("rmid %d\n", shmctl(id, IPC_RMID, 0));
    else if (!strcmp(cmd, "print")) printf("%s\n", argv[i++]);
    else { printf("error unknown command %s\n", cmd); return 2; }
  }
  return 0;
}
