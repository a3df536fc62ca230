#!/usr/bin/env node
// Turns the JSON of `wasi-sysv bench --json FILE` into an SVG chart: for each
// workload, the wasm guest's time relative to native C (the ratio, 1.0 is
// parity) and, for the handoffs, every peer's time relative to native C, on
// a log scale, with the issue's targets marked and the machine and date the
// numbers were measured on. Plain SVG text, no dependencies.
//
// A second chart draws the transfer-bound handoffs (touch-*): cost per
// handoff against buffer size, log-log, one line per variant.
//
// Usage: node scripts/bench-chart.mjs [bench.json] [out.svg] [touch.svg]
//        (defaults: out.json, docs/bench.svg, docs/bench-touch.svg)
import fs from 'node:fs';
import path from 'node:path';

const TARGETS = {
  'handoff-1MiB': 1.05, 'handoff-64B': 1.10, 'semop-uncontended': 1.25, 'shmat-shmdt': 2.0, startup: 2.0, rss: 1.5,
  'touch-4KiB': 1.10, 'touch-64KiB': 1.10, 'touch-1MiB': 1.10, 'touch-16MiB': 1.10, 'touch-64MiB': 1.10,
};
const COLORS = {
  native: '#222222', wasm: '#1f6fb2', postMessage: '#c0841a', child_process: '#a33b3b', 'SAB+Atomics': '#3f8f4f', 'copy-shim': '#7a5aa8',
  'call-floor': '#5a9bd5', 'host-syscalls': '#888888',
};
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

export function chart(doc) {
  const results = doc.results ?? [];
  // One bar per (workload, series): wasm first, then the peers.
  const groups = results.map((r) => {
    const bars = [];
    if (Number.isFinite(r.ratio)) bars.push({ series: 'wasm', ratio: r.ratio, value: r.wasm });
    for (const [p, v] of Object.entries(r.peers ?? {})) {
      if (Number.isFinite(v) && r.native > 0) bars.push({ series: p, ratio: v / r.native, value: v });
    }
    // A variant that failed every repeat keeps its place, marked FAILED.
    for (const [v, f] of Object.entries(r.failures ?? {})) {
      if (!r.stats?.[v] && v !== (r.baseline ?? 'native')) bars.push({ series: v, failed: true, why: f.reasons?.[0] ?? '' });
    }
    return { r, bars };
  });
  const ratios = groups.flatMap((g) => g.bars.filter((b) => !b.failed).map((b) => b.ratio));
  const lo = Math.min(0.5, ...ratios.map((x) => x / 1.2));
  const hi = Math.max(2.5, ...ratios.map((x) => x * 1.25));

  const W = 920, left = 178, right = 96, plotW = W - left - right;
  const barH = 15, gap = 3, groupGap = 16, top = 92;
  const x = (v) => left + (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) * plotW;
  let y = top;
  const rows = [];
  for (const g of groups) {
    const h = Math.max(2, g.bars.length) * (barH + gap) - gap;
    rows.push({ ...g, y, h });
    y += h + groupGap;
  }
  const plotBottom = y - groupGap + 8;
    // The 5x target: wasm bytes/s over each copying peer's at 1 MiB.
  const big = results.find((r) => r.name === 'handoff-1MiB');
  const factors = big ? ['postMessage', 'child_process', 'copy-shim']
    .filter((p) => Number.isFinite(big.peers?.[p]))
    .map((p) => `${(big.peers[p] / big.wasm).toFixed(2)}× ${p}`) : [];
  const H = plotBottom + (factors.length ? 92 : 74);

  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="17" font-weight="bold">wasi-sysv bench: time per operation relative to native C (lower is better, 1.0 = parity)</text>`);
  const m = doc.machine ?? {};
  const date = doc.date ? new Date(doc.date).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'unknown date';
  const load = Array.isArray(m.loadavg) ? `, load average ${m.loadavg[0].toFixed(2)} at start` : '';
  out.push(`<text x="16" y="46" fill="#444">${esc(`${m.cpu ?? 'unknown CPU'}, ${m.cores ?? '?'} cores, Node ${m.node ?? '?'}, ${m.kernel ?? ''}${load}`)}</text>`);
  out.push(`<text x="16" y="63" fill="#444">${esc(`measured ${date}, ${doc.quick ? '--quick run' : 'full run'}; median of interleaved repeats; ratio = median / native median`)}</text>`);

  // Grid and axis.
  const ticks = [0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200].filter((t) => t >= lo && t <= hi);
  for (const t of ticks) {
    const tx = x(t).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top - 8}" x2="${tx}" y2="${plotBottom}" stroke="${t === 1 ? '#222' : '#ddd'}" stroke-width="${t === 1 ? 1.5 : 1}"/>`);
    out.push(`<text x="${tx}" y="${plotBottom + 16}" text-anchor="middle" fill="#444">${t}×</text>`);
  }
  out.push(`<text x="${x(1).toFixed(1)}" y="${top - 12}" text-anchor="middle" fill="#222">native (startup, rss: node -e 0)</text>`);

  for (const row of rows) {
    const { r, bars } = row;
    out.push(`<text x="${left - 10}" y="${row.y + barH - 3}" text-anchor="end" font-weight="bold">${esc(r.name)}</text>`);
    out.push(`<text x="${left - 10}" y="${row.y + barH + 12}" text-anchor="end" fill="#666" font-size="11">${esc(`${r.baseline ?? 'native'} ${num(r.native)} ${r.unit}`)}</text>`);
    if (r.failures?.[r.baseline ?? 'native'] && !r.stats?.[r.baseline ?? 'native']) {
      out.push(`<text x="${x(1).toFixed(1)}" y="${row.y + barH - 3}" fill="#d11" font-size="11">${esc(`${r.baseline ?? 'native'} FAILED: no ratio`)}</text>`);
    }
    bars.forEach((b, i) => {
      const by = row.y + i * (barH + gap);
      if (b.failed) {
        out.push(`<text x="${(x(lo) + 4).toFixed(1)}" y="${by + barH - 3}" fill="#d11" font-size="11">${esc(`${b.series} FAILED`)}<title>${esc(b.why)}</title></text>`);
        return;
      }
      const x0 = x(lo), x1 = x(b.ratio);
      const color = COLORS[b.series] ?? '#888';
      out.push(`<rect x="${x0.toFixed(1)}" y="${by}" width="${Math.max(1, x1 - x0).toFixed(1)}" height="${barH}" fill="${color}" opacity="${b.series === 'wasm' ? 1 : 0.75}"><title>${esc(`${r.name} ${b.series}: ${num(b.value)} ${r.unit}, ${b.ratio.toFixed(3)}× native`)}</title></rect>`);
      out.push(`<text x="${(x1 + 5).toFixed(1)}" y="${by + barH - 3}" fill="#222" font-size="11">${esc(`${b.ratio.toFixed(2)}× ${b.series}`)}</text>`);
    });
    const t = TARGETS[r.name];
    if (t !== undefined) {
      const tx = x(t).toFixed(1);
      const met = r.ratio <= t;
      out.push(`<line x1="${tx}" y1="${row.y - 3}" x2="${tx}" y2="${row.y + barH + 3}" stroke="#d11" stroke-width="2" stroke-dasharray="3,2"/>`);
      out.push(`<text x="${W - 8}" y="${row.y + barH - 3}" text-anchor="end" font-size="11" fill="${met ? '#2a7a2a' : '#d11'}">${esc(`target ≤${t}: ${met ? 'met' : 'missed'}`)}</text>`);
    }
  }

  if (factors.length) {
    const all = factors.every((f) => parseFloat(f) >= 5);
    out.push(`<text x="16" y="${plotBottom + 40}" fill="${all ? '#2a7a2a' : '#d11'}">${esc(`handoff-1MiB, wasm bytes/s over each copying peer (target ≥5×): ${factors.join(', ')}`)}</text>`);
  }
  // Legend.
  const series = [...new Set(groups.flatMap((g) => g.bars.map((b) => b.series)))];
  let lx = 16;
  const ly = H - 24;
  for (const s of series) {
    out.push(`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${COLORS[s] ?? '#888'}"/>`);
    out.push(`<text x="${lx + 16}" y="${ly}">${esc(s === 'wasm' ? 'wasm guest (zero-copy windows)' : s)}</text>`);
    lx += 16 + 8 * (s === 'wasm' ? 31 : s.length) + 22;
  }
  out.push(`<line x1="${lx}" y1="${ly - 10}" x2="${lx}" y2="${ly + 2}" stroke="#d11" stroke-width="2" stroke-dasharray="3,2"/>`);
  out.push(`<text x="${lx + 6}" y="${ly}">target</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

const SIZE_LABEL = (b) => (b >= 1 << 20 ? `${b / (1 << 20)} MiB` : `${b / 1024} KiB`);

/** The touch-* results as a log-log chart: us per handoff against size, a line per variant. */
export function touchChart(doc) {
  const rs = (doc.results ?? []).filter((r) => r.name.startsWith('touch-') && r.size > 0).sort((a, b) => a.size - b.size);
  const variants = [...new Set(rs.flatMap((r) => r.variants ?? Object.keys(r.stats ?? {})))];
  const points = variants.map((v) => ({ v, pts: rs.filter((r) => Number.isFinite(r.stats?.[v]?.median)).map((r) => ({ size: r.size, y: r.stats[v].median, r })) }));
  const missing = rs.flatMap((r) => variants.filter((v) => !Number.isFinite(r.stats?.[v]?.median)).map((v) => `${v} at ${SIZE_LABEL(r.size)}`));
  const ys = points.flatMap((p) => p.pts.map((q) => q.y));
  const W = 920, H = 560, left = 80, right = 170, top = 80, bottom = 90;
  const out = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="16" y="26" font-size="17" font-weight="bold">wasi-sysv bench: transfer-bound handoffs (touch-*), time per handoff against size</text>`);
  const m = doc.machine ?? {};
  const date = doc.date ? new Date(doc.date).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'unknown date';
  out.push(`<text x="16" y="46" fill="#444">${esc(`${m.cpu ?? 'unknown CPU'}, ${m.cores ?? '?'} cores, Node ${m.node ?? '?'}; measured ${date}, ${doc.quick ? '--quick run' : 'full run'}${Array.isArray(m.loadavg) ? `, load average ${m.loadavg[0].toFixed(2)} at start` : ''}`)}</text>`);
  out.push(`<text x="16" y="63" fill="#444">writer stamps each 4 KiB page, reader checks each stamp; median us per handoff (log-log); lower is better</text>`);
  if (rs.length === 0 || ys.length === 0) {
    out.push(`<text x="16" y="100">no touch-* results in this run</text>`, '</svg>');
    return out.join('\n') + '\n';
  }
  const sx = [rs[0].size / 1.6, rs[rs.length - 1].size * 1.6];
  const decade = (v, f) => 10 ** f(Math.log10(v));
  const sy = [decade(Math.min(...ys), Math.floor), decade(Math.max(...ys), Math.ceil)];
  if (sy[0] === sy[1]) sy[1] *= 10;
  const plotW = W - left - right, plotH = H - top - bottom;
  const X = (v) => left + (Math.log(v) - Math.log(sx[0])) / (Math.log(sx[1]) - Math.log(sx[0])) * plotW;
  const Y = (v) => top + plotH - (Math.log(v) - Math.log(sy[0])) / (Math.log(sy[1]) - Math.log(sy[0])) * plotH;
  for (let d = sy[0]; d <= sy[1] * 1.001; d *= 10) {
    const ty = Y(d).toFixed(1);
    out.push(`<line x1="${left}" y1="${ty}" x2="${left + plotW}" y2="${ty}" stroke="#ddd"/>`);
    out.push(`<text x="${left - 6}" y="${(Y(d) + 4).toFixed(1)}" text-anchor="end" fill="#444">${d >= 1 ? d.toFixed(0) : d}</text>`);
  }
  for (const r of rs) {
    const tx = X(r.size).toFixed(1);
    out.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${top + plotH}" stroke="#eee"/>`);
    out.push(`<text x="${tx}" y="${top + plotH + 16}" text-anchor="middle" fill="#444">${SIZE_LABEL(r.size)}</text>`);
  }
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${left + plotW / 2}" y="${top + plotH + 36}" text-anchor="middle">buffer size (log)</text>`);
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle">us per handoff (log)</text>`);
  const labels = [];
  for (const { v, pts } of points) {
    if (!pts.length) continue;
    const color = COLORS[v] ?? '#888';
    const width = v === 'wasm' || v === 'native' ? 2.5 : 1.5;
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="${width}"${v === 'native' ? ' stroke-dasharray="5,3"' : ''} points="${pts.map((q) => `${X(q.size).toFixed(1)},${Y(q.y).toFixed(1)}`).join(' ')}"/>`);
    for (const q of pts) {
      out.push(`<circle cx="${X(q.size).toFixed(1)}" cy="${Y(q.y).toFixed(1)}" r="3.5" fill="${color}"><title>${esc(`${q.r.name} ${v}: ${num(q.y)} us per handoff${v !== 'native' && q.r.native > 0 ? `, ${(q.y / q.r.native).toFixed(2)}× native` : ''}`)}</title></circle>`);
    }
    const last = pts[pts.length - 1];
    labels.push({ y: Y(last.y) + 4, color, text: `${v === 'wasm' ? 'wasm guest' : v} ${num(last.y)}` });
  }
  // End labels, pushed apart where lines end close together.
  labels.sort((a, b) => a.y - b.y);
  for (let i = 1; i < labels.length; i++) labels[i].y = Math.max(labels[i].y, labels[i - 1].y + 14);
  for (const l of labels) out.push(`<text x="${left + plotW + 8}" y="${l.y.toFixed(1)}" fill="${l.color}">${esc(l.text)}</text>`);
  let ny = top + plotH + 58;
  const big = rs.filter((r) => r.size >= 16 << 20);
  for (const r of big) {
    const f = ['copy-shim', 'postMessage'].map((p) => {
      const x = r.stats?.[p]?.median / r.wasm;
      return Number.isFinite(x) ? `${x.toFixed(1)}× faster than ${p}` : `${p} failed`;
    });
    out.push(`<text x="16" y="${ny}" fill="#444">${esc(`${r.name}: wasm ${Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '-'}× native (target ≤1.10); wasm ${f.join(', ')} (target ≥10×)`)}</text>`);
    ny += 16;
  }
  if (missing.length) out.push(`<text x="16" y="${ny}" fill="#d11">${esc(`failed (no point drawn): ${missing.join(', ')}`)}</text>`);
  out.push('</svg>');
  return out.join('\n') + '\n';
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [input = 'out.json', output = 'docs/bench.svg', touchOut = 'docs/bench-touch.svg'] = process.argv.slice(2);
  let doc;
  try {
    doc = JSON.parse(fs.readFileSync(input, 'utf8'));
  } catch (e) {
    console.error(`bench-chart: cannot read ${input}: ${e.message}`);
    process.exit(1);
  }
  if (!Array.isArray(doc.results)) {
    console.error(`bench-chart: ${input} has no "results" array (expected the output of wasi-sysv bench --json)`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(output), { recursive: true });
  fs.writeFileSync(output, chart(doc));
  console.log(`wrote ${output}`);
  if (doc.results.some((r) => r.name.startsWith('touch-'))) {
    fs.mkdirSync(path.dirname(touchOut), { recursive: true });
    fs.writeFileSync(touchOut, touchChart(doc));
    console.log(`wrote ${touchOut}`);
  }
}
