/* Prints the kernel's shmid_ds and semid_ds for the given ids, field by
 * field, through glibc: the reference for the host's structure translation. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>

int main(int argc, char **argv) {
  struct shmid_ds s; struct semid_ds m;
  if (argc < 3 || shmctl(atoi(argv[1]), IPC_STAT, &s) || semctl(atoi(argv[2]), 0, IPC_STAT, &m)) return 1;
  printf("shm %d %u %u %u %u %u %u %zu %ld %ld %ld %d %d %lu\n", s.shm_perm.__key, s.shm_perm.uid, s.shm_perm.gid,
         s.shm_perm.cuid, s.shm_perm.cgid, s.shm_perm.mode, s.shm_perm.__seq, s.shm_segsz, (long)s.shm_atime,
         (long)s.shm_dtime, (long)s.shm_ctime, s.shm_cpid, s.shm_lpid, (unsigned long)s.shm_nattch);
  printf("sem %d %u %u %u %u %u %u %ld %ld %lu\n", m.sem_perm.__key, m.sem_perm.uid, m.sem_perm.gid, m.sem_perm.cuid,
         m.sem_perm.cgid, m.sem_perm.mode, m.sem_perm.__seq, (long)m.sem_otime, (long)m.sem_ctime, (unsigned long)m.sem_nsems);
  return 0;
}
