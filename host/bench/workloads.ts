// The workloads and how each variant of one is measured once. Every
// measurement is a fresh process (or pair of processes / workers) that times
// its own loop after a warm-up, so process start-up, wasm compilation and
// V8's tier-up are outside the figures; the driver only collects them.
import path from 'node:path';
import { Worker, MessageChannel } from 'node:worker_threads';
import { start, fields, describeFailure, type ProcResult, type Running } from './proc.js';
import * as ipc from './ipc.js';
import { BIN, BENCH_WASM, COPY_WASM, NATIVE, HERE } from './paths.js';
import { kernelMemory, type PeerResult } from './peers.js';

export type Variant = 'native' | 'wasm' | 'postMessage' | 'child_process' | 'SAB+Atomics' | 'copy-shim';
export const PEERS: Variant[] = ['postMessage', 'child_process', 'SAB+Atomics', 'copy-shim'];
/** Peers that copy the bytes on every handoff (the 5x target is against these). */
export const COPYING: Variant[] = ['postMessage', 'child_process', 'copy-shim'];

export interface OpParams { iters: number; warm: number; batch: number; size?: number }
export interface HandoffParams { size: number; count: number; warm: number }

export interface Workload {
  name: string;
  /** Unit of the reported figure (lower is better). */
  unit: string;
  /** ns per op -> reported unit. */
  scale: number;
  kind: 'semop' | 'shmat' | 'handoff';
  op?: OpParams;
  handoff?: HandoffParams;
  variants: Variant[];
}

export interface Sample {
  /** Nanoseconds per operation (pair, or buffer), wall clock. */
  ns: number;
  /** semop/shmat: process CPU nanoseconds per operation (unaffected by other load). */
  cpu?: number;
  /** Handoffs: the checksum both sides agreed on. */
  checksum?: string;
}

export function workloads(quick: boolean): Workload[] {
  const q = <T>(a: T, b: T) => (quick ? a : b);
  const handoff = (name: string, size: number, count: number, warm: number): Workload => ({
    name, unit: 'us/buffer', scale: 1e-3, kind: 'handoff', handoff: { size, count, warm },
    variants: ['native', 'wasm', ...PEERS],
  });
  return [
    { name: 'semop-uncontended', unit: 'ns/pair', scale: 1, kind: 'semop',
      op: { iters: q(150_000, 1_000_000), warm: 20_000, batch: 1000 }, variants: ['native', 'wasm'] },
    { name: 'shmat-shmdt', unit: 'ns/pair', scale: 1, kind: 'shmat',
      op: { iters: q(10_000, 60_000), warm: 2_000, batch: 500, size: 65536 }, variants: ['native', 'wasm'] },
    handoff('handoff-64B', 64, q(4_000, 30_000), 1_000),
    handoff('handoff-64KiB', 65536, q(1_500, 10_000), 200),
    handoff('handoff-1MiB', 1 << 20, q(150, 1_200), 30),
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
  const cpu = Number(fields(r.stdout)['cpu_ns_per_op']);
  return { ns: nsOf(`${w.name} ${variant}`, r), ...(Number.isFinite(cpu) ? { cpu } : {}) };
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
    const [wc, wa] = command(variant, 'writer', argList(common));
    const [rc, ra] = command(variant, 'reader', argList({ ...common, warm: p.warm }));
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
  const job = { size: p.size, count: p.count, warm: p.warm };
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
      const pr = start(process.execPath, [path.join(HERE, 'peers.js'), 'cp-writer', String(p.size), String(p.count), String(p.warm)], TIMEOUT_MS);
      const r = await pr.done;
      const f = fields(r.stdout);
      const ns = nsOf(`${w.name} ${variant}`, r);
      return { ns, checksum: checkSums(`${w.name} ${variant}`, f['writer'], f['reader']) };
    }
    default:
      throw new Error(`unknown peer ${variant}`);
  }
}

/** One measurement of one variant of a workload. */
export function measure(w: Workload, variant: Variant): Promise<Sample> {
  if (w.kind !== 'handoff') return runOp(w, variant);
  if (variant === 'native' || variant === 'wasm' || variant === 'copy-shim') return runProcessPair(w, variant);
  return runPeer(w, variant);
}
