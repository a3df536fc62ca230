// --dir HOST[:GUEST]: @wasmer/wasi only knows its in-memory file system, so a
// host directory is copied in before the guest starts and what the guest
// changed is written back when it ends (exit or trap). The guest can never
// reach outside: it only sees the copy, symlinks are not copied in, and the
// write-back refuses any path that resolves outside HOST or through a symlink.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import type { MemFS } from '@wasmer/wasi';

export interface DirMapping {
  host: string;
  guest: string;
}

/** Parses "HOST[:GUEST]"; GUEST defaults to HOST as written. */
export function parseDir(spec: string): DirMapping {
  const i = spec.indexOf(':');
  const host = i < 0 ? spec : spec.slice(0, i);
  const guest = i < 0 ? spec : spec.slice(i + 1);
  if (!host || !guest) throw new Error(`--dir ${spec}: expected HOST[:GUEST]`);
  return { host: path.resolve(host), guest };
}

/** Where a guest directory lives inside the in-memory file system. */
export function memPath(guest: string): string {
  return path.posix.normalize('/' + guest.replace(/\\/g, '/')).replace(/\/+$/, '') || '/';
}

const digest = (b: Uint8Array) => crypto.createHash('sha1').update(b).digest('hex');

/** What was copied in: guest path -> content digest ('' for directories). */
export type Snapshot = Map<string, string>;

function ensureMemDir(memfs: MemFS, dir: string): void {
  let at = '';
  for (const part of dir.split('/').filter(Boolean)) {
    at += '/' + part;
    try { memfs.createDir(at); } catch { /* exists */ }
  }
}

export function copyIn(memfs: MemFS, m: DirMapping): Snapshot {
  const st = fs.statSync(m.host, { throwIfNoEntry: false });
  if (!st?.isDirectory()) throw new Error(`--dir ${m.host}: not a directory`);
  const root = memPath(m.guest);
  ensureMemDir(memfs, root);
  const snap: Snapshot = new Map();
  const walk = (hostDir: string, memDir: string) => {
    for (const e of fs.readdirSync(hostDir, { withFileTypes: true })) {
      const h = path.join(hostDir, e.name);
      const g = `${memDir}/${e.name}`;
      if (e.isDirectory()) {
        memfs.createDir(g);
        snap.set(g, '');
        walk(h, g);
      } else if (e.isFile()) {
        const data = fs.readFileSync(h);
        // Handles are wasm-bindgen objects that lock the file until freed.
        const f = memfs.open(g, { read: true, write: true, create: true });
        try { f.write(data); } finally { f.free(); }
        snap.set(g, digest(data));
      } // symlinks, devices, sockets: not copied, so never followed
    }
  };
  walk(m.host, root === '/' ? '' : root);
  return snap;
}

interface Entry { path: string; metadata: { filetype: { dir: boolean; file: boolean } } }

/** Writes back files the guest created or changed, and removes what it deleted. */
export function copyOut(memfs: MemFS, m: DirMapping, before: Snapshot): void {
  const root = memPath(m.guest);
  const hostRoot = fs.realpathSync(m.host);
  const hostPathOf = (g: string) => {
    const rel = path.posix.relative(root, g);
    const h = path.resolve(hostRoot, rel);
    if (rel.startsWith('..') || (h !== hostRoot && !h.startsWith(hostRoot + path.sep))) return null;
    // Never write through a symlink the host has inside the directory.
    for (let p = path.dirname(h); p.startsWith(hostRoot) && p !== hostRoot; p = path.dirname(p)) {
      if (fs.lstatSync(p, { throwIfNoEntry: false })?.isSymbolicLink()) return null;
    }
    if (fs.lstatSync(h, { throwIfNoEntry: false })?.isSymbolicLink()) return null;
    return h;
  };
  const seen = new Set<string>();
  const walk = (memDir: string) => {
    for (const e of memfs.readDir(memDir || '/') as Entry[]) {
      const g = e.path;
      seen.add(g);
      const h = hostPathOf(g);
      if (!h) continue;
      if (e.metadata.filetype.dir) {
        fs.mkdirSync(h, { recursive: true });
        walk(g);
      } else if (e.metadata.filetype.file) {
        const f = memfs.open(g, { read: true });
        let data: Uint8Array;
        try { data = f.read(); } finally { f.free(); }
        if (before.get(g) !== digest(data)) fs.writeFileSync(h, data);
      }
    }
  };
  walk(root === '/' ? '' : root);
  // Deepest first, so directories are empty when their turn comes.
  for (const g of [...before.keys()].sort().reverse()) {
    if (seen.has(g)) continue;
    const h = hostPathOf(g);
    if (!h) continue;
    try {
      // A directory goes only if empty: it may hold what was never copied in.
      if (before.get(g) === '') fs.rmdirSync(h); else fs.rmSync(h, { force: true });
    } catch { /* not empty, or already gone */ }
  }
}
