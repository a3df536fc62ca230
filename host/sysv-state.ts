// What every sysv call needs: the guest memory accessor, the windows, a
// native scratch area for structures, and the stop signal.
import * as libc from './libc.js';
import { GuestMemory } from './guest-memory.js';
import { WindowManager, type GrowLimit } from './windows.js';
import { StopSignal } from './stop.js';

type Convert = (native: DataView, guest: DataView, guestOffset: number) => void;
type ConvertIn = (guest: DataView, guestOffset: number, native: DataView) => void;

export class SysvState {
  // Set by bind(): imports are created before the instance (and its memory).
  mem!: GuestMemory;
  windows!: WindowManager;
  readonly stop: StopSignal;
  readonly scratch = new libc.NativeScratch();
  /** The time left of a semtimedop resumed after a signal. */
  readonly times = new libc.NativeScratch();

  constructor(stop: StopSignal = new StopSignal()) {
    this.stop = stop;
  }

  /** Attaches the guest's linear memory (once the instance exists). */
  bind(memory: WebAssembly.Memory, limit: GrowLimit = {}): this {
    this.mem = new GuestMemory(memory);
    this.windows = new WindowManager(this.mem, limit);
    return this;
  }

  /**
   * A control call whose kernel result the host translates into a guest
   * structure of guestSize bytes at guestPtr. If the guest buffer is not
   * writable the kernel gets an address it will fault on, so it reports
   * EFAULT only where Linux would (after EINVAL, EIDRM, EACCES...).
   */
  callWithOut(guestPtr: number, guestSize: number, call: (addr: number) => number, convert: Convert): number {
    if (!this.mem.structOut(guestPtr, guestSize)) return libc.sys(call(libc.BAD_ADDRESS));
    const r = call(this.scratch.addr);
    if (r === -1) return -libc.errno();
    convert(this.scratch.view, this.mem.view, guestPtr >>> 0);
    return r;
  }

  /** A control call that reads a guest structure (IPC_SET). */
  callWithIn(guestPtr: number, guestSize: number, call: (addr: number) => number, convert: ConvertIn): number {
    if (!this.mem.structIn(guestPtr, guestSize)) return libc.sys(call(libc.BAD_ADDRESS));
    convert(this.mem.view, guestPtr >>> 0, this.scratch.view);
    return libc.sys(call(this.scratch.addr));
  }
}
