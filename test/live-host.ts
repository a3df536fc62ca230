// A host that lives on after its guest, for tests that must see the host's
// own detach: it runs one guest, keeps the guest's linear memory alive
// (GuestOptions.onEnd), reports where that memory is, and waits for "exit"
// on stdin. While it waits, a test reads the kernel's nattch and this
// process's /proc/PID/maps: the window's pages are still mapped (the memory
// is referenced), so nattch 0 can only come from the host's detach, not from
// the memory going away.
//   node dist/test/live-host.js here GUEST.wasm ARGS...
//     runs the guest on this thread (runGuestHere), as a worker thread does.
//   node dist/test/live-host.js thread GUEST.wasm ARGS...
//     runs it on a worker thread of this file; "stop" on stdin stops it the
//     way the supervisor does (host/runner.ts: flag, then SIGUSR2 to the
//     guest's thread until it is gone).
// Host lines on stdout start with "host: "; the guest's own lines pass through.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import readline from 'node:readline';
import fs from 'node:fs';
import { runGuestHere, type GuestOptions, type GuestOutcome } from '../host/guest.js';
import { StopSignal } from '../host/stop.js';
import * as libc from '../host/libc.js';

interface Ended { outcome: GuestOutcome; base: number; bytes: number }

let kept: WebAssembly.Memory | undefined; // the guest's memory, alive until exit

async function runHere(opts: GuestOptions): Promise<Ended> {
  const outcome = await runGuestHere({ ...opts, onEnd: (m) => { kept = m; } });
  if (!kept) throw new Error('onEnd was not called');
  return { outcome, base: libc.addressOf(new Uint8Array(kept.buffer)), bytes: kept.buffer.byteLength };
}

const say = (line: string) => fs.writeSync(1, `host: ${line}\n`);

if (!isMainThread) {
  // The guest's thread: publish it for the stop signal, run, report, linger.
  const opts = workerData as GuestOptions;
  const stop = new StopSignal(opts.stopShared);
  stop.publishThread(libc.gettid());
  const ended = await runHere(opts);
  stop.publishThread(0);
  parentPort!.postMessage(ended);
  parentPort!.once('message', () => { kept = undefined; parentPort!.close(); });
} else {
  const [mode, wasmPath, ...args] = process.argv.slice(2);
  if ((mode !== 'here' && mode !== 'thread') || !wasmPath) {
    fs.writeSync(2, 'usage: live-host.js here|thread GUEST.wasm ARGS...\n');
    process.exit(2);
  }
  process.on('SIGUSR2', () => {}); // the stop signal interrupts, never kills (see host/runner.ts)
  const opts: GuestOptions = { wasmPath, args: [wasmPath, ...args], env: {}, dirs: [], trace: false };
  const lines = readline.createInterface({ input: process.stdin });
  const waitFor = (word: string) => new Promise<void>((resolve) => {
    const on = (l: string) => { if (l.trim() === word) { lines.off('line', on); resolve(); } };
    lines.on('line', on);
  });

  let ended: Ended;
  let worker: Worker | undefined;
  if (mode === 'here') {
    ended = await runHere(opts);
  } else {
    const stopShared = new SharedArrayBuffer(8);
    const stop = new StopSignal(stopShared);
    worker = new Worker(new URL(import.meta.url), { workerData: { ...opts, stopShared }, stdout: false, stderr: false });
    const result = new Promise<Ended>((resolve, reject) => {
      worker!.once('message', resolve);
      worker!.once('error', reject);
    });
    let kick: NodeJS.Timeout | undefined;
    void waitFor('stop').then(() => {
      stop.request();
      kick = setInterval(() => stop.interrupt(), 20);
    });
    ended = await result;
    clearInterval(kick);
  }
  say(`ended ${JSON.stringify(ended.outcome)}`);
  say(`memory ${ended.base} ${ended.bytes}`);
  say('waiting'); // alive, the guest's memory referenced, until "exit"
  await waitFor('exit');
  worker?.postMessage('exit');
  lines.close();
  process.exit(0);
}
