// wasi-sysv bench [--quick] [--filter TEXT] [--json FILE]
//
// Each workload runs natively in C and as a wasm guest, interleaved (native
// rep 1, wasm rep 1, then the peers' rep 1, native rep 2, ...), several
// times; the table gives the median with min..max, the ratio wasm/native of
// the medians, and the best peer. startup and rss take `node -e 0` as their
// baseline instead of C (the ratio is against it). The run happens in a private IPC namespace
// when unshare is available, and removes every object it creates in any
// case (also on failure or Ctrl-C).
import fs from 'node:fs';
import os from 'node:os';
import { spawnSync } from 'node:child_process';
import { buildBench, BuildError } from './build.js';
import * as ipc from './ipc.js';
import { BIN } from './paths.js';
import { summarize, fmt, type Summary } from './stats.js';
import { workloads, measure, COPYING, type Variant, type Workload } from './workloads.js';

/** Copying peers for the touch-* target (>= 10x at 16 MiB and above). */
const TOUCH_COPYING = ['copy-shim', 'postMessage'];

const USAGE = `usage: wasi-sysv bench [--quick] [--filter TEXT] [--json FILE] [--reps N]
  --quick        fewer and shorter repeats (under a minute)
  --filter TEXT  only workloads whose name contains TEXT
  --json FILE    also write the results as JSON
  --reps N       repeats per measurement (default: 3 quick, 7 full)`;

interface Options { quick: boolean; filter?: string; json?: string; reps?: number }

class UsageError extends Error {}

function parse(argv: string[]): Options | 'help' {
  const o: Options = { quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      const v = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick': o.quick = true; break;
      case '--filter': o.filter = value(); break;
      case '--json': o.json = value(); break;
      case '--reps': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) throw new UsageError('--reps needs a positive integer');
        o.reps = n;
        break;
      }
      case '--help': case '-h': return 'help';
      default: throw new UsageError(`unknown option ${a}`);
    }
  }
  return o;
}

export interface Result {
  name: string;
  unit: string;
  /** The variant `native` and `ratio` refer to: native C, or `node -e 0` for startup and rss. */
  baseline: string;
  /** The baseline's median. */
  native: number;
  wasm: number;
  /** wasm / baseline, of the medians. */
  ratio: number;
  peers: Record<string, number>;
  /** Every variant's median, min, max and samples, in `unit`. */
  stats: Record<string, Summary>;
  /** Handoffs: bytes per buffer, and MB/s of every variant (from the median). */
  size?: number;
  mbps?: Record<string, number>;
  checksum?: string;
  /** semop/shmat: process CPU time per op, in `unit` (a cross-check that other load cannot inflate). */
  cpu?: { native: number; wasm: number; ratio: number; stats: Record<string, Summary> };
  /** Every variant measured, failed or not, in the workload's order. */
  variants: string[];
  /** Variants that failed some or all repeats: how many, of how many, and why. */
  failures?: Record<string, VariantFailure>;
  /** semop-uncontended: the call floor (wasm -> JS -> koffi, no host logic) against wasm and native. */
  floor?: { floor: number; wasmOverFloor: number; floorOverNative: number; cpuWasmOverFloor?: number };
  /** shmat-shmdt: median ns of each of the host's system calls, timed alone in C. */
  breakdown?: Record<string, number>;
  /** Contention: critical sections per second of each variant (from the median), every count checked. */
  rate?: Record<string, number>;
}

/** Extra per-sample figures some workloads give (see Sample). */
export interface Extras {
  parts?: Map<string, number[]>;
}

export interface VariantFailure {
  /** Repeats that failed, of `of`; the median is over the others. */
  failed: number;
  of: number;
  /** Each distinct reason, first seen first. */
  reasons: string[];
}

/** One workload's result from its raw samples (ns per unit already scaled). */
export function buildResult(w: Pick<Workload, 'name' | 'unit' | 'kind' | 'handoff' | 'baseline'> & { variants: readonly string[] },
  reps: number, samples: Map<string, number[]>, cpuSamples: Map<string, number[]>,
  fails: Map<string, string[]>, checksums: Set<string>, extras: Extras = {}): Result {
  const stats: Record<string, Summary> = {};
  for (const [v, xs] of samples) if (xs.length) stats[v] = summarize(xs);
  const med = (v: string) => stats[v]?.median ?? NaN;
  const base = w.baseline ?? 'native';
  const peers: Record<string, number> = {};
  for (const v of w.variants) if (v !== base && v !== 'wasm' && stats[v]) peers[v] = med(v);
  const r: Result = { name: w.name, unit: w.unit, baseline: base, native: med(base), wasm: med('wasm'), ratio: med('wasm') / med(base),
    peers, stats, variants: [...w.variants] };
  const failures: Record<string, VariantFailure> = {};
  for (const [v, why] of fails) if (why.length) failures[v] = { failed: why.length, of: reps, reasons: [...new Set(why)] };
  if (Object.keys(failures).length) r.failures = failures;
  const cpuStats: Record<string, Summary> = {};
  for (const [v, xs] of cpuSamples) if (xs.length) cpuStats[v] = summarize(xs);
  if (cpuStats['native'] && cpuStats['wasm']) {
    r.cpu = { native: cpuStats['native'].median, wasm: cpuStats['wasm'].median,
      ratio: cpuStats['wasm'].median / cpuStats['native'].median, stats: cpuStats };
  }
  if (stats['call-floor']) {
    const f = med('call-floor');
    r.floor = { floor: f, wasmOverFloor: r.wasm / f, floorOverNative: f / r.native };
    const c = cpuStats['call-floor'];
    if (c && cpuStats['wasm']) r.floor.cpuWasmOverFloor = cpuStats['wasm'].median / c.median;
  }
  if (extras.parts?.size) {
    r.breakdown = {};
    for (const [k, xs] of extras.parts) r.breakdown[k] = summarize(xs).median;
  }
  if (w.kind === 'contention') {
    r.rate = {};
    // unit is ns/section: sections per second = 1e9 / ns.
    for (const [v, s] of Object.entries(stats)) r.rate[v] = 1e9 / s.median;
  }
  if (w.kind === 'handoff') {
    const size = w.handoff!.size;
    r.size = size;
    r.mbps = {};
    // unit is us/buffer: bytes / us = MB/s.
    for (const [v, s] of Object.entries(stats)) r.mbps[v] = size / s.median;
    if (checksums.size === 1) r.checksum = [...checksums][0]!;
  }
  return r;
}

// ---- progress line ----------------------------------------------------------
const tty = process.stderr.isTTY === true;
let lastLen = 0;
function progress(line: string): void {
  if (tty) {
    const text = line.length > (process.stderr.columns ?? 120) - 1 ? line.slice(0, (process.stderr.columns ?? 120) - 1) : line;
    fs.writeSync(2, `\r${text}${' '.repeat(Math.max(0, lastLen - text.length))}`);
    lastLen = text.length;
  } else {
    fs.writeSync(2, line + '\n');
  }
}
function progressDone(): void {
  if (tty && lastLen) fs.writeSync(2, `\r${' '.repeat(lastLen)}\r`);
  lastLen = 0;
}

// ---- machine ----------------------------------------------------------------
export function machine(): { cpu: string; cores: number; node: string; kernel: string; loadavg: number[] } {
  let cpu = os.cpus()[0]?.model?.trim() ?? 'unknown';
  try {
    const m = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpu = m[1]!.trim();
  } catch { /* not Linux: os.cpus() it is */ }
  return { cpu, cores: os.cpus().length, node: process.version, kernel: `${os.type()} ${os.release()}`, loadavg: os.loadavg() };
}

// ---- the run ----------------------------------------------------------------
async function runAll(o: Options, progress: (line: string) => void): Promise<{ results: Result[]; failures: string[] }> {
  const list = workloads(o.quick).filter((w) => !o.filter || w.name.includes(o.filter));
  if (list.length === 0) throw new UsageError(`no workload matches --filter ${o.filter}`);
  // The double buffer's segment holds two buffers.
  ipc.ensureShmLimits(Math.max(4096, ...list.map((w) => 2 * (w.handoff?.size ?? 0))));
  const reps = o.reps ?? (o.quick ? 3 : 7);
  const total = list.reduce((n, w) => n + reps * w.variants.length, 0);
  const t0 = performance.now();
  let step = 0;
  const results: Result[] = [];
  const failures: string[] = [];
  for (const w of list) {
    const samples = new Map<string, number[]>(w.variants.map((v) => [v, []]));
    const cpuSamples = new Map<string, number[]>(w.variants.map((v) => [v, []]));
    const fails = new Map<string, string[]>(w.variants.map((v) => [v, []]));
    const checksums = new Set<string>();
    const parts = new Map<string, number[]>();
    for (let rep = 1; rep <= reps; rep++) {
      for (const v of w.variants) {
        step++;
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        progress(`bench [${step}/${total}] ${w.name} rep ${rep}/${reps}: ${v}  (${secs} s)`);
        try {
          const s = await measure(w, v as Variant);
          samples.get(v)!.push(s.ns * w.scale);
          if (s.cpu !== undefined) cpuSamples.get(v)!.push(s.cpu * w.scale);
          if (s.checksum) checksums.add(s.checksum);
          for (const [k, x] of Object.entries(s.parts ?? {})) parts.set(k, [...(parts.get(k) ?? []), x]);
        } catch (e) {
          failures.push((e as Error).message);
          fails.get(v)!.push((e as Error).message);
        }
      }
    }
    if (checksums.size > 1) failures.push(`${w.name}: variants disagree on the checksum (${[...checksums].join(', ')})`);
    results.push(buildResult(w, reps, samples, cpuSamples, fails, checksums, { parts }));
  }
  progress(`bench: ${step} measurements in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { results, failures };
}

// ---- report -------------------------------------------------------------------
/** Upper bounds on the ratio (wasm over its baseline), from the issues. */
export const TARGETS: Record<string, number> = {
  'handoff-1MiB': 1.05, 'handoff-64B': 1.10, 'semop-uncontended': 1.25, 'shmat-shmdt': 2.0,
  startup: 2.0, rss: 1.5,
  'touch-4KiB': 1.10, 'touch-64KiB': 1.10, 'touch-1MiB': 1.10, 'touch-16MiB': 1.10, 'touch-64MiB': 1.10,
};
/** The host's overhead over the call floor (semop-uncontended wasm / call-floor - 1). */
export const FLOOR_OVERHEAD_TARGET = 0.05;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((x, c) => (c === 0 ? x.padEnd(widths[c]!) : x.padStart(widths[c]!))).join('  ');
  return [line(rows[0]!), widths.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

const cell = (s: Summary | undefined) => (s ? `${fmt(s.median)} [${fmt(s.min)}..${fmt(s.max)}]` : '-');

/**
 * A variant's cell: its median [min..max]; "FAILED" when every repeat
 * failed; "(k/n)" after the figures when only k of n repeats gave a sample.
 */
function vcell(r: Result, v: string, s: Summary | undefined = r.stats[v]): string {
  const f = r.failures?.[v];
  if (!f) return cell(s);
  if (!s) return 'FAILED';
  return `${cell(s)} (${s.samples.length}/${f.of})`;
}

export function report(results: Result[]): string {
  const out: string[] = [];
  const rows = [['workload', 'unit', 'native (or baseline)', 'wasm', 'ratio', 'best peer']];
  for (const r of results) {
    const best = Object.entries(r.peers).sort((a, b) => a[1] - b[1])[0];
    const base = r.baseline ?? 'native';
    rows.push([r.name, r.unit, `${base === 'native' ? '' : `${base}: `}${vcell(r, base)}`, vcell(r, 'wasm'), fmt(r.ratio, 3),
      best ? `${best[0]} ${fmt(best[1])}${r.failures?.[best[0]] ? ` (${r.stats[best[0]]!.samples.length}/${r.failures[best[0]]!.of})` : ''}` : '-']);
  }
  out.push(table(rows));
  const handoffs = results.filter((r) => r.mbps);
  if (handoffs.length) {
    const names = [...new Set(handoffs.flatMap((r) => r.variants))];
    const rows2 = [['MB/s (median)', ...names]];
    for (const r of handoffs) {
      rows2.push([r.name, ...names.map((n) => {
        const f = r.failures?.[n];
        if (f && !r.stats[n]) return 'FAILED';
        return fmt(r.mbps![n] ?? NaN) + (f ? ` (${r.stats[n]!.samples.length}/${f.of})` : '');
      })]);
    }
    out.push('', table(rows2));
    const rows3 = [['peers, us/buffer', ...names.filter((n) => n !== 'native' && n !== 'wasm')]];
    for (const r of handoffs) rows3.push([r.name, ...rows3[0]!.slice(1).map((n) => vcell(r, n))]);
    out.push('', table(rows3));
  }
  const floor = results.filter((r) => r.floor);
  for (const r of floor) {
    const f = r.floor!;
    out.push('', `the call floor (${r.name}): a bare wasm -> JS -> koffi semop, no host logic: ${fmt(f.floor)} ${r.unit}, ` +
      `${fmt(f.floorOverNative, 3)}x native; the host over the floor: ${fmt(f.wasmOverFloor, 3)}x wall` +
      (f.cpuWasmOverFloor !== undefined ? `, ${fmt(f.cpuWasmOverFloor, 3)}x process CPU time` : ''));
  }
  for (const r of results.filter((x) => x.breakdown)) {
    const b = r.breakdown!;
    const host = r.stats['host-syscalls']?.median ?? NaN;
    out.push('', `where ${r.name}'s time goes (ns per pair, medians): native shmat+shmdt ${fmt(r.native)}; ` +
      `the host's system calls, in C: ${fmt(host)} = ${Object.entries(b).map(([k, x]) => `${k} ${fmt(x)}`).join(' + ')} (each timed alone); ` +
      `wasm ${fmt(r.wasm)}, of which ${fmt(r.wasm - host)} above the host's system calls (JS, koffi, window bookkeeping)`);
  }
  const contended = results.filter((r) => r.rate);
  if (contended.length) {
    const rows5 = [['contention (SEM_UNDO mutex)', 'contenders', 'all-native sections/s', 'guests+native sections/s', 'ratio', 'count']];
    for (const r of contended) {
      const n = Number(r.name.replace(/^\D+/, ''));
      const rate = (v: string) => (r.failures?.[v] && !r.stats[v] ? 'FAILED' : fmt(r.rate![v] ?? NaN));
      rows5.push([r.name, `${2 * n} native | ${n} wasm + ${n} native`, rate('native'), rate('wasm'),
        fmt((r.rate!['wasm'] ?? NaN) / (r.rate!['native'] ?? NaN), 3), r.failures ? 'see failures' : 'checked, none lost']);
    }
    out.push('', table(rows5));
  }
  const withCpu = results.filter((r) => r.cpu);
  if (withCpu.length) {
    const rows4 = [['process CPU time', 'unit', 'native', 'wasm', 'ratio', 'other variant']];
    for (const r of withCpu) {
      const other = Object.keys(r.cpu!.stats).filter((v) => v !== 'native' && v !== 'wasm')
        .map((v) => `${v} ${cell(r.cpu!.stats[v])}`).join(', ') || '-';
      rows4.push([r.name, r.unit, cell(r.cpu!.stats['native']), cell(r.cpu!.stats['wasm']), fmt(r.cpu!.ratio, 3), other]);
    }
    out.push('', table(rows4));
  }
  const failed = results.filter((r) => r.failures);
  if (failed.length) {
    out.push('', 'failures (FAILED: no sample; (k/n): median of the k repeats of n that ran):');
    for (const r of failed) {
      for (const [v, f] of Object.entries(r.failures!)) {
        out.push(`  ${r.name} ${v}: ${f.failed} of ${f.of} repeats failed: ${f.reasons.join('; ')}`);
      }
    }
  }
  out.push('', 'targets:');
  for (const r of results) {
    const t = TARGETS[r.name];
    if (t !== undefined) out.push(`  ${r.name} ratio ${fmt(r.ratio, 3)} <= ${t}: ${r.ratio <= t ? 'met' : 'MISSED'}`);
    if (r.floor) {
      const o = r.floor.wasmOverFloor - 1;
      out.push(`  ${r.name} host overhead over the call floor ${fmt(100 * o, 2)}% <= ${100 * FLOOR_OVERHEAD_TARGET}%: ${o <= FLOOR_OVERHEAD_TARGET ? 'met' : 'MISSED'}`);
    }
    if (r.name.startsWith('touch-') && r.size !== undefined) {
      if (r.size >= 16 << 20) {
        for (const p of TOUCH_COPYING) {
          const x = (r.stats[p]?.median ?? NaN) / r.wasm;
          out.push(`  ${r.name} wasm ${Number.isFinite(x) ? `${fmt(x, 3)}x` : '-'} faster than ${p} (>= 10x): ${x >= 10 ? 'met' : 'MISSED'}`);
        }
      }
    }
    if (r.name === 'handoff-1MiB' && r.mbps) {
      for (const p of COPYING) {
        const x = r.mbps['wasm']! / (r.mbps[p] ?? NaN);
        if (Number.isFinite(x)) out.push(`  handoff-1MiB wasm bytes/s = ${fmt(x, 3)}x ${p} (>= 5x): ${x >= 5 ? 'met' : 'MISSED'}`);
      }
    }
  }
  return out.join('\n');
}

/**
 * The warning for a loaded machine. Only semop and shmat measure process CPU
 * time (a figure other load cannot inflate); handoffs have no such table.
 */
export function loadWarning(load: number, cores: number, list: Pick<Workload, 'kind' | 'name'>[]): string {
  const cpu = list.filter((w) => w.kind === 'semop' || w.kind === 'shmat').map((w) => w.name);
  const where = cpu.length
    ? `the process CPU time table cross-checks ${cpu.join(', ')}${cpu.length < list.length ? '; the other workloads have no such check, rerun them on an idle machine' : ''}`
    : 'these workloads have no CPU-time cross-check: rerun on an idle machine';
  return `bench: warning: load average ${load.toFixed(2)} on ${cores} cores before the run; ` +
    `other work on the machine inflates and scatters the figures (${where})\n`;
}

// ---- the programmatic entry --------------------------------------------------------
export interface BenchOptions {
  /** Fewer and shorter repeats. */
  quick?: boolean;
  /** Only workloads whose name contains this text. */
  filter?: string;
  /** Repeats per measurement (default: 3 quick, 7 full). */
  reps?: number;
  /** Progress lines (building, each measurement). */
  onProgress?: (line: string) => void;
}

export interface BenchReport {
  date: string;
  quick: boolean;
  machine: ReturnType<typeof machine> & { loadavgAfter: number[] };
  seconds: number;
  results: Result[];
  /** Measurements that failed, one line each; empty when all ran. */
  failures: string[];
}

/** The workloads' names, as --filter matches them. */
export function benchWorkloads(quick = false): string[] {
  return workloads(quick).map((w) => w.name);
}

/**
 * Builds what the bench needs (cc for its C twin on first use), runs the
 * workloads in the caller's IPC namespace, and removes every IPC object it
 * created, also on failure.
 */
export async function runBench(o: BenchOptions = {}): Promise<BenchReport> {
  const opts: Options = { quick: o.quick ?? false, ...(o.filter !== undefined ? { filter: o.filter } : {}), ...(o.reps !== undefined ? { reps: o.reps } : {}) };
  const filter = o.filter;
  if (filter !== undefined && !workloads(opts.quick).some((w) => w.name.includes(filter))) {
    throw new UsageError(`no workload matches --filter ${filter} (workloads: ${benchWorkloads(opts.quick).join(', ')})`);
  }
  const log = o.onProgress ?? (() => {});
  const began = performance.now();
  const before = machine();
  try {
    await buildBench((line) => log(`bench: ${line}`));
    const { results, failures } = await runAll(opts, log);
    return { date: new Date().toISOString(), quick: opts.quick, machine: { ...before, loadavgAfter: os.loadavg() },
      seconds: (performance.now() - began) / 1000, results, failures };
  } finally {
    ipc.removeAll();
  }
}

// ---- isolation ------------------------------------------------------------------
/** Re-runs this command inside a fresh IPC namespace; null if unshare is not usable here. */
function inNamespace(argv: string[]): number | null {
  if (process.env['WASI_SYSV_BENCH_NS']) return null;
  const ns = process.getuid?.() === 0 ? ['--ipc'] : ['-r', '--ipc'];
  const probe = spawnSync('unshare', [...ns, 'true'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) return null;
  const r = spawnSync('unshare', [...ns, '--', process.execPath, BIN, 'bench', ...argv], {
    stdio: 'inherit', env: { ...process.env, WASI_SYSV_BENCH_NS: '1' },
  });
  return r.status ?? (r.signal === 'SIGINT' ? 130 : 1);
}

export async function main(argv: string[]): Promise<number> {
  let o: Options | 'help';
  try {
    o = parse(argv);
  } catch (e) {
    fs.writeSync(2, `wasi-sysv bench: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (o === 'help') { fs.writeSync(1, USAGE + '\n'); return 0; }
  const filter = o.filter;
  if (filter !== undefined && !workloads(o.quick).some((w) => w.name.includes(filter))) {
    fs.writeSync(2, `wasi-sysv bench: no workload matches --filter ${filter} (workloads: ${benchWorkloads(o.quick).join(', ')})\n`);
    return 2;
  }

  const nested = inNamespace(argv);
  if (nested !== null) return nested;

  const onSignal = (sig: NodeJS.Signals) => { ipc.removeAll(); process.exit(sig === 'SIGTERM' ? 143 : 130); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const before = machine();
  if (before.loadavg[0]! > 0.5 * before.cores) {
    fs.writeSync(2, loadWarning(before.loadavg[0]!, before.cores, workloads(o.quick).filter((w) => !filter || w.name.includes(filter))));
  }
  try {
    const doc = await runBench({ ...o, onProgress: (line) => {
      if (line.startsWith('bench: ') && / measurements in /.test(line)) { progressDone(); fs.writeSync(2, line + '\n'); } else progress(line);
    } });
    const m = doc.machine;
    const load = `load average ${m.loadavg[0]!.toFixed(2)} before, ${m.loadavgAfter[0]!.toFixed(2)} after`;
    fs.writeSync(1, `wasi-sysv bench${o.quick ? ' --quick' : ''}: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.kernel}; ` +
      `${o.reps ?? (o.quick ? 3 : 7)} repeats, median [min..max]; ${load}\n\n${report(doc.results)}\n`);
    if (o.json) {
      const { failures: _f, ...rest } = doc;
      fs.writeFileSync(o.json, JSON.stringify(rest, null, 2) + '\n');
    }
    for (const f of doc.failures) fs.writeSync(2, `bench: FAILED ${f}\n`);
    return doc.failures.length ? 1 : 0;
  } catch (e) {
    progressDone();
    if (e instanceof UsageError || e instanceof BuildError) { fs.writeSync(2, `wasi-sysv bench: ${e.message}\n`); return e instanceof UsageError ? 2 : 1; }
    fs.writeSync(2, `wasi-sysv bench: ${(e as Error)?.stack ?? e}\n`);
    return 70;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    ipc.removeAll();
    // Anything left in a private namespace is ours: report and remove it.
    if (process.env['WASI_SYSV_BENCH_NS']) {
      const left = ipc.listAll();
      if (left.shm.length || left.sem.length) {
        fs.writeSync(2, `bench: removing leftover objects (shm ${left.shm.join(',') || '-'}, sem ${left.sem.join(',') || '-'})\n`);
        for (const id of left.shm) ipc.removeShm(id);
        for (const id of left.sem) ipc.removeSem(id);
      }
    }
  }
}
