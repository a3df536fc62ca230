// Native twin of the fuzz executor: runs a fuzz program (fuzz/gen.ts writes
// it; format in fuzz/README.md) with real libc calls and prints one
// transcript line per call. Its AssemblyScript twin, fuzz/guest/exec.ts, runs
// the same program through the host's `sysv` imports; the driver compares
// the two transcripts line by line. Keep the two in step: every rule that
// turns a program argument into a concrete argument (pointer classes,
// window choice, guards that skip a call) exists in both, in the same words.
//
// Input on stdin: "pid N" (ignored here: getpid() is ours), then one call per
// line, integers separated by spaces.
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

#define PAGE 4096u
#define SCR_SIZE (256u * 1024)
#define AREA_PAGES 64u
#define OOB_SIZE (1024u * 1024)
#define RESERVE (32u * 1024 * 1024)
#define ATTACH_MAX (1024u * 1024)
#define LIVE_MAX_PAGES 1024u
#define MAXIDS 256
#define MAXWIN 64

// The regions every pointer class maps onto (fuzz/README.md, "Pointer classes").
static unsigned char *scr;       // scratch: VALID, UNALIGNED
static unsigned char *area;      // explicit shmat addresses
static unsigned char *oob;       // PROT_NONE: OUT OF BOUNDS
static unsigned char *memEnd;    // a RW page ends here, PROT_NONE follows: STRADDLE
static pid_t self;

typedef struct { unsigned char *start; uint32_t pages; int ro; int clean; int host; } Win;
static Win wins[MAXWIN];
static int nwins;
static int shmids[MAXIDS], nshm, semids[MAXIDS], nsem;

static char *outbuf;
static size_t outlen;
#define OUTCAP (1u << 20)
static void flush(void) { size_t o = 0; while (o < outlen) { ssize_t w = write(1, outbuf + o, outlen - o); if (w <= 0) break; o += (size_t)w; } outlen = 0; }
static void outs(const char *s) { size_t n = strlen(s); if (outlen + n > OUTCAP) flush(); memcpy(outbuf + outlen, s, n); outlen += n; }
static void outu(uint64_t v) { char b[24]; int i = 23; b[i] = 0; do { b[--i] = (char)('0' + v % 10); v /= 10; } while (v); outs(b + i); }
static void outi(int64_t v) { if (v < 0) { outs("-"); outu((uint64_t)0 - (uint64_t)v); } else outu((uint64_t)v); }
static void sp(const char *tag) { outs(" "); outs(tag); }

static void addId(int *list, int *n, int id) {
  for (int i = 0; i < *n; i++) if (list[i] == id) return;
  if (*n == MAXIDS) { memmove(list, list + 1, (MAXIDS - 1) * sizeof(int)); (*n)--; }
  list[(*n)++] = id;
}

static int idRef(int *list, int n, int32_t m, int32_t v) {
  if (m == 1) return v;
  if (n == 0) return -1;
  return list[(uint32_t)v % (uint32_t)n];
}

static uint32_t mix(int32_t r) { return (uint32_t)r * 2654435761u; }

// Window pointer classes pick among clean read-only / writable windows. A
// window that a later explicit attach overlapped ("mixed") is left alone:
// once the overlapping window is detached, its range has a hole that each
// side fills its own way (see fillHoles; the host may place a later window
// there, Linux elsewhere).
static Win *pickWin(int ro, int32_t r) {
  int cnt = 0;
  for (int i = 0; i < nwins; i++) if (wins[i].clean && (ro ? wins[i].ro : !wins[i].ro)) cnt++;
  if (!cnt) return NULL;
  int k = (int)((uint32_t)r % (uint32_t)cnt);
  for (int i = 0; i < nwins; i++) if (wins[i].clean && (ro ? wins[i].ro : !wins[i].ro)) { if (!k--) return &wins[i]; }
  return NULL;
}

enum { P_VALID, P_NULL, P_OOB, P_UNALIGNED, P_ROWIN, P_RWWIN, P_STRADDLE, P_AREA };
static int lastClass; // the class actually used (a window class falls back to VALID)

// need: the fewest bytes the call touches at the pointer in either layout.
static unsigned char *ptrOf(int32_t c, int32_t r, uint32_t need) {
  lastClass = c;
  switch (c) {
    case P_NULL: return NULL;
    case P_OOB: return oob + ((uint32_t)r % (OOB_SIZE - PAGE));
    case P_UNALIGNED: return scr + (((uint32_t)r % 65536u) & ~7u) + 1 + ((uint32_t)r >> 16) % 7;
    case P_STRADDLE: // k in [1, need): partly outside; k < 4096: inside the RW page before memEnd
      if (need > PAGE) need = PAGE;
      return memEnd - (need >= 2 ? 1 + (uint32_t)r % (need - 1) : 1);
    case P_AREA: { // the area: plain memory, or windows attached there, or pages a window left
      uint32_t off = (mix(r) % (AREA_PAGES * PAGE - PAGE + 1)) & ~7u;
      if (off % PAGE > PAGE - 128) off -= 128;
      return area + off;
    }
    case P_ROWIN: case P_RWWIN: {
      Win *w = pickWin(c == P_ROWIN, r);
      if (w) {
        // Aligned to 8, and never within 128 bytes of a page's end: a
        // structure there would touch one page natively (112 bytes) and
        // two... or one in the guest (80 bytes), and shm_rss would differ.
        uint32_t avail = w->pages * PAGE - PAGE;
        uint32_t off = (mix(r) % (avail + 1)) & ~7u;
        if (off % PAGE > PAGE - 128) off -= 128;
        return w->start + off;
      }
      lastClass = P_VALID;
    } // fall through
    default: return scr + (((uint32_t)r % 65536u) & ~7u);
  }
}
static int writableClass(void) { return lastClass == P_VALID || lastClass == P_UNALIGNED || lastClass == P_RWWIN; }
static int readableClass(void) { return writableClass() || lastClass == P_ROWIN || lastClass == P_AREA; }
// A structure written into a window or the area: zero what either layout may have written.
static int scrubClass(void) { return lastClass == P_RWWIN || lastClass == P_AREA; }

static Win *peekWin(int32_t n, int rw);
static void outErr(int e) { outs("E"); outu((uint64_t)e); }
static void outPid(int32_t p) { outs(p == self ? "S" : p == 0 ? "0" : "X"); }
static void outT(int64_t t) { outs(t ? "1" : "0"); }

static uint32_t fnv(const unsigned char *p, uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n; i++) { h ^= p[i]; h *= 16777619u; }
  return h;
}

static void outPerm(const struct ipc_perm *p) {
  sp("k"); outi((int32_t)p->__key); sp("u"); outu(p->uid); sp("g"); outu(p->gid);
  sp("cu"); outu(p->cuid); sp("cg"); outu(p->cgid); sp("m"); outu(p->mode); sp("s"); outu(p->__seq);
}
static void outShmid(const struct shmid_ds *d) {
  outPerm(&d->shm_perm);
  sp("z"); outu(d->shm_segsz); sp("a"); outT(d->shm_atime); sp("d"); outT(d->shm_dtime); sp("c"); outT(d->shm_ctime);
  sp("cp"); outPid(d->shm_cpid); sp("lp"); outPid(d->shm_lpid); sp("n"); outu(d->shm_nattch);
}
static void outSemid(const struct semid_ds *d) {
  outPerm(&d->sem_perm);
  sp("o"); outT(d->sem_otime); sp("c"); outT(d->sem_ctime); sp("n"); outu(d->sem_nsems);
}

// The set's size, also without read permission (SEM_STAT_ANY on its index):
// SETALL needs only alter permission, and the values must be written.
static int nsemsOf(int id) {
  struct semid_ds d; union semun u; u.buf = &d;
  if (semctl(id, 0, IPC_STAT, u) != -1) return (int)d.sem_nsems;
  if (id >= 0 && semctl(id & 0x7fff, 0, SEM_STAT_ANY, u) == id) return (int)d.sem_nsems;
  return 0;
}

/** After a successful shmdt: map zero pages over every hole in the area and in
 *  tracked windows, as the host's shmdt leaves zero pages (docs/abi.md). */
static void fillHoles(void) {
  unsigned char vec;
  for (int i = -1; i < nwins; i++) {
    unsigned char *s = i < 0 ? area : wins[i].start;
    uint32_t pages = i < 0 ? AREA_PAGES : wins[i].pages;
    for (uint32_t p = 0; p < pages; p++) {
      unsigned char *a = s + (size_t)p * PAGE;
      if (mincore(a, PAGE, &vec) == -1 && errno == ENOMEM) {
        if (mmap(a, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != a) { perror("mmap"); exit(70); }
      }
    }
  }
}

static uint32_t leakedPages;
static uint32_t liveHostPages(void) {
  uint32_t n = leakedPages;
  for (int i = 0; i < nwins; i++) if (wins[i].host) n += wins[i].pages;
  return n;
}

static void doShmat(const int32_t *a) {
  int id = idRef(shmids, nshm, a[1], a[2]);
  int32_t cls = a[3], flg = a[6];
  unsigned char *addr = NULL, *lo = NULL; size_t span = 0; int win = -1;
  if (cls == 1) { addr = area + ((uint32_t)a[4] % (AREA_PAGES * PAGE)); lo = area; span = AREA_PAGES * PAGE; }
  else if (cls == 2) {
    Win *t = peekWin(a[4], 0);
    if (!t) { outs("skip"); return; }
    win = (int)(t - wins);
    addr = wins[win].start + ((uint32_t)a[5] % (wins[win].pages * PAGE)); lo = wins[win].start; span = wins[win].pages * PAGE;
  } else if (cls == 3) addr = (unsigned char *)(uintptr_t)(1 + (uint32_t)a[4] % (PAGE - 1));
  if (nwins == MAXWIN) { outs("skip"); return; }
  // Guards (the same in the guest): they skip a call whose outcome would
  // depend on what lies outside the regions both sides share.
  uintptr_t eff = (uintptr_t)addr;
  if ((flg & SHM_RND) && cls != 3) eff &= ~(uintptr_t)(PAGE - 1);
  struct shmid_ds d;
  uint32_t pages = 0;
  if (shmctl(id, IPC_STAT, &d) == 0) {
    pages = (uint32_t)((d.shm_segsz + PAGE - 1) / PAGE);
    if (cls == 0) {
      if (d.shm_segsz > ATTACH_MAX || liveHostPages() + pages > LIVE_MAX_PAGES) { outs("skip"); return; }
    } else if ((cls == 1 || cls == 2) && eff % PAGE == 0) {
      if ((unsigned char *)eff < lo || (unsigned char *)eff + (size_t)pages * PAGE > lo + span) { outs("skip"); return; }
    }
  }
  void *r = shmat(id, addr, flg);
  if (r == (void *)-1) { outErr(errno); return; }
  unsigned char *s = r;
  if (cls == 0) outs((uintptr_t)s % PAGE == 0 && s ? "ok H" : "ok H!");
  else outs(s == (unsigned char *)eff ? "ok X=" : "ok X!");
  if (!pages) pages = 1;
  if (cls != 0) {
    unsigned char *e = s + (size_t)pages * PAGE;
    for (int i = 0; i < nwins; i++) {
      unsigned char *ws = wins[i].start, *we = ws + (size_t)wins[i].pages * PAGE;
      if (s <= ws && we <= e) { memmove(&wins[i], &wins[i + 1], (size_t)(nwins - i - 1) * sizeof(Win)); nwins--; i--; }
      else if (ws < e && s < we) {
        // Partly covered. Outside the area, the window's range then has a
        // hole once the covering window goes, where the host may place a
        // later window (Linux elsewhere), so that a later shmdt at its start
        // could name a different window on each side: forget it (it stays
        // attached; its pages still count against LIVE_MAX_PAGES).
        if (wins[i].host) { leakedPages += wins[i].pages; memmove(&wins[i], &wins[i + 1], (size_t)(nwins - i - 1) * sizeof(Win)); nwins--; i--; }
        else wins[i].clean = 0;
      }
    }
  }
  // "host": outside the area (host-chosen, or explicit inside a host-chosen window).
  wins[nwins++] = (Win){ s, pages, (flg & SHM_RDONLY) != 0, 1, !(s >= area && s < area + AREA_PAGES * PAGE) };
}

static void doShmdt(const int32_t *a) {
  unsigned char *addr;
  switch (a[1]) {
    case 0:
      if (!nwins) { outs("skip"); return; }
      addr = wins[(uint32_t)a[2] % (uint32_t)nwins].start;
      break;
    case 1: { // inside a clean window: unaligned, or a later page of an area window.
      // Not a later page of a host-chosen window: a forgotten window (see
      // doShmat) may have been attached there on one side only.
      Win *w = peekWin(a[2], 0);
      if (!w) { outs("skip"); return; }
      uint32_t d = (uint32_t)a[3];
      addr = w->start + ((d & 1) || w->pages < 2 || w->host ? 1 + d % (PAGE - 1) : PAGE * (1 + d % (w->pages - 1)));
      break;
    }
    case 2: addr = NULL; break;
    case 3: addr = area + ((uint32_t)a[2] % (AREA_PAGES * PAGE)); break;
    case 4: addr = oob + ((uint32_t)a[2] % (OOB_SIZE - PAGE)); break;
    default: addr = (unsigned char *)(uintptr_t)(uint32_t)a[2]; break;
  }
  if (shmdt(addr) == -1) { outErr(errno); return; }
  outs("ok");
  for (int i = nwins - 1; i >= 0; i--) if (wins[i].start == addr) { memmove(&wins[i], &wins[i + 1], (size_t)(nwins - i - 1) * sizeof(Win)); nwins--; break; }
  fillHoles();
}

static void setPerm(unsigned char *p, const int32_t *a) {
  // uid, gid, mode: the same offsets (4, 8, 20) in the guest and native ipc_perm.
  memcpy(p + 4, &a[0], 4); memcpy(p + 8, &a[1], 4); memcpy(p + 20, &a[2], 4);
}

static void doShmctl(const int32_t *a) {
  int id = idRef(shmids, nshm, a[1], a[2]);
  int32_t cmd = a[3];
  int base = cmd & ~0x100;
  uint32_t need = base == IPC_INFO ? 40 : base == SHM_INFO ? 48 : 80;
  unsigned char *p = ptrOf(a[4], a[5], need);
  if (base == IPC_SET && writableClass()) setPerm(p, a + 6);
  int r = shmctl(id, cmd, (struct shmid_ds *)p);
  if (r == -1) { outErr(errno); return; }
  outs("ok "); outi(r);
  if (base == SHM_STAT || base == SHM_STAT_ANY) addId(shmids, &nshm, r);
  if (!readableClass()) return;
  if (base == IPC_STAT || base == SHM_STAT || base == SHM_STAT_ANY) outShmid((struct shmid_ds *)p);
  else if (base == IPC_INFO) { const unsigned long *v = (const unsigned long *)p; for (int i = 0; i < 5; i++) { sp(""); outu(v[i]); } }
  else if (base == SHM_INFO) { const struct shm_info *v = (const struct shm_info *)p; sp(""); outu((uint32_t)v->used_ids); const unsigned long *w = &v->shm_tot; for (int i = 0; i < 5; i++) { sp(""); outu(w[i]); } }
  else return;
  if (scrubClass()) memset(p, 0, 112); // layouts differ: scrub (fuzz/README.md)
}

static void doSemop(const int32_t *a) {
  int id = idRef(semids, nsem, a[1], a[2]);
  int32_t timed = a[3], npass = a[10], ngen = a[11];
  uint32_t n = (uint32_t)npass;
  unsigned char *p = ptrOf(a[4], a[5], n <= 500 && n ? n * 6 : 6);
  int pcls = lastClass;
  if (writableClass()) {
    for (int i = 0; i < ngen; i++) {
      uint16_t num = (uint16_t)a[12 + 3 * i]; int16_t op = (int16_t)a[13 + 3 * i], fl = (int16_t)a[14 + 3 * i];
      memcpy(p + 6 * i, &num, 2); memcpy(p + 6 * i + 2, &op, 2); memcpy(p + 6 * i + 4, &fl, 2);
    }
  }
  (void)pcls;
  int r;
  if (!timed) r = semop(id, (struct sembuf *)p, n);
  else {
    unsigned char *t = a[6] == P_NULL ? NULL : ptrOf(a[6] == P_VALID || a[6] == P_UNALIGNED || a[6] == P_OOB || a[6] == P_STRADDLE ? a[6] : P_VALID, a[7], 16);
    if (t && (lastClass == P_VALID || lastClass == P_UNALIGNED)) {
      int64_t s = a[8], ns = a[9];
      memcpy(t, &s, 8); memcpy(t + 8, &ns, 8);
    }
    r = semtimedop(id, (struct sembuf *)p, n, (struct timespec *)t);
  }
  if (r == -1) outErr(errno); else { outs("ok "); outi(r); }
}

static void doSemctl(const int32_t *a) {
  int id = idRef(semids, nsem, a[1], a[2]);
  int32_t num = a[3], cmd = a[4], arg = a[5];
  int base = cmd & ~0x100;
  union semun u;
  unsigned char *p = NULL;
  int nsems = 0, isPtr = 1;
  uint32_t need;
  switch (base) {
    case IPC_STAT: case SEM_STAT: case SEM_STAT_ANY: case IPC_SET: need = 56; break;
    case IPC_INFO: case SEM_INFO: need = 40; break;
    case GETALL: case SETALL: nsems = nsemsOf(id); need = (uint32_t)nsems * 2; break;
    default: isPtr = 0; need = 0;
  }
  if (isPtr) {
    p = ptrOf(a[6], a[7], need);
    if ((base == GETALL || base == SETALL) && (lastClass == P_ROWIN || lastClass == P_RWWIN || lastClass == P_AREA) && need > PAGE) { outs("skip"); return; }
    if (base == IPC_SET && writableClass()) setPerm(p, a + 8);
    if (base == SETALL && writableClass()) {
      uint32_t seed = (uint32_t)a[11];
      for (int i = 0; i < nsems; i++) {
        uint32_t h = mix((int32_t)(seed + (uint32_t)i));
        uint16_t v = (uint16_t)((h >> 28) == 15 ? h >> 8 : (h >> 24) % 4);
        memcpy(p + 2 * i, &v, 2);
      }
    }
    u.buf = (struct semid_ds *)p;
  } else u.val = arg;
  int r = semctl(id, num, cmd, u);
  if (r == -1) { outErr(errno); return; }
  outs("ok ");
  if (base == GETPID) outPid(r); else outi(r);
  if (base == SEM_STAT || base == SEM_STAT_ANY) addId(semids, &nsem, r);
  if (!isPtr || !readableClass()) return;
  if (base == IPC_STAT || base == SEM_STAT || base == SEM_STAT_ANY) outSemid((struct semid_ds *)p);
  else if (base == IPC_INFO || base == SEM_INFO) { const int *v = (const int *)p; for (int i = 0; i < 10; i++) { sp(""); outu((uint32_t)v[i]); } }
  else if (base == GETALL) {
    if (nsems <= 16) for (int i = 0; i < nsems; i++) { uint16_t v; memcpy(&v, p + 2 * i, 2); sp(""); outu(v); }
    else { sp("h"); outu(fnv(p, (uint32_t)nsems * 2)); }
    return;
  } else return;
  if (scrubClass()) memset(p, 0, 112); // layouts differ: scrub (fuzz/README.md)
}

static Win *peekWin(int32_t n, int rw) {
  int cnt = 0;
  for (int i = 0; i < nwins; i++) if (wins[i].clean && (!rw || !wins[i].ro)) cnt++;
  if (!cnt) return NULL;
  int k = (int)((uint32_t)n % (uint32_t)cnt);
  for (int i = 0; i < nwins; i++) if (wins[i].clean && (!rw || !wins[i].ro)) { if (!k--) return &wins[i]; }
  return NULL;
}

static void doPeekPoke(const int32_t *a, int poke) {
  Win *w = peekWin(a[1], poke);
  if (!w) { outs("skip"); return; }
  uint32_t size = w->pages * PAGE, off = (uint32_t)a[2] % size, len = (uint32_t)a[3] % (PAGE + 1);
  if (len > size - off) len = size - off;
  if (poke) { uint32_t seed = (uint32_t)a[4]; for (uint32_t i = 0; i < len; i++) w->start[off + i] = (unsigned char)(seed + i); outs("ok"); }
  else { outs("ok "); outu(fnv(w->start + off, len)); }
}

static void *mapOrDie(size_t len, int prot) {
  void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); exit(70); }
  return p;
}

int main(int argc, char **argv) {
  // --uid N: started as root, become N now that the binary is loaded, so the
  // process need not reach this file's directory as N (a 0700 checkout).
  if (argc == 3 && !strcmp(argv[1], "--uid")) {
    int id = atoi(argv[2]);
    if (setgroups(0, NULL) != 0 || setgid((gid_t)id) != 0 || setuid((uid_t)id) != 0) {
      fprintf(stderr, "twin: cannot run as uid %d: %s (switching users needs root)\n", id, strerror(errno));
      return 70;
    }
  } else if (argc != 1) {
    fprintf(stderr, "usage: twin [--uid N] < PROGRAM   (driven by wasi-sysv fuzz)\n");
    return 2;
  }
  self = getpid();
  // Read the whole program.
  size_t cap = 1 << 20, len = 0;
  char *src = malloc(cap);
  for (;;) {
    if (len + 65536 > cap) { cap *= 2; src = realloc(src, cap); }
    ssize_t n = read(0, src + len, cap - len - 1);
    if (n < 0) { perror("read"); return 70; }
    if (n == 0) break;
    len += (size_t)n;
  }
  src[len] = 0;
  outbuf = malloc(OUTCAP);
  scr = mapOrDie(SCR_SIZE, PROT_READ | PROT_WRITE);
  area = mapOrDie(AREA_PAGES * PAGE, PROT_READ | PROT_WRITE);
  oob = mapOrDie(OOB_SIZE, PROT_NONE);
  unsigned char *two = mapOrDie(2 * PAGE, PROT_READ | PROT_WRITE);
  if (mprotect(two + PAGE, PAGE, PROT_NONE)) { perror("mprotect"); return 70; }
  memEnd = two + PAGE;
  // The reserve step (see the guest): one private segment, attached, detached
  // and removed, so ids and sequence numbers match the guest's.
  int rid = shmget(IPC_PRIVATE, RESERVE, 0600);
  void *ra = rid < 0 ? (void *)-1 : shmat(rid, NULL, 0);
  if (rid < 0 || ra == (void *)-1 || shmdt(ra) || shmctl(rid, IPC_RMID, NULL)) { perror("reserve"); return 70; }

  char *s = strchr(src, '\n');
  s = s ? s + 1 : src + len; // skip "pid N"
  int32_t a[1600];
  while (*s) {
    int n = 0;
    while (*s && *s != '\n') {
      while (*s == ' ') s++;
      if (*s == '\n' || !*s) break;
      if (n < 1600) a[n++] = (int32_t)strtol(s, &s, 10); else strtol(s, &s, 10);
    }
    if (*s == '\n') s++;
    if (!n) continue;
    switch (a[0]) {
      case 0: { int r = shmget((key_t)a[1], (size_t)(uint32_t)a[2], a[3]); if (r == -1) outErr(errno); else { outs("ok "); outi(r); addId(shmids, &nshm, r); } break; }
      case 1: doShmat(a); break;
      case 2: doShmdt(a); break;
      case 3: doShmctl(a); break;
      case 4: { int r = semget((key_t)a[1], a[2], a[3]); if (r == -1) outErr(errno); else { outs("ok "); outi(r); addId(semids, &nsem, r); } break; }
      case 5: doSemop(a); break;
      case 6: doSemctl(a); break;
      case 7: doPeekPoke(a, 0); break;
      case 8: doPeekPoke(a, 1); break;
      case 9: // DUMP (for debugging by hand; the generator never draws it): the area, every clean window
        outs("ok a:"); outu(fnv(area, AREA_PAGES * PAGE));
        for (int i = 0; i < nwins; i++) if (wins[i].clean) {
          sp("w"); outu(wins[i].pages); outs(wins[i].ro ? "r" : "w"); outs(wins[i].clean ? "c" : "m"); outs(wins[i].host ? "h" : "x");
          outs(":"); outu(fnv(wins[i].start, wins[i].pages * PAGE));
        }
        break;
      default: outs("bad op");
    }
    outs("\n");
  }
  outs("end\n");
  flush();
  return 0;
}
