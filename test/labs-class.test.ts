// wasi-sysv lab --submissions DIR --jobs J (a class at once) and the lab's
// `dirs` (host directories for guests). Real labs in real namespaces.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import { guest, test } from './helpers.js';
import { COUNTER, lab, labDir, proc, runLab } from './lab-run.js';

const dir = labDir('labs-class-');
test.after(() => dir.remove());

test('--submissions: one lab per student folder, sorted by name; pass, fail, a missing module and a broken one each get their verdict', () => {
  // Break: make forStudent (labs/class.ts) return the lab as is -> every student runs the lab's own modules and passes.
  const subs = path.join(dir.tmp, 'subs');
  const put = (student: string, files: Record<string, string>) => {
    fs.mkdirSync(path.join(subs, student), { recursive: true });
    for (const [name, from] of Object.entries(files)) {
      if (from === '') fs.writeFileSync(path.join(subs, student, name), 'not wasm at all');
      else fs.copyFileSync(from, path.join(subs, student, name));
    }
  };
  const init = path.join(COUNTER, 'init.wasm');
  put('student10', { 'init.wasm': init, 'worker.wasm': path.join(COUNTER, 'worker.wasm') });
  put('student2', { 'init.wasm': init, 'worker.wasm': guest('lab-misbehave') }); // a usage error: exits 2
  put('Carol', { 'init.wasm': init });
  put('dave', { 'init.wasm': init, 'worker.wasm': '' });
  fs.mkdirSync(path.join(subs, '.git'));
  fs.writeFileSync(path.join(subs, 'notes.txt'), 'not a student');
  const json = path.join(dir.tmp, 'class.json');
  const r = lab([path.join(COUNTER, 'lab.json'), '--submissions', subs, '--jobs', '2', '--json', json]);
  assert.is(r.status, 1, r.stdout + r.stderr);
  const c = JSON.parse(fs.readFileSync(json, 'utf8'));
  assert.equal(c.students.map((s: any) => [s.student, s.verdict]),
    [['Carol', 'error'], ['dave', 'error'], ['student2', 'fail'], ['student10', 'pass']]);
  assert.equal(c.summary, { students: 4, pass: 1, fail: 1, deadlock: 0, error: 2 });
  assert.equal(c.checks, ['worker exits 0', 'worker prints "done"', 'sem 0x1ab0[0] == 1', 'command check.wasm 3000']);
  const [carol, dave, s2, s10] = c.students;
  assert.is(carol.why, 'worker.wasm is missing from the student\'s folder (process "worker")');
  assert.match(dave.why, /^worker\[0\], worker\[1\], worker\[2\]: .*dave\/worker\.wasm is not a valid WebAssembly module/);
  assert.equal(s2.checks.map((x: any) => x.pass), [false, false, true, false]);
  assert.equal(s10.checks.map((x: any) => x.pass), [true, true, true, true]);
  assert.is(s10.processes.length, 4);
  // The table: a row per student in that order, a column per check, the legend, the counts.
  const rows = r.stdout.split('\n');
  assert.match(rows[0]!, /^student\s+verdict\s+1\s+2\s+3\s+4\s+why$/);
  assert.match(rows[1]!, /^Carol\s+error\s+-\s+-\s+-\s+-\s+worker\.wasm is missing/);
  assert.match(rows[3]!, /^student2\s+fail\s+FAIL FAIL PASS FAIL\s+worker exits 0: /);
  assert.match(rows[4]!, /^student10\s+pass\s+PASS PASS PASS PASS\s*$/);
  assert.match(r.stdout, /check 4: command check\.wasm 3000\n/);
  assert.match(r.stdout, /class counter: 4 student\(s\): 1 pass, 1 fail, 0 deadlock, 2 error\n$/);
  // Progress: one line per student as each ends.
  assert.is(r.stderr.split('\n').filter((l) => /^wasi-sysv lab: \[\d\/4\] \S+: /.test(l)).length, 4, r.stderr);
});

test('--jobs 2 runs two students at once (each waits until both have started), --jobs 1 one at a time', () => {
  // Each student's lab makes an entry in a shared folder and waits until there are two:
  // it passes only when two students run at the same time.
  const file = dir.file({
    name: 'meet', limits: { wallSeconds: 8 }, env: { PATH: '/usr/bin:/bin' },
    processes: [{ name: 'meet', native: ['/bin/sh', '-c', 'mktemp -p meet >/dev/null && while [ $(ls meet | wc -l) -lt 2 ]; do sleep 0.05; done; echo met'] }],
    checks: [{ process: 'meet', stdout: 'met' }],
  }, ['meet', 'subs/a', 'subs/b']);
  const subs = path.join(path.dirname(file), 'subs');
  const two = lab([file, '--submissions', subs, '--jobs', '2']);
  assert.is(two.status, 0, two.stdout + two.stderr);
  fs.rmSync(path.join(path.dirname(file), 'meet'), { recursive: true });
  fs.mkdirSync(path.join(path.dirname(file), 'meet'));
  const one = lab([file, '--submissions', subs, '--jobs', '1']);
  assert.is(one.status, 1, one.stdout + one.stderr);
  assert.match(one.stdout, /^a\s+fail\s+FAIL/m);
});

test('--submissions: bad usage is one line and exit 2', () => {
  const r1 = lab([path.join(COUNTER, 'lab.json'), '--jobs', '2']);
  assert.is(r1.status, 2);
  assert.match(r1.stderr, /^wasi-sysv lab: --jobs goes with --submissions DIR\n/);
  const r2 = lab([path.join(COUNTER, 'lab.json'), '--submissions', path.join(dir.tmp, 'nowhere')]);
  assert.is(r2.status, 2);
  assert.match(r2.stderr, /--submissions .*nowhere: not a directory/);
  const r3 = lab([path.join(COUNTER, 'lab.json'), '--submissions', COUNTER, '--runs', '3']);
  assert.is(r3.status, 2);
});

test('dirs: the lab\'s directories for every guest, a process\'s own for it; read-only ones refuse writes (EROFS); no dirs, no host files', () => {
  // Break: drop the --dir options in labs/lab.ts startInstance -> readfile fails; drop ":ro" -> the write lands.
  const tool = guest('shm-tool');
  const file = dir.file({
    name: 'dirs', dirs: [{ host: 'data', guest: '/data', readOnly: true }],
    processes: [
      // (After a failed open shm-tool goes on with the next word: the text is left out.)
      { name: 'ro', wasm: tool, args: ['readfile', 'in.txt', 'writefile', 'in.txt'] },
      { name: 'ro2', wasm: tool, args: ['writefile', 'x.txt'] },
      { name: 'rw', wasm: tool, args: ['writefile', 'made.txt', 'by the guest'], dirs: [{ host: 'out', guest: '/out' }] },
    ],
    checks: [],
  }, ['data', 'out']);
  const base = path.dirname(file);
  fs.writeFileSync(path.join(base, 'data/in.txt'), 'hello');
  const { r, report } = runLab(file);
  assert.is(r.status, 0, r.stdout + r.stderr);
  // WASI errno 69 is EROFS.
  assert.is(proc(report, 'ro').stdout, 'file hello\nwritefile error 69\n');
  assert.is(proc(report, 'ro2').stdout, 'writefile error 69\n');
  assert.is(fs.readFileSync(path.join(base, 'data/in.txt'), 'utf8'), 'hello');
  assert.not.ok(fs.existsSync(path.join(base, 'data/x.txt')));
  assert.is(proc(report, 'rw').stdout, 'wrote file 0\n');
  assert.is(fs.readFileSync(path.join(base, 'out/made.txt'), 'utf8'), 'by the guest');

  // Without dirs a guest has no preopened directory: nothing of the host to open.
  const none = dir.file({ name: 'nodirs', processes: [{ name: 'g', wasm: tool, args: ['readfile', '/etc/passwd'] }] });
  const n = runLab(none);
  assert.is(n.r.status, 0, n.r.stdout + n.r.stderr);
  assert.match(proc(n.report, 'g').stdout, /^readfile error \d+\n$/);
});

test('dirs: a bad entry is one line naming its JSON path; a missing directory is one line; exit 2', () => {
  const bad = dir.file({
    name: 'b', dirs: [{ host: 5, guest: '/d' }, { host: 'x', guest: 'a:b', readOnly: 'yes' }],
    processes: [{ name: 'n', native: ['/bin/true'], dirs: [] }],
  });
  const r = lab([bad]);
  assert.is(r.status, 2);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.some((l) => /lab\.json: \$\.dirs\[0\]\.host: expected a directory path .*got 5$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /\$\.dirs\[1\]\.guest: expected the name the guest sees/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /\$\.dirs\[1\]\.readOnly: expected true or false, got "yes"$/.test(l)), r.stderr);
  assert.ok(lines.some((l) => /\$\.processes\[0\]\.dirs: expected dirs only on a wasm process/.test(l)), r.stderr);
  const missing = dir.file({ name: 'm', dirs: [{ host: 'nope', guest: '/nope' }], processes: [{ name: 'n', native: ['/bin/true'] }] });
  const m = lab([missing]);
  assert.is(m.status, 2);
  assert.match(m.stderr, /^.*lab\.json: dirs: .*nope is not a directory\n$/);
});

test.run();
