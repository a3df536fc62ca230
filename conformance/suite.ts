// The differential conformance suite: every case runs natively (the C
// interpreter), as a wasm guest (the AssemblyScript interpreter through the
// host) and as a C guest (the C interpreter built with wasi-sysv cc), each in
// a fresh IPC namespace (and on any other target of targets.ts); a case
// agrees when every run of this project's meets the case's expectations and
// their transcripts are native's (for guest-only cases: each other's).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCaseFile, errnoName, type CaseSpec } from './dsl.js';
import type { DriverInput, RunResult } from './driver.js';
import { DEFAULT_TARGETS, TARGETS, resolveTarget, type Target, type TargetPlan } from './targets.js';

/** The package root (dist/conformance/ -> ../..). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface RunnerResult {
  /**
   * pass: met every expectation; fail: did not; n/a: not run for this case;
   * skip: cannot run here; missing: the implementation lacks a feature the
   * case's set-up needs (a sysctl it cannot write, a user it cannot become).
   */
  status: 'pass' | 'fail' | 'n/a' | 'skip' | 'missing';
  detail: string;
  ms?: number;
  procs?: RunResult['procs'];
}

/**
 * One cell of the matrix: a case on a target, judged against native.
 * pass: met the case's expectations with the same transcripts as native;
 * differ: did not (`why`: the first difference or failure); n/a: not run
 * (a guest-only case on a target without guests); missing: a feature the
 * case needs is missing; skip: this machine cannot run the case at all.
 * The native column itself is pass or fail (against the expectations).
 */
export interface TargetResult {
  status: 'pass' | 'fail' | 'differ' | 'n/a' | 'missing' | 'skip';
  why?: string;
}

export interface CaseResult {
  name: string;
  group: string;
  file: string;
  line: number;
  /** Native passes and every runner of this project (wasm, ...) that ran matches it. */
  agree: boolean;
  native: RunnerResult;
  wasm: RunnerResult;
  /** Why the case does not agree (syntax error, failure, transcripts differ). */
  why?: string;
  /** Every target's cell, by target name (native first). */
  results: Record<string, TargetResult>;
  /** Every target's own run (its status against the expectations, transcripts). */
  runs: Record<string, RunnerResult>;
}

/** A target's column totals and time (wall clock from its first run's start to its last run's end). */
export interface TargetSummary {
  name: string;
  about: string;
  version?: string;
  own: boolean;
  pass: number;
  differ: number;
  na: number;
  missing: number;
  skip: number;
  seconds: number;
}

export interface SuiteOptions {
  /** The targets to run (names of TARGETS or wrap:CMD, or Target objects); native is added first when absent. Default: native, wasm. */
  targets?: Array<string | Target>;
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

/** Runs one case on one target (a fresh IPC namespace, a sandbox: the target's driver prefix). */
function runOne(c: CaseSpec, plan: TargetPlan, root: string): Promise<RunResult> {
  const input: DriverInput = {
    procs: c.procs.map((p) => ({
      name: p.name,
      runner: plan.procs === 'native' || p.forceNative ? 'native' : 'guest',
      ...(p.uid !== undefined ? { uid: p.uid } : {}),
      ...(p.hosted ? { hosted: true } : {}),
      expect: p.expect,
      script: p.script,
    })),
    sysctl: c.sysctl,
    timeoutMs: c.timeoutMs,
    nativeInterp: plan.nativeInterp,
    guestInterp: plan.guestInterp,
    ...(plan.nativePrefix.length ? { nativePrefix: plan.nativePrefix } : {}),
    cliPath: path.join(root, 'bin', 'wasi-sysv.js'),
    hostedPath: path.join(root, 'dist', 'conformance', 'hosted.js'),
  };
  const driver = path.join(root, 'dist', 'conformance', 'driver-main.js');
  const [cmd, ...args] = [...plan.driverPrefix, process.execPath, driver];
  return new Promise((resolve) => {
    const child = spawn(cmd!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
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
  return { status: r.pass ? 'pass' : r.missing ? 'missing' : 'fail', detail: pretty(r.detail), ms: r.ms, procs: r.procs };
}

/** The part of a run that must be identical between runners. */
function fingerprint(r: RunResult): string[] {
  return r.procs.map((p) => `${p.name}: ${p.transcript.join(' | ')} => ${p.outcome}`);
}

function firstDifference(a: string[], b: string[], target = 'wasm', reference = 'native'): string {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) return `${reference} ${pretty(a[i] ?? '(none)')} // ${target} ${pretty(b[i] ?? '(none)')}`;
  }
  return '';
}

/** Cases whose name, group, file or process options contain filter (case-insensitive). */
export function filterCases(cases: CaseSpec[], filter?: string): CaseSpec[] {
  if (!filter) return cases;
  const f = filter.toLowerCase();
  // Also a process's options: `--filter uid` picks the cases that run a
  // process as another user, `hosted` those with a host that lives on.
  const procOpts = (c: CaseSpec) => c.procs.map((p) => `${p.forceNative ? 'native ' : ''}${p.hosted ? 'hosted ' : ''}${p.uid !== undefined ? `uid ${p.uid}` : ''}`).join(' ');
  return cases.filter((c) => c.name.toLowerCase().includes(f) || c.group.toLowerCase().includes(f) || c.file.toLowerCase().includes(f) || procOpts(c).includes(f));
}

/** The targets of a run, native first (it is the reference). */
export function runTargets(list: Array<string | Target> = DEFAULT_TARGETS): Target[] {
  const ts = list.map((t) => (typeof t === 'string' ? resolveTarget(t) : t));
  return ts.some((t) => t.name === 'native') ? [ts.find((t) => t.name === 'native')!, ...ts.filter((t) => t.name !== 'native')] : [TARGETS.native!, ...ts];
}

export async function runSuite(opts: SuiteOptions = {}): Promise<{ cases: CaseResult[]; targets: TargetSummary[] }> {
  const root = opts.root ?? ROOT;
  const targets = runTargets(opts.targets);
  for (const t of targets) {
    const why = t.unavailable();
    if (why) throw new Error(`target ${t.name}: ${why}`);
  }
  const cases = filterCases(loadCases(root), opts.filter);
  const plans = new Map(targets.map((t) => [t.name, t.prepare(root)]));
  const na = (): RunnerResult => ({ status: 'n/a', detail: '' });
  const results: CaseResult[] = cases.map((c) => ({
    name: c.name, group: c.group, file: c.file, line: c.line, agree: false,
    native: na(), wasm: na(), results: {}, runs: Object.fromEntries(targets.map((t) => [t.name, na()])),
  }));

  interface Job { i: number; target: Target }
  const jobs: Job[] = [];
  const raw = new Map<string, RunResult>();
  const skipped = new Set<number>();
  cases.forEach((c, i) => {
    const r = results[i]!;
    if (c.error) {
      opts.onParseError?.(c.error);
      for (const t of targets) r.runs[t.name] = { status: 'fail', detail: c.error };
      r.why = c.error;
      return;
    }
    const why = c.procs.map((p) => (p.uid !== undefined ? cannotSwitchTo(p.uid) : null)).find((w) => w);
    if (why) {
      for (const t of targets) r.runs[t.name] = { status: 'skip', detail: why };
      r.agree = true;
      r.why = `skipped: ${why}`;
      skipped.add(i);
      return;
    }
    // Target-major: each target's runs are together, so its time is its own.
    for (const t of targets) if (!c.onlyWasm || t.guest) jobs.push({ i, target: t });
  });
  jobs.sort((a, b) => targets.indexOf(a.target) - targets.indexOf(b.target));

  const span = new Map<string, { start: number; end: number }>();
  let next = 0, done = 0;
  const total = jobs.length;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      const c = cases[job.i]!;
      const name = job.target.name;
      const t0 = performance.now();
      const s = span.get(name) ?? { start: t0, end: t0 };
      span.set(name, s);
      const rr = await runOne(c, plans.get(name)!, root);
      s.end = Math.max(s.end, performance.now());
      raw.set(`${job.i}/${name}`, rr);
      results[job.i]!.runs[name] = summarize(rr);
      opts.onProgress?.(++done, total, `${c.name} (${name})`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 2) }, worker));

  cases.forEach((c, i) => {
    const r = results[i]!;
    for (const t of targets) {
      const run = r.runs[t.name]!;
      if (c.error) { r.results[t.name] = { status: 'fail', why: c.error }; continue; }
      if (skipped.has(i)) { r.results[t.name] = { status: 'skip', why: run.detail }; continue; }
      const x = raw.get(`${i}/${t.name}`);
      if (!x) { r.results[t.name] = { status: 'n/a' }; continue; }
      if (x.missing) { r.results[t.name] = { status: 'missing', why: pretty(x.missing) }; continue; }
      if (t.name === 'native') { r.results[t.name] = x.pass ? { status: 'pass' } : { status: 'fail', why: pretty(x.detail) }; continue; }
      const n = raw.get(`${i}/native`);
      // A guest-only case has no native run: this project's guests must
      // then match each other (the first guest target is their reference).
      const firstGuest = targets.find((g) => g.own && g.guest);
      const ref = n ?? (t.own && t.guest && firstGuest && firstGuest !== t ? raw.get(`${i}/${firstGuest.name}`) : undefined);
      const diff = ref ? firstDifference(fingerprint(ref), fingerprint(x), t.name, n ? 'native' : firstGuest!.name) : '';
      if (!x.pass) r.results[t.name] = { status: 'differ', why: pretty(x.detail) };
      else if (diff) r.results[t.name] = { status: 'differ', why: `runs differ: ${diff}` };
      else if (n && !n.pass) r.results[t.name] = { status: 'differ', why: `native failed: ${pretty(n.detail)}` };
      else r.results[t.name] = { status: 'pass' };
    }
    r.native = r.runs.native ?? na();
    r.wasm = r.runs.wasm ?? na();
    if (c.error || skipped.has(i)) return;
    // agree: native passes (unless the case is guest-only) and every runner
    // of this project matches it.
    const n = raw.get(`${i}/native`);
    r.agree = true;
    r.why = undefined;
    if (n && !n.pass) { r.agree = false; r.why = `native: ${pretty(n.detail)}`; return; }
    for (const t of targets) {
      if (!t.own || t.name === 'native') continue;
      const cell = r.results[t.name]!;
      if (cell.status === 'pass' || cell.status === 'n/a') continue;
      r.agree = false;
      const w = raw.get(`${i}/${t.name}`)!;
      r.why = !w.pass ? `${t.name}: ${pretty(w.detail)}` : cell.why;
      return;
    }
  });

  const summaries: TargetSummary[] = targets.map((t) => {
    const count = (s: TargetResult['status']) => results.filter((r) => r.results[t.name]?.status === s).length;
    const sp = span.get(t.name);
    return {
      name: t.name, about: t.about, version: t.version(), own: t.own,
      pass: count('pass'), differ: count('differ') + count('fail'), na: count('n/a'), missing: count('missing'), skip: count('skip'),
      seconds: sp ? Math.round(sp.end - sp.start) / 1000 : 0,
    };
  });
  return { cases: results, targets: summaries };
}
