// Child processes of the benchmark: spawned directly (no shell), output
// collected, killed (by their own pid) when they overrun, and their
// "key=value" output lines parsed.
import { spawn } from 'node:child_process';

export interface ProcResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Running {
  pid: number | undefined;
  done: Promise<ProcResult>;
  /** Called with each complete stdout line as it arrives. */
  onLine?: (line: string) => void;
  kill(): void;
}

export function start(cmd: string, args: string[], timeoutMs: number, onLine?: (line: string) => void): Running {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let pending = '';
  let timedOut = false;
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    stdout += d;
    if (!onLine) return;
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  child.stderr.on('data', (d: string) => { stderr += d; });
  const kill = () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); };
  const timer = setTimeout(() => { timedOut = true; kill(); }, timeoutMs);
  const done = new Promise<ProcResult>((resolve) => {
    child.on('error', (e) => { stderr += String(e.message); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return { pid: child.pid, done, kill };
}

/** The key=value pairs of a program's output (later ones win). */
export function fields(out: string): Record<string, string> {
  const f: Record<string, string> = {};
  for (const m of out.matchAll(/([A-Za-z_]+)=(\S+)/g)) f[m[1]!] = m[2]!;
  return f;
}

export function describeFailure(what: string, r: ProcResult): string {
  const how = r.timedOut ? 'timed out' : r.signal ? `killed by ${r.signal}` : `exit status ${r.code}`;
  const tail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
  return `${what}: ${how}${tail ? `: ${tail}` : ''}`;
}
