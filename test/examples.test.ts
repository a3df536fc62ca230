// The examples, run as users run them: two guest processes, or a guest and
// a native C program, on one key; the counter that spawns its own child. Built by `npm run build`.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test, ROOT, cli, start, startCli, clearIpc, native, ipcsRows, checkDbufPairs } from './helpers.js';

const wasm = (n: string) => path.join(ROOT, 'build/examples', `${n}.wasm`);
const nat = (n: string) => path.join(ROOT, 'build/native', n);
const values = (out: string, prefix: string) =>
  out.split('\n').filter((l) => l.startsWith(prefix)).map((l) => Number(l.slice(prefix.length)));
test.after.each(clearIpc);

// counter-show --until 3 ends when it has shown 3 (and exits 1 if its
// rounds run out first): the test's order comes from the value itself, not
// from how long each side sleeps.
test('counter: one guest shows the int of key 1234 while another increments it', async () => {
  const show = startCli(['run', wasm('counter-show'), '--until', '3', '--count', '2000', '--interval', '10']);
  await show.line(/^show -> /);
  const inc = cli(['run', wasm('counter-inc'), '--count', '3', '--interval', '50']);
  assert.is(inc.status, 0, inc.stderr);
  assert.equal(values(inc.stdout, 'inc -> '), [1, 2, 3]);
  assert.is((await show.done).code, 0, show.err());
  const shown = values(show.out(), 'show -> ');
  assert.is(shown[0], 0);
  assert.is(shown[shown.length - 1], 3, show.out());
  assert.ok(shown.every((v, i) => i === 0 || v >= shown[i - 1]!), 'never goes back');
});

test('counter: one program that spawns its child, like the forked C original', () => {
  // The parent waits for its child before it prints the final value: the
  // order comes from wait, not from the intervals.
  const r = cli(['run', wasm('counter'), '--key', '4330', '--count', '3', '--interval', '20']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(values(r.stdout, 'child '), [2, 3, 4], r.stdout);
  assert.match(r.stdout, /^final 4$/m, 'the parent sees all three increments after wait');
  const shown = r.stdout.split('\n').filter((l) => /^\d+$/.test(l)).map(Number);
  assert.is(shown.length, 3, r.stdout);
  assert.ok(shown.every((v) => v >= 1 && v <= 4), r.stdout);
  assert.ok(!ipcsRows('-m').some((l) => l.startsWith('0x000010ea')), 'the parent removed the segment it created');
});

test('counter-show --until exits 1 when the value never comes', () => {
  // Deliberate break 4b (docs/mutation.md): host/cli.ts returns 0 for any
  // guest exit -> fails.
  const r = cli(['run', wasm('counter-show'), '--key', '4323', '--until', '5', '--count', '3', '--interval', '1']);
  assert.is(r.status, 1, r.stdout + r.stderr);
  assert.equal(values(r.stdout, 'show -> '), [0, 0, 0]);
  assert.match(r.stderr, /never saw 5 in 3 rounds/);
});

test('counter: a native peer increments what a guest shows', async () => {
  const show = startCli(['run', wasm('counter-show'), '--key', '4321', '--until', '3', '--count', '2000', '--interval', '10']);
  await show.line(/^show -> /);
  const peer = spawnSync(nat('counter-peer'), ['--key', '4321', '--count', '3', '--interval', '50'], { encoding: 'utf8', timeout: 30_000 });
  assert.is(peer.status, 0, peer.stderr);
  assert.equal(values(peer.stdout, 'peer -> '), [1, 2, 3]);
  assert.is((await show.done).code, 0, show.err());
  const shown = values(show.out(), 'show -> ');
  assert.is(shown[shown.length - 1], 3, show.out());
});

test('counter: the seed\'s forked C program and a guest increment the same int', async () => {
  // The test creates the segment, so the C program (which removes only a
  // segment it created) leaves it behind with the final count: its own
  // 1 + 8 and the guest's 3, whenever each of them ran.
  assert.match(spawnSync(native('shm-tool'), ['create', '4322', '4'], { encoding: 'utf8', timeout: 30_000 }).stdout, /^id \d+/);
  const c = start(nat('counter'), ['--key', '4322', '--count', '8', '--interval', '50']);
  await c.line(/^child /);
  const inc = cli(['run', wasm('counter-inc'), '--key', '4322', '--count', '3', '--interval', '50']);
  assert.is(inc.status, 0, inc.stderr);
  assert.is((await c.done).code, 0, c.err());
  const seenByGuest = values(inc.stdout, 'inc -> ');
  assert.ok(seenByGuest[0]! > 2, `the guest starts from the C program's value: ${seenByGuest}`);
  const final = spawnSync(native('shm-tool'), ['open', '4322', 'attach', 'read', '0'], { encoding: 'utf8', timeout: 30_000 });
  assert.match(final.stdout, /read 12\n/, 'C\'s 1 + 8 and the guest\'s 3 increments, in one int');
});

test('double buffer: wasm and native writers and readers interoperate, checksums agree', async () => {
  const pairs: Array<[string, string[], string[]]> = [
    ['wasm -> wasm', [process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'run', wasm('dbuf-writer')], [process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'run', wasm('dbuf-reader')]],
    ['wasm -> native', [process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'run', wasm('dbuf-writer')], [nat('dbuf-reader')]],
    ['native -> wasm', [nat('dbuf-writer')], [process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'run', wasm('dbuf-reader')]],
  ];
  await checkDbufPairs(pairs, 0x5160);
});

test('a guest written only against abi.md, with its own imports, works', () => {
  const r = cli(['run', wasm('abi-only')]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /abi-only ok/);
});

test('the library self-test passes against the live host', () => {
  const r = cli(['run', wasm('selftest')]);
  assert.is(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /selftest ok/);
});

test('a guest outside the repo imports the library by package path', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-pkg-'));
  fs.mkdirSync(path.join(dir, 'node_modules/@assemblyscript'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules/wasi-sysv'));
  fs.symlinkSync(path.join(ROOT, 'node_modules/@assemblyscript/wasi-shim'), path.join(dir, 'node_modules/@assemblyscript/wasi-shim'));
  fs.writeFileSync(path.join(dir, 'asconfig.json'), '{ "extends": "./node_modules/@assemblyscript/wasi-shim/asconfig.json" }');
  fs.writeFileSync(path.join(dir, 'guest.ts'), [
    'import { Segment, IPC_PRIVATE } from "wasi-sysv/assembly";',
    'const seg = Segment.create(IPC_PRIVATE, 4096, 0o600);',
    'const w = seg.attach();',
    'w.storeI32(0, 41);',
    'console.log("package import " + (w.loadI32(0) + 1).toString());',
    'w.detach();',
    'seg.remove();',
  ].join('\n'));
  const asc = spawnSync(path.join(ROOT, 'node_modules/.bin/asc'), ['guest.ts', '--config', 'asconfig.json', '-o', 'guest.wasm'],
    { cwd: dir, encoding: 'utf8' });
  assert.is(asc.status, 0, asc.stderr);
  const r = cli(['run', path.join(dir, 'guest.wasm')]);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /package import 42/);
});

test.run();
