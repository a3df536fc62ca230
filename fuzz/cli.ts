// `wasi-sysv fuzz [--seeds N] [--calls N] [--seed S] [--jobs N] [--json FILE]
//                 [--replay FILE] [--no-shrink]`
// Differential fuzzing: each seed's program runs natively and as a guest,
// each in a fresh IPC namespace; the transcripts must agree line by line.
// Progress on stderr; a table and a summary on stdout. Exit 0 only when
// every seed agrees and the host never died.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeCall, formatProgram, generate, parseProgram } from './gen.js';
import { ensureBuilt } from './build.js';
import { runPair, shrink, type RunPaths, type Verdict } from './run.js';

const USAGE = `usage: wasi-sysv fuzz [--seeds N] [--calls N] [--seed S] [--jobs N] [--json FILE]
                      [--replay FILE] [--no-shrink] [--user UID]
  Random programs of all eight sysv calls (ids, keys, sizes, flags, commands,
  pointers by class), each run natively and as a wasm guest in fresh IPC
  namespaces; their transcripts must agree. A divergence is shrunk to a short
  program, saved, and given with the command that replays it.
  --seeds N     programs to run (default 4), seeds S, S+1, ...
  --calls N     calls per program (default 5000)
  --seed S      first seed (default 1)
  --jobs N      programs at a time (default 2)
  --json FILE   also write the results as JSON
  --replay FILE run one saved program (a .prog file) and show both transcripts
  --no-shrink   report divergences without shrinking them
  --user UID    run both sides as this uid and gid (needs root): the
                permission paths (EACCES, EPERM)`;

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SeedResult {
  seed: number;
  calls: number;
  skipped: number;
  ms: number;
  status: Verdict['kind'];
  detail?: string;
  index?: number;
  call?: string;
  native?: string;
  guest?: string;
  minimized?: { calls: number; file: string; replay: string; runs: number; program: string[]; native?: string; guest?: string };
}

export interface FuzzOptions {
  seeds: number;
  calls: number;
  seed: number;
  jobs: number;
  shrink: boolean;
  uid?: number;
  onProgress?: (line: string) => void;
}

function paths(uid?: number): RunPaths {
  const ex = ensureBuilt(root);
  return { ...ex, cli: path.join(root, 'bin', 'wasi-sysv.js'), ...(uid !== undefined ? { uid } : {}) };
}

/** Runs the seeds; resolves to one result per seed, in seed order. */
export async function runFuzz(o: FuzzOptions): Promise<{ results: SeedResult[]; seconds: number }> {
  const p = paths(o.uid);
  const t0 = performance.now();
  const results: SeedResult[] = [];
  let next = 0, done = 0, calls = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= o.seeds) return;
      const seed = o.seed + i;
      const prog = generate(seed, o.calls);
      const r = await runPair(p, prog);
      const v = r.verdict;
      const executed = r.guest.lines.filter((l) => l !== 'end');
      const res: SeedResult = {
        seed, calls: executed.filter((l) => l !== 'skip').length, skipped: executed.filter((l) => l === 'skip').length,
        ms: Math.round(r.guest.ms), status: v.kind,
      };
      if (v.kind === 'divergence' || v.kind === 'death') {
        res.index = v.index;
        res.call = prog[v.index] ? describeCall(prog[v.index]!) : 'end of program';
        if (v.kind === 'divergence') { res.native = v.native; res.guest = v.guest; } else res.detail = v.detail;
        if (o.shrink) {
          o.onProgress?.(`seed ${seed}: ${v.kind} at call ${v.index}, shrinking...`);
          const s = await shrink(p, prog, v, { native: r.native.lines });
          const file = path.join(root, 'build', 'fuzz', `min-${seed}.prog`);
          fs.writeFileSync(file, `# wasi-sysv fuzz: seed ${seed}, ${v.kind} at call ${v.index} of ${o.calls}, shrunk to ${s.program.length} calls\n${formatProgram(s.program)}`);
          res.minimized = {
            calls: s.program.length, file: path.relative(process.cwd(), file), runs: s.runs,
            replay: `npx wasi-sysv fuzz --replay ${path.relative(process.cwd(), file)}${o.uid !== undefined ? ` --user ${o.uid}` : ''}`,
            program: s.program.map(describeCall),
            ...(s.verdict.kind === 'divergence' ? { native: s.verdict.native, guest: s.verdict.guest } : {}),
          };
        }
      } else if (v.kind === 'native-error') res.detail = v.detail;
      results.push(res);
      done++;
      calls += res.calls;
      const secs = (performance.now() - t0) / 1000;
      o.onProgress?.(`[${done}/${o.seeds}] seed ${seed}: ${v.kind}, ${calls} calls in ${secs.toFixed(1)} s (${Math.round(calls / secs)} calls/s)`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.jobs, o.seeds)) }, worker));
  results.sort((a, b) => a.seed - b.seed);
  return { results, seconds: (performance.now() - t0) / 1000 };
}

function cell(s: string, w: number): string { return s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w); }

export function formatReport(results: SeedResult[], seconds: number, uid?: number): string {
  const as = uid !== undefined ? ` --user ${uid}` : '';
  const lines = [
    `${cell('seed', 12)}  ${cell('calls', 7)}  ${cell('skipped', 7)}  ${cell('ms', 7)}  result`,
    `${'-'.repeat(12)}  ${'-'.repeat(7)}  ${'-'.repeat(7)}  ${'-'.repeat(7)}  ------`,
  ];
  for (const r of results) {
    const what = r.status === 'agree' ? 'agree' : r.status === 'divergence' ? `DIVERGENCE at call ${r.index}` : r.status === 'death' ? `HOST DEATH at call ${r.index}` : `NATIVE ERROR`;
    lines.push(`${cell(String(r.seed), 12)}  ${cell(String(r.calls), 7)}  ${cell(String(r.skipped), 7)}  ${cell(String(r.ms), 7)}  ${what}`);
  }
  const bad = results.filter((r) => r.status !== 'agree');
  for (const r of bad) {
    lines.push('', `seed ${r.seed}: ${r.status}${r.index !== undefined ? ` at call ${r.index}: ${r.call}` : ''}`);
    if (r.native !== undefined) lines.push(`  native: ${r.native}`, `  guest:  ${r.guest}`);
    if (r.detail) lines.push(`  ${r.detail}`);
    if (r.minimized) {
      lines.push(`  shrunk to ${r.minimized.calls} calls (${r.minimized.runs} runs): ${r.minimized.file}`);
      for (const c of r.minimized.program) lines.push(`    ${c}`);
      if (r.minimized.native !== undefined) lines.push(`  last call: native ${r.minimized.native} | guest ${r.minimized.guest}`);
      lines.push(`  replay: ${r.minimized.replay}`);
    }
    lines.push(`  rerun the seed: npx wasi-sysv fuzz --seed ${r.seed} --seeds 1 --calls ${r.index !== undefined ? r.index + 1 : '?'}${as}`);
  }
  const t = totals(results, seconds);
  lines.push('', `${t.calls} calls in ${seconds.toFixed(1)} s (${t.callsPerSec} calls/s, ${t.skipped} skipped by guards): ` +
    `${t.seeds} seeds, ${t.divergences} divergences, ${t.deaths} host deaths${t.nativeErrors ? `, ${t.nativeErrors} native errors` : ''}`);
  return lines.join('\n');
}

export function totals(results: SeedResult[], seconds: number) {
  const calls = results.reduce((a, r) => a + r.calls, 0);
  return {
    seeds: results.length, calls, skipped: results.reduce((a, r) => a + r.skipped, 0), seconds: Number(seconds.toFixed(1)),
    callsPerSec: Math.round(calls / Math.max(seconds, 1e-9)),
    divergences: results.filter((r) => r.status === 'divergence').length,
    deaths: results.filter((r) => r.status === 'death').length,
    nativeErrors: results.filter((r) => r.status === 'native-error').length,
  };
}

async function replay(file: string, uid?: number): Promise<number> {
  const prog = parseProgram(fs.readFileSync(file, 'utf8'));
  const r = await runPair(paths(uid), prog);
  const out: string[] = [];
  for (let i = 0; i < prog.length; i++) {
    const n = r.native.lines[i] ?? '(none)', g = r.guest.lines[i] ?? '(none)';
    out.push(`${String(i).padStart(4)}  ${describeCall(prog[i]!)}`, `      native: ${n}`, `      guest:  ${g}${g === n ? '' : '   <-- differs'}`);
  }
  const v = r.verdict;
  out.push('', v.kind === 'agree' ? 'agree' : v.kind === 'divergence' ? `divergence at call ${v.index}` : `${v.kind}: ${'detail' in v ? v.detail : ''}`);
  if (r.guest.stderr.trim()) out.push(`host stderr: ${r.guest.stderr.trim()}`);
  fs.writeSync(1, out.join('\n') + '\n');
  return v.kind === 'agree' ? 0 : 1;
}

export async function main(argv: string[]): Promise<number> {
  const o: FuzzOptions = { seeds: 4, calls: 5000, seed: 1, jobs: 2, shrink: true };
  let json: string | undefined, replayFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      const v = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    const int = (min: number) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}`);
      return n;
    };
    try {
      switch (flag) {
        case '--seeds': o.seeds = int(1); break;
        case '--calls': o.calls = int(1); break;
        case '--seed': o.seed = int(0); break;
        case '--jobs': case '-j': o.jobs = int(1); break;
        case '--json': json = value(); break;
        case '--replay': replayFile = value(); break;
        case '--no-shrink': o.shrink = false; break;
        case '--user': o.uid = int(0); break;
        case '--help': case '-h': fs.writeSync(1, USAGE + '\n'); return 0;
        default: throw new Error(`unknown option ${a}`);
      }
    } catch (e: any) {
      fs.writeSync(2, `wasi-sysv fuzz: ${e.message}\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    if (o.uid !== undefined && process.getuid?.() !== 0) throw new Error('--user needs root (the namespace is made as root, then the uid dropped)');
    if (replayFile) return await replay(replayFile, o.uid);
    o.onProgress = (line) => fs.writeSync(2, `fuzz: ${line}\n`);
    const { results, seconds } = await runFuzz(o);
    fs.writeSync(1, formatReport(results, seconds, o.uid) + '\n');
    if (json) {
      fs.writeFileSync(json, JSON.stringify({ date: new Date().toISOString(), options: { seeds: o.seeds, calls: o.calls, seed: o.seed, jobs: o.jobs, ...(o.uid !== undefined ? { user: o.uid } : {}) }, totals: totals(results, seconds), seeds: results }, null, 2) + '\n');
    }
    return results.every((r) => r.status === 'agree') ? 0 : 1;
  } catch (e: any) {
    fs.writeSync(2, `wasi-sysv fuzz: ${e?.message ?? e}\n`);
    return 70;
  }
}
