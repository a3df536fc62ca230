// The `proc` import module (docs/abi.md, addition 8): spawning like fork.
// A guest spawns a guest module as a real OS process (its own pid, so
// shm_cpid/shm_lpid/sempid, SEM_UNDO and limits are per process, as after
// fork): `node bin/wasi-sysv.js run [the parent's options] -- MODULE ARGS`,
// started with posix_spawn (returns at once with the pid), inheriting the
// IPC namespace, the environment and fds 0-2 of the host process. The guest
// waits for its children through pidfds: poll() is never restarted after a
// signal handler (waitpid would be, under libuv's SA_RESTART), so the
// host's stop kick (stop.ts) interrupts a wait with EINTR as it does semop;
// then the child is reaped with waitpid(WNOHANG). libuv reaps only the pids
// it spawned itself, so nothing else takes our children's statuses.
// Which modules may be spawned, the limit on live children, and what becomes
// of children when their parent ends are decided here and in runner.ts
// (stopChildren), documented in docs/abi.md.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as libc from './libc.js';
import { Errno } from './abi.js';
import type { GuestMemory } from './guest-memory.js';
import type { StopSignal } from './stop.js';
import type { DirMapping } from './dirs.js';
import { formatCall } from './trace.js';

import { MAX_CHILDREN, PROC_IMPORTS } from './abi.js';

export { MAX_CHILDREN, PROC_IMPORTS };
/** Bytes of spawn's argument block at most (Linux's per-string limit, MAX_ARG_STRLEN). */
export const MAX_ARGS_BYTES = 131072;
export const WNOHANG = 1;

const CLI = fileURLToPath(new URL('../../bin/wasi-sysv.js', import.meta.url));

/** What a guest's children inherit, and where its own module is. */
export interface ProcConfig {
  /** The guest's own module (absolute): "" spawns it; others resolve against its directory. */
  wasmPath: string;
  env: Record<string, string>;
  dirs: DirMapping[];
  trace: boolean;
  /** Live children at most (spawn gives EAGAIN past it); inherited by each child. */
  maxProcs?: number;
  memoryPages?: number;
  /**
   * A FIFO shared by a whole tree of guests (a lab's `processes` limit): each
   * byte in it is one process the tree may still start. spawn takes a byte
   * (none left: EAGAIN, as fork gives past RLIMIT_NPROC) and wait gives it
   * back when it reaps the child; inherited by each child.
   */
  tokens?: string;
  /**
   * Int32Array(MAX_CHILDREN) of live child pids (0 = free slot), shared with
   * the supervisor so that it can stop them even after terminating a busy
   * guest (runner.ts).
   */
  shared?: SharedArrayBuffer;
}

function dirSpec(d: DirMapping): string {
  const q = [d.readOnly ? 'ro' : '', d.quota?.bytes !== undefined ? `bytes=${d.quota.bytes}` : '', d.quota?.files !== undefined ? `files=${d.quota.files}` : ''].filter(Boolean).join(',');
  return `${d.host}:${d.guest}${q ? ':' + q : ''}`;
}

export class ProcState {
  readonly slots: Int32Array;
  /** pid -> pidfd of every live child. */
  private readonly children = new Map<number, number>();
  private readonly pollfds = new libc.NativeScratch(MAX_CHILDREN * 8);
  private readonly out = new libc.NativeScratch(16);
  /** posix_spawn_file_actions_t: fds 0-2 inherited even when the host marked them close-on-exec (libuv does). */
  private readonly actions = new libc.NativeScratch(256);
  private actionsReady = false;
  /** The opened tokens FIFO (ProcConfig.tokens), or -1 before the first spawn / without one. */
  private tokenFd = -1;

  constructor(readonly config: ProcConfig, readonly stop: StopSignal) {
    this.slots = new Int32Array(config.shared ?? new SharedArrayBuffer(MAX_CHILDREN * 4));
  }

  get limit(): number {
    return Math.min(this.config.maxProcs ?? MAX_CHILDREN, MAX_CHILDREN);
  }

  /**
   * The module a guest may spawn, or -errno: "" is the guest's own module;
   * anything else must be a .wasm file inside the own module's directory
   * (after symlinks), else EACCES; a missing one is ENOENT.
   */
  resolveModule(name: string): string | number {
    const self = this.config.wasmPath;
    if (name === '') return self;
    if (name.includes('\0')) return -Errno.EINVAL;
    const dir = path.dirname(self);
    const inside = (p: string, d: string) => p.startsWith(d.endsWith(path.sep) ? d : d + path.sep);
    const lexical = path.resolve(dir, name);
    if (!inside(lexical, dir) || !lexical.endsWith('.wasm')) return -Errno.EACCES;
    let real: string;
    try {
      real = fs.realpathSync(lexical);
    } catch (e: any) {
      return e?.code === 'ENOENT' || e?.code === 'ENOTDIR' ? -Errno.ENOENT : -Errno.EACCES;
    }
    let realDir: string;
    try { realDir = fs.realpathSync(dir); } catch { return -Errno.EACCES; }
    if (!inside(real, realDir) || !real.endsWith('.wasm')) return -Errno.EACCES;
    if (!fs.statSync(real, { throwIfNoEntry: false })?.isFile()) return -Errno.EACCES;
    return real;
  }

  /** The host command line that runs `module args` with this guest's options. */
  childArgv(module: string, args: string[]): string[] {
    const c = this.config;
    const opts: string[] = [];
    for (const d of c.dirs) opts.push('--dir', dirSpec(d));
    for (const [k, v] of Object.entries(c.env)) opts.push('--env', `${k}=${v}`);
    if (c.trace) opts.push('--trace');
    if (c.maxProcs !== undefined) opts.push('--max-procs', String(c.maxProcs));
    if (c.memoryPages !== undefined) opts.push('--memory-pages', String(c.memoryPages));
    if (c.tokens !== undefined) opts.push('--spawn-tokens', c.tokens);
    return [process.execPath, CLI, 'run', ...opts, '--', module, ...args];
  }

  spawn(mem: GuestMemory, pathPtr: number, pathLen: number, argsPtr: number, argsLen: number): number {
    const pl = pathLen >>> 0, al = argsLen >>> 0;
    if (!mem.inBounds(pathPtr, pl) || !mem.inBounds(argsPtr, al)) return -Errno.EFAULT;
    if (al > MAX_ARGS_BYTES || pl > 4096) return -Errno.E2BIG;
    const args: string[] = [];
    if (al > 0) {
      const block = mem.read(argsPtr, al);
      if (block[al - 1] !== 0) return -Errno.EINVAL;
      args.push(...Buffer.from(block.subarray(0, al - 1)).toString('utf8').split('\0'));
    }
    const module = this.resolveModule(Buffer.from(mem.read(pathPtr, pl)).toString('utf8'));
    if (typeof module === 'number') return module;
    if (this.children.size >= this.limit) return -Errno.EAGAIN;
    const slot = this.slots.indexOf(0);
    if (slot < 0) return -Errno.EAGAIN;
    if (!this.takeToken()) return -Errno.EAGAIN;
    const env = Object.entries(process.env).map(([k, v]) => `${k}=${v}`);
    const argv = this.childArgv(module, args);
    const pid = [0];
    if (!this.actionsReady) {
      libc.spawnFileActionsInit(this.actions.addr);
      for (const fd of [0, 1, 2]) libc.spawnFileActionsAddDup2(this.actions.addr, fd, fd);
      this.actionsReady = true;
    }
    const e = libc.posixSpawn(pid, argv[0]!, this.actions.addr, null, [...argv, null], [...env, null]);
    if (e !== 0) { this.giveToken(); return -e; }
    const child = pid[0]!;
    // A child cannot be reaped by anyone but us, so its pidfd always opens.
    const fd = libc.pidfdOpen(child);
    if (fd < 0) {
      // Out of descriptors: do not leave a child we cannot wait for.
      const err = libc.errno();
      process.kill(child, 'SIGKILL');
      libc.waitpid(child, this.out.addr, 0);
      this.giveToken();
      return -err;
    }
    this.children.set(child, fd);
    Atomics.store(this.slots, slot, child);
    return child;
  }

  /**
   * Reaps a child that ended: pid -1 any child, else that child. The wait
   * status (Linux's encoding) goes to statusPtr unless it is 0. Blocks
   * unless options has WNOHANG (then 0 when none has ended).
   */
  wait(mem: GuestMemory, pid: number, statusPtr: number, options: number): number {
    if ((options & ~WNOHANG) !== 0) return -Errno.EINVAL;
    if (pid === 0 || pid < -1) return -Errno.EINVAL;
    if (statusPtr !== 0 && !mem.writable(statusPtr, 4)) return -Errno.EFAULT;
    const pids = pid === -1 ? [...this.children.keys()] : this.children.has(pid) ? [pid] : [];
    if (pids.length === 0) return -Errno.ECHILD;
    const v = this.pollfds.view;
    pids.forEach((p, i) => {
      v.setInt32(i * 8, this.children.get(p)!, true);
      v.setInt16(i * 8 + 4, libc.POLLIN, true);
      v.setInt16(i * 8 + 6, 0, true);
    });
    for (;;) {
      const r = libc.poll(this.pollfds.addr, pids.length, options & WNOHANG ? 0 : -1);
      if (r === -1) {
        const e = libc.errno();
        if (e !== Errno.EINTR) return -e;
        this.stop.check(); // a stop request unwinds the guest; any other signal resumes the wait
        continue;
      }
      if (r === 0) return 0; // WNOHANG, none ended
      const i = pids.findIndex((_, k) => v.getInt16(k * 8 + 6, true) !== 0);
      if (i < 0) continue;
      const child = pids[i]!;
      const got = libc.waitpid(child, this.out.addr, libc.WNOHANG_NATIVE);
      if (got !== child) {
        if (got === 0) continue;
        return -libc.errno();
      }
      const status = this.out.view.getInt32(0, true);
      this.forget(child);
      // Checked above; memory may have grown since (never shrinks), and a
      // read-only window may have been attached there only by this guest,
      // which is blocked in here: still writable.
      if (statusPtr !== 0 && mem.writable(statusPtr, 4)) mem.view.setInt32(statusPtr >>> 0, status, true);
      return child;
    }
  }

  /** One process more for the tree (ProcConfig.tokens): false when none is left or the FIFO cannot be used. */
  private takeToken(): boolean {
    const file = this.config.tokens;
    if (file === undefined) return true;
    try {
      if (this.tokenFd < 0) this.tokenFd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      return fs.readSync(this.tokenFd, Buffer.alloc(1), 0, 1, null) === 1;
    } catch {
      return false; // EAGAIN: none left (or the FIFO is gone: the lab is ending)
    }
  }

  private giveToken(): void {
    if (this.tokenFd < 0) return;
    try { fs.writeSync(this.tokenFd, Buffer.from('t')); } catch { /* the lab is ending */ }
  }

  private forget(child: number): void {
    this.giveToken();
    libc.close(this.children.get(child)!);
    this.children.delete(child);
    const slot = this.slots.indexOf(child);
    if (slot >= 0) Atomics.store(this.slots, slot, 0);
  }

  /** At the guest's end: its pidfds are closed; the children stay listed in the shared slots. */
  close(): void {
    for (const fd of this.children.values()) libc.close(fd);
    this.children.clear();
    if (this.tokenFd >= 0) { try { fs.closeSync(this.tokenFd); } catch { /* closed */ } this.tokenFd = -1; }
  }
}

/**
 * Supervisor side, after a guest was stopped (Ctrl-C, --timeout, a signal,
 * the embedder's abort): its live children get SIGTERM (each stops its guest
 * and, in turn, its own children) and are reaped; any still alive after
 * graceMs gets SIGKILL. Resolves when every one is gone.
 */
export async function stopChildren(shared: SharedArrayBuffer, graceMs: number, tokens?: string): Promise<void> {
  const slots = new Int32Array(shared);
  const pids = [...slots].filter((p) => p > 0);
  if (pids.length === 0) return;
  for (const p of pids) { try { process.kill(p, 'SIGTERM'); } catch { /* already gone */ } }
  const status = new libc.NativeScratch(16);
  const left = new Set(pids);
  const deadline = Date.now() + graceMs;
  let killed = false;
  while (left.size > 0) {
    for (const p of [...left]) {
      const r = libc.waitpid(p, status.addr, libc.WNOHANG_NATIVE);
      if (r === p || (r === -1 && libc.errno() === Errno.ECHILD)) left.delete(p);
    }
    if (left.size === 0) break;
    if (!killed && Date.now() > deadline) {
      killed = true;
      for (const p of left) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  slots.fill(0);
  // The reaped children's processes go back to the tree (ProcConfig.tokens).
  if (tokens !== undefined) {
    try {
      const fd = fs.openSync(tokens, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
      try { fs.writeSync(fd, Buffer.alloc(pids.length, 't')); } finally { fs.closeSync(fd); }
    } catch { /* the lab is ending */ }
  }
}


/**
 * The `proc` imports. getpid is the host process's pid, the one the kernel
 * records (shm_cpid, sempid...). With a tracer, each call is reported too.
 */
export function procImports(p: ProcState, mem: () => GuestMemory, trace?: (line: string) => void): Record<string, (...a: number[]) => number> {
  const fns: Record<string, (...a: number[]) => number> = {
    spawn: (pathPtr, pathLen, argsPtr, argsLen) => p.spawn(mem(), pathPtr!, pathLen!, argsPtr!, argsLen!),
    wait: (pid, statusPtr, options) => p.wait(mem(), pid!, statusPtr!, options!),
    getpid: () => process.pid,
  };
  if (!trace) return fns;
  const traced: Record<string, (...a: number[]) => number> = {};
  for (const [name, fn] of Object.entries(fns)) {
    traced[name] = (...args: number[]) => {
      const r = fn(...args);
      trace(formatCall(mem(), name, args, r));
      return r;
    };
  }
  return traced;
}
