/* lab-ipc: prints, as one JSON object, every semaphore set of the calling
 * process's IPC namespace with each semaphore's value, semncnt, semzcnt and
 * sempid (semctl GETVAL/GETNCNT/GETZCNT/GETPID), which /proc/sysvipc/sem
 * does not show, and the set's last semop time (sem_otime, IPC_STAT). The
 * ids come from /proc/sysvipc/sem.
 *   {"sem":[{"key":N,"id":N,"nsems":N,"otime":N,"sems":[{"value":N,"ncnt":N,"zcnt":N,"pid":N}]}]} */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>

int main(void) {
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
  printf("]}\n");
  return 0;
}
