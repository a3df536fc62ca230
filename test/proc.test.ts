// The proc import module (docs/abi.md, addition 8) with real processes:
// spawn + wait + the exit status, getpid against what the kernel records,
// the --max-procs limit (inherited), which modules may be spawned, bad
// pointers, wait without children, and what becomes of children when their
// parent is stopped or ends. Events are ordered by lines the processes
// print and by the kernel's semaphore state, never by sleeps. Parent and
// child write to one pipe, and a guest's line may reach it in two writes:
// lines are matched without anchors where both may be writing.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { test, cli, guest, startCli, clearIpc } from './helpers.js';
import * as libc from '../host/libc.js';
import { run } from '../host/index.js';

const tool = guest('proc-tool');
test.after.each(clearIpc);

const num = (out: string, what: string): number[] =>
  out.split('\n').filter((l) => l.startsWith(what + ' ')).map((l) => Number(l.split(' ')[1]));

/** Resolves once a process waits in semop on set KEY (the kernel's semncnt says so). */
async function blockedOn(key: number): Promise<number> {
  for (;;) {
    const id = libc.semget(key, 0, 0);
    if (id >= 0 && libc.semctl(id, 0, 14 /* GETNCNT */, 0) >= 1) return id;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A process is gone (reaped; not even a zombie). */
function gone(pid: number): boolean {
  try { process.kill(pid, 0); return false; } catch (e: any) { return e.code === 'ESRCH'; }
}

test('spawn runs a child guest in a new process; wait reaps it with its exit status', () => {
  const r = cli(['run', tool, 'spawn', 'proc-tool.wasm', 'exit', '7']);
  assert.is(r.status, 0, r.stderr);
  const [pid] = num(r.stdout, 'spawn');
  assert.ok(pid! > 0 && pid !== r.pid, `a pid of its own: ${r.stdout}`);
  assert.match(r.stdout, new RegExp(`^wait ${pid} status ${7 << 8}$`, 'm'), 'Linux wait status: exit code << 8');
  // A trapping child's host exits 134, and "" is the parent's own module.
  const t = cli(['run', tool, 'spawn', '', 'trap']);
  assert.match(t.stdout, new RegExp(`^wait \\d+ status ${134 << 8}$`, 'm'), t.stdout + t.stderr);
  assert.match(t.stderr, /trapped: unreachable/);
});

test('getpid is the pid the kernel records (shm_cpid), and the pid spawn returned', () => {
  const r = cli(['run', tool, 'spawn', '', 'getpid', '0x7101']);
  assert.is(r.status, 0, r.stderr);
  const [spawned] = num(r.stdout, 'spawn');
  const [own] = num(r.stdout, 'getpid');
  const [shmid] = num(r.stdout, 'shmget');
  assert.ok(shmid! >= 0, r.stdout);
  const s = new libc.NativeScratch();
  assert.is(libc.shmctl(shmid!, 2, s.addr), 0);
  const cpid = s.view.getInt32(80, true); // glibc shmid_ds.shm_cpid
  assert.is(own, cpid, 'getpid() == shm_cpid of the segment the child made');
  assert.is(spawned, cpid, 'spawn() returned that same pid');
  assert.is.not(cpid, r.pid, 'not the parent\'s pid');
});

test('--max-procs: spawn past the limit of live children gives EAGAIN; children inherit it', () => {
  // Deliberate break: no limit check in ProcState.spawn -> the third spawn
  // succeeds and this fails.
  const r = cli(['run', '--max-procs', '2', tool, 'limit', '2']);
  assert.is(r.status, 0, r.stderr);
  const spawns = num(r.stdout, 'spawn');
  assert.is(spawns.length, 3);
  assert.ok(spawns[0]! > 0 && spawns[1]! > 0, r.stdout);
  assert.is(spawns[2], -11, 'EAGAIN');
  assert.ok(num(r.stdout, 'again')[0]! > 0, 'reaped children no longer count');
  // The child of a --max-procs 1 parent has the limit 1 too.
  const c = cli(['run', '--max-procs', '1', tool, 'spawn', '', 'limit', '1']);
  assert.is(c.status, 0, c.stderr);
  const all = num(c.stdout, 'spawn'); // the parent's one spawn and the child's two
  assert.is(all.length, 3, c.stdout);
  assert.is(all.filter((v) => v === -11).length, 1, `the child's second spawn: EAGAIN\n${c.stdout}`);
  // The embedder's limit (the public API) works the same way.
  return run(tool, { args: ['limit', '1'], maxProcs: 1, stdout: 'ignore', stderr: 'ignore' }).then((res) => assert.is(res.exitStatus, 0));
});

test('only .wasm files inside the parent module\'s directory: EACCES outside, ENOENT when missing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-'));
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'proc-out-'));
  try {
    fs.copyFileSync(tool, path.join(dir, 'p.wasm'));
    fs.copyFileSync(tool, path.join(outside, 'o.wasm'));
    fs.symlinkSync(path.join(outside, 'o.wasm'), path.join(dir, 'escape.wasm'));
    fs.mkdirSync(path.join(dir, 'd.wasm'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.copyFileSync(tool, path.join(dir, 'sub', 's.wasm'));
    fs.writeFileSync(path.join(dir, 'script.sh'), '#!/bin/sh\n');
    const p = path.join(dir, 'p.wasm');
    const spawn = (name: string) => {
      const r = cli(['run', p, 'spawn', name, 'exit', '0']);
      assert.is(r.status, 0, r.stderr);
      return num(r.stdout, 'spawn')[0];
    };
    assert.is(spawn('../' + path.basename(outside) + '/o.wasm'), -13, 'a sibling directory');
    assert.is(spawn(path.join(outside, 'o.wasm')), -13, 'an absolute path outside');
    assert.is(spawn('escape.wasm'), -13, 'a symlink out of the directory');
    assert.is(spawn('script.sh'), -13, 'not a .wasm file');
    assert.is(spawn('/etc/passwd'), -13);
    assert.is(spawn('d.wasm'), -13, 'a directory');
    assert.is(spawn('missing.wasm'), -2, 'ENOENT');
    assert.is(spawn('sub/missing.wasm'), -2, 'ENOENT');
    assert.ok(spawn('sub/s.wasm')! > 0, 'a subdirectory is inside');
    assert.ok(spawn(p)! > 0, 'its own absolute path');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test('bad pointers give EFAULT, an unterminated argument block EINVAL; the host lives on', () => {
  const r = cli(['run', tool, 'bad']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, [
    'path oob -14', 'path huge -14', 'args oob -14', 'args unterminated -22', 'child 1',
    'status oob -14', 'status neg -14', 'null status 1', 'after -10', '',
  ].join('\n'));
});

test('wait without children is ECHILD; a pid that is no child of ours too; bad pid or options EINVAL', () => {
  const r = cli(['run', tool, 'wait-none']);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout, 'any -10\nstranger -10\ngroup -22\noptions -22\n');
});

test('WNOHANG returns 0 while the child lives; wait then reaps it once it ended', () => {
  const r = cli(['run', tool, 'nohang', '0x7102']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /spawned 1\n/);
  assert.match(r.stdout, /nohang 0\n/);
  assert.match(r.stdout, /semop -43/, `the child saw its set removed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^wait \d+ status 0$/m);
});

test('a parent stopped by --timeout while waiting: it ends (124) and its blocked child is stopped and reaped', async () => {
  // Deliberate break: no stopChildren in runner.ts -> the child lives on
  // blocked in semop and `gone` fails.
  // The timeout leaves room for the child's host to start (Node takes a
  // while under load), so that it is stopped while blocked in semop.
  const p = startCli(['run', '--timeout', '5', tool, 'wait-block', '0x7103']);
  const pid = Number(/spawned (\d+)/.exec(await p.line(/spawned \d+/))![1]);
  await blockedOn(0x7103); // the child is in semop
  const { code } = await p.done; // 'close': every writer of the pipe, the child too, is gone
  assert.is(code, 124, p.err());
  assert.ok(gone(pid), `child ${pid} stopped and reaped`);
  assert.match(p.err(), /stopped by SIGTERM/, 'the child was stopped cleanly (its own line)');
});

test('a parent that exits leaves its children running, as a native process does', async () => {
  const p = startCli(['run', tool, 'leave', '0x7104']);
  const pid = Number(/spawned (\d+)/.exec(await p.line(/spawned \d+/))![1]);
  const id = await blockedOn(0x7104);
  if (p.child.exitCode === null) await once(p.child, 'exit');
  assert.is(p.child.exitCode, 0, p.err());
  const state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0];
  assert.ok(state !== 'Z', 'the child still runs after its parent ended');
  // Let it go: remove its set, its semop ends.
  assert.is(libc.semctl(id, 0, 0, 0), 0);
  await p.done;
  assert.match(p.out(), /semop -43/, p.out() + p.err());
});

test('--trace shows spawn and wait', () => {
  const r = cli(['run', '--trace', tool, 'spawn', 'proc-tool.wasm', 'exit', '0']);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /^spawn\("proc-tool\.wasm", \["exit", "0"\]\) = \d+$/m);
  assert.match(r.stderr, /^wait\(\d+, 0x[0-9a-f]+, 0\) = \d+$/m);
});

test.run();
