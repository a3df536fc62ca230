// The call floor: a host variant for the comparison, not for use. The guest
// (assembly/bench/floor.ts) imports `benchfloor.semop`, answered here by one
// koffi call into libc on the guest's own sembuf (base + pointer, the base
// read once) and nothing else: no bounds check, no stop check, no EINTR
// retry. semop-uncontended's wasm figure over this one is the host's own
// overhead; this one over C is the price of wasm -> JS -> koffi.
//
// Usage: node dist/host/bench/floor-host.js <floor.wasm> [guest args...]
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import * as libc from '../libc.js';
import type { SysvState } from '../sysv-state.js';
import { runBenchGuest } from './guest-host.js';

/** The import module and the hook that reads the base once the memory is bound. */
export function floorImports(): { imports: { semop: (id: number, sops: number, n: number) => number }; bind: (state: SysvState) => void } {
  let base = 0;
  return {
    imports: {
      semop: (id: number, sops: number, n: number) => {
        const r = libc.semop(id, base + sops, n);
        return r === -1 ? -libc.errno() : r;
      },
    },
    bind: (state) => { base = state.mem.hostAddress(0); },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [wasm, ...rest] = process.argv.slice(2);
  if (!wasm) {
    fs.writeSync(2, 'usage: floor-host.js <floor.wasm> [guest args...]\n');
    process.exitCode = 2;
  } else {
    const floor = floorImports();
    process.exitCode = await runBenchGuest('floor-host', wasm, rest, () => ({ benchfloor: floor.imports }), floor.bind);
  }
}
