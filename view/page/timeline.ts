// The timeline, in SVG: a lane per process, each sysv call a mark at the
// time the supervisor read its trace line (hover: its strace line), each
// interval blocked in semop a bar. Zoom: the mouse wheel (around the
// pointer) and the -, + and fit buttons. In a replay, a cursor: the calls
// after it are pale.
import type { ViewState } from './protocol.js';
import { esc } from './util.js';

const LABEL_W = 130, LANE_H = 24, TOP = 22;

export class Timeline {
  /** Pixels per millisecond; null: fit the whole lab into the box. */
  scale: number | null = null;
  cursor: number | null = null;
  private last: ViewState | null = null;

  constructor(private svg: SVGSVGElement, private box: HTMLElement, private hover: HTMLElement, private labelOf: (pid: number | null) => string) {
    box.addEventListener('wheel', (ev) => {
      ev.preventDefault();
      // The time under the pointer, from where the drawing is now (not from
      // offsetX: on an SVG shape it is whole pixels in Firefox, and the
      // call under the pointer drifted a pixel or two at each step).
      const mouseT = (ev.clientX - this.svg.getBoundingClientRect().left - LABEL_W) / this.px();
      this.zoom(ev.deltaY < 0 ? 1.25 : 0.8);
      const contentLeft = this.box.getBoundingClientRect().left + this.box.clientLeft;
      this.box.scrollLeft = Math.max(0, contentLeft + LABEL_W + mouseT * this.px() - ev.clientX);
    }, { passive: false });
    svg.addEventListener('mouseover', (ev) => {
      const t = ev.target as Element;
      const line = t.getAttribute?.('data-line');
      if (line) this.hover.textContent = line;
    });
  }

  private width(): number { return Math.max(200, this.box.clientWidth - 4); }

  private px(): number {
    const span = Math.max(this.last?.now ?? 1, 1);
    return this.scale ?? (this.width() - LABEL_W - 10) / span;
  }

  zoom(f: number): void {
    this.scale = Math.min(50, Math.max(1e-4, this.px() * f));
    if (this.last) this.draw(this.last);
  }

  fit(): void { this.scale = null; if (this.last) this.draw(this.last); }

  draw(s: ViewState): void {
    this.last = s;
    const px = this.px();
    const lanes = s.processes.filter((p) => p.pid !== null);
    const end = Math.max(s.now, ...s.calls.map((c) => c.t), 1);
    const w = Math.max(this.width(), LABEL_W + end * px + 20);
    const h = TOP + lanes.length * LANE_H + 6;
    const laneOf = new Map(lanes.map((p, i) => [p.pid!, i]));
    const x = (t: number) => (LABEL_W + t * px).toFixed(1);
    const out: string[] = [];
    // Axis: about one tick per 100 px, at a round number of ms.
    const step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000].find((v) => v * px >= 90) ?? 60000;
    for (let t = 0; t <= end; t += step) out.push(`<text class="axis" x="${x(t)}" y="12">${t >= 1000 ? `${(t / 1000).toFixed(t % 1000 ? 1 : 0)} s` : `${t} ms`}</text>`);
    lanes.forEach((p, i) => {
      const y = TOP + i * LANE_H;
      out.push(`<rect class="lane" x="${LABEL_W}" y="${y + 2}" width="${w - LABEL_W}" height="${LANE_H - 4}"/>`,
        `<text class="lane-label" x="4" y="${y + LANE_H / 2}">${esc(p.label)} ${p.pid}</text>`);
    });
    for (const b of s.blocked) {
      const i = laneOf.get(b.pid);
      if (i === undefined) continue;
      const to = b.to ?? s.now;
      out.push(`<rect class="bar" data-pid="${b.pid}" x="${x(b.from)}" y="${TOP + i * LANE_H + 4}" width="${Math.max(2, (to - b.from) * px).toFixed(1)}" height="${LANE_H - 8}"><title>${esc(this.labelOf(b.pid))} blocked in semop ${(b.from / 1000).toFixed(2)}-${b.to === null ? 'now' : (to / 1000).toFixed(2) + ' s'}</title></rect>`);
    }
    for (const c of s.calls) {
      const i = laneOf.get(c.pid);
      if (i === undefined) continue;
      const kind = c.line.startsWith('sh') ? ' shm' : '';
      const err = / = -1 /.test(c.line) ? ' err' : '';
      const later = this.cursor !== null && c.t > this.cursor ? ' later' : '';
      const text = `${this.labelOf(c.pid)} pid ${c.pid} at ${(c.t / 1000).toFixed(4)} s: ${c.line}`;
      out.push(`<rect class="mark${kind}${err}${later}" x="${(LABEL_W + c.t * px - 1).toFixed(1)}" y="${TOP + i * LANE_H + 3}" width="3" height="${LANE_H - 6}" data-line="${esc(text)}"><title>${esc(text)}</title></rect>`);
    }
    if (this.cursor !== null) out.push(`<line class="cursor" x1="${x(this.cursor)}" x2="${x(this.cursor)}" y1="14" y2="${h}"/>`);
    this.svg.setAttribute('width', String(Math.ceil(w)));
    this.svg.setAttribute('height', String(h));
    this.svg.innerHTML = out.join('');
  }
}
