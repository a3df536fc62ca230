// The public API (host/index.ts) as an embedder uses it: outcomes and their
// exit statuses, stdio to fds, streams and callbacks across the worker
// thread (no byte lost, a slow consumer slows the guest, a stop still ends
// it), stdin from bytes, a file or an fd, the output limit, the trace
// callback, timeouts and aborts, and the conformance suite from JS.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { run, runConformance, signalStatus } from '../host/index.js';
import { guest, test } from './helpers.js';
import { ipcScope } from './ipc-scope.js';

const tool = guest('shm-tool');
const io = guest('stdio-tool');
let cleanup = () => {};
test.before.each(() => { cleanup = ipcScope(); });
test.after.each(() => cleanup());

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-api-'));
const lines = (n: number) => Array.from({ length: n }, (_, k) => `line ${k}\n`).join('');

test('exit, trap and load errors each carry the status the command would use', async () => {
  let r = await run(io, { args: ['exit', '7'], stdout: 'ignore' });
  assert.equal([r.kind, r.exitStatus], ['exit', 7]);
  r = await run(tool, { args: ['trap'], stdout: 'ignore' });
  assert.is(r.kind, 'trap');
  assert.is(r.exitStatus, 134);
  if (r.kind === 'trap') assert.match(r.message, /unreachable/);
  r = await run('/no/such/guest.wasm');
  assert.equal([r.kind, r.exitStatus], ['error', 1]);
  if (r.kind === 'error') assert.is(r.phase, 'load');
  r = await run(io, { dirs: ['/no/such/dir:/data'] });
  assert.equal([r.kind, r.exitStatus], ['error', 1]);
  assert.is(signalStatus('SIGTERM'), 143);
});

test('stdout to a slow Writable: every byte, in order, and the guest finishes', async () => {
  const n = 48, size = 64 * 1024; // 3 MiB: three times what the ring holds
  const got: Buffer[] = [];
  const slow = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk, _enc, cb) { got.push(chunk); setTimeout(cb, 1); },
  });
  const r = await run(io, { args: ['bulk', String(n), String(size)], stdout: slow });
  assert.is(r.kind, 'exit', JSON.stringify(r));
  // The run ends when every byte has been handed to the stream; it drains on.
  await new Promise((resolve) => slow.end(resolve));
  const all = Buffer.concat(got);
  assert.is(all.length, n * size);
  for (let k = 0; k < n; k++) {
    const want = 97 + (k % 26);
    assert.ok(all.subarray(k * size, (k + 1) * size).every((b) => b === want), `chunk ${k} whole and in place`);
  }
});

test('bytes a paused Writable has not taken when the guest ends are all handed to it', async () => {
  const n = 8, size = 64 * 1024; // fits in the ring: the guest ends while the stream still waits
  const got: Buffer[] = [];
  let hold: Array<() => void> | null = [];
  const paused = new Writable({
    highWaterMark: 1,
    write(chunk, _enc, cb) { got.push(chunk); if (hold) hold.push(cb); else cb(); },
  });
  const r = await run(io, { args: ['bulk', String(n), String(size)], stdout: paused });
  assert.is(r.kind, 'exit');
  const release = hold!;
  hold = null;
  for (const cb of release) cb();
  await new Promise((resolve) => paused.end(resolve));
  assert.is(Buffer.concat(got).length, n * size);
});

test('a consumer that never takes its bytes holds the guest back, and a timeout still ends it', async () => {
  const stalled = new Writable({ highWaterMark: 1, write() { /* never calls back */ } });
  const r = await run(io, { args: ['bulk', '64', '65536'], stdout: stalled, timeoutSeconds: 1 });
  assert.is(r.kind, 'timeout', 'without flow control the guest would have finished');
  assert.is(r.exitStatus, 124);
});

test('stdout and stderr to callbacks, separately; output limit per stream', async () => {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const r = await run(io, {
    args: ['lines', '1000', 'err', 'to stderr'],
    stdout: (c) => out.push(c), stderr: (c) => err.push(c), outputLimitBytes: 100,
  });
  assert.is(r.kind, 'exit');
  assert.is(Buffer.concat(out).toString(), lines(1000).slice(0, 100));
  assert.is(Buffer.concat(err).toString(), 'to stderr\n');
  assert.equal(r.truncated, { stdout: true, stderr: false });
});

test('stdin from bytes, from a file and from an fd; stdout to an fd', async () => {
  const dir = tmp();
  const data = lines(20_000);
  const inFile = path.join(dir, 'in.txt');
  fs.writeFileSync(inFile, data);
  for (const stdin of [{ data }, { data: Buffer.from(data) }, { file: inFile }]) {
    const out: Uint8Array[] = [];
    const r = await run(io, { args: ['cat'], stdin, stdout: (c) => out.push(c) });
    assert.is(r.kind, 'exit', JSON.stringify(r));
    assert.ok(Buffer.concat(out).toString() === data, `cat of ${Object.keys(stdin)[0]}`);
  }
  const fdIn = fs.openSync(inFile, 'r');
  const outFile = path.join(dir, 'out.txt');
  const fdOut = fs.openSync(outFile, 'w');
  try {
    const r = await run(io, { args: ['cat'], stdin: fdIn, stdout: fdOut });
    assert.is(r.kind, 'exit');
  } finally {
    fs.closeSync(fdIn);
    fs.closeSync(fdOut);
  }
  assert.ok(fs.readFileSync(outFile, 'utf8') === data, 'fd to fd');
  const empty: Uint8Array[] = [];
  const r = await run(io, { args: ['cat'], stdin: 'ignore', stdout: (c) => empty.push(c) });
  assert.equal([r.kind, empty.length], ['exit', 0]);
  const missing = await run(io, { args: ['cat'], stdin: { file: path.join(dir, 'nope') } });
  assert.equal([missing.kind, missing.exitStatus], ['error', 1]);
  // A stdin that opens but cannot be read (a directory: EISDIR) is EIO to
  // the guest (cat exits 4 on a failed fd_read), not a count of -1 bytes.
  const unreadable = await run(io, { args: ['cat'], stdin: { file: dir } });
  assert.equal([unreadable.kind, unreadable.exitStatus], ['exit', 4]);
});

test('the trace callback gets one line per sysv call; args and env reach the guest', async () => {
  const trace: string[] = [];
  const out: Uint8Array[] = [];
  const r = await run(tool, {
    args: ['create', '0x4d3', '4096', 'env', 'K'], env: { K: 'v' }, argv0: 'tool',
    trace: (l) => trace.push(l), stdout: (c) => out.push(c),
  });
  assert.is(r.kind, 'exit');
  assert.equal(trace, [`shmget(0x4d3, 4096, IPC_CREAT|0666) = ${/id (\d+)/.exec(Buffer.concat(out).toString())![1]}`]);
  assert.match(Buffer.concat(out).toString(), /env K=v/);
});

// An embedder runs guest after guest in one process: what a guest opened
// (its --dir directories, the files it left open) is closed when it ends,
// whether it exited or trapped.
test('a guest that ends leaves no descriptor open in the embedder', async () => {
  const dir = tmp();
  const fds = () => fs.readdirSync('/proc/self/fd').length;
  await run(tool, { args: ['print', 'warm-up'], stdout: () => {} }); // the worker machinery's own fds
  const before = fds();
  for (const last of ['exit', 'trap']) {
    // (a file the guest opened is the host's openat2, which Node does not track)
    const r = await run(tool, { args: ['writefile', 'a.txt', 'hi', 'openfile', 'a.txt', 'openfile', 'a.txt', ...(last === 'exit' ? ['exit', '0'] : ['trap'])], dirs: [dir], stdout: () => {}, stderr: () => {} });
    assert.is(r.kind, last === 'exit' ? 'exit' : 'trap', JSON.stringify(r));
  }
  assert.is(fds(), before, 'as many descriptors as before the guests ran');
  fs.rmSync(dir, { recursive: true });
});

test('an AbortSignal stops a guest blocked in semop: interrupted, status 130', async () => {
  const ac = new AbortController();
  const r = run(tool, {
    args: ['create', '0x74', '4096', 'block'],
    stdout: (c) => { if (Buffer.from(c).toString().includes('blocking')) ac.abort(); },
    signal: ac.signal,
  });
  const res = await r;
  assert.equal([res.kind, res.exitStatus], ['interrupted', 130]);
  if (res.kind === 'interrupted') assert.is(res.signal, 'abort');
});

test('runConformance runs the suite from JS', async () => {
  const { cases, ok } = await runConformance({ filter: 'IPC_PRIVATE ignores IPC_EXCL' });
  assert.is(cases.length, 1);
  assert.equal([cases[0]!.native.status, cases[0]!.wasm.status], ['pass', 'pass']);
  assert.ok(ok, JSON.stringify(cases.filter((c) => !c.agree)));
});

test.run();
