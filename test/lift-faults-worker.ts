// One scenario of test/lift-faults.test.ts, in a worker thread of its own
// (its seccomp filter is for this thread only and stays until it ends): a
// read-only window over the segment the test made, a fault injected into one
// step of lifting it around a growth of linear memory, then the growth (or
// into the detach, then the shmdt).
// Posts what the guest would see: the result of memory.grow, the window's
// data and protection, and the error the host threw, if any.
import { parentPort, workerData } from 'node:worker_threads';
import * as libc from '../host/libc.js';
import { GuestMemory } from '../host/guest-memory.js';
import { WindowManager, WindowFatalError } from '../host/windows.js';
import { SHM_RDONLY } from '../host/abi.js';
import { injectFaults, SYS_MMAP, SYS_MREMAP, type FaultRule } from './seccomp.js';

// (module (import "env" "m" (memory 1)) (func (export "store") (param i32) (i32.store (local.get 0) (i32.const 1)))
//         (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))
const PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x0a, 0x02, 0x60, 0x01, 0x7f, 0x00, 0x60, 0x01, 0x7f, 0x01, 0x7f,
  0x02, 0x0a, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x01, 0x6d, 0x02, 0x00, 0x01,
  0x03, 0x03, 0x02, 0x00, 0x01,
  0x07, 0x10, 0x02, 0x05, 0x73, 0x74, 0x6f, 0x72, 0x65, 0x00, 0x00, 0x04, 0x6c, 0x6f, 0x61, 0x64, 0x00, 0x01,
  0x0a, 0x13, 0x02, 0x09, 0x00, 0x20, 0x00, 0x41, 0x01, 0x36, 0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x28, 0x02, 0x00, 0x0b,
]);

/** A step of the lift around a growth, or 'restore': a shmdt (fresh pages over the window). */
export type Step = 'reserve' | 'move aside' | 'fill' | 'put back' | 'put back all' | 'restore';
export interface Outcome {
  ro: number; others: number[]; grew: number; pagesBefore: number; pagesAfter: number;
  loadFirst: number; loadLast: number; storeTraps: boolean; error: string | null; fatal: boolean;
}

// others: more segments, attached read-only after the first ('put back all').
const { shmid, others: more, size, step } = workerData as { shmid: number; others: number[]; size: number; step: Step };
const ENOMEM = 12;
const memory = new WebAssembly.Memory({ initial: 2, maximum: 1000 });
const mem = new GuestMemory(memory);
const wm = new WindowManager(mem, {});
const probe = new WebAssembly.Instance(new WebAssembly.Module(PROBE), { env: { m: memory } }).exports as {
  store(a: number): void; load(a: number): number;
};
const ro = wm.attach(shmid, 0, SHM_RDONLY);
const at = mem.hostAddress(ro);
const others = more.map((id) => wm.attach(id, 0, SHM_RDONLY));
const MAP_FIXED_ANON = libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED;
// Each rule matches only the host's own call for that step (its address,
// length and flags), never V8's.
const rule: Record<Exclude<Step, 'put back all'>, FaultRule> = {
  'reserve': { nr: SYS_MMAP, args: [[0, 0], [1, size], [2, libc.PROT_NONE]], errno: ENOMEM },
  'move aside': { nr: SYS_MREMAP, args: [[0, at], [1, size]], errno: ENOMEM },
  'fill': { nr: SYS_MMAP, args: [[0, at], [1, size], [3, MAP_FIXED_ANON]], errno: ENOMEM },
  'put back': { nr: SYS_MREMAP, args: [[4, at], [1, size]], errno: ENOMEM },
  'restore': { nr: SYS_MMAP, args: [[0, at], [1, size], [3, MAP_FIXED_ANON]], errno: ENOMEM },
};
const pagesBefore = memory.buffer.byteLength / 65536;
injectFaults(step === 'put back all'
  ? [rule['put back'], ...others.map((o): FaultRule => ({ nr: SYS_MREMAP, args: [[4, mem.hostAddress(o)], [1, size]], errno: ENOMEM }))]
  : [rule[step]]);
let grew = NaN, error: string | null = null, fatal = false;
try {
  if (step === 'restore') grew = wm.detach(ro);
  else grew = wm.grow(1);
} catch (e) {
  error = (e as Error).message;
  fatal = e instanceof WindowFatalError;
}
mem.refresh();
const loadFirst = probe.load(ro), loadLast = probe.load(ro + size - 4);
let storeTraps = false;
try { probe.store(ro); } catch { storeTraps = true; }
const out: Outcome = { ro, others, grew, pagesBefore, pagesAfter: memory.buffer.byteLength / 65536, loadFirst, loadLast, storeTraps, error, fatal };
parentPort!.postMessage(out);
