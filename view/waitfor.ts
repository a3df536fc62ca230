// The wait-for graph of a lab's semaphores, for the live view: each process
// blocked in semop waits on the semaphores its operations cannot pass yet,
// and for the process that changed each of them last (its sempid: for a
// semaphore used as a lock, the one holding it). A cycle of such waits
// among blocked processes is a deadlock's signature (the dining
// philosophers' ring). Pure: the same for a live lab and for a report.
import type { ViewSem, WaitEdge } from './page/protocol.js';

export interface Waiter { pid: number; semid: number; ops: Array<{ num: number; op: number; flg: number }> }

/** The edges: one per operation that cannot proceed now (needs more than the value, or zero). */
export function waitEdges(waiters: Waiter[], sems: ViewSem[]): WaitEdge[] {
  const edges: WaitEdge[] = [];
  for (const w of waiters) {
    const set = sems.find((s) => s.id === w.semid);
    for (const o of w.ops) {
      const sem = set?.sems[o.num];
      const stuck = !sem ? true : o.op < 0 ? sem.value < -o.op : o.op === 0 ? sem.value !== 0 : false;
      if (!stuck) continue;
      const holder = sem && sem.pid > 0 && sem.pid !== w.pid ? sem.pid : null;
      edges.push({ from: w.pid, to: holder, semid: w.semid, key: set?.key ?? null, num: o.num, op: o.op });
    }
  }
  return edges;
}

/** The processes on a cycle of the graph (the first one found, in order), or []. */
export function findCycle(edges: WaitEdge[]): number[] {
  const next = new Map<number, number[]>();
  for (const e of edges) if (e.to !== null) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const state = new Map<number, 1 | 2>(); // 1 on the path, 2 done
  const path: number[] = [];
  const visit = (n: number): number[] | null => {
    state.set(n, 1); path.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 1) return path.slice(path.indexOf(m));
      if (!state.has(m)) { const c = visit(m); if (c) return c; }
    }
    state.set(n, 2); path.pop();
    return null;
  };
  for (const n of [...next.keys()].sort((a, b) => a - b)) {
    if (!state.has(n)) { const c = visit(n); if (c) return c; }
  }
  return [];
}
