// WASI for the guest through @wasmer/wasi, with the host's help where the
// library falls short (platform-facts.md, issue 14):
//  - stdin, stdout and stderr are live, routed by stdio.ts;
//  - every descriptor from 3 up (the --dir directories and what is opened
//    under them) is the host's, on the real file system (wasi-fs.ts);
//  - proc_exit, clocks, poll_oneoff and random_get are answered here: a
//    guest can be stopped while it sleeps, every due event is returned, and
//    no call makes the host allocate in proportion to the guest's request
//    (iovec arrays are capped at IOV_MAX, random bytes are streamed);
//  - every function that writes guest memory is checked first against the
//    bounds and the read-only windows: EFAULT (21), never a host SIGSEGV;
//  - the library is loaded only when a guest first calls a function the host
//    leaves to it (args, environ, fd_fdstat_get on stdio...): a guest that
//    only prints and exits never pays for it (docs/startup.md);
//  - anything a host function or the library throws (a bug, a panic of the
//    library's wasm) is a HostFailure, never mistaken for the guest's trap.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import * as libc from './libc.js';
import type { GuestMemory } from './guest-memory.js';
import type { StopSignal } from './stop.js';
import { SLICE_MS, GuestStopped } from './stop.js';
import { WasiErrno } from './wasi-errno.js';
import { DirFs } from './wasi-fs.js';
import type { DirMapping } from './dirs.js';
import { GuestStdio } from './guest-stdio.js';

export { WasiErrno };

/** The guest called proc_exit. */
export class GuestExit extends Error {
  // Stryker disable next-line StringLiteral: equivalent, every runner catches it (classify) and reports the code, never this text (docs/mutation.md)
  constructor(readonly code: number) { super(`guest exited with ${code}`); }
}

/** A WASI function of the host (or the library under it) failed: not the guest's fault. */
export class HostFailure extends Error {
  constructor(fn: string, cause: any) {
    const why = cause instanceof Error ? `${cause.constructor.name}: ${cause.message}` : String(cause);
    // One line, whatever the cause's message holds.
    super(`host failure in WASI ${fn}: ${why.replace(/\s*\n\s*/g, ' ')} (a bug of wasi-sysv; please report it with the guest)`);
  }
}

type Fn = (...args: any[]) => any;
type Region = [ptr: number, len: number];

export interface WasiOptions {
  args: string[];
  env: Record<string, string>;
  /** Host directories the guest sees as preopens, fds 3, 4... in order. */
  dirs?: DirMapping[];
  /** Where fd 0-2 go (stdio.ts); default: the process's own. */
  stdio?: GuestStdio;
}

const require = createRequire(import.meta.url);
/** node:crypto's randomFillSync, loaded on the first random_get (not at start-up). */
let randomFill: typeof import('node:crypto').randomFillSync = (...a) => {
  randomFill = (require('node:crypto') as typeof import('node:crypto')).randomFillSync;
  return randomFill(...a);
};

type Wasmer = typeof import('@wasmer/wasi');
let wasmer: Wasmer | undefined;

/**
 * @wasmer/wasi, loaded and initialised once per thread, synchronously, on
 * first use (a guest's call can need it at any moment). Loaded as CommonJS,
 * which it is (no ESM translation of its 450 KB bundle). Its own wasm is
 * embedded in the bundle as a data: URL that only its async init() reads;
 * the host takes it from there and gives it to initSync() instead.
 */
function library(): Wasmer {
  // Stryker disable next-line ConditionalExpression: equivalent when forced false, the library is initialised again, only at a guest's first call that needs it; a thread runs one guest at a time, so no live WASI object of an earlier guest is left on the old instance (docs/mutation.md)
  if (wasmer) return wasmer;
  const lib = require('@wasmer/wasi') as Wasmer;
  const file = require.resolve('@wasmer/wasi');
  // Stryker disable next-line StringLiteral: equivalent, read without an encoding the file is decoded as UTF-8, the same for the ASCII base64 sought (docs/mutation.md)
  const embedded = /"data:application\/wasm;base64,([A-Za-z0-9+/=]+)"/.exec(fs.readFileSync(file, 'latin1'));
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable with the library version package.json pins, whose bundle embeds its module (docs/mutation.md)
  if (!embedded) throw new Error(`no embedded WebAssembly module found in ${file}: @wasmer/wasi changed its bundle; install the version package.json names`);
  lib.initSync(new WebAssembly.Module(Buffer.from(embedded[1]!, 'base64')));
  wasmer = lib;
  return lib;
}

/** Loads the library now, if it is not loaded yet (it is also loaded on demand). */
export function initWasi(): Promise<void> {
  library();
  return Promise.resolve();
}

/** Whether this thread has loaded the library (tests: a guest that needs none never loads it). */
export function wasiLibraryLoaded(): boolean {
  return wasmer !== undefined;
}

/**
 * The WASI functions the library provides (its getImports, version 1.2.2);
 * the guest gets these names, each answered by the host or handed to the
 * library on first use. A test checks the list against the library.
 */
export const LIBRARY_FUNCS = [
  'args_get', 'args_sizes_get', 'clock_res_get', 'clock_time_get', 'environ_get', 'environ_sizes_get',
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags',
  'fd_fdstat_set_rights', 'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread',
  'fd_prestat_dir_name', 'fd_prestat_get', 'fd_pwrite', 'fd_read', 'fd_readdir', 'fd_renumber', 'fd_seek',
  'fd_sync', 'fd_tell', 'fd_write', 'path_create_directory', 'path_filestat_get', 'path_filestat_set_times',
  'path_link', 'path_open', 'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'poll_oneoff', 'proc_exit', 'proc_raise', 'random_get', 'sched_yield', 'sock_recv',
  'sock_send', 'sock_shutdown',
] as const;

const u32 = (v: DataView, p: number) => v.getUint32(p >>> 0, true);

/** The guest buffers an iovec array names, or null if the array is out of bounds. */
function iovecs(mem: GuestMemory, iovs: number, count: number): Region[] | null {
  if (!mem.inBounds(iovs, (count >>> 0) * 8)) return null;
  const v = mem.view;
  const out: Region[] = [];
  for (let i = 0; i < count >>> 0; i++) out.push([u32(v, iovs + i * 8), u32(v, iovs + i * 8 + 4)]);
  return out;
}

/**
 * For each WASI function that writes guest memory: the regions it writes,
 * given its arguments. null means the arguments themselves point outside
 * memory. 64-bit arguments arrive as BigInt and are skipped by index.
 */
function outputRegions(opts: WasiOptions): Record<string, (mem: GuestMemory, ...a: any[]) => Region[] | null> {
  const argBytes = opts.args.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
  const envList = Object.entries(opts.env).map(([k, v]) => `${k}=${v}`);
  const envBytes = envList.reduce((n, s) => n + Buffer.byteLength(s) + 1, 0);
  const withIovs = (mem: GuestMemory, iovs: number, n: number, extra: Region[]) => {
    const bufs = iovecs(mem, iovs, n);
    return bufs ? [...bufs, ...extra] : null;
  };
  return {
    args_get: (m, argv, buf) => [[argv, opts.args.length * 4], [buf, argBytes]],
    args_sizes_get: (m, a, b) => [[a, 4], [b, 4]],
    clock_res_get: (m, id, out) => [[out, 8]],
    clock_time_get: (m, id, precision, out) => [[out, 8]],
    environ_get: (m, envp, buf) => [[envp, envList.length * 4], [buf, envBytes]],
    environ_sizes_get: (m, a, b) => [[a, 4], [b, 4]],
    fd_fdstat_get: (m, fd, out) => [[out, 24]],
    fd_filestat_get: (m, fd, out) => [[out, 64]],
    fd_pread: (m, fd, iovs, n, off, nread) => withIovs(m, iovs, n, [[nread, 4]]),
    fd_prestat_get: (m, fd, out) => [[out, 8]],
    fd_prestat_dir_name: (m, fd, p, len) => [[p, len]],
    fd_pwrite: (m, fd, iovs, n, off, nw) => [[nw, 4]],
    fd_read: (m, fd, iovs, n, nread) => withIovs(m, iovs, n, [[nread, 4]]),
    fd_readdir: (m, fd, buf, len, cookie, used) => [[buf, len], [used, 4]],
    fd_seek: (m, fd, off, whence, out) => [[out, 8]],
    fd_tell: (m, fd, out) => [[out, 8]],
    fd_write: (m, fd, iovs, n, nw) => [[nw, 4]],
    path_filestat_get: (m, fd, flags, p, plen, out) => [[out, 64]],
    path_open: (m, fd, df, p, plen, of, rb, ri, ff, out) => [[out, 4]],
    path_readlink: (m, fd, p, plen, buf, len, used) => [[buf, len], [used, 4]],
    poll_oneoff: (m, inp, out, n, nev) => [[out, (n >>> 0) * 32], [nev, 4]],
    random_get: (m, buf, len) => [[buf, len]],
    sock_recv: (m, fd, iovs, n, fl, len, oflags) => withIovs(m, iovs, n, [[len, 4], [oflags, 2]]),
    sock_send: (m, fd, iovs, n, fl, len) => [[len, 4]],
  };
}

/** WASI functions that write no guest memory. Anything neither here nor in
 * outputRegions is refused with NOSYS: an unchecked writer could SIGSEGV us. */
const WRITES_NOTHING = new Set([
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights',
  'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_renumber', 'fd_sync', 'path_create_directory',
  'path_filestat_set_times', 'path_link', 'path_remove_directory', 'path_rename', 'path_symlink',
  'path_unlink_file', 'proc_exit', 'sched_yield', 'sock_shutdown',
]);
// proc_raise is in neither on purpose: signals are not the guest's to send
// (the library panics on it, a host failure), and ENOSYS is what wasi-libc's
// raise() passes on (docs/abi.md addition 6).

/** Functions taking an iovec array, and the index of its count argument. */
const IOV_COUNT_ARG: Record<string, number> = { fd_read: 2, fd_write: 2, fd_pread: 2, fd_pwrite: 2, sock_recv: 2, sock_send: 2 };

/** Random bytes are written in chunks of this size, with a stop check between. */
const RANDOM_CHUNK = 1 << 20;

/**
 * Input regions a function reads, checked so the library never reads past
 * memory. (fd_read's and fd_pread's iovec arrays are checked with the
 * buffers they name, in outputRegions.)
 */
function inputRegions(): Record<string, (mem: GuestMemory, ...a: any[]) => Region[] | null> {
  return {
    fd_write: (m, fd, iovs, n) => iovecs(m, iovs, n),
    fd_pwrite: (m, fd, iovs, n) => iovecs(m, iovs, n),
    sock_send: (m, fd, iovs, n) => iovecs(m, iovs, n),
    poll_oneoff: (m, inp, out, n) => [[inp, (n >>> 0) * 48]],
    path_open: (m, fd, df, p, plen) => [[p, plen]],
    path_create_directory: (m, fd, p, plen) => [[p, plen]],
    path_filestat_get: (m, fd, fl, p, plen) => [[p, plen]],
    path_filestat_set_times: (m, fd, fl, p, plen) => [[p, plen]],
    path_link: (m, fd, fl, p, plen, fd2, p2, plen2) => [[p, plen], [p2, plen2]],
    path_readlink: (m, fd, p, plen) => [[p, plen]],
    path_remove_directory: (m, fd, p, plen) => [[p, plen]],
    path_rename: (m, fd, p, plen, fd2, p2, plen2) => [[p, plen], [p2, plen2]],
    path_symlink: (m, p, plen, fd, p2, plen2) => [[p, plen], [p2, plen2]],
    path_unlink_file: (m, fd, p, plen) => [[p, plen]],
  };
}

export interface WasiBinding {
  imports: Record<string, Record<string, Fn>>;
  /** Call once the instance exists, before _start. */
  bind(instance: WebAssembly.Instance, mem: GuestMemory): void;
  /** Closes the host descriptors the guest held (call when it has ended). */
  close(): void;
}

/** fd_* functions whose first argument is the descriptor (fd_write and fd_read have their own stdio path). */
const FD_FUNCS = [
  'fd_advise', 'fd_allocate', 'fd_close', 'fd_datasync', 'fd_fdstat_get', 'fd_fdstat_set_flags', 'fd_fdstat_set_rights',
  'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_pread', 'fd_prestat_dir_name',
  'fd_prestat_get', 'fd_pwrite', 'fd_readdir', 'fd_seek', 'fd_sync', 'fd_tell',
] as const;
const PATH_FUNCS = [
  'path_create_directory', 'path_filestat_get', 'path_filestat_set_times', 'path_link', 'path_open',
  'path_readlink', 'path_remove_directory', 'path_rename', 'path_symlink', 'path_unlink_file',
] as const;

export function createWasi(module: WebAssembly.Module, opts: WasiOptions, stop: StopSignal): WasiBinding {
  // The library keeps args, environ, stdio metadata and the like; it gets no
  // preopens and no file system of its own (fds 3 and up are the host's).
  // Created on the first call that needs it (library()), once the instance exists.
  let instance: WebAssembly.Instance | undefined;
  let libFuncs: Record<string, Fn> | undefined;
  const libFunc = (name: string): Fn => {
    if (!libFuncs) {
      // Stryker disable next-line ConditionalExpression,StringLiteral: an assertion, unreachable: guest code runs only after bind() (a start function runs after instantiation, as "wasi-sysv.start") (docs/mutation.md)
      if (!instance) throw new Error(`${name} called before the instance was bound`);
      const { WASI } = library();
      const wasi = new WASI({ args: opts.args, env: opts.env });
      libFuncs = (wasi.getImports(module) as Record<string, Record<string, Fn>>)['wasi_snapshot_preview1'] ?? {};
      wasi.instantiate(instance, {});
    }
    return libFuncs[name]!;
  };
  const lib: Record<string, Fn> = {};
  for (const name of LIBRARY_FUNCS) lib[name] = (...a: any[]) => libFunc(name)(...a);
  const dirs = new DirFs(opts.dirs ?? []);
  let mem!: GuestMemory;
  const stdio = opts.stdio ?? GuestStdio.inherit(stop);

  const own: Record<string, Fn> = {
    proc_exit: (code: number) => { throw new GuestExit(code >>> 0); },

    fd_write: (fd: number, iovs: number, n: number, nwritten: number) => {
      if (DirFs.owns(fd)) return dirs.fd_write(fd, iovs, n, nwritten);
      if (fd !== 1 && fd !== 2) return lib['fd_write']!(fd, iovs, n, nwritten);
      let total = 0;
      for (const [p, len] of iovecs(mem, iovs, n)!) {
        if (!stdio.write(fd as 1 | 2, mem.u8.subarray(p >>> 0, (p >>> 0) + len))) return WasiErrno.IO;
        total += len;
      }
      mem.view.setUint32(nwritten >>> 0, total, true);
      return WasiErrno.SUCCESS;
    },

    fd_read: (fd: number, iovs: number, n: number, nread: number) => {
      if (DirFs.owns(fd)) return dirs.fd_read(fd, iovs, n, nread);
      if (fd !== 0) return lib['fd_read']!(fd, iovs, n, nread);
      const first = iovecs(mem, iovs, n)!.find(([, len]) => len > 0);
      // Stryker disable next-line BooleanLiteral: equivalent, 0 is the same four bytes in either byte order (docs/mutation.md)
      if (!first) { mem.view.setUint32(nread >>> 0, 0, true); return WasiErrno.SUCCESS; }
      const got = stdio.read(mem.u8.subarray(first[0] >>> 0, (first[0] >>> 0) + first[1]));
      if (got < 0) return WasiErrno.IO;
      mem.view.setUint32(nread >>> 0, got, true);
      return WasiErrno.SUCCESS;
    },

    fd_renumber: (from: number, to: number) => {
      // Stryker disable next-line LogicalOperator: equivalent, DirFs renumbers only between two of its own descriptors and answers EBADF for a mix, as the line after does (docs/mutation.md)
      if (DirFs.owns(from) && DirFs.owns(to)) return dirs.fd_renumber(from, to);
      if (!DirFs.owns(from) && !DirFs.owns(to)) return lib['fd_renumber']!(from, to);
      return WasiErrno.BADF; // stdio and the host's descriptors do not mix
    },

    clock_time_get: (id: number, _precision: bigint, out: number) => {
      const t = clockNow(id);
      if (t === null) return WasiErrno.INVAL;
      mem.view.setBigUint64(out >>> 0, t, true);
      return WasiErrno.SUCCESS;
    },

    clock_res_get: (id: number, out: number) => {
      if (clockNow(id) === null) return WasiErrno.INVAL;
      mem.view.setBigUint64(out >>> 0, 1000n, true);
      return WasiErrno.SUCCESS;
    },

    random_get: (buf: number, len: number) => {
      // Straight into guest memory (checked writable), a chunk at a time:
      // no host copy of the request, and a stop is seen between chunks.
      const u8 = mem.u8;
      const end = (buf >>> 0) + (len >>> 0);
      // Stryker disable next-line EqualityOperator: equivalent, one more pass at the end fills 0 bytes (docs/mutation.md)
      for (let at = buf >>> 0; at < end; at += RANDOM_CHUNK) {
        randomFill(u8, at, Math.min(RANDOM_CHUNK, end - at));
        stop.check();
      }
      return WasiErrno.SUCCESS;
    },

    poll_oneoff: (inp: number, out: number, nsubs: number, nevents: number) => pollOneoff(mem, stop, dirs, stdio, inp, out, nsubs, nevents),

    sock_recv: (fd: number, ...a: any[]) => (DirFs.owns(fd) ? WasiErrno.NOTSOCK : lib['sock_recv']!(fd, ...a)),
    sock_send: (fd: number, ...a: any[]) => (DirFs.owns(fd) ? WasiErrno.NOTSOCK : lib['sock_send']!(fd, ...a)),
    sock_shutdown: (fd: number, ...a: any[]) => (DirFs.owns(fd) ? WasiErrno.NOTSOCK : lib['sock_shutdown']!(fd, ...a)),
  };
  for (const name of FD_FUNCS) {
    const method = (dirs[name] as Fn).bind(dirs);
    // Preopens are the host's alone (the library would call stdout one).
    const always = name === 'fd_prestat_get' || name === 'fd_prestat_dir_name';
    own[name] = (fd: number, ...a: any[]) => (always || DirFs.owns(fd) ? method(fd, ...a) : lib[name]!(fd, ...a));
  }
  // Paths only ever resolve in the host's directories (stdio fds are none: EBADF/ENOTDIR).
  for (const name of PATH_FUNCS) own[name] = (dirs[name] as Fn).bind(dirs);

  const outs = outputRegions(opts);
  const ins = inputRegions();
  const checked: Record<string, Fn> = {};
  for (const name of new Set([...Object.keys(lib), ...Object.keys(own)])) {
    const impl = own[name] ?? lib[name]!;
    const outFor = outs[name];
    const inFor = ins[name];
    const iovArg = IOV_COUNT_ARG[name];
    if (!outFor && !WRITES_NOTHING.has(name)) { checked[name] = () => WasiErrno.NOSYS; continue; }
    checked[name] = (...a: any[]) => {
      try {
        // Linux's writev rule: more than IOV_MAX iovecs is EINVAL, before anything is read.
        // Stryker disable next-line ConditionalExpression: equivalent when the first test is forced true, a[undefined] >>> 0 is 0, never over IOV_MAX (docs/mutation.md)
        if (iovArg !== undefined && (a[iovArg] >>> 0) > libc.IOV_MAX) return WasiErrno.INVAL;
        // Stryker disable next-line ArrayDeclaration: equivalent, a string in place of a region reads as 0 bytes at 0, always in bounds (docs/mutation.md)
        const reads = inFor ? inFor(mem, ...a) : [];
        if (reads === null || reads.some(([p, len]) => !mem.inBounds(p, len >>> 0))) return WasiErrno.FAULT;
        // Stryker disable next-line ArrayDeclaration: equivalent, a string in place of a region is 0 bytes at 0, always writable (docs/mutation.md)
        const writes = outFor ? outFor(mem, ...a) : [];
        if (writes === null || writes.some(([p, len]) => !mem.writable(p, len >>> 0))) return WasiErrno.FAULT;
        return impl(...a);
      } catch (e) {
        if (e instanceof GuestExit || e instanceof GuestStopped) throw e;
        throw new HostFailure(name, e);
      }
    };
  }

  return {
    imports: { wasi_snapshot_preview1: checked },
    bind(inst, m) {
      mem = m;
      dirs.bind(m);
      instance = inst;
    },
    close() { dirs.close(); },
  };
}

/** Event types and subscription layout of poll_oneoff. */
const EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2;
const SUB_SIZE = 48, EVENT_SIZE = 32;

/**
 * poll_oneoff in two passes over the guest's subscriptions, with nothing
 * allocated per subscription: the first finds the earliest deadline and
 * whether an fd is ready, then the host waits (interruptibly), and the
 * second writes an event for every subscription that is due. Files and
 * directories are always ready, as on Linux; stdin is polled for real
 * (through stdio.ts, wherever the embedder routed it).
 */
function pollOneoff(mem: GuestMemory, stop: StopSignal, dirs: DirFs, stdio: GuestStdio, inp: number, out: number, nsubs: number, nevents: number): number {
  const n = nsubs >>> 0;
  if (n === 0) return WasiErrno.INVAL;
  const v = mem.view;
  const base = inp >>> 0;
  // Each clock's "now", read once so both passes agree on every deadline.
  const nows: Array<bigint | null> = [clockNow(0), clockNow(1), clockNow(2), clockNow(3)];
  const t0 = performance.now();
  const deadlineMs = (at: number): number | null => {
    const clock = v.getUint32(at + 16, true);
    const now = clock < 4 ? nows[clock]! : null;
    if (now === null) return null;
    const timeout = v.getBigUint64(at + 24, true);
    const absolute = (v.getUint16(at + 40, true) & 1) !== 0;
    // A deadline already past gives a negative span: due at once.
    const relNs = absolute ? timeout - now : timeout;
    return t0 + Number(relNs) / 1e6;
  };
  // The fd of an fd subscription.
  // Stryker disable next-line BooleanLiteral: equivalent, the fd is only compared with 0 here, and its byte order does not change whether it is 0 (docs/mutation.md)
  const fdOf = (at: number): number => v.getUint32(at + 16, true);
  let first = Infinity;
  let readyNow = false;
  let stdinWanted = false;
  for (let i = 0; i < n; i++) {
    const at = base + i * SUB_SIZE;
    const tag = v.getUint8(at + 8);
    if (tag === EVENT_CLOCK) {
      const d = deadlineMs(at);
      // An event with EINVAL: due at once.
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent when forced false or emptied, Math.min then reads the null deadline as 0, due at once all the same (docs/mutation.md)
      if (d === null) { readyNow = true; continue; }
      first = Math.min(first, d);
    } else if (tag === EVENT_FD_READ && fdOf(at) === 0) {
      stdinWanted = true;
    } else {
      readyNow = true; // fd 1/2 writable, host files ready, bad fd or tag: an error event
    }
  }
  let stdinUp = stdinWanted && stdio.stdinReady(0);
  if (!readyNow && !stdinUp) {
    // Stryker disable next-line EqualityOperator: equivalent for left >= 0, a wait of 0 ms waits for nothing and the next turn's left is below 0 (docs/mutation.md)
    for (let left = first - performance.now(); left > 0; left = first - performance.now()) {
      if (stdinWanted) {
        // Stryker disable next-line MethodExpression: equivalent, a longer poll still ends when stdin is ready or when the supervisor's stop interrupts it (stop.ts sends that signal every 20 ms) (docs/mutation.md)
        if (stdio.stdinReady(Math.min(left, SLICE_MS))) { stdinUp = true; break; }
        stop.check();
      } else {
        stop.sleep(left);
      }
    }
  }
  const wake = performance.now();
  let count = 0;
  const o = out >>> 0;
  for (let i = 0; i < n; i++) {
    const at = base + i * SUB_SIZE;
    const tag = v.getUint8(at + 8);
    let error: number = WasiErrno.SUCCESS;
    if (tag === EVENT_CLOCK) {
      const d = deadlineMs(at);
      if (d === null) {
        error = WasiErrno.INVAL;
      } else {
        // Stryker disable next-line EqualityOperator: not detectable for d >= wake, it differs only when the wake-up time equals a deadline to the nanosecond, which no test can arrange (docs/mutation.md)
        if (d > wake) continue;
      }
    } else if (tag === EVENT_FD_READ || tag === EVENT_FD_WRITE) {
      const fd = v.getUint32(at + 16, true);
      if (fd === 0 && tag === EVENT_FD_READ) { if (!stdinUp) continue; }
      // (A read of fd 0 is stdin, above: what is left on fd 0 is a write.)
      else if ((tag === EVENT_FD_READ && fd <= 2) || fd === 0) error = WasiErrno.BADF;
      else if (fd > 2 && !dirs.isOpen(fd)) error = WasiErrno.BADF; // host files are always ready
    } else {
      error = WasiErrno.INVAL;
    }
    const e = o + count * EVENT_SIZE;
    const userdata = v.getBigUint64(at, true);
    v.setBigUint64(e, userdata, true);
    v.setUint16(e + 8, error, true);
    v.setUint8(e + 10, tag <= 2 ? tag : 0);
    // The padding, nbytes (not known: 0) and the flags: zeros.
    mem.u8.fill(0, e + 11, e + EVENT_SIZE);
    count++;
  }
  v.setUint32(nevents >>> 0, count, true);
  return WasiErrno.SUCCESS;
}

const startedAt = Date.now() * 1e6;
const monoStart = process.hrtime.bigint();

/** WASI clocks in nanoseconds: realtime, monotonic, process and thread CPU. */
function clockNow(id: number): bigint | null {
  switch (id) {
    case 0: return BigInt(Math.round(startedAt)) + (process.hrtime.bigint() - monoStart);
    case 1: return process.hrtime.bigint();
    case 2: case 3: {
      const u = process.cpuUsage();
      // Stryker disable next-line ArithmeticOperator: not detectable, a guest cannot know how its CPU time splits between user and system (docs/mutation.md)
      return BigInt(u.user + u.system) * 1000n;
    }
    default: return null;
  }
}
