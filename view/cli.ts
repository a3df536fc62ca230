// The live view's two entry points.
//  - `wasi-sysv view REPORT.json [--trace DIR] [--port N] [--host H] [--linger S]`
//    serves the replay of a finished lab (replay.ts).
//  - `wasi-sysv lab LAB.json --serve [PORT] [--host H] [--linger S]`: labs/cli.ts
//    calls liveView() in the lab's supervisor, inside the lab's namespaces,
//    and passes its onEvent to the supervisor (collector.ts); the page is
//    served while the lab runs and, with its final state, after it.
// Both print the URL (with its token) on stderr and serve until Ctrl-C
// (SIGINT, SIGTERM, SIGHUP) or, with --linger S, for S more seconds.
import fs from 'node:fs';
import { LiveLab } from './collector.js';
import { loadReport, loadTrace, replayState, ReplayError } from './replay.js';
import { serve, type ViewSource } from './server.js';

export const VIEW_USAGE = `usage: wasi-sysv view REPORT.json [--trace DIR] [--port N] [--host H] [--linger S]
  Replays a finished lab in a web page: its processes and verdicts, the
  semaphore sets and segments left, the deadlock's wait-for cycle and, with
  --trace, the timeline of every sysv call. Read-only; prints the URL (with
  a random token: any other path gets 403) and serves until Ctrl-C.
  REPORT.json    a report of wasi-sysv lab LAB.json --json REPORT.json
  --trace DIR    the lab's --trace DIR (DIR/trace.txt): the timeline
  --port N       listen on port N (default: a free port)
  --host H       listen on address H (default 127.0.0.1: this machine only)
  --linger S     stop by itself after S seconds (default: until Ctrl-C)`;

export interface ServeFlags { port?: number; host?: string; linger?: number }

function say(line: string): void { fs.writeSync(2, `wasi-sysv view: ${line}\n`); }

/** Parses --port/--host/--linger values; returns an error line or null. */
export function serveFlag(flag: string, v: string | undefined, out: ServeFlags): string | null {
  if (v === undefined) return `${flag} needs a value`;
  if (flag === '--port') {
    if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) return '--port needs a port number from 0 to 65535';
    out.port = Number(v);
  } else if (flag === '--host') {
    if (!/^[A-Za-z0-9.:_-]{1,255}$/.test(v)) return '--host needs an address or host name, such as 127.0.0.1 or 0.0.0.0';
    out.host = v;
  } else if (flag === '--linger') {
    if (!/^\d+(\.\d+)?$/.test(v) || Number(v) > 86400) return '--linger needs seconds, from 0 to 86400';
    out.linger = Number(v);
  }
  return null;
}

/** Serves until a signal (or `linger` seconds); resolves 128 + the signal's number, or null after linger. */
function waitForEnd(linger: number | undefined): Promise<number | null> {
  return new Promise((resolve) => {
    const sigs = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
    const handlers: Array<[NodeJS.Signals, () => void]> = [];
    let timer: NodeJS.Timeout | undefined;
    const finish = (code: number | null) => {
      clearTimeout(timer);
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code);
    };
    for (const [s, n] of Object.entries(sigs) as Array<[NodeJS.Signals, number]>) {
      const h = () => finish(128 + n);
      handlers.push([s, h]);
      process.on(s, h);
    }
    if (linger !== undefined) timer = setTimeout(() => finish(null), linger * 1000);
  });
}

async function listen(source: ViewSource, flags: ServeFlags, who: string) {
  try {
    return await serve(source, { ...(flags.host ? { host: flags.host } : {}), ...(flags.port !== undefined ? { port: flags.port } : {}) });
  } catch (e: any) {
    fs.writeSync(2, `${who}: cannot listen on ${flags.host ?? '127.0.0.1'}:${flags.port ?? 0} (${e.code ?? e.message}): choose another --port or --host\n`);
    return null;
  }
}

/** `lab --serve`: the collector and the server, in the supervisor. */
export async function liveView(lab: { name: string; file: string; processes: Array<{ wasm?: string }> }, ipcHelper: string, flags: ServeFlags) {
  const live = new LiveLab(lab, ipcHelper);
  const served = await listen(live, flags, 'wasi-sysv lab');
  if (!served) return null;
  fs.writeSync(2, `wasi-sysv lab: live view at ${served.url} (read-only)\n`);
  live.start();
  return {
    onEvent: live.onEvent,
    /** After the lab: keeps serving its final state until a signal or linger; resolves the signal's exit status or null. */
    async linger(stopNow = false): Promise<number | null> {
      await live.poll();
      const linger = stopNow ? 0 : flags.linger;
      if (linger !== 0) {
        fs.writeSync(2, `wasi-sysv lab: the lab is over; its final state stays at ${served.url} ` +
          (linger === undefined ? 'until Ctrl-C\n' : `for ${linger} s\n`));
      }
      const code = linger === 0 ? null : await waitForEnd(linger);
      live.stop();
      await served.close();
      return code;
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h') { fs.writeSync(1, VIEW_USAGE + '\n'); return 0; }
  const flags: ServeFlags = {};
  let report: string | undefined;
  let trace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let err: string | null = null;
    if (a === '--port' || a === '--host' || a === '--linger') err = serveFlag(a, argv[++i], flags);
    else if (a === '--trace') { trace = argv[++i]; if (trace === undefined) err = '--trace needs a directory'; }
    else if (a.startsWith('--')) err = `unknown option ${a}`;
    else if (report) err = `one report at a time (got ${report} and ${a})`;
    else report = a;
    if (err) { say(err); fs.writeSync(2, VIEW_USAGE + '\n'); return 2; }
  }
  if (!report) { say('which report? wasi-sysv view REPORT.json [--trace DIR]'); return 2; }
  let state;
  try {
    state = replayState(loadReport(report), trace ? loadTrace(trace) : null);
  } catch (e) {
    if (e instanceof ReplayError) { say(e.message); return 2; }
    throw e;
  }
  const source: ViewSource = { state: () => state, subscribe: () => () => {} };
  const served = await listen(source, flags, 'wasi-sysv view');
  if (!served) return 70;
  fs.writeSync(2, `wasi-sysv view: replay of lab ${state.lab} (${state.verdict}) at ${served.url} (read-only; ` +
    (flags.linger === undefined ? 'Ctrl-C stops)\n' : `for ${flags.linger} s)\n`));
  const code = await waitForEnd(flags.linger);
  await served.close();
  return code ?? 0;
}
