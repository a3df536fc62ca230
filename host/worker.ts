// Worker-thread entry: the guest runs here so that the supervisor thread
// stays free to handle Ctrl-C and --timeout while the guest computes or blocks.
import { parentPort, workerData } from 'node:worker_threads';
import { runGuestHere, type GuestOptions, type GuestOutcome } from './guest.js';

const opts = workerData as GuestOptions;
let outcome: GuestOutcome;
try {
  outcome = await runGuestHere(opts);
} catch (e: any) {
  outcome = { kind: 'error', message: e?.message ?? String(e) };
}
parentPort!.postMessage(outcome);
