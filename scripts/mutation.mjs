#!/usr/bin/env node
// npm run mutation [-- STRYKER OPTIONS]: StrykerJS over the host files of
// stryker.config.mjs (mutation testing, docs/mutation.md), then a summary
// per file from its JSON report: mutants, killed, survived, timeouts, score,
// wall time and seconds per mutant, and every surviving mutant on one line.
// One file: `npm run mutation -- --mutate host/sem.ts` or MUTATE=host/sem.ts.
// --summary-only: print the summary of the last report without running.
// --killed: also list each killed mutant with the test that caught it.
// Reports: reports/mutation/mutation.html and .json (not in git), or in
// $MUTATION_OUT (see stryker.config.mjs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

let args = process.argv.slice(2);
const summaryOnly = args.includes('--summary-only');
const listKilled = args.includes('--killed');
args = args.filter((a) => a !== '--summary-only' && a !== '--killed');
if (process.env.MUTATE && !args.includes('--mutate') && !args.includes('-m')) args.push('--mutate', process.env.MUTATE);

// Each mutant's outcome as it happens (scripts/mutation-test.mjs), kept if
// the run is interrupted: reports/mutation/mutants.jsonl.
const outDir = path.join(root, process.env.MUTATION_OUT ?? 'reports/mutation');
fs.mkdirSync(outDir, { recursive: true });
process.env.MUTATION_LOG ??= path.join(outDir, 'mutants.jsonl');

let wall = NaN;
if (!summaryOnly) {
  fs.rmSync(process.env.MUTATION_LOG, { force: true });
  const t0 = performance.now();
  const r = spawnSync(path.join(root, 'node_modules/.bin/stryker'), ['run', ...args], { cwd: root, stdio: 'inherit' });
  wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) {
    console.error(`mutation: stryker failed (exit ${r.status ?? r.signal}); see the lines above and stryker.log`);
    process.exit(r.status ?? 1);
  }
}

const json = path.join(outDir, 'mutation.json');
let report;
try {
  report = JSON.parse(fs.readFileSync(json, 'utf8'));
} catch (e) {
  console.error(`mutation: no report at ${path.relative(root, json)} (${e.message}): run npm run mutation first`);
  process.exit(1);
}

// Tests that failed on the unmutated host in the dry run and were left out.
const mlog = fs.existsSync(process.env.MUTATION_LOG) ? fs.readFileSync(process.env.MUTATION_LOG, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
const left = mlog.filter((e) => e.excluded).map((e) => e.excluded);

const DETECTED = new Set(['Killed', 'Timeout']);
const VALID = new Set(['Killed', 'Timeout', 'Survived', 'NoCoverage']);
const rows = [];
const survivors = [];
const killed = [];
// The command runner can only say killed (exit 1) or survived (exit 0) to
// Stryker. What it meant is in the mutant's own last line (statusReason,
// kept in the report and the incremental file) or in mutants.jsonl: a
// mutant that ran past a unit's time limit is a timeout (detected), one
// that no unit reaches is "no coverage" (not detected).
const noCovIds = new Set(mlog.filter((e) => e.result === 'no coverage').map((e) => e.mutant));
const timedOut = (m) => m.status === 'Timeout' || (m.status === 'Killed' && /mutation-test: .*: timed out in /.test(m.statusReason ?? ''));
const status = (m) => (timedOut(m) ? 'Timeout' : m.status === 'Survived' && noCovIds.has(m.id) ? 'NoCoverage' : m.status);
for (const [file, { mutants: raw }] of Object.entries(report.files)) {
  const mutants = raw.map((m) => ({ ...m, status: status(m) }));
  const n = (s) => mutants.filter((m) => m.status === s).length;
  const valid = mutants.filter((m) => VALID.has(m.status)).length;
  const detected = mutants.filter((m) => DETECTED.has(m.status)).length;
  rows.push({
    file, mutants: mutants.length, killed: n('Killed'), survived: n('Survived'), timeout: n('Timeout'),
    noCov: n('NoCoverage'), errors: n('RuntimeError') + n('CompileError'), ignored: n('Ignored'),
    score: valid ? (100 * detected / valid).toFixed(2) : 'n/a',
  });
  for (const m of mutants.filter((x) => x.status === 'Survived' || x.status === 'NoCoverage')) {
    const { line, column } = m.location.start;
    const repl = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80);
    survivors.push(`${file}:${line}:${column} #${m.id} ${m.mutatorName}: ${repl}`);
  }
  for (const m of mutants.filter((x) => DETECTED.has(x.status))) {
    const { line, column } = m.location.start;
    const repl = (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 60);
    // The test command's own last line says what caught it (scripts/mutation-test.mjs).
    const why = (m.statusReason ?? '').split('\n').filter((l) => l.startsWith('mutation-test:')).pop()
      ?.replace(/^mutation-test: \S+ mutant \d+: /, '') ?? m.status;
    killed.push(`${file}:${line}:${column} #${m.id} ${m.mutatorName}: ${repl} -- ${m.status === 'Timeout' ? 'timeout' : why}`);
  }
}

const cols = ['file', 'mutants', 'killed', 'survived', 'timeout', 'noCov', 'errors', 'ignored', 'score'];
const width = Object.fromEntries(cols.map((c) => [c, Math.max(c.length, ...rows.map((r) => String(r[c]).length))]));
const line = (r) => cols.map((c) => (c === 'file' ? String(r[c]).padEnd(width[c]) : String(r[c]).padStart(width[c]))).join('  ');
console.log('\nmutation summary (score = (killed + timeout) / (killed + timeout + survived + noCov))');
console.log(line(Object.fromEntries(cols.map((c) => [c, c]))));
for (const r of rows) console.log(line(r));
const total = rows.reduce((a, r) => a + r.mutants, 0);
if (!Number.isNaN(wall)) console.log(`wall time ${wall.toFixed(0)} s for ${total} mutants: ${(wall / Math.max(1, total)).toFixed(1)} s per mutant (dry run included)`);
if (left.length) console.log(`left out of every mutant's run (failed twice on the unmutated host in the dry run): ${left.join('; ')}`);
if (listKilled && killed.length) {
  console.log(`\n${killed.length} detected mutants:`);
  for (const k of killed) console.log(`  ${k}`);
}
if (survivors.length) {
  console.log(`\n${survivors.length} surviving mutants (equivalent, or a case to write: docs/mutation.md):`);
  for (const s of survivors) console.log(`  ${s}`);
}
