// The differential conformance suite: every case runs natively (the C
// interpreter), as a wasm guest (the AssemblyScript interpreter through the
// host) and as a C guest (the same C interpreter built with wasi-sysv cc,
// through the host), each in a fresh IPC namespace; a case agrees when every
// run meets the case's expectations and their transcripts are identical.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCaseFile, errnoName, type CaseSpec } from './dsl.js';
import { ensureBuilt, type Interpreters } from './build.js';
import type { DriverInput, RunResult } from './driver.js';

/** The package root (dist/conformance/ -> ../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunnerResult {
  /** pass: met every expectation; fail: did not; n/a: not run for this case; skip: cannot run here. */
  status: 'pass' | 'fail' | 'n/a' | 'skip';
  detail: string;
  ms?: number;
  procs?: RunResult['procs'];
}

export interface CaseResult {
  name: string;
  group: string;
  file: string;
  line: number;
  agree: boolean;
  native: RunnerResult;
  /** The AssemblyScript guest. */
  wasm: RunnerResult;
  /** The C guest: conformance/native/interp.c built with wasi-sysv cc. */
  cguest: RunnerResult;
  /** Why the case does not agree (syntax error, failure, transcripts differ). */
  why?: string;
}

export interface SuiteOptions {
  /** Only cases whose name, group, file or process options (native, hosted, uid N) contain this text (case-insensitive). */
  filter?: string;
  /** Runs at a time (default 2). */
  concurrency?: number;
  /** Package root to run from (default: the one this module lives in). */
  root?: string;
  /** Called once for each case file error (one line: file:line: message). */
  onParseError?: (line: string) => void;
  /** Called after each finished run. */
  onProgress?: (done: number, total: number, label: string) => void;
}

/** Reads every case file under conformance/cases, sorted by file name. */
export function loadCases(root: string = ROOT): CaseSpec[] {
  const dir = path.join(root, 'conformance', 'cases');
  const files = fs.readdirSync(dir).filter((n) => n.endsWith('.sysv')).sort();
  const all: CaseSpec[] = [];
  for (const f of files) {
    const rel = path.join('conformance', 'cases', f);
    all.push(...parseCaseFile(rel, fs.readFileSync(path.join(dir, f), 'utf8'), f.replace(/\.sysv$/, '').replace(/^[0-9]+-/, '')));
  }
  return all;
}

const isRoot = () => process.getuid?.() === 0;

const switchChecked = new Map<number, string | null>();
/**
 * Why this machine cannot run a process as `uid`, in one line, or null when
 * it can. The processes themselves start as root and drop to uid after
 * loading (so where the checkout lives does not matter); this asks the
 * kernel once whether that switch is allowed here at all (it is not for an
 * ordinary user, nor in a user namespace that does not map uid).
 */
function cannotSwitchTo(uid: number): string | null {
  let why = switchChecked.get(uid);
  if (why !== undefined) return why;
  if (!isRoot()) why = `needs root to run a process as uid ${uid}`;
  else {
    const r = spawnSync('true', [], { uid, gid: uid, stdio: 'ignore' });
    why = r.error ? `cannot switch to uid ${uid} here (${(r.error as NodeJS.ErrnoException).code ?? r.error.message}): run as root outside a user namespace` : null;
  }
  switchChecked.set(uid, why);
  return why;
}

export type Runner = 'native' | 'wasm' | 'cguest';
/** The runners in the order the table shows them, with their names for people. */
export const RUNNERS: ReadonlyArray<{ key: Runner; label: string }> = [
  { key: 'native', label: 'native' }, { key: 'wasm', label: 'wasm' }, { key: 'cguest', label: 'C guest' },
];

/** Runs one case with one runner in a fresh IPC namespace. */
function runOne(c: CaseSpec, runner: Runner, root: string, interp: Interpreters): Promise<RunResult> {
  const input: DriverInput = {
    procs: c.procs.map((p) => ({
      name: p.name,
      runner: runner === 'native' || p.forceNative ? 'native' : 'guest',
      ...(p.uid !== undefined ? { uid: p.uid } : {}),
      ...(p.hosted ? { hosted: true } : {}),
      expect: p.expect,
      script: p.script,
    })),
    sysctl: c.sysctl,
    timeoutMs: c.timeoutMs,
    nativeInterp: interp.native,
    guestInterp: runner === 'cguest' ? interp.cguest : interp.guest,
    cliPath: path.join(root, 'bin', 'wasi-sysv.js'),
    hostedPath: path.join(root, 'dist', 'conformance', 'hosted.js'),
  };
  const ns = isRoot() ? ['--ipc'] : ['-r', '--ipc'];
  const driver = path.join(root, 'dist', 'conformance', 'driver-main.js');
  return new Promise((resolve) => {
    const child = spawn('unshare', [...ns, '--', process.execPath, driver], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', (e) => { err += e.message; });
    child.on('close', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(last) as RunResult);
      } catch {
        resolve({ pass: false, detail: `driver failed (exit ${code}): ${err.trim().split('\n').slice(-3).join(' | ') || 'no output'}`, procs: [], ms: 0 });
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(input));
  });
}

/** Errno numbers in interpreter output ("E17") shown by name ("EEXIST"). */
export function pretty(s: string): string {
  return s.replace(/\bE(\d+)\b/g, (_, n) => errnoName(Number(n)));
}

function summarize(r: RunResult): RunnerResult {
  return { status: r.pass ? 'pass' : 'fail', detail: pretty(r.detail), ms: r.ms, procs: r.procs };
}

/** The part of a run that must be identical between runners. */
function fingerprint(r: RunResult): string[] {
  return r.procs.map((p) => `${p.name}: ${p.transcript.join(' | ')} => ${p.outcome}`);
}

function firstDifference(a: string[], b: string[], la: string, lb: string): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `${la} ${pretty(a[i] ?? '(none)')} // ${lb} ${pretty(b[i] ?? '(none)')}`;
  }
  return '';
}

export async function runSuite(opts: SuiteOptions = {}): Promise<{ cases: CaseResult[] }> {
  const root = opts.root ?? ROOT;
  let cases = loadCases(root);
  if (opts.filter) {
    const f = opts.filter.toLowerCase();
    // Also a process's options: `--filter uid` picks the cases that run a
    // process as another user, `hosted` those with a host that lives on.
    const procOpts = (c: CaseSpec) => c.procs.map((p) => `${p.forceNative ? 'native ' : ''}${p.hosted ? 'hosted ' : ''}${p.uid !== undefined ? `uid ${p.uid}` : ''}`).join(' ');
    cases = cases.filter((c) => c.name.toLowerCase().includes(f) || c.group.toLowerCase().includes(f) || c.file.toLowerCase().includes(f) || procOpts(c).includes(f));
  }
  const interp = ensureBuilt(root);
  const results: CaseResult[] = cases.map((c) => ({
    name: c.name, group: c.group, file: c.file, line: c.line, agree: false,
    native: { status: 'n/a', detail: '' }, wasm: { status: 'n/a', detail: '' }, cguest: { status: 'n/a', detail: '' },
  }));

  interface Job { i: number; runner: Runner }
  const jobs: Job[] = [];
  const raw = new Map<string, RunResult>();
  cases.forEach((c, i) => {
    const r = results[i]!;
    if (c.error) {
      opts.onParseError?.(c.error);
      r.native = { status: 'fail', detail: c.error };
      r.wasm = { status: 'fail', detail: c.error };
      r.cguest = { status: 'fail', detail: c.error };
      r.why = c.error;
      return;
    }
    const why = c.procs.map((p) => (p.uid !== undefined ? cannotSwitchTo(p.uid) : null)).find((w) => w);
    if (why) {
      r.native = { status: 'skip', detail: why };
      r.wasm = { ...r.native };
      r.cguest = { ...r.native };
      r.agree = true;
      r.why = `skipped: ${why}`;
      return;
    }
    if (!c.onlyWasm) jobs.push({ i, runner: 'native' });
    jobs.push({ i, runner: 'wasm' });
    jobs.push({ i, runner: 'cguest' });
  });

  let next = 0, done = 0;
  const total = jobs.length;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const c = cases[job.i]!;
      const rr = await runOne(c, job.runner, root, interp);
      raw.set(`${job.i}/${job.runner}`, rr);
      results[job.i]![job.runner] = summarize(rr);
      opts.onProgress?.(++done, total, `${c.name} (${job.runner})`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));

  cases.forEach((c, i) => {
    const r = results[i]!;
    if (c.error || r.why?.startsWith('skipped')) return;
    // Every run must pass, and each must print what the first one did
    // (guest-boundary cases: the two guests, without a native run).
    const runs = RUNNERS.filter((x) => !(c.onlyWasm && x.key === 'native')).map((x) => ({ ...x, r: raw.get(`${i}/${x.key}`)! }));
    const failed = runs.find((x) => !x.r.pass);
    const first = runs[0]!;
    const diff = runs.slice(1).map((x) => firstDifference(fingerprint(first.r), fingerprint(x.r), first.label, x.label)).find((d) => d) ?? '';
    r.agree = !failed && diff === '';
    if (failed) r.why = `${failed.label}: ${pretty(failed.r.detail)}`;
    else if (diff) r.why = `runs differ: ${diff}`;
  });
  return { cases: results };
}
