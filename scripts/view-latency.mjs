#!/usr/bin/env node
// Measures how long a change in a lab takes to show on the live view's
// page: a counter lab with slow workers runs with --serve; this script reads
// the counter straight from a worker's memory (/proc/PID/mem of its mapping
// of the segment, every ~1 ms) and notes when each value appears there; the
// page (headless chromium, or firefox) notes when each value appears on it.
// Both use this machine's clock. Prints the median, 90th percentile and
// maximum.
// Usage: npm run build && unshare --ipc node scripts/view-latency.mjs [INCREMENTS] [chromium|firefox]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { openBrowser } = await import(path.join(root, 'dist/view/testing/browser.js'));
const { guest } = await import(path.join(root, 'dist/test/helpers.js'));
const n = Number(process.argv[2] ?? 60);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'view-latency-'));
const lab = path.join(tmp, 'lab.json');
fs.writeFileSync(lab, JSON.stringify({
  name: 'latency', limits: { wallSeconds: 120, shmmni: 8, semmni: 8 },
  processes: [
    { name: 'init', wasm: path.join(root, 'labs/counter/init.wasm'), args: ['1'], before: true },
    { name: 'worker', wasm: guest('view-lab'), args: ['slow', '0', String(n), '130'] },
  ],
  checks: [],
}));
// The browser first: Firefox takes seconds to start, and the lab would run meanwhile.
const browser = await openBrowser(process.argv[3] ?? 'chromium');
const child = spawn(process.execPath, [path.join(root, 'bin/wasi-sysv.js'), 'lab', lab, '--serve', '--linger', '5'], { stdio: ['ignore', 'ignore', 'pipe'] });
let err = '';
const url = await new Promise((resolve) => child.stderr.on('data', (d) => { err += d; const m = /(http:\/\/\S+\/)/.exec(err); if (m) resolve(m[1]); }));

const descendants = (pid) => {
  const kids = new Map();
  for (const p of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try { const ppid = Number(fs.readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]); kids.set(ppid, [...(kids.get(ppid) ?? []), Number(p)]); } catch {}
  }
  const out = []; const todo = [pid];
  while (todo.length) { const q = todo.pop(); for (const k of kids.get(q) ?? []) { out.push(k); todo.push(k); } }
  return out;
};
/** A worker's mapping of segment 0x1ab0: [pid, address]. */
function findMapping() {
  for (const p of descendants(child.pid)) {
    try {
      const line = fs.readFileSync(`/proc/${p}/maps`, 'utf8').split('\n').find((l) => l.includes('/SYSV00001ab0'));
      if (line) return [p, BigInt('0x' + line.split('-')[0])];
    } catch {}
  }
  return null;
}

const page = await browser.page(url);
await page.evaluate(() => {
  const seen = (window.seen = []);
  new MutationObserver(() => {
    const v = Number(document.querySelector('.seg .i32')?.textContent);
    if (!Number.isNaN(v) && seen.at(-1)?.[1] !== v) seen.push([Date.now(), v]);
  }).observe(document.body, { subtree: true, childList: true, characterData: true });
});
const kernel = new Map();
let m = null;
const buf = Buffer.alloc(4);
while (kernel.size < n) {
  m ??= findMapping();
  if (m) {
    try {
      const fd = fs.openSync(`/proc/${m[0]}/mem`, 'r');
      fs.readSync(fd, buf, 0, 4, m[1]);
      fs.closeSync(fd);
      const v = buf.readInt32LE(0);
      if (!kernel.has(v)) kernel.set(v, Date.now());
    } catch { if (kernel.size > 0) break; m = null; }
  }
  await new Promise((r) => setTimeout(r, 1));
}
await new Promise((r) => setTimeout(r, 500));
const seen = await page.evaluate(() => window.seen);
const lat = seen.filter(([, v]) => v > 0 && kernel.has(v)).map(([t, v]) => t - kernel.get(v)).sort((a, b) => a - b);
const q = (f) => lat[Math.min(lat.length - 1, Math.floor(f * lat.length))];
console.log(`${lat.length} changes of ${n} seen on the page; change to page: median ${q(0.5)} ms, p90 ${q(0.9)} ms, max ${lat.at(-1)} ms`);
await browser.close();
child.kill('SIGINT');
fs.rmSync(tmp, { recursive: true, force: true });
