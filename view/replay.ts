// The view of a finished lab, from its JSON report (labs/lab.ts LabReport)
// and, when given, its trace (--trace DIR: DIR/trace.txt, lines
// "PID SECONDS call(args) = result"). What a report holds: each process's
// verdict, exit and calls, the objects left at the end (semaphore values,
// semncnt, semzcnt, sempid; segments without their bytes) and the deadlock
// picture. The bars of a deadlock's blocked processes run from their last
// call to the end; other blocked intervals are not in a report or a trace.
import fs from 'node:fs';
import path from 'node:path';
import type { LabReport } from '../labs/lab.js';
import type { ViewCall, ViewState } from './page/protocol.js';
import { findCycle, waitEdges } from './waitfor.js';

const TRACE = /^(\d+)\s+([0-9.]+)\s+(.*)$/;

export class ReplayError extends Error {}

/** Reads and checks a report; throws ReplayError with one line for people. */
export function loadReport(file: string): LabReport {
  let doc: any;
  try { doc = JSON.parse(fs.readFileSync(file, 'utf8')); } catch (e: any) {
    throw new ReplayError(e.code === 'ENOENT' ? `${file}: no such file (write one with wasi-sysv lab LAB.json --json ${file})`
      : `${file}: not a JSON lab report (${e.message})`);
  }
  if (doc && Array.isArray(doc.runs)) throw new ReplayError(`${file}: a race-hunting summary (--runs), not one lab's report: replay one run with --runs 1 --seed S --json FILE`);
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const ok = doc && typeof doc.lab === 'string' && Array.isArray(doc.processes) && doc.ipc && Array.isArray(doc.ipc.shm) && Array.isArray(doc.ipc.sem)
    && doc.processes.every((p: any) => p && typeof p.name === 'string' && num(p.index) && (p.pid === null || num(p.pid)))
    && doc.ipc.sem.every((s: any) => s && num(s.id) && Array.isArray(s.sems)) && doc.ipc.shm.every((s: any) => s && num(s.id) && num(s.size))
    && (doc.deadlock == null || (Array.isArray(doc.deadlock.processes) && Array.isArray(doc.deadlock.sets)));
  if (!ok) throw new ReplayError(`${file}: not a lab report (it needs lab, processes and ipc, as wasi-sysv lab --json writes)`);
  doc.wallMs = num(doc.wallMs) ? doc.wallMs : 0;
  return doc as LabReport;
}

/** Reads DIR/trace.txt (or the file itself); throws ReplayError when it is not a lab trace. */
export function loadTrace(dirOrFile: string): ViewCall[] {
  const file = fs.statSync(dirOrFile, { throwIfNoEntry: false })?.isDirectory() ? path.join(dirOrFile, 'trace.txt') : dirOrFile;
  let text: string;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e: any) { throw new ReplayError(`${file}: cannot read the trace (${e.code ?? e.message})`); }
  const calls: ViewCall[] = [];
  for (const [i, l] of text.split('\n').entries()) {
    if (!l.trim()) continue;
    const m = TRACE.exec(l);
    if (!m) throw new ReplayError(`${file}:${i + 1}: not a lab trace line ("PID SECONDS call(...) = result")`);
    calls.push({ pid: Number(m[1]), t: Math.round(Number(m[2]) * 10000) / 10, line: m[3]! });
  }
  return calls;
}

export function replayState(r: LabReport, calls: ViewCall[] | null): ViewState {
  const dl = r.deadlock;
  const edges = dl ? waitEdges(dl.processes.map((p) => ({ pid: p.pid, semid: p.semid, ops: p.ops })), dl.sets) : [];
  const end = Math.max(r.wallMs, ...((calls ?? []).map((c) => c.t)));
  const blocked = (dl?.processes ?? []).map((p) => {
    const last = (calls ?? []).filter((c) => c.pid === p.pid).pop();
    return { pid: p.pid, from: last ? last.t : 0, to: end, semid: p.semid };
  });
  const notes = ['a replay: segment bytes are not in a report (watch them live with wasi-sysv lab LAB.json --serve)'];
  if (!calls) notes.push('no trace given: the timeline is empty (run the lab with --trace DIR, then view REPORT --trace DIR)');
  return {
    mode: 'replay', lab: r.lab, file: r.file, status: 'done', verdict: r.verdict, why: r.why, now: end,
    processes: r.processes.map((p) => {
      const w = dl?.processes.find((d) => d.pid === p.pid);
      return {
        label: `${p.name}[${p.index}]`, name: p.name, index: p.index, pid: p.pid, wasm: p.calls !== null, state: 'exited' as const,
        wait: w ? { semid: w.semid, key: w.key, ops: w.ops } : null,
        verdict: p.verdict, exit: p.exit, why: p.why, calls: p.calls,
      };
    }),
    sems: dl ? [...r.ipc.sem.filter((s) => !dl.sets.some((d) => d.id === s.id)), ...dl.sets].sort((a, b) => a.id - b.id) : r.ipc.sem,
    shms: r.ipc.shm.map((s) => ({ ...s, attached: [] })),
    bytes: {}, edges, cycle: dl?.cycle ? dl.cycle.map((c) => c.pid) : findCycle(edges), deadlock: dl?.text ?? null,
    calls: calls ?? [], blocked, notes,
  };
}
