// The live view's page: connects to the server's event stream (the whole
// state, then patches), and draws the processes, the semaphore sets, the
// wait-for graph (graph.ts), the segments with a live hex + ASCII view of a
// chosen range, and the timeline (timeline.ts). It only reads: there is no
// route that changes anything. Rendering is coalesced to one per frame.
import type { ViewPatch, ViewState } from './protocol.js';
import { drawGraph } from './graph.js';
import { Timeline } from './timeline.js';
import { $, esc, hexKey } from './util.js';

let state: ViewState | null = null;
/** The range each segment shows (by id), when not the default first 256 bytes. */
const chosen = new Map<number, { off: number; len: number }>();
const rangeOf = (id: number) => chosen.get(id) ?? { off: 0, len: 256 };

const labelOf = (pid: number | null): string => {
  const p = state?.processes.find((q) => q.pid === pid);
  return p ? p.label : `pid ${pid ?? '?'}`;
};
const timeline = new Timeline($<SVGSVGElement>('#timeline'), $('#timeline-box'), $('#hover'), labelOf);
$('#zoom-in').addEventListener('click', () => timeline.zoom(1.5));
$('#zoom-out').addEventListener('click', () => timeline.zoom(1 / 1.5));
$('#zoom-fit').addEventListener('click', () => timeline.fit());

let source: EventSource | null = null;
function connect(): void {
  source?.close();
  const ranges = [...chosen].map(([id, r]) => `${id}:${r.off}:${r.len}`).join(',');
  source = new EventSource(`events${ranges ? `?ranges=${encodeURIComponent(ranges)}` : ''}`);
  source.addEventListener('state', (ev) => { state = JSON.parse((ev as MessageEvent).data); schedule(); });
  source.addEventListener('patch', (ev) => {
    if (!state) return;
    const p: ViewPatch = JSON.parse((ev as MessageEvent).data);
    Object.assign(state, p.set);
    if (p.calls && p.callsFrom !== undefined && p.callsFrom <= state.calls.length) state.calls.push(...p.calls.slice(state.calls.length - p.callsFrom));
    schedule();
  });
  source.addEventListener('error', () => {
    if (state?.status === 'done') { source?.close(); $('#status').textContent = `${state.verdict ?? 'done'} (the server has stopped)`; }
    else $('#status').textContent = 'reconnecting…';
  });
}

let pending = false;
function schedule(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => { pending = false; if (state) render(state); });
}

const stateCell = (s: ViewState, p: ViewState['processes'][number]): string => {
  if (p.state === 'exited') {
    const bad = p.verdict !== 'ok';
    return `<span class="st-exited">exited</span>: <span class="${bad ? 'v-bad' : 'v-ok'} verdict">${esc(p.verdict)}</span>` +
      `${p.exit !== null && p.exit !== 0 ? ` (${p.exit})` : ''}${p.why ? ` <span class="why">${esc(p.why)}</span>` : ''}`;
  }
  if (p.state === 'blocked' && p.wait) {
    const ops = p.wait.ops.map((o) => `sem ${o.num} ${o.op > 0 ? '+' : ''}${o.op}${o.op === 0 ? ' (wait for 0)' : ''}`).join(', ') || 'ops unknown';
    return `<span class="st-blocked">blocked in semop</span> on set ${esc(hexKey(p.wait.key))} (id ${p.wait.semid}): <span class="ops">${esc(ops)}</span>`;
  }
  return `<span class="st-${p.state}">${p.state}</span>`;
};

function callsAt(pid: number | null, t: number | null, total: number | null): string {
  if (total === null) return '–';
  if (t === null || !state) return String(total);
  return String(state.calls.filter((c) => c.pid === pid && c.t <= t).length);
}

function renderHex(b: ViewState['bytes'][string] | undefined): string {
  if (!b) return '<pre class="hex">(reading…)</pre>';
  if (b.error || b.hex === undefined) return `<pre class="hex">${esc(b.error ?? 'not readable')}</pre>`;
  const rows: string[] = [];
  for (let i = 0; i < b.hex.length / 2; i += 16) {
    const bytes = [...Array(Math.min(16, b.hex.length / 2 - i))].map((_, j) => parseInt(b.hex!.substr((i + j) * 2, 2), 16));
    const hex = bytes.map((x) => x.toString(16).padStart(2, '0')).join(' ');
    const ascii = bytes.map((x) => (x >= 32 && x < 127 ? String.fromCharCode(x) : '.')).join('');
    rows.push(`${(b.off + i).toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  const i32 = b.hex.length >= 8 ? new DataView(new Uint8Array(b.hex.slice(0, 8).match(/../g)!.map((x) => parseInt(x, 16))).buffer).getInt32(0, true) : null;
  return `<pre class="hex">${esc(rows.join('\n')) || '(empty range)'}</pre>` +
    (i32 !== null ? `<div>as i32 at offset ${b.off}: <span class="i32">${i32}</span></div>` : '');
}

function render(s: ViewState): void {
  $('#lab').textContent = s.lab;
  $('#mode').textContent = s.mode === 'live' ? 'live' : 'replay';
  const status = $('#status');
  status.className = `tag ${s.status === 'running' ? 'running' : s.verdict ?? ''}`;
  status.textContent = s.status === 'running' ? 'running' : `${(s.verdict ?? 'done').toUpperCase()}`;
  $('#clock').textContent = `${(s.now / 1000).toFixed(1)} s`;
  $('#why').textContent = s.why;
  const banner = $('#banner');
  banner.hidden = s.cycle.length === 0 && s.verdict !== 'deadlock';
  banner.textContent = s.verdict === 'deadlock' ? `DEADLOCK: ${s.why}. The wait-for cycle: ${s.cycle.map(labelOf).join(' → ')}${s.cycle.length ? ` → ${labelOf(s.cycle[0]!)}` : ''}`
    : `A wait-for cycle: ${s.cycle.map(labelOf).join(' → ')} → ${labelOf(s.cycle[0] ?? null)} (a deadlock if nothing changes)`;

  const cursor = s.mode === 'replay' ? timeline.cursor : null;
  $('#processes tbody').innerHTML = s.processes.map((p) =>
    `<tr data-label="${esc(p.label)}" data-state="${p.state}" class="${s.cycle.includes(p.pid ?? -1) ? 'in-cycle' : ''}"><td>${esc(p.label)}${p.wasm ? '' : ' <span class="why">native</span>'}</td>` +
    `<td class="num pid">${p.pid ?? '–'}</td><td class="state">${stateCell(s, p)}</td><td class="num calls">${callsAt(p.pid, cursor, p.calls)}</td></tr>`).join('');

  $('#sems').innerHTML = s.sems.length === 0 ? '<p class="why">no semaphore set</p>' : s.sems.map((set) => {
    const waiting = s.processes.filter((p) => p.wait?.semid === set.id);
    return `<div class="set" data-key="${set.key}" data-id="${set.id}"><h3>set ${esc(hexKey(set.key))} <span class="why">id ${set.id}, ${set.nsems} semaphore(s)</span></h3>` +
      '<table><thead><tr><th>sem</th><th>value</th><th>semncnt</th><th>semzcnt</th><th>changed last by</th></tr></thead><tbody>' +
      set.sems.map((x, i) => `<tr data-num="${i}"><td>${i}</td><td class="num value">${x.value}</td><td class="num ncnt">${x.ncnt}</td><td class="num zcnt">${x.zcnt}</td><td class="sempid">${x.pid ? esc(labelOf(x.pid)) : '–'}</td></tr>`).join('') +
      '</tbody></table>' +
      (waiting.length ? `<div class="waiters">waiting: ${waiting.map((p) => `${esc(p.label)} → ${p.wait!.ops.map((o) => `sem ${o.num} ${o.op > 0 ? '+' : ''}${o.op}`).join(', ')}`).join('; ')}</div>` : '') + '</div>';
  }).join('');

  const shmBox = $('#shms');
  // Keep the range inputs the user is typing in: rebuild only the parts that show data.
  for (const seg of s.shms) {
    let div = shmBox.querySelector<HTMLElement>(`.seg[data-id="${seg.id}"]`);
    if (!div) {
      div = document.createElement('div');
      div.className = 'seg';
      div.dataset.id = String(seg.id);
      div.dataset.key = String(seg.key);
      const r = rangeOf(seg.id);
      div.innerHTML = '<h3></h3><div class="meta"></div>' +
        `<div class="range">bytes from <input class="off" type="number" min="0" value="${r.off}"> length <input class="len" type="number" min="1" max="4096" value="${r.len}"> <button class="show">show</button></div><div class="bytes"></div>`;
      div.querySelector('.show')!.addEventListener('click', () => {
        const off = Math.max(0, Number(div!.querySelector<HTMLInputElement>('.off')!.value) | 0);
        const len = Math.min(4096, Math.max(1, Number(div!.querySelector<HTMLInputElement>('.len')!.value) | 0));
        if (off === 0 && len === 256) chosen.delete(seg.id); else chosen.set(seg.id, { off, len });
        connect();
      });
      shmBox.appendChild(div);
    }
    div.querySelector('h3')!.innerHTML = `segment ${esc(hexKey(seg.key))} <span class="why">id ${seg.id}</span>`;
    div.querySelector('.meta')!.innerHTML = `size <b>${seg.size}</b> bytes, nattch <b class="nattch">${seg.nattch}</b>` +
      `${seg.attached.length ? `, attached by ${seg.attached.map((p) => esc(labelOf(p))).join(', ')}` : ''}`;
    const r = rangeOf(seg.id);
    div.querySelector('.bytes')!.innerHTML = renderHex(s.bytes[`${seg.id}:${r.off}:${r.len}`] ?? (s.mode === 'replay' ? { id: seg.id, off: r.off, len: 0, error: 'not in a report' } : undefined));
  }
  for (const div of [...shmBox.querySelectorAll<HTMLElement>('.seg')]) if (!s.shms.some((x) => String(x.id) === div.dataset.id)) div.remove();
  let none = shmBox.querySelector('.none');
  if (s.shms.length === 0 && !none) { none = document.createElement('p'); none.className = 'why none'; none.textContent = 'no segment'; shmBox.appendChild(none); }
  if (s.shms.length > 0) none?.remove();

  drawGraph($<SVGSVGElement>('#graph'), s, labelOf);
  timeline.draw(s);
  $('#deadlock-panel').hidden = !s.deadlock;
  $('#deadlock').textContent = s.deadlock ?? '';
  $('#notes').textContent = s.notes.join(' · ');
  if (s.mode === 'replay') setupReplay(s);
  document.body.dataset.status = s.status;
}

let replayReady = false;
function setupReplay(s: ViewState): void {
  if (replayReady) return;
  replayReady = true;
  $('#replay-ctl').hidden = false;
  const input = $<HTMLInputElement>('#cursor');
  const show = () => {
    timeline.cursor = (Number(input.value) / 1000) * s.now;
    $('#cursor-t').textContent = `${(timeline.cursor / 1000).toFixed(2)} s`;
    schedule();
  };
  input.addEventListener('input', show);
  let timer: number | undefined;
  $('#play').addEventListener('click', () => {
    clearInterval(timer);
    input.value = '0';
    timer = window.setInterval(() => {
      input.value = String(Math.min(1000, Number(input.value) + 10));
      show();
      if (input.value === '1000') clearInterval(timer);
    }, 50);
  });
  show();
}

connect();
