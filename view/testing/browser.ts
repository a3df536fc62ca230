// The tests' and the screenshot script's browser: Debian's chromium
// (/usr/bin/chromium, or WASI_SYSV_CHROMIUM), headless, driven by
// playwright-core (a devDependency: this module is not in the npm package),
// with a fresh profile directory each time and nothing that reaches the
// network on its own. Never a browser download.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.WASI_SYSV_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface Browser { page(url: string): Promise<Page>; close(): Promise<void> }

/** Starts the browser; throws one line for people when chromium is missing. */
export async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`chromium is missing (${CHROMIUM}): install Debian's chromium package (.ci/run does), or set WASI_SYSV_CHROMIUM`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-chromium-'));
  let ctx: BrowserContext;
  try {
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    async page(url) { const p = await ctx.newPage(); await p.goto(url); return p; },
    async close() { await ctx.close(); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}
