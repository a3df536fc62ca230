// The live view's web server: Node's own http module, read-only. Every
// route lives under /TOKEN/ (a random token from crypto.randomBytes, in the
// URL it prints), so that other users of the machine cannot read a
// student's lab; any other path, a wrong token included, gets 403, the
// event stream and the assets alike. Routes (GET or HEAD only):
//   /TOKEN/             the page (view/page/index.html)
//   /TOKEN/main.js ...  the page's compiled scripts (dist/view/www) and style
//   /TOKEN/events       server-sent events: "state" (everything) on connect,
//                       then "patch" on every change; ?ranges=ID:OFF:LEN,...
//                       asks for those segment ranges to be read too
//   /TOKEN/state.json   the state now, as JSON
// Nothing here can change an IPC object or the lab: the source is only read.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ViewPatch, ViewState } from './page/protocol.js';
import { MAX_RANGE } from './collector.js';

const HERE = path.dirname(fileURLToPath(import.meta.url)); // dist/view
const ROOT = path.resolve(HERE, '../..');
const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: path.join(ROOT, 'view/page/index.html'), type: 'text/html; charset=utf-8' },
  'style.css': { file: path.join(ROOT, 'view/page/style.css'), type: 'text/css; charset=utf-8' },
};
const WWW = path.join(HERE, 'www');

export interface ViewSource {
  state(): ViewState;
  subscribe(fn: (p: ViewPatch) => void): () => void;
  want?(ranges: string[]): () => void;
}

export interface ServeOptions { host?: string; port?: number; token?: string }
export interface Served { url: string; token: string; port: number; close(): Promise<void> }

/** Parses ?ranges=ID:OFF:LEN,... (at most 16, each at most MAX_RANGE bytes); bad ones are dropped. */
export function parseRanges(q: string | null): string[] {
  if (!q) return [];
  return q.split(',').slice(0, 16).filter((r) => /^\d{1,10}:\d{1,10}:\d{1,5}$/.test(r))
    .map((r) => r.split(':').map(Number) as [number, number, number])
    .filter(([, , len]) => len > 0 && len <= MAX_RANGE).map((r) => r.join(':'));
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a); const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

export function serve(source: ViewSource, opts: ServeOptions = {}): Promise<Served> {
  const token = opts.token ?? crypto.randomBytes(18).toString('base64url');
  const streams = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://view.invalid');
    const parts = url.pathname.split('/');
    // ["", TOKEN, rest...]
    if (parts.length < 3 || !sameToken(parts[1] ?? '', token)) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('403: wrong or missing token: use the URL wasi-sysv printed\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('405: this view is read-only\n');
      return;
    }
    const rest = parts.slice(2).join('/');
    const common = {
      'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'",
    };
    if (rest === 'events') {
      res.writeHead(200, { ...common, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
      if (req.method === 'HEAD') { res.end(); return; }
      const release = source.want?.(parseRanges(url.searchParams.get('ranges'))) ?? (() => {});
      res.write(`retry: 1000\nevent: state\ndata: ${JSON.stringify(source.state())}\n\n`);
      const off = source.subscribe((p) => res.write(`event: patch\ndata: ${JSON.stringify(p)}\n\n`));
      streams.add(res);
      const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
      req.on('close', () => { off(); release(); clearInterval(ping); streams.delete(res); });
      return;
    }
    if (rest === 'state.json') {
      res.writeHead(200, { ...common, 'content-type': 'application/json' }).end(req.method === 'HEAD' ? undefined : JSON.stringify(source.state()));
      return;
    }
    const asset = ASSETS[rest] ?? (/^[a-z-]+\.js$/.test(rest) ? { file: path.join(WWW, rest), type: 'text/javascript; charset=utf-8' } : undefined);
    let body: Buffer | undefined;
    try { body = asset ? fs.readFileSync(asset.file) : undefined; } catch { body = undefined; }
    if (!asset || !body) {
      res.writeHead(404, { ...common, 'content-type': 'text/plain; charset=utf-8' }).end(
        asset ? `404: ${rest} is missing from this installation: run npm run build\n` : '404: no such page\n');
      return;
    }
    res.writeHead(200, { ...common, 'content-type': asset.type, 'content-length': body.length }).end(req.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${a.port}/${token}/`, token, port: a.port,
        close: () => new Promise((done) => {
          for (const s of streams) s.end();
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
