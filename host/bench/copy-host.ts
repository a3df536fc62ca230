// The copying shim: a host variant for the comparison, not for use. The
// guest's buffer is ordinary linear memory; the kernel segment is attached in
// the host's own address space (plain shmat, kernel-chosen address), and each
// handoff copies between the two with one memcpy through koffi (raw
// addresses, no marshalling: the cheapest copy a host can make). Semaphores
// and WASI are the real host's (host/sysv.ts, host/wasi.ts).
//
// Import module `sysvcopy` (i32 everywhere, -errno on failure):
//   attach(shmid, readonly) -> handle     get(handle, segOffset, ptr, len) -> 0
//   detach(handle) -> 0                   put(handle, segOffset, ptr, len) -> 0
//
// Usage: node dist/host/bench/copy-host.js <guest.wasm> [guest args...]
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import koffi from 'koffi';
import * as libc from '../libc.js';
import type { SysvState } from '../sysv-state.js';
import { runBenchGuest } from './guest-host.js';

const EINVAL = 22, EFAULT = 14, EACCES = 13;
const IPC_STAT = 2, SHM_RDONLY = 0o10000;

const memcpy = koffi.load('libc.so.6').func('uintptr_t memcpy(uintptr_t dest, uintptr_t src, size_t n)') as
  (dest: number, src: number, n: number) => number;

interface Attached { addr: number; size: number; readonly: boolean }

export function copyImports(state: SysvState): Record<string, (...a: number[]) => number> {
  const scratch = new libc.NativeScratch();
  const handles: Array<Attached | undefined> = [];
  const seg = (h: number, off: number, len: number): Attached | number => {
    const a = handles[h];
    if (!a) return -EINVAL;
    if (off < 0 || len < 0 || off + len > a.size) return -EINVAL;
    return a;
  };
  return {
    attach: (shmid: number, readonly: number) => {
      if (libc.shmctl(shmid, IPC_STAT, scratch.addr) === -1) return -libc.errno();
      const size = Number(scratch.view.getBigUint64(48, true));
      const addr = libc.shmat(shmid, 0, readonly ? SHM_RDONLY : 0);
      if (addr === -1) return -libc.errno();
      handles.push({ addr, size, readonly: readonly !== 0 });
      return handles.length - 1;
    },
    detach: (h: number) => {
      const a = handles[h];
      if (!a) return -EINVAL;
      handles[h] = undefined;
      return libc.sys(libc.shmdt(a.addr));
    },
    put: (h: number, off: number, ptr: number, len: number) => {
      const a = seg(h, off, len);
      if (typeof a === 'number') return a;
      if (a.readonly) return -EACCES;
      if (!state.mem.inBounds(ptr, len)) return -EFAULT;
      memcpy(a.addr + off, state.mem.hostAddress(ptr), len);
      return 0;
    },
    get: (h: number, off: number, ptr: number, len: number) => {
      const a = seg(h, off, len);
      if (typeof a === 'number') return a;
      if (!state.mem.writable(ptr, len)) return -EFAULT;
      memcpy(state.mem.hostAddress(ptr), a.addr + off, len);
      return 0;
    },
  };
}

export function runCopyGuest(wasmPath: string, args: string[]): Promise<number> {
  return runBenchGuest('copy-host', wasmPath, args, (state) => ({ sysvcopy: copyImports(state) }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [wasm, ...rest] = process.argv.slice(2);
  if (!wasm) {
    fs.writeSync(2, 'usage: copy-host.js <guest.wasm> [guest args...]\n');
    process.exitCode = 2;
  } else {
    process.exitCode = await runCopyGuest(wasm, rest);
  }
}
