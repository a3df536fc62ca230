// Entry of the case driver process (see driver.ts): reads a DriverInput as
// JSON on stdin, prints the RunResult as one JSON line on stdout.
import fs from 'node:fs';
import { drive, type DriverInput } from './driver.js';

const input = JSON.parse(fs.readFileSync(0, 'utf8')) as DriverInput;
try {
  const r = await drive(input);
  fs.writeSync(1, JSON.stringify(r) + '\n');
} catch (e: any) {
  fs.writeSync(1, JSON.stringify({ pass: false, detail: `driver error: ${e?.message ?? e}`, procs: [], ms: 0 }) + '\n');
}
process.exit(0);
