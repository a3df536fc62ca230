// The lab supervisor: runs inside the lab's own IPC and PID namespaces, as
// their init (cli.ts re-executes itself there). It writes the IPC limits into
// the namespace's /proc/sys/kernel, starts every process instance as a real
// OS process (wasm ones through the wasi-sysv CLI, native ones directly,
// each under lab-exec for RLIMIT_CPU and wait4's rusage), caps their output,
// enforces the lab's wall time, reads what IPC objects are left, runs the
// checks and writes the report. Being the namespace's init, its death (even
// by SIGKILL) makes the kernel kill every process of the lab, and the IPC
// namespace, with every object in it, goes with its last process.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './build.js';
import type { Check, DirSpec, Lab, ProcessSpec } from './schema.js';
import { deriveSeed } from './seeds.js';

const CLI = path.join(ROOT, 'bin/wasi-sysv.js');
const TRACE_LINE = /^(shmget|shmat|shmdt|shmctl|semget|semop|semtimedop|semctl)\(.*\) = /;
const TRAP_LINE = /^wasi-sysv: guest .* trapped: (.*?)(?: \(in (.*)\))?$/;
const SIGNAL_NAMES: Record<number, string> = Object.fromEntries(Object.entries(os.constants.signals).map(([k, v]) => [v, k]));

export type Verdict = 'ok' | 'exit' | 'trap' | 'timeout' | 'memory' | 'output' | 'deadlock' | 'killed' | 'error';

export interface ProcessReport {
  name: string; index: number; pid: number | null;
  verdict: Verdict;
  /** The exit status, or null when it ended by a signal or never ran. */
  exit: number | null;
  signal: string | null;
  /** What happened, for people: the trap message and function, the limit, the signal. */
  why: string;
  wallMs: number; cpuMs: number | null;
  /** A wasm guest's linear memory at its end (its peak), in 64 KiB pages, from the CLI's --status-fd; null for native programs or when it was killed. */
  peakPages: number | null;
  /** memory.grow calls refused at memoryPages (wasm guests; 0 for native programs). */
  memoryRefused: number;
  /** sysv calls made (wasm guests, from the CLI's --trace); null for native programs. */
  calls: number | null;
  /** The --perturb seed this wasm instance ran with (race hunting), or null. */
  perturbSeed: number | null;
  stdout: string; stderr: string;
}

export interface IpcState {
  shm: Array<{ key: number; id: number; perms: string; size: number; cpid: number; lpid: number; nattch: number }>;
  sem: Array<{ key: number; id: number; nsems: number; sems: Array<{ value: number; ncnt: number; zcnt: number; pid: number }> }>;
}

export interface LabReport {
  lab: string;
  file: string;
  verdict: 'pass' | 'fail' | 'deadlock' | 'error';
  /** The run seed of --seed (race hunting), or null when not perturbed. */
  seed: number | null;
  why: string;
  wallMs: number;
  processes: ProcessReport[];
  checks: Array<{ check: string; pass: boolean; why: string }>;
  deadlock: Deadlock | null;
  ipc: IpcState;
}

/** The wait-for picture when every live process of the lab waited in semop. */
export interface Deadlock {
  graceMs: number;
  processes: Array<{ name: string; index: number; pid: number; semid: number; key: number | null;
    ops: Array<{ num: number; op: number; flg: number }> }>;
  /** The sets they wait on, as they were: value, semncnt, semzcnt and sempid of each semaphore. */
  sets: IpcState['sem'];
  /**
   * A circle of waits, when one is seen: each process waits on a semaphore
   * (semid, num) last changed (sempid, for a lock: taken) by the next one,
   * and the last by the first. Null when no such circle shows (a process
   * waiting on a semaphore that nobody of the circle touched last).
   */
  cycle: Array<{ name: string; index: number; pid: number; semid: number; num: number }> | null;
  text: string;
}

export interface SuperviseOptions {
  jsonPath?: string; traceDir?: string; helpers: { exec: string; ipc: string };
  /** Race hunting: each wasm instance runs with --perturb deriveSeed(seed, name, index). */
  seed?: number;
  /** Watching the lab as it runs (the live view, view/): called on each event, synchronously. */
  onEvent?: (e: LabEvent) => void;
}

/**
 * What a watcher of a running lab is told. The process reports are the live
 * objects the supervisor fills in (pid, calls, verdict): read, never write.
 * Times are milliseconds since `begin` (performance.now() - tp0), as in the trace.
 */
export type LabEvent =
  | { kind: 'begin'; tp0: number }
  | { kind: 'start'; process: ProcessReport }
  | { kind: 'call'; t: number; pid: number; line: string; process: ProcessReport }
  | { kind: 'exit'; process: ProcessReport }
  | { kind: 'done'; report: LabReport };

interface Running {
  report: ProcessReport;
  stop(reason: { verdict: Verdict; why: string }): void;
  done: Promise<void>;
}

/** Writes the lab's IPC limits into this IPC namespace's /proc/sys/kernel. */
function applyIpcLimits(lab: Lab): void {
  const l = lab.limits;
  const put = (name: string, v: number | string) => fs.writeFileSync(`/proc/sys/kernel/${name}`, `${v}\n`);
  if (l.shmmni !== undefined) put('shmmni', l.shmmni);
  if (l.shmallPages !== undefined) put('shmall', l.shmallPages);
  if (l.shmmaxBytes !== undefined) put('shmmax', l.shmmaxBytes);
  if ([l.semmsl, l.semmns, l.semopm, l.semmni].some((v) => v !== undefined)) {
    const cur = fs.readFileSync('/proc/sys/kernel/sem', 'utf8').trim().split(/\s+/).map(Number);
    const sem = [l.semmsl ?? cur[0], l.semmns ?? cur[1], l.semopm ?? cur[2], l.semmni ?? cur[3]];
    put('sem', sem.join(' '));
  }
}

/** Each wasm process's linear memory when the lab file gives no memoryPages: 256 MiB. */
export const DEFAULT_MEMORY_PAGES = 4096;

/** The processes limit over a whole tree when the lab file gives none: a spawn loop must end somewhere. */
export const DEFAULT_PROCESSES = 64;

/**
 * The lab's `processes` limit over every tree of spawns (proc.spawn): a FIFO
 * holding one byte per process the lab may still start beyond its own
 * instances. Every wasm guest gets its path (--spawn-tokens), and so does
 * every child it spawns: a spawn takes a byte (none left: EAGAIN), reaping
 * the child gives it back. The supervisor keeps it open (a FIFO's bytes die
 * with its last reader) until the lab ends. A child whose parent ended
 * without waiting for it keeps its byte (counted, conservatively) until the
 * lab ends.
 */
function openSpawnTokens(lab: Lab): { path: string; close(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-lab-tokens-'));
  const fifo = path.join(dir, 'spawn-tokens');
  const r = spawnSync('mkfifo', ['-m', '0600', fifo], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${r.stderr || r.error?.message}`);
  const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
  const instances = lab.processes.reduce((n, p) => n + p.count, 0);
  const limit = lab.limits.processes ?? Math.max(DEFAULT_PROCESSES, instances);
  if (limit > instances) fs.writeSync(fd, Buffer.alloc(limit - instances, 't'));
  return {
    path: fifo,
    close() { fs.closeSync(fd); fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

/** Every shm segment and semaphore set of this IPC namespace, with each semaphore's state. */
export function readIpc(ipcHelper: string): IpcState {
  const shm: IpcState['shm'] = [];
  const lines = fs.readFileSync('/proc/sysvipc/shm', 'utf8').trim().split('\n').slice(1);
  for (const l of lines) {
    const f = l.trim().split(/\s+/).map(Number);
    if (f.length < 7) continue;
    shm.push({ key: f[0]!, id: f[1]!, perms: '0' + f[2]!.toString(), size: f[3]!, cpid: f[4]!, lpid: f[5]!, nattch: f[6]! });
  }
  const r = spawnSync(ipcHelper, [], { encoding: 'utf8', timeout: 10_000 });
  if (r.status !== 0) throw new Error(`lab-ipc failed: ${r.stderr || r.error?.message}`);
  return { shm, sem: JSON.parse(r.stdout).sem };
}

function expand(args: string[], i: number): string[] {
  return args.map((a) => a.replaceAll('{i}', String(i)));
}

function startInstance(lab: Lab, spec: ProcessSpec, index: number, tp0: number, deadline: number,
  helpers: SuperviseOptions['helpers'], trace: Array<{ t: number; pid: number; line: string }>, seed: number | undefined,
  tokens: string, onEvent?: SuperviseOptions['onEvent']): Running {
  const args = expand(spec.args, index);
  // Native programs' calls do not pass through the host: they are not perturbed.
  const perturbSeed = seed !== undefined && spec.wasm ? deriveSeed(seed, spec.name, index) : null;
  const remaining = Math.max(1, Math.ceil((deadline - Date.now()) / 1000) + 1);
  const program = spec.wasm
    ? [process.execPath, CLI, 'run', '--trace', '--timeout', String(remaining), '--status-fd', '4', '--spawn-tokens', tokens,
      '--memory-pages', String(lab.limits.memoryPages ?? DEFAULT_MEMORY_PAGES),
      ...[...lab.dirs, ...spec.dirs].flatMap((d) => ['--dir', dirSpec(d)]),
      ...(perturbSeed !== null ? ['--perturb', String(perturbSeed)] : []),
      ...Object.entries(lab.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), spec.wasm, ...args]
    : [...spec.native!, ...args];
  const cpu = lab.limits.cpuSeconds ? Math.ceil(lab.limits.cpuSeconds) : 0;
  const stdinFd = spec.stdin ? fs.openSync(spec.stdin, 'r') : undefined;
  const started = Date.now();
  const child = spawn(helpers.exec, [String(cpu), ...program], {
    cwd: lab.dir,
    // Guests get no host environment: the CLI gets none (the lab's goes in
    // with --env), a native program gets the lab's.
    env: spec.wasm ? {} : { ...lab.env },
    // fd 3: lab-exec's report; fd 4: the wasm CLI's --status-fd.
    stdio: [stdinFd ?? 'ignore', 'pipe', 'pipe', 'pipe', spec.wasm ? 'pipe' : 'ignore'],
    // A session of its own: a terminal's Ctrl-C reaches the supervisor only,
    // which stops every process itself (so each gets the verdict killed).
    detached: true,
  });
  if (stdinFd !== undefined) fs.closeSync(stdinFd);
  const report: ProcessReport = {
    name: spec.name, index, pid: null, verdict: 'ok', exit: null, signal: null, why: '',
    wallMs: 0, cpuMs: null, peakPages: null, memoryRefused: 0, calls: spec.wasm ? 0 : null, perturbSeed, stdout: '', stderr: '',
  };
  let stopped: { verdict: Verdict; why: string } | undefined;
  const stop = (reason: { verdict: Verdict; why: string }) => {
    if (stopped || report.wallMs) return;
    stopped = reason;
    // lab-exec SIGKILLs the program and still reports its rusage.
    child.kill('SIGTERM');
  };
  const cap = lab.limits.outputBytes;
  let outBytes = 0;
  const count = (n: number) => {
    outBytes += n;
    if (outBytes > cap) stop({ verdict: 'output', why: `more than outputBytes = ${cap} bytes of output` });
  };
  const keep = (cur: string, add: string) => (cur.length >= cap ? cur : (cur + add).slice(0, cap));
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => { count(Buffer.byteLength(d)); report.stdout = keep(report.stdout, d); });
  let errBuf = '';
  const errLine = (line: string) => {
    if (spec.wasm && TRACE_LINE.test(line)) {
      report.calls! += 1;
      const entry = { t: performance.now() - tp0, pid: report.pid ?? 0, line };
      trace.push(entry);
      onEvent?.({ kind: 'call', ...entry, process: report });
      return;
    }
    count(Buffer.byteLength(line) + 1);
    report.stderr = keep(report.stderr, line + '\n');
  };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    errBuf += d;
    let nl: number;
    while ((nl = errBuf.indexOf('\n')) >= 0) { errLine(errBuf.slice(0, nl)); errBuf = errBuf.slice(nl + 1); }
  });
  let status = '';
  const fd3 = child.stdio[3] as NodeJS.ReadableStream;
  fd3.setEncoding('utf8');
  fd3.on('data', (d: string) => {
    status += d;
    const m = /^pid (\d+)$/m.exec(status);
    if (m && report.pid === null) report.pid = Number(m[1]);
  });
  let statusLine = '';
  if (spec.wasm) {
    const fd4 = child.stdio[4] as NodeJS.ReadableStream;
    fd4.setEncoding('utf8');
    fd4.on('data', (d: string) => { statusLine += d; });
  }
  const done = new Promise<void>((resolve) => {
    child.on('error', (e) => { report.verdict = 'error'; report.why = `cannot start lab-exec: ${e.message}`; });
    child.on('close', () => {
      if (errBuf) errLine(errBuf);
      report.wallMs = Math.max(1, Date.now() - started);
      try {
        const st = JSON.parse(statusLine.split('\n')[0]!);
        if (Number.isInteger(st.peakPages)) report.peakPages = st.peakPages;
        if (Number.isInteger(st.memoryRefused)) report.memoryRefused = st.memoryRefused;
      } catch { /* killed before it could say: unknown */ }
      const end = /^(exit|signal|error) (.*)$/m.exec(status);
      if (!end) {
        report.verdict = 'error';
        report.why ||= 'lab-exec ended without a report';
      } else if (end[1] === 'error') {
        report.verdict = 'error';
        report.why = end[2]!;
      } else {
        const [code, ut, st] = end[2]!.split(' ').map(Number) as [number, number, number];
        report.cpuMs = Math.round((ut + st) / 1000);
        const limit = lab.limits.cpuSeconds;
        if (end[1] === 'signal') {
          report.signal = SIGNAL_NAMES[code] ?? `signal ${code}`;
          if (stopped) Object.assign(report, stopped);
          else if (limit !== undefined && (code === os.constants.signals.SIGXCPU || (code === os.constants.signals.SIGKILL && report.cpuMs >= limit * 1000))) {
            report.verdict = 'timeout'; report.why = `CPU time over cpuSeconds = ${limit}`;
          } else { report.verdict = 'killed'; report.why = `killed by ${report.signal}`; }
        } else {
          report.exit = code;
          const trap = spec.wasm && code === 134 ? report.stderr.split('\n').map((l) => TRAP_LINE.exec(l)).find(Boolean) : undefined;
          const refused = report.memoryRefused > 0 && code !== 0 && code !== 124;
          if (stopped) Object.assign(report, stopped);
          else if (refused) {
            report.verdict = 'memory';
            report.why = `memory.grow refused at memoryPages = ${lab.limits.memoryPages ?? DEFAULT_MEMORY_PAGES}` +
              (trap ? `, then trapped: ${trap[1]}${trap[2] ? ` (in ${trap[2]})` : ''}` : `, then exit status ${code}`);
          } else if (trap) { report.verdict = 'trap'; report.why = trap[2] ? `${trap[1]} (in ${trap[2]})` : trap[1]!; }
          else if (spec.wasm && code === 124) { report.verdict = 'timeout'; report.why = `wall time over wallSeconds = ${lab.limits.wallSeconds}`; }
          else if (code === 0) report.verdict = 'ok';
          else if (spec.wasm && code === 1 && report.calls === 0 && /^wasi-sysv: /.test(report.stderr) && !report.stdout) {
            // The CLI could not load the module (not wasm, not a WASI command...): its one line says why.
            report.verdict = 'error'; report.why = report.stderr.trim().split('\n')[0]!.replace(/^wasi-sysv: /, '');
          }
          else { report.verdict = 'exit'; report.why = `exit status ${code}`; }
        }
      }
      onEvent?.({ kind: 'exit', process: report });
      resolve();
    });
  });
  onEvent?.({ kind: 'start', process: report });
  return { report, stop, done };
}

/** A lab `dirs` entry as the CLI's --dir HOST:GUEST[:ro]. */
function dirSpec(d: DirSpec): string {
  return `${d.host}:${d.guest}${d.readOnly ? ':ro' : ''}`;
}

function label(p: ProcessReport): string { return `${p.name}[${p.index}]`; }

function instancesOk(ps: ProcessReport[], ok: (p: ProcessReport) => string | null): { pass: boolean; why: string } {
  const bad = ps.map((p) => [p, ok(p)] as const).filter(([, why]) => why !== null);
  if (ps.length === 0) return { pass: false, why: 'no instance ran' };
  if (bad.length === 0) return { pass: true, why: `all ${ps.length} instance(s)` };
  return { pass: false, why: bad.map(([p, why]) => `${label(p)}: ${why}`).join('; ') };
}

/** A check as one line of the report (the class table's legend uses it too). */
export function describe(c: Check): string {
  if ('exit' in c) return `${c.process} exits ${c.exit}`;
  if ('stdout' in c) return `${c.process} prints ${JSON.stringify(c.stdout)}`;
  if ('sem' in c) return `sem 0x${(c.sem >>> 0).toString(16)}[${c.index}] == ${c.equals}`;
  if ('ipcEmpty' in c) return 'no IPC object left';
  return `command ${c.command.map((a) => path.basename(a)).join(' ')}`;
}

function runCommand(lab: Lab, cmd: string[], reportPath: string): { pass: boolean; why: string } {
  const argv = cmd[0]!.endsWith('.wasm')
    ? [process.execPath, CLI, 'run', '--timeout', '30', ...Object.entries(lab.env).flatMap(([k, v]) => ['--env', `${k}=${v}`]), cmd[0]!, ...cmd.slice(1), reportPath]
    : [...cmd, reportPath];
  const r = spawnSync(argv[0]!, argv.slice(1), { cwd: lab.dir, env: cmd[0]!.endsWith('.wasm') ? {} : { ...lab.env }, encoding: 'utf8', timeout: 60_000 });
  const last = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.trim().split('\n').filter(Boolean).pop() ?? '';
  if (r.error) return { pass: false, why: r.error.message };
  return { pass: r.status === 0, why: r.status === 0 ? last : `exit ${r.status ?? r.signal}${last ? `: ${last}` : ''}` };
}

// x86-64 system call numbers, as /proc/PID/task/TID/syscall shows them.
const SYS_SEMOP = 65;
const SYS_SEMTIMEDOP = 220;

/**
 * The semop a process waits in without a timeout, read from
 * /proc/PID/task/TID/syscall (number, then the arguments), or null when none
 * of its threads does. The sops are read from /proc/PID/mem: the same way
 * for a native program and for a wasm guest's host (whose kernel call works
 * on the guest's own sembuf array).
 */
export function semWait(pid: number): { semid: number; ops: Array<{ num: number; op: number; flg: number }> } | null {
  let tasks: string[];
  try { tasks = fs.readdirSync(`/proc/${pid}/task`); } catch { return null; }
  for (const t of tasks) {
    let line: string;
    try { line = fs.readFileSync(`/proc/${pid}/task/${t}/syscall`, 'utf8').trim(); } catch { continue; }
    const f = line.split(' ');
    const nr = Number(f[0]);
    if (nr !== SYS_SEMOP && !(nr === SYS_SEMTIMEDOP && BigInt(f[4] ?? '1') === 0n)) continue;
    const semid = Number(BigInt(f[1]!));
    const sops = BigInt(f[2]!);
    const nsops = Math.min(Number(BigInt(f[3]!)), 64);
    const ops: Array<{ num: number; op: number; flg: number }> = [];
    try {
      const fd = fs.openSync(`/proc/${pid}/mem`, 'r');
      try {
        const b = Buffer.alloc(nsops * 6);
        if (fs.readSync(fd, b, 0, b.length, sops as unknown as number) === b.length) {
          for (let i = 0; i < nsops; i++) ops.push({ num: b.readUInt16LE(i * 6), op: b.readInt16LE(i * 6 + 2), flg: b.readInt16LE(i * 6 + 4) });
        }
      } finally { fs.closeSync(fd); }
    } catch { /* the ops stay unknown */ }
    return { semid, ops };
  }
  return null;
}

/**
 * The wait-for circle of a deadlock: an edge from a waiting process to the
 * process that last changed (sempid) a semaphore it cannot pass, followed
 * from the first process until a process repeats.
 */
export function waitCycle(procs: Deadlock['processes'], sets: IpcState['sem']): Deadlock['cycle'] {
  const next = new Map<number, { pid: number; semid: number; num: number }>();
  for (const p of procs) {
    const set = sets.find((s) => s.id === p.semid);
    for (const o of p.ops) {
      const sem = set?.sems[o.num];
      if (!sem) continue;
      const blocked = o.op < 0 ? sem.value < -o.op : o.op === 0 && sem.value !== 0;
      if (blocked && sem.pid !== p.pid && procs.some((q) => q.pid === sem.pid)) { next.set(p.pid, { pid: sem.pid, semid: p.semid, num: o.num }); break; }
    }
  }
  for (const start of procs) {
    const path: number[] = [];
    let at: number | undefined = start.pid;
    while (at !== undefined && !path.includes(at)) { path.push(at); at = next.get(at)?.pid; }
    if (at === undefined) continue;
    return path.slice(path.indexOf(at)).map((pid) => {
      const p = procs.find((q) => q.pid === pid)!;
      const e = next.get(pid)!;
      return { name: p.name, index: p.index, pid, semid: e.semid, num: e.num };
    });
  }
  return null;
}

function deadlockText(d: Omit<Deadlock, 'text'>, procs: ProcessReport[]): string {
  const who = (pid: number) => { const p = procs.find((x) => x.pid === pid); return p ? `${label(p)} (pid ${pid})` : `pid ${pid}`; };
  const hex = (k: number | null) => (k === null ? '?' : `0x${(k >>> 0).toString(16)}`);
  const lines = [`deadlock: every live process has waited in semop for more than ${(d.graceMs / 1000).toFixed(1)} s`];
  for (const p of d.processes) {
    lines.push(`  ${label(p as any)} (pid ${p.pid}) waits on set ${hex(p.key)} (id ${p.semid}): ` +
      (p.ops.map((o) => `sem ${o.num} ${o.op > 0 ? '+' : ''}${o.op}${o.op === 0 ? ' (wait for zero)' : ''}${o.flg ? ` flags ${o.flg}` : ''}`).join(', ') || 'ops unknown'));
  }
  for (const s of d.sets) {
    lines.push(`  set ${hex(s.key)} (id ${s.id}): ` + s.sems.map((x, i) =>
      `sem ${i} = ${x.value} (${x.ncnt} waiting to decrease, ${x.zcnt} for zero; last changed by ${x.pid ? who(x.pid) : 'nobody'})`).join('; '));
  }
  if (d.cycle) {
    lines.push(`  circle of waits: ${d.cycle.map((c) => `${label(c as any)} -(sem ${c.num})-> `).join('')}${label(d.cycle[0] as any)}` +
      ' (each waits on a semaphore the next one changed last)');
  }
  return lines.join('\n');
}

/** Runs the lab here (in its namespace); returns the report. */
export async function supervise(lab: Lab, opts: SuperviseOptions): Promise<LabReport> {
  // Node hands NODE_V8_COVERAGE (set under c8) to every child whatever env
  // it is given: a lab's programs must see only the lab's environment.
  delete process.env.NODE_V8_COVERAGE;
  applyIpcLimits(lab);
  const spawnTokens = openSpawnTokens(lab);
  const t0 = Date.now();
  // Trace times: when the supervisor read each line, in seconds since the lab started.
  const tp0 = performance.now();
  opts.onEvent?.({ kind: 'begin', tp0 });
  const deadline = t0 + lab.limits.wallSeconds * 1000;
  const trace: Array<{ t: number; pid: number; line: string }> = [];
  const all: Running[] = [];
  let interrupted: string | undefined;
  let wallHit = false;
  const live = new Set<Running>();
  const stopAll = (verdict: Verdict, why: string) => { for (const r of live) r.stop({ verdict, why }); };
  const wallTimer = setTimeout(() => { wallHit = true; stopAll('timeout', `lab wall time over wallSeconds = ${lab.limits.wallSeconds}`); }, lab.limits.wallSeconds * 1000);
  const onSignal = (sig: NodeJS.Signals) => {
    interrupted = sig;
    stopAll('killed', `lab stopped by ${sig}`);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, onSignal);

  // Deadlock: every live process waiting in semop (no timeout), sampled every
  // 200 ms, with no semaphore of the namespace changing, for longer than the grace.
  const graceMs = (lab.limits.deadlockGraceSeconds ?? 1) * 1000;
  // (Asserted: set in the watcher, which TypeScript does not follow.)
  let deadlock = null as Deadlock | null;
  let blockedSince: number | undefined;
  let fingerprint = '';
  const watcher = setInterval(() => {
    if (deadlock || wallHit || interrupted) return;
    const running = [...live].filter((r) => r.report.pid !== null);
    if (running.length === 0 || running.length !== live.size) { blockedSince = undefined; return; }
    const waits = running.map((r) => semWait(r.report.pid!));
    if (waits.some((w) => w === null)) { blockedSince = undefined; return; }
    let ipc: IpcState;
    try { ipc = readIpc(opts.helpers.ipc); } catch { return; }
    const fp = JSON.stringify(ipc.sem);
    if (blockedSince === undefined || fp !== fingerprint) { blockedSince = Date.now(); fingerprint = fp; return; }
    if (Date.now() - blockedSince < graceMs) return;
    const d: Omit<Deadlock, 'text'> = {
      graceMs,
      processes: running.map((r, i) => ({ name: r.report.name, index: r.report.index, pid: r.report.pid!, semid: waits[i]!.semid,
        key: ipc.sem.find((x) => x.id === waits[i]!.semid)?.key ?? null, ops: waits[i]!.ops })),
      sets: ipc.sem.filter((x) => waits.some((w) => w!.semid === x.id)),
      cycle: null,
    };
    d.cycle = waitCycle(d.processes, d.sets);
    deadlock = { ...d, text: deadlockText(d, all.map((r) => r.report)) };
    stopAll('deadlock', 'blocked in semop in a deadlock');
  }, 200);

  const launch = (specs: ProcessSpec[]) => {
    const batch: Running[] = [];
    for (const spec of specs) {
      for (let i = 0; i < spec.count; i++) {
        const r = startInstance(lab, spec, i, tp0, deadline, opts.helpers, trace, opts.seed, spawnTokens.path, opts.onEvent);
        all.push(r); batch.push(r); live.add(r);
        r.done.then(() => live.delete(r));
      }
    }
    return Promise.all(batch.map((r) => r.done));
  };
  for (const spec of lab.processes.filter((p) => p.before)) {
    if (wallHit || interrupted || deadlock) break;
    await launch([spec]);
  }
  if (!wallHit && !interrupted && !deadlock) await launch(lab.processes.filter((p) => !p.before));
  clearTimeout(wallTimer);
  clearInterval(watcher);
  spawnTokens.close();

  const processes = all.map((r) => r.report);
  const ipc = readIpc(opts.helpers.ipc);
  const report: LabReport = {
    lab: lab.name, file: lab.file, verdict: 'pass', seed: opts.seed ?? null, why: '', wallMs: 0,
    processes, checks: [], deadlock, ipc,
  };
  if (interrupted) {
    report.verdict = 'error';
    report.why = `stopped by ${interrupted}`;
  } else {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-lab-'));
    const reportPath = opts.jsonPath ?? path.join(tmp, 'report.json');
    try {
      for (const c of lab.checks) {
        let res: { pass: boolean; why: string };
        if ('exit' in c) {
          res = instancesOk(processes.filter((p) => p.name === c.process), (p) =>
            p.exit === c.exit && (p.verdict === 'ok' || p.verdict === 'exit') ? null : `${p.verdict}${p.exit !== null ? ` ${p.exit}` : ''}${p.why ? ` (${p.why})` : ''}`);
        } else if ('stdout' in c) {
          res = instancesOk(processes.filter((p) => p.name === c.process), (p) => p.stdout.includes(c.stdout) ? null : 'not in its output');
        } else if ('sem' in c) {
          const set = ipc.sem.find((s) => s.key === c.sem);
          const v = set?.sems[c.index]?.value;
          res = !set ? { pass: false, why: 'no such semaphore set' }
            : v === undefined ? { pass: false, why: `the set has ${set.nsems} semaphore(s)` }
            : { pass: v === c.equals, why: `value ${v}` };
        } else if ('ipcEmpty' in c) {
          const n = ipc.shm.length + ipc.sem.length;
          res = { pass: n === 0, why: n === 0 ? 'none' : `${ipc.shm.length} segment(s), ${ipc.sem.length} semaphore set(s) left` };
        } else {
          // The command gets the report as it stands (processes, ipc, the checks before it).
          report.wallMs = Date.now() - t0;
          fs.writeFileSync(reportPath, JSON.stringify(report, null, 2) + '\n');
          res = runCommand(lab, c.command, reportPath);
        }
        report.checks.push({ check: describe(c), ...res });
      }
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
    const failed = report.checks.filter((c) => !c.pass);
    const badProcs = processes.filter((p) => p.verdict === 'error');
    if (badProcs.length) {
      // One line per distinct reason (three instances of one broken module say it once).
      const byWhy = new Map<string, string[]>();
      for (const p of badProcs) byWhy.set(p.why, [...(byWhy.get(p.why) ?? []), label(p)]);
      report.verdict = 'error'; report.why = [...byWhy].map(([why, who]) => `${who.join(', ')}: ${why}`).join('; ');
    }
    else if (deadlock) { report.verdict = 'deadlock'; report.why = `${deadlock.processes.length} process(es) deadlocked in semop`; }
    else if (failed.length) { report.verdict = 'fail'; report.why = `${failed.length} of ${report.checks.length} check(s) failed`; }
    else report.why = `${report.checks.length} check(s) passed`;
  }
  report.wallMs = Date.now() - t0;

  if (opts.traceDir) {
    fs.mkdirSync(opts.traceDir, { recursive: true });
    const lines = trace.sort((a, b) => a.t - b.t).map((e) => `${String(e.pid).padEnd(6)} ${(e.t / 1000).toFixed(6)} ${e.line}`);
    fs.writeFileSync(path.join(opts.traceDir, 'trace.txt'), lines.join('\n') + (lines.length ? '\n' : ''));
  }
  if (opts.jsonPath) fs.writeFileSync(opts.jsonPath, JSON.stringify(report, null, 2) + '\n');
  opts.onEvent?.({ kind: 'done', report });
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, onSignal);
  return report;
}

const cell = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));

/** The report as a terminal table. */
export function formatReport(r: LabReport): string {
  const nameW = Math.max(7, ...r.processes.map((p) => label(p).length));
  const out = [
    `${cell('process', nameW)}  ${cell('pid', 6)}  ${cell('verdict', 8)}  ${cell('exit', 7)}  ${'wall ms'.padStart(8)}  ${'cpu ms'.padStart(7)}  ${'pages'.padStart(5)}  ${'calls'.padStart(7)}  why`,
  ];
  for (const p of r.processes) {
    out.push(`${cell(label(p), nameW)}  ${cell(String(p.pid ?? '-'), 6)}  ${cell(p.verdict, 8)}  ${cell(p.exit === null ? (p.signal ?? '-') : String(p.exit), 7)}  ` +
      `${String(p.wallMs).padStart(8)}  ${String(p.cpuMs ?? '-').padStart(7)}  ${String(p.peakPages ?? '-').padStart(5)}  ${String(p.calls ?? '-').padStart(7)}  ${p.why}`);
  }
  out.push('');
  for (const c of r.checks) out.push(`${c.pass ? 'PASS' : 'FAIL'}  ${c.check}${c.why ? `: ${c.why}` : ''}`);
  if (r.checks.length) out.push('');
  const left = r.ipc.shm.length + r.ipc.sem.length;
  if (left) out.push(`left at the end: ${r.ipc.shm.map((s) => `shm key 0x${(s.key >>> 0).toString(16)} id ${s.id} (${s.size} bytes)`).concat(r.ipc.sem.map((s) => `sem key 0x${(s.key >>> 0).toString(16)} id ${s.id} [${s.sems.map((x) => x.value).join(' ')}]`)).join(', ')}`);
  if (r.deadlock) out.push(r.deadlock.text, '');
  out.push(`lab ${r.lab}: ${r.verdict.toUpperCase()} (${r.why}; ${(r.wallMs / 1000).toFixed(2)} s)`);
  return out.join('\n');
}
