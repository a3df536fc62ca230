// Native interpreter of the conformance DSL (canonical form; see
// conformance/README.md). The orchestrator parses a case file, folds its
// symbolic constants into decimal numbers and hands each process its steps,
// one per line, as argv[1]:
//     <line> [await] <op> <args...> [& MASK] [-> TARGET | CMP EXPR]
// This program executes them with real libc calls and prints one transcript
// line per top-level step ("L<line> ok", "L<line> E<errno>", "L<line> = <v>",
// or "L<line> FAIL ..." and exit 1). Requests to the case driver ("@spawn",
// "@wait", "@kill") are written to stdout and answered on stdin.
// The AssemblyScript twin is conformance/guest/interp.ts: keep them in step.
// This same source is the C guest runner too (`wasi-sysv cc`, __wasi__):
// there every SysV call goes through the headers and library of c/ and the
// host's `sysv` imports, errno numbers are printed in Linux's numbering
// like everywhere else, and what WASI lacks (signals, switching users, the
// pid) comes from the host and the driver, as for the AssemblyScript twin.
#define _GNU_SOURCE
#include <errno.h>
#ifndef __wasi__
#include <signal.h>
#include <grp.h>
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

union semun {
  int val;
  struct semid_ds *buf;
  unsigned short *array;
  struct seminfo *__buf;
};

#define MAXTOK 640
#define MAXSTEPS 4096
#define MAXVARS 256
#define AWAIT_MS 10000

typedef struct {
  int line;
  int await;
  char *op;
  char **args;
  int nargs;
  int has_mask;
  char *mask;
  char *cmp;     // "==", "!=", "<", "<=", ">", ">=", "->" or NULL
  char *target;  // expression, "$var", "!N", "ok", "trap"
  int end;       // for repeat: index of the matching "end"
} Step;

enum { RES_OK, RES_ERR };
typedef struct { int kind; int64_t v; } Res;

static Step steps[MAXSTEPS];
static int nsteps;
static struct { char name[48]; int64_t v; } vars[MAXVARS];
static int nvars;
static unsigned char buf[65536] __attribute__((aligned(4096)));
static struct sembuf sops[1024];

static void die(const char *msg, int line) {
  printf("L%d FAIL %s\n", line, msg);
  fflush(stdout);
  exit(1);
}

static int64_t *var_ref(const char *name, int create) {
  for (int i = 0; i < nvars; i++)
    if (strcmp(vars[i].name, name) == 0) return &vars[i].v;
  if (!create || nvars == MAXVARS) return NULL;
  snprintf(vars[nvars].name, sizeof vars[nvars].name, "%s", name);
  vars[nvars].v = 0;
  return &vars[nvars++].v;
}

static int cur_line;

// Operand: $name or a decimal integer (optionally signed).
static int64_t operand(const char **pp) {
  const char *p = *pp;
  if (*p == '$') {
    char name[48];
    int n = 0;
    p++;
    while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_') {
      if (n < 47) name[n++] = *p;
      p++;
    }
    name[n] = 0;
    int64_t *r = var_ref(name, 0);
    if (!r) {
      char msg[96];
      snprintf(msg, sizeof msg, "unset variable $%s", name);
      die(msg, cur_line);
    }
    *pp = p;
    return *r;
  }
  int neg = 0;
  if (*p == '-') { neg = 1; p++; }
  uint64_t v = 0;
  if (!(*p >= '0' && *p <= '9')) die("bad number", cur_line);
  while (*p >= '0' && *p <= '9') v = v * 10 + (uint64_t)(*p++ - '0');
  *pp = p;
  return neg ? -(int64_t)v : (int64_t)v;
}

// Expression: operand (op operand)*, left to right, ops + - * & | ^.
static int64_t eval(const char *s) {
  const char *p = s;
  int64_t acc = operand(&p);
  while (*p) {
    char op = *p++;
    int64_t b = operand(&p);
    switch (op) {
      case '+': acc = (int64_t)((uint64_t)acc + (uint64_t)b); break;
      case '-': acc = (int64_t)((uint64_t)acc - (uint64_t)b); break;
      case '*': acc = (int64_t)((uint64_t)acc * (uint64_t)b); break;
      case '&': acc &= b; break;
      case '|': acc |= b; break;
      case '^': acc ^= b; break;
      default: die("bad operator", cur_line);
    }
  }
  return acc;
}

static Res ok(int64_t v) { Res r = {RES_OK, v}; return r; }
static Res err(int e) { Res r = {RES_ERR, e}; return r; }
#ifdef __wasi__
#include <wasi-sysv/errno.h>
// The transcript shows Linux's numbers, in every runner.
#define ERRNO wsv_errno_to_linux(errno)
#else
#define ERRNO errno
#endif
static Res sys(long r) { return r == -1 ? err(ERRNO) : ok(r); }

static char *readline_stdin(char *out, int n) {
  fflush(stdout);
  if (!fgets(out, n, stdin)) die("driver closed stdin", cur_line);
  out[strcspn(out, "\n")] = 0;
  return out;
}

static int64_t now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms) {
  if (ms <= 0) return;
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
  while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

// Field access in buf. The orchestrator passes canonical names (README).
static int field_info(const char *f, size_t *off, int *size, int *sign) {
  struct shmid_ds *sd = (struct shmid_ds *)buf;
  struct semid_ds *ms = (struct semid_ds *)buf;
  struct shminfo *si = (struct shminfo *)buf;
  struct shm_info *sn = (struct shm_info *)buf;
  struct seminfo *mi = (struct seminfo *)buf;
  const unsigned char *b = buf;
#define F(name, expr, sg) if (strcmp(f, name) == 0) { *off = (size_t)((const unsigned char *)&(expr) - b); *size = sizeof(expr); *sign = sg; return 1; }
  F("key", sd->shm_perm.__key, 1)
  F("uid", sd->shm_perm.uid, 0)
  F("gid", sd->shm_perm.gid, 0)
  F("cuid", sd->shm_perm.cuid, 0)
  F("cgid", sd->shm_perm.cgid, 0)
  F("mode", sd->shm_perm.mode, 0)
  F("seq", sd->shm_perm.__seq, 0)
  F("shm_segsz", sd->shm_segsz, 0)
  F("shm_atime", sd->shm_atime, 1)
  F("shm_dtime", sd->shm_dtime, 1)
  F("shm_ctime", sd->shm_ctime, 1)
  F("shm_cpid", sd->shm_cpid, 1)
  F("shm_lpid", sd->shm_lpid, 1)
  F("shm_nattch", sd->shm_nattch, 0)
  F("sem_otime", ms->sem_otime, 1)
  F("sem_ctime", ms->sem_ctime, 1)
  F("sem_nsems", ms->sem_nsems, 0)
  F("shmmax", si->shmmax, 0)
  F("shmmin", si->shmmin, 0)
  F("shmmni", si->shmmni, 0)
  F("shmseg", si->shmseg, 0)
  F("shmall", si->shmall, 0)
  F("used_ids", sn->used_ids, 1)
  F("shm_tot", sn->shm_tot, 0)
  F("shm_rss", sn->shm_rss, 0)
  F("shm_swp", sn->shm_swp, 0)
  F("swap_attempts", sn->swap_attempts, 0)
  F("swap_successes", sn->swap_successes, 0)
  F("semmap", mi->semmap, 1)
  F("semmni", mi->semmni, 1)
  F("semmns", mi->semmns, 1)
  F("semmnu", mi->semmnu, 1)
  F("semmsl", mi->semmsl, 1)
  F("semopm", mi->semopm, 1)
  F("semume", mi->semume, 1)
  F("semusz", mi->semusz, 1)
  F("semvmx", mi->semvmx, 1)
  F("semaem", mi->semaem, 1)
#undef F
  return 0;
}

static int64_t read_sized(const void *p, int size, int sign) {
  switch (size) {
    // Each branch converted on its own: in `sign ? int32 : uint32` C would
    // convert the signed one to unsigned first.
    case 1: return sign ? (int64_t)*(const int8_t *)p : (int64_t)*(const uint8_t *)p;
    case 2: return sign ? (int64_t)*(const int16_t *)p : (int64_t)*(const uint16_t *)p;
    case 4: return sign ? (int64_t)*(const int32_t *)p : (int64_t)*(const uint32_t *)p;
    default: return *(const int64_t *)p;
  }
}

static void write_sized(void *p, int size, int64_t v) {
  switch (size) {
    case 1: *(uint8_t *)p = (uint8_t)v; break;
    case 2: *(uint16_t *)p = (uint16_t)v; break;
    case 4: *(uint32_t *)p = (uint32_t)v; break;
    default: *(uint64_t *)p = (uint64_t)v; break;
  }
}

static Res field_get(const char *f) {
  size_t off; int size, sign;
  if (!field_info(f, &off, &size, &sign)) die("unknown field", cur_line);
  return ok(read_sized(buf + off, size, sign));
}

static int type_info(const char *t, int *size, int *sign) {
  if (t[0] != 'u' && t[0] != 'i') return 0;
  *sign = t[0] == 'i';
  int bits = atoi(t + 1);
  if (bits != 8 && bits != 16 && bits != 32 && bits != 64) return 0;
  *size = bits / 8;
  return 1;
}

// sops "num:op:flg*count" ... into the global sops array; returns count.
static int build_sops(char **a, int n) {
  int k = 0;
  for (int i = 0; i < n; i++) {
    long num = 0, op = 0, flg = 0, count = 1;
    if (sscanf(a[i], "%ld:%ld:%ld*%ld", &num, &op, &flg, &count) != 4) die("bad sembuf", cur_line);
    for (long c = 0; c < count; c++) {
      if (k == 1024) die("too many sembufs", cur_line);
      sops[k].sem_num = (unsigned short)num;
      sops[k].sem_op = (short)op;
      sops[k].sem_flg = (short)flg;
      k++;
    }
  }
  return k;
}

static void *P(int64_t v) { return (void *)(intptr_t)v; }

#define NEED(n) do { if (s->nargs < (n)) die("missing argument", s->line); } while (0)
#define A(i) eval(s->args[i])

static Res exec_op(Step *s) {
  const char *op = s->op;
  // size_t: a native process can ask for 4 GiB and more (a guest cannot: its
  // size is an i32 read as unsigned, see docs/abi.md).
#ifdef __wasi__
  if (!strcmp(op, "shmget")) {
    NEED(3);
    int64_t size = A(1);
    // The ABI's size is an i32 read as unsigned: nothing else can be passed.
    if (size < -0x80000000LL || size > 0xffffffffLL) die("a size beyond 32 bits cannot be passed by a guest (docs/abi.md): use a native process", s->line);
    return sys(shmget((key_t)A(0), (size_t)(uint32_t)size, (int)A(2)));
  }
#else
  if (!strcmp(op, "shmget")) { NEED(3); return sys(shmget((key_t)A(0), (size_t)A(1), (int)A(2))); }
#endif
  if (!strcmp(op, "shmat")) {
    NEED(3);
    void *r = shmat((int)A(0), P(A(1)), (int)A(2));
    return r == (void *)-1 ? err(ERRNO) : ok((int64_t)(uintptr_t)r);
  }
  if (!strcmp(op, "shmdt")) { NEED(1); return sys(shmdt(P(A(0)))); }
  if (!strcmp(op, "shmctl")) { NEED(3); return sys(shmctl((int)A(0), (int)A(1), P(A(2)))); }
  if (!strcmp(op, "semget")) { NEED(3); return sys(semget((key_t)A(0), (int)A(1), (int)A(2))); }
  if (!strcmp(op, "semop")) {
    NEED(1);
    int n = build_sops(s->args + 1, s->nargs - 1);
    return sys(semop((int)A(0), sops, (size_t)n));
  }
  if (!strcmp(op, "semtimedop")) {
    NEED(2);
    int n = build_sops(s->args + 2, s->nargs - 2);
    int64_t ms = A(1);
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};
    return sys(semtimedop((int)A(0), sops, (size_t)n, ms < 0 ? NULL : &ts));
  }
  if (!strcmp(op, "semop_raw")) { NEED(3); return sys(semop((int)A(0), P(A(1)), (size_t)(uint32_t)A(2))); }
  if (!strcmp(op, "semtimedop_raw")) { NEED(4); return sys(semtimedop((int)A(0), P(A(1)), (size_t)(uint32_t)A(2), P(A(3)))); }
  if (!strcmp(op, "semctl")) {
    NEED(4);
    int cmd = (int)A(2);
    union semun u;
    if (cmd == SETVAL) u.val = (int)A(3); else u.buf = P(A(3));
    return sys(semctl((int)A(0), (int)A(1), cmd, u));
  }
  if (!strcmp(op, "stat")) {
    NEED(2);
    if (shmctl((int)A(0), IPC_STAT, (struct shmid_ds *)buf) == -1) return err(ERRNO);
    return field_get(s->args[1]);
  }
  if (!strcmp(op, "semstat")) {
    NEED(2);
    union semun u; u.buf = (struct semid_ds *)buf;
    if (semctl((int)A(0), 0, IPC_STAT, u) == -1) return err(ERRNO);
    return field_get(s->args[1]);
  }
  if (!strcmp(op, "field")) { NEED(1); return field_get(s->args[0]); }
  if (!strcmp(op, "setfield")) {
    NEED(2);
    size_t off; int size, sign;
    if (!field_info(s->args[0], &off, &size, &sign)) die("unknown field", s->line);
    write_sized(buf + off, size, A(1));
    return ok(0);
  }
  if (!strcmp(op, "store")) {
    NEED(3);
    int size, sign;
    if (!type_info(s->args[1], &size, &sign)) die("bad type", s->line);
    write_sized(P(A(0)), size, A(2));
    return ok(0);
  }
  if (!strcmp(op, "load")) {
    NEED(2);
    int size, sign;
    if (!type_info(s->args[1], &size, &sign)) die("bad type", s->line);
    return ok(read_sized(P(A(0)), size, sign));
  }
  if (!strcmp(op, "fill")) {
    NEED(3);
    unsigned char *p = P(A(0));
    int64_t len = A(1), seed = A(2);
    for (int64_t k = 0; k < len; k++) p[k] = (unsigned char)((seed + k) & 255);
    return ok(0);
  }
  if (!strcmp(op, "checksum")) {
    NEED(2);
    const unsigned char *p = P(A(0));
    int64_t len = A(1);
    uint32_t h = 2166136261u;
    for (int64_t k = 0; k < len; k++) { h ^= p[k]; h *= 16777619u; }
    return ok(h);
  }
  if (!strcmp(op, "check")) { NEED(1); return ok(A(0)); }
  if (!strcmp(op, "set")) {
    NEED(2);
    if (s->args[0][0] != '$') die("set needs a $variable", s->line);
    int64_t v = A(1);
    *var_ref(s->args[0] + 1, 1) = v;
    return ok(v);
  }
  if (!strcmp(op, "now")) { return ok((int64_t)time(NULL)); }
  if (!strcmp(op, "clock")) { return ok(now_ms()); }
  if (!strcmp(op, "sleep")) { NEED(1); sleep_ms(A(0)); return ok(0); }
#ifdef __wasi__
  if (!strcmp(op, "grow")) {
    NEED(1);
    long r = __builtin_wasm_memory_grow(0, (unsigned long)(uint32_t)A(0));
    return r < 0 ? err(12) : ok(r);  // ENOMEM, as the AssemblyScript twin says
  }
#else
  if (!strcmp(op, "grow")) { return ok(0); }  // linear memory only: no-op natively
#endif
  if (!strcmp(op, "exit")) { NEED(1); fflush(stdout); exit((int)A(0)); }
  if (!strcmp(op, "trap")) { fflush(stdout); __builtin_trap(); }
  if (!strcmp(op, "spawn") || !strcmp(op, "wait") || !strcmp(op, "kill") || !strcmp(op, "signal")) {
    NEED(1);
    char line[128];
    if (!strcmp(op, "signal")) { NEED(2); printf("@%s %s %s\n", op, s->args[0], s->args[1]); }
    else printf("@%s %s\n", op, s->args[0]);
    readline_stdin(line, sizeof line);
    long v = strtol(line, NULL, 10);
    if (v < 0) return err((int)-v);
    return ok(v);
  }
  die("unknown step", s->line);
  return err(0);
}

static int is_value_op(const char *op) {
  return !strcmp(op, "load") || !strcmp(op, "field") || !strcmp(op, "check") || !strcmp(op, "checksum") ||
         !strcmp(op, "stat") || !strcmp(op, "semstat");
}

static void describe(Res r, char *out, size_t n) {
  if (r.kind == RES_ERR) snprintf(out, n, "E%d", (int)r.v);
  else snprintf(out, n, "ok(%lld)", (long long)r.v);
}

// Checks r against the step's expectation. Returns 1 when it holds and fills
// out with the transcript text; else 0 and fills out with the failure.
static int judge(Step *s, Res r, char *out, size_t n) {
  char got[64];
  describe(r, got, sizeof got);
  const char *cmp = s->cmp;
  if (cmp && !strcmp(cmp, "->")) {
    const char *t = s->target;
    if (t[0] == '!') {
      int want = atoi(t + 1);
      if (r.kind == RES_ERR && r.v == want) { snprintf(out, n, "E%d", want); return 1; }
      snprintf(out, n, "FAIL want E%d got %s", want, got);
      return 0;
    }
    if (r.kind != RES_OK) { snprintf(out, n, "FAIL want ok got %s", got); return 0; }
    if (t[0] == '$') *var_ref(t + 1, 1) = r.v;
    snprintf(out, n, "ok");
    return 1;
  }
  if (r.kind != RES_OK) { snprintf(out, n, "FAIL want ok got %s", got); return 0; }
  int64_t v = r.v;
  if (s->has_mask) v &= eval(s->mask);
  if (!cmp) {
    if (is_value_op(s->op)) snprintf(out, n, "= %lld", (long long)v);
    else snprintf(out, n, "ok");
    return 1;
  }
  int64_t w = eval(s->target);
  int pass;
  if (!strcmp(cmp, "==")) pass = v == w;
  else if (!strcmp(cmp, "!=")) pass = v != w;
  else if (!strcmp(cmp, "<")) pass = v < w;
  else if (!strcmp(cmp, "<=")) pass = v <= w;
  else if (!strcmp(cmp, ">")) pass = v > w;
  else if (!strcmp(cmp, ">=")) pass = v >= w;
  else { die("bad comparison", s->line); pass = 0; }
  if (pass) { snprintf(out, n, "ok"); return 1; }
  snprintf(out, n, "FAIL want %s %lld got %lld", cmp, (long long)w, (long long)v);
  return 0;
}

static int quiet_depth;  // >0 inside repeat bodies: print only failures

static void run_step(Step *s) {
  char out[200];
  cur_line = s->line;
  if (s->cmp && !strcmp(s->cmp, "->") && !strcmp(s->target, "trap")) {
    printf("L%d trap?\n", s->line);
    fflush(stdout);
    Res r = exec_op(s);
    char got[64];
    describe(r, got, sizeof got);
    snprintf(out, sizeof out, "want trap got %s", got);
    die(out, s->line);
  }
  if (s->await) {
    int64_t deadline = now_ms() + AWAIT_MS;
    for (;;) {
      Res r = exec_op(s);
      if (judge(s, r, out, sizeof out)) break;
      if (now_ms() > deadline) { printf("L%d %s (after %d ms)\n", s->line, out, AWAIT_MS); fflush(stdout); exit(1); }
      sleep_ms(2);
    }
  } else {
    Res r = exec_op(s);
    if (!judge(s, r, out, sizeof out)) { printf("L%d %s\n", s->line, out); fflush(stdout); exit(1); }
  }
  if (!quiet_depth) { printf("L%d %s\n", s->line, out); fflush(stdout); }
}

static void run_block(int from, int to) {
  for (int i = from; i < to; i++) {
    Step *s = &steps[i];
    if (!strcmp(s->op, "repeat")) {
      cur_line = s->line;
      if (s->nargs < 1) die("repeat needs a count", s->line);
      int64_t n = A(0);
      int64_t *iv = s->nargs > 1 && s->args[1][0] == '$' ? var_ref(s->args[1] + 1, 1) : NULL;
      quiet_depth++;
      for (int64_t k = 0; k < n; k++) {
        if (iv) *iv = k;
        run_block(i + 1, s->end);
      }
      quiet_depth--;
      if (!quiet_depth) { printf("L%d ok\n", s->line); fflush(stdout); }
      i = s->end;
    } else if (!strcmp(s->op, "end")) {
      // matched by its repeat
    } else {
      run_step(s);
    }
  }
}

static int is_cmp(const char *t) {
  return !strcmp(t, "==") || !strcmp(t, "!=") || !strcmp(t, "<") || !strcmp(t, "<=") || !strcmp(t, ">") ||
         !strcmp(t, ">=") || !strcmp(t, "->");
}

static void parse(char *script) {
  int stack[64], depth = 0;
  for (char *line = strtok(script, "\n"); line; line = strtok(NULL, "\n")) {
    if (nsteps == MAXSTEPS) die("script too long", 0);
    char *tok[MAXTOK];
    int nt = 0;
    for (char *save, *t = strtok_r(line, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
      if (nt == MAXTOK) die("line too long", 0);
      tok[nt++] = t;
    }
    if (nt < 2) die("short line", 0);
    Step *s = &steps[nsteps];
    memset(s, 0, sizeof *s);
    s->line = atoi(tok[0]);
    int i = 1;
    if (!strcmp(tok[i], "await")) { s->await = 1; i++; }
    s->op = tok[i++];
    int start = i;
    while (i < nt && !is_cmp(tok[i]) && strcmp(tok[i], "&")) i++;
    s->nargs = i - start;
    s->args = malloc(sizeof(char *) * (size_t)(s->nargs + 1));
    for (int k = 0; k < s->nargs; k++) s->args[k] = tok[start + k];
    if (i < nt && !strcmp(tok[i], "&")) {
      if (i + 1 >= nt) die("mask without value", s->line);
      s->has_mask = 1;
      s->mask = tok[i + 1];
      i += 2;
    }
    if (i < nt) {
      if (i + 1 >= nt) die("comparison without value", s->line);
      s->cmp = tok[i];
      s->target = tok[i + 1];
    }
    if (!strcmp(s->op, "repeat")) {
      if (depth == 64) die("repeat nested too deep", s->line);
      stack[depth++] = nsteps;
    } else if (!strcmp(s->op, "end")) {
      if (!depth) die("end without repeat", s->line);
      steps[stack[--depth]].end = nsteps;
    }
    nsteps++;
  }
  if (depth) die("repeat without end", steps[stack[depth - 1]].line);
}

#ifdef __wasi__
// A guest has no signal handlers: every signal is, to it, an ignored one.
static void set_signals(void) {}
#else
static void on_signal(int sig) { (void)sig; }

/*
 * The signals a case may send (conformance/README.md, `signal`): SIGUSR2 is
 * ignored, as every signal is for a guest (it has no handlers); SIGUSR1 has a
 * handler that does nothing, with SA_RESTART (semop is never restarted
 * anyway); SIGWINCH keeps its default, ignore.
 */
static void set_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sa.sa_flags = SA_RESTART;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, NULL);
  sa.sa_handler = SIG_IGN;
  sa.sa_flags = 0;
  sigaction(SIGUSR2, &sa, NULL);
}
#endif

int main(int argc, char **argv) {
  // --uid N: started as root, become N now that the binary is loaded, so the
  // process need not reach this file's directory as N (a 0700 checkout).
#ifndef __wasi__
  // (A guest is switched by its host: wasi-sysv run --uid N.)
  if (argc == 4 && !strcmp(argv[1], "--uid")) {
    int id = atoi(argv[2]);
    if (setgroups(0, NULL) != 0 || setgid((gid_t)id) != 0 || setuid((uid_t)id) != 0) {
      printf("L0 FAIL cannot run as uid %d: %s (switching users needs root)\n", id, strerror(errno));
      return 1;
    }
    argv += 2;
    argc -= 2;
  }
#endif
  if (argc != 2) {
    fprintf(stderr, "usage: interp [--uid N] SCRIPT   (canonical conformance DSL; driven by wasi-sysv conformance)\n");
    return 2;
  }
  char hello[128];
  set_signals();
  readline_stdin(hello, sizeof hello);  // "go <pid>" from the driver
#ifdef __wasi__
  // The driver's pid, as for the AssemblyScript twin (getpid() would agree).
  *var_ref("self", 1) = strtoll(hello + 3, NULL, 10);
  *var_ref("bad", 1) = 0xfffffff0;  // beyond linear memory: EFAULT
#else
  *var_ref("self", 1) = getpid();
  *var_ref("bad", 1) = 8;  // inside the never-mapped first page: EFAULT
#endif
  *var_ref("buf", 1) = (int64_t)(intptr_t)buf;
  parse(strdup(argv[1]));
  run_block(0, nsteps);
  fflush(stdout);
  return 0;
}
