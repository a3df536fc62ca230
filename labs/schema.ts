// The lab file: its types, and a small hand-written validator that reports
// every problem at once, one line each, naming the file, the JSON path and
// what was expected ("lab.json: $.processes[1].count: expected an integer
// >= 1, got "5""). No schema library: the format is small and the messages
// are what a teacher needs to fix the file.
import fs from 'node:fs';
import path from 'node:path';

export interface Limits {
  /** The whole lab, seconds of wall time (default 60). */
  wallSeconds: number;
  shmmni?: number; shmallPages?: number; shmmaxBytes?: number;
  semmsl?: number; semmns?: number; semopm?: number; semmni?: number;
  /** Per process: linear memory pages (not enforced yet: the CLI has no flag for it). */
  memoryPages?: number;
  /** Per process: CPU seconds (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Per process: bytes of stdout plus stderr (default 1 MiB). */
  outputBytes: number;
  /** Processes the lab may start (instances of every entry together). */
  processes?: number;
  /** How long every live process must wait in semop before the lab is a deadlock (default 1). */
  deadlockGraceSeconds?: number;
}

/** A host directory given to wasm guests (a WASI preopen). */
export interface DirSpec {
  /** The host directory (absolute, resolved against the lab file). */
  host: string;
  /** The name the guest sees it under. */
  guest: string;
  readOnly: boolean;
}

export interface ProcessSpec {
  name: string;
  /** The wasm module (absolute, resolved against the lab file). */
  wasm?: string;
  /** The native program and its first arguments (program resolved against the lab file). */
  native?: string[];
  count: number;
  args: string[];
  stdin?: string;
  before: boolean;
  /** This entry's own directories (besides the lab's). */
  dirs: DirSpec[];
}

export type Check =
  | { process: string; exit: number }
  | { process: string; stdout: string }
  | { sem: number; index: number; equals: number }
  | { ipcEmpty: true }
  | { command: string[] };

export interface Lab {
  file: string;
  dir: string;
  name: string;
  limits: Limits;
  env: Record<string, string>;
  /** Directories every wasm guest of the lab gets. */
  dirs: DirSpec[];
  processes: ProcessSpec[];
  checks: Check[];
}

export class LabError extends Error {
  constructor(readonly lines: string[]) { super(lines.join('\n')); }
}

const LIMIT_KEYS = ['wallSeconds', 'shmmni', 'shmallPages', 'shmmaxBytes', 'semmsl', 'semmns', 'semopm', 'semmni',
  'memoryPages', 'cpuSeconds', 'outputBytes', 'processes', 'deadlockGraceSeconds'] as const;
const PROCESS_KEYS = ['name', 'wasm', 'native', 'count', 'args', 'stdin', 'before', 'dirs'];
const CHECK_KINDS = ['exit', 'stdout', 'sem', 'ipcEmpty', 'command'];

const show = (v: unknown) => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 40 ? s.slice(0, 39) + '…' : s;
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;

/** Parses "0x5000", "20480" or a number into a key (a signed 32-bit int, as the kernel prints it). */
export function parseKey(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^(0x[0-9a-f]+|-?[0-9]+)$/i.test(v.trim())) n = Number(v.trim());
  else return undefined;
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) return undefined;
  return n | 0;
}

/** Reads and validates a lab file; throws LabError with one line per problem. */
export function loadLab(file: string): Lab {
  const rel = file;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e: any) {
    throw new LabError([`${rel}: cannot read the lab file (${e.code === 'ENOENT' ? 'no such file' : e.message})`]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e: any) {
    throw new LabError([`${rel}: not valid JSON: ${e.message}`]);
  }
  const errors: string[] = [];
  // A third argument, even undefined, is shown as what the file had ("got undefined" for a missing key).
  const err = (p: string, expected: string, ...got: unknown[]) =>
    errors.push(`${rel}: ${p}: expected ${expected}${got.length ? `, got ${got[0] === undefined ? 'nothing' : show(got[0])}` : ''}`);
  const dir = path.dirname(path.resolve(file));
  const lab: Lab = { file: path.resolve(file), dir, name: '', limits: { wallSeconds: 60, outputBytes: 1 << 20 }, env: {}, dirs: [], processes: [], checks: [] };

  if (!isObj(raw)) { err('$', 'an object with name, processes and checks', raw); throw new LabError(errors); }
  for (const k of Object.keys(raw)) {
    if (!['name', 'limits', 'env', 'dirs', 'processes', 'checks'].includes(k)) err(`$.${k}`, 'no such key (name, limits, env, dirs, processes, checks)');
  }
  if (typeof raw.name !== 'string' || raw.name === '') err('$.name', 'a non-empty string', raw.name);
  else lab.name = raw.name;

  if (raw.limits !== undefined) {
    if (!isObj(raw.limits)) err('$.limits', 'an object', raw.limits);
    else {
      for (const [k, v] of Object.entries(raw.limits)) {
        if (!(LIMIT_KEYS as readonly string[]).includes(k)) { err(`$.limits.${k}`, `one of ${LIMIT_KEYS.join(', ')}`); continue; }
        const seconds = k === 'wallSeconds' || k === 'cpuSeconds' || k === 'deadlockGraceSeconds';
        const positive = seconds ? typeof v === 'number' && v > 0 && Number.isFinite(v) : isInt(v, 1);
        if (!positive) err(`$.limits.${k}`, seconds ? 'a positive number' : 'an integer >= 1', v);
        else (lab.limits as any)[k] = v;
      }
    }
  }

  if (raw.env !== undefined) {
    if (!isObj(raw.env)) err('$.env', 'an object of strings', raw.env);
    else for (const [k, v] of Object.entries(raw.env)) {
      if (typeof v !== 'string' || k === '' || k.includes('=')) err(`$.env.${k}`, 'a string (name without "=")', v);
      else lab.env[k] = v;
    }
  }

  // dirs: [{host, guest, readOnly}], host relative to the lab file; the CLI's --dir syntax uses ":".
  const dirs = (v: unknown, at: string): DirSpec[] => {
    const out: DirSpec[] = [];
    if (!Array.isArray(v)) { err(at, 'an array of {"host", "guest", "readOnly"}', v); return out; }
    v.forEach((d, i) => {
      const di = `${at}[${i}]`;
      if (!isObj(d)) { err(di, 'an object {"host", "guest", "readOnly"}', d); return; }
      for (const k of Object.keys(d)) if (!['host', 'guest', 'readOnly'].includes(k)) err(`${di}.${k}`, 'no such key (host, guest, readOnly)');
      const okPath = (x: unknown) => typeof x === 'string' && x !== '' && !x.includes(':') && !x.includes('\0');
      if (!okPath(d.host)) err(`${di}.host`, 'a directory path (relative to the lab file, without ":")', d.host);
      if (!okPath(d.guest)) err(`${di}.guest`, 'the name the guest sees, such as "/data" (without ":")', d.guest);
      if (d.readOnly !== undefined && typeof d.readOnly !== 'boolean') err(`${di}.readOnly`, 'true or false', d.readOnly);
      if (okPath(d.host) && okPath(d.guest) && (d.readOnly === undefined || typeof d.readOnly === 'boolean'))
        out.push({ host: path.resolve(dir, d.host as string), guest: d.guest as string, readOnly: d.readOnly === true });
    });
    return out;
  };
  if (raw.dirs !== undefined) lab.dirs = dirs(raw.dirs, '$.dirs');

  const names = new Set<string>();
  if (!Array.isArray(raw.processes) || raw.processes.length === 0) err('$.processes', 'a non-empty array', raw.processes);
  else raw.processes.forEach((p, i) => {
    const at = `$.processes[${i}]`;
    if (!isObj(p)) { err(at, 'an object', p); return; }
    for (const k of Object.keys(p)) if (!PROCESS_KEYS.includes(k)) err(`${at}.${k}`, `no such key (${PROCESS_KEYS.join(', ')})`);
    const spec: ProcessSpec = { name: '', count: 1, args: [], before: false, dirs: [] };
    if (typeof p.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(p.name)) err(`${at}.name`, 'a name of letters, digits, _ . -', p.name);
    else if (names.has(p.name)) err(`${at}.name`, 'a name no other process has', p.name);
    else { spec.name = p.name; names.add(p.name); }
    if ((p.wasm === undefined) === (p.native === undefined)) err(at, 'exactly one of "wasm" and "native"');
    if (p.wasm !== undefined) {
      if (typeof p.wasm !== 'string' || p.wasm === '') err(`${at}.wasm`, 'a path to a .wasm module', p.wasm);
      else spec.wasm = path.resolve(dir, p.wasm);
    }
    if (p.native !== undefined) {
      if (!Array.isArray(p.native) || p.native.length === 0 || !p.native.every((a) => typeof a === 'string') || p.native[0] === '')
        err(`${at}.native`, 'a non-empty array of strings (program, args...)', p.native);
      else spec.native = [path.resolve(dir, p.native[0] as string), ...(p.native.slice(1) as string[])];
    }
    if (p.count !== undefined) {
      if (!isInt(p.count, 1)) err(`${at}.count`, 'an integer >= 1', p.count); else spec.count = p.count as number;
    }
    if (p.args !== undefined) {
      if (!Array.isArray(p.args) || !p.args.every((a) => typeof a === 'string')) err(`${at}.args`, 'an array of strings', p.args);
      else spec.args = p.args as string[];
    }
    if (p.stdin !== undefined) {
      if (typeof p.stdin !== 'string' || p.stdin === '') err(`${at}.stdin`, 'a path to a file', p.stdin);
      else spec.stdin = path.resolve(dir, p.stdin);
    }
    if (p.dirs !== undefined) {
      spec.dirs = dirs(p.dirs, `${at}.dirs`);
      if (p.native !== undefined) err(`${at}.dirs`, 'dirs only on a wasm process (a native program sees the host as it is)');
    }
    if (p.before !== undefined) {
      if (typeof p.before !== 'boolean') err(`${at}.before`, 'true or false', p.before); else spec.before = p.before;
    }
    lab.processes.push(spec);
  });

  if (raw.checks !== undefined && !Array.isArray(raw.checks)) err('$.checks', 'an array', raw.checks);
  else (raw.checks as unknown[] | undefined ?? []).forEach((c, i) => {
    const at = `$.checks[${i}]`;
    if (!isObj(c)) { err(at, 'an object', c); return; }
    const kinds = CHECK_KINDS.filter((k) => k in c);
    if (kinds.length !== 1) { err(at, `exactly one of ${CHECK_KINDS.map((k) => `"${k}"`).join(', ')}`, c); return; }
    const allowed = (keys: string[]) => { for (const k of Object.keys(c)) if (!keys.includes(k)) err(`${at}.${k}`, `no such key here (${keys.join(', ')})`); };
    const proc = () => {
      if (typeof c.process !== 'string' || !names.has(c.process)) { err(`${at}.process`, 'the name of a process of this lab', c.process); return false; }
      return true;
    };
    switch (kinds[0]) {
      case 'exit':
        allowed(['process', 'exit']);
        if (!isInt(c.exit, 0) || (c.exit as number) > 255) err(`${at}.exit`, 'an exit status 0..255', c.exit);
        else if (proc()) lab.checks.push({ process: c.process as string, exit: c.exit as number });
        break;
      case 'stdout':
        allowed(['process', 'stdout']);
        if (typeof c.stdout !== 'string') err(`${at}.stdout`, 'a string the output must contain', c.stdout);
        else if (proc()) lab.checks.push({ process: c.process as string, stdout: c.stdout });
        break;
      case 'sem': {
        allowed(['sem', 'index', 'equals']);
        const key = parseKey(c.sem);
        if (key === undefined) err(`${at}.sem`, 'a key such as "0x5000" or 20480', c.sem);
        const index = c.index ?? 0;
        if (!isInt(index, 0)) err(`${at}.index`, 'an integer >= 0', c.index);
        if (!isInt(c.equals, 0)) err(`${at}.equals`, 'an integer >= 0', c.equals);
        if (key !== undefined && isInt(index, 0) && isInt(c.equals, 0)) lab.checks.push({ sem: key, index: index as number, equals: c.equals as number });
        break;
      }
      case 'ipcEmpty':
        allowed(['ipcEmpty']);
        if (c.ipcEmpty !== true) err(`${at}.ipcEmpty`, 'true', c.ipcEmpty); else lab.checks.push({ ipcEmpty: true });
        break;
      case 'command':
        allowed(['command']);
        if (!Array.isArray(c.command) || c.command.length === 0 || !c.command.every((a) => typeof a === 'string') || c.command[0] === '')
          err(`${at}.command`, 'a non-empty array of strings (program, args...)', c.command);
        else lab.checks.push({ command: [path.resolve(dir, c.command[0] as string), ...(c.command.slice(1) as string[])] });
        break;
    }
  });

  const total = lab.processes.reduce((n, p) => n + p.count, 0);
  if (lab.limits.processes !== undefined && total > lab.limits.processes)
    err('$.processes', `at most limits.processes = ${lab.limits.processes} instances in all`, total);
  if (errors.length) throw new LabError(errors);
  return lab;
}

/** The files a valid lab needs: one line for the first missing one, or undefined. */
export function missingFile(lab: Lab): string | undefined {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  const execOk = (p: string) => { try { fs.accessSync(p, fs.constants.X_OK); return fs.statSync(p).isFile(); } catch { return false; } };
  for (const d of [...lab.dirs, ...lab.processes.flatMap((p) => p.dirs)]) {
    if (!fs.statSync(d.host, { throwIfNoEntry: false })?.isDirectory()) return `${rel(lab.file)}: dirs: ${rel(d.host)} is not a directory`;
  }
  for (const p of lab.processes) {
    if (p.wasm && !fs.statSync(p.wasm, { throwIfNoEntry: false })?.isFile())
      return `${rel(lab.file)}: process "${p.name}": wasm module ${rel(p.wasm)} does not exist (build it first)`;
    if (p.native && !execOk(p.native[0]!))
      return `${rel(lab.file)}: process "${p.name}": native program ${rel(p.native[0]!)} does not exist or is not executable`;
    if (p.stdin && !fs.statSync(p.stdin, { throwIfNoEntry: false })?.isFile())
      return `${rel(lab.file)}: process "${p.name}": stdin file ${rel(p.stdin)} does not exist`;
  }
  for (const c of lab.checks) {
    if ('command' in c && !(c.command[0]!.endsWith('.wasm') ? fs.statSync(c.command[0]!, { throwIfNoEntry: false })?.isFile() : execOk(c.command[0]!))) return `${rel(lab.file)}: check command ${rel(c.command[0]!)} does not exist or is not executable`;
  }
  return undefined;
}
