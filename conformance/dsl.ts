// The conformance DSL: parsing case files (conformance/cases/*.sysv) into
// cases, and lowering each process's steps into the canonical form that the
// two interpreters (native/interp.c, guest/interp.ts) execute: one step per
// line, "<line> [await] <op> <args...> [& MASK] [-> TARGET | CMP EXPR]", with
// every symbolic constant folded into a decimal number. The language itself
// is described in conformance/README.md.

export type Runner = 'native' | 'guest';

export interface ProcSpec {
  name: string;
  /** 'native' forces the native interpreter even in the wasm run. */
  forceNative: boolean;
  /** Guest run by runGuest() in a host process that outlives it. */
  hosted: boolean;
  uid?: number;
  /** Expected end: "exit N", "trap" or "killed". */
  expect: string;
  /** Canonical script (see above). */
  script: string;
  /** Source line of the proc header (main: the case line). */
  line: number;
  /** Whether some step says how it ends (for the default expectation). */
  hasTrap: boolean;
}

export interface CaseSpec {
  name: string;
  group: string;
  file: string;
  line: number;
  onlyWasm: boolean;
  sysctl: Record<string, string>;
  timeoutMs: number;
  procs: ProcSpec[];
  /** A syntax error: the case is reported as failed with this one line. */
  error?: string;
}

// ---------------------------------------------------------------- constants

export const CONSTANTS: Record<string, number> = {
  NULL: 0,
  IPC_PRIVATE: 0, IPC_CREAT: 0o1000, IPC_EXCL: 0o2000, IPC_NOWAIT: 0o4000,
  IPC_RMID: 0, IPC_SET: 1, IPC_STAT: 2, IPC_INFO: 3,
  SHM_RDONLY: 0o10000, SHM_RND: 0o20000, SHM_REMAP: 0o40000, SHM_EXEC: 0o100000,
  SHM_LOCK: 11, SHM_UNLOCK: 12, SHM_STAT: 13, SHM_INFO: 14, SHM_STAT_ANY: 15,
  SHM_DEST: 0o1000, SHM_LOCKED: 0o2000,
  SEM_UNDO: 0x1000, GETPID: 11, GETVAL: 12, GETALL: 13, GETNCNT: 14, GETZCNT: 15,
  SETVAL: 16, SETALL: 17, SEM_STAT: 18, SEM_INFO: 19, SEM_STAT_ANY: 20,
  PAGE: 4096, SHMLBA: 4096, SEMVMX: 32767, SEMOPM: 500, SEMMSL: 32000,
};

export const ERRNO: Record<string, number> = {
  EPERM: 1, ENOENT: 2, EINTR: 4, E2BIG: 7, EAGAIN: 11, ENOMEM: 12, EACCES: 13,
  EFAULT: 14, EEXIST: 17, EINVAL: 22, ENFILE: 23, EFBIG: 27, ENOSPC: 28,
  ERANGE: 34, ENOSYS: 38, EIDRM: 43,
};
const ERRNO_NAME = new Map(Object.entries(ERRNO).map(([k, v]) => [v, k]));
export const errnoName = (n: number) => ERRNO_NAME.get(n) ?? `E${n}`;

/** Field names as the interpreters know them, and the aliases accepted. */
const FIELDS = [
  'key', 'uid', 'gid', 'cuid', 'cgid', 'mode', 'seq',
  'shm_segsz', 'shm_atime', 'shm_dtime', 'shm_ctime', 'shm_cpid', 'shm_lpid', 'shm_nattch',
  'sem_otime', 'sem_ctime', 'sem_nsems',
  'shmmax', 'shmmin', 'shmmni', 'shmseg', 'shmall',
  'used_ids', 'shm_tot', 'shm_rss', 'shm_swp', 'swap_attempts', 'swap_successes',
  'semmap', 'semmni', 'semmns', 'semmnu', 'semmsl', 'semopm', 'semume', 'semusz', 'semvmx', 'semaem',
];
function fieldName(raw: string): string | undefined {
  let f = raw.replace(/^(shm_perm|sem_perm|perm)\./, '');
  if (f === '__key') f = 'key';
  if (FIELDS.includes(f)) return f;
  for (const p of ['shm_', 'sem_']) if (FIELDS.includes(p + f)) return p + f;
  return undefined;
}

const TYPES = new Set(['u8', 'u16', 'u32', 'u64', 'i8', 'i16', 'i32', 'i64']);
const CMPS = new Set(['==', '!=', '<', '<=', '>', '>=']);

export class DslError extends Error {}

// -------------------------------------------------------------- expressions

/** Parses a number literal exactly: 123, -5, 0x1f, 0o600, 0600 (C octal). */
function literal(t: string): bigint | undefined {
  const m = /^(-?)(0x[0-9a-f]+|0o[0-7]+|0[0-7]*|[1-9][0-9]*)$/i.exec(t);
  if (!m) return undefined;
  const body = m[2]!.toLowerCase();
  let v: bigint;
  if (body.startsWith('0x') || body.startsWith('0o')) v = BigInt(body);
  else if (body.length > 1 && body.startsWith('0')) v = BigInt('0o' + body.slice(1));
  else v = BigInt(body);
  return m[1] ? -v : v;
}

const OPS = '+-*&|^';

/**
 * An expression of the DSL: operands ($var, numbers, constant names) joined
 * by + - * & | ^ without spaces, evaluated left to right. Returns the
 * canonical text (constants folded, decimal numbers).
 */
export function canonExpr(src: string): string {
  if (src.length === 0) throw new DslError('empty expression');
  const parts: string[] = []; // operand, op, operand, ...
  let i = 0;
  const operandAt = (): string => {
    let j = i;
    if (src[j] === '-') j++;
    if (src[j] === '$') j++;
    while (j < src.length && /[A-Za-z0-9_]/.test(src[j]!)) j++;
    const tok = src.slice(i, j);
    i = j;
    if (tok === '' || tok === '-') throw new DslError(`bad expression "${src}"`);
    return tok;
  };
  parts.push(operandAt());
  while (i < src.length) {
    const op = src[i]!;
    if (!OPS.includes(op)) throw new DslError(`bad expression "${src}" (unexpected "${op}")`);
    i++;
    parts.push(op, operandAt());
  }
  // Resolve operands.
  const vals: Array<bigint | string> = [];
  for (let k = 0; k < parts.length; k += 2) {
    const t = parts[k]!;
    const neg = t.startsWith('-') && !/^-[0-9]/.test(t);
    const body = neg ? t.slice(1) : t;
    if (body.startsWith('$')) {
      if (!/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(body)) throw new DslError(`bad variable "${body}"`);
      if (neg) throw new DslError(`write 0-${body}, not -${body}`);
      vals.push(body);
      continue;
    }
    const named = CONSTANTS[body] ?? ERRNO[body];
    const n = literal(body) ?? (named === undefined ? undefined : BigInt(named));
    if (n === undefined) throw new DslError(`unknown name or number "${body}"`);
    vals.push(neg ? -n : n);
  }
  // Fold left to right while everything so far is constant.
  const apply = (A: bigint, op: string, B: bigint): bigint => {
    const r = op === '+' ? A + B : op === '-' ? A - B : op === '*' ? A * B : op === '&' ? A & B : op === '|' ? A | B : A ^ B;
    return BigInt.asIntN(64, r);
  };
  let out = '';
  let acc: bigint | string = typeof vals[0] === 'bigint' ? BigInt.asIntN(64, vals[0]) : vals[0]!;
  let k = 1;
  while (k < vals.length && typeof acc === 'bigint' && typeof vals[k] === 'bigint') {
    acc = apply(acc, parts[2 * k - 1]!, vals[k] as bigint);
    k++;
  }
  out = String(acc);
  for (; k < vals.length; k++) {
    const v = vals[k]!;
    out += parts[2 * k - 1]! + String(typeof v === 'bigint' ? BigInt.asIntN(64, v) : v);
  }
  return out;
}

/** A constant expression's value (flags, sembuf fields). */
function constValue(src: string): number {
  const c = canonExpr(src);
  if (!/^-?[0-9]+$/.test(c)) throw new DslError(`"${src}" must be a constant`);
  return Number(c);
}

// -------------------------------------------------------------------- steps

interface StepShape { min: number; max: number; args?: (a: string[], i: number) => string }

/** Arity of each step (arguments before the expectation) and special args. */
const STEPS: Record<string, StepShape> = {
  shmget: { min: 3, max: 3 }, shmat: { min: 3, max: 3 }, shmdt: { min: 1, max: 1 },
  shmctl: { min: 2, max: 3 }, semget: { min: 3, max: 3 }, semop: { min: 1, max: 600 },
  semtimedop: { min: 2, max: 600 }, semop_raw: { min: 3, max: 3 }, semtimedop_raw: { min: 4, max: 4 },
  semctl: { min: 3, max: 4 }, stat: { min: 2, max: 2 }, semstat: { min: 2, max: 2 },
  field: { min: 1, max: 1 }, setfield: { min: 2, max: 2 }, store: { min: 3, max: 3 }, load: { min: 2, max: 2 },
  fill: { min: 3, max: 3 }, checksum: { min: 2, max: 2 }, check: { min: 1, max: 1 }, set: { min: 2, max: 2 },
  now: { min: 0, max: 0 }, clock: { min: 0, max: 0 }, sleep: { min: 1, max: 1 }, grow: { min: 1, max: 1 },
  exit: { min: 1, max: 1 }, trap: { min: 0, max: 0 }, spawn: { min: 1, max: 1 }, wait: { min: 1, max: 1 },
  kill: { min: 1, max: 1 }, signal: { min: 2, max: 2 }, repeat: { min: 1, max: 2 }, end: { min: 0, max: 0 },
};

/**
 * Signals a case may send (`signal NAME SIG`). Natively the interpreter
 * ignores SIGUSR2 and has a do-nothing handler (SA_RESTART) for SIGUSR1;
 * SIGWINCH keeps its default (ignore). In a guest's host process SIGUSR2
 * has the host's own handler, and SIGUSR1 would start Node's inspector:
 * SIGUSR1 goes to `native` processes only.
 */
export const SIGNALS: Record<string, number> = { SIGUSR1: 10, SIGUSR2: 12, SIGWINCH: 28 };

const SHM_BUF_CMDS = new Set([CONSTANTS.IPC_STAT, CONSTANTS.IPC_SET, CONSTANTS.IPC_INFO, CONSTANTS.SHM_INFO, CONSTANTS.SHM_STAT, CONSTANTS.SHM_STAT_ANY]);
const SEM_BUF_CMDS = new Set([CONSTANTS.IPC_STAT, CONSTANTS.IPC_SET, CONSTANTS.IPC_INFO, CONSTANTS.SEM_INFO, CONSTANTS.SEM_STAT, CONSTANTS.SEM_STAT_ANY, CONSTANTS.GETALL, CONSTANTS.SETALL]);

function sembuf(src: string): string {
  const m = /^([^:*]+):([^:*]+)(?::([^*]+))?(?:\*([^*]+))?$/.exec(src);
  if (!m) throw new DslError(`bad sembuf "${src}" (want NUM:OP[:FLAGS][*COUNT])`);
  const num = constValue(m[1]!);
  const op = constValue(m[2]!.replace(/^\+/, ''));
  const flg = m[3] ? constValue(m[3]) : 0;
  const count = m[4] ? constValue(m[4]) : 1;
  if (count < 1 || count > 1024) throw new DslError(`sembuf count ${count} out of 1..1024`);
  return `${num}:${op}:${flg}*${count}`;
}

export interface Lowered {
  text: string;
  op: string;
  procRef?: string;
  /** signal: the signal's name. */
  signal?: string;
  trap: boolean;
}

/** Lowers one source step (tokens, without the line number) to canonical text. */
export function lowerStep(tokens: string[]): Lowered {
  let t = [...tokens];
  let prefix = '';
  if (t[0] === 'await') {
    prefix = 'await ';
    t = t.slice(1);
    if (t.length === 0) throw new DslError('await needs a step');
    if (t[0] === 'repeat' || t[0] === 'end' || t[0] === 'await') throw new DslError(`cannot await ${t[0]}`);
  }
  const op = t[0]!;
  const shape = STEPS[op];
  if (!shape) throw new DslError(`unknown step "${op}"`);
  // Split arguments from the expectation.
  let j = 1;
  while (j < t.length && t[j] !== '->' && t[j] !== '&' && !CMPS.has(t[j]!)) j++;
  const args = t.slice(1, j);
  const rest = t.slice(j);
  if (args.length < shape.min || args.length > shape.max) {
    const want = shape.min === shape.max ? `${shape.min}` : `${shape.min} to ${shape.max}`;
    throw new DslError(`${op} takes ${want} argument${shape.max === 1 ? '' : 's'}, got ${args.length}`);
  }
  let out: string[] = [];
  let procRef: string | undefined;
  switch (op) {
    case 'shmctl': {
      out = [canonExpr(args[0]!), canonExpr(args[1]!)];
      const cmd = Number(out[1]);
      out.push(args[2] !== undefined ? canonExpr(args[2]) : SHM_BUF_CMDS.has(cmd) ? '$buf' : '0');
      break;
    }
    case 'semctl': {
      out = [canonExpr(args[0]!), canonExpr(args[1]!), canonExpr(args[2]!)];
      const cmd = Number(out[2]);
      out.push(args[3] !== undefined ? canonExpr(args[3]) : SEM_BUF_CMDS.has(cmd) ? '$buf' : '0');
      break;
    }
    case 'semop':
      out = [canonExpr(args[0]!), ...args.slice(1).map(sembuf)];
      break;
    case 'semtimedop':
      out = [canonExpr(args[0]!), args[1] === 'forever' ? '-1' : canonExpr(args[1]!), ...args.slice(2).map(sembuf)];
      break;
    case 'stat': case 'semstat': {
      const f = fieldName(args[1]!);
      if (!f) throw new DslError(`unknown field "${args[1]}"`);
      out = [canonExpr(args[0]!), f];
      break;
    }
    case 'field': case 'setfield': {
      const f = fieldName(args[0]!);
      if (!f) throw new DslError(`unknown field "${args[0]}"`);
      out = [f, ...args.slice(1).map(canonExpr)];
      break;
    }
    case 'store': case 'load':
      if (!TYPES.has(args[1]!)) throw new DslError(`unknown type "${args[1]}" (u8..u64, i8..i64)`);
      out = [canonExpr(args[0]!), args[1]!, ...args.slice(2).map(canonExpr)];
      break;
    case 'set':
      if (!/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(args[0]!)) throw new DslError('set needs a $variable first');
      out = [args[0]!, canonExpr(args[1]!)];
      break;
    case 'repeat':
      out = [canonExpr(args[0]!)];
      if (args[1] !== undefined) {
        if (!/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(args[1])) throw new DslError('repeat N [$var]');
        out.push(args[1]);
      }
      break;
    case 'spawn': case 'wait': case 'kill': case 'signal':
      if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(args[0]!)) throw new DslError(`bad process name "${args[0]}"`);
      procRef = args[0]!;
      out = [args[0]!];
      if (op === 'signal') {
        const sig = SIGNALS[args[1]!];
        if (sig === undefined) throw new DslError(`signal NAME SIG: SIG is one of ${Object.keys(SIGNALS).join(', ')}`);
        out.push(String(sig));
      }
      break;
    default:
      out = args.map(canonExpr);
  }
  // Expectation.
  let k = 0;
  let trap = op === 'trap';
  if (rest[k] === '&') {
    if (rest[k + 1] === undefined) throw new DslError('& needs a mask');
    out.push('&', canonExpr(rest[k + 1]!));
    k += 2;
  }
  if (k < rest.length) {
    const c = rest[k]!;
    const v = rest[k + 1];
    if (v === undefined) throw new DslError(`${c} needs a value`);
    if (rest.length > k + 2) throw new DslError(`unexpected "${rest[k + 2]}" after the expectation`);
    if (c === '->') {
      if (v === 'trap') { trap = true; out.push('->', 'trap'); }
      else if (v === 'ok') out.push('->', 'ok');
      else if (/^\$[A-Za-z_][A-Za-z0-9_]*$/.test(v)) out.push('->', v);
      else if (ERRNO[v] !== undefined) out.push('->', `!${ERRNO[v]}`);
      else throw new DslError(`-> wants $var, ok, trap or an errno name, got "${v}"`);
      if (out.includes('&')) throw new DslError('a mask goes with a comparison, not with ->');
    } else {
      out.push(c, canonExpr(v));
    }
  }
  if (prefix && trap) throw new DslError('cannot await a trap');
  if (['repeat', 'end'].includes(op) && rest.length) throw new DslError(`${op} takes no expectation`);
  return {
    text: prefix + op + (out.length ? ' ' + out.join(' ') : ''), op, ...(procRef ? { procRef } : {}),
    ...(op === 'signal' ? { signal: args[1]! } : {}), trap,
  };
}

// -------------------------------------------------------------------- files

/** Splits a line into tokens; # starts a comment. */
function tokenize(line: string): string[] {
  const hash = line.indexOf('#');
  return (hash >= 0 ? line.slice(0, hash) : line).trim().split(/\s+/).filter(Boolean);
}

/** Parses one case file. Errors become cases with .error set (one per bad case). */
export function parseCaseFile(file: string, text: string, defaultGroup: string): CaseSpec[] {
  const cases: CaseSpec[] = [];
  let cur: CaseSpec | undefined;
  let proc: ProcSpec | undefined;
  let procLines: string[] = [];
  let depth = 0;
  let expectSet = new Set<string>();
  const spawned = new Set<string>();
  const killed = new Set<string>();
  const refs: Array<{ name: string; line: number; signal?: string }> = [];
  const lines = text.split('\n');

  const fail = (line: number, msg: string) => {
    if (cur && !cur.error) cur.error = `${file}:${line}: ${msg}`;
  };
  const closeProc = () => {
    if (!cur || !proc) return;
    proc.script = procLines.join('\n');
    procLines = [];
    proc = undefined;
  };
  const closeCase = () => {
    if (!cur) return;
    if (depth > 0 && proc) fail(cur.line, `repeat without end in process ${proc.name}`);
    closeProc();
    for (const r of refs) {
      const target = cur.procs.find((p) => p.name === r.name);
      if (!target) fail(r.line, `no process named "${r.name}" in this case`);
      else if (r.signal === 'SIGUSR1' && !target.forceNative) fail(r.line, `SIGUSR1 goes to native processes only (Node starts its inspector on it): make ${r.name} "native"`);
    }
    for (const p of cur.procs) {
      if (!expectSet.has(p.name)) p.expect = killed.has(p.name) ? 'killed' : p.hasTrap ? 'trap' : 'exit 0';
      if (p.name !== 'main' && !spawned.has(p.name)) fail(p.line, `process ${p.name} is never spawned`);
    }
    if (cur.procs.every((p) => p.script.trim() === '')) fail(cur.line, 'case has no steps');
    cases.push(cur);
    cur = undefined;
  };

  for (let i = 0; i < lines.length; i++) {
    const ln = i + 1;
    const tok = tokenize(lines[i]!);
    if (tok.length === 0) continue;
    const kw = tok[0]!;
    if (kw === 'case') {
      closeCase();
      const name = lines[i]!.replace(/#.*$/, '').trim().slice(4).trim();
      cur = { name: name || `${file}:${ln}`, group: defaultGroup, file, line: ln, onlyWasm: false, sysctl: {}, timeoutMs: 30000, procs: [] };
      proc = { name: 'main', forceNative: false, hosted: false, expect: 'exit 0', script: '', line: ln, hasTrap: false };
      cur.procs.push(proc);
      depth = 0;
      expectSet = new Set();
      spawned.clear(); killed.clear(); refs.length = 0;
      if (!name) fail(ln, 'case needs a name');
      continue;
    }
    if (!cur) {
      cases.push({ name: `${file}:${ln}`, group: defaultGroup, file, line: ln, onlyWasm: false, sysctl: {}, timeoutMs: 0, procs: [],
        error: `${file}:${ln}: "${kw}" before the first "case" line` });
      // Skip to the next case line.
      while (i + 1 < lines.length && tokenize(lines[i + 1]!)[0] !== 'case') i++;
      continue;
    }
    if (cur.error) continue; // one error per case; the rest of it is skipped
    try {
      switch (kw) {
        case 'group':
          if (tok.length !== 2) throw new DslError('group NAME');
          cur.group = tok[1]!;
          continue;
        case 'only':
          if (tok[1] !== 'wasm' || tok.length !== 2) throw new DslError('only wasm (the guest runner alone)');
          cur.onlyWasm = true;
          continue;
        case 'sysctl':
          if (tok.length < 3 || !/^(shm[a-z_]*|sem)$/.test(tok[1]!)) throw new DslError('sysctl NAME VALUE... (kernel.shm* or kernel.sem of the case namespace)');
          cur.sysctl[tok[1]!] = tok.slice(2).join(' ');
          continue;
        case 'timeout': {
          const s = Number(tok[1]);
          if (tok.length !== 2 || !(s > 0 && s <= 120)) throw new DslError('timeout SECONDS (1..120)');
          cur.timeoutMs = s * 1000;
          continue;
        }
        case 'proc': {
          if (depth > 0) throw new DslError('proc inside repeat');
          const name = tok[1];
          if (!name || !/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new DslError('proc NAME [native|hosted] [uid N]');
          if (cur.procs.some((p) => p.name === name)) throw new DslError(`process ${name} defined twice`);
          closeProc();
          proc = { name, forceNative: false, hosted: false, expect: 'exit 0', script: '', line: ln, hasTrap: false };
          for (let k = 2; k < tok.length; k++) {
            if (tok[k] === 'native') proc.forceNative = true;
            else if (tok[k] === 'hosted') proc.hosted = true;
            else if (tok[k] === 'uid' && /^[0-9]+$/.test(tok[k + 1] ?? '')) proc.uid = Number(tok[++k]);
            else throw new DslError(`unknown proc option "${tok[k]}" (native, hosted, uid N)`);
          }
          cur.procs.push(proc);
          continue;
        }
        case 'expect': {
          const what = tok.slice(1).join(' ');
          if (!/^(exit [0-9]+|trap|killed)$/.test(what)) throw new DslError('expect exit N | trap | killed');
          const p = proc ?? cur.procs[0]!;
          p.expect = what;
          expectSet.add(p.name);
          continue;
        }
      }
      if (!proc) { // steps after a proc block ended cannot happen; defensive
        proc = cur.procs[0]!;
      }
      const low = lowerStep(tok);
      if (low.op === 'repeat') depth++;
      if (low.op === 'end') {
        if (depth === 0) throw new DslError('end without repeat');
        depth--;
      }
      if (low.trap) proc.hasTrap = true;
      if (low.procRef) {
        refs.push({ name: low.procRef, line: ln, ...(low.signal ? { signal: low.signal } : {}) });
        if (low.op === 'spawn') spawned.add(low.procRef);
        if (low.op === 'kill') killed.add(low.procRef);
      }
      procLines.push(`${ln} ${low.text}`);
    } catch (e: any) {
      if (!(e instanceof DslError)) throw e;
      fail(ln, e.message);
    }
  }
  closeCase();
  return cases;
}
