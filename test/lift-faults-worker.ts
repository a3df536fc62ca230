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
import { probe } from './probe.js';
import { injectFaults, watch, SYS_MMAP, SYS_MREMAP, type FaultRule } from './seccomp.js';


/**
 * A step of the lift around a growth, or 'restore': a shmdt (fresh pages
 * over the window). 'watch fill': no fault, the fill's mmap waits in the
 * kernel until the test thread has looked (the worker first posts the
 * listener fd, { listener }).
 */
export type Step = 'reserve' | 'move aside' | 'fill' | 'put back' | 'put back all' | 'restore' | 'watch fill';
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
const guest = probe(memory);
const ro = wm.attach(shmid, 0, SHM_RDONLY);
const at = mem.hostAddress(ro);
const others = more.map((id) => wm.attach(id, 0, SHM_RDONLY));
const MAP_FIXED_ANON = libc.MAP_PRIVATE | libc.MAP_ANONYMOUS | libc.MAP_FIXED;
// Each rule matches only the host's own call for that step (its address,
// length and flags), never V8's.
const rule: Record<Exclude<Step, 'put back all' | 'watch fill'>, FaultRule> = {
  'reserve': { nr: SYS_MMAP, args: [[0, 0], [1, size], [2, libc.PROT_NONE]], errno: ENOMEM },
  'move aside': { nr: SYS_MREMAP, args: [[0, at], [1, size]], errno: ENOMEM },
  'fill': { nr: SYS_MMAP, args: [[0, at], [1, size], [3, MAP_FIXED_ANON]], errno: ENOMEM },
  'put back': { nr: SYS_MREMAP, args: [[4, at], [1, size]], errno: ENOMEM },
  'restore': { nr: SYS_MMAP, args: [[0, at], [1, size], [3, MAP_FIXED_ANON]], errno: ENOMEM },
};
const pagesBefore = memory.buffer.byteLength / 65536;
if (step === 'watch fill') {
  const { nr, args } = rule.fill;
  parentPort!.postMessage({ listener: watch([{ nr, args }]), at, size });
} else {
  injectFaults(step === 'put back all'
    ? [rule['put back'], ...others.map((o): FaultRule => ({ nr: SYS_MREMAP, args: [[4, mem.hostAddress(o)], [1, size]], errno: ENOMEM }))]
    : [rule[step]]);
}
let grew = NaN, error: string | null = null, fatal = false;
try {
  if (step === 'restore') grew = wm.detach(ro);
  else grew = wm.grow(1);
} catch (e) {
  error = (e as Error).message;
  fatal = e instanceof WindowFatalError;
}
mem.refresh();
const loadFirst = guest.load(ro), loadLast = guest.load(ro + size - 4);
let storeTraps = false;
try { guest.store(ro); } catch { storeTraps = true; }
const out: Outcome = { ro, others, grew, pagesBefore, pagesAfter: memory.buffer.byteLength / 65536, loadFirst, loadLast, storeTraps, error, fatal };
parentPort!.postMessage(out);
