// The tests' and the scripts' browsers: Debian's chromium (/usr/bin/chromium,
// or WASI_SYSV_CHROMIUM) and Debian's firefox-esr (/usr/bin/firefox-esr, or
// WASI_SYSV_FIREFOX), headless, both driven by puppeteer-core (a
// devDependency: this module is not in the npm package; chromium through the
// DevTools protocol, Firefox through WebDriver BiDi, since only a patched
// Firefox can be driven by playwright), each with a fresh profile directory
// and nothing that reaches the network on its own. Never a browser download.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser as PBrowser, type Page } from 'puppeteer-core';

export type BrowserName = 'chromium' | 'firefox';

export const BROWSERS: Record<BrowserName, { path: string; env: string; pkg: string }> = {
  chromium: { path: process.env.WASI_SYSV_CHROMIUM ?? '/usr/bin/chromium', env: 'WASI_SYSV_CHROMIUM', pkg: 'chromium' },
  firefox: { path: process.env.WASI_SYSV_FIREFOX ?? '/usr/bin/firefox-esr', env: 'WASI_SYSV_FIREFOX', pkg: 'firefox-esr' },
};

// Debian's /usr/bin/chromium adds Google API keys and --enable-remote-extensions
// (/etc/chromium.d): without the resolver rule, it still looked up
// accounts.google.com, update.googleapis.com and clients2.google.com.
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'];

/** On top of puppeteer's own Firefox profile (no updates, safebrowsing, telemetry upload, add-on or blocklist fetches): the rest of Firefox's background connections. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.predictor.enabled': false,
  'browser.safebrowsing.provider.google4.updateURL': '',
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.server': '',
  'browser.ping-centre.telemetry': false,
  'app.shield.optoutstudies.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'geo.provider.network.url': '',
  'media.gmp-manager.url': '',
  'extensions.blocklist.enabled': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.topsites.contile.enabled': false,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  // Remote settings: a release build ignores another server unless MOZ_REMOTE_SETTINGS_DEVTOOLS=1 (set below).
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
};

export interface Browser { name: BrowserName; version: string; page(url: string): Promise<Page>; close(): Promise<void> }

/** Starts one browser; throws one line for people when it is missing. */
export async function openBrowser(name: BrowserName = 'chromium', viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const b = BROWSERS[name];
  if (!fs.existsSync(b.path)) throw new Error(`${name} is missing (${b.path}): install Debian's ${b.pkg} package (.ci/run does), or set ${b.env}`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), `wasi-sysv-${name}-`));
  let browser: PBrowser;
  try {
    browser = name === 'chromium'
      ? await puppeteer.launch({ browser: 'chrome', executablePath: b.path, headless: true, userDataDir: profile, args: CHROMIUM_ARGS, defaultViewport: viewport })
      : await puppeteer.launch({ browser: 'firefox', executablePath: b.path, headless: true, userDataDir: profile, extraPrefsFirefox: FIREFOX_PREFS, defaultViewport: viewport,
        env: { ...process.env, MOZ_REMOTE_SETTINGS_DEVTOOLS: '1' } });
  } catch (e) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  return {
    name,
    version: await browser.version(),
    async page(url) { const p = await browser.newPage(); await p.goto(url); return p; },
    async close() { await browser.close(); fs.rmSync(profile, { recursive: true, force: true }); },
  };
}
