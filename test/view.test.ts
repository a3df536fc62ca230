// The live view (view/, issue 11), in real browsers: Debian's chromium and
// Debian's firefox-esr, headless, both driven by puppeteer-core
// (view/testing/browser.ts); each browser test runs in both. Real labs run
// in their own namespaces with real guests; the page is checked against the
// lab's own JSON report. Without a browser, its tests fail with one line
// saying so.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, guest, start, test, type Running } from './helpers.js';
import { openBrowser, type Browser, type BrowserName } from '../view/testing/browser.js';
import type { Page } from 'puppeteer-core';
import { findCycle, waitEdges } from '../view/waitfor.js';
import { parseRanges } from '../view/server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'view-test-'));
const browsers = new Map<BrowserName, Promise<Browser>>();
/** One browser of each kind for the whole file, started when a test first needs it. */
const getBrowser = (name: BrowserName) => {
  if (!browsers.has(name)) browsers.set(name, openBrowser(name));
  return browsers.get(name)!;
};
test.after(async () => {
  for (const b of browsers.values()) await b.then((x) => x.close(), () => {});
  fs.rmSync(tmp, { recursive: true, force: true });
});
/** The text of the first element that matches, once there is one. */
async function text(page: Page, sel: string, timeout = 5_000): Promise<string> {
  const e = await page.waitForSelector(sel, { timeout });
  return (await e!.evaluate((x) => x.textContent)) ?? '';
}
const pause = (ms: number) => new Promise((res) => setTimeout(res, ms));

let n = 0;
function labFile(lab: unknown): string {
  const dir = path.join(tmp, `lab${++n}`);
  fs.mkdirSync(dir);
  const file = path.join(dir, 'lab.json');
  fs.writeFileSync(file, JSON.stringify(lab, null, 2));
  return file;
}

const INIT = path.join(ROOT, 'labs/counter/init.wasm');
const slowCounter = (workers: number, n: number, ms: number) => labFile({
  name: 'counter-slow', limits: { wallSeconds: 40, shmmni: 8, semmni: 8 },
  processes: [
    { name: 'init', wasm: INIT, args: [String(workers)], before: true },
    { name: 'worker', wasm: guest('view-lab'), count: workers, args: ['slow', '{i}', String(n), String(ms)] },
  ],
  checks: [{ process: 'worker', exit: 0 }],
});
/** The URL a serving command printed on stderr. */
async function urlOf(r: Running): Promise<string> {
  for (let i = 0; i < 400; i++) {
    const m = /(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/.exec(r.err());
    if (m) return m[1]!;
    if (r.child.exitCode !== null) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  throw new Error(`no URL printed:\n${r.err()}`);
}

const readJson = (f: string) => JSON.parse(fs.readFileSync(f, 'utf8'));

test('the wait-for graph: edges from each stuck operation to the semaphore\'s last changer, and its cycle', () => {
  const sems = [{ key: 1, id: 7, nsems: 3, sems: [{ value: 0, ncnt: 1, zcnt: 0, pid: 10 }, { value: 0, ncnt: 1, zcnt: 0, pid: 11 }, { value: 2, ncnt: 0, zcnt: 0, pid: 12 }] }];
  const edges = waitEdges([
    { pid: 10, semid: 7, ops: [{ num: 1, op: -1, flg: 0 }] },
    { pid: 11, semid: 7, ops: [{ num: 0, op: -1, flg: 0 }, { num: 2, op: -1, flg: 0 }] },
  ], sems);
  assert.equal(edges.map((e) => [e.from, e.to, e.num]), [[10, 11, 1], [11, 10, 0]], 'sem 2 (value 2) does not hold 11 up');
  assert.equal(findCycle(edges), [10, 11]);
  assert.equal(findCycle(edges.slice(0, 1)), [], 'one wait alone is no cycle');
  assert.equal(parseRanges('0:0:16,x,1:5:99999,2:8:4096'), ['0:0:16', '2:8:4096'], 'bad and over-long ranges are dropped');
});

for (const name of ['chromium', 'firefox'] as const) {
test(`${name}: a running lab: the page shows its processes and values, and the counter rises while it runs`, async () => {
  const b = await getBrowser(name);
  const file = slowCounter(3, 40, 40);
  const json = path.join(path.dirname(file), 'report.json');
  const r = start(process.execPath, [CLI, 'lab', file, '--json', json, '--serve', '--linger', '60']);
  const page = await b.page(await urlOf(r));
  // While it runs: the workers are there, and the counter (the segment's first i32) rises.
  await page.waitForSelector('tr[data-label="worker[2]"][data-state="running"], tr[data-label="worker[2]"][data-state="blocked"]', { timeout: 20_000 });
  const i32 = async () => Number(await text(page, '.seg .i32', 20_000));
  const seen: number[] = [];
  for (let i = 0; i < 30 && new Set(seen).size < 3; i++) {
    const v = await i32();
    if (seen.at(-1) !== v) seen.push(v);
    await pause(150);
  }
  assert.ok(new Set(seen).size >= 3, `the counter changed while the lab ran: ${seen}`);
  assert.ok(seen.every((v, i) => i === 0 || v > seen[i - 1]!), `and only rose: ${seen}`);
  assert.ok(seen.at(-1)! < 120, `seen before the end: ${seen}`);
  // At the end: the same processes, pids and values as the lab's own report.
  await page.waitForSelector('body[data-status="done"]', { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelectorAll('tr[data-state="exited"]').length === 4);
  const report = readJson(json);
  const rows = await page.$$eval('#processes tbody tr', (trs) => trs.map((t) => ({
    label: t.getAttribute('data-label'), pid: Number(t.querySelector('.pid')!.textContent), calls: Number(t.querySelector('.calls')!.textContent),
    verdict: t.querySelector('.verdict')?.textContent })));
  assert.equal(rows, report.processes.map((p: any) => ({ label: `${p.name}[${p.index}]`, pid: p.pid, calls: p.calls, verdict: p.verdict })));
  assert.is(await i32(), 120, 'the final count: 3 workers x 40');
  const values = await page.$$eval('.set .value', (tds) => tds.map((t) => Number(t.textContent)));
  assert.equal(values, report.ipc.sem[0].sems.map((s: any) => s.value));
  assert.match(await text(page, '#status'), /PASS/);
  assert.ok(await page.$$eval('#timeline .mark', (m) => m.length) >= report.processes.reduce((a: number, p: any) => a + p.calls, 0) - 2, 'a mark per call');
  await page.close();
  // Ctrl-C ends the serving; the exit status is still the lab's.
  r.child.kill('SIGINT');
  const end = await r.done;
  assert.is(end.code, 0, r.err());
}, 90_000);

test(`${name}: the broken philosophers lab: the page draws the wait-for cycle; its report and trace replay with wasi-sysv view`, async () => {
  const b = await getBrowser(name);
  const file = path.join(ROOT, 'labs/philosophers/broken.json');
  const dir = fs.mkdtempSync(path.join(tmp, 'phil-'));
  const json = path.join(dir, 'report.json');
  const r = start(process.execPath, [CLI, 'lab', file, '--json', json, '--trace', path.join(dir, 'trace'), '--serve', '--linger', '60']);
  const page = await b.page(await urlOf(r));
  // The cycle is drawn as soon as the philosophers block, before the diagnosis.
  await page.waitForFunction(() => document.querySelectorAll('#graph .proc.cycle').length === 5, { timeout: 20_000 });
  await page.waitForSelector('body[data-status="done"]', { timeout: 30_000 });
  const report = readJson(json);
  assert.is(report.verdict, 'deadlock');
  const pids = report.deadlock.processes.map((p: any) => p.pid).sort();
  const drawn = await page.$$eval('#graph .proc.cycle', (gs) => gs.map((g) => Number(g.getAttribute('data-pid'))));
  assert.equal(drawn.sort(), pids, 'the cycle is the deadlocked philosophers');
  assert.is(await page.$$eval('#graph .edge.wait.cycle', (e) => e.length), 5, 'each waits on a fork...');
  assert.is(await page.$$eval('#graph .edge.hold.cycle', (e) => e.length), 5, '...its neighbour took');
  assert.match(await text(page, '#banner'), /DEADLOCK/);
  assert.match(await text(page, '#deadlock'), /waits on set 0x9100/);
  await page.close();
  r.child.kill('SIGTERM');
  assert.is((await r.done).code, 1, 'a deadlock: exit 1');

  // The replay of the same lab.
  const v = start(process.execPath, [CLI, 'view', json, '--trace', path.join(dir, 'trace'), '--linger', '60']);
  const rp = await b.page('about:blank');
  const failed: string[] = [];
  rp.on('response', (res) => { if (res.status() !== 200) failed.push(`${res.status()} ${res.url()}`); });
  await rp.goto(await urlOf(v));
  await rp.waitForSelector('#processes tbody tr');
  assert.is(await text(rp, '#mode'), 'replay');
  const verdicts = await rp.$$eval('#processes tbody tr', (trs) => trs.map((t) => [t.getAttribute('data-label'), t.querySelector('.verdict')?.textContent]));
  assert.equal(verdicts, report.processes.map((p: any) => [`${p.name}[${p.index}]`, p.verdict]));
  const replayed = await rp.$$eval('#graph .proc.cycle', (gs) => gs.map((g) => Number(g.getAttribute('data-pid'))));
  assert.equal(replayed.sort(), pids);
  const lines = fs.readFileSync(path.join(dir, 'trace/trace.txt'), 'utf8').trim().split('\n');
  assert.is(await rp.$$eval('#timeline .mark', (m) => m.length), lines.length, 'a mark per trace line');
  // Hovering a mark shows its strace line.
  // (The last mark: marks read together overlap, and the last one drawn is on top.)
  const last = (await rp.$$('#timeline .mark')).at(-1)!;
  await last.hover();
  const shown = await text(rp, '#hover');
  assert.is(shown, await last.evaluate((e) => e.getAttribute('data-line')));
  assert.match(shown, /^phil\[\d\] pid \d+ at [0-9.]+ s: semop\(0, \[\{\d, -?[01], 0\}\], 1\) = 0$/, 'a philosopher\'s last call that returned');
  // The mouse wheel zooms around the pointer: the call under it stays under it
  // (to 6 px after six steps: scroll positions and Firefox's clientX are rounded;
  // before the fix, Firefox drifted 11-15 px). The pointer is at the call's
  // time (a mark starts 1 px before it). Each draw makes new marks: the mark
  // is found again by its line.
  const line = await rp.$$eval('#timeline .mark', (ms) => ms[Math.floor(ms.length / 2)]!.getAttribute('data-line')!);
  const centre = () => rp.$$eval('#timeline .mark', (ms, line) => {
    const r = ms.find((e) => e.getAttribute('data-line') === line)!.getBoundingClientRect();
    return { x: r.x + 1, y: r.y + r.height / 2 };
  }, line);
  const width = () => rp.$eval('#timeline', (svg) => Number(svg.getAttribute('width')));
  const at = await centre();
  await rp.mouse.move(at.x, at.y);
  const w0 = await width();
  for (let i = 0; i < 6; i++) await rp.mouse.wheel({ deltaY: -100 });
  // Six steps of x1.25: the lanes (all but the 150 px of labels and margin) 3.8 times as wide.
  await rp.waitForFunction((w0) => Number(document.querySelector('#timeline')!.getAttribute('width')) - 150 > (w0 - 150) * 3.7, {}, w0);
  const moved = (await centre()).x - at.x;
  assert.ok(Math.abs(moved) <= 6, `zoomed from ${w0} px to ${await width()} px: the mark under the pointer moved ${moved.toFixed(1)} px`);
  assert.equal(failed, [], 'every request of the page succeeded');
  await rp.close();
  v.child.kill('SIGINT');
  assert.is((await v.done).code, 130);
}, 90_000);
}

test('a wrong or missing token gets 403 on every route; nothing can be changed', async () => {
  const file = path.join(tmp, 'report.json');
  fs.writeFileSync(file, JSON.stringify({ lab: 'x', file: 'x.json', verdict: 'pass', why: '', wallMs: 5, processes: [], checks: [], deadlock: null, ipc: { shm: [], sem: [] } }));
  const v = start(process.execPath, [CLI, 'view', file, '--linger', '60']);
  const url = await urlOf(v);
  const base = url.replace(/\/[^/]+\/$/, '');
  const token = url.slice(base.length + 1, -1);
  // The altered token differs from the real one in its first character
  // (a token that starts with x once made x + token.slice(1) the token itself).
  for (const route of ['', 'events', 'state.json', 'main.js', 'style.css']) {
    for (const bad of [`${base}/${route}`, `${base}/${token[0] === 'x' ? 'y' : 'x'}${token.slice(1)}/${route}`, `${base}/${token.slice(0, -1)}/${route}`, `${base}/${route}?token=${token}`]) {
      const res = await fetch(bad);
      assert.is(res.status, 403, `${bad}`);
    }
    const ok = await fetch(`${url}${route}`, route === 'events' ? { signal: AbortSignal.timeout(2000) } : {});
    assert.is(ok.status, 200, `${route} with the token`);
    if (route !== 'events') await ok.text(); else await ok.body?.cancel();
  }
  for (const method of ['POST', 'PUT', 'DELETE']) assert.is((await fetch(`${url}state.json`, { method })).status, 405);
  v.child.kill('SIGINT');
  await v.done;
});

test('bad flags and a bad report: one line, exit 2', () => {
  const notReport = path.join(tmp, 'not-a-report.json');
  fs.writeFileSync(notReport, JSON.stringify({ lab: 'x', processes: [{ name: 1 }], ipc: { shm: [], sem: [] } }));
  const cases: Array<[string[], RegExp]> = [
    [['lab', slowCounter(1, 1, 1), '--linger', '5'], /--linger goes with --serve/],
    [['lab', slowCounter(1, 1, 1), '--serve', '--runs', '2'], /not with --runs/],
    [['lab', slowCounter(1, 1, 1), '--serve', '99999'], /port number/],
    [['view'], /which report/],
    [['view', path.join(tmp, 'none.json')], /no such file/],
    [['view', notReport], /not a lab report/],
  ];
  return Promise.all(cases.map(async ([args, re]) => {
    const r = start(process.execPath, [CLI, ...args]);
    const end = await r.done;
    assert.is(end.code, 2, `${args.join(' ')}: ${r.err()}`);
    assert.match(r.err().split('\n')[0]!, re);
  })).then(() => {});
});

test.run();
