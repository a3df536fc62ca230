// wasi-sysv lab: the lab file's validation, verdicts, checks, the report and
// the trace, and that a SIGKILLed lab leaves no process and no IPC object.
// Every lab runs for real: its own namespaces, real guests, the real kernel.
import { spawnSync } from 'node:child_process';
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, guest, native, start, test } from './helpers.js';
import { deriveSeed } from '../labs/seeds.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'labs-test-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** Writes a lab file into a fresh directory; returns its path. */
function labFile(lab: unknown, name = 'lab.json'): string {
  const dir = path.join(tmp, `lab${++n}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof lab === 'string' ? lab : JSON.stringify(lab, null, 2));
  return file;
}

/** Runs `wasi-sysv lab ARGS` to completion (with core dumps allowed, so that a lab that lets one happen shows). */
function lab(args: string[]) {
  return spawnSync('prlimit', ['--core=unlimited', '--', process.execPath, CLI, 'lab', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

/** Runs a lab file with --json; returns the exit status and the report. */
function runLab(file: string, extra: string[] = []) {
  const json = path.join(path.dirname(file), 'report.json');
  const r = lab([file, '--json', json, ...extra]);
  const report = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : undefined;
  return { r, report };
}

const misbehave = () => guest('lab-misbehave');
const proc = (report: any, name: string, index = 0) => report.processes.find((p: any) => p.name === name && p.index === index);

test('a wrong lab file: one line per error naming the file, the JSON path and what was expected; exit 2', () => {
  const file = labFile({
    name: 3,
    limits: { wallSeconds: -1, bogus: 1 },
    processes: [{ name: 'a', count: 0 }, { name: 'b', wasm: 'b.wasm', args: [1] }],
    checks: [{ process: 'nope', exit: 0 }, { sem: 'zz', equals: 1 }, {}],
  }, 'bad.json');
  const r = lab([file]);
  assert.is(r.status, 2, r.stderr);
  const lines = r.stderr.trim().split('\n');
  const expect = ['$.name', '$.limits.wallSeconds', '$.limits.bogus', '$.processes[0]:', '$.processes[0].count',
    '$.processes[1].args', '$.checks[0].process', '$.checks[1].sem', '$.checks[2]:'];
  assert.is(lines.length, expect.length, r.stderr);
  for (const p of expect) assert.ok(lines.some((l) => l.startsWith(`${file}: ${p}`) && l.includes('expected')), `no line for ${p}:\n${r.stderr}`);
  assert.is(r.stdout, '');

  const notJson = lab([labFile('{ "name": ')]);
  assert.is(notJson.status, 2);
  assert.match(notJson.stderr, /not valid JSON/);
  assert.is(notJson.stderr.trim().split('\n').length, 1);
});

test('a missing wasm module or native program: one clear line, exit 2', () => {
  const r = lab([labFile({ name: 'm', processes: [{ name: 'g', wasm: 'nothere.wasm' }] })]);
  assert.is(r.status, 2);
  assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /process "g": wasm module .*nothere\.wasm does not exist/);
  const r2 = lab([labFile({ name: 'm', processes: [{ name: 'n', native: ['./nope'] }] })]);
  assert.is(r2.status, 2);
  assert.match(r2.stderr, /process "n": native program .*nope does not exist or is not executable/);
});

test('the counter lab passes: every process ok, every check passes, the report has the issue\'s keys', () => {
  const json = path.join(tmp, 'counter.json');
  const traceDir = path.join(tmp, 'counter-trace');
  const r = lab([path.join(ROOT, 'labs/counter/lab.json'), '--json', json, '--trace', traceDir]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /lab counter: PASS/);
  const report = JSON.parse(fs.readFileSync(json, 'utf8'));
  for (const k of ['lab', 'verdict', 'processes', 'checks', 'deadlock', 'ipc']) assert.ok(k in report, `report lacks ${k}`);
  assert.is(report.lab, 'counter');
  assert.is(report.verdict, 'pass');
  assert.is(report.processes.length, 4);
  for (const p of report.processes) {
    for (const k of ['name', 'index', 'pid', 'verdict', 'exit', 'wallMs', 'cpuMs', 'peakPages', 'calls']) assert.ok(k in p, `process lacks ${k}`);
    assert.is(p.verdict, 'ok');
    assert.is(p.exit, 0);
    assert.ok(p.cpuMs > 0 && p.wallMs > 0);
  }
  // Each worker: 2 semops for the barrier, then P and V around each of its 1000 increments.
  assert.ok(report.processes.filter((p: any) => p.name === 'worker').every((p: any) => p.calls >= 2002), JSON.stringify(report.processes));
  assert.is(report.checks.length, 4);
  for (const c of report.checks) {
    for (const k of ['check', 'pass', 'why']) assert.ok(k in c);
    assert.ok(c.pass, JSON.stringify(c));
  }
  assert.match(report.checks[3].why, /counter = 3000/);
  assert.is(report.deadlock, null);
  // What is left at the end, read inside the lab's namespace.
  assert.equal(report.ipc.shm.map((s: any) => [s.key, s.size]), [[0x1ab0, 4096]]);
  assert.equal(report.ipc.sem.map((s: any) => [s.key, s.sems.map((x: any) => x.value)]), [[0x1ab0, [1, 0]]]);
  // ... and nothing of it here.
  assert.not.ok(fs.readFileSync('/proc/sysvipc/sem', 'utf8').includes(String(0x1ab0)));

  // The merged trace: every guest's calls, strace-style with pid and time, in time order.
  const lines = fs.readFileSync(path.join(traceDir, 'trace.txt'), 'utf8').trim().split('\n');
  const total = report.processes.reduce((s: number, p: any) => s + p.calls, 0);
  assert.is(lines.length, total);
  const pids = new Set(report.processes.map((p: any) => String(p.pid)));
  let last = 0;
  for (const l of lines) {
    const m = /^(\d+)\s+(\d+\.\d{6}) ((?:sem|shm)\w+\(.*\) = .*)$/.exec(l);
    assert.ok(m, `not a trace line: ${l}`);
    assert.ok(pids.has(m![1]!), `unknown pid in ${l}`);
    assert.ok(Number(m![2]) >= last);
    last = Number(m![2]);
  }
  assert.ok(lines.some((l) => /semget\(0x1ab0, 2, IPC_CREAT\|IPC_EXCL\|0600\) = \d+$/.test(l)));
});

test('the broken counter (no mutex) fails its checker, and only that check', () => {
  const json = path.join(tmp, 'broken.json');
  const r = lab([path.join(ROOT, 'labs/counter/broken.json'), '--json', json]);
  assert.is(r.status, 1, r.stdout + r.stderr);
  const report = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.is(report.verdict, 'fail');
  assert.equal(report.checks.map((c: any) => c.pass), [true, true, true, false]);
  const m = /^exit 1: counter = (\d+), expected 300000$/.exec(report.checks[3].why);
  assert.ok(m && Number(m[1]) < 300000, report.checks[3].why);
});

test('a failing check fails the lab (exit 1) and says why', () => {
  const file = labFile({
    name: 'f',
    processes: [{ name: 'g', wasm: misbehave(), args: ['exit', '3'] }],
    checks: [{ process: 'g', exit: 0 }, { process: 'g', exit: 3 }, { process: 'g', stdout: 'hello' }, { ipcEmpty: true }],
  });
  const { r, report } = runLab(file);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.is(report.verdict, 'fail');
  assert.equal(report.checks.map((c: any) => c.pass), [false, true, false, true]);
  assert.match(report.checks[0].why, /g\[0\]: exit 3/);
  assert.is(proc(report, 'g').verdict, 'exit');
  assert.is(proc(report, 'g').exit, 3);
  assert.match(r.stdout, /FAIL  g exits 0/);
});

test('verdicts: trap (message and function), output, CPU timeout, wall timeout, env only from the lab', () => {
  const file = labFile({
    name: 'v',
    limits: { wallSeconds: 20, cpuSeconds: 1, outputBytes: 2000 },
    env: { LAB_VAR: 'x1' },
    processes: [
      { name: 'trap', wasm: misbehave(), args: ['trap'] },
      { name: 'flood', wasm: misbehave(), args: ['flood'] },
      { name: 'spin', wasm: misbehave(), args: ['spin'] },
      { name: 'env', wasm: misbehave(), args: ['env'] },
      { name: 'nenv', native: ['/usr/bin/env'] },
    ],
    checks: [{ process: 'env', stdout: 'LAB_VAR=x1' }],
  });
  const { r, report } = runLab(file);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const trap = proc(report, 'trap');
  assert.is(trap.verdict, 'trap');
  assert.is(trap.exit, 134);
  // The message and the guest function the CLI names (deepTrouble is inlined into start).
  assert.match(trap.why, /^unreachable \(in start:test\/guests\/lab-misbehave\)$/);
  assert.is(proc(report, 'flood').verdict, 'output');
  assert.ok(proc(report, 'flood').stdout.length <= 2000);
  const spin = proc(report, 'spin');
  assert.is(spin.verdict, 'timeout');
  assert.match(spin.why, /CPU/);
  // RLIMIT_CPU and rusage account CPU time differently: near 1 s, not exactly.
  assert.ok(spin.cpuMs >= 800, String(spin.cpuMs));
  // SIGXCPU dumps core by default: lab-exec sets RLIMIT_CORE 0, so no core file lands in the lab's directory.
  assert.equal(fs.readdirSync(path.dirname(file)).filter((f) => f.startsWith('core')), []);
  assert.is(proc(report, 'env').stdout, 'LAB_VAR=x1\nenv end\n');
  assert.is(proc(report, 'nenv').stdout, 'LAB_VAR=x1\n');

  const wall = labFile({ name: 'w', limits: { wallSeconds: 2, deadlockGraceSeconds: 60 }, processes: [{ name: 'hold', wasm: misbehave(), args: ['hold'] }] });
  const w = runLab(wall);
  assert.is(w.r.status, 0, w.r.stdout + w.r.stderr);
  assert.is(proc(w.report, 'hold').verdict, 'timeout');
  assert.match(proc(w.report, 'hold').why, /wall time/);
  assert.is(w.report.ipc.sem[0].key, 0x7a11);
  assert.is(w.report.ipc.sem[0].sems[0].ncnt, 0); // read after the holder was stopped
});

test('the IPC limits are written into the lab\'s own namespace, not this one', () => {
  const mine = fs.readFileSync('/proc/sys/kernel/sem', 'utf8');
  const file = labFile({
    name: 'l',
    limits: { semmsl: 7, semmns: 70, semopm: 5, semmni: 3, shmmni: 4, shmmaxBytes: 65536, shmallPages: 100 },
    processes: [
      { name: 'sem', native: ['/bin/cat', '/proc/sys/kernel/sem'] },
      { name: 'shm', native: ['/bin/sh', '-c', 'cat /proc/sys/kernel/shmmni /proc/sys/kernel/shmmax /proc/sys/kernel/shmall'] },
    ],
    checks: [{ process: 'sem', stdout: '7\t70\t5\t3' }, { process: 'shm', stdout: '4\n65536\n100\n' }],
  });
  const { r, report } = runLab(file);
  assert.is(r.status, 0, r.stdout + r.stderr + JSON.stringify(report?.checks));
  assert.is(fs.readFileSync('/proc/sys/kernel/sem', 'utf8'), mine);

  // The kernel enforces them: a guest calling shmget in a loop gets ENOSPC (28) at shmmni,
  // while a lab next to it is unharmed.
  const hog = labFile({
    name: 'h', limits: { shmmni: 5 },
    processes: [{ name: 'hog', wasm: misbehave(), args: ['shmloop'] }],
    checks: [{ process: 'hog', stdout: 'made 5 segments, then errno 28' }],
  });
  const h = runLab(hog);
  assert.is(h.r.status, 0, h.r.stdout + h.r.stderr);
  assert.is(h.report.ipc.shm.length, 5);
});

test('deadlock: guests and a native program all waiting in semop are stopped, with the wait-for picture', () => {
  const file = labFile({
    name: 'd', limits: { wallSeconds: 30 },
    processes: [
      { name: 'hold', wasm: misbehave(), args: ['hold'], count: 2 },
      { name: 'nat', native: [native('lab-semwait')] },
    ],
    checks: [{ process: 'hold', exit: 0 }],
  });
  const { r, report } = runLab(file);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.is(report.verdict, 'deadlock');
  for (const p of report.processes) assert.is(p.verdict, 'deadlock', JSON.stringify(p));
  const d = report.deadlock;
  assert.is(d.processes.length, 3);
  for (const p of d.processes) {
    assert.is(p.key, 0x7a11);
    assert.equal(p.ops, [{ num: 0, op: -1, flg: 0 }]);
    assert.is(p.pid, proc(report, p.name, p.index).pid);
  }
  assert.is(d.sets.length, 1);
  assert.equal(d.sets[0].sems.map((x: any) => [x.value, x.ncnt, x.zcnt]), [[0, 3, 0]]);
  assert.match(r.stdout, /deadlock: every live process has waited in semop/);
  assert.match(r.stdout, /nat\[0\] \(pid \d+\) waits on set 0x7a11 \(id \d+\): sem 0 -1/);
  assert.match(r.stdout, /lab d: DEADLOCK/);
});

/** pid -> [ppid, start time] of every process now. */
function table(): Map<number, [number, string]> {
  const out = new Map<number, [number, string]>();
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
      out.set(Number(d), [Number(f[1]), f[19]!]);
    } catch { /* gone */ }
  }
  return out;
}

function descendants(root: number): Array<[number, string]> {
  const t = table();
  const out: Array<[number, string]> = [];
  const walk = (p: number) => { for (const [pid, [ppid, st]] of t) if (ppid === p) { out.push([pid, st]); walk(pid); } };
  walk(root);
  return out;
}

const nsOf = (pid: number, ns: string) => { try { return fs.readlinkSync(`/proc/${pid}/ns/${ns}`); } catch { return undefined; } };

async function until(what: string, cond: () => boolean, ms = 20_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('SIGKILL of the lab leaves no process and no IPC object', async () => {
  const file = labFile({
    name: 'k', limits: { wallSeconds: 60 },
    processes: [
      { name: 'hold', wasm: misbehave(), args: ['hold'], count: 2 },
      { name: 'sleep', native: ['/bin/sleep', '1000'] },
    ],
  });
  const run = start(process.execPath, [CLI, 'lab', file]);
  const outer = run.child.pid!;
  // Ready when the holders' semaphore set exists in the lab's namespace and both wait on it.
  let labNs: string | undefined;
  let labPidNs: string | undefined;
  let holder = 0;
  await until('the holders to block', () => {
    const procs = descendants(outer);
    const host = nsOf(process.pid, 'ipc');
    const inLab = procs.find(([p]) => { const ns = nsOf(p, 'ipc'); return ns !== undefined && ns !== host; });
    if (!inLab) return false;
    holder = inLab[0];
    labNs = nsOf(holder, 'ipc');
    labPidNs = nsOf(holder, 'pid_for_children');
    // lab-ipc, inside the lab's IPC namespace: both holders wait on the set (semncnt 2).
    const r = spawnSync('nsenter', ['-t', String(holder), '--ipc', path.join(ROOT, 'build/labs/lab-ipc')], { encoding: 'utf8' });
    if (r.status !== 0) return false;
    const set = JSON.parse(r.stdout).sem.find((x: any) => x.key === 0x7a11);
    return set?.sems[0].ncnt === 2;
  });
  const before = descendants(outer);
  assert.ok(before.length >= 6, `expected setpriv/unshare, the supervisor, lab-execs and their programs: ${before}`);
  // Isolation: the lab's objects are not in this namespace.
  assert.not.ok(fs.readFileSync('/proc/sysvipc/sem', 'utf8').includes(String(0x7a11)));

  process.kill(outer, 'SIGKILL');
  const end = await run.done;
  assert.is(end.signal, 'SIGKILL');
  await until('every process of the lab to be gone', () => {
    const now = table();
    return before.every(([pid, st]) => now.get(pid)?.[1] !== st);
  }, 10_000);
  // No process is left in the lab's IPC namespace, so the kernel has freed it with every object in it.
  const now = table();
  // (The kernel reuses a freed namespace's inode number, and other programs on
  // this machine make namespaces all the time: a holder must be in both of the lab's.)
  const holders = [...now.keys()].filter((p) => nsOf(p, 'ipc') === labNs && nsOf(p, 'pid') === labPidNs);
  const cmd = (p: number) => { try { return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').replaceAll('\0', ' '); } catch { return '?'; } };
  assert.equal(holders.map(cmd), [], 'a process still holds the lab\'s IPC namespace');
  assert.not.ok(fs.readFileSync('/proc/sysvipc/sem', 'utf8').includes(String(0x7a11)));
});

test('Ctrl-C (SIGINT) stops the lab: every process killed, the report written, exit 130, nothing left', async () => {
  const file = labFile({
    name: 'c', limits: { wallSeconds: 60, deadlockGraceSeconds: 60 },
    processes: [{ name: 'hold', wasm: misbehave(), args: ['hold'] }, { name: 'sleep', native: ['/bin/sleep', '1000'] }],
  });
  const json = path.join(path.dirname(file), 'report.json');
  const run = start(process.execPath, [CLI, 'lab', file, '--json', json]);
  const outer = run.child.pid!;
  const host = nsOf(process.pid, 'ipc');
  await until('the holder to block', () => {
    const inLab = descendants(outer).find(([p]) => { const ns = nsOf(p, 'ipc'); return ns !== undefined && ns !== host; });
    if (!inLab) return false;
    const r = spawnSync('nsenter', ['-t', String(inLab[0]), '--ipc', path.join(ROOT, 'build/labs/lab-ipc')], { encoding: 'utf8' });
    return r.status === 0 && JSON.parse(r.stdout).sem.find((x: any) => x.key === 0x7a11)?.sems[0].ncnt === 1;
  });
  const before = descendants(outer);
  process.kill(outer, 'SIGINT');
  const end = await run.done;
  assert.is(end.code, 130, run.out() + run.err());
  const report = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.is(report.verdict, 'error');
  assert.is(report.why, 'stopped by SIGINT');
  assert.equal(report.processes.map((p: any) => p.verdict), ['killed', 'killed']);
  const now = table();
  assert.ok(before.every(([pid, st]) => now.get(pid)?.[1] !== st), 'a process of the lab survived');
});

test('limits.memoryPages: a guest growing its memory past it gets -1 from memory.grow (the limit is its own, per process)', () => {
  // Break: drop --memory-pages from labs/lab.ts -> the growth succeeds and the stdout check fails.
  const file = labFile({
    name: 'pages', limits: { memoryPages: 64 },
    processes: [{ name: 'g', wasm: guest('shm-tool'), args: ['grow', '1', 'grow', '10000'] }],
    checks: [{ process: 'g', stdout: 'grow -1' }, { process: 'g', exit: 0 }],
  });
  const { r, report } = runLab(file);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.ok(report.checks.every((c: any) => c.pass), JSON.stringify(report.checks));
});

test('race hunting: the broken counter fails within 3 perturbed runs; the report lists the failing seeds and how to replay', () => {
  const json = path.join(tmp, 'race-broken.json');
  const r = lab([path.join(ROOT, 'labs/counter/broken.json'), '--runs', '3', '--seed', '41', '--json', json]);
  assert.is(r.status, 1, r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(rep.runs.map((x: any) => x.seed), [41, 42, 43]);
  const failing = rep.runs.filter((x: any) => x.verdict === 'fail');
  assert.ok(failing.length >= 1, JSON.stringify(rep.runs));
  for (const x of failing) assert.equal(x.failedChecks, ['command check.wasm 300000']);
  assert.is(rep.summary.runs, 3);
  assert.is(rep.summary.failed, failing.length);
  assert.equal(rep.summary.failingSeeds, failing.map((x: any) => x.seed));
  assert.equal(rep.summary.checks, [{ check: 'command check.wasm 300000', failed: failing.length, seeds: rep.summary.failingSeeds }]);
  assert.match(rep.summary.replay, new RegExp(`--runs 1 --seed ${failing[0].seed}$`));
  assert.match(r.stdout, new RegExp(`FAIL in ${failing.length} of 3 run\\(s\\): command check.wasm 300000 \\(seeds ${rep.summary.failingSeeds.join(' ')}\\)`));
  assert.match(r.stdout, /lab counter-broken: \d of 3 run\(s\) failed; replay one: wasi-sysv lab .*broken.json --runs 1 --seed \d+/);
});

test('race hunting: the correct counter passes every perturbed run', () => {
  const json = path.join(tmp, 'race-ok.json');
  const r = lab([path.join(ROOT, 'labs/counter/lab.json'), '--runs', '3', '--seed', '7', '--json', json]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(rep.runs.map((x: any) => [x.seed, x.verdict, x.failedChecks]), [[7, 'pass', []], [8, 'pass', []], [9, 'pass', []]]);
  assert.equal(rep.summary.failingSeeds, []);
  assert.is(rep.summary.replay, null);
  assert.match(r.stdout, /lab counter: 0 of 3 run\(s\) failed/);
});

test('race hunting: --runs 1 --seed X replays run X: every wasm instance gets the seed derived from X, its name and index', () => {
  const json = path.join(tmp, 'race-replay.json');
  const r = lab([path.join(ROOT, 'labs/counter/lab.json'), '--runs', '1', '--seed', '4000000000', '--json', json]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  const rep = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.is(rep.seed, 4000000000);
  assert.is(rep.processes.length, 4);
  for (const p of rep.processes) assert.is(p.perturbSeed, deriveSeed(4000000000, p.name, p.index), `${p.name}[${p.index}]`);
  assert.is(new Set(rep.processes.map((p: any) => p.perturbSeed)).size, 4);
  // A native program is not perturbed: its calls do not pass through the host.
  const plain = runLab(labFile({ name: 'plain', processes: [{ name: 'n', native: ['/bin/true'] }], checks: [] }), ['--seed', '3']);
  assert.is(plain.report.seed, 3);
  assert.is(plain.report.processes[0].perturbSeed, null, 'native programs are not perturbed');
});

test('race hunting: a bad --runs or --seed is one line and exit 2', () => {
  for (const [flag, v] of [['--runs', '0'], ['--runs', 'x'], ['--seed', '-1'], ['--seed', '4294967296']] as const) {
    const r = lab([path.join(ROOT, 'labs/counter/lab.json'), flag, v]);
    assert.is(r.status, 2, `${flag} ${v}`);
    assert.match(r.stderr, new RegExp(`${flag} needs a whole number`));
  }
});

test.run();
