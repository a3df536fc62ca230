#!/usr/bin/env node
// Makes the live view's screenshots for the README, with the tests' browser
// set-up (view/testing/browser.ts: Debian's chromium through puppeteer-core,
// headless, a fresh profile):
//   docs/view-live.png      a counter lab while it runs (three slow workers)
//   docs/view-deadlock.png  the broken philosophers lab, its cycle drawn
// Usage: npm run build && node scripts/view-screenshots.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { openBrowser } = await import(path.join(root, 'dist/view/testing/browser.js'));
const { guest } = await import(path.join(root, 'dist/test/helpers.js'));
const cli = path.join(root, 'bin/wasi-sysv.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'view-shots-'));

/** Starts `wasi-sysv lab FILE --serve --linger 60`; resolves its URL and the child. */
function serveLab(file) {
  const child = spawn(process.execPath, [cli, 'lab', file, '--serve', '--linger', '60'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (d) => {
      err += d;
      const m = /(http:\/\/\S+\/)/.exec(err);
      if (m) resolve({ url: m[1], child });
    });
    child.on('close', () => reject(new Error(`the lab ended without a URL:\n${err}`)));
  });
}

const browser = await openBrowser('chromium', { width: 1280, height: 1000 });
try {
  // A running counter: three workers, 200 increments each, 25 ms apart.
  const lab = path.join(tmp, 'counter-slow.json');
  fs.writeFileSync(lab, JSON.stringify({
    name: 'counter (slow workers)', limits: { wallSeconds: 60, shmmni: 8, semmni: 8 },
    processes: [
      { name: 'init', wasm: path.join(root, 'labs/counter/init.wasm'), args: ['3'], before: true },
      { name: 'worker', wasm: guest('view-lab'), count: 3, args: ['slow', '{i}', '200', '25'] },
    ],
    checks: [{ process: 'worker', exit: 0 }],
  }));
  let s = await serveLab(lab);
  let page = await browser.page(s.url);
  await page.waitForFunction(() => Number(document.querySelector('.seg .i32')?.textContent) > 150, { timeout: 30_000 });
  await page.screenshot({ path: path.join(root, 'docs/view-live.png'), fullPage: true });
  s.child.kill('SIGINT');

  s = await serveLab(path.join(root, 'labs/philosophers/broken.json'));
  page = await browser.page(s.url);
  await page.waitForSelector('body[data-status="done"]', { timeout: 30_000 });
  await page.screenshot({ path: path.join(root, 'docs/view-deadlock.png'), fullPage: true });
  s.child.kill('SIGINT');
  console.log('wrote docs/view-live.png and docs/view-deadlock.png');
} finally {
  await browser.close();
  fs.rmSync(tmp, { recursive: true, force: true });
}
