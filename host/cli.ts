// The wasi-sysv command line.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDir, type DirMapping } from './dirs.js';
import { loadModule, ModuleError } from './guest.js';
import { runGuest, type RunOutcome } from './runner.js';

const HELP = `wasi-sysv: run WebAssembly guests that share real System V shared memory
and semaphores with each other and with native programs (zero copy).

Usage:
  wasi-sysv run [options] <guest.wasm> [guest args...]
  wasi-sysv conformance [--filter TEXT] [--json FILE]
                      check every SysV semantic natively and as a wasm guest
  wasi-sysv bench [--quick] [--filter TEXT] [--json FILE]
                      wasm guests against native C and Node's own IPC
  wasi-sysv fuzz [--seeds N] [--calls N] [--seed S] [--json FILE]
                      random sysv programs, natively and as a guest, compared
  wasi-sysv --help | --version

Options for run (before the module; everything after it goes to the guest):
  --dir HOST[:GUEST]  give the guest a host directory, seen at GUEST (default:
                      HOST as written). Copied in at start, changes written back
                      when the guest exits or traps. Repeatable.
  --env K=V           set a guest environment variable (the host's environment
                      is not passed through). Repeatable.
  --trace             print one line per sysv call to stderr, strace-style:
                        shmat(3, NULL, SHM_RDONLY) = 0x30000
                        shmget(0x4d2, 4096, IPC_CREAT|IPC_EXCL|0600) = -1 EEXIST
  --timeout S         stop the guest after S seconds (exit status 124).

Exit status: the guest's own; 134 when the guest traps (one line on stderr
with the trap and the guest function); 124 on --timeout; 130 on Ctrl-C;
2 for a usage error; 1 when the module cannot be loaded; 70 for a host error.
When a guest exits, traps or is stopped, its windows are detached (nattch
drops); its segments, semaphores and their data stay in the kernel.

The guest imports module "sysv" (shmget shmat shmdt shmctl semget semop
semtimedop semctl); see the ABI in the README.`;

class UsageError extends Error {}

interface RunArgs {
  dirs: DirMapping[];
  env: Record<string, string>;
  trace: boolean;
  timeout?: number;
  wasm: string;
  guestArgs: string[];
}

export function parseRunArgs(argv: string[]): RunArgs {
  const out: RunArgs = { dirs: [], env: {}, trace: false, wasm: '', guestArgs: [] };
  let i = 0;
  const value = (flag: string) => {
    const v = argv[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { i++; break; }
    if (!a.startsWith('--')) break;
    // --flag=value and --flag value are both accepted.
    const eq = a.indexOf('=');
    const flag = eq < 0 ? a : a.slice(0, eq);
    const inline = eq < 0 ? undefined : a.slice(eq + 1);
    const take = () => inline ?? value(flag);
    switch (flag) {
      case '--dir': {
        try { out.dirs.push(parseDir(take())); } catch (e: any) { throw new UsageError(e.message); }
        break;
      }
      case '--env': {
        const kv = take();
        const eq = kv.indexOf('=');
        if (eq <= 0) throw new UsageError(`--env ${kv}: expected K=V`);
        out.env[kv.slice(0, eq)] = kv.slice(eq + 1);
        break;
      }
      case '--trace': out.trace = true; break;
      case '--timeout': {
        const s = Number(take());
        if (!Number.isFinite(s) || s <= 0) throw new UsageError('--timeout needs a positive number of seconds');
        out.timeout = s;
        break;
      }
      default: throw new UsageError(`unknown option ${a} (see wasi-sysv --help)`);
    }
  }
  const wasm = argv[i];
  if (!wasm) throw new UsageError('run needs a guest module: wasi-sysv run [options] <guest.wasm> [args...]');
  out.wasm = wasm;
  out.guestArgs = argv.slice(i + 1);
  return out;
}

function say(line: string): void {
  fs.writeSync(2, `wasi-sysv: ${line}\n`);
}

/** Maps an outcome to the exit status, printing one line where needed. */
export function report(o: RunOutcome, wasm: string): number {
  switch (o.kind) {
    case 'exit': return o.code;
    case 'trap':
      say(`guest ${path.basename(wasm)} trapped: ${o.message}${o.func ? ` (in ${o.func})` : ''}`);
      return 134;
    case 'timeout':
      say(`guest ${path.basename(wasm)} stopped after --timeout ${o.seconds} s`);
      return 124;
    case 'interrupted':
      say(`guest ${path.basename(wasm)} stopped by ${o.signal}`);
      return 130;
    case 'stopped': return 130;
    case 'error':
      say(o.message);
      return 70;
  }
}

async function run(argv: string[]): Promise<number> {
  const a = parseRunArgs(argv);
  await loadModule(a.wasm); // one clear line for a missing or bad module, before any worker starts
  for (const d of a.dirs) {
    if (!fs.statSync(d.host, { throwIfNoEntry: false })?.isDirectory()) throw new ModuleError(`--dir ${d.host}: not a directory`);
  }
  const outcome = await runGuest(
    { wasmPath: path.resolve(a.wasm), args: [a.wasm, ...a.guestArgs], env: a.env, dirs: a.dirs, trace: a.trace },
    { handleSignals: true, ...(a.timeout !== undefined ? { timeoutSeconds: a.timeout } : {}) },
  );
  return report(outcome, a.wasm);
}

function version(): string {
  const pkg = JSON.parse(fs.readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8'));
  return `wasi-sysv ${pkg.version}`;
}

/** The suite and the benchmark live in their own modules, loaded on demand. */
async function subcommand(rel: string, argv: string[]): Promise<number> {
  const mod = await import(new URL(rel, import.meta.url).href) as { main(argv: string[]): Promise<number> };
  return mod.main(argv);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined: case '--help': case '-h': case 'help':
        fs.writeSync(1, HELP + '\n');
        return cmd === undefined ? 2 : 0;
      case '--version': case '-V':
        fs.writeSync(1, version() + '\n');
        return 0;
      case 'run':
        if (rest[0] === '--help' || rest[0] === '-h') { fs.writeSync(1, HELP + '\n'); return 0; }
        return await run(rest);
      case 'conformance':
        return await subcommand('../conformance/cli.js', rest);
      case 'bench':
        return await subcommand('./bench/cli.js', rest);
      case 'fuzz':
        return await subcommand('../fuzz/cli.js', rest);
      default:
        throw new UsageError(`unknown command ${cmd}; try wasi-sysv --help`);
    }
  } catch (e: any) {
    if (e instanceof UsageError) { say(`${e.message}`); return 2; }
    if (e instanceof ModuleError) { say(e.message); return 1; }
    say(`internal error: ${e?.stack ?? e}`);
    return 70;
  }
}
