// `wasi-sysv lab LAB.json [--json REPORT] [--trace DIR]`: validates the lab
// file, then re-executes itself as the init of a fresh IPC + PID namespace
// (setpriv --pdeathsig KILL, unshare [-r] --ipc --pid --fork --kill-child
// --mount-proc), where lab.ts supervises the lab. The chain of deaths:
// this process dies -> setpriv's parent-death signal kills unshare ->
// --kill-child kills the namespace's init -> the kernel kills every process
// of the PID namespace -> the IPC namespace, and every object in it, is
// freed with its last process. Exit: 0 pass, 1 fail or deadlock, 2 a bad
// lab file or usage, 70 an error of the lab machinery, 128+N on signal N.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { helpers, ROOT } from './build.js';
import { LabError, loadLab, missingFile } from './schema.js';

const USAGE = `usage: wasi-sysv lab LAB.json [--json REPORT] [--trace DIR]
  Runs a teaching lab (see labs/README.md) in its own IPC and PID namespaces:
  every process of the lab file, its limits, its checks; prints a table.
  --json REPORT  also write the report as JSON
  --trace DIR    write DIR/trace.txt: every sysv call of every wasm guest,
                 one timeline, strace-style with pid and seconds since start`;

const INNER = 'WASI_SYSV_LAB_INNER';

function say(line: string): void { fs.writeSync(2, `wasi-sysv lab: ${line}\n`); }

interface Args { lab: string; json?: string; trace?: string }

function parse(argv: string[]): Args | string {
  const out: Partial<Args> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = () => { const v = argv[++i]; if (v === undefined) throw new Error(`${a} needs a value`); return v; };
    try {
      if (a === '--json') out.json = path.resolve(value());
      else if (a === '--trace') out.trace = path.resolve(value());
      else if (a.startsWith('--')) return `unknown option ${a}`;
      else if (out.lab) return `one lab file at a time (got ${out.lab} and ${a})`;
      else out.lab = a;
    } catch (e: any) { return e.message; }
  }
  if (!out.lab) return 'which lab? wasi-sysv lab LAB.json';
  return out as Args;
}

/** The outer process: runs the inner one in fresh namespaces and passes signals on. */
function reexec(argv: string[]): Promise<number> {
  const ns = process.getuid?.() === 0 ? [] : ['-r'];
  const cmd = ['--pdeathsig', 'KILL', '--', 'unshare', ...ns, '--ipc', '--pid', '--fork', '--kill-child', '--mount-proc', '--',
    process.execPath, path.join(ROOT, 'bin/wasi-sysv.js'), 'lab', ...argv];
  return new Promise((resolve) => {
    const child = spawn('setpriv', cmd, { stdio: 'inherit', env: { ...process.env, [INNER]: '1' } });
    // unshare ignores SIGINT and SIGTERM while it waits: signal its child,
    // the namespace's init, directly.
    const pass = (sig: NodeJS.Signals) => {
      try {
        const kids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
        for (const k of kids) process.kill(Number(k), sig);
      } catch { /* already gone */ }
    };
    const sigs = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
    for (const s of sigs) process.on(s, pass);
    child.on('error', (e) => { say(`cannot run setpriv/unshare (${e.message}): install util-linux`); resolve(70); });
    child.on('close', (code, signal) => {
      for (const s of sigs) process.off(s, pass);
      resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 } as Record<string, number>)[signal] ?? 0) : 70));
    });
  });
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') { fs.writeSync(1, USAGE + '\n'); return 0; }
  const a = parse(argv);
  if (typeof a === 'string') { say(a); fs.writeSync(2, USAGE + '\n'); return 2; }
  let lab;
  try {
    lab = loadLab(a.lab);
  } catch (e) {
    if (e instanceof LabError) { for (const l of e.lines) fs.writeSync(2, l + '\n'); return 2; }
    throw e;
  }
  const missing = missingFile(lab);
  if (missing) { fs.writeSync(2, missing + '\n'); return 2; }
  let tools;
  try { tools = helpers(); } catch (e: any) { say(e.message); return 70; }

  if (process.env[INNER] !== '1' || process.pid !== 1) {
    const inner = [path.resolve(a.lab), ...(a.json ? ['--json', a.json] : []), ...(a.trace ? ['--trace', a.trace] : [])];
    return reexec(inner);
  }
  const { supervise, formatReport } = await import('./lab.js');
  const report = await supervise(lab, { helpers: tools, ...(a.json ? { jsonPath: a.json } : {}), ...(a.trace ? { traceDir: a.trace } : {}) });
  fs.writeSync(1, formatReport(report) + '\n');
  // As the namespace's init: whatever is still running goes now.
  try { process.kill(-1, 'SIGKILL'); } catch { /* nothing left */ }
  if (report.why.startsWith('stopped by ')) {
    const sig = report.why.slice('stopped by '.length);
    return 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as Record<string, number>)[sig] ?? 0);
  }
  return report.verdict === 'pass' ? 0 : report.verdict === 'error' ? 70 : 1;
}
