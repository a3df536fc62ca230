/* For the labs tests: a native process that waits forever on semaphore 0 of
 * the set with key 0x7a11 (creating it, one semaphore at 0), in a plain
 * semop without a timeout, like a deadlocked philosopher. */
#include <stdio.h>
#include <sys/sem.h>

int main(void) {
  int id = semget(0x7a11, 1, IPC_CREAT | 0600);
  if (id < 0) { perror("semget"); return 1; }
  struct sembuf op = { 0, -1, 0 };
  if (semop(id, &op, 1) < 0) { perror("semop"); return 1; }
  return 0;
}
