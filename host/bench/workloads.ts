// The workloads and how each variant of one is measured once. Every
// measurement is a fresh process (or pair of processes / workers) that times
// its own loop after a warm-up, so process start-up, wasm compilation and
// V8's tier-up are outside the figures; the driver only collects them. The
// exceptions measure exactly that: startup and rss time whole launches (a C
// launcher around each), and contention is timed by a native timer process
// from the moment every contender is ready to the moment all are done.
import path from 'node:path';
import { Worker, MessageChannel } from 'node:worker_threads';
import { start, fields, describeFailure, type ProcResult, type Running } from './proc.js';
import * as ipc from './ipc.js';
import { BIN, BENCH_WASM, COPY_WASM, FLOOR_WASM, HELLO_WASM, NATIVE, HERE } from './paths.js';
import { kernelMemory } from './peers.js';

export type Variant = 'native' | 'wasm' | 'postMessage' | 'child_process' | 'SAB+Atomics' | 'copy-shim'
  | 'call-floor' | 'host-syscalls' | 'node -e 0';
export const PEERS: Variant[] = ['postMessage', 'child_process', 'SAB+Atomics', 'copy-shim'];
/** Peers that copy the bytes on every handoff (the 5x target is against these). */
export const COPYING: Variant[] = ['postMessage', 'child_process', 'copy-shim'];

export interface OpParams { iters: number; warm: number; batch: number; size?: number }
/** touch: the transfer-bound kernel (one stamp per 4 KiB page) instead of every word. */
export interface HandoffParams { size: number; count: number; warm: number; touch?: boolean }
/** Launches of the command per measurement (the measurement is their median). */
export interface LaunchParams { launches: number }
/** n guests and n native contenders (wasm) or 2n native ones (native), `total` critical sections in all. */
export interface ContentionParams { n: number; total: number }

export interface Workload {
  name: string;
  /** Unit of the reported figure (lower is better). */
  unit: string;
  /** ns per op -> reported unit. */
  scale: number;
  kind: 'semop' | 'shmat' | 'handoff' | 'startup' | 'rss' | 'contention';
  op?: OpParams;
  handoff?: HandoffParams;
  launch?: LaunchParams;
  contention?: ContentionParams;
  variants: Variant[];
  /** The variant the ratio is taken against (default native C). */
  baseline?: Variant;
}

export interface Sample {
  /**
   * The figure before scaling: nanoseconds per operation (pair, buffer,
   * launch or critical section), wall clock; for rss, KiB of peak RSS.
   */
  ns: number;
  /** semop/shmat: process CPU nanoseconds per operation (unaffected by other load). */
  cpu?: number;
  /** Handoffs: the checksum both sides agreed on. */
  checksum?: string;
  /** shmat-shmdt host-syscalls: ns per call of each of the host's system calls. */
  parts?: Record<string, number>;
  /** Contention: the final count, checked against the critical sections run. */
  count?: number;
}

export function workloads(quick: boolean): Workload[] {
  const q = <T>(a: T, b: T) => (quick ? a : b);
  const handoff = (name: string, size: number, count: number, warm: number): Workload => ({
    name, unit: 'us/buffer', scale: 1e-3, kind: 'handoff', handoff: { size, count, warm },
    variants: ['native', 'wasm', ...PEERS],
  });
  const touch = (label: string, size: number, count: number, warm: number): Workload => {
    const w = handoff(`touch-${label}`, size, count, warm);
    w.handoff!.touch = true;
    return w;
  };
  const contention = (n: number): Workload => ({
    name: `contention-${n}`, unit: 'ns/section', scale: 1, kind: 'contention',
    contention: { n, total: q(20_000, 100_000) }, variants: ['native', 'wasm'],
  });
  return [
    { name: 'startup', unit: 'ms/run', scale: 1e-6, kind: 'startup', launch: { launches: q(3, 5) },
      variants: ['node -e 0', 'wasm'], baseline: 'node -e 0' },
    { name: 'rss', unit: 'MiB peak', scale: 1 / 1024, kind: 'rss', launch: { launches: q(3, 5) },
      variants: ['node -e 0', 'wasm'], baseline: 'node -e 0' },
    { name: 'semop-uncontended', unit: 'ns/pair', scale: 1, kind: 'semop',
      op: { iters: q(150_000, 1_000_000), warm: 20_000, batch: 1000 }, variants: ['native', 'wasm', 'call-floor'] },
    { name: 'shmat-shmdt', unit: 'ns/pair', scale: 1, kind: 'shmat',
      op: { iters: q(10_000, 60_000), warm: 2_000, batch: 500, size: 65536 }, variants: ['native', 'wasm', 'host-syscalls'] },
    handoff('handoff-64B', 64, q(4_000, 30_000), 1_000),
    handoff('handoff-64KiB', 65536, q(1_500, 10_000), 200),
    handoff('handoff-1MiB', 1 << 20, q(150, 1_200), 30),
    touch('4KiB', 4096, q(4_000, 30_000), 1_000),
    touch('64KiB', 65536, q(3_000, 20_000), 500),
    touch('1MiB', 1 << 20, q(1_000, 6_000), 100),
    touch('16MiB', 16 << 20, q(40, 150), 6),
    touch('64MiB', 64 << 20, q(12, 40), 3),
    contention(1), contention(4), contention(16), contention(64),
  ];
}

const TIMEOUT_MS = 120_000;

function argList(o: Record<string, number | undefined>): string[] {
  return Object.entries(o).filter(([, v]) => v !== undefined).flatMap(([k, v]) => [`--${k}`, String(v)]);
}

/** Command line of a guest or native program for a variant. */
function command(variant: Variant, mode: string, args: string[]): [string, string[]] {
  switch (variant) {
    case 'native': return [NATIVE, [mode, ...args]];
    case 'wasm': return [process.execPath, [BIN, 'run', BENCH_WASM, mode, ...args]];
    case 'copy-shim': return [process.execPath, [path.join(HERE, 'copy-host.js'), COPY_WASM, `copy-${mode}`, ...args]];
    case 'call-floor': return [process.execPath, [path.join(HERE, 'floor-host.js'), FLOOR_WASM, 'floor', ...args]];
    case 'host-syscalls': return [NATIVE, ['shmat-host', ...args]];
    default: throw new Error(`no command for ${variant}`);
  }
}

function nsOf(what: string, r: ProcResult): number {
  const f = fields(r.stdout);
  const ns = Number(f['ns_per_op']);
  if (r.code !== 0 || !Number.isFinite(ns) || ns <= 0) throw new Error(describeFailure(what, r));
  return ns;
}

/** semop-uncontended and shmat-shmdt: one process, objects of its own. */
async function runOp(w: Workload, variant: Variant): Promise<Sample> {
  const p = w.op!;
  const [cmd, args] = command(variant, w.kind, argList({ iters: p.iters, warm: p.warm, batch: p.batch, size: p.size }));
  const adopted: Array<['shm' | 'sem', number]> = [];
  const proc = start(cmd, args, TIMEOUT_MS, (line) => {
    const m = line.match(/^ipc (shm|sem)=(\d+)/);
    if (m) { ipc.adopt(m[1] as 'shm' | 'sem', Number(m[2])); adopted.push([m[1] as 'shm' | 'sem', Number(m[2])]); }
  });
  const r = await proc.done;
  // Removed by the program itself when it ends normally; this covers the rest.
  for (const [kind, id] of adopted) kind === 'shm' ? ipc.removeShm(id) : ipc.removeSem(id);
  const f = fields(r.stdout);
  const cpu = Number(f['cpu_ns_per_op']);
  const sample: Sample = { ns: nsOf(`${w.name} ${variant}`, r), ...(Number.isFinite(cpu) ? { cpu } : {}) };
  if (variant === 'host-syscalls') {
    sample.parts = { 'IPC_STAT': Number(f['stat_ns']), 'shmat(SHM_REMAP)': Number(f['attach_ns']), 'mmap restore': Number(f['restore_ns']) };
    if (!Object.values(sample.parts).every((x) => Number.isFinite(x) && x > 0)) throw new Error(`${w.name} ${variant}: no breakdown in its output`);
  }
  return sample;
}

function checkSums(what: string, writer: string | undefined, reader: string | undefined): string {
  if (!writer || !reader || writer !== reader) {
    throw new Error(`${what}: checksum mismatch (writer ${writer ?? 'none'}, reader ${reader ?? 'none'})`);
  }
  return reader;
}

/** Writer and reader as two processes over a segment and semaphore set the driver owns. */
async function runProcessPair(w: Workload, variant: Variant): Promise<Sample> {
  const p = w.handoff!;
  const objs = ipc.createHandoff(2 * p.size);
  const common = { shmid: objs.shmid, semid: objs.semid, size: p.size, count: p.count };
  const procs: Running[] = [];
  try {
    const mode = p.touch ? 'touch-' : '';
    const [wc, wa] = command(variant, `${mode}writer`, argList(common));
    const [rc, ra] = command(variant, `${mode}reader`, argList({ ...common, warm: p.warm }));
    procs.push(start(wc, wa, TIMEOUT_MS), start(rc, ra, TIMEOUT_MS));
    // If one side fails, removing the semaphores wakes the other with EIDRM.
    const [wr, rr] = await Promise.all(procs.map((pr) => pr.done.then((res) => {
      if (res.code !== 0) ipc.removeSem(objs.semid);
      return res;
    })));
    if (wr!.code !== 0) throw new Error(describeFailure(`${w.name} ${variant} writer`, wr!));
    const ns = nsOf(`${w.name} ${variant} reader`, rr!);
    const checksum = checkSums(`${w.name} ${variant}`, fields(wr!.stdout)['checksum'], fields(rr!.stdout)['checksum']);
    return { ns, checksum };
  } finally {
    for (const pr of procs) pr.kill();
    ipc.removeHandoff(objs);
  }
}

/** Two workers; resolves with both results, or rejects on error/timeout. */
function workerPair(w: Workload, variant: Variant, writerData: object, readerData: object, transfer: { w: any[]; r: any[] }): Promise<Sample> {
  const file = path.join(HERE, 'peers.js');
  const writer = new Worker(file, { workerData: writerData, transferList: transfer.w });
  const reader = new Worker(file, { workerData: readerData, transferList: transfer.r });
  return new Promise<Sample>((resolve, reject) => {
    let wres: string | undefined;
    let rres: { reader: string; ns: number } | undefined;
    const finish = (err?: Error) => {
      clearTimeout(timer);
      void writer.terminate();
      void reader.terminate();
      if (err) return reject(err);
      try {
        resolve({ ns: rres!.ns, checksum: checkSums(`${w.name} ${variant}`, wres, rres!.reader) });
      } catch (e) {
        reject(e as Error);
      }
    };
    const timer = setTimeout(() => finish(new Error(`${w.name} ${variant}: timed out`)), TIMEOUT_MS);
    const maybeDone = () => { if (wres !== undefined && rres !== undefined) finish(); };
    writer.on('message', (m: { writer: string }) => { wres ??= m.writer; maybeDone(); });
    reader.on('message', (m: { reader: string; ns: number }) => { rres ??= m; maybeDone(); });
    for (const x of [writer, reader]) x.on('error', (e) => finish(new Error(`${w.name} ${variant}: ${e.message}`)));
  });
}

async function runPeer(w: Workload, variant: Variant): Promise<Sample> {
  const p = w.handoff!;
  const job = { size: p.size, count: p.count, warm: p.warm, touch: p.touch === true };
  switch (variant) {
    case 'postMessage': {
      const { port1, port2 } = new MessageChannel();
      return workerPair(w, variant, { ...job, role: 'pm-writer', port: port1 }, { ...job, role: 'pm-reader', port: port2 },
        { w: [port1], r: [port2] });
    }
    case 'SAB+Atomics': {
      const memory = kernelMemory(p.size);
      const ctl = new Int32Array(new SharedArrayBuffer(8));
      return workerPair(w, variant, { ...job, role: 'sab-writer', memory, ctl }, { ...job, role: 'sab-reader', memory, ctl },
        { w: [], r: [] });
    }
    case 'child_process': {
      const pr = start(process.execPath, [path.join(HERE, 'peers.js'), 'cp-writer', String(p.size), String(p.count), String(p.warm),
        ...(p.touch ? ['touch'] : [])], TIMEOUT_MS);
      const r = await pr.done;
      const f = fields(r.stdout);
      const ns = nsOf(`${w.name} ${variant}`, r);
      return { ns, checksum: checkSums(`${w.name} ${variant}`, f['writer'], f['reader']) };
    }
    default:
      throw new Error(`unknown peer ${variant}`);
  }
}

// ---- start-up and memory ------------------------------------------------------
/** The command a start-up variant launches. */
function launchCommand(variant: Variant): string[] {
  switch (variant) {
    case 'node -e 0': return [process.execPath, '-e', '0'];
    case 'wasm': return [process.execPath, BIN, 'run', HELLO_WASM];
    default: throw new Error(`no start-up command for ${variant}`);
  }
}

/**
 * startup and rss: `launches` runs of the command, each under the C
 * launcher (fork, exec, wait4: wall time and ru_maxrss of that process
 * alone); the sample is the median run. The guest must have said hello.
 */
async function runLaunch(w: Workload, variant: Variant): Promise<Sample> {
  const xs: number[] = [];
  for (let k = 0; k < w.launch!.launches; k++) {
    const r = await start(NATIVE, ['launch', '--', ...launchCommand(variant)], TIMEOUT_MS).done;
    const f = fields(r.stdout);
    const x = Number(w.kind === 'rss' ? f['maxrss_kb'] : f['wall_ns']);
    if (r.code !== 0 || !Number.isFinite(x) || x <= 0) throw new Error(describeFailure(`${w.name} ${variant}`, r));
    if (variant === 'wasm' && !/^hello$/m.test(r.stdout)) throw new Error(`${w.name} ${variant}: the guest did not print hello (stdout: ${JSON.stringify(r.stdout.slice(0, 200))})`);
    xs.push(x);
  }
  xs.sort((a, b) => a - b);
  return { ns: xs[xs.length >> 1]! };
}

// ---- contention ------------------------------------------------------------------
/** Guests per host process in the contention runs (each its own worker and SEM_UNDO list). */
export const GUESTS_PER_HOST = 8;

/**
 * The count check: the counter every contender incremented under the mutex
 * must equal the critical sections they report, which must be the ones
 * planned. Returns the problem, or null.
 */
export function checkCount(count: number, reported: number, planned: number): string | null {
  if (reported !== planned) return `the contenders report ${reported} critical sections, ${planned} were planned`;
  if (count !== planned) return `the counter is ${count} after ${planned} critical sections: ${count < planned ? `${planned - count} increments lost` : `${count - planned} too many`}`;
  return null;
}

/**
 * The sum of every "sections=K" in the outputs. Not anchored to lines: the
 * guests of one host process share its stdout, and the host writes a
 * guest's text and its newline separately, so lines can interleave.
 */
export function sectionsReported(outputs: string[]): number {
  let n = 0;
  for (const out of outputs) for (const m of out.matchAll(/sections=(\d+)/g)) n += Number(m[1]);
  return n;
}

/**
 * n guests + n native contenders (wasm) or 2n native ones (native) on one
 * SEM_UNDO mutex; a native timer opens the gate once all are ready and
 * times until all are done. The sample is ns per critical section.
 */
async function runContention(w: Workload, variant: Variant): Promise<Sample> {
  const { n, total } = w.contention!;
  const procs = 2 * n;
  const iters = Math.ceil(total / procs);
  const planned = iters * procs;
  const objs = ipc.createContention();
  const running: Running[] = [];
  try {
    const common = argList({ semid: objs.semid, shmid: objs.shmid });
    const timer = start(NATIVE, ['contend-timer', ...common, '--procs', String(procs)], TIMEOUT_MS);
    running.push(timer);
    const natives = variant === 'native' ? procs : n;
    for (let k = 0; k < natives; k++) running.push(start(NATIVE, ['contend', ...common, '--iters', String(iters)], TIMEOUT_MS));
    for (let left = procs - natives; left > 0; left -= GUESTS_PER_HOST) {
      const here = Math.min(GUESTS_PER_HOST, left);
      running.push(start(process.execPath, [path.join(HERE, 'guests-host.js'), String(here), BENCH_WASM, 'contend', ...common, '--iters', String(iters)], TIMEOUT_MS));
    }
    // One failure wakes the others: removing the set ends their waits with EIDRM.
    const results = await Promise.all(running.map((pr) => pr.done.then((res) => {
      if (res.code !== 0) ipc.removeSem(objs.semid);
      return res;
    })));
    // A contender's failure is the cause; the timer then only saw the set go (EIDRM).
    const bad = results.findIndex((res, k) => k > 0 && res.code !== 0);
    if (bad > 0) throw new Error(describeFailure(`${w.name} ${variant} contender`, results[bad]!));
    if (results[0]!.code !== 0) throw new Error(describeFailure(`${w.name} ${variant} timer`, results[0]!));
    const f = fields(results[0]!.stdout);
    const elapsed = Number(f['elapsed_ns']);
    const count = Number(f['count']);
    const problem = checkCount(count, sectionsReported(results.slice(1).map((res) => res.stdout)), planned);
    if (problem) throw new Error(`${w.name} ${variant}: ${problem}`);
    if (!Number.isFinite(elapsed) || elapsed <= 0) throw new Error(describeFailure(`${w.name} ${variant} timer`, results[0]!));
    return { ns: elapsed / planned, count };
  } finally {
    for (const pr of running) pr.kill();
    ipc.removeContention(objs);
  }
}

/** One measurement of one variant of a workload. */
export function measure(w: Workload, variant: Variant): Promise<Sample> {
  if (w.kind === 'startup' || w.kind === 'rss') return runLaunch(w, variant);
  if (w.kind === 'contention') return runContention(w, variant);
  if (w.kind !== 'handoff') return runOp(w, variant);
  if (variant === 'native' || variant === 'wasm' || variant === 'copy-shim') return runProcessPair(w, variant);
  return runPeer(w, variant);
}
