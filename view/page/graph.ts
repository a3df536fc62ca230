// The wait-for graph, in SVG: the lab's live processes on an outer ring, the
// semaphores they wait on on an inner ring; an arrow from a process to each
// semaphore it waits on, a dashed arrow from that semaphore to the process
// that changed it last (for a lock: its holder). Arrows and nodes on a
// wait-for cycle are red: a deadlock's ring.
import type { ViewState } from './protocol.js';
import { esc, hexKey } from './util.js';

const W = 560, H = 380, CX = W / 2, CY = H / 2;

export function drawGraph(svg: SVGSVGElement, s: ViewState, labelOf: (pid: number | null) => string): void {
  const cyc = new Set(s.cycle);
  const cycleEdge = (from: number, to: number | null) => {
    if (to === null) return false;
    const i = s.cycle.indexOf(from);
    return i >= 0 && s.cycle[(i + 1) % s.cycle.length] === to;
  };
  const pids = new Set<number>();
  for (const p of s.processes) if (p.pid !== null && (p.state !== 'exited' || s.edges.some((e) => e.from === p.pid || e.to === p.pid))) pids.add(p.pid);
  for (const e of s.edges) { pids.add(e.from); if (e.to !== null) pids.add(e.to); }
  const procs = [...pids].sort((a, b) => labelOf(a).localeCompare(labelOf(b), undefined, { numeric: true }));
  const semIds = [...new Set(s.edges.map((e) => `${e.semid}:${e.num}`))];
  if (procs.length === 0) {
    svg.innerHTML = `<text class="empty" x="${CX}" y="${CY}">no process is running</text>`;
    return;
  }
  const R = Math.min(W, H) / 2 - 34, r = R * 0.5;
  const at = (i: number, n: number, rad: number, shift = 0) => {
    const a = -Math.PI / 2 + (2 * Math.PI * (i + shift)) / Math.max(n, 1);
    return [CX + rad * Math.cos(a), CY + rad * Math.sin(a)] as const;
  };
  const pPos = new Map(procs.map((p, i) => [p, at(i, procs.length, R)]));
  // A semaphore sits between the process waiting on it and its holder, when both exist.
  const sPos = new Map(semIds.map((k, i) => {
    const e = s.edges.find((x) => `${x.semid}:${x.num}` === k)!;
    const a = pPos.get(e.from), b = e.to !== null ? pPos.get(e.to) : undefined;
    if (a && b) {
      const mx = (a[0] + b[0]) / 2 - CX, my = (a[1] + b[1]) / 2 - CY;
      const len = Math.hypot(mx, my) || 1;
      return [k, [CX + (mx / len) * r, CY + (my / len) * r] as const];
    }
    return [k, at(i, semIds.length, r, 0.5)];
  }));
  const trim = (x1: number, y1: number, x2: number, y2: number, d1: number, d2: number) => {
    const len = Math.hypot(x2 - x1, y2 - y1) || 1;
    const ux = (x2 - x1) / len, uy = (y2 - y1) / len;
    return `M${(x1 + ux * d1).toFixed(1)},${(y1 + uy * d1).toFixed(1)} L${(x2 - ux * d2).toFixed(1)},${(y2 - uy * d2).toFixed(1)}`;
  };
  const out: string[] = [
    '<defs>',
    ...['wait', 'hold', 'cycle'].map((k) => `<marker id="arrow-${k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="head-${k}" fill="${k === 'cycle' ? '#c0152f' : k === 'hold' ? '#2359a8' : '#c26a00'}"/></marker>`),
    '</defs>',
  ];
  for (const e of s.edges) {
    const k = `${e.semid}:${e.num}`;
    const [sx, sy] = sPos.get(k)!;
    const [px, py] = pPos.get(e.from)!;
    const inCycle = cycleEdge(e.from, e.to);
    out.push(`<path class="edge wait${inCycle ? ' cycle' : ''}" data-from="${e.from}" data-sem="${esc(k)}" d="${trim(px, py, sx, sy, 24, 20)}" marker-end="url(#arrow-${inCycle ? 'cycle' : 'wait'})"><title>${esc(labelOf(e.from))} waits: sem ${e.num} ${e.op > 0 ? '+' : ''}${e.op} on set ${hexKey(e.key)}</title></path>`);
    if (e.to !== null && pPos.has(e.to)) {
      const [hx, hy] = pPos.get(e.to)!;
      out.push(`<path class="edge hold${inCycle ? ' cycle' : ''}" data-sem="${esc(k)}" data-to="${e.to}" d="${trim(sx, sy, hx, hy, 20, 24)}" marker-end="url(#arrow-${inCycle ? 'cycle' : 'hold'})"><title>changed last by ${esc(labelOf(e.to))}</title></path>`);
    }
  }
  for (const k of semIds) {
    const [x, y] = sPos.get(k)!;
    const e = s.edges.find((x) => `${x.semid}:${x.num}` === k)!;
    const inCycle = s.edges.some((x) => `${x.semid}:${x.num}` === k && cycleEdge(x.from, x.to));
    const set = s.sems.find((x) => x.id === e.semid);
    const v = set?.sems[e.num]?.value;
    out.push(`<g class="sem${inCycle ? ' cycle' : ''}" data-sem="${esc(k)}"><rect x="${x - 34}" y="${y - 17}" width="68" height="34" rx="4"/>` +
      `<text x="${x}" y="${y - 6}">${esc(hexKey(e.key))}[${e.num}]</text><text x="${x}" y="${y + 8}">= ${v ?? '?'}</text></g>`);
  }
  for (const p of procs) {
    const [x, y] = pPos.get(p)!;
    const proc = s.processes.find((q) => q.pid === p);
    const cls = `proc${proc?.state === 'blocked' || s.edges.some((e) => e.from === p) ? ' blocked' : ''}${cyc.has(p) ? ' cycle' : ''}`;
    out.push(`<g class="${cls}" data-pid="${p}"><circle cx="${x}" cy="${y}" r="24"/><text x="${x}" y="${y - 5}">${esc(labelOf(p))}</text><text x="${x}" y="${y + 9}" class="pid">${p}</text></g>`);
  }
  svg.innerHTML = out.join('');
}
