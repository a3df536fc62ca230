// `wasi-sysv lab LAB.json [--json REPORT] [--trace DIR]`: validates the lab
// file, then re-executes itself as the init of a fresh IPC + PID namespace
// (setpriv --pdeathsig KILL, unshare [-r] --ipc --pid --fork --kill-child
// --mount-proc), where lab.ts supervises the lab. The chain of deaths:
// this process dies -> setpriv's parent-death signal kills unshare ->
// --kill-child kills the namespace's init -> the kernel kills every process
// of the PID namespace -> the IPC namespace, and every object in it, is
// freed with its last process. Exit: 0 pass, 1 fail or deadlock, 2 a bad
// lab file or usage, 70 an error of the lab machinery, 128+N on signal N.
// With --runs/--seed (race hunting) the lab runs once per run seed, each in
// fresh namespaces, every wasm guest perturbed (host/perturb.ts), and the
// runs are summed up: which checks failed in which runs, and how to replay.
// With --submissions DIR (class.ts) it runs once per student folder of DIR,
// --jobs at a time, each in namespaces of its own, and sums up the class.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { helpers, ROOT } from './build.js';
import { LabError, loadLab, missingFile, type Lab } from './schema.js';
import type { ServeFlags } from '../view/cli.js';
import { errorResult, formatClass, forStudent, pool, studentMissing, studentResult, students, summarizeClass, type StudentResult } from './class.js';

const USAGE = `usage: wasi-sysv lab LAB.json [--json REPORT] [--trace DIR] [--runs N] [--seed S]
                      [--submissions DIR [--jobs J]] [--wasm-dir DIR]
                      [--serve [PORT] [--host H] [--linger S]]
  Runs a teaching lab (see labs/README.md) in its own IPC and PID namespaces:
  every process of the lab file, its limits, its checks; prints a table.
  --json REPORT  also write the report as JSON
  --trace DIR    write DIR/trace.txt: every sysv call of every wasm guest,
                 one timeline, strace-style with pid and seconds since start
  --runs N       race hunting: run the lab N times (default 1), run k with
                 seed S+k; every sysv call of every wasm guest gets random
                 short pauses drawn from its instance's seed; reports which
                 runs failed which check, and how to replay one
  --seed S       the first run's seed (0..4294967295; default: random).
                 --runs 1 --seed S replays the same perturbation
  --submissions DIR  a class: run the lab once per sub-folder of DIR (one
                 student's build each: the lab's wasm modules are looked up
                 in it; native programs and checkers stay the lab's), in
                 namespaces of its own; progress on stderr, then a table:
                 student, verdict, each check. --json writes the class
                 report; --trace DIR writes DIR/STUDENT/trace.txt
  --jobs J       with --submissions: J students at a time (default: the
                 number of CPUs)
  --wasm-dir DIR look the lab's wasm modules up in DIR instead of the lab
                 file's folder (what --submissions does for each student)
  --serve [PORT] show the lab live in a web page (view/): processes,
                 semaphores with the wait-for arrows, segments' bytes, the
                 timeline. Prints the URL (with a random token; any other
                 path gets 403); listens on PORT (default: a free port);
                 after the lab, keeps serving its final state until Ctrl-C
                 (the exit status is still the lab's). Not with --runs/--seed
                 or --submissions
  --host H       with --serve: listen on address H (default 127.0.0.1)
  --linger S     with --serve: after the lab, serve S more seconds, then
                 exit by itself (0: exit at once)`;

const INNER = 'WASI_SYSV_LAB_INNER';

function say(line: string): void { fs.writeSync(2, `wasi-sysv lab: ${line}\n`); }

interface Args { lab: string; json?: string; trace?: string; runs?: number; seed?: number; serve?: ServeFlags; submissions?: string; jobs?: number; wasmDir?: string }

async function parse(argv: string[]): Promise<Args | string> {
  const out: Partial<Args> = {};
  let serveOnly: string | undefined; // --host or --linger, which need --serve
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    try {
      if (a === '--json') out.json = path.resolve(value());
      else if (a === '--trace') out.trace = path.resolve(value());
      else if (a === '--runs') {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 100000) return '--runs needs a whole number from 1 to 100000';
        out.runs = Number(v);
      } else if (a === '--seed') {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) > 0xffffffff) return '--seed needs a whole number from 0 to 4294967295';
        out.seed = Number(v);
      }
      else if (a === '--serve') {
        out.serve = { ...out.serve };
        if (/^\d+$/.test(argv[i + 1] ?? '')) {
          const v = argv[++i]!;
          if (Number(v) > 65535) return '--serve takes a port number from 0 to 65535';
          out.serve.port = Number(v);
        }
      } else if (a === '--host' || a === '--linger') {
        const { serveFlag } = await import('../view/cli.js');
        const flags = { ...out.serve };
        const err = serveFlag(a, argv[++i], flags);
        if (err) return err;
        Object.assign(out, { serve: flags });
        serveOnly ??= a;
      }
      else if (a === '--submissions') out.submissions = path.resolve(value());
      else if (a === '--wasm-dir') out.wasmDir = path.resolve(value());
      else if (a === '--jobs') {
        const v = value();
        if (!/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 256) return '--jobs needs a whole number from 1 to 256';
        out.jobs = Number(v);
      }
      else if (a.startsWith('--')) return `unknown option ${a}`;
      else if (out.lab) return `one lab file at a time (got ${out.lab} and ${a})`;
      else out.lab = a;
    } catch (e: any) { return e.message; }
  }
  if (!out.lab) return 'which lab? wasi-sysv lab LAB.json';
  if (serveOnly && !argv.includes('--serve')) return `${serveOnly} goes with --serve`;
  if (out.serve && (out.runs !== undefined || out.seed !== undefined)) return '--serve watches one run: not with --runs or --seed';
  if (out.jobs !== undefined && !out.submissions) return '--jobs goes with --submissions DIR';
  if (out.submissions && (out.runs !== undefined || out.seed !== undefined)) return '--submissions runs each student once: use --runs/--seed on one student (--wasm-dir)';
  if (out.submissions && out.wasmDir) return '--submissions sets each student\'s --wasm-dir itself: give one of them';
  if (out.submissions && out.serve) return '--serve watches one run: not with --submissions';
  return out as Args;
}

/**
 * The outer process: runs the inner one in fresh namespaces and passes
 * signals on. quiet drops its stdout; capture keeps its stderr (else
 * inherited) and hands it to capture at the end.
 */
function reexec(argv: string[], quiet = false, capture?: (stderr: string) => void): Promise<number> {
  const ns = process.getuid?.() === 0 ? [] : ['-r'];
  const cmd = ['--pdeathsig', 'KILL', '--', 'unshare', ...ns, '--ipc', '--pid', '--fork', '--kill-child', '--mount-proc', '--',
    process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'lab', ...argv];
  return new Promise((resolve) => {
    const child = spawn('setpriv', cmd, { stdio: ['inherit', quiet ? 'ignore' : 'inherit', capture ? 'pipe' : 'inherit'], env: { ...process.env, [INNER]: '1' } });
    let err = '';
    if (capture) { child.stderr!.setEncoding('utf8'); child.stderr!.on('data', (d: string) => { if (err.length < 65536) err += d; }); }
    // unshare ignores SIGINT and SIGTERM while it waits: signal its child,
    // the namespace's init, directly.
    const pass = (sig: NodeJS.Signals) => {
      try {
        const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        for (const k of kids) process.kill(Number(k), sig);
      } catch { /* already gone */ }
    };
    const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of sigs) process.on(s, pass);
    child.on('error', (e) => { say(`cannot run setpriv/unshare (${e.message}): install util-linux`); resolve(70); });
    child.on('close', (code, signal) => {
      for (const s of sigs) process.off(s, pass);
      capture?.(err);
      resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 } as Record<string, number>)[signal] ?? 0) : 70));
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') { fs.writeSync(1, USAGE + '\n'); return 0; }
  const a = await parse(argv);
  if (typeof a === 'string') { say(a); fs.writeSync(2, USAGE + '\n'); return 2; }
  let lab;
  try {
    lab = loadLab(a.lab);
  } catch (e) {
    if (e instanceof LabError) { for (const l of e.lines) fs.writeSync(2, l + '\n'); return 2; }
    throw e;
  }
  if (a.wasmDir) {
    if (!fs.statSync(a.wasmDir, { throwIfNoEntry: false })?.isDirectory()) { say(`--wasm-dir ${a.wasmDir}: not a directory`); return 2; }
    lab = forStudent(lab, a.wasmDir);
  }
  if (a.submissions) {
    if (!fs.statSync(a.submissions, { throwIfNoEntry: false })?.isDirectory()) { say(`--submissions ${a.submissions}: not a directory`); return 2; }
    // The lab's own files (native programs, stdin, checkers) are checked once; each student's modules per student.
    const own = missingFile({ ...lab, processes: lab.processes.map(({ wasm: _w, ...p }) => p) });
    if (own) { fs.writeSync(2, own + '\n'); return 2; }
  } else {
    const missing = missingFile(lab);
    if (missing) { fs.writeSync(2, missing + '\n'); return 2; }
  }
  let tools;
  try { tools = helpers(); } catch (e: any) { say(e.message); return 70; }

  if (process.env[INNER] !== '1' || process.pid !== 1) {
    if (a.submissions) return classRun(a, lab);
    if (a.runs !== undefined || a.seed !== undefined) return raceHunt(a);
    const inner = [path.resolve(a.lab), ...(a.json ? ['--json', a.json] : []), ...(a.trace ? ['--trace', a.trace] : []),
      ...(a.serve ? ['--serve', String(a.serve.port ?? 0), ...(a.serve.host ? ['--host', a.serve.host] : []),
        ...(a.serve.linger !== undefined ? ['--linger', String(a.serve.linger)] : [])] : []),
      ...(a.wasmDir ? ['--wasm-dir', a.wasmDir] : [])];
    return reexec(inner);
  }
  const { supervise, formatReport } = await import('./lab.js');
  // --serve: the live view (view/), fed by the supervisor's events.
  const live = a.serve ? await (await import('../view/cli.js')).liveView(lab, tools.ipc, a.serve) : undefined;
  if (live === null) return 70;
  const report = await supervise(lab, { helpers: tools, ...(a.json ? { jsonPath: a.json } : {}), ...(a.trace ? { traceDir: a.trace } : {}),
    ...(a.seed !== undefined ? { seed: a.seed } : {}), ...(live ? { onEvent: live.onEvent } : {}) });
  fs.writeSync(1, formatReport(report) + '\n');
  // As the namespace's init: whatever is still running goes now.
  try { process.kill(-1, 'SIGKILL'); } catch { /* nothing left */ }
  // The view keeps the final state (the objects left stay in this namespace while it serves).
  // (Not after Ctrl-C or another stopping signal: that stops the command.)
  if (live) await live.linger(report.why.startsWith('stopped by '));
  if (report.why.startsWith('stopped by ')) {
    const sig = report.why.slice('stopped by '.length);
    return 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[sig] ?? 0);
  }
  return report.verdict === 'pass' ? 0 : report.verdict === 'error' ? 70 : 1;
}

export interface RaceRun { seed: number; verdict: string; failedChecks: string[]; why: string }
export interface RaceReport {
  lab: string; file: string; runs: RaceRun[];
  summary: { runs: number; failed: number; failingSeeds: number[]; checks: Array<{ check: string; failed: number; seeds: number[] }>; replay: string | null };
}

/** Sums up the runs of a race hunt. */
export function summarize(lab: string, file: string, runs: RaceRun[], wasmDir?: string): RaceReport {
  const bad = runs.filter((r) => r.verdict !== 'pass');
  const byCheck = new Map<string, number[]>();
  for (const r of bad) for (const c of r.failedChecks) byCheck.set(c, [...(byCheck.get(c) ?? []), r.seed]);
  return {
    lab, file, runs,
    summary: {
      runs: runs.length, failed: bad.length, failingSeeds: bad.map((r) => r.seed),
      checks: [...byCheck].map(([check, seeds]) => ({ check, failed: seeds.length, seeds })),
      replay: bad.length ? `wasi-sysv lab ${file}${wasmDir ? ` --wasm-dir ${wasmDir}` : ''} --runs 1 --seed ${bad[0]!.seed}` : null,
    },
  };
}

export function formatRace(r: RaceReport): string {
  const out = ['run  seed        verdict   failed checks'];
  r.runs.forEach((x, k) => out.push(`${String(k + 1).padStart(3)}  ${String(x.seed).padEnd(10)}  ${x.verdict.padEnd(8)}  ${x.failedChecks.join('; ') || (x.verdict === 'pass' ? '-' : x.why)}`));
  out.push('');
  for (const c of r.summary.checks) out.push(`FAIL in ${c.failed} of ${r.summary.runs} run(s): ${c.check} (seeds ${c.seeds.join(' ')})`);
  out.push(`lab ${r.lab}: ${r.summary.failed} of ${r.summary.runs} run(s) failed` +
    (r.summary.replay ? `; replay one: ${r.summary.replay}` : ''));
  return out.join('\n');
}

/** --runs/--seed: each run in fresh namespaces, with its own run seed; one summary. */
async function raceHunt(a: Args): Promise<number> {
  const runs = a.runs ?? 1;
  const first = a.seed ?? (Math.random() * 0x100000000) >>> 0;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-race-'));
  const results: RaceRun[] = [];
  try {
    for (let k = 0; k < runs; k++) {
      const seed = (first + k) >>> 0;
      const json = path.join(tmp, `run${k}.json`);
      const inner = [path.resolve(a.lab), '--seed', String(seed), '--json', runs === 1 && a.json ? a.json : json,
        ...(a.wasmDir ? ['--wasm-dir', a.wasmDir] : []),
        ...(a.trace ? ['--trace', runs === 1 ? a.trace : path.join(a.trace, `seed-${seed}`)] : [])];
      if (runs > 1) fs.writeSync(2, `wasi-sysv lab: run ${k + 1}/${runs} (seed ${seed})\n`);
      const code = await reexec(inner, runs > 1);
      if (code > 128) return code;
      const file = runs === 1 && a.json ? a.json : json;
      if (!fs.existsSync(file)) { results.push({ seed, verdict: 'error', failedChecks: [], why: `the run exited ${code} without a report` }); continue; }
      const rep = JSON.parse(fs.readFileSync(file, 'utf8'));
      results.push({ seed, verdict: rep.verdict, why: rep.why, failedChecks: rep.checks.filter((c: any) => !c.pass).map((c: any) => c.check) });
    }
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const labName = (loadLab(a.lab)).name;
  const race = summarize(labName, a.lab, results, a.wasmDir ? path.relative(process.cwd(), a.wasmDir) || '.' : undefined);
  if (runs > 1) {
    fs.writeSync(1, formatRace(race) + '\n');
    if (a.json) fs.writeFileSync(a.json, JSON.stringify(race, null, 2) + '\n');
  }
  return race.summary.failed === 0 ? 0 : results.some((r) => r.verdict === 'error') ? 70 : 1;
}

/** --submissions: the lab once per student folder, --jobs at a time, each in fresh namespaces; one class report. */
async function classRun(a: Args, lab: Lab): Promise<number> {
  const dir = a.submissions!;
  const names = students(dir);
  if (names.length === 0) { say(`--submissions ${dir}: no student folder in it`); return 2; }
  const jobs = a.jobs ?? Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  const { describe } = await import('./lab.js');
  const checks = lab.checks.map(describe);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-class-'));
  let stopped: string | undefined;
  const onSignal = (sig: NodeJS.Signals) => { stopped = sig; };
  const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of sigs) process.on(s, onSignal);
  let finished = 0;
  let machinery = false;
  const t0 = Date.now();
  let results: Array<StudentResult | undefined>;
  try {
    results = await pool(names, jobs, async (student, k) => {
      const sdir = path.join(dir, student);
      const missing = studentMissing(lab, sdir);
      let res: StudentResult;
      if (missing) res = errorResult(student, missing);
      else {
        const json = path.join(tmp, `${k}.json`);
        const inner = [lab.file, '--wasm-dir', sdir, '--json', json, ...(a.trace ? ['--trace', path.join(a.trace, student)] : [])];
        let stderr = '';
        const code = await reexec(inner, true, (e) => { stderr = e; });
        if (fs.existsSync(json)) res = studentResult(student, JSON.parse(fs.readFileSync(json, 'utf8')));
        else {
          const line = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
          res = errorResult(student, code > 128 ? `stopped by signal ${code - 128}` : `the lab gave no report (exit ${code})${line ? `: ${line}` : ''}`);
          if (code !== 2 && code <= 128) machinery = true;
        }
      }
      finished++;
      fs.writeSync(2, `wasi-sysv lab: [${finished}/${names.length}] ${student}: ${res.verdict}${res.verdict === 'pass' ? '' : ` (${res.why})`}\n`);
      return res;
    }, () => stopped !== undefined);
  } finally {
    for (const s of sigs) process.off(s, onSignal);
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const done = results.filter((r): r is StudentResult => r !== undefined);
  const report = summarizeClass(lab, dir, checks, done);
  fs.writeSync(1, formatClass(report) + '\n');
  if (a.json) fs.writeFileSync(a.json, JSON.stringify({ ...report, wallMs: Date.now() - t0 }, null, 2) + '\n');
  if (stopped) {
    say(`stopped by ${stopped} after ${done.length} of ${names.length} student(s)`);
    return 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[stopped] ?? 0);
  }
  if (machinery) return 70;
  return report.summary.pass === report.summary.students ? 0 : 1;
}
