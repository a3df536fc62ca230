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
//
// Growth: every memory.grow, the guest's own (routed here by the module
// rewrite, wasm-rewrite.ts) and the host's for window placement, goes
// through grow(), which moves read-only windows out of V8's way.
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

/**
 * Mapped runs (windows and their fragments) one guest may hold: a shmat past
 * it is ENOMEM. Far below the process's map count, which V8 needs too, and
 * which a growth with read-only windows uses up to three times as many of
 * for a moment (docs/abi.md, addition 3).
 */
export const MAX_RUNS = 1024;

const intersects = (a: Run, b: Run) => a.start < b.end && b.start < a.end;

/** a minus b, as 0, 1 or 2 runs. */
function subtract(a: Run, b: Run): Run[] {
  if (!intersects(a, b)) return [a];
  const out: Run[] = [];
  if (a.start < b.start) out.push({ start: a.start, end: b.start });
  if (b.end < a.end) out.push({ start: b.end, end: a.end });
  return out;
}

export interface GrowLimit {
  /** Linear memory may not grow past this many wasm pages (64 KiB each). */
  memoryPages?: number;
}

export class WindowManager {
  private readonly mem: GuestMemory;
  private readonly scratch = new libc.NativeScratch();
  // Stryker disable next-line ArrayDeclaration: equivalent, a non-run entry has no start/end: every comparison with it is false and it is never the last run, so it never fits, never counts as reserved, never gets extended (docs/mutation.md)
  private reserved: Run[] = [];
  private windows: Window[] = [];
  private readonly limitPages: number | undefined;
  /** Growths refused by the page limit (guest memory.grow or window placement). */
  limitRefusals = 0;

  constructor(mem: GuestMemory, limit: GrowLimit = {}) {
    this.mem = mem;
    this.limitPages = limit.memoryPages;
  }

  /** Windows currently attached (some maybe in fragments), lowest first. */
  list(): Window[] {
    return [...this.windows].sort((a, b) => a.runs[0]!.start - b.runs[0]!.start);
  }

  /** shmat: returns the guest address (as an unsigned number) or -errno. */
  attach(shmid: number, shmaddr: number, shmflg: number): number {
    // Argument checks in the order Linux's do_shmat makes them.
    // Stryker disable next-line ConditionalExpression: equivalent when forced false, every later check and the kernel's IPC_STAT answer a negative id with EINVAL too (docs/mutation.md)
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
    // Each run is a mapping of the process, and Linux answers ENOMEM when a
    // process has no mapping left (vm.max_map_count, 65530): the host keeps
    // each guest far below that, for V8 and for the moves around a growth.
    if (this.windows.reduce((n, w) => n + w.runs.length, 0) >= MAX_RUNS) return this.permissionFirst(shmid, shmflg, -Errno.ENOMEM);

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
      // Stryker disable next-line EqualityOperator: equivalent, findFree never returns page 0 (kept out of placement) (docs/mutation.md)
      if (found < 0) return this.permissionFirst(shmid, shmflg, found);
      startPage = found;
    }

    const start = startPage * PAGE_SIZE;
    const want = this.mem.hostAddress(start);
    const flags = (shmflg & (SHM_RDONLY | SHM_EXEC)) | SHM_REMAP;
    const got = libc.shmat(shmid, want, flags);
    if (got === -1) return -libc.errno();
    // Stryker disable next-line ConditionalExpression,BlockStatement: unreachable, shmat with SHM_REMAP at a page-aligned address maps there or fails (docs/mutation.md)
    if (got !== want) {
      // Stryker disable next-line StringLiteral: unreachable, the message of the assertion above
      throw new WindowFatalError(`shmat placed segment ${shmid} at 0x${got.toString(16)}, asked 0x${want.toString(16)}`);
    }
    // The kernel unmapped what this window covers of older ones: whole
    // windows are gone, partly covered ones live on in fragments.
    const range = { start: startPage, end: startPage + pages };
    // Stryker disable next-line ConditionalExpression: equivalent when forced true, a place the host picked overlaps no window (docs/mutation.md)
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
    // Stryker disable next-line ConditionalExpression,BlockStatement: unreachable, shmat over linear memory's base without SHM_REMAP always fails (V8's reservation is mapped there) (docs/mutation.md)
    if (got !== -1) {
      // Stryker disable next-line StringLiteral: unreachable, the message of the assertion above
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
      // Stryker disable next-line StringLiteral: unreachable, detach finds every window list() gives (docs/mutation.md)
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
      // Stryker disable next-line UnaryOperator: equivalent, Linux ignores the fd of a MAP_ANONYMOUS mapping (docs/mutation.md)
      libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED, -1, 0);
    // Fails only when the kernel is out of memory or mappings
    // (test/lift-faults.test.ts makes it fail).
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
    // Stryker disable next-line EqualityOperator: equivalent, firstFit never returns page 0 (kept out of placement) (docs/mutation.md)
    if (hit >= 0) return hit;
    const memPages = this.mem.size / PAGE_SIZE;
    const last = this.reserved[this.reserved.length - 1];
    let tailFree = 0;
    if (last && last.end === memPages) {
      // Stryker disable next-line MethodExpression,ConditionalExpression,EqualityOperator: equivalent, ends at or below last.start never raise the max below (docs/mutation.md)
      const busy = this.takenRuns().map((r) => r.end).filter((e) => e > last.start);
      tailFree = last.end - Math.max(last.start, ...busy);
    }
    // Guest page 0 never hosts a window: its address would read as NULL, and
    // Linux never returns 0 for a host-chosen address. (Only a guest whose
    // memory starts empty would offer it.)
    const first = Math.max(memPages, 1);
    const needBytes = (pages + first - memPages - tailFree) * PAGE_SIZE;
    const grow = Math.ceil(needBytes / WASM_PAGE_SIZE);
    if (this.grow(grow) === -1) return -Errno.ENOMEM;
    const newEnd = this.mem.size / PAGE_SIZE;
    if (last && last.end === memPages) last.end = newEnd;
    else this.reserved.push({ start: first, end: newEnd });
    const again = this.firstFit(pages);
    // Stryker disable next-line ConditionalExpression,EqualityOperator,StringLiteral: an assertion, unreachable in a correct host: grown by what it needs, firstFit finds the room, and never at page 0 (docs/mutation.md)
    if (again < 0) throw new WindowFatalError(`no room for ${pages} pages after growing linear memory`);
    return again;
  }

  private firstFit(pages: number): number {
    const taken = this.takenRuns();
    for (const r of this.reserved) {
      let cursor = r.start;
      for (const t of taken) {
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, a run not skipped here moves neither the answer nor the cursor (docs/mutation.md)
        if (t.end <= cursor || t.start >= r.end) continue;
        if (t.start - cursor >= pages) return cursor;
        cursor = Math.max(cursor, t.end);
      }
      if (r.end - cursor >= pages) return cursor;
    }
    return -1;
  }

  /**
   * memory.grow, for the guest (its instruction, rewritten into a call of
   * the host) and for window placement: grows linear memory by deltaPages
   * wasm pages and returns the old size in pages, or -1 (past the memory's
   * maximum or the page limit, or no memory to be had), as the instruction.
   *
   * V8 grows in place with mprotect(READ|WRITE) from the memory's base to
   * its new end and aborts the whole process when that fails for any reason
   * but ENOMEM. Over a window attached SHM_RDONLY it fails with EACCES. So
   * each read-only run is first moved aside with mremap: the segment stays
   * mapped all along (nattch never changes, a segment already marked for
   * removal survives, no byte is copied), anonymous pages fill its place
   * while V8 re-protects, and mremap(MREMAP_FIXED) puts the run back onto
   * its address, replacing the filler. The window's place is never a hole:
   * the move leaves the old mapping where it was (MREMAP_DONTUNMAP, Linux
   * 5.13 for shared mappings) and the filler replaces it in one call, and
   * the move back replaces the filler in one call. A hole, even for the
   * moment between two calls, could be given to another thread's mmap
   * (V8's compiler threads map memory at any time), which the MAP_FIXED
   * filler would then destroy. The kernel's shm_open/shm_close on
   * the move set shm_atime, shm_dtime and shm_lpid (docs/abi.md).
   */
  grow(deltaPages: number): number {
    const delta = deltaPages >>> 0;
    const old = this.mem.size / WASM_PAGE_SIZE;
    // Stryker disable next-line ConditionalExpression: equivalent when forced false, growing by 0 returns the old size too (after lifting and restoring any read-only window) (docs/mutation.md)
    if (delta === 0) return old;
    // Stryker disable next-line ConditionalExpression: equivalent when the first test is forced true, nothing is greater than undefined (docs/mutation.md)
    if (this.limitPages !== undefined && old + delta > this.limitPages) {
      this.limitRefusals++;
      return -1;
    }
    const readOnly = this.windows.filter((w) => w.readonly).flatMap((w) => w.runs);
    if (readOnly.length === 0) return this.growHere(delta);
    const lifted = this.lift(readOnly);
    if (!lifted) return -1;
    // Stryker disable next-line UnaryOperator: equivalent, never returned: growHere either assigns it or throws (docs/mutation.md)
    let result = -1;
    try {
      result = this.growHere(delta);
    } finally {
      this.putBack(lifted);
    }
    return result;
  }

  protected growHere(delta: number): number {
    let old: number;
    try {
      old = this.mem.memory.grow(delta);
    } catch {
      return -1; // RangeError: past the maximum, or the engine could not commit the pages
    }
    this.mem.refresh();
    return old;
  }

  /**
   * Moves each run into a fresh reservation and fills its place with
   * anonymous pages. Undoes what it did and returns null if a step fails
   * (a run whose fill failed still has its old mapping, or a hole, at its
   * place: putBack's move replaces either).
   */
  private lift(runs: Run[]): Lifted | null {
    // Stryker disable next-line ArithmeticOperator: equivalent, a larger area aside only reserves more address space (docs/mutation.md)
    const total = runs.reduce((n, r) => n + (r.end - r.start) * PAGE_SIZE, 0);
    // Stryker disable next-line UnaryOperator: equivalent, Linux ignores the fd of a MAP_ANONYMOUS mapping (docs/mutation.md)
    const area = libc.mmap(0, total, libc.PROT_NONE, libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_NORESERVE, -1, 0);
    if (area === -1) return null;
    const lifted: Lifted = { area, total, moved: [] };
    let at = area;
    let ok = true;
    for (const r of runs) {
      const addr = this.mem.hostAddress(r.start * PAGE_SIZE);
      const len = (r.end - r.start) * PAGE_SIZE;
      // A kernel before 5.13 refuses MREMAP_DONTUNMAP on a shared mapping
      // (EINVAL): the growth then fails (-1), as when memory runs out.
      if (libc.mremap(addr, len, len, libc.MREMAP_MAYMOVE | libc.MREMAP_FIXED | libc.MREMAP_DONTUNMAP, at) !== at) { ok = false; break; }
      lifted.moved.push({ addr, len, aside: at });
      at += len;
      const fill = libc.mmap(addr, len, libc.PROT_READ | libc.PROT_WRITE,
        // Stryker disable next-line UnaryOperator: equivalent, Linux ignores the fd of a MAP_ANONYMOUS mapping (docs/mutation.md)
        libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED, -1, 0);
      if (fill !== addr) { ok = false; break; }
    }
    if (ok) return lifted;
    this.putBack(lifted);
    return null;
  }

  /** Moves every lifted run back onto its address; a run that cannot go back is fatal. */
  private putBack(lifted: Lifted): void {
    const failed = lifted.moved.filter((m) =>
      libc.mremap(m.aside, m.len, m.len, libc.MREMAP_MAYMOVE | libc.MREMAP_FIXED, m.addr) !== m.addr);
    // Unmap only what is still ours: a run that could not go back (which
    // detaches the segment there, keeping nattch true) and the part of the
    // reservation never used. A run that went back left a hole, which another
    // thread may already have been given by mmap: unmapping the whole
    // reservation here freed V8's compiler memory under it (a SIGSEGV in a
    // compiler thread, about one run in ten of a growth with 500 read-only
    // windows attached).
    for (const m of failed) libc.munmap(m.aside, m.len);
    const used = lifted.moved.reduce((n, m) => n + m.len, 0);
    if (used < lifted.total) libc.munmap(lifted.area + used, lifted.total - used);
    if (failed.length > 0) {
      // The first few, so that the error stays a line a person can read.
      const shown = failed.slice(0, 3).map((m) => `0x${(m.addr - this.mem.base).toString(16)}`).join(', ');
      const where = failed.length > 3 ? `${shown} and ${failed.length - 3} more` : shown;
      throw new WindowFatalError(`could not map read-only window pages back at guest ${where} after growing linear memory (errno ${libc.errno()}); the guest cannot go on`);
    }
  }
}

/** Read-only runs moved aside for a growth: host addresses and lengths. */
interface Lifted {
  area: number;
  total: number;
  moved: Array<{ addr: number; len: number; aside: number }>;
}
