/* lab-ipc: prints, as one JSON object, every semaphore set of the calling
 * process's IPC namespace with each semaphore's value, semncnt, semzcnt and
 * sempid (semctl GETVAL/GETNCNT/GETZCNT/GETPID), which /proc/sysvipc/sem
 * does not show, and the set's last semop time (sem_otime, IPC_STAT). The
 * ids come from /proc/sysvipc/sem.
 *   {"sem":[{"key":N,"id":N,"nsems":N,"otime":N,"sems":[{"value":N,"ncnt":N,"zcnt":N,"pid":N}]}]}
 * With arguments `ID OFFSET LENGTH...` (triples; the live view, view/), it
 * also reads each range of each segment ID: attached read-only (SHM_RDONLY),
 * copied, detached. The object gains
 *   "bytes":[{"id":N,"off":N,"len":N,"hex":"00ff..."} or {...,"error":"EACCES"}]
 * with the range cut at the segment's end. (The attach is seen by the
 * segment's shm_lpid and shm_atime/shm_dtime, and by nattch while it lasts.) */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sem.h>
#include <sys/shm.h>

static void bytes(int id, long off, long len) {
  printf("{\"id\":%d,\"off\":%ld,", id, off);
  struct shmid_ds ds;
  if (off < 0 || len < 0 || len > 65536) { printf("\"len\":0,\"error\":\"EINVAL\"}"); return; }
  if (shmctl(id, IPC_STAT, &ds) != 0) { printf("\"len\":0,\"error\":\"%s\"}", strerrorname_np(errno)); return; }
  long size = (long)ds.shm_segsz;
  if (off > size) off = size;
  if (off + len > size) len = size - off;
  const unsigned char *p = shmat(id, NULL, SHM_RDONLY);
  if (p == (void *)-1) { printf("\"len\":0,\"error\":\"%s\"}", strerrorname_np(errno)); return; }
  printf("\"len\":%ld,\"hex\":\"", len);
  for (long i = 0; i < len; i++) printf("%02x", p[off + i]);
  printf("\"}");
  shmdt(p);
}

int main(int argc, char **argv) {
  FILE *f = fopen("/proc/sysvipc/sem", "r");
  if (!f) { perror("/proc/sysvipc/sem"); return 1; }
  char line[512];
  if (!fgets(line, sizeof line, f)) { printf("{\"sem\":[]}\n"); return 0; }
  printf("{\"sem\":[");
  int first = 1;
  while (fgets(line, sizeof line, f)) {
    long long key; int id, perms, nsems;
    if (sscanf(line, "%lld %d %o %d", &key, &id, &perms, &nsems) != 4) continue;
    struct semid_ds ds;
    long long otime = semctl(id, 0, IPC_STAT, &ds) == 0 ? (long long)ds.sem_otime : -1;
    printf("%s{\"key\":%lld,\"id\":%d,\"nsems\":%d,\"otime\":%lld,\"sems\":[", first ? "" : ",", key, id, nsems, otime);
    first = 0;
    for (int i = 0; i < nsems; i++) {
      int v = semctl(id, i, GETVAL), nc = semctl(id, i, GETNCNT), zc = semctl(id, i, GETZCNT), pid = semctl(id, i, GETPID);
      printf("%s{\"value\":%d,\"ncnt\":%d,\"zcnt\":%d,\"pid\":%d}", i ? "," : "", v, nc, zc, pid);
    }
    printf("]}");
  }
  printf("]");
  if (argc > 1) {
    printf(",\"bytes\":[");
    for (int a = 1; a + 2 < argc; a += 3) {
      if (a > 1) printf(",");
      bytes(atoi(argv[a]), strtol(argv[a + 1], NULL, 10), strtol(argv[a + 2], NULL, 10));
    }
    printf("]");
  }
  printf("}\n");
  return 0;
}
