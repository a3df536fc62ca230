// The wasi-sysv command line: a thin layer over the public API (index.ts)
// that parses arguments, prints one line where an outcome needs it, and
// exits with the status the API gives.
import fs from 'node:fs';
import path from 'node:path';
import { parseDir, type DirMapping } from './dirs.js';
import { run as runApi, version as packageVersion, type RunResult } from './index.js';

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
  wasi-sysv lab LAB.json [--json REPORT] [--trace DIR] [--runs N] [--seed S]
                [--submissions DIR --jobs J] [--serve [PORT]] (see wasi-sysv lab --help)
                      run a teaching lab in its own namespaces, with verdicts;
                      --serve shows it live in a web page
  wasi-sysv view REPORT.json [--trace DIR]
                      replay a finished lab in a web page
  wasi-sysv cc FILE.c... -o OUT.wasm [clang flags]
                      compile a C program into a guest (SysV headers included;
                      needs clang, lld, wasi-libc, libclang-rt-dev-wasm32)
  wasi-sysv --help | --version

Options for run (before the module; everything after it goes to the guest):
  --dir HOST[:GUEST[:bytes=SIZE,files=N]]
                      give the guest a host directory, seen at GUEST (default:
                      HOST as written; preopened fds 3, 4... in order). The
                      guest works on the directory itself: its writes reach the
                      disk as they happen, and the kernel keeps every path,
                      "..", absolute path and symlink inside it. Optional quota
                      for this run: bytes its files may grow by (K/M/G/T
                      suffixes), entries it may create; past them, EDQUOT.
                      HOST:GUEST:ro (or ro in that list) makes it read-only:
                      files open for reading, any change gives EROFS.
                      Repeatable.
  --env K=V           set a guest environment variable (the host's environment
                      is not passed through). Repeatable.
  --trace             print one line per sysv call to stderr, strace-style:
                        shmat(3, NULL, SHM_RDONLY) = 0x30000
                        shmget(0x4d2, 4096, IPC_CREAT|IPC_EXCL|0600) = -1 EEXIST
  --timeout S         stop the guest after S seconds (exit status 124).
  --max-procs N       the guest may have at most N live children (proc.spawn,
                      docs/abi.md); past it, spawn gives EAGAIN. Each child
                      gets the same limit. Default: 1024.
  --memory-pages N    linear memory may not grow past N pages of 64 KiB
                      (memory.grow returns -1, shmat ENOMEM).
  --spawn-tokens FIFO bound a whole tree of guests' spawns together (what
                      wasi-sysv lab uses for its processes limit): each byte in
                      the named FIFO is one process the tree may still start;
                      spawn takes one (none left: EAGAIN), reaping gives it
                      back. Every child gets the same FIFO.
  --status-fd N       when the guest ends, write one JSON line to the open fd
                      N: {"peakPages":P,"memoryRefused":R} (linear memory at
                      the end, in 64 KiB pages; growths refused by
                      --memory-pages). For supervisors such as wasi-sysv lab.
  --perturb SEED      race hunting: before and after every sysv call, nothing,
                      a sched_yield or a sleep of up to 2 ms, drawn from a PRNG
                      seeded with SEED (0..4294967295): the same seed replays
                      the same draws.
  --uid N             run the guest as uid and gid N (as root): the host loads
                      everything first, then drops its privileges, so neither
                      the module nor this installation need be readable by N.

Exit status: the guest's own; 134 when the guest traps (one line on stderr
with the trap and the guest function); 124 on --timeout; 2 for a usage
error; 1 when the module cannot be loaded or is not a WASI command; 70 for
a host error.

Signals: SIGINT (Ctrl-C) exits 130, SIGTERM 143, SIGHUP 129 (128 + the
signal's number). Each stops the guest cleanly, also while it is blocked
in semop, sleeping or reading stdin; a second one leaves at once. SIGKILL
cannot be caught: the kernel still detaches the windows. When a guest
exits, traps or is stopped, its windows are detached (nattch drops); its
segments, semaphores and their data stay in the kernel.

The guest is a WASI command that imports module "sysv" (shmget shmat shmdt
shmctl semget semop semtimedop semctl) and may import "proc" (spawn wait
getpid: child guests as real processes, run with this run's options); see
the ABI in docs/abi.md.`;

class UsageError extends Error {}

interface RunArgs {
  dirs: DirMapping[];
  env: Record<string, string>;
  trace: boolean;
  timeout?: number;
  uid?: number;
  maxProcs?: number;
  memoryPages?: number;
  perturbSeed?: number;
  spawnTokens?: string;
  statusFd?: number;
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
      case '--max-procs': case '--memory-pages': {
        const v = take();
        if (!/^[0-9]+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`${flag} needs a whole number`);
        if (flag === '--max-procs') out.maxProcs = Number(v); else out.memoryPages = Number(v);
        break;
      }
      case '--spawn-tokens': out.spawnTokens = take(); break;
      case '--status-fd': {
        const v = take();
        if (!/^[0-9]+$/.test(v) || Number(v) < 3 || Number(v) > 65535) throw new UsageError('--status-fd needs an open file descriptor number >= 3');
        out.statusFd = Number(v);
        break;
      }
      case '--perturb': {
        const v = take();
        if (!/^[0-9]+$/.test(v) || Number(v) > 0xffffffff) throw new UsageError('--perturb needs a seed from 0 to 4294967295');
        out.perturbSeed = Number(v);
        break;
      }
      case '--uid': {
        const v = take();
        if (!/^[0-9]+$/.test(v) || Number(v) > 0xfffffffe) throw new UsageError('--uid needs a numeric user id');
        out.uid = Number(v);
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

/** Prints the one line an outcome needs; returns the exit status. */
export function report(r: RunResult, wasm: string): number {
  const name = path.basename(wasm);
  // A failure after a refused growth was most likely caused by it: say so first.
  if (r.memoryRefused && r.exitStatus !== 0) say(`guest ${name}: memory.grow refused ${r.memoryRefused} time(s) at --memory-pages`);
  switch (r.kind) {
    case 'exit': break;
    case 'trap': say(`guest ${name} trapped: ${r.message}${r.func ? ` (in ${r.func})` : ''}`); break;
    case 'timeout': say(`guest ${name} stopped after --timeout ${r.seconds} s`); break;
    case 'interrupted': say(`guest ${name} stopped by ${r.signal}`); break;
    case 'error': say(r.message); break;
  }
  return r.exitStatus;
}

async function run(argv: string[]): Promise<number> {
  const a = parseRunArgs(argv);
  const r = await runApi(a.wasm, {
    args: a.guestArgs, env: a.env, dirs: a.dirs, trace: a.trace,
    handleSignals: true, ...(a.timeout !== undefined ? { timeoutSeconds: a.timeout } : {}),
    ...(a.uid !== undefined ? { uid: a.uid } : {}),
    ...(a.maxProcs !== undefined ? { maxProcs: a.maxProcs } : {}),
    ...(a.memoryPages !== undefined ? { memoryPages: a.memoryPages } : {}),
    ...(a.perturbSeed !== undefined ? { perturbSeed: a.perturbSeed } : {}),
    ...(a.spawnTokens !== undefined ? { spawnTokens: a.spawnTokens } : {}),
  });
  if (a.statusFd !== undefined) {
    try {
      fs.writeSync(a.statusFd, JSON.stringify({ peakPages: r.peakPages ?? null, memoryRefused: r.memoryRefused ?? 0 }) + '\n');
    } catch (e: any) { say(`--status-fd ${a.statusFd}: cannot write the status (${e.code ?? e.message})`); }
  }
  return report(r, a.wasm);
}

/** The suite, the benchmark and the labs live in their own modules, loaded on demand. */
async function subcommand(rel: string, argv: string[]): Promise<number> {
  const mod = await import(new URL(rel, import.meta.url).href) as { main(argv: string[]): Promise<number> };
  return mod.main(argv);
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    switch (cmd) {
      case undefined:
        // No command is a usage error: the help goes to stderr.
        fs.writeSync(2, HELP + '\n');
        return 2;
      case '--help': case '-h': case 'help':
        fs.writeSync(1, HELP + '\n');
        return 0;
      case '--version': case '-V':
        fs.writeSync(1, `wasi-sysv ${packageVersion()}\n`);
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
      case 'lab':
        return await subcommand('../labs/cli.js', rest);
      case 'view':
        return await subcommand('../view/cli.js', rest);
      case 'cc':
        return await subcommand('../c/cc.js', rest);
      default:
        throw new UsageError(`unknown command ${cmd}; try wasi-sysv --help`);
    }
  } catch (e: any) {
    if (e instanceof UsageError) { say(`${e.message}`); return 2; }
    say(`internal error: ${e?.stack ?? e}`);
    return 70;
  }
}
