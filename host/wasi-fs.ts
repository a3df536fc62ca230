// The guest's --dir directories, served on the host directories themselves.
// @wasmer/wasi only has an in-memory file system; copying a tree in and out
// of it lost data and could be made to stall every later run (issue 14). So
// the host answers every fd_* and path_* call for descriptors 3 and up:
//  - each --dir is a preopened directory fd; every path a guest names is
//    resolved by the kernel beneath it, openat2(RESOLVE_BENEATH |
//    RESOLVE_NO_MAGICLINKS): no "..", absolute path or symlink leaves it;
//  - calls that act on a name (mkdir, unlink, rename, link, symlink,
//    readlink) resolve the parent that way and act on the last component
//    relative to that fd, never following a symlink there;
//  - reads and writes go straight between the file and guest memory (readv /
//    writev on raw addresses), so writes reach the disk as they happen;
//  - host memory per call is bounded: at most IOV_MAX iovecs, paths up to
//    PATH_MAX, directory listings in fixed-size native buffers;
//  - a directory may carry a quota (bytes its files may grow by, entries it
//    may gain), answered with EDQUOT;
//  - a read-only directory (--dir HOST:GUEST:ro) opens files for reading
//    only (the kernel then refuses writes on them) and answers every call
//    that would change it with EROFS, as a read-only mount does.
// Bounds and read-only-window checks of guest pointers are made by wasi.ts
// before these functions run (the regions are declared there).
import fs from 'node:fs';
import path from 'node:path';
import * as libc from './libc.js';
import { WasiErrno, fromLinux, fromNodeError } from './wasi-errno.js';
import type { GuestMemory } from './guest-memory.js';
import type { DirMapping } from './dirs.js';

/** Descriptors a guest may hold open at once (Linux's default RLIMIT_NOFILE). */
export const MAX_FDS = 1024;
/** Linux's PATH_MAX: longer paths are ENAMETOOLONG before anything is copied. */
const PATH_MAX = 4096;

/** A --dir and what its quota has used so far in this run. */
interface Root {
  mapping: DirMapping;
  /** Bytes its files grew by (net of shrinking through set_size / O_TRUNC). */
  bytesUsed: number;
  /** Entries created (files, directories, symlinks, hard links). */
  filesUsed: number;
}

interface Entry {
  hostFd: number;
  dir: boolean;
  root: Root;
  /** Set on preopened directories: the name the guest sees. */
  preopen?: Buffer;
  fdflags: number;
  rightsBase: bigint;
  rightsInheriting: bigint;
}

// WASI constants.
const FILETYPE = { UNKNOWN: 0, BLOCK: 1, CHAR: 2, DIR: 3, REG: 4, SOCK_STREAM: 6, SYMLINK: 7 } as const;
const LOOKUP_SYMLINK_FOLLOW = 1;
const OFLAGS = { CREAT: 1, DIRECTORY: 2, EXCL: 4, TRUNC: 8 } as const;
const FDFLAGS = { APPEND: 1, DSYNC: 2, NONBLOCK: 4, RSYNC: 8, SYNC: 16 } as const;
const FST = { ATIM: 1, ATIM_NOW: 2, MTIM: 4, MTIM_NOW: 8 } as const;
const RIGHT_FD_READ = 1n << 1n;
const RIGHT_FD_WRITE = 1n << 6n;
const RIGHT_FD_ALLOCATE = 1n << 8n;
const RIGHT_FD_READDIR = 1n << 14n;
const RIGHT_FD_FILESTAT_SET_SIZE = 1n << 22n;
const ALL_RIGHTS = (1n << 29n) - 1n;

const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;

function fileType(mode: number): number {
  switch (mode & 0o170000) {
    case 0o040000: return FILETYPE.DIR;
    case 0o100000: return FILETYPE.REG;
    case 0o120000: return FILETYPE.SYMLINK;
    case 0o020000: return FILETYPE.CHAR;
    case 0o060000: return FILETYPE.BLOCK;
    case 0o140000: return FILETYPE.SOCK_STREAM;
    default: return FILETYPE.UNKNOWN;
  }
}

function direntType(dt: number): number {
  switch (dt) {
    case 4: return FILETYPE.DIR;
    case 8: return FILETYPE.REG;
    case 10: return FILETYPE.SYMLINK;
    case 2: return FILETYPE.CHAR;
    case 6: return FILETYPE.BLOCK;
    case 12: return FILETYPE.SOCK_STREAM;
    default: return FILETYPE.UNKNOWN;
  }
}

const cstr = (s: string) => Buffer.from(s + '\0');
const EMPTY = cstr('');
const DOT = cstr('.');

/** A failed call: its WASI errno travels up as this value. */
class Fail {
  constructor(readonly errno: number) {}
}
const fail = (errno: number): never => { throw new Fail(errno); };
/** -1 from libc becomes a Fail with the translated errno. */
function check(r: number): number {
  if (r === -1) fail(fromLinux(libc.errno()));
  return r;
}
function nodeCall<T>(f: () => T): T {
  try { return f(); } catch (e) { return fail(fromNodeError(e)); }
}

/** A guest path: up to PATH_MAX bytes, no NUL. */
function guestPath(mem: GuestMemory, ptr: number, len: number): Buffer {
  const n = len >>> 0;
  if (n >= PATH_MAX) fail(WasiErrno.NAMETOOLONG);
  const bytes = Buffer.from(mem.u8.buffer, ptr >>> 0, n);
  if (bytes.includes(0)) fail(WasiErrno.INVAL); // Linux paths cannot hold NUL
  return bytes;
}

export class DirFs {
  private readonly fds = new Map<number, Entry>();
  private readonly iov = new libc.NativeScratch(libc.IOV_MAX * 16);
  private readonly dents = new libc.NativeScratch(64 * 1024);
  private readonly how = new Uint8Array(24);
  private readonly howView = new DataView(this.how.buffer);
  private readonly times = new Uint8Array(32);
  private mem!: GuestMemory;

  /** Opens every --dir as a preopened directory, fds 3, 4... in order. */
  constructor(mappings: DirMapping[]) {
    let fd = 3;
    try {
      for (const m of mappings) {
        const hostFd = fs.openSync(m.host, libc.O_DIRECTORY | libc.O_CLOEXEC);
        const root: Root = { mapping: m, bytesUsed: 0, filesUsed: 0 };
        this.fds.set(fd++, {
          hostFd, dir: true, root, preopen: Buffer.from(m.guest), fdflags: 0,
          rightsBase: ALL_RIGHTS, rightsInheriting: ALL_RIGHTS,
        });
      }
    } catch (e: any) {
      this.close();
      throw new Error(`--dir ${mappingName(mappings[fd - 3]!)}: cannot open the directory (${e?.code ?? e?.message})`);
    }
  }

  bind(mem: GuestMemory): void { this.mem = mem; }

  /** Closes every descriptor the guest still holds (at the end of the run). */
  close(): void {
    for (const e of this.fds.values()) libc.close(e.hostFd);
    this.fds.clear();
  }

  isOpen(fd: number): boolean { return this.fds.has(fd >>> 0); }

  /** Is this a descriptor of ours (3 and up)? Lower ones are stdio. */
  static owns(fd: number): boolean { return (fd >>> 0) >= 3; }

  /** Runs one WASI call, turning a Fail into its errno. */
  private run(f: () => number | void): number {
    try {
      return f() ?? WasiErrno.SUCCESS;
    } catch (e) {
      if (e instanceof Fail) return e.errno;
      throw e;
    }
  }

  private entry(fd: number): Entry {
    return this.fds.get(fd >>> 0) ?? fail(WasiErrno.BADF);
  }

  private dirEntry(fd: number): Entry {
    const e = this.entry(fd);
    if (!e.dir) fail(WasiErrno.NOTDIR);
    return e;
  }

  private fileEntry(fd: number): Entry {
    const e = this.entry(fd);
    if (e.dir) fail(WasiErrno.ISDIR);
    return e;
  }

  private add(e: Entry): number {
    for (let fd = 3; fd < 3 + MAX_FDS; fd++) {
      if (!this.fds.has(fd)) { this.fds.set(fd, e); return fd; }
    }
    libc.close(e.hostFd);
    return fail(WasiErrno.MFILE);
  }

  /** openat2 beneath a directory: the one way any guest path is resolved. */
  private open2(dirFd: number, p: Uint8Array, flags: number, mode = 0): number {
    const v = this.howView;
    v.setBigUint64(0, BigInt(flags | libc.O_CLOEXEC), true);
    v.setBigUint64(8, BigInt(mode), true);
    v.setBigUint64(16, BigInt(libc.RESOLVE_BENEATH | libc.RESOLVE_NO_MAGICLINKS), true);
    const z = Buffer.allocUnsafe(p.length + 1);
    z.set(p); z[p.length] = 0;
    for (let tries = 0; ; tries++) {
      const r = libc.openat2(dirFd, z, this.how);
      if (r >= 0) return r;
      const err = libc.errno();
      if (err === 11 && tries < 8) continue; // EAGAIN: a rename raced the walk
      if (err === 18) fail(WasiErrno.NOTCAPABLE); // EXDEV: the path would leave the directory
      return fail(fromLinux(err));
    }
  }

  /**
   * The directory that holds a path's last component (opened O_PATH, beneath
   * the given directory) and that component as a C string. A last component
   * ".." is folded into the directory, so no call ever acts on a name that
   * could reach above the directory it was resolved in.
   */
  private parent(dirFd: number, p: Buffer): { fd: number; name: Buffer; slash: boolean } {
    let end = p.length;
    while (end > 0 && p[end - 1] === 0x2f) end--;
    if (p.length === 0) fail(WasiErrno.NOENT);
    if (end === 0) fail(WasiErrno.NOTCAPABLE); // "/" and friends: absolute
    const slash = end < p.length;
    const cut = p.lastIndexOf(0x2f, end - 1);
    let dirPart: Uint8Array = cut < 0 ? DOT.subarray(0, 1) : p.subarray(0, cut === 0 ? 1 : cut);
    let last = p.subarray(cut + 1, end);
    if (last.length === 2 && last[0] === 0x2e && last[1] === 0x2e) {
      dirPart = p.subarray(0, end);
      last = DOT.subarray(0, 1);
    }
    const fd = this.open2(dirFd, dirPart, libc.O_PATH | libc.O_DIRECTORY);
    const name = Buffer.allocUnsafe(last.length + 1);
    name.set(last); name[last.length] = 0;
    return { fd, name, slash };
  }

  /** Runs f with the parent of a path, closing it afterwards. */
  private withParent<T>(fd: number, p: Buffer, f: (parentFd: number, name: Buffer, slash: boolean) => T): T {
    const par = this.parent(this.dirEntry(fd).hostFd, p);
    try { return f(par.fd, par.name, par.slash); } finally { libc.close(par.fd); }
  }

  /** Runs f with the object a path names (O_PATH), following a final symlink if asked. */
  private withTarget<T>(fd: number, p: Buffer, follow: boolean, f: (targetFd: number) => T): T {
    const t = this.open2(this.dirEntry(fd).hostFd, p, libc.O_PATH | (follow ? 0 : libc.O_NOFOLLOW));
    try { return f(t); } finally { libc.close(t); }
  }

  /** true when fd's directory may change (else EROFS thrown): for use before &&. */
  private withWritable(fd: number): true {
    this.writable(this.dirEntry(fd).root);
    return true;
  }

  /** A read-only directory (DirMapping.readOnly) changes for nobody: EROFS. */
  private writable(root: Root): void {
    if (root.mapping.readOnly) fail(WasiErrno.ROFS);
  }

  private chargeFile(root: Root): void {
    const max = root.mapping.quota?.files;
    if (max !== undefined && root.filesUsed >= max) fail(WasiErrno.DQUOT);
    root.filesUsed++;
  }

  private writeFilestat(out: number, st: fs.BigIntStats): void {
    const v = this.mem.view;
    const o = out >>> 0;
    v.setBigUint64(o, st.dev, true);
    v.setBigUint64(o + 8, st.ino, true);
    v.setUint8(o + 16, fileType(Number(st.mode)));
    for (let k = 17; k < 24; k++) v.setUint8(o + k, 0);
    v.setBigUint64(o + 24, st.nlink, true);
    v.setBigUint64(o + 32, st.size, true);
    v.setBigUint64(o + 40, st.atimeNs, true);
    v.setBigUint64(o + 48, st.mtimeNs, true);
    v.setBigUint64(o + 56, st.ctimeNs, true);
  }

  /** Fills the timespec pair utimensat takes from WASI's fstflags. */
  private timesFor(atim: bigint, mtim: bigint, flags: number): Uint8Array {
    if ((flags & FST.ATIM && flags & FST.ATIM_NOW) || (flags & FST.MTIM && flags & FST.MTIM_NOW)) fail(WasiErrno.INVAL);
    const v = new DataView(this.times.buffer);
    const put = (at: number, ns: bigint, set: boolean, now: boolean) => {
      v.setBigInt64(at, set ? BigInt.asUintN(64, ns) / 1_000_000_000n : 0n, true);
      v.setBigInt64(at + 8, set ? BigInt.asUintN(64, ns) % 1_000_000_000n : BigInt(now ? UTIME_NOW : UTIME_OMIT), true);
    };
    put(0, atim, (flags & FST.ATIM) !== 0, (flags & FST.ATIM_NOW) !== 0);
    put(16, mtim, (flags & FST.MTIM) !== 0, (flags & FST.MTIM_NOW) !== 0);
    return this.times;
  }

  /** Native iovecs (host addresses) for a guest iovec array; count checked by the caller. */
  private nativeIovecs(iovs: number, n: number): { count: number; total: number } {
    const g = this.mem.view;
    const v = this.iov.view;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const p = g.getUint32((iovs >>> 0) + i * 8, true);
      const len = g.getUint32((iovs >>> 0) + i * 8 + 4, true);
      v.setBigUint64(i * 16, BigInt(this.mem.hostAddress(p)), true);
      v.setBigUint64(i * 16 + 8, BigInt(len), true);
      total += len;
    }
    return { count: n, total };
  }

  /** Shortens the native iovecs to at most max bytes in all. */
  private trimIovecs(count: number, max: number): number {
    const v = this.iov.view;
    let left = max;
    for (let i = 0; i < count; i++) {
      const len = Number(v.getBigUint64(i * 16 + 8, true));
      const take = Math.min(len, left);
      v.setBigUint64(i * 16 + 8, BigInt(take), true);
      left -= take;
    }
    return max - left;
  }

  /**
   * With a bytes quota, how many of `want` bytes written at `at` (null: the
   * current position, or the end with O_APPEND) fit; growth is charged.
   */
  private allowWrite(e: Entry, at: number | null, want: number): number {
    const max = e.root.mapping.quota?.bytes;
    if (max === undefined || want === 0) return want;
    const size = Number(nodeCall(() => fs.fstatSync(e.hostFd)).size);
    const pos = at ?? ((e.fdflags & FDFLAGS.APPEND) ? size : check(libc.lseek(e.hostFd, 0, 1)));
    const room = max - e.root.bytesUsed;
    const allowed = Math.max(0, Math.min(want, size + room - pos));
    if (allowed === 0 && pos + want > size) fail(WasiErrno.DQUOT);
    return allowed;
  }

  private chargeGrowth(e: Entry, before: number): void {
    if (e.root.mapping.quota?.bytes === undefined) return;
    const after = Number(nodeCall(() => fs.fstatSync(e.hostFd)).size);
    e.root.bytesUsed += after - before;
  }

  private sizeIfQuota(e: Entry): number {
    return e.root.mapping.quota?.bytes === undefined ? 0 : Number(nodeCall(() => fs.fstatSync(e.hostFd)).size);
  }

  // ---- The WASI functions (fd >= 3). Pointers were checked by wasi.ts. ----

  fd_prestat_get(fd: number, out: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      if (!e.preopen) fail(WasiErrno.BADF);
      const v = this.mem.view;
      v.setUint32(out >>> 0, 0, true); // tag 0: a directory
      v.setUint32((out >>> 0) + 4, e.preopen!.length, true);
    });
  }

  fd_prestat_dir_name(fd: number, p: number, len: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      if (!e.preopen) fail(WasiErrno.BADF);
      if ((len >>> 0) < e.preopen!.length) fail(WasiErrno.INVAL);
      this.mem.u8.set(e.preopen!, p >>> 0);
    });
  }

  fd_close(fd: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      this.fds.delete(fd >>> 0);
      check(libc.close(e.hostFd));
    });
  }

  fd_renumber(from: number, to: number): number {
    return this.run(() => {
      const e = this.entry(from);
      const old = this.entry(to);
      if ((from >>> 0) === (to >>> 0)) return;
      libc.close(old.hostFd);
      this.fds.set(to >>> 0, e);
      this.fds.delete(from >>> 0);
    });
  }

  fd_fdstat_get(fd: number, out: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      const st = nodeCall(() => fs.fstatSync(e.hostFd));
      const v = this.mem.view;
      const o = out >>> 0;
      v.setUint8(o, fileType(st.mode));
      v.setUint8(o + 1, 0);
      v.setUint16(o + 2, e.fdflags, true);
      v.setUint32(o + 4, 0, true);
      v.setBigUint64(o + 8, e.rightsBase, true);
      v.setBigUint64(o + 16, e.rightsInheriting, true);
    });
  }

  fd_fdstat_set_flags(fd: number, flags: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      // The flags are fixed at open here (Node has no fcntl): same flags is a no-op.
      if ((flags & 0xffff) !== e.fdflags) fail(WasiErrno.NOTSUP);
    });
  }

  fd_fdstat_set_rights(fd: number, base: bigint, inheriting: bigint): number {
    return this.run(() => {
      const e = this.entry(fd);
      // Rights can only shrink.
      if ((base & ~e.rightsBase) !== 0n || (inheriting & ~e.rightsInheriting) !== 0n) fail(WasiErrno.NOTCAPABLE);
      e.rightsBase = base;
      e.rightsInheriting = inheriting;
    });
  }

  fd_filestat_get(fd: number, out: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      this.writeFilestat(out, nodeCall(() => fs.fstatSync(e.hostFd, { bigint: true })));
    });
  }

  fd_filestat_set_size(fd: number, size: bigint): number {
    return this.run(() => {
      const e = this.fileEntry(fd);
      this.writable(e.root);
      const want = BigInt.asUintN(64, size);
      if (want > BigInt(Number.MAX_SAFE_INTEGER)) fail(WasiErrno.FBIG);
      const n = Number(want);
      const before = this.sizeIfQuota(e);
      const max = e.root.mapping.quota?.bytes;
      if (max !== undefined && n - before > max - e.root.bytesUsed) fail(WasiErrno.DQUOT);
      nodeCall(() => fs.ftruncateSync(e.hostFd, n));
      this.chargeGrowth(e, before);
    });
  }

  fd_allocate(fd: number, offset: bigint, len: bigint): number {
    return this.run(() => {
      const e = this.fileEntry(fd);
      this.writable(e.root);
      const off = BigInt.asUintN(64, offset), n = BigInt.asUintN(64, len);
      if (off + n > BigInt(Number.MAX_SAFE_INTEGER)) fail(WasiErrno.FBIG);
      if (n === 0n) fail(WasiErrno.INVAL); // as posix_fallocate / fallocate(2)
      const before = this.sizeIfQuota(e);
      const max = e.root.mapping.quota?.bytes;
      if (max !== undefined && Number(off + n) - before > max - e.root.bytesUsed) fail(WasiErrno.DQUOT);
      check(libc.fallocate(e.hostFd, 0, off, n));
      this.chargeGrowth(e, before);
    });
  }

  fd_filestat_set_times(fd: number, atim: bigint, mtim: bigint, flags: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      this.writable(e.root);
      check(libc.utimensat(e.hostFd, EMPTY, this.timesFor(atim, mtim, flags), libc.AT_EMPTY_PATH));
    });
  }

  fd_advise(fd: number): number {
    return this.run(() => { this.fileEntry(fd); }); // advice only: accepted, ignored
  }

  fd_sync(fd: number): number {
    return this.run(() => { const e = this.entry(fd); nodeCall(() => fs.fsyncSync(e.hostFd)); });
  }

  fd_datasync(fd: number): number {
    return this.run(() => { const e = this.entry(fd); nodeCall(() => fs.fdatasyncSync(e.hostFd)); });
  }

  fd_seek(fd: number, offset: bigint, whence: number, out: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      if (e.dir) fail(WasiErrno.BADF); // directories are positioned by readdir cookies
      if ((whence & 0xff) > 2) fail(WasiErrno.INVAL);
      const r = check(libc.lseek(e.hostFd, offset, whence & 0xff));
      this.mem.view.setBigUint64(out >>> 0, BigInt(r), true);
    });
  }

  fd_tell(fd: number, out: number): number {
    return this.run(() => {
      const e = this.fileEntry(fd);
      this.mem.view.setBigUint64(out >>> 0, BigInt(check(libc.lseek(e.hostFd, 0, 1))), true);
    });
  }

  fd_read(fd: number, iovs: number, n: number, nread: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      const { count } = this.nativeIovecs(iovs, n >>> 0);
      const r = check(libc.readv(e.hostFd, this.iov.addr, count));
      this.mem.view.setUint32(nread >>> 0, r, true);
    });
  }

  fd_pread(fd: number, iovs: number, n: number, offset: bigint, nread: number): number {
    return this.run(() => {
      const e = this.fileEntry(fd);
      const { count } = this.nativeIovecs(iovs, n >>> 0);
      const r = check(libc.preadv(e.hostFd, this.iov.addr, count, BigInt.asIntN(64, offset)));
      this.mem.view.setUint32(nread >>> 0, r, true);
    });
  }

  fd_write(fd: number, iovs: number, n: number, nwritten: number): number {
    return this.run(() => {
      const e = this.entry(fd);
      let { count, total } = this.nativeIovecs(iovs, n >>> 0);
      const allowed = this.allowWrite(e, null, total);
      if (allowed < total) total = this.trimIovecs(count, allowed);
      const before = this.sizeIfQuota(e);
      const r = check(libc.writev(e.hostFd, this.iov.addr, count));
      this.chargeGrowth(e, before);
      this.mem.view.setUint32(nwritten >>> 0, r, true);
    });
  }

  fd_pwrite(fd: number, iovs: number, n: number, offset: bigint, nwritten: number): number {
    return this.run(() => {
      const e = this.fileEntry(fd);
      const off = BigInt.asIntN(64, offset);
      if (off < 0n) fail(WasiErrno.INVAL);
      let { count, total } = this.nativeIovecs(iovs, n >>> 0);
      const allowed = this.allowWrite(e, Number(off), total);
      if (allowed < total) total = this.trimIovecs(count, allowed);
      const before = this.sizeIfQuota(e);
      const r = check(libc.pwritev(e.hostFd, this.iov.addr, count, off));
      this.chargeGrowth(e, before);
      this.mem.view.setUint32(nwritten >>> 0, r, true);
    });
  }

  fd_readdir(fd: number, buf: number, bufLen: number, cookie: bigint, used: number): number {
    return this.run(() => {
      const e = this.dirEntry(fd);
      check(libc.lseek(e.hostFd, BigInt.asIntN(64, cookie), 0));
      const u8 = this.mem.u8;
      const out = new DataView(u8.buffer);
      const d = this.dents;
      const cap = bufLen >>> 0;
      let at = 0;
      const header = new Uint8Array(24);
      const hv = new DataView(header.buffer);
      while (at < cap) {
        // Read about as much as fits (a record is at most 280 bytes), not a whole 64 KiB each call.
        const got = check(libc.getdents64(e.hostFd, d.addr, Math.min(d.bytes.length, cap - at + 512)));
        if (got === 0) break;
        for (let off = 0; off < got && at < cap;) {
          const ino = d.view.getBigUint64(off, true);
          const next = d.view.getBigUint64(off + 8, true);
          const reclen = d.view.getUint16(off + 16, true);
          const type = d.view.getUint8(off + 18);
          let nameEnd = off + 19;
          while (d.bytes[nameEnd] !== 0) nameEnd++;
          const nameLen = nameEnd - off - 19;
          hv.setBigUint64(0, next, true);
          hv.setBigUint64(8, ino, true);
          hv.setUint32(16, nameLen, true);
          hv.setUint8(20, direntType(type));
          // An entry that does not fit is cut at the end of the buffer, as WASI says.
          const h = Math.min(24, cap - at);
          u8.set(header.subarray(0, h), (buf >>> 0) + at);
          at += h;
          const nl = Math.min(nameLen, cap - at);
          u8.set(d.bytes.subarray(off + 19, off + 19 + nl), (buf >>> 0) + at);
          at += nl;
          off += reclen;
        }
      }
      out.setUint32(used >>> 0, at, true);
    });
  }

  path_open(dirfd: number, dirflags: number, p: number, plen: number, oflags: number,
    rightsBase: bigint, rightsInheriting: bigint, fdflags: number, out: number): number {
    return this.run(() => {
      const dir = this.dirEntry(dirfd);
      const name = guestPath(this.mem, p, plen);
      const of = oflags & 0xffff;
      const ff = fdflags & 0xffff;
      const write = (rightsBase & (RIGHT_FD_WRITE | RIGHT_FD_ALLOCATE | RIGHT_FD_FILESTAT_SET_SIZE)) !== 0n
        || (of & OFLAGS.TRUNC) !== 0 || (ff & FDFLAGS.APPEND) !== 0;
      const read = (rightsBase & (RIGHT_FD_READ | RIGHT_FD_READDIR)) !== 0n;
      let flags = libc.O_NONBLOCK; // a FIFO the host put there must not hang the open
      if (of & OFLAGS.DIRECTORY) flags |= libc.O_DIRECTORY;
      else if (write) flags |= read ? libc.O_RDWR : libc.O_WRONLY;
      if (!(dirflags & LOOKUP_SYMLINK_FOLLOW)) flags |= libc.O_NOFOLLOW;
      if (ff & FDFLAGS.APPEND) flags |= libc.O_APPEND;
      if (ff & FDFLAGS.DSYNC) flags |= libc.O_DSYNC;
      if (ff & (FDFLAGS.SYNC | FDFLAGS.RSYNC)) flags |= libc.O_SYNC;
      const quota = dir.root.mapping.quota;
      const trunc = (of & OFLAGS.TRUNC) !== 0;
      if (dir.root.mapping.readOnly) {
        if (write) fail(WasiErrno.ROFS);
        // O_CREAT of a file that exists opens it, as on a read-only mount; creating one is EROFS.
        if (of & OFLAGS.CREAT) {
          if (of & OFLAGS.EXCL) fail(WasiErrno.ROFS);
          let t = -1;
          try { t = this.open2(dir.hostFd, name, libc.O_PATH | (dirflags & LOOKUP_SYMLINK_FOLLOW ? 0 : libc.O_NOFOLLOW)); } catch (e) {
            if (e instanceof Fail && e.errno === WasiErrno.NOENT) fail(WasiErrno.ROFS);
            throw e;
          }
          libc.close(t);
        }
      }
      // With a bytes quota, truncation gives its bytes back: do it here.
      if (trunc && quota?.bytes === undefined) flags |= libc.O_TRUNC;
      let hostFd: number;
      if (of & OFLAGS.CREAT) {
        // Created or opened? Only a creation counts against the files quota.
        const excl = (of & OFLAGS.EXCL) !== 0;
        hostFd = -1;
        if (!excl) {
          try { hostFd = this.open2(dir.hostFd, name, flags); } catch (e) {
            if (!(e instanceof Fail) || e.errno !== WasiErrno.NOENT) throw e;
          }
        }
        if (hostFd < 0) {
          this.chargeFile(dir.root);
          try {
            hostFd = this.open2(dir.hostFd, name, flags | libc.O_CREAT | libc.O_EXCL, 0o666);
          } catch (e) {
            dir.root.filesUsed--;
            throw e;
          }
        }
      } else {
        try {
          hostFd = this.open2(dir.hostFd, name, flags);
        } catch (e) {
          // A directory asked for with write rights (wasi-libc does): open it to read.
          if (!(e instanceof Fail) || e.errno !== WasiErrno.ISDIR) throw e;
          hostFd = this.open2(dir.hostFd, name, (flags & ~(libc.O_WRONLY | libc.O_RDWR)) | libc.O_DIRECTORY);
        }
      }
      const isDir = (nodeCall(() => fs.fstatSync(hostFd)).mode & 0o170000) === 0o040000;
      const entry: Entry = {
        hostFd, dir: isDir, root: dir.root, fdflags: ff,
        rightsBase: rightsBase & dir.rightsInheriting, rightsInheriting: rightsInheriting & dir.rightsInheriting,
      };
      if (trunc && quota?.bytes !== undefined && !isDir) {
        const before = Number(nodeCall(() => fs.fstatSync(hostFd)).size);
        try { nodeCall(() => fs.ftruncateSync(hostFd, 0)); } catch (e) { libc.close(hostFd); throw e; }
        dir.root.bytesUsed -= before;
      }
      this.mem.view.setUint32(out >>> 0, this.add(entry), true);
    });
  }

  path_create_directory(fd: number, p: number, plen: number): number {
    return this.run(() => {
      const root = this.dirEntry(fd).root;
      this.writable(root);
      this.withParent(fd, guestPath(this.mem, p, plen), (pfd, name) => {
        this.chargeFile(root);
        if (libc.mkdirat(pfd, name, 0o777) === -1) { root.filesUsed--; check(-1); }
      });
    });
  }

  path_remove_directory(fd: number, p: number, plen: number): number {
    return this.run(() => this.withWritable(fd) && this.withParent(fd, guestPath(this.mem, p, plen), (pfd, name) => {
      check(libc.unlinkat(pfd, name, libc.AT_REMOVEDIR));
    }));
  }

  path_unlink_file(fd: number, p: number, plen: number): number {
    return this.run(() => this.withWritable(fd) && this.withParent(fd, guestPath(this.mem, p, plen), (pfd, name, slash) => {
      if (slash) {
        // "name/" names a directory: Linux says EISDIR for one, ENOTDIR otherwise.
        const t = this.open2(pfd, name.subarray(0, name.length - 1), libc.O_PATH | libc.O_NOFOLLOW);
        const isDir = (nodeCall(() => fs.fstatSync(t)).mode & 0o170000) === 0o040000;
        libc.close(t);
        fail(isDir ? WasiErrno.ISDIR : WasiErrno.NOTDIR);
      }
      check(libc.unlinkat(pfd, name, 0));
    }));
  }

  path_filestat_get(fd: number, flags: number, p: number, plen: number, out: number): number {
    return this.run(() => this.withTarget(fd, guestPath(this.mem, p, plen), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0,
      (t) => this.writeFilestat(out, nodeCall(() => fs.fstatSync(t, { bigint: true })))));
  }

  path_filestat_set_times(fd: number, flags: number, p: number, plen: number, atim: bigint, mtim: bigint, fst: number): number {
    return this.run(() => {
      this.writable(this.dirEntry(fd).root);
      const times = this.timesFor(atim, mtim, fst);
      this.withTarget(fd, guestPath(this.mem, p, plen), (flags & LOOKUP_SYMLINK_FOLLOW) !== 0,
        (t) => check(libc.utimensat(t, EMPTY, times, libc.AT_EMPTY_PATH)));
    });
  }

  path_readlink(fd: number, p: number, plen: number, buf: number, len: number, used: number): number {
    return this.run(() => this.withParent(fd, guestPath(this.mem, p, plen), (pfd, name) => {
      // Straight into guest memory (checked writable by wasi.ts); cut at len, as Linux does.
      const r = check(libc.readlinkat(pfd, name, this.mem.hostAddress(buf), len >>> 0));
      this.mem.view.setUint32(used >>> 0, r, true);
    }));
  }

  path_rename(fd: number, p: number, plen: number, fd2: number, p2: number, plen2: number): number {
    return this.run(() => {
      this.writable(this.dirEntry(fd).root);
      this.writable(this.dirEntry(fd2).root);
      const from = guestPath(this.mem, p, plen);
      const to = guestPath(this.mem, p2, plen2);
      this.withParent(fd, from, (pa, na) => this.withParent(fd2, to, (pb, nb) => {
        check(libc.renameat(pa, na, pb, nb));
      }));
    });
  }

  path_link(fd: number, flags: number, p: number, plen: number, fd2: number, p2: number, plen2: number): number {
    return this.run(() => {
      const from = guestPath(this.mem, p, plen);
      const to = guestPath(this.mem, p2, plen2);
      const root = this.dirEntry(fd2).root;
      this.writable(root);
      const link = (oldDir: number, oldName: Buffer, linkFlags: number) => this.withParent(fd2, to, (pb, nb) => {
        this.chargeFile(root);
        if (libc.linkat(oldDir, oldName, pb, nb, linkFlags) === -1) { root.filesUsed--; check(-1); }
      });
      if (flags & LOOKUP_SYMLINK_FOLLOW) {
        // Resolved beneath the directory first; the host then links what that fd is.
        this.withTarget(fd, from, true, (t) => link(-100, cstr(`/proc/self/fd/${t}`), 0x400 /* AT_SYMLINK_FOLLOW */));
      } else {
        this.withParent(fd, from, (pa, na) => link(pa, na, 0));
      }
    });
  }

  path_symlink(target: number, tlen: number, fd: number, p: number, plen: number): number {
    return this.run(() => {
      const t = guestPath(this.mem, target, tlen);
      const dir = this.dirEntry(fd);
      this.writable(dir.root);
      this.withParent(fd, guestPath(this.mem, p, plen), (pfd, name) => {
        // A link that points outside the directory could never be followed
        // by the guest, but would be by the host's own tools later: refused.
        if (t.length === 0) fail(WasiErrno.NOENT);
        if (t[0] === 0x2f || escapes(depthBelow(dir.hostFd, pfd), t)) fail(WasiErrno.NOTCAPABLE);
        this.chargeFile(dir.root);
        const z = Buffer.allocUnsafe(t.length + 1);
        z.set(t); z[t.length] = 0;
        if (libc.symlinkat(z, pfd, name) === -1) { dir.root.filesUsed--; check(-1); }
      });
    });
  }
}

/** How many directories below the root directory fd `dirFd` lies (both are resolved by the kernel). */
function depthBelow(rootFd: number, dirFd: number): number {
  const root = fs.readlinkSync(`/proc/self/fd/${rootFd}`);
  const here = fs.readlinkSync(`/proc/self/fd/${dirFd}`);
  const rel = path.relative(root, here);
  if (rel === '') return 0;
  if (rel.startsWith('..')) return fail(WasiErrno.NOTCAPABLE);
  return rel.split(path.sep).length;
}

/** Would a relative symlink target, read from `depth` levels below the root, climb above it? */
function escapes(depth: number, target: Buffer): boolean {
  let d = depth;
  for (const part of target.toString('latin1').split('/')) {
    if (part === '..') { if (--d < 0) return true; } else if (part !== '' && part !== '.') d++;
  }
  return false;
}

function mappingName(m: DirMapping): string {
  return `${m.host}:${m.guest}`;
}
