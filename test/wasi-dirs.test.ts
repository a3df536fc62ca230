// --dir on the real host directory, and the WASI attacks of issue 14, each
// run by a real guest (test/guests/wasi-attack.ts) on real files in a temp
// directory. After every run the host tree must be exactly what the guest
// left inside the directory and untouched outside it, any error one line,
// and no host failure reported as the guest's trap.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { cli, guest, startCli, test } from './helpers.js';
import { parseDir } from '../host/dirs.js';
import { createWasi, initWasi, HostFailure } from '../host/wasi.js';
import { StopSignal } from '../host/stop.js';
import { runGuest } from '../host/runner.js';

const attack = guest('wasi-attack');
const temps: string[] = [];
// rm -rf: Node's own recursive rm runs out of stack on 3,000 levels.
test.after(() => { for (const t of temps) spawnSync('rm', ['-rf', t]); });

/** A fresh sandbox: root/d is the --dir, root/out lies beside it with a secret. */
function sandbox(): { root: string; d: string; out: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-wasi-'));
  temps.push(root);
  const d = path.join(root, 'd'), out = path.join(root, 'out');
  fs.mkdirSync(d); fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'secret'), 'secret');
  return { root, d, out };
}

/** Every entry under dir, lstat-based: "path kind content|target|size". */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const p = path.join(dir, r);
      const st = fs.lstatSync(p);
      if (st.isSymbolicLink()) out.push(`${r} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) { out.push(`${r}/`); walk(r); }
      else out.push(`${r} = ${st.size > 64 ? `${st.size} bytes` : fs.readFileSync(p, 'utf8')}`);
    }
  };
  walk('');
  return out;
}

/** Runs the attack guest on the sandbox's directory; returns its lines. */
function run(d: string, args: string[], extra: string[] = []) {
  const r = cli(['run', ...extra, '--dir', `${d}:/data`, attack, ...args]);
  assert.ok(r.status !== 134, `a host problem reported as a trap: ${r.stderr}`);
  return { ...r, lines: r.stdout.trim().split('\n') };
}

const outsideUntouched = (s: { out: string }) =>
  assert.equal(tree(s.out), ['secret = secret'], 'nothing outside the directory changed');

test('writes reach the disk as they happen; the guest sees the preopen by name', () => {
  const s = sandbox();
  fs.writeFileSync(path.join(s.d, 'in.txt'), 'from host');
  const r = run(s.d, ['prestat', 'read', 'in.txt', 'write', 'a.txt', 'hello', 'append', 'a.txt', '+more', 'read', 'a.txt', 'mkdir', 'sub', 'write', 'sub/x', '1']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['prestat 3=/data', 'read 0 from host', 'write 0 5', 'append 0 5', 'read 0 hello+more', 'mkdir 0', 'write 0 1']);
  assert.equal(tree(s.d), ['a.txt = hello+more', 'in.txt = from host', 'sub/', 'sub/x = 1']);
  outsideUntouched(s);
});

test('a directory replaced by a file and a file by a directory, with other changes: all on disk', () => {
  const s = sandbox();
  fs.mkdirSync(path.join(s.d, 'dir'));
  fs.writeFileSync(path.join(s.d, 'dir/inner'), 'x');
  fs.writeFileSync(path.join(s.d, 'file'), 'y');
  fs.writeFileSync(path.join(s.d, 'gone'), 'z');
  const r = run(s.d, ['unlink', 'dir/inner', 'rmdir', 'dir', 'write', 'dir', 'now a file',
    'unlink', 'file', 'mkdir', 'file', 'write', 'file/inner', 'now in a dir', 'unlink', 'gone', 'write', 'new', 'n']);
  assert.is(r.status, 0, r.stderr);
  assert.ok(r.lines.every((l) => / 0( |$)/.test(l)), r.stdout);
  assert.equal(tree(s.d), ['dir = now a file', 'file/', 'file/inner = now in a dir', 'new = n']);
  outsideUntouched(s);
});

test('a NUL byte in a name is EINVAL, a 300-byte name ENAMETOOLONG; nothing else is lost', () => {
  const s = sandbox();
  const r = run(s.d, ['write', 'before', 'b', 'nul', 'longname', '300', 'longname', '255', 'write', 'after', 'a']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['write 0 1', 'nul 28', 'longname 37', 'longname 0 4', 'write 0 1']);
  assert.equal(tree(s.d), ['after = a', 'before = b', `${'x'.repeat(255)} = long`]);
});

test('2 GiB files by set_size, allocate and 1 MiB writes; a write past 2 GiB lands at its offset', () => {
  const s = sandbox();
  const G2 = 2 ** 31;
  try {
    const r = run(s.d, ['setsize', 's', String(G2), 'allocate', 'a', String(G2 + 1), 'seekwrite', 'k', String(G2 + 5),
      'bigwrite', 'b', '2049']);
    assert.is(r.status, 0, r.stderr);
    assert.equal(r.lines, ['setsize 0', 'allocate 0', `seekwrite 0 at ${G2 + 5}`, 'bigwrite 0']);
    const size = (n: string) => fs.statSync(path.join(s.d, n)).size;
    assert.is(size('s'), G2);
    assert.is(size('a'), G2 + 1);
    assert.is(size('k'), G2 + 6, 'offset + 1');
    assert.is(size('b'), 2049 * 2 ** 20);
    const fd = fs.openSync(path.join(s.d, 'k'), 'r');
    const last = Buffer.alloc(2);
    fs.readSync(fd, last, 0, 2, G2 + 4);
    fs.closeSync(fd);
    assert.equal([...last], [0, '!'.charCodeAt(0)]);
    // Past what the file system allows: Linux's EFBIG (22), no panic.
    const big = run(s.d, ['setsize', 's', String(2 ** 52)]);
    assert.is(big.status, 0, big.stderr);
    assert.match(big.lines[0]!, /^setsize (22|28)$/);
  } finally {
    for (const f of fs.readdirSync(s.d)) fs.rmSync(path.join(s.d, f), { force: true });
  }
});

test('3,000 nested directories: all on disk, and the next run is as quick as any', () => {
  const s = sandbox();
  const r = run(s.d, ['nest', '3000']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['nest 0 3000']);
  const dirs = spawnSync('find', [s.d, '-type', 'd'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout.trim().split('\n');
  assert.is(dirs.length, 3001);
  const next = run(s.d, ['write', 'x', 'hi', 'ls', '.']);
  assert.equal(next.lines, ['write 0 2', 'ls 0 d,x']);
});

test('100,000 small files: a run with --dir on them starts at once; a guest writes many too', () => {
  const s = sandbox();
  // Made here rather than by the guest: quicker on a loaded machine, and it is the start-up that matters.
  for (let k = 0; k < 100000; k++) fs.writeFileSync(path.join(s.d, `f${k}`), `host ${k}`);
  const t = Date.now();
  const first = run(s.d, ['read', 'f99999']);
  console.log(`    (a run with --dir on 100,000 files took ${Date.now() - t} ms, node start included)`);
  assert.equal(first.lines, ['read 0 host 99999']);
  const r = run(s.d, ['read', 'f0', 'many', '2000']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['read 0 host 0', 'many 0 4 2000']);
  assert.is(fs.readdirSync(s.d).length, 100000);
  assert.is(fs.readFileSync(path.join(s.d, 'f1999'), 'utf8'), '1999', 'the guest rewrote f0..f1999 in place');
  assert.is(fs.readFileSync(path.join(s.d, 'f2000'), 'utf8'), 'host 2000');
});

test('symlinks: made and followed inside; "..", absolute paths and links out are refused', () => {
  const s = sandbox();
  fs.writeFileSync(path.join(s.d, 'target.txt'), 'hi');
  fs.symlinkSync('/etc/passwd', path.join(s.d, 'hostabs')); // put there by the host
  fs.symlinkSync('..', path.join(s.d, 'up'));
  fs.symlinkSync(path.join(s.out, 'secret'), path.join(s.d, 'hostout'));
  const r = run(s.d, [
    'symlink', 'target.txt', 'ln', 'read', 'ln', 'readlink', 'ln', 'lstat', 'ln', 'stat', 'ln', 'openl', 'ln',
    'symlink', 'ln', 'chain', 'read', 'chain', 'mkdir', 'sub', 'symlink', '../target.txt', 'sub/back', 'read', 'sub/back',
    'symlink', '../out/secret', 'esc', 'symlink', '/etc', 'etc', 'symlink', '../..', 'sub/up2',
    'read', '../out/secret', 'read', '/etc/passwd', 'read', 'hostabs', 'read', 'hostout', 'read', 'up/out/secret',
    'stat', 'up', 'stat', '..', 'mkdir', '../made', 'write', '../made', 'x', 'rename', 'target.txt', '../stolen',
    'symlink', 'loop2', 'loop1', 'symlink', 'loop1', 'loop2', 'read', 'loop1',
  ]);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, [
    'symlink 0', 'read 0 hi', 'readlink 0 target.txt', 'lstat 0 type 7 size 10 nlink 1', 'stat 0 type 4 size 2 nlink 1', 'openl 32',
    'symlink 0', 'read 0 hi', 'mkdir 0', 'symlink 0', 'read 0 hi',
    'symlink 76', 'symlink 76', 'symlink 76',
    'read 76', 'read 76', 'read 76', 'read 76', 'read 76',
    'stat 76', 'stat 76', 'mkdir 76', 'write 76', 'rename 76',
    'symlink 0', 'symlink 0', 'read 32',
  ]);
  assert.equal(tree(s.d), ['chain -> ln', 'hostabs -> /etc/passwd', `hostout -> ${path.join(s.out, 'secret')}`, 'ln -> target.txt',
    'loop1 -> loop2', 'loop2 -> loop1', 'sub/', 'sub/back -> ../target.txt', 'target.txt = hi', 'up -> ..']);
  assert.equal(fs.readdirSync(s.root).sort(), ['d', 'out']);
  outsideUntouched(s);
});

test('hard links: made inside, same file; none to directories or from outside', () => {
  const s = sandbox();
  fs.writeFileSync(path.join(s.d, 'target.txt'), 'hi');
  const r = run(s.d, ['symlink', 'target.txt', 'ln', 'link', 'target.txt', 'hl', 'stat', 'hl', 'mkdir', 'sub', 'link', 'sub', 'hl2',
    'linkf', 'ln', 'hl3', 'link', 'ln', 'hl4', 'lstat', 'hl4', 'link', '../out/secret', 'hl5', 'append', 'hl', '+x', 'read', 'target.txt']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['symlink 0', 'link 0', 'stat 0 type 4 size 2 nlink 2', 'mkdir 0', 'link 63', 'linkf 0', 'link 0',
    'lstat 0 type 7 size 10 nlink 2', 'link 76', 'append 0 2', 'read 0 hi+x']);
  const ino = (n: string) => fs.lstatSync(path.join(s.d, n)).ino;
  assert.is(ino('hl'), ino('target.txt'));
  assert.is(ino('hl3'), ino('target.txt'), 'linkf follows the symlink');
  assert.is(ino('hl4'), ino('ln'), 'link without follow links the symlink itself');
  outsideUntouched(s);
});

test('fd_readdir with a small buffer lists everything through its cookies', () => {
  const s = sandbox();
  const names = Array.from({ length: 60 }, (_, k) => `n${k}-${'y'.repeat(k % 35)}`); // each entry fits in 64 bytes
  for (const n of names) fs.writeFileSync(path.join(s.d, n), '');
  const r = run(s.d, ['ls', '.']);
  assert.equal(r.lines, [`ls 0 ${[...names].sort().join(',')}`]);
});

test('fd_write with more than IOV_MAX iovecs is EINVAL (4,000,000 of them too), on stdout and on files', () => {
  const s = sandbox();
  const r = run(s.d, ['iov', '1024', 'iov', '1025', 'iov', '4000000']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.lines, ['iov 0 0', 'iov 28 28', 'iov 28 28']);
});

test('random_get of 1 GiB fills guest memory (streamed, no host copy)', () => {
  const r = cli(['run', attack, 'random', String(2 ** 30)]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'random 0 tail-nonzero yes\n');
});

test('poll_oneoff returns every due event: 1,000,000 and 100,000 zero timeouts, and only the due ones', () => {
  const r = cli(['run', attack, 'poll', '1000000', '0', 'poll', '100000', '0', 'pollmix', 'poll', '3', '20000000']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'poll 0 events 1000000 ok\npoll 0 events 100000 ok\npollmix 0 events 3 023\npoll 0 events 3 ok\n');
});

// The wait of poll_oneoff is decided by its first pass: a subscription that
// is due at once (a write on stdout, a bad fd, a bad clock) must not wait
// for a later deadline or for stdin, and a read of stdin that is not ready
// waits for the clock. stdin here is a pipe that stays open and empty for
// the whole run.
test('poll_oneoff returns at once when a subscription is due, and waits on a stdin that is open and empty', async () => {
  const g = startCli(['run', attack, 'pollnow'], { stdin: 'pipe' });
  const { code } = await g.done;
  assert.is(code, 0, g.err());
  assert.is(g.out(), 'pollnow 1:0:0:now 1:0:0:now 1:8:0:now 1:8:0:now 1:8:0:now 1:28:0:now 1:0:1:now\n');
});

test('poll_oneoff waiting on stdin wakes when bytes arrive, before its clock', async () => {
  const g = startCli(['run', attack, 'pollstdin'], { stdin: 'pipe' });
  await g.line(/^polling$/);
  // Half a second later, when the guest is well inside its wait.
  setTimeout(() => g.child.stdin!.write('x\n'), 500);
  const { code } = await g.done;
  assert.is(code, 0, g.err());
  assert.is(g.out(), 'polling\npollstdin 1:0:0:soon\n');
});

// A stop (here --timeout) must end a guest sleeping in poll_oneoff at once,
// not when the supervisor gives up waiting for it (its grace, 30 s here).
test('a guest sleeping in poll_oneoff is stopped at once by a timeout', async () => {
  const t0 = performance.now();
  const outcome = await runGuest({ wasmPath: attack, args: ['attack', 'poll', '1', '60000000000'], env: {}, dirs: [], trace: false },
    { timeoutSeconds: 0.3, graceMs: 30_000 });
  const s = (performance.now() - t0) / 1000;
  assert.is(outcome.kind, 'timeout');
  assert.ok(s < 10, `ended after ${s.toFixed(1)} s`);
});

test('quotas: bytes and files per run, answered with EDQUOT; writes inside the limits pass', () => {
  const s = sandbox();
  fs.writeFileSync(path.join(s.d, 'old'), 'x'.repeat(100));
  const q = cli(['run', '--dir', `${s.d}:/data:bytes=20,files=3`, attack,
    'write', 'a', '12345678', 'write', 'b', '12345678', 'append', 'a', '1234', 'append', 'a', '1',
    'write', 'old', 'shorter', 'write', 'c', '1234567890', 'mkdir', 'm', 'symlink', 'a', 'l']);
  assert.is(q.status, 0, q.stderr);
  assert.equal(q.stdout.trim().split('\n'), [
    'write 0 8', 'write 0 8', 'append 0 4', 'append 19', // 20 bytes used
    'write 0 7', // truncating "old" gave its 100 bytes back
    'write 0 10', 'mkdir 19', 'symlink 19',
  ]);
  const sizes = Object.fromEntries(fs.readdirSync(s.d).map((n) => [n, fs.statSync(path.join(s.d, n)).size]));
  assert.equal(sizes, { a: 12, b: 8, c: 10, old: 7 });
});

test('--dir syntax: HOST[:GUEST[:bytes=SIZE,files=N]], with one-line errors', () => {
  assert.equal(parseDir('/x'), { host: '/x', guest: '/x' });
  assert.equal(parseDir('/x:/data'), { host: '/x', guest: '/data' });
  assert.equal(parseDir('/x:/data:bytes=64K,files=10'), { host: '/x', guest: '/data', quota: { bytes: 65536, files: 10 } });
  assert.equal(parseDir('/x:data:bytes=2G'), { host: '/x', guest: 'data', quota: { bytes: 2 ** 31 } });
  assert.throws(() => parseDir('/x:/d:bytes=lots'), /bytes=lots is not a size/);
  assert.throws(() => parseDir('/x:/d:files=1K'), /files=1K is not a whole number/);
  assert.throws(() => parseDir('/x:/d:bytes=1,inodes=2'), /unknown quota inodes=2/);
  const r = cli(['run', '--dir', '/x:/d:bytes=lots', attack]);
  assert.is(r.status, 2);
  assert.is(r.stderr.trim().split('\n').length, 1);
  const missing = cli(['run', '--dir', '/no/such/dir:/d', attack]);
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /^wasi-sysv: --dir \/no\/such\/dir: not a directory\n$/);
});

test('without --dir a guest has no descriptor 3 at all', () => {
  const r = cli(['run', attack, 'prestat', 'write', 'x', 'y', 'read', 'x']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n'), ['prestat', 'write 8', 'read 8']);
});

test('file calls on stdio get errors from the library, never a host failure; stdio is no preopen', () => {
  const r = cli(['run', attack, 'stdio']);
  assert.is(r.status, 0, r.stderr);
  const errs = r.stdout.trim().split(' ').slice(1).map(Number);
  assert.is(errs.length, 9, r.stdout);
  assert.ok(errs.every((e) => e > 0), `every call failed with an errno: ${r.stdout}`);
  assert.equal(errs.slice(6), [8, 8, 8], 'path_open, fd_prestat_get and fd_prestat_dir_name on fd 1: EBADF');
});

test('a failure inside a host WASI function is a HostFailure (exit 70), never the guest\'s trap', async () => {
  await initWasi();
  const module = await WebAssembly.compile(fs.readFileSync(attack));
  const w = createWasi(module, { args: ['x'], env: {} }, new StopSignal());
  // Not bound to an instance yet: the host function itself fails (no memory).
  const call = () => w.imports['wasi_snapshot_preview1']!['fd_write']!(1, 0, 1, 0);
  assert.throws(call, (e: any) => e instanceof HostFailure && /^host failure in WASI fd_write: TypeError/.test(e.message) && !e.message.includes('\n'));
  w.close();
  // A cause whose message spans lines still makes one line: each line break
  // and the blanks around it become one space, nothing else changes.
  const tail = ' (a bug of wasi-sysv; please report it with the guest)';
  assert.is(new HostFailure('fd_read', new RangeError('first  \n   second\nthird\n\n fourth')).message,
    `host failure in WASI fd_read: RangeError: first second third fourth${tail}`);
  assert.is(new HostFailure('path_open', 'not\nan Error').message, `host failure in WASI path_open: not an Error${tail}`);
});

test.run();
