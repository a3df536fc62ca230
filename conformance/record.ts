// The recorded matrix (docs/implementations.json, written by --json) and the
// comparison of a run with it (--expect): a case whose cell on a judged
// target (gVisor, qemu-user, ...) changed, on either side, is one line
// naming the case, the target, what was recorded and what the run gave.
import type { RunnerResult, TargetResult } from './suite.js';

export interface MatrixDoc {
  error?: string;
  targets?: Array<{ name: string; about?: string; version?: string; own?: boolean; pass: number; differ: number; na: number; missing: number; skip: number; seconds: number }>;
  cases: Array<{
    name: string;
    group: string;
    agree: boolean;
    native: RunnerResult;
    wasm: RunnerResult;
    file: string;
    why?: string;
    results?: Record<string, TargetResult>;
    runs?: Record<string, RunnerResult>;
  }>;
  /** With --expect: the lines of compareWithRecord. */
  changes?: string[];
}

const show = (r: TargetResult | undefined) => (r ? `${r.status}${r.why ? ` (${r.why})` : ''}` : 'absent');

/**
 * The cells of `targets` in `run` that differ from `record`, one line each.
 * Cells this machine skipped are not compared (they say nothing about the
 * implementation), nor are recorded cases the run did not include (--filter).
 */
export function compareWithRecord(run: MatrixDoc, record: MatrixDoc, targets: string[]): string[] {
  const lines: string[] = [];
  const recorded = new Map(record.cases.map((c) => [c.name, c]));
  const recordedTargets = new Set((record.targets ?? []).map((t) => t.name));
  for (const t of targets) {
    if (!recordedTargets.has(t)) { lines.push(`${t}: no column for this target in the record`); continue; }
    for (const c of run.cases) {
      const now = c.results?.[t];
      if (!now || now.status === 'skip') continue;
      const rc = recorded.get(c.name);
      if (!rc) { lines.push(`${t}: ${c.name}: not in the record (now ${show(now)})`); continue; }
      const was = rc.results?.[t];
      if (was?.status === 'skip') continue;
      if (!was || was.status !== now.status || (was.why ?? '') !== (now.why ?? '')) {
        lines.push(`${t}: ${c.name}: recorded ${show(was)}, now ${show(now)}`);
      }
    }
  }
  return lines;
}
