// Windows: kernel segments mapped into the guest's linear memory with
// shmat(SHM_REMAP), so a guest load or store is a load or store on the
// segment itself (zero copy; nattch is the kernel's own count).
//
// Page accounting, in 4 KiB pages of linear memory:
//  - "reserved" pages were added by the host with memory.grow for windows.
//    The guest allocator never owns them: AssemblyScript's TLSF and sbrk-style
//    allocators only claim memory up to memory.size() at the time they grow,
//    and the host's pages lie below any later growth.
//  - a reserved page outside every window is free (counts as unmapped, like
//    a hole in a native address space); every other page is mapped.
import * as libc from './libc.js';
import { GuestMemory } from './guest-memory.js';
import {
  Errno, IPC_STAT, PAGE_SIZE, SHM_EXEC, SHM_RDONLY, SHM_REMAP, SHM_RND, WASM_PAGE_SIZE,
} from './abi.js';

export interface Window {
  /** First guest byte (page aligned). */
  start: number;
  pages: number;
  shmid: number;
  readonly: boolean;
}

interface Run { start: number; end: number } // page indices [start, end)

/** A host invariant broke (a mapping call failed where it cannot fail). */
export class WindowFatalError extends Error {}

export class WindowManager {
  private readonly mem: GuestMemory;
  private readonly scratch = new libc.NativeScratch();
  private reserved: Run[] = [];
  private readonly windows = new Map<number, Window>();

  constructor(mem: GuestMemory) {
    this.mem = mem;
  }

  /** Windows currently attached, by start address. */
  list(): Window[] {
    return [...this.windows.values()].sort((a, b) => a.start - b.start);
  }

  /** Guest pages reserved by the host for windows, as [start, end) byte ranges. */
  reservedRanges(): Array<[number, number]> {
    return this.reserved.map((r) => [r.start * PAGE_SIZE, r.end * PAGE_SIZE]);
  }

  /** shmat: returns the guest address (as an unsigned number) or -errno. */
  attach(shmid: number, shmaddr: number, shmflg: number): number {
    // Argument checks in the order Linux's do_shmat makes them.
    if (shmid < 0) return -Errno.EINVAL;
    let addr = shmaddr >>> 0;
    if (addr !== 0) {
      if (addr % PAGE_SIZE !== 0) {
        if (!(shmflg & SHM_RND)) return -Errno.EINVAL;
        addr -= addr % PAGE_SIZE;
        if (addr === 0 && (shmflg & SHM_REMAP)) return -Errno.EINVAL;
      }
    } else if (shmflg & SHM_REMAP) {
      return -Errno.EINVAL;
    }
    const explicit = (shmaddr >>> 0) !== 0;

    // The segment's size decides how many pages the window takes. IPC_STAT
    // fails exactly where shmat's own lookup would (EINVAL, EIDRM, EACCES
    // for a segment the caller may not read).
    const stat = libc.shmctl(shmid, IPC_STAT, this.scratch.addr);
    if (stat === -1) return -libc.errno();
    const segsz = Number(this.scratch.view.getBigUint64(48, true));
    const pages = Math.ceil(segsz / PAGE_SIZE);

    let startPage: number;
    if (explicit) {
      startPage = addr / PAGE_SIZE;
      if (addr + pages * PAGE_SIZE > this.mem.size) return -Errno.EINVAL;
      const overlapped = this.overlapping(startPage, pages);
      if (!(shmflg & SHM_REMAP)) {
        if (overlapped.length > 0 || !this.allReserved(startPage, pages)) return -Errno.EINVAL;
      } else {
        // Replacing whole windows is what Linux does; replacing part of one
        // would leave a stray piece the guest can no longer name: refused.
        const end = startPage + pages;
        for (const w of overlapped) {
          const wStart = w.start / PAGE_SIZE;
          if (wStart < startPage || wStart + w.pages > end) return -Errno.EINVAL;
        }
      }
    } else {
      const found = this.findFree(pages);
      if (found < 0) return found;
      startPage = found;
    }

    const start = startPage * PAGE_SIZE;
    const want = this.mem.hostAddress(start);
    const flags = (shmflg & (SHM_RDONLY | SHM_EXEC)) | SHM_REMAP;
    const got = libc.shmat(shmid, want, flags);
    if (got === -1) return -libc.errno();
    if (got !== want) {
      throw new WindowFatalError(`shmat placed segment ${shmid} at 0x${got.toString(16)}, asked 0x${want.toString(16)}`);
    }
    // The kernel dropped the windows this one replaced (their nattch fell).
    for (const w of this.overlapping(startPage, pages)) this.forget(w);
    const w: Window = { start, pages, shmid, readonly: (shmflg & SHM_RDONLY) !== 0 };
    this.windows.set(start, w);
    if (w.readonly) this.mem.markReadOnly(start, start + pages * PAGE_SIZE);
    return start;
  }

  /** shmdt: 0 or -errno. The pages then read as zero and can host a window. */
  detach(shmaddr: number): number {
    this.mem.refresh();
    const w = this.windows.get(shmaddr >>> 0);
    if (!w) return -Errno.EINVAL;
    if (libc.shmdt(this.mem.hostAddress(w.start)) === -1) return -libc.errno();
    this.restore(w);
    this.forget(w);
    return 0;
  }

  /** Detaches every window (guest exit or trap); segments and data stay. */
  detachAll(): void {
    for (const w of this.list()) this.detach(w.start);
  }

  private forget(w: Window): void {
    this.windows.delete(w.start);
    if (w.readonly) this.mem.unmarkReadOnly(w.start);
  }

  /** After shmdt the range is a hole; put fresh zero pages back at once. */
  private restore(w: Window): void {
    const addr = this.mem.hostAddress(w.start);
    const len = w.pages * PAGE_SIZE;
    const r = libc.mmap(addr, len, libc.PROT_READ | libc.PROT_WRITE,
      libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED, -1, 0);
    if (r !== addr) {
      throw new WindowFatalError(`could not restore ${len} bytes of linear memory at guest 0x${w.start.toString(16)} (errno ${libc.errno()})`);
    }
  }

  private overlapping(startPage: number, pages: number): Window[] {
    const s = startPage * PAGE_SIZE;
    const e = s + pages * PAGE_SIZE;
    return this.list().filter((w) => w.start < e && w.start + w.pages * PAGE_SIZE > s);
  }

  private allReserved(startPage: number, pages: number): boolean {
    const end = startPage + pages;
    return this.reserved.some((r) => r.start <= startPage && end <= r.end);
  }

  /**
   * First fit among free reserved pages; grows linear memory when none fits,
   * extending the last reserved run when it ends at the end of memory.
   * Returns a page index or -ENOMEM.
   */
  private findFree(pages: number): number {
    const hit = this.firstFit(pages);
    if (hit >= 0) return hit;
    const memPages = this.mem.size / PAGE_SIZE;
    const last = this.reserved[this.reserved.length - 1];
    let tailFree = 0;
    if (last && last.end === memPages) {
      const busy = this.list().map((w) => w.start / PAGE_SIZE + w.pages).filter((e) => e > last.start);
      tailFree = last.end - Math.max(last.start, ...busy);
    }
    const needBytes = (pages - tailFree) * PAGE_SIZE;
    const grow = Math.ceil(needBytes / WASM_PAGE_SIZE);
    try {
      this.mem.memory.grow(grow);
    } catch {
      return -Errno.ENOMEM;
    }
    this.mem.refresh();
    const newEnd = this.mem.size / PAGE_SIZE;
    if (last && last.end === memPages) last.end = newEnd;
    else this.reserved.push({ start: memPages, end: newEnd });
    const again = this.firstFit(pages);
    if (again < 0) throw new WindowFatalError(`no room for ${pages} pages after growing linear memory`);
    return again;
  }

  private firstFit(pages: number): number {
    const taken = this.list().map((w) => ({ start: w.start / PAGE_SIZE, end: w.start / PAGE_SIZE + w.pages }));
    for (const r of this.reserved) {
      let cursor = r.start;
      for (const t of taken) {
        if (t.end <= cursor || t.start >= r.end) continue;
        if (t.start - cursor >= pages) return cursor;
        cursor = Math.max(cursor, t.end);
      }
      if (r.end - cursor >= pages) return cursor;
    }
    return -1;
  }
}

