// Several guests in one host process, for the contention runs (64 guests as
// 64 processes would cost 64 Node start-ups and their memory). Each guest
// runs as `wasi-sysv run` runs it: through the runner, on a worker thread of
// its own, with its own SEM_UNDO list (the worker unshares CLONE_SYSVSEM),
// so what the kernel sees per guest is what it sees from a process of its own.
//
// Usage: node dist/host/bench/guests-host.js COUNT <guest.wasm> [guest args...]
// Exit status: 0 when every guest exited 0; else 1, one line per failure.
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { runGuest } from '../runner.js';

export async function runGuests(count: number, wasmPath: string, args: string[]): Promise<number> {
  const outcomes = await Promise.all(Array.from({ length: count }, () =>
    runGuest({ wasmPath, args: [wasmPath, ...args], env: {}, dirs: [], trace: false })));
  let status = 0;
  outcomes.forEach((o, k) => {
    if (o.kind === 'exit' && o.code === 0) return;
    status = 1;
    fs.writeSync(2, `guests-host: guest ${k + 1} of ${count}: ${JSON.stringify(o)}\n`);
  });
  return status;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [n, wasm, ...rest] = process.argv.slice(2);
  const count = Number(n);
  if (!Number.isInteger(count) || count < 1 || !wasm) {
    fs.writeSync(2, 'usage: guests-host.js COUNT <guest.wasm> [guest args...]\n');
    process.exitCode = 2;
  } else {
    process.exitCode = await runGuests(count, wasm, rest);
  }
}
