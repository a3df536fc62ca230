/* Host-chosen windows and wasi-libc's malloc never overlap (docs/abi.md,
 * "C guests"): blocks are allocated before, between and after windows,
 * small ones and ones big enough to make malloc grow memory (sbrk ->
 * memory.grow) after a window was placed. Every block is filled with its
 * own byte and every window with its segment's; at the end each block and
 * window still holds its own bytes, no two ranges overlap, and each
 * window's bytes are in the kernel segment (a second attach sees them).
 * Prints one line per check that fails and "malloc-windows ok N M" (blocks,
 * windows) when all hold. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#define MAXB 64
#define MAXW 16

static struct { unsigned char *p; size_t n; int fill; } blocks[MAXB];
static struct { unsigned char *p; size_t n; int id; int fill; } wins[MAXW];
static int nb, nw, bad;

static void block(size_t n)
{
    unsigned char *p = malloc(n);
    if (!p) { printf("malloc(%zu) failed\n", n); bad++; return; }
    blocks[nb].p = p; blocks[nb].n = n; blocks[nb].fill = 0x11 + nb;
    memset(p, blocks[nb].fill, n);
    nb++;
}

static void window(size_t n)
{
    int id = shmget(IPC_PRIVATE, n, IPC_CREAT | 0600);
    if (id == -1) { perror("shmget"); exit(1); }
    unsigned char *p = shmat(id, NULL, 0);
    if (p == (void *)-1) { perror("shmat"); exit(1); }
    if (shmctl(id, IPC_RMID, NULL) == -1) { perror("shmctl"); exit(1); }
    wins[nw].p = p; wins[nw].n = n; wins[nw].id = id; wins[nw].fill = 0xa1 + nw;
    memset(p, wins[nw].fill, n);
    nw++;
}

static int overlap(uintptr_t a, size_t an, uintptr_t b, size_t bn) { return a < b + bn && b < a + an; }

int main(void)
{
    block(24);
    block(4000);
    window(4096);
    block(100);
    block(300000);          /* beyond the heap's first pages: malloc grows memory */
    window(3 * 65536);
    block(70000);
    window(5000);           /* not a multiple of 4096: the window takes 2 pages */
    for (int i = 0; i < 20; i++) block(1000 + 777 * i);
    block(1 << 20);         /* 1 MiB: grows again, after three windows */
    window(65536);
    block(2 << 20);
    for (int i = 0; i < 20; i++) block(50 + i);
    free(blocks[3].p);      /* freed memory is reused by malloc, never given to windows */
    blocks[3].n = 0;
    window(8192);
    block(200000);
    block(4 << 20);

    for (int i = 0; i < nb; i++)
        for (size_t k = 0; k < blocks[i].n; k++)
            if (blocks[i].p[k] != blocks[i].fill) { printf("block %d byte %zu changed\n", i, k); bad++; break; }
    for (int i = 0; i < nw; i++) {
        for (size_t k = 0; k < wins[i].n; k++)
            if (wins[i].p[k] != wins[i].fill) { printf("window %d byte %zu changed\n", i, k); bad++; break; }
        /* The bytes are the segment's: a second attach of it sees them. */
        unsigned char *q = shmat(wins[i].id, NULL, SHM_RDONLY);
        if (q == (void *)-1) { perror("shmat again"); bad++; continue; }
        if (memcmp(q, wins[i].p, wins[i].n) != 0) { printf("window %d is not its segment\n", i); bad++; }
        shmdt(q);
    }
    for (int i = 0; i < nb; i++)
        for (int j = 0; j < nw; j++)
            if (overlap((uintptr_t)blocks[i].p, blocks[i].n, (uintptr_t)wins[j].p, (wins[j].n + 4095) & ~(size_t)4095)) {
                printf("block %d [%p +%zu] overlaps window %d [%p +%zu]\n", i, (void *)blocks[i].p, blocks[i].n, j, (void *)wins[j].p, wins[j].n);
                bad++;
            }
    for (int i = 0; i < nb; i++)
        for (int j = i + 1; j < nb; j++)
            if (overlap((uintptr_t)blocks[i].p, blocks[i].n, (uintptr_t)blocks[j].p, blocks[j].n)) { printf("blocks %d and %d overlap\n", i, j); bad++; }
    for (int i = 0; i < nw; i++)
        if (shmdt(wins[i].p) == -1) { perror("shmdt"); bad++; }
    if (bad) return 1;
    printf("malloc-windows ok %d %d\n", nb, nw);
    return 0;
}
