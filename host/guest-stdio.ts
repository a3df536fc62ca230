// The guest's side of its stdio (stdio.ts has the plan and the embedder's
// side): fd 0-2 as the guest thread sees them, written and read
// synchronously, or through the shared ring to the embedder's thread.
// Its own module so that the embedder's thread, which only pumps the ring,
// loads no C library (docs/startup.md).
import fs from 'node:fs';
import { ByteRing } from './ring.js';
import * as libc from './libc.js';
import { SLICE_MS, type StopSignal } from './stop.js';
import { inheritPlan, TAG_TRACE, TAG_TRUNCATED, type StdioPlan } from './stdio.js';

/** The guest's fd 0-2, as seen from the worker. */
export class GuestStdio {
  private readonly written = [0, 0, 0];
  private readonly truncated = [false, false, false];
  private readonly ring: ByteRing | undefined;
  private readonly scratch = new libc.NativeScratch();
  private inFd = -1;
  private inOffset = 0;

  constructor(private readonly plan: StdioPlan, private readonly stop: StopSignal) {
    this.ring = plan.ring ? new ByteRing(plan.ring) : undefined;
  }

  private toRing(tag: number, bytes: Uint8Array): void {
    this.ring!.write(tag, bytes, SLICE_MS, () => this.stop.check());
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
        if (!this.truncated[fd]) {
          this.truncated[fd] = true;
          if (this.ring) this.toRing(TAG_TRUNCATED, Uint8Array.of(fd));
        }
      }
    }
    this.written[fd]! += bytes.length;
    if (bytes.length === 0) return true;
    if (out.to === 'ring') {
      this.toRing(fd, bytes);
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
    if (toCallback && this.ring) this.toRing(TAG_TRACE, Buffer.from(line));
    else this.write(2, Buffer.from(line + '\n'));
  }

  /**
   * Whether a read of guest fd 0 would not block, waiting up to ms for it
   * (poll_oneoff). Bytes, a file or 'ignore' are always ready (data or EOF).
   */
  stdinReady(ms: number): boolean {
    const src = this.plan.stdin;
    if (src.from !== 'fd') return true;
    const pv = this.scratch.view;
    pv.setInt32(0, src.fd, true); pv.setInt16(4, libc.POLLIN, true); pv.setInt16(6, 0, true);
    return libc.poll(this.scratch.addr, 1, Math.max(0, Math.ceil(ms))) > 0;
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

