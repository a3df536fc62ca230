// Runs uvu test files and reports their results in machine form (JSON), so
// that scripts/test.mjs never has to read uvu's coloured text.
//
//   node scripts/uvu-run.mjs --results OUT.json [--file-timeout-ms N] FILE...
//     runs each FILE in a process of its own (its own process group), one
//     after another, kills a file that outlives its deadline (and whatever it
//     started), and writes {files:[{file, passed, failed, skipped, errors}]}.
//     The deadline (default 10 min) can also come from
//     WASI_SYSV_TEST_FILE_TIMEOUT_MS.
//   node scripts/uvu-run.mjs --one FILE --results PART.json
//     (internal) runs one file in this process through uvu's own runner.
//
// uvu 0.5 has no API that returns results: its exec() only prints them. But
// its test.run() queues one runner per suite on globalThis.UVU_QUEUE (the
// same hand-off uvu/run uses), and each runner resolves to
// [errors, passed, skipped, total]. This script drives that queue itself
// instead of calling exec(), so the counts come from uvu, not from its text.
// uvu's Total leaves skipped tests out, so failed = total - passed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const self = fileURLToPath(import.meta.url);
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const v = args[i + 1];
  args.splice(i, 2);
  return v;
};

const one = opt('--one');
const results = opt('--results');
const fileTimeoutMs = Number(opt('--file-timeout-ms') ?? process.env.WASI_SYSV_TEST_FILE_TIMEOUT_MS ?? 10 * 60_000);
if (!results) {
  console.error('usage: uvu-run.mjs --results OUT.json [--file-timeout-ms N] FILE...');
  process.exit(2);
}

const writeJson = (file, doc) => {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(doc, null, 2) + '\n');
  fs.renameSync(tmp, file); // never a half-written file
};

if (one) {
  // One file, in this process.
  globalThis.UVU_DEFER = 1; // uvu: do not start on its own, we drive the queue
  globalThis.UVU_INDEX = 0;
  await import('uvu');
  globalThis.UVU_QUEUE.push([path.basename(one)]);
  const report = { file: one, passed: 0, failed: 0, skipped: 0, errors: [] };
  try {
    await import(pathToFileURL(path.resolve(one)).href);
  } catch (e) {
    report.failed += 1;
    report.errors.push(`${one} could not be loaded: ${e?.stack ?? e}`);
    process.stdout.write(`${report.errors[0]}\n`);
  }
  for (const group of globalThis.UVU_QUEUE) {
    const name = group.shift();
    if (name != null) process.stdout.write(`${name}\n`);
    for (const runSuite of group) {
      const [errs, passed, skipped, total] = await runSuite();
      report.passed += passed;
      report.skipped += skipped;
      report.failed += total - passed;
      if (typeof errs === 'string') {
        report.errors.push(errs);
        process.stdout.write('\n' + errs + '\n');
      } else if (total - passed > 0) {
        report.errors.push(`${one}: a hook failed (uvu gave no message)`);
      }
    }
  }
  if (report.passed + report.failed + report.skipped === 0) {
    report.failed += 1;
    report.errors.push(`${one} ran no test (no test() or no test.run()?)`);
    process.stdout.write(`${report.errors[report.errors.length - 1]}\n`);
  }
  // uvu ends a coloured count with the colour reset after its newline: end
  // that line, so the harness's own lines start clean.
  process.stdout.write('\n');
  writeJson(results, report);
  // Tests may leave handles open (a child that was already killed, a timer):
  // the report is written, so end here. The parent kills the process group.
  process.exit(report.failed === 0 ? 0 : 1);
}

// Every file in a process of its own.
const files = args;
const doc = { files: [] };
let current;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { // the files run in groups of their own: take them along
    try { if (current) process.kill(-current.pid, 'SIGKILL'); } catch { /* gone */ }
    process.exit(130);
  });
}
for (const file of files) {
  const part = `${results}.part`;
  fs.rmSync(part, { force: true });
  const t0 = Date.now();
  const child = spawn(process.execPath, [self, '--one', file, '--results', part], { stdio: 'inherit', detached: true });
  current = child;
  let timedOut = false;
  const killGroup = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } };
  const timer = setTimeout(() => { timedOut = true; killGroup(); }, fileTimeoutMs);
  const { code, signal } = await new Promise((resolve) => child.on('exit', (c, s) => resolve({ code: c, signal: s })));
  clearTimeout(timer);
  killGroup(); // anything the file started and left running
  let report;
  try {
    report = JSON.parse(fs.readFileSync(part, 'utf8'));
  } catch {
    const why = timedOut
      ? `did not finish within ${fileTimeoutMs / 1000} s and was killed`
      : `ended (${signal ?? `exit ${code}`}) without reporting its results`;
    report = { file, passed: 0, failed: 1, skipped: 0, errors: [`${file} ${why}`] };
    console.log(`\n${report.errors[0]}`);
  }
  fs.rmSync(part, { force: true });
  report.ms = Date.now() - t0;
  doc.files.push(report);
}
writeJson(results, doc);
