// WASI for the guest through @wasmer/wasi, with the host's help where the
// library falls short (platform-facts.md):
//  - stdin, stdout and stderr are live, routed by stdio.ts;
//  - proc_exit, clocks and poll_oneoff sleeps are answered here, so a guest
//    can be stopped while it sleeps and exits are real exceptions;
//  - every function that writes guest memory is checked first against the
//    bounds and the read-only windows: EFAULT (21), never a host SIGSEGV.
import fs from 'node:fs';
import { init, WASI, MemFS } from '@wasmer/wasi';
import * as libc from './libc.js';
import type { GuestMemory } from './guest-memory.js';
import type { StopSignal } from './stop.js';
import { GuestStdio } from './stdio.js';

/** WASI errno values (not Linux's). */
export const WasiErrno = { SUCCESS: 0, BADF: 8, FAULT: 21, INVAL: 28, IO: 29, NOSYS: 52 } as const;

/** The guest called proc_exit. */
export class GuestExit extends Error {
  constructor(readonly code: number) { super(`guest exited with ${code}`); }
}

type Fn = (...args: any[]) => any;
type Region = [ptr: number, len: number];

export interface WasiOptions {
  args: string[];
  env: Record<string, string>;
  fs: MemFS;
  preopens: Record<string, string>;
  /** Where fd 0-2 go (stdio.ts); default: the process's own. */
  stdio?: GuestStdio;
}

let initialised: Promise<void> | undefined;
/** Loads the library's own wasm once per thread. */
export function initWasi(): Promise<void> {
  initialised ??= init();
  return initialised;
}

export { MemFS };

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
  'path_unlink_file', 'proc_exit', 'proc_raise', 'sched_yield', 'sock_shutdown',
]);

/** Input regions a function reads, checked so the library never reads past memory. */
function inputRegions(): Record<string, (mem: GuestMemory, ...a: any[]) => Region[] | null> {
  const iovArray = (iovs: number, n: number): Region => [iovs, (n >>> 0) * 8];
  return {
    fd_write: (m, fd, iovs, n) => iovecs(m, iovs, n),
    fd_pwrite: (m, fd, iovs, n) => iovecs(m, iovs, n),
    sock_send: (m, fd, iovs, n) => iovecs(m, iovs, n),
    fd_read: (m, fd, iovs, n) => [iovArray(iovs, n)],
    fd_pread: (m, fd, iovs, n) => [iovArray(iovs, n)],
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
  wasi: WASI;
  imports: Record<string, Record<string, Fn>>;
  /** Call once the instance exists, before _start. */
  bind(instance: WebAssembly.Instance, mem: GuestMemory): void;
}

export function createWasi(module: WebAssembly.Module, opts: WasiOptions, stop: StopSignal): WasiBinding {
  const wasi = new WASI({ args: opts.args, env: opts.env, fs: opts.fs, preopens: opts.preopens });
  const all = wasi.getImports(module) as Record<string, Record<string, Fn>>;
  const lib = all['wasi_snapshot_preview1'] ?? {};
  let mem!: GuestMemory;
  const stdio = opts.stdio ?? GuestStdio.inherit(stop);

  const own: Record<string, Fn> = {
    proc_exit: (code: number) => { throw new GuestExit(code >>> 0); },

    fd_write: (fd: number, iovs: number, n: number, nwritten: number) => {
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
      if (fd !== 0) return lib['fd_read']!(fd, iovs, n, nread);
      const first = iovecs(mem, iovs, n)!.find(([, len]) => len > 0);
      if (!first) { mem.view.setUint32(nread >>> 0, 0, true); return WasiErrno.SUCCESS; }
      const got = stdio.read(mem.u8.subarray(first[0] >>> 0, (first[0] >>> 0) + first[1]));
      if (got < 0) return WasiErrno.IO;
      mem.view.setUint32(nread >>> 0, got, true);
      return WasiErrno.SUCCESS;
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

    poll_oneoff: (inp: number, out: number, nsubs: number, nevents: number) => {
      const n = nsubs >>> 0;
      if (n === 0) return WasiErrno.INVAL;
      const v = mem.view;
      const subs: Array<{ userdata: bigint; deadlineMs: number }> = [];
      for (let i = 0; i < n; i++) {
        const at = (inp >>> 0) + i * 48;
        if (v.getUint8(at + 8) !== 0) return lib['poll_oneoff']!(inp, out, nsubs, nevents); // fd events: the library
        const clock = v.getUint32(at + 16, true);
        const timeout = v.getBigUint64(at + 24, true);
        const absolute = (v.getUint16(at + 40, true) & 1) !== 0;
        const now = clockNow(clock);
        if (now === null) return WasiErrno.INVAL;
        const relNs = absolute ? (timeout > now ? timeout - now : 0n) : timeout;
        subs.push({ userdata: v.getBigUint64(at, true), deadlineMs: performance.now() + Number(relNs) / 1e6 });
      }
      const first = Math.min(...subs.map((s) => s.deadlineMs));
      for (let left = first - performance.now(); left > 0; left = first - performance.now()) stop.sleep(left);
      const due = subs.filter((s) => s.deadlineMs <= first);
      const w = mem.view;
      due.forEach((s, i) => {
        const at = (out >>> 0) + i * 32;
        w.setBigUint64(at, s.userdata, true);
        w.setUint16(at + 8, 0, true);
        w.setUint8(at + 10, 0);
        for (let k = 11; k < 32; k++) w.setUint8(at + k, 0);
      });
      w.setUint32(nevents >>> 0, due.length, true);
      return WasiErrno.SUCCESS;
    },
  };

  const outs = outputRegions(opts);
  const ins = inputRegions();
  const checked: Record<string, Fn> = {};
  for (const name of new Set([...Object.keys(lib), ...Object.keys(own)])) {
    const impl = own[name] ?? lib[name]!;
    const outFor = outs[name];
    const inFor = ins[name];
    if (!outFor && !WRITES_NOTHING.has(name)) { checked[name] = () => WasiErrno.NOSYS; continue; }
    if (!outFor && !inFor) { checked[name] = impl; continue; }
    checked[name] = (...a: any[]) => {
      const reads = inFor ? inFor(mem, ...a) : [];
      if (reads === null || reads.some(([p, len]) => !mem.inBounds(p, len >>> 0))) return WasiErrno.FAULT;
      const writes = outFor ? outFor(mem, ...a) : [];
      if (writes === null || writes.some(([p, len]) => !mem.writable(p, len >>> 0))) return WasiErrno.FAULT;
      return impl(...a);
    };
  }

  return {
    wasi,
    imports: { ...all, wasi_snapshot_preview1: checked },
    bind(instance, m) {
      mem = m;
      wasi.instantiate(instance, {});
    },
  };
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
      return BigInt(u.user + u.system) * 1000n;
    }
    default: return null;
  }
}
