// Where a guest's stdin, stdout and stderr go (the plan, and the embedder's
// side of it; the guest's side is guest-stdio.ts, which alone needs libc). The guest runs on a worker
// thread; its fd 0-2 are routed by a plan that crosses to the worker:
//  - an fd (the process's own by default): written and read there directly,
//    synchronously, as a native program would;
//  - a Writable or a callback on the embedder's thread: each write is copied
//    into a shared byte ring (ring.ts) that the embedder's thread drains as
//    it is written. When the ring is full (the consumer is 1 MiB behind, or
//    a Writable asked to wait) the guest waits, in slices that see a stop
//    request: a slow consumer slows the guest, a stop still ends it, and no
//    byte is dropped, even when the worker is terminated;
//  - stdin from an fd, a file, or bytes given up front.
// With a byte limit per output stream, what goes past it is dropped and the
// run reports it (a runaway guest cannot fill the embedder's memory).
import fs from 'node:fs';
import type { Writable } from 'node:stream';
import { ByteRing } from './ring.js';

/** Where guest output goes: the process's own fd, nowhere, an fd, a stream or a callback. */
export type OutputTarget = 'inherit' | 'ignore' | number | Writable | ((chunk: Uint8Array) => void);
/** Where guest input comes from: the process's stdin, nothing (EOF), an fd, a file, or bytes. */
export type InputSource = 'inherit' | 'ignore' | number | { file: string } | { data: string | Uint8Array };

export type OutputPlan = { to: 'fd'; fd: number } | { to: 'ignore' } | { to: 'ring' };
export type InputPlan = { from: 'fd'; fd: number } | { from: 'file'; path: string } | { from: 'data'; data: Uint8Array } | { from: 'ignore' };

/** The structured-cloneable half that goes to the worker. */
export interface StdioPlan {
  stdin: InputPlan;
  stdout: OutputPlan;
  stderr: OutputPlan;
  /** Per output stream; undefined: no limit. */
  limitBytes?: number;
  /** The ring to the embedder's thread, when an output goes there or trace lines do. */
  ring?: SharedArrayBuffer;
}

/** Ring record tags besides fd 1 and 2. */
export const TAG_TRACE = 3;
export const TAG_TRUNCATED = 4;

export function inheritPlan(): StdioPlan {
  return { stdin: { from: 'fd', fd: 0 }, stdout: { to: 'fd', fd: 1 }, stderr: { to: 'fd', fd: 2 } };
}

// ---- embedder side --------------------------------------------------------------

export interface StdioOptions {
  stdin?: InputSource;
  stdout?: OutputTarget;
  stderr?: OutputTarget;
  outputLimitBytes?: number;
}

function outputPlan(t: OutputTarget | undefined, own: number, what: string): OutputPlan {
  if (t === undefined || t === 'inherit') return { to: 'fd', fd: own };
  if (t === 'ignore') return { to: 'ignore' };
  if (typeof t === 'number') {
    if (!Number.isInteger(t) || t < 0) throw new TypeError(`${what}: an fd must be a non-negative integer`);
    return { to: 'fd', fd: t };
  }
  if (typeof t === 'function' || (typeof t === 'object' && typeof (t as Writable).write === 'function')) return { to: 'ring' };
  throw new TypeError(`${what}: expected 'inherit', 'ignore', an fd, a Writable or a function`);
}

function inputPlan(s: InputSource | undefined): InputPlan {
  if (s === undefined || s === 'inherit') return { from: 'fd', fd: 0 };
  if (s === 'ignore') return { from: 'ignore' };
  if (typeof s === 'number') {
    if (!Number.isInteger(s) || s < 0) throw new TypeError('stdin: an fd must be a non-negative integer');
    return { from: 'fd', fd: s };
  }
  if (typeof s === 'object' && 'file' in s && typeof s.file === 'string') return { from: 'file', path: s.file };
  if (typeof s === 'object' && 'data' in s) {
    const d = s.data;
    return { from: 'data', data: typeof d === 'string' ? new Uint8Array(Buffer.from(d)) : new Uint8Array(d) };
  }
  throw new TypeError("stdin: expected 'inherit', 'ignore', an fd, { file } or { data }");
}

/**
 * Embedder side: builds the plan for the worker, then drains the ring while
 * the guest runs, handing the bytes to the streams and callbacks in order.
 * A Writable is written, never ended (it may be process.stdout); while it
 * asks to wait (write() returned false), the ring is not drained and the
 * guest waits for it. The run is over once every byte has been handed to
 * its Writable, flushed or not: a stalled consumer cannot hold the run.
 */
export class StdioPump {
  readonly plan: StdioPlan;
  /** Output streams whose bytes went past outputLimitBytes. */
  readonly truncated = { stdout: false, stderr: false };
  private readonly ring: ByteRing | undefined;
  private finished = false;
  /** Set when the ring could not be read (a host bug): the run reports a host error. */
  broken: string | undefined;
  private failed = new Set<number>();
  private waitingFor: Writable | undefined;
  private resume: (() => void) | undefined;

  constructor(private readonly opts: StdioOptions, private readonly onTrace?: (line: string) => void) {
    const limit = opts.outputLimitBytes;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new TypeError('outputLimitBytes must be a non-negative integer');
    const stdout = outputPlan(opts.stdout, 1, 'stdout');
    const stderr = outputPlan(opts.stderr, 2, 'stderr');
    const ring = stdout.to === 'ring' || stderr.to === 'ring' || onTrace !== undefined || limit !== undefined;
    this.plan = {
      stdin: inputPlan(opts.stdin), stdout, stderr,
      ...(limit !== undefined ? { limitBytes: limit } : {}),
      ...(ring ? { ring: ByteRing.allocate() } : {}),
    };
    this.ring = this.plan.ring ? new ByteRing(this.plan.ring) : undefined;
  }

  /** Drains the ring until finish(); call once the worker exists. */
  start(): void {
    if (!this.ring) return;
    void (async () => {
      while (!this.finished && !this.broken) {
        this.drain(false);
        if (this.waitingFor) {
          const w = this.waitingFor;
          await new Promise<void>((resolve) => { this.resume = resolve; w.once('drain', resolve); });
          w.off('drain', this.resume!);
          this.waitingFor = undefined;
          continue;
        }
        await this.ring!.written();
      }
    })();
  }

  /** The guest's thread has ended: hand over everything left, whatever the consumers' state. */
  finish(): void {
    this.finished = true;
    this.drain(true);
    this.ring?.wake();
    this.resume?.();
  }

  private drain(all: boolean): void {
    if (!this.ring || this.broken) return;
    try {
      while (all || !this.waitingFor) {
        const rec = this.ring.read();
        if (!rec) return;
        this.dispatch(rec.tag, rec.bytes);
      }
    } catch (e: any) {
      this.broken = e?.message ?? String(e);
    }
  }

  private dispatch(tag: number, data: Uint8Array): void {
    if (tag === TAG_TRACE) { this.onTrace?.(Buffer.from(data).toString()); return; }
    if (tag === TAG_TRUNCATED) { this.truncated[data[0] === 1 ? 'stdout' : 'stderr'] = true; return; }
    const target = tag === 1 ? this.opts.stdout : this.opts.stderr;
    if (this.failed.has(tag)) return;
    if (typeof target === 'function') {
      // A callback that throws gets nothing more; the guest runs on.
      try { target(data); } catch { this.failed.add(tag); }
      return;
    }
    if (!target || typeof target !== 'object') return;
    try {
      if (!target.write(data, (err) => { if (err) this.failed.add(tag); })) this.waitingFor = target;
    } catch {
      this.failed.add(tag);
    }
  }
}
