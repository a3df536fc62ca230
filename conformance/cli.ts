// `wasi-sysv conformance [--filter TEXT] [--json FILE] [--jobs N]`
// Progress on stderr, then a table (case, group, native, wasm, C guest, agree) and a
// summary line on stdout. Exit 0 only when every case agrees.
import fs from 'node:fs';
import { runSuite, RUNNERS, type CaseResult, type SuiteOptions } from './suite.js';
import { BuildError } from '../host/toolchain.js';

export { runSuite, loadCases, type CaseResult, type SuiteOptions } from './suite.js';

const USAGE = `usage: wasi-sysv conformance [--filter TEXT] [--json FILE] [--jobs N]
  Runs every case of conformance/cases natively, as a wasm guest and as a C
  guest, each in a fresh IPC namespace, and compares the three with the
  case's expectations and with each other.
  --filter TEXT  only cases whose name, group or file contains TEXT
  --json FILE    also write {"cases":[{name, group, agree, native, wasm, cguest}]};
                 when the suite cannot run: {"error": "...", "cases": []}
  --jobs N       runs at a time (default 2)`;

function cell(s: string, w: number): string {
  return s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w);
}

function status(r: CaseResult['native']): string {
  return r.status === 'fail' ? `FAIL ${r.detail}` : r.status;
}

export function formatTable(cases: CaseResult[]): string {
  const nameW = Math.min(64, Math.max(4, ...cases.map((c) => c.name.length)));
  const groupW = Math.max(5, ...cases.map((c) => c.group.length));
  const colW = 26;
  const lines = [
    `${cell('case', nameW)}  ${cell('group', groupW)}  ${RUNNERS.map((r) => `${cell(r.label, colW)}  `).join('')}agree`,
    `${'-'.repeat(nameW)}  ${'-'.repeat(groupW)}  ${RUNNERS.map(() => `${'-'.repeat(colW)}  `).join('')}-----`,
  ];
  for (const c of cases) {
    lines.push(`${cell(c.name, nameW)}  ${cell(c.group, groupW)}  ${RUNNERS.map((r) => `${cell(status(c[r.key]), colW)}  `).join('')}${c.agree ? 'yes' : 'NO'}`);
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const opts: SuiteOptions = {};
  let json: string | undefined;
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
  let result: { cases: CaseResult[] };
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
  const { cases } = result;

  const out: string[] = [formatTable(cases)];
  const bad = cases.filter((c) => !c.agree);
  if (bad.length) {
    out.push('', 'Cases that do not agree:');
    for (const c of bad) out.push(`  ${c.name} (${c.file}:${c.line}): ${c.why ?? 'disagree'}`);
  }
  // A skipped case neither agrees nor disagrees: it is counted apart, with
  // its one-line reason.
  const skipped = cases.filter((c) => RUNNERS.some((r) => c[r.key].status === 'skip'));
  if (skipped.length) {
    out.push('', 'Cases skipped:');
    for (const c of skipped) out.push(`  ${c.name} (${c.file}:${c.line}): ${c.native.status === 'skip' ? c.native.detail : c.wasm.detail}`);
  }
  const ran = cases.length - skipped.length;
  const agreeing = ran - bad.length;
  out.push('', `${agreeing} of ${ran} cases agree, ${bad.length} disagree${skipped.length ? `, ${skipped.length} skipped` : ''} (${secs} s)`);
  fs.writeSync(1, out.join('\n') + '\n');

  if (json) {
    const doc = {
      cases: cases.map((c) => ({ name: c.name, group: c.group, agree: c.agree, native: c.native, wasm: c.wasm, cguest: c.cguest, file: `${c.file}:${c.line}`, ...(c.why ? { why: c.why } : {}) })),
    };
    fs.writeFileSync(json, JSON.stringify(doc, null, 2) + '\n');
  }
  if (cases.length === 0) {
    fs.writeSync(2, 'wasi-sysv conformance: no case matches the filter\n');
    return 1;
  }
  return bad.length === 0 ? 0 : 1;
}
