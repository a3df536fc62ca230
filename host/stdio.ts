// Where a guest's stdin, stdout and stderr go. The guest runs on a worker
// thread; its fd 0-2 are routed by a plan that crosses to the worker:
//  - an fd (the process's own by default): written and read there directly,
//    synchronously, as a native program would;
//  - a Writable or a callback on the embedder's thread: each write is copied
//    and posted to it. The bytes in flight are counted in shared memory; past
//    HIGH_WATER the guest waits for the consumer, in slices that see a stop
//    request, so a slow consumer slows the guest, a stop still ends it, and
//    no byte is dropped;
//  - stdin from an fd, a file, or bytes given up front.
// With a byte limit per output stream, what goes past it is dropped and the
// run reports it (a runaway guest cannot fill the embedder's memory).
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { Writable } from 'node:stream';
import * as libc from './libc.js';
import { SLICE_MS, type StopSignal } from './stop.js';

/** Where guest output goes: the process's own fd, nowhere, an fd, a stream or a callback. */
export type OutputTarget = 'inherit' | 'ignore' | number | Writable | ((chunk: Uint8Array) => void);
/** Where guest input comes from: the process's stdin, nothing (EOF), an fd, a file, or bytes. */
export type InputSource = 'inherit' | 'ignore' | number | { file: string } | { data: string | Uint8Array };

export type OutputPlan = { to: 'fd'; fd: number } | { to: 'ignore' } | { to: 'post' };
export type InputPlan = { from: 'fd'; fd: number } | { from: 'file'; path: string } | { from: 'data'; data: Uint8Array } | { from: 'ignore' };

/** The structured-cloneable half that goes to the worker. */
export interface StdioPlan {
  stdin: InputPlan;
  stdout: OutputPlan;
  stderr: OutputPlan;
  /** Per output stream; undefined: no limit. */
  limitBytes?: number;
  /** Int32 [0]: bytes posted and not yet taken by the consumer. */
  inflight: SharedArrayBuffer;
}

/** Messages from the worker; every other message is the guest's outcome. */
export type StdioMessage =
  | { wasiSysvStdio: 'out'; fd: 1 | 2; data: Uint8Array }
  | { wasiSysvStdio: 'truncated'; fd: 1 | 2 }
  | { wasiSysvStdio: 'trace'; line: string };

/** Posted bytes beyond which the guest waits for the consumer. */
export const HIGH_WATER = 1 << 20;

export const isStdioMessage = (m: unknown): m is StdioMessage =>
  typeof m === 'object' && m !== null && 'wasiSysvStdio' in m;

// ---- worker side ----------------------------------------------------------------

/** The guest's fd 0-2, as seen from the worker. */
export class GuestStdio {
  private readonly written = [0, 0, 0];
  private readonly truncated = [false, false, false];
  private readonly inflight: Int32Array;
  private readonly scratch = new libc.NativeScratch();
  private inFd = -1;
  private inOffset = 0;

  constructor(
    private readonly plan: StdioPlan,
    private readonly stop: StopSignal,
    private readonly post: (m: StdioMessage) => void = (m) => parentPort?.postMessage(m),
  ) {
    this.inflight = new Int32Array(plan.inflight);
  }

  /** The process's own stdio, no limit (what the CLI uses). */
  static inherit(stop: StopSignal): GuestStdio {
    return new GuestStdio(inheritPlan(), stop);
  }

  /** Writes all of chunk to guest fd 1 or 2; false on an I/O error. */
  write(fd: 1 | 2, chunk: Uint8Array): boolean {
    const out = fd === 1 ? this.plan.stdout : this.plan.stderr;
    if (out.to === 'ignore') return true;
    let bytes = chunk;
    const limit = this.plan.limitBytes;
    if (limit !== undefined) {
      const room = Math.max(0, limit - this.written[fd]!);
      if (bytes.length > room) {
        bytes = bytes.subarray(0, room);
        if (!this.truncated[fd]) { this.truncated[fd] = true; this.post({ wasiSysvStdio: 'truncated', fd }); }
      }
    }
    this.written[fd]! += bytes.length;
    if (bytes.length === 0) return true;
    if (out.to === 'post') {
      // Flow control: wait while the consumer is HIGH_WATER behind.
      for (let now = Atomics.load(this.inflight, 0); now > HIGH_WATER; now = Atomics.load(this.inflight, 0)) {
        Atomics.wait(this.inflight, 0, now, SLICE_MS);
        this.stop.check();
      }
      Atomics.add(this.inflight, 0, bytes.length);
      this.post({ wasiSysvStdio: 'out', fd, data: bytes.slice() });
      return true;
    }
    let off = 0;
    while (off < bytes.length) {
      try {
        off += fs.writeSync(out.fd, bytes, off);
      } catch (e: any) {
        if (e?.code !== 'EAGAIN') return false;
        this.stop.check();
      }
    }
    return true;
  }

  /** A trace line: to the embedder's callback when there is one, else to guest stderr. */
  trace(line: string, toCallback: boolean): void {
    if (toCallback) this.post({ wasiSysvStdio: 'trace', line });
    else this.write(2, Buffer.from(line + '\n'));
  }

  /** Reads into buf from guest fd 0: bytes read (0 at the end), or -1 on an I/O error. */
  read(buf: Uint8Array): number {
    const src = this.plan.stdin;
    switch (src.from) {
      case 'ignore': return 0;
      case 'data': {
        const n = Math.min(buf.length, src.data.length - this.inOffset);
        buf.set(src.data.subarray(this.inOffset, this.inOffset + n));
        this.inOffset += n;
        return n;
      }
      case 'file': {
        try {
          if (this.inFd < 0) this.inFd = fs.openSync(src.path, 'r');
          return fs.readSync(this.inFd, buf, 0, buf.length, null);
        } catch {
          return -1;
        }
      }
      case 'fd': {
        // Wait for input in slices so that a stop request is seen.
        const pv = this.scratch.view;
        for (;;) {
          pv.setInt32(0, src.fd, true); pv.setInt16(4, libc.POLLIN, true); pv.setInt16(6, 0, true);
          if (libc.poll(this.scratch.addr, 1, SLICE_MS) > 0) break;
          this.stop.check();
        }
        try {
          return fs.readSync(src.fd, buf, 0, buf.length, null);
        } catch (e: any) {
          return e?.code === 'EAGAIN' ? 0 : -1;
        }
      }
    }
  }

  /** Closes a stdin file opened here. */
  close(): void {
    if (this.inFd >= 0) { try { fs.closeSync(this.inFd); } catch { /* already gone */ } this.inFd = -1; }
  }
}

export function inheritPlan(): StdioPlan {
  return { stdin: { from: 'fd', fd: 0 }, stdout: { to: 'fd', fd: 1 }, stderr: { to: 'fd', fd: 2 }, inflight: new SharedArrayBuffer(4) };
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
  if (typeof t === 'function' || (typeof t === 'object' && typeof (t as Writable).write === 'function')) return { to: 'post' };
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
 * Embedder side: builds the plan for the worker and takes the worker's
 * output messages, handing the bytes to the streams and callbacks in order.
 */
export class StdioPump {
  readonly plan: StdioPlan;
  /** Output streams whose bytes went past outputLimitBytes. */
  readonly truncated = { stdout: false, stderr: false };
  private readonly inflight: Int32Array;
  private pending = 0;
  private idle: (() => void) | undefined;
  private failed = new Set<number>();

  constructor(private readonly opts: StdioOptions, private readonly onTrace?: (line: string) => void) {
    const limit = opts.outputLimitBytes;
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 0)) throw new TypeError('outputLimitBytes must be a non-negative integer');
    this.plan = {
      stdin: inputPlan(opts.stdin),
      stdout: outputPlan(opts.stdout, 1, 'stdout'),
      stderr: outputPlan(opts.stderr, 2, 'stderr'),
      ...(limit !== undefined ? { limitBytes: limit } : {}),
      inflight: new SharedArrayBuffer(4),
    };
    this.inflight = new Int32Array(this.plan.inflight);
  }

  /** Takes a worker message; false when it is not a stdio message. */
  handle(m: unknown): boolean {
    if (!isStdioMessage(m)) return false;
    if (m.wasiSysvStdio === 'trace') { this.onTrace?.(m.line); return true; }
    if (m.wasiSysvStdio === 'truncated') { this.truncated[m.fd === 1 ? 'stdout' : 'stderr'] = true; return true; }
    const target = m.fd === 1 ? this.opts.stdout : this.opts.stderr;
    const data = m.data;
    const release = () => {
      Atomics.sub(this.inflight, 0, data.length);
      Atomics.notify(this.inflight, 0);
    };
    if (typeof target === 'function') {
      try { target(data); } finally { release(); }
    } else if (target && typeof target === 'object' && !this.failed.has(m.fd)) {
      this.pending++;
      const done = () => {
        release();
        if (--this.pending === 0) this.idle?.();
      };
      try {
        target.write(data, (err) => { if (err) this.failed.add(m.fd); done(); });
      } catch {
        this.failed.add(m.fd);
        done();
      }
    } else {
      release();
    }
    return true;
  }

  /** Resolves once every byte handed to a Writable has been taken by it. */
  flushed(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => { this.idle = resolve; });
  }
}
