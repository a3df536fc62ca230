#!/usr/bin/env node
// Turns the JSON of `wasi-sysv bench --json FILE` into an SVG chart: for each
// workload, the wasm guest's time relative to native C (the ratio, 1.0 is
// parity) and, for the handoffs, every peer's time relative to native C, on
// a log scale, with the issue's targets marked and the machine and date the
// numbers were measured on. Plain SVG text, no dependencies.
//
// Usage: node scripts/bench-chart.mjs [bench.json] [out.svg]
//        (defaults: out.json, docs/bench.svg)
import fs from 'node:fs';
import path from 'node:path';

const TARGETS = { 'handoff-1MiB': 1.05, 'handoff-64B': 1.10, 'semop-uncontended': 1.25, 'shmat-shmdt': 2.0 };
const COLORS = {
  wasm: '#1f6fb2', postMessage: '#c0841a', child_process: '#a33b3b', 'SAB+Atomics': '#3f8f4f', 'copy-shim': '#7a5aa8',
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
    return { r, bars };
  });
  const ratios = groups.flatMap((g) => g.bars.map((b) => b.ratio));
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
  out.push(`<text x="${x(1).toFixed(1)}" y="${top - 12}" text-anchor="middle" fill="#222">native</text>`);

  for (const row of rows) {
    const { r, bars } = row;
    out.push(`<text x="${left - 10}" y="${row.y + barH - 3}" text-anchor="end" font-weight="bold">${esc(r.name)}</text>`);
    out.push(`<text x="${left - 10}" y="${row.y + barH + 12}" text-anchor="end" fill="#666" font-size="11">${esc(`native ${num(r.native)} ${r.unit}`)}</text>`);
    bars.forEach((b, i) => {
      const by = row.y + i * (barH + gap);
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

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const [input = 'out.json', output = 'docs/bench.svg'] = process.argv.slice(2);
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
}
