// The peers: how a Node user would move the same bytes between two
// JavaScript workers or processes. Every peer runs the double buffer of the
// wasm guests with the same data kernel (build/bench/kernel.wasm, compiled
// from the guests' own assembly/bench/lib/kernel.ts), the same flow control
// (the writer is at most two buffers ahead) and the same timing (the reader
// times buffers warm..count-1 on its own clock), so that a peer differs from
// the guest only in how the bytes travel:
//   postMessage    worker_threads, MessagePort; the writer copies the buffer
//                  out of its memory and transfers that copy, the reader
//                  copies it into its memory (copying).
//   child_process  two processes, IPC channel with serialization 'advanced'
//                  (the binary-capable one); the same copies plus V8
//                  serialization and the pipe (copying).
//   SAB+Atomics    two workers share one WebAssembly.Memory (a
//                  SharedArrayBuffer); Atomics.wait/notify on two counters
//                  are the semaphores; the kernel works in place (no copy).
// The fourth peer, the copying shim, is a wasm guest: copy-host.ts.
// With job.touch (the transfer-bound touch-* workloads) the kernel stamps
// each 4 KiB page instead of filling every word, and the reader checks each
// stamp: a wrong one fails the peer with the buffer, page and values.
//
// This file is both a worker_threads entry (workerData.role) and a child
// process entry (argv[2] is the role).
import fs from 'node:fs';
import { fork } from 'node:child_process';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { KERNEL_WASM, KERNEL_MAX_PAGES } from './paths.js';

export const FNV_OFFSET = 0xcbf29ce484222325n;

export interface Kernel {
  fill(p: number, i: bigint, words: number, h: bigint): bigint;
  sum(p: number, words: number, h: bigint): bigint;
  stamp(p: number, i: bigint, pages: number, h: bigint): bigint;
  check(p: number, i: bigint, pages: number, h: bigint): bigint;
  stampOf(i: bigint, pages: number, k: number): bigint;
  lastBadPage(): bigint;
  lastBadValue(): bigint;
}

export const STAMP_PAGE = 4096;

export interface PeerResult {
  /** Writer's checksum over what it wrote. */
  writer: string;
  /** Reader's checksum over what it read. */
  reader: string;
  /** Reader's time per buffer (ns), buffers warm..count-1. */
  ns: number;
}

export const hex64 = (h: bigint) => BigInt.asUintN(64, h).toString(16).padStart(16, '0');

/** Wasm pages for `buffers` buffers of `size` bytes at offsets 0, `size`, ... */
export function kernelPages(size: number, buffers = 2): number {
  return Math.ceil((buffers * size) / 65536) + 1;
}

export function kernelMemory(size: number, buffers = 2): WebAssembly.Memory {
  const initial = kernelPages(size, buffers);
  if (initial > KERNEL_MAX_PAGES) throw new Error(`${buffers} buffers of ${size} bytes exceed the kernel's ${KERNEL_MAX_PAGES} pages`);
  return new WebAssembly.Memory({ initial, maximum: KERNEL_MAX_PAGES, shared: true });
}

/**
 * The per-buffer work of a job: fill/sum every word, or (touch) stamp and
 * check one word per 4 KiB page. check() throws on a wrong stamp.
 */
export function work(k: Kernel, job: Job): { write(p: number, i: number, h: bigint): bigint; read(p: number, i: number, h: bigint): bigint } {
  if (!job.touch) {
    const words = job.size / 8;
    return { write: (p, i, h) => k.fill(p, BigInt(i), words, h), read: (p, _i, h) => k.sum(p, words, h) };
  }
  if (job.size % STAMP_PAGE !== 0) throw new Error(`size ${job.size} is not a multiple of ${STAMP_PAGE}`);
  const pages = job.size / STAMP_PAGE;
  return {
    write: (p, i, h) => k.stamp(p, BigInt(i), pages, h),
    read: (p, i, h) => {
      const r = k.check(p, BigInt(i), pages, h);
      const bad = k.lastBadPage();
      if (bad >= 0n) {
        throw new Error(`stamp mismatch in buffer ${i}, page ${bad}: expected ${hex64(k.stampOf(BigInt(i), pages, Number(bad)))}, found ${hex64(k.lastBadValue())}`);
      }
      return r;
    },
  };
}

export function loadKernel(memory: WebAssembly.Memory): Kernel {
  const module = new WebAssembly.Module(fs.readFileSync(KERNEL_WASM));
  return new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as Kernel;
}

export interface Job { size: number; count: number; warm: number; touch?: boolean }

/** Writer side of a message-passing peer: fills, then sends when it has credit. */
function messageWriter(job: Job, send: (copy: Uint8Array) => void, onAck: (cb: () => void) => void, done: (checksum: string) => void): void {
  const memory = kernelMemory(job.size, 1);
  const k = work(loadKernel(memory), job);
  const u8 = new Uint8Array(memory.buffer);
  let credits = 2;
  let i = 0;
  let h = FNV_OFFSET;
  let filled = false;
  let finished = false;
  const pump = () => {
    if (finished) return;
    while (i < job.count) {
      if (!filled) { h = k.write(0, i, h); filled = true; }
      if (credits === 0) return;
      credits--;
      send(u8.slice(0, job.size));
      filled = false;
      i++;
    }
    finished = true;
    done(hex64(h));
  };
  onAck(() => { credits++; pump(); });
  pump();
}

/** Reader side: copies each message into its memory, acknowledges, sums. */
function messageReader(job: Job, ack: () => void, done: (r: { reader: string; ns: number }) => void): (m: Uint8Array) => void {
  const memory = kernelMemory(job.size, 1);
  const k = work(loadKernel(memory), job);
  const u8 = new Uint8Array(memory.buffer);
  let i = 0;
  let h = FNV_OFFSET;
  let t0 = 0;
  return (m: Uint8Array) => {
    if (i === job.warm) t0 = performance.now();
    u8.set(m, 0);
    ack();
    h = k.read(0, i, h);
    if (++i === job.count) done({ reader: hex64(h), ns: ((performance.now() - t0) * 1e6) / (job.count - job.warm) });
  };
}

function sabWriter(job: Job, memory: WebAssembly.Memory, ctl: Int32Array): string {
  const k = work(loadKernel(memory), job);
  let h = FNV_OFFSET;
  for (let i = 0; i < job.count; i++) {
    if (i >= 2) {
      while (Atomics.load(ctl, 0) === 0) Atomics.wait(ctl, 0, 0);
      Atomics.sub(ctl, 0, 1);
    }
    h = k.write((i & 1) * job.size, i, h);
    Atomics.add(ctl, 1, 1);
    Atomics.notify(ctl, 1);
  }
  return hex64(h);
}

function sabReader(job: Job, memory: WebAssembly.Memory, ctl: Int32Array): { reader: string; ns: number } {
  const k = work(loadKernel(memory), job);
  let h = FNV_OFFSET;
  let t0 = 0;
  for (let i = 0; i < job.count; i++) {
    while (Atomics.load(ctl, 1) === 0) Atomics.wait(ctl, 1, 0);
    Atomics.sub(ctl, 1, 1);
    if (i === job.warm) t0 = performance.now();
    h = k.read((i & 1) * job.size, i, h);
    Atomics.add(ctl, 0, 1);
    Atomics.notify(ctl, 0);
  }
  return { reader: hex64(h), ns: ((performance.now() - t0) * 1e6) / (job.count - job.warm) };
}

// ---- worker_threads entry -------------------------------------------------
if (parentPort && workerData?.role) {
  const d = workerData as Job & { role: string; port?: MessagePort; memory?: WebAssembly.Memory; ctl?: Int32Array };
  const out = parentPort;
  switch (d.role) {
    case 'pm-writer': {
      const port = d.port!;
      messageWriter(d, (copy) => port.postMessage(copy, [copy.buffer as ArrayBuffer]),
        (cb) => port.on('message', cb), (writer) => out.postMessage({ writer }));
      break;
    }
    case 'pm-reader': {
      const port = d.port!;
      port.on('message', messageReader(d, () => port.postMessage(0), (r) => out.postMessage(r)));
      break;
    }
    case 'sab-writer':
      out.postMessage({ writer: sabWriter(d, d.memory!, d.ctl!) });
      break;
    case 'sab-reader':
      out.postMessage(sabReader(d, d.memory!, d.ctl!));
      break;
  }
}

// ---- child_process entry ----------------------------------------------------
// argv: cp-writer|cp-reader SIZE COUNT WARM [touch]. The writer forks the reader with
// an 'advanced' IPC channel and prints one line: writer=.. reader=.. ns_per_op=..
const self = fileURLToPath(import.meta.url);
if (!parentPort && process.argv[1] === self && process.argv[2]?.startsWith('cp-')) {
  const [role, size, count, warm, touch] = process.argv.slice(2);
  const job: Job = { size: Number(size), count: Number(count), warm: Number(warm), touch: touch === 'touch' };
  if (role === 'cp-writer') {
    const child = fork(self, ['cp-reader', size!, count!, warm!, ...(job.touch ? ['touch'] : [])], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let writer = '';
    let acks: (() => void) | undefined;
    child.on('message', (m: unknown) => {
      if (typeof m === 'number') { acks?.(); return; }
      const r = m as { reader: string; ns: number };
      fs.writeSync(1, `writer=${writer} reader=${r.reader} ns_per_op=${r.ns}\n`);
      child.disconnect();
    });
    child.on('exit', (code) => { process.exitCode = code ?? 1; });
    messageWriter(job, (copy) => { child.send(copy); }, (cb) => { acks = cb; }, (h) => { writer = h; });
  } else if (role === 'cp-reader') {
    process.on('message', messageReader(job, () => process.send!(0), (r) => { process.send!(r); }));
    process.on('disconnect', () => process.exit(0));
  }
}
