#!/usr/bin/env node
// Proves that the conformance suite catches real host faults. For each
// deliberate break below it makes a throwaway copy of the built package
// (/tmp/mut-N: dist, bin, build, conformance, package.json, asconfig.json;
// node_modules symlinked), patches one compiled file of the copy's
// dist/host/ with an exact string replacement (failing loudly when the
// pattern is not found exactly once), runs the whole suite there, and lists
// the cases that agreed on the intact host but not on the broken one.
// The real dist/ is never modified.
//
// Usage: node scripts/mutation-check.mjs [--only ID,ID] [--filter TEXT] [--json FILE] [--keep]
// Needs a built tree (npm run build). Exit 0 when every break is caught.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const MUTATIONS = [
  {
    id: 'shmdt-noop',
    what: 'shmdt leaves nattch unchanged (never calls the kernel, keeps the mapping)',
    file: 'dist/host/windows.js',
    find: 'for (const r of w.runs)\n            this.restore(r);',
    replace: '/* mutation: the window is forgotten but stays mapped */',
  },
  {
    id: 'excl-ignored',
    what: 'IPC_EXCL stripped from shmget flags',
    file: 'dist/host/shm.js',
    find: 'libc.shmget(key, size >>> 0, shmflg)',
    replace: 'libc.shmget(key, size >>> 0, shmflg & ~0o2000)',
  },
  {
    id: 'sem-undo-dropped',
    what: 'SEM_UNDO cleared from every sembuf before semop',
    file: 'dist/host/sem.js',
    // The kernel gets a host-side copy of the sembufs without SEM_UNDO (the
    // guest's own array is left alone: it may be a read-only window).
    find: 'const addr = s.mem.structIn(sops, n * GUEST.sembuf) ? s.mem.hostAddress(sops) : libc.BAD_ADDRESS;\n    for (;;) {\n        const r = libc.semop(semid, addr, n);',
    replace: 'let addr = s.mem.structIn(sops, n * GUEST.sembuf) ? s.mem.hostAddress(sops) : libc.BAD_ADDRESS;\n'
      + '    if (addr !== libc.BAD_ADDRESS && n * 6 <= 4096) { const b = s.scratch; b.bytes.set(s.mem.u8.subarray(sops >>> 0, (sops >>> 0) + n * 6)); '
      + 'for (let i = 0; i < n; i++) { const o = i * 6 + 4; b.view.setInt16(o, b.view.getInt16(o, true) & ~0x1000, true); } addr = b.addr; }\n'
      + '    for (;;) {\n        const r = libc.semop(semid, addr, n);',
  },
  {
    id: 'rdonly-dropped',
    what: 'SHM_RDONLY not passed to the kernel (read-only window writable)',
    file: 'dist/host/windows.js',
    find: 'const flags = (shmflg & (SHM_RDONLY | SHM_EXEC)) | SHM_REMAP;',
    replace: 'const flags = (shmflg & SHM_EXEC) | SHM_REMAP;',
  },
  {
    id: 'einval-as-enoent',
    what: 'wrong errno: every kernel EINVAL reported as ENOENT',
    file: 'dist/host/libc.js',
    find: 'return result === -1 ? -koffi.errno() : result;',
    replace: 'return result === -1 ? (koffi.errno() === 22 ? -2 : -koffi.errno()) : result;',
  },
  {
    id: 'nattch-plus-one',
    what: 'IPC_STAT shm_nattch off by one',
    file: 'dist/host/structs.js',
    find: 'copy64(n, 88, g, go + 72); // shm_nattch',
    replace: 'g.setBigUint64(go + 72, n.getBigUint64(88, LE) + 1n, LE); // mutation',
  },
  {
    id: 'cpid-reads-lpid',
    what: 'IPC_STAT shm_cpid read from the wrong native offset (lpid)',
    file: 'dist/host/structs.js',
    find: 'g.setInt32(go + 64, n.getInt32(80, LE), LE); // shm_cpid',
    replace: 'g.setInt32(go + 64, n.getInt32(84, LE), LE); // mutation',
  },
  {
    id: 'rnd-ignored',
    what: 'SHM_RND not honoured (unaligned address always EINVAL)',
    file: 'dist/host/windows.js',
    find: 'if (!(shmflg & SHM_RND))\n                    return -Errno.EINVAL;',
    replace: 'return -Errno.EINVAL; // mutation',
  },
  {
    id: 'ro-window-host-write',
    what: 'host writes into read-only windows not refused (no EFAULT check)',
    file: 'dist/host/guest-memory.js',
    find: 'if (this.readOnly.length === 0 || len === 0)\n            return true;',
    replace: 'return true; // mutation',
  },
  // Realistic breaks of issue 8 part 2 and issue 13 (each pinned by a case
  // whose "# pins:" comment names it).
  {
    id: 'setval-16-bits',
    what: "SETVAL's value narrowed to 16 bits before the kernel sees it",
    file: 'dist/host/sem.js',
    find: 'libc.semctl(semid, semnum, cmd, arg | 0)',
    replace: 'libc.semctl(semid, semnum, cmd, arg & 0xffff)',
  },
  {
    id: 'rnd-64k',
    what: 'SHM_RND rounds to 64 KiB (the wasm page) instead of SHMLBA',
    file: 'dist/host/windows.js',
    find: 'addr -= addr % PAGE_SIZE;',
    replace: 'addr -= addr % 65536;',
  },
  {
    id: 'ro-list-stale',
    what: 'shmdt leaves the read-only list stale (host writes into the freed pages refused)',
    file: 'dist/host/windows.js',
    find: 'this.windows = this.windows.filter((x) => x !== w);\n        this.syncReadOnly();\n        return 0;',
    replace: 'this.windows = this.windows.filter((x) => x !== w);\n        return 0;',
  },
  {
    id: 'shmdt-one-fragment',
    what: 'shmdt of a split window detaches its first fragment only',
    file: 'dist/host/windows.js',
    find: 'for (const r of w.runs)\n            this.restore(r);',
    replace: 'for (const r of w.runs.slice(0, 1))\n            this.restore(r);',
  },
  {
    id: 'shmdt-highest-first',
    what: 'shmdt picks the highest-lying window attached at the address, not the lowest',
    file: 'dist/host/windows.js',
    find: 'const w = this.list().find((x) => x.start === shmaddr >>> 0);',
    replace: 'const w = this.list().reverse().find((x) => x.start === shmaddr >>> 0);',
  },
  {
    id: 'shmdt-at-fragment',
    what: "shmdt also accepts a fragment's own start",
    file: 'dist/host/windows.js',
    find: 'const w = this.list().find((x) => x.start === shmaddr >>> 0);',
    replace: 'const w = this.list().find((x) => x.start === shmaddr >>> 0 || x.runs.some((r) => r.start * 4096 === shmaddr >>> 0));',
  },
  {
    id: 'pages-rounded-down',
    what: "a window's pages rounded down (a later window lands on the tail page)",
    file: 'dist/host/windows.js',
    find: 'const pages = Math.ceil(segsz / PAGE_SIZE);',
    replace: 'const pages = Math.max(1, Math.floor(segsz / PAGE_SIZE));',
  },
  {
    id: 'ipc64-stripped',
    what: 'the IPC_64 bit stripped from shmctl commands (x86-64 Linux says EINVAL)',
    file: 'dist/host/shm.js',
    find: 'if (cmd < 0 || shmid < 0)\n        return -Errno.EINVAL;',
    replace: 'cmd &= ~0x100; if (cmd < 0 || shmid < 0)\n        return -Errno.EINVAL;',
  },
  {
    id: 'null-struct-written',
    what: 'NULL accepted as an output structure (the host writes guest page 0)',
    file: 'dist/host/guest-memory.js',
    find: 'return ptr !== 0 && this.writable(ptr, len);',
    replace: 'return this.writable(ptr, len);',
  },
  {
    id: 'size-signed',
    what: 'shmget size read as signed (2 GiB and more fail)',
    file: 'dist/host/shm.js',
    find: 'libc.shmget(key, size >>> 0, shmflg)',
    replace: 'libc.shmget(key, size | 0, shmflg)',
  },
  {
    id: 'segsz-32-bits',
    what: 'IPC_STAT shm_segsz copied as 32 bits',
    file: 'dist/host/structs.js',
    find: 'copy64(n, 48, g, go + 32); // shm_segsz',
    replace: 'g.setBigUint64(go + 32, BigInt(n.getUint32(48, LE)), LE); // mutation',
  },
  {
    id: 'no-detach-at-end',
    what: "detachAll() removed from a guest's end (caught only while the memory lives: hosted)",
    file: 'dist/host/guest.js',
    find: 'state.windows.detachAll();',
    replace: '/* mutation */',
  },
  {
    id: 'timeout-restarted',
    what: 'semtimedop resumed after a signal with its full timeout again',
    file: 'dist/host/sem.js',
    find: 'ts = s.times.addr;',
    replace: '/* mutation */',
  },
  {
    id: 'eintr-to-guest',
    what: 'semop returns EINTR to the guest for a signal the host got',
    file: 'dist/host/sem.js',
    find: 'if (e !== Errno.EINTR)\n            return -e;\n        s.stop.check(); // a stop request',
    replace: 'return -e;\n        s.stop.check(); // a stop request',
  },
];

function parseArgs(argv) {
  const o = { only: null, filter: undefined, json: undefined, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--only') o.only = new Set(argv[++i].split(','));
    else if (a === '--filter') o.filter = argv[++i];
    else if (a === '--json') o.json = argv[++i];
    else if (a === '--keep') o.keep = true;
    else { console.error(`unknown argument ${a}\nusage: node scripts/mutation-check.mjs [--only ID,ID] [--filter TEXT] [--json FILE] [--keep]`); process.exit(2); }
  }
  return o;
}

/** A copy of the built package with one patched file. */
function makeCopy(n, m) {
  const dir = `/tmp/mut-${n}`;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir);
  for (const p of ['dist', 'bin', 'build', 'conformance', 'package.json', 'asconfig.json']) {
    execFileSync('cp', ['-a', path.join(ROOT, p), path.join(dir, p)]);
  }
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  const file = path.join(dir, m.file);
  const text = fs.readFileSync(file, 'utf8');
  const count = text.split(m.find).length - 1;
  if (count !== 1) {
    throw new Error(`mutation ${m.id}: pattern found ${count} times in ${m.file} (want exactly 1); the host changed, update the mutation:\n${m.find}`);
  }
  fs.writeFileSync(file, text.replace(m.find, m.replace));
  return dir;
}

async function suiteAt(root, filter) {
  const mod = await import(pathToFileURL(path.join(root, 'dist', 'conformance', 'suite.js')).href);
  const t0 = Date.now();
  const r = await mod.runSuite({
    root, ...(filter ? { filter } : {}),
    onProgress: (d, t) => { if (d % 40 === 0 || d === t) process.stderr.write(`  ${d}/${t} runs\n`); },
  });
  return { cases: r.cases, secs: (Date.now() - t0) / 1000 };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(ROOT, 'dist', 'conformance', 'suite.js'))) {
    console.error('mutation-check: dist/conformance is missing; run npm run build first');
    process.exit(2);
  }
  const chosen = MUTATIONS.filter((m) => !o.only || o.only.has(m.id));
  // Check every pattern before the long runs.
  for (const m of chosen) {
    const text = fs.readFileSync(path.join(ROOT, m.file), 'utf8');
    const count = text.split(m.find).length - 1;
    if (count !== 1) {
      console.error(`mutation-check: ${m.id}: pattern found ${count} times in ${m.file} (want exactly 1):\n${m.find}`);
      process.exit(2);
    }
  }

  process.stderr.write('baseline (intact host)\n');
  const base = await suiteAt(ROOT, o.filter);
  const agreeing = new Set(base.cases.filter((c) => c.agree).map((c) => c.name));
  process.stderr.write(`baseline: ${agreeing.size} of ${base.cases.length} cases agree (${base.secs.toFixed(0)} s)\n`);

  const results = [];
  let n = 0;
  for (const m of chosen) {
    n++;
    process.stderr.write(`mutation ${n}/${chosen.length}: ${m.id}: ${m.what}\n`);
    const dir = makeCopy(n, m);
    try {
      const run = await suiteAt(dir, o.filter);
      const caught = run.cases.filter((c) => agreeing.has(c.name) && !c.agree);
      results.push({
        id: m.id, what: m.what, file: m.file, caught: caught.length > 0, secs: Math.round(run.secs),
        cases: caught.map((c) => ({ name: c.name, group: c.group, why: c.why ?? '' })),
      });
    } finally {
      if (!o.keep) fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  // Table.
  const lines = ['', 'mutation              caught  cases that caught it', '--------------------  ------  --------------------'];
  for (const r of results) {
    const names = r.cases.map((c) => c.name);
    lines.push(`${r.id.padEnd(20)}  ${String(r.cases.length).padStart(6)}  ${names[0] ?? '(none: NOT CAUGHT)'}`);
    for (const nm of names.slice(1)) lines.push(`${''.padEnd(20)}  ${''.padStart(6)}  ${nm}`);
  }
  const missed = results.filter((r) => !r.caught);
  lines.push('', `${results.length - missed.length} of ${results.length} mutations caught (baseline: ${agreeing.size} agreeing cases)`);
  console.log(lines.join('\n'));
  const doc = { baseline: { agreeing: agreeing.size, total: base.cases.length }, mutations: results };
  if (o.json) fs.writeFileSync(o.json, JSON.stringify(doc, null, 2) + '\n');
  else console.log('\n' + JSON.stringify(doc));
  process.exit(missed.length === 0 ? 0 : 1);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e) => { console.error(`mutation-check: ${e?.stack ?? e}`); process.exit(2); });
}
