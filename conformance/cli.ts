// `wasi-sysv conformance [--targets LIST] [--filter TEXT] [--json FILE]
// [--expect FILE] [--jobs N]`
// Progress on stderr, then the matrix (case x target, and agree), the cases
// that do not agree, one line per difference of the other targets, a summary
// per target and a summary line on stdout. Exit 0 only when every case
// agrees on every target (with --expect: when the project's runners agree
// and every other target's cells equal the recorded ones).
import fs from 'node:fs';
import { runSuite, type CaseResult, type SuiteOptions, type TargetSummary } from './suite.js';
import { compareWithRecord, type MatrixDoc } from './record.js';
import { DEFAULT_TARGETS, TARGETS, parseTargets } from './targets.js';
import { BuildError } from '../host/toolchain.js';

export { runSuite, loadCases, type CaseResult, type SuiteOptions } from './suite.js';

const USAGE = `usage: wasi-sysv conformance [--targets LIST] [--filter TEXT] [--json FILE] [--expect FILE] [--jobs N]
  Runs every case of conformance/cases on each target and compares every
  target with native Linux (the reference) and with the case's expectations.
  --targets LIST  comma-separated, native is always run (default: ${DEFAULT_TARGETS.join(',')}):
${Object.values(TARGETS).map((t) => `                    ${t.name.padEnd(8)} ${t.about}`).join('\n')}
                    wrap:CMD ... every process is the C interpreter started as
                             CMD ... interp [--uid N] SCRIPT in the case's IPC
                             namespace, as root (CMD should exec it: env, nice,
                             qemu-x86_64; quote the word for the shell)
  --filter TEXT   only cases whose name, group or file contains TEXT
  --json FILE     also write {"targets":[...], "cases":[{name, group, agree,
                  native, wasm, results:{TARGET:{status, why}}}]}; when the
                  suite cannot run: {"error": "...", "cases": []}
  --expect FILE   compare the cells of the targets other than native, wasm, wasm-c
                  with those recorded in FILE (a --json file, e.g.
                  docs/implementations.json): one line per case that changed
  --jobs N        runs at a time (default 2)
  A cell is pass (same transcripts as native, every expectation met),
  differ (the first difference), n/a (guest-only case), missing (a feature
  the case's set-up needs: a sysctl it cannot write, a user it cannot become)
  or skip (this machine cannot run the case).`;

function cell(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w);
}

function status(r: CaseResult['results'][string] | undefined): string {
  if (!r) return 'n/a';
  if (r.status === 'fail') return `FAIL ${r.why ?? ''}`;
  if (r.status === 'differ') return `DIFFER ${(r.why ?? '').replace(/^runs differ: /, '')}`;
  if (r.status === 'missing') return `MISSING ${r.why ?? ''}`;
  return r.status;
}

/** The matrix: one row per case, one column per target, then agree (the project's own runners). */
export function formatTable(cases: CaseResult[], targets: string[] = DEFAULT_TARGETS): string {
  const nameW = Math.min(64, Math.max(4, ...cases.map((c) => c.name.length)));
  const groupW = Math.max(5, ...cases.map((c) => c.group.length));
  const colW = targets.length > 3 ? 20 : 26;
  const ws = targets.map((t) => Math.max(colW, Math.min(t.length, 40)));
  const lines = [
    `${cell('case', nameW)}  ${cell('group', groupW)}  ${targets.map((t, i) => cell(t, ws[i]!)).join('  ')}  agree`,
    `${'-'.repeat(nameW)}  ${'-'.repeat(groupW)}  ${ws.map((w) => '-'.repeat(w)).join('  ')}  -----`,
  ];
  for (const c of cases) {
    lines.push(`${cell(c.name, nameW)}  ${cell(c.group, groupW)}  ${targets.map((t, i) => cell(status(c.results[t]), ws[i]!)).join('  ')}  ${c.agree ? 'yes' : 'NO'}`);
  }
  return lines.join('\n');
}

/** One line per target: its counts and time. */
export function formatSummary(targets: TargetSummary[]): string[] {
  return targets.map((t) => `  ${t.name.padEnd(Math.max(8, ...targets.map((x) => x.name.length)))}  ${t.name === 'native' ? `${t.pass} pass, ${t.differ} fail` : `${t.pass} agree, ${t.differ} differ`}, ${t.na} n/a, ${t.missing} missing${t.skip ? `, ${t.skip} skipped` : ''} (${t.seconds.toFixed(1)} s)`);
}

/** The --json document. `agree`, `native` and `wasm` keep their meaning of the two-runner suite. */
export function matrixDoc(cases: CaseResult[], targets: TargetSummary[]): MatrixDoc {
  return {
    targets: targets.map((t) => ({ name: t.name, about: t.about, ...(t.version ? { version: t.version } : {}), own: t.own, pass: t.pass, differ: t.differ, na: t.na, missing: t.missing, skip: t.skip, seconds: t.seconds })),
    cases: cases.map((c) => ({
      name: c.name, group: c.group, agree: c.agree, native: c.native, wasm: c.wasm, file: `${c.file}:${c.line}`, ...(c.why ? { why: c.why } : {}),
      results: c.results,
      // The other targets' runs, transcripts included (native and wasm are above).
      ...(Object.keys(c.runs).some((t) => t !== 'native' && t !== 'wasm')
        ? { runs: Object.fromEntries(Object.entries(c.runs).filter(([t]) => t !== 'native' && t !== 'wasm')) } : {}),
    })),
  };
}

export async function main(argv: string[]): Promise<number> {
  const opts: SuiteOptions = {};
  let json: string | undefined;
  let expect: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = () => {
      const v = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    try {
      switch (flag) {
        case '--filter': opts.filter = value(); break;
        case '--json': json = value(); break;
        case '--expect': expect = value(); break;
        case '--targets': opts.targets = parseTargets(value()); break;
        case '--jobs': case '-j': {
          const n = Number(value());
          if (!Number.isInteger(n) || n < 1) throw new Error('--jobs needs a positive integer');
          opts.concurrency = n;
          break;
        }
        case '--help': case '-h': fs.writeSync(1, USAGE + '\n'); return 0;
        default: throw new Error(`unknown option ${a}`);
      }
    } catch (e: any) {
      fs.writeSync(2, `wasi-sysv conformance: ${e.message}\n${USAGE}\n`);
      return 2;
    }
  }

  const tty = process.stderr.isTTY;
  const t0 = performance.now();
  let lastLine = 0;
  opts.onProgress = (done, total, label) => {
    const line = `[${String(done).padStart(String(total).length)}/${total}] ${label}`;
    if (tty) {
      const cols = process.stderr.columns || 100;
      fs.writeSync(2, `\r${cell(line, cols - 1)}`);
    } else if (done === total || performance.now() - lastLine > 5000) {
      lastLine = performance.now();
      fs.writeSync(2, `conformance: ${line}\n`);
    }
  };
  opts.onParseError = (line) => {
    if (tty) fs.writeSync(2, '\r' + ' '.repeat((process.stderr.columns || 100) - 1) + '\r');
    fs.writeSync(2, `wasi-sysv conformance: ${line}\n`);
  };
  for (const t of opts.targets ?? []) {
    if (typeof t === 'string') continue;
    const why = t.unavailable();
    if (why) {
      fs.writeSync(2, `wasi-sysv conformance: target ${t.name}: ${why}\n`);
      return 2;
    }
  }
  let record: MatrixDoc | undefined;
  if (expect) {
    try {
      record = JSON.parse(fs.readFileSync(expect, 'utf8')) as MatrixDoc;
      if (!Array.isArray(record.cases)) throw new Error('no "cases" array');
    } catch (e: any) {
      fs.writeSync(2, `wasi-sysv conformance: cannot read the recorded matrix ${expect}: ${e?.code ?? e?.message ?? e} (write one with --json)\n`);
      return 2;
    }
  }
  let result: { cases: CaseResult[]; targets: TargetSummary[] };
  if (json) fs.rmSync(json, { force: true }); // an older run's results are never taken for this one's
  try {
    result = await runSuite(opts);
  } catch (e: any) {
    if (tty) fs.writeSync(2, '\n');
    const message = `${e?.message ?? e}`;
    fs.writeSync(2, `wasi-sysv conformance: ${message}\n`);
    // Whoever reads --json must not mistake an older run's file for this one.
    if (json) {
      try {
        fs.writeFileSync(json, JSON.stringify({ error: message, cases: [] }, null, 2) + '\n');
      } catch (w: any) {
        fs.writeSync(2, `wasi-sysv conformance: cannot write ${json} either: ${w?.message ?? w}\n`);
      }
    }
    return e instanceof BuildError ? 1 : 70;
  }
  if (tty) fs.writeSync(2, '\r' + ' '.repeat((process.stderr.columns || 100) - 1) + '\r');
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const { cases, targets } = result;
  const names = targets.map((t) => t.name);

  const out: string[] = [formatTable(cases, names)];
  const bad = cases.filter((c) => !c.agree);
  if (bad.length) {
    out.push('', 'Cases that do not agree:');
    for (const c of bad) out.push(`  ${c.name} (${c.file}:${c.line}): ${c.why ?? 'disagree'}`);
  }
  // A skipped case neither agrees nor disagrees: it is counted apart, with
  // its one-line reason.
  const skipped = cases.filter((c) => c.native.status === 'skip' || c.wasm.status === 'skip');
  if (skipped.length) {
    out.push('', 'Cases skipped:');
    for (const c of skipped) out.push(`  ${c.name} (${c.file}:${c.line}): ${c.native.status === 'skip' ? c.native.detail : c.wasm.detail}`);
  }
  // The implementations under judgement: each difference in one line.
  const others = targets.filter((t) => !t.own);
  let othersAgree = true;
  for (const t of others) {
    const cells = cases.filter((c) => c.results[t.name]?.status === 'differ' || c.results[t.name]?.status === 'missing');
    if (!cells.length) continue;
    othersAgree = false;
    out.push('', `Differences of ${t.name} from native:`);
    for (const c of cells) out.push(`  ${c.name} (${c.file}:${c.line}): ${c.results[t.name]!.status === 'missing' ? 'missing feature: ' : ''}${c.results[t.name]!.why ?? ''}`);
  }
  const doc = matrixDoc(cases, targets);
  const changes = record ? compareWithRecord(doc, record, others.map((t) => t.name)) : [];
  if (record) {
    out.push('', changes.length ? `Changed from ${expect} (${changes.length}):` : `Every cell of ${others.map((t) => t.name).join(', ') || '(no other target)'} equals ${expect}`);
    for (const line of changes) out.push(`  ${line}`);
  }
  out.push('', 'Targets:', ...formatSummary(targets));
  const ran = cases.length - skipped.length;
  const agreeing = ran - bad.length;
  out.push('', `${agreeing} of ${ran} cases agree, ${bad.length} disagree${skipped.length ? `, ${skipped.length} skipped` : ''} (${secs} s)`);
  fs.writeSync(1, out.join('\n') + '\n');

  if (json) {
    if (record) doc.changes = changes;
    fs.writeFileSync(json, JSON.stringify(doc, null, 2) + '\n');
  }
  if (cases.length === 0) {
    fs.writeSync(2, 'wasi-sysv conformance: no case matches the filter\n');
    return 1;
  }
  return bad.length === 0 && (record ? changes.length === 0 : othersAgree) ? 0 : 1;
}
