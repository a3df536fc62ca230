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
  /** Guest address it was attached at (page aligned); shmdt names it by this. */
  start: number;
  shmid: number;
  readonly: boolean;
  /**
   * Page runs still mapped. A later SHM_REMAP over part of the window leaves
   * fragments, as on Linux (each still counts in nattch until shmdt).
   */
  runs: Run[];
}

interface Run { start: number; end: number } // page indices [start, end)

/** A host invariant broke (a mapping call failed where it cannot fail). */
export class WindowFatalError extends Error {}

const intersects = (a: Run, b: Run) => a.start < b.end && b.start < a.end;

/** a minus b, as 0, 1 or 2 runs. */
function subtract(a: Run, b: Run): Run[] {
  if (!intersects(a, b)) return [a];
  const out: Run[] = [];
  if (a.start < b.start) out.push({ start: a.start, end: b.start });
  if (b.end < a.end) out.push({ start: b.end, end: a.end });
  return out;
}

export class WindowManager {
  private readonly mem: GuestMemory;
  private readonly scratch = new libc.NativeScratch();
  private reserved: Run[] = [];
  private windows: Window[] = [];

  constructor(mem: GuestMemory) {
    this.mem = mem;
  }

  /** Windows currently attached (some maybe in fragments), lowest first. */
  list(): Window[] {
    return [...this.windows].sort((a, b) => a.runs[0]!.start - b.runs[0]!.start);
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
      if (addr + pages * PAGE_SIZE > this.mem.size) return this.permissionFirst(shmid, shmflg, -Errno.EINVAL);
      if (!(shmflg & SHM_REMAP)) {
        const taken = this.overlapping({ start: startPage, end: startPage + pages }).length > 0;
        if (taken || !this.allReserved(startPage, pages)) return this.permissionFirst(shmid, shmflg, -Errno.EINVAL);
      }
    } else {
      const found = this.findFree(pages);
      if (found < 0) return this.permissionFirst(shmid, shmflg, found);
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
    // The kernel unmapped what this window covers of older ones: whole
    // windows are gone, partly covered ones live on in fragments.
    const range = { start: startPage, end: startPage + pages };
    if (explicit) for (const w of this.overlapping(range)) { // a place the host picked is free
      w.runs = w.runs.flatMap((r) => subtract(r, range));
      if (w.runs.length === 0) this.windows = this.windows.filter((x) => x !== w);
    }
    this.windows.push({ start, shmid, readonly: (shmflg & SHM_RDONLY) !== 0, runs: [range] });
    this.syncReadOnly();
    return start;
  }

  /**
   * Linux checks the caller's permission on the segment (EACCES) before the
   * address (EINVAL) and before mapping (ENOMEM); IPC_STAT, which the host
   * asks first, needs only read permission. So before an address error, ask
   * the kernel itself: shmat at linear memory's base without SHM_REMAP
   * always fails (V8's reservation is mapped there), with EACCES when the
   * permission check fails and with EINVAL after it, and a failed shmat
   * changes nothing (no attach, no times).
   */
  private permissionFirst(shmid: number, shmflg: number, err: number): number {
    const got = libc.shmat(shmid, this.mem.hostAddress(0), shmflg & (SHM_RDONLY | SHM_EXEC));
    if (got !== -1) {
      throw new WindowFatalError(`shmat of segment ${shmid} over linear memory's base succeeded without SHM_REMAP`);
    }
    const e = libc.errno();
    return e === Errno.EINVAL ? err : -e;
  }

  /**
   * shmdt: 0 or -errno. As Linux does, it removes the lowest-lying window
   * attached at shmaddr, with every fragment left of it. The pages then read
   * as zero and can host a later window.
   */
  detach(shmaddr: number): number {
    this.mem.refresh();
    const w = this.list().find((x) => x.start === shmaddr >>> 0);
    if (!w) return -Errno.EINVAL;
    // No separate shmdt: mapping fresh zero pages over each run (MAP_FIXED)
    // unmaps the segment there, and unmapping is all shmdt does. The kernel's
    // shm_close runs for any unmap: nattch drops per mapping, shm_dtime and
    // shm_lpid are set, and a segment marked for removal goes with its last
    // window. One system call instead of two, and the pages are never a hole.
    for (const r of w.runs) this.restore(r);
    this.windows = this.windows.filter((x) => x !== w);
    this.syncReadOnly();
    return 0;
  }

  /** Detaches every window (guest exit or trap); segments and data stay. */
  detachAll(): void {
    for (let w = this.list()[0]; w; w = this.list()[0]) {
      if (this.detach(w.start) !== 0) throw new WindowFatalError(`shmdt of the window at guest 0x${w.start.toString(16)} failed`);
    }
  }

  private syncReadOnly(): void {
    this.mem.setReadOnly(this.windows.filter((w) => w.readonly).flatMap((w) =>
      w.runs.map((r) => ({ start: r.start * PAGE_SIZE, end: r.end * PAGE_SIZE }))));
  }

  /** Replaces a run of window pages by fresh zero pages, detaching the segment there. */
  private restore(r: Run): void {
    const addr = this.mem.hostAddress(r.start * PAGE_SIZE);
    const len = (r.end - r.start) * PAGE_SIZE;
    const got = libc.mmap(addr, len, libc.PROT_READ | libc.PROT_WRITE,
      libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED, -1, 0);
    if (got !== addr) {
      throw new WindowFatalError(`could not restore ${len} bytes of linear memory at guest 0x${(r.start * PAGE_SIZE).toString(16)} (errno ${libc.errno()})`);
    }
  }

  private overlapping(range: Run): Window[] {
    return this.windows.filter((w) => w.runs.some((r) => intersects(r, range)));
  }

  /** Every mapped page run of every window, lowest first. */
  private takenRuns(): Run[] {
    return this.windows.flatMap((w) => w.runs).sort((a, b) => a.start - b.start);
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
      const busy = this.takenRuns().map((r) => r.end).filter((e) => e > last.start);
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
    const taken = this.takenRuns();
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

