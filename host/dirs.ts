// --dir: which host directories a guest gets, under which names, with which
// quotas. The directories are served in place by wasi-fs.ts (no copies); this
// module is only the mapping and its command-line syntax, shared by the CLI
// and the JS API.
import path from 'node:path';

/** Limits for one directory over one run; over them, writes and creations get EDQUOT. */
export interface DirQuota {
  /** Bytes the directory's files may grow by (shrinking a file gives bytes back; deleting one does not). */
  bytes?: number;
  /** Entries the guest may create: files, directories, symlinks, hard links (deleting gives none back). */
  files?: number;
}

export interface DirMapping {
  /** The host directory (absolute once parsed). */
  host: string;
  /** The name the guest sees it under (its preopen name). */
  guest: string;
  quota?: DirQuota;
  /** Read-only: files open for reading only, every change is EROFS (as a read-only mount). */
  readOnly?: boolean;
}

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

function parseCount(spec: string, key: string, text: string, units: boolean): number {
  const m = /^(\d+)([kmgt]?)(i?b)?$/i.exec(text);
  if (!m || (!units && (m[2] || m[3]))) {
    throw new Error(`--dir ${spec}: ${key}=${text} is not a ${units ? 'size (like 4096, 64K, 10M, 2G)' : 'whole number'}`);
  }
  const n = Number(m[1]) * UNITS[m[2]!.toLowerCase()]!;
  if (!Number.isSafeInteger(n)) throw new Error(`--dir ${spec}: ${key}=${text} is too large`);
  return n;
}

/**
 * Parses "HOST[:GUEST[:OPTIONS]]": GUEST defaults to HOST as written; OPTIONS
 * is a comma list of "ro" (read-only), "bytes=SIZE" and "files=N" (the quota;
 * SIZE takes K, M, G, T suffixes).
 */
export function parseDir(spec: string): DirMapping {
  const parts = spec.split(':');
  let quotaText: string | undefined;
  if (parts.length >= 3 && /^(bytes=|files=|ro(,|$))/.test(parts[parts.length - 1]!)) quotaText = parts.pop();
  if (parts.length > 2) throw new Error(`--dir ${spec}: expected HOST[:GUEST[:ro,bytes=SIZE,files=N]]`);
  const host = parts[0]!;
  const guest = parts.length > 1 ? parts[1]! : host;
  if (!host || !guest) throw new Error(`--dir ${spec}: expected HOST[:GUEST[:ro,bytes=SIZE,files=N]]`);
  const out: DirMapping = { host: path.resolve(host), guest };
  if (quotaText !== undefined) {
    const quota: DirQuota = {};
    for (const item of quotaText.split(',')) {
      if (item === 'ro') { out.readOnly = true; continue; }
      const eq = item.indexOf('=');
      const key = item.slice(0, eq), value = item.slice(eq + 1);
      if (key === 'bytes') quota.bytes = parseCount(spec, key, value, true);
      else if (key === 'files') quota.files = parseCount(spec, key, value, false);
      else throw new Error(`--dir ${spec}: unknown quota ${item || '(empty)'} (expected ro, bytes=SIZE or files=N)`);
    }
    if (Object.keys(quota).length) out.quota = quota;
  }
  return out;
}
