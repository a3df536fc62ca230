// The conformance targets: the implementations of SysV IPC the suite can
// judge, one registry entry each. A target says where a case's driver runs
// (the instance of the implementation that holds all of the case's
// processes: a fresh IPC namespace, a gVisor sandbox), how each process of
// the case starts (the native C interpreter, perhaps behind a command
// prefix, or the AssemblyScript guest through this host), and what it needs
// built. Linux native is the reference every other target is compared with.
// Adding a target is one entry in TARGETS plus its build step.
import { spawnSync } from 'node:child_process';
import { ensureBuilt, ensureCGuest } from './build.js';

/** How a case runs on one target (what the suite hands the driver). */
export interface TargetPlan {
  /** Command prefix that starts the case driver (`node driver-main.js` follows). */
  driverPrefix: string[];
  /** Processes not marked `native` run as 'guest' (a wasm interpreter through the host) or 'native'. */
  procs: 'native' | 'guest';
  /** Prefix put before every native process's command line (`[...prefix, interp, [--uid N], SCRIPT]`). */
  nativePrefix: string[];
  /** The native interpreter (build/conformance/interp). */
  nativeInterp: string;
  /** The guest interpreter (a .wasm run by `wasi-sysv run`), for guest targets. */
  guestInterp: string;
}

export interface Target {
  /** The name on the command line and the key in --json's `results`. */
  name: string;
  /** One line for --help and the matrix's legend. */
  about: string;
  /**
   * A runner of this project (wasm, ...): a difference from native is a bug
   * of ours and makes the case disagree (the `agree` key). The other
   * targets are implementations under judgement: their differences are
   * reported, recorded and compared, but are not our failures.
   */
  own: boolean;
  /** Whether the target runs guests (cases marked `only wasm` are n/a elsewhere). */
  guest: boolean;
  /** null when the target can run here, else one line: what is missing and what to do. */
  unavailable(): string | null;
  /** One line naming the implementation's version (for docs/implementations.md). */
  version(): string;
  /** Builds what is stale and says how to run a case. */
  prepare(root: string): TargetPlan;
}

const isRoot = () => process.getuid?.() === 0;

/** A fresh IPC namespace for the case: `unshare --ipc` as root, `unshare -r --ipc` otherwise. */
export function namespacePrefix(): string[] {
  return ['unshare', ...(isRoot() ? ['--ipc'] : ['-r', '--ipc']), '--'];
}

/** First line of `cmd args` (stdout or stderr), or null when it cannot run. */
function firstLine(cmd: string, args: string[]): string | null {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 20000 });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim().split('\n')[0] ?? '';
}

function need(cmd: string, versionArg: string, what: string): string | null {
  return firstLine(cmd, [versionArg]) === null ? `${cmd} is not installed or does not run: ${what}` : null;
}

/**
 * The gVisor flags that work here: the ptrace platform (no KVM needed, works
 * in containers), no network. As an ordinary user runsc needs --rootless.
 */
export const RUNSC = ['runsc', '--platform=ptrace', '--network=none', ...(isRoot() ? [] : ['--rootless']), 'do', '--'];

/** Splits a `wrap:` command like a shell would for plain words: whitespace, '...' and "..." quoting, backslash escapes. */
export function splitCommand(s: string): string[] {
  const words: string[] = [];
  let cur = '', have = false, quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < s.length) cur += s[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') { quote = ch; have = true; }
    else if (ch === '\\' && i + 1 < s.length) { cur += s[++i]; have = true; }
    else if (/\s/.test(ch)) { if (have) words.push(cur); cur = ''; have = false; }
    else { cur += ch; have = true; }
  }
  if (quote) throw new Error(`wrap: unbalanced ${quote} in "${s}"`);
  if (have) words.push(cur);
  return words;
}

const native = (root: string, driverPrefix: string[], nativePrefix: string[] = []): TargetPlan => {
  const i = ensureBuilt(root);
  return { driverPrefix, procs: 'native', nativePrefix, nativeInterp: i.native, guestInterp: i.guest };
};

/** The registry: name -> target. `wrap:CMD` is made by wrapTarget(). */
export const TARGETS: Record<string, Target> = {
  native: {
    name: 'native', own: true, guest: false,
    about: 'Linux: every process is the C interpreter making libc calls, in a fresh IPC namespace (the reference)',
    unavailable: () => null,
    version: () => `Linux ${firstLine('uname', ['-r']) ?? '?'}`,
    prepare: (root) => native(root, namespacePrefix()),
  },
  wasm: {
    name: 'wasm', own: true, guest: true,
    about: 'this host: every process not marked native is the AssemblyScript guest run by wasi-sysv, in a fresh IPC namespace',
    unavailable: () => null,
    version: () => `wasi-sysv on Node ${process.version}`,
    prepare: (root) => ({ ...native(root, namespacePrefix()), procs: 'guest' }),
  },
  'wasm-c': {
    name: 'wasm-c', own: true, guest: true,
    about: 'this host: every process not marked native is the C interpreter built as a guest with wasi-sysv cc (c/include, c/lib), in a fresh IPC namespace',
    unavailable: () => null,
    version: () => `wasi-sysv on Node ${process.version}, C guest`,
    prepare: (root) => ({ ...native(root, namespacePrefix()), procs: 'guest', guestInterp: ensureCGuest(root) }),
  },
  gvisor: {
    name: 'gvisor', own: false, guest: false,
    about: `gVisor: the whole case (driver and every native process) in one sandbox, ${RUNSC.slice(0, -2).join(' ')} do`,
    unavailable: () => need('runsc', '--version', 'install gVisor (Debian: apt-get install runsc)'),
    version: () => firstLine('runsc', ['--version']) ?? 'runsc: not installed',
    prepare: (root) => native(root, RUNSC),
  },
  qemu: {
    name: 'qemu', own: false, guest: false,
    about: 'qemu-user: every process is the C interpreter under qemu-x86_64 (native, emulated), in a fresh IPC namespace',
    unavailable: () => need('qemu-x86_64', '--version', 'install qemu-user (Debian: apt-get install qemu-user)'),
    version: () => firstLine('qemu-x86_64', ['--version']) ?? 'qemu-x86_64: not installed',
    prepare: (root) => native(root, namespacePrefix(), ['qemu-x86_64']),
  },
};

/**
 * `wrap:CMD ...`: every process of the case is the native interpreter started
 * as `CMD ... build/conformance/interp [--uid N] SCRIPT`, from the driver,
 * in the case's fresh IPC namespace, as root (a process of another user
 * drops to it inside the interpreter, after CMD has started it). The
 * process's stdin and stdout carry the driver's request protocol and must
 * stay connected; stderr is kept for the report. `kill` and `signal` steps
 * go to the pid the driver started, so CMD should exec the interpreter
 * (like env, nice, taskset, qemu-x86_64) or forward signals.
 */
export function wrapTarget(spec: string): Target {
  const cmd = splitCommand(spec.slice('wrap:'.length));
  if (cmd.length === 0) throw new Error('wrap: needs a command, e.g. wrap:env or \'wrap:qemu-x86_64 -cpu max\'');
  return {
    name: spec, own: false, guest: false,
    about: `every process is the C interpreter behind ${cmd.join(' ')}, in a fresh IPC namespace`,
    unavailable: () => {
      const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', cmd[0]!], { stdio: 'ignore' });
      return r.status === 0 ? null : `${cmd[0]}: command not found (the wrap: target's command must be on PATH or a path)`;
    },
    version: () => cmd.join(' '),
    prepare: (root) => native(root, namespacePrefix(), cmd),
  };
}

/** The target a --targets word names, or an Error listing the known ones. */
export function resolveTarget(spec: string): Target {
  if (spec.startsWith('wrap:')) return wrapTarget(spec);
  const t = TARGETS[spec];
  if (!t) throw new Error(`unknown target "${spec}" (known: ${Object.keys(TARGETS).join(', ')}, wrap:CMD)`);
  return t;
}

/** The targets of a --targets list (comma-separated; a wrap: command may contain commas only inside quotes). */
export function parseTargets(list: string): Target[] {
  const words: string[] = [];
  let cur = '', quote: string | null = null;
  for (const ch of list) {
    if (quote) { if (ch === quote) quote = null; }
    else if (ch === "'" || ch === '"') quote = ch;
    else if (ch === ',' ) { words.push(cur); cur = ''; continue; }
    cur += ch;
  }
  words.push(cur);
  const targets = words.map((w) => w.trim()).filter(Boolean).map(resolveTarget);
  if (targets.length === 0) throw new Error('--targets needs at least one target');
  const names = targets.map((t) => t.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`--targets names ${dup} twice`);
  return targets;
}

/** The targets of a plain run (no --targets): the project's own runners. */
export const DEFAULT_TARGETS = ['native', 'wasm', 'wasm-c'];
