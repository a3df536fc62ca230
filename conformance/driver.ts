// The case driver: runs one case with one runner inside a fresh IPC
// namespace (the suite starts it under `unshare --ipc`). It applies the
// case's sysctls, starts the interpreter processes (main first, peers when a
// process asks with "@spawn NAME"), answers "@wait"/"@kill" requests, and
// prints one JSON RunResult on stdout when every process has ended.
//
// Input (stdin): a DriverInput as JSON.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { ERRNO } from './dsl.js';
import { tgkill } from '../host/libc.js';

/**
 * Sends sig to every thread of process pid, so that whichever thread is
 * blocked (a guest runs on a worker thread of its host) gets it. A thread or
 * process that is gone already is no error.
 */
function signalThreads(pid: number, sig: number): void {
  let tids: string[];
  try { tids = fs.readdirSync(`/proc/${pid}/task`); } catch { return; }
  for (const t of tids) tgkill(pid, Number(t), sig);
}

export interface DriverProc {
  name: string;
  runner: 'native' | 'guest';
  uid?: number;
  /** Guest run by runGuest() in a host process that outlives it (hosted.ts). */
  hosted?: boolean;
  expect: string;
  script: string;
}

export interface DriverInput {
  procs: DriverProc[];
  sysctl: Record<string, string>;
  timeoutMs: number;
  nativeInterp: string;
  guestInterp: string;
  /** Command prefix before every native process (qemu-x86_64, a wrap: command); none by default. */
  nativePrefix?: string[];
  cliPath: string;
  hostedPath: string;
}

export interface ProcResult {
  name: string;
  runner: 'native' | 'guest';
  expect: string;
  outcome: string;
  transcript: string[];
  stderr: string;
}

export interface RunResult {
  pass: boolean;
  /** "pass", or the first thing that went wrong, in one line. */
  detail: string;
  procs: ProcResult[];
  ms: number;
  /**
   * Set when the run could not set the case up because the implementation
   * lacks a feature the case needs (it cannot write a sysctl, cannot make a
   * process another user): one line saying which. Such a run never passes.
   */
  missing?: string;
}

/** A native interpreter's (interp.c) and a guest host's (host/guest.ts) line when the switch to another user failed. */
const UID_SWITCH_FAILED = /FAIL (cannot run as uid \d+: [^(]*)|(cannot run the guest as uid \d+: \S+)/;

const TRAP_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGTRAP', 'SIGFPE', 'SIGABRT']);
/** After main ends as expected, how long peers may take to finish. */
const PEER_GRACE_MS = 5000;

interface Live {
  spec: DriverProc;
  child?: ChildProcess;
  pid?: number;
  result: ProcResult;
  ended: boolean;
  /** hosted: the guest ended (its host process may still run). */
  guestEnded: boolean;
  /** Why the driver killed it, if it did. */
  killedBy?: 'timeout' | 'abort';
  waiters: Array<() => void>;
}

export async function drive(input: DriverInput): Promise<RunResult> {
  const t0 = performance.now();
  for (const [name, value] of Object.entries(input.sysctl)) {
    try {
      fs.writeFileSync(`/proc/sys/kernel/${name}`, value + '\n');
    } catch (e: any) {
      // The case's set-up is impossible here: a missing feature of the
      // implementation, never a pass nor an ordinary difference.
      const missing = `cannot write /proc/sys/kernel/${name} = ${value} (${e?.code ?? e?.message ?? e})`;
      return { pass: false, detail: missing, missing, procs: [], ms: Math.round(performance.now() - t0) };
    }
  }
  const procs = new Map<string, Live>();
  let firstFail: string | undefined;
  for (const p of input.procs) {
    procs.set(p.name, {
      spec: p, ended: false, guestEnded: false, waiters: [],
      result: { name: p.name, runner: p.runner, expect: p.expect, outcome: 'not started', transcript: [], stderr: '' },
    });
  }

  let allDone!: () => void;
  const done = new Promise<void>((r) => { allDone = r; });
  const checkAllDone = () => {
    if ([...procs.values()].every((l) => l.ended || !l.child)) allDone();
  };

  const killAll = (why: 'timeout' | 'abort') => {
    for (const l of procs.values()) {
      if (l.child && !l.ended) { l.killedBy ??= why; l.child.kill('SIGKILL'); }
    }
  };

  const start = (l: Live): number => {
    if (l.child) return -22; // EINVAL: already started
    const { spec } = l;
    // Another user: the process starts as root (so it can load its files
    // wherever the checkout lives) and drops to that user itself.
    const as = spec.uid !== undefined ? ['--uid', String(spec.uid)] : [];
    const prefix = input.nativePrefix ?? [];
    const [cmd, args] = spec.runner === 'native'
      ? prefix.length ? [prefix[0]!, [...prefix.slice(1), input.nativeInterp, ...as, spec.script]] : [input.nativeInterp, [...as, spec.script]]
      : spec.hosted
        ? [process.execPath, [input.hostedPath, ...as, input.guestInterp, spec.script]]
        : [process.execPath, [input.cliPath, 'run', ...as, input.guestInterp, spec.script]];
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    l.child = child;
    l.pid = child.pid;
    l.result.outcome = 'running';
    child.stdin!.on('error', () => { /* the process ended first */ });
    child.stdin!.write(`go ${child.pid}\n`);
    let pending = '';
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      pending += d;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        onLine(l, line);
      }
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (d: string) => { if (l.result.stderr.length < 4000) l.result.stderr += d; });
    child.on('error', (e) => { l.result.stderr += `cannot start: ${e.message}\n`; });
    child.on('close', (code, signal) => {
      if (pending) onLine(l, pending);
      l.ended = true;
      if (!l.guestEnded) guestEnded(l, classify(l, code, signal));
      else if (code !== 0 || signal) l.result.outcome += ` (then its host: ${signal ?? `exit ${code}`})`;
      checkAllDone();
    });
    return child.pid ?? -3;
  };

  /** The guest (or native process) in l ended with this outcome. */
  const guestEnded = (l: Live, outcome: string) => {
    l.guestEnded = true;
    l.result.outcome = outcome;
    for (const w of l.waiters.splice(0)) w();
    // A process that ended wrongly stops the case (its peers could wait
    // for it forever); when main ends well, peers get a grace period.
    if (outcome !== l.spec.expect) killAll('abort');
    else if (l.spec.name === 'main') {
      letHostsGo();
      setTimeout(() => killAll('timeout'), PEER_GRACE_MS).unref();
    }
  };

  /** Hosted guests that ended: their host processes may exit now. */
  const letHostsGo = () => {
    for (const x of procs.values()) if (x.spec.hosted && x.guestEnded && !x.ended) x.child?.stdin?.end();
  };

  const classify = (l: Live, code: number | null, signal: NodeJS.Signals | null): string => {
    if (l.killedBy === 'timeout') return 'timeout';
    if (l.killedBy === 'abort') return 'killed (another process failed)';
    if (signal === 'SIGKILL') return 'killed';
    if (signal) return TRAP_SIGNALS.has(signal) && l.spec.runner === 'native' ? 'trap' : `signal ${signal}`;
    if (l.spec.runner === 'guest' && code === 134 && /wasi-sysv: guest .* trapped: /.test(l.result.stderr)) return 'trap';
    return `exit ${code}`;
  };

  const reply = (l: Live, v: number) => {
    if (!l.guestEnded) l.child!.stdin!.write(`${v}\n`);
  };

  const onLine = (l: Live, line: string) => {
    if (l.spec.hosted && line.startsWith('@ended ')) {
      guestEnded(l, line.slice(7));
      if (procs.get('main')!.guestEnded) letHostsGo();
      return;
    }
    if (!line.startsWith('@')) {
      if (line.length) l.result.transcript.push(line);
      // The first failure in time is the one reported: a process that
      // fails stops its peers, and what they print then is a consequence.
      if (!firstFail && / FAIL /.test(line)) firstFail = `${l.spec.name} ${line}`;
      return;
    }
    const [req, name, arg] = line.slice(1).split(' ');
    const target = procs.get(name ?? '');
    if (!target) { reply(l, -ERRNO.EINVAL!); return; }
    switch (req) {
      case 'spawn': reply(l, start(target)); break;
      case 'wait':
        if (!target.child) reply(l, -ERRNO.EINVAL!);
        else if (target.guestEnded) reply(l, 0);
        else target.waiters.push(() => reply(l, 0));
        break;
      case 'kill':
        if (!target.child) { reply(l, -ERRNO.EINVAL!); break; }
        if (target.guestEnded) { reply(l, 0); break; }
        target.waiters.push(() => reply(l, 0));
        target.child.kill('SIGKILL');
        break;
      case 'signal':
        // To a process that has ended (or whose guest has): nothing to do.
        if (!target.child) { reply(l, -ERRNO.EINVAL!); break; }
        if (!target.guestEnded && target.pid) signalThreads(target.pid, Number(arg));
        reply(l, 0);
        break;
      default: l.result.transcript.push(`bad request ${line}`);
    }
  };

  const main = procs.get('main')!;
  const timer = setTimeout(() => killAll('timeout'), input.timeoutMs);
  start(main);
  await done;
  clearTimeout(timer);

  const results = [...procs.values()].map((l) => l.result);
  return { ...judgeRun(results, firstFail), procs: results, ms: Math.round(performance.now() - t0) };
}

/** Pass when every process ended as expected and no step failed. */
function judgeRun(results: ProcResult[], firstFail?: string): { pass: boolean; detail: string; missing?: string } {
  for (const r of results) {
    const m = UID_SWITCH_FAILED.exec([...r.transcript, r.stderr].join('\n'));
    if (m) {
      const missing = `${r.name}: ${(m[1] ?? m[2]!).trim()}`;
      return { pass: false, detail: missing, missing };
    }
  }
  if (firstFail) return { pass: false, detail: firstFail };
  for (const r of results) {
    const failed = r.transcript.find((t) => / FAIL /.test(t));
    if (failed) return { pass: false, detail: `${r.name} ${failed}` };
  }
  for (const r of results) {
    if (r.outcome !== r.expect) {
      const err = r.stderr.trim().split('\n').filter(Boolean).pop();
      return { pass: false, detail: `${r.name} ended: ${r.outcome}, want ${r.expect}${err ? ` (${err.slice(0, 160)})` : ''}` };
    }
  }
  return { pass: true, detail: 'pass' };
}

