// The live view's state collector. It runs inside the lab's supervisor
// (the init of the lab's IPC and PID namespaces), fed by the supervisor's
// events (labs/lab.ts onEvent: processes started and ended, each sysv call
// of a wasm guest) and polling what the kernel shows every 100 ms: which
// process waits in semop and on what (labs/lab.ts semWait, /proc), every
// semaphore's value, semncnt, semzcnt and sempid (lab-ipc), every segment
// (/proc/sysvipc/shm), who has it attached (/proc/PID/maps) and its bytes.
// While the lab runs, a segment's bytes are read through /proc/PID/mem of a
// process that has it attached, which the lab cannot notice (no attach: its
// nattch, lpid and times stay as they are); once the lab is over, through
// lab-ipc's read-only attach. Each poll becomes one patch for the pages.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import type { LabEvent, LabReport, ProcessReport } from '../labs/lab.js';
import { semWait } from '../labs/lab.js';
import { Differ } from './diff.js';
import type { ViewBytes, ViewPatch, ViewProcess, ViewShm, ViewState } from './page/protocol.js';
import { findCycle, waitEdges, type Waiter } from './waitfor.js';

export const POLL_MS = 100;
/** The timeline keeps at most this many calls (a page draws each one). */
export const MAX_CALLS = 20_000;
/** The default range of a segment shown: its first 256 bytes. */
export const DEFAULT_RANGE = { off: 0, len: 256 };
export const MAX_RANGE = 4096;

const label = (p: { name: string; index: number }) => `${p.name}[${p.index}]`;

/** A mapping of a SysV segment in some process: /proc/PID/maps names it /SYSV<key> with the shmid as inode. */
interface Mapping { pid: number; start: bigint; end: bigint; offset: bigint }

function segmentMappings(): Map<number, Mapping[]> {
  const out = new Map<number, Mapping[]>();
  let pids: string[];
  try { pids = fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)); } catch { return out; }
  for (const p of pids) {
    let maps: string;
    try { maps = fs.readFileSync(`/proc/${p}/maps`, 'utf8'); } catch { continue; }
    for (const line of maps.split('\n')) {
      if (!line.includes('/SYSV')) continue;
      const f = line.trim().split(/\s+/);
      const [a, b] = f[0]!.split('-');
      const id = Number(f[4]);
      const m: Mapping = { pid: Number(p), start: BigInt('0x' + a), end: BigInt('0x' + b), offset: BigInt('0x' + f[2]) };
      out.set(id, [...(out.get(id) ?? []), m]);
    }
  }
  return out;
}

/** Reads [off, off+len) of a segment through a process's mapping of it, or null. */
function readThroughMapping(maps: Mapping[], off: number, len: number): Buffer | null {
  for (const m of maps) {
    const o = BigInt(off);
    if (o < m.offset || o + BigInt(len) > m.offset + (m.end - m.start)) continue;
    try {
      const fd = fs.openSync(`/proc/${m.pid}/mem`, 'r');
      try {
        const b = Buffer.alloc(len);
        if (fs.readSync(fd, b, 0, len, (m.start + o - m.offset) as unknown as number) === len) return b;
      } finally { fs.closeSync(fd); }
    } catch { /* gone, or not readable: try another */ }
  }
  return null;
}

function readShmTable(): Array<Omit<ViewShm, 'attached'>> {
  const out: Array<Omit<ViewShm, 'attached'>> = [];
  let text: string;
  try { text = fs.readFileSync('/proc/sysvipc/shm', 'utf8'); } catch { return out; }
  for (const l of text.trim().split('\n').slice(1)) {
    const f = l.trim().split(/\s+/).map(Number);
    if (f.length < 7) continue;
    out.push({ key: f[0]!, id: f[1]!, perms: '0' + f[2]!.toString(), size: f[3]!, cpid: f[4]!, lpid: f[5]!, nattch: f[6]! });
  }
  return out;
}

function labIpc(helper: string, args: string[]): Promise<{ sem: ViewState['sems']; bytes?: ViewBytes[] }> {
  return new Promise((resolve, reject) => {
    execFile(helper, args, { encoding: 'utf8', timeout: 5000, maxBuffer: 16 << 20 }, (err, stdout) => {
      if (err) return reject(err);
      try { resolve(JSON.parse(stdout)); } catch (e) { reject(e); }
    });
  });
}

export interface LiveSource {
  state(): ViewState;
  /** Called with each patch; returns the unsubscribe. */
  subscribe(fn: (p: ViewPatch) => void): () => void;
  /** A page wants these ranges read too ("id:off:len"); returns the release. */
  want(ranges: string[]): () => void;
}

export class LiveLab implements LiveSource {
  private s: ViewState;
  private procs: ProcessReport[] = [];
  private tp0 = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private listeners = new Set<(p: ViewPatch) => void>();
  private wanted = new Map<string, number>();
  private differ = new Differ();
  private report: LabReport | null = null;
  private openBlocked = new Map<number, number>(); // pid -> index in s.blocked

  constructor(lab: { name: string; file: string; processes: Array<{ wasm?: string }> }, private ipcHelper: string) {
    this.s = {
      mode: 'live', lab: lab.name, file: lab.file, status: 'running', verdict: null, why: '', now: 0,
      processes: [], sems: [], shms: [], bytes: {}, edges: [], cycle: [], deadlock: null, calls: [], blocked: [], notes: [],
    };
  }

  state(): ViewState { return this.s; }

  subscribe(fn: (p: ViewPatch) => void): () => void {
    this.listeners.add(fn);
    return () => { this.listeners.delete(fn); };
  }

  want(ranges: string[]): () => void {
    for (const r of ranges) this.wanted.set(r, (this.wanted.get(r) ?? 0) + 1);
    return () => {
      for (const r of ranges) {
        const n = (this.wanted.get(r) ?? 1) - 1;
        if (n <= 0) this.wanted.delete(r); else this.wanted.set(r, n);
      }
    };
  }

  /** The supervisor's hook (SuperviseOptions.onEvent). */
  onEvent = (e: LabEvent): void => {
    if (e.kind === 'begin') this.tp0 = e.tp0;
    else if (e.kind === 'start') this.procs.push(e.process);
    else if (e.kind === 'exit' && e.process.pid !== null) {
      // A blocked interval ends when its process does (the next poll may come late: the checks block the supervisor).
      const open = this.openBlocked.get(e.process.pid);
      if (open !== undefined) { this.s.blocked[open]!.to = this.now(); this.openBlocked.delete(e.process.pid); }
    }
    else if (e.kind === 'call') {
      if (this.s.calls.length < MAX_CALLS) this.s.calls.push({ t: Math.round(e.t * 10) / 10, pid: e.pid, line: e.line });
      else if (!this.s.notes.some((n) => n.startsWith('timeline'))) this.s.notes.push(`timeline: only the first ${MAX_CALLS} calls are drawn`);
    } else if (e.kind === 'done') {
      this.report = e.report;
      this.s.status = 'done';
      this.s.verdict = e.report.verdict;
      this.s.why = e.report.why;
      this.s.deadlock = e.report.deadlock?.text ?? null;
      void this.poll();
    }
  };

  start(): void {
    if (!this.timer) this.timer = setInterval(() => { void this.poll(); }, POLL_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private now(): number { return Math.round(performance.now() - this.tp0); }

  private processes(): { list: ViewProcess[]; waiters: Waiter[] } {
    const waiters: Waiter[] = [];
    const now = this.now();
    const list = this.procs.map((p): ViewProcess => {
      const exited = p.wallMs > 0;
      const wait = !exited && p.pid !== null ? semWait(p.pid) : null;
      if (wait && p.pid !== null) waiters.push({ pid: p.pid, ...wait });
      if (p.pid !== null) {
        const open = this.openBlocked.get(p.pid);
        if (wait && open === undefined) {
          this.openBlocked.set(p.pid, this.s.blocked.length);
          this.s.blocked.push({ pid: p.pid, from: now, to: null, semid: wait.semid });
        } else if (!wait && open !== undefined) {
          this.s.blocked[open]!.to = now;
          this.openBlocked.delete(p.pid);
        }
      }
      return {
        label: label(p), name: p.name, index: p.index, pid: p.pid, wasm: p.calls !== null,
        state: exited ? 'exited' : p.pid === null ? 'starting' : wait ? 'blocked' : 'running',
        wait: wait ? { semid: wait.semid, key: this.s.sems.find((x) => x.id === wait.semid)?.key ?? null, ops: wait.ops } : null,
        verdict: exited ? p.verdict : null, exit: p.exit, why: p.why, calls: p.calls,
      };
    });
    return { list, waiters };
  }

  /** One look at the lab; pushes the patch, if any. */
  async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const { list, waiters } = this.processes();
      this.s.now = this.report ? this.report.wallMs : this.now();
      this.s.processes = list;
      const table = readShmTable();
      const maps = segmentMappings();
      const ranges = new Set<string>(table.map((t) => `${t.id}:${DEFAULT_RANGE.off}:${DEFAULT_RANGE.len}`));
      for (const r of this.wanted.keys()) ranges.add(r);
      const bytes: Record<string, ViewBytes> = {};
      const viaHelper: string[] = [];
      for (const r of ranges) {
        const [id, off, len] = r.split(':').map(Number) as [number, number, number];
        const seg = table.find((t) => t.id === id);
        if (!seg) { bytes[r] = { id, off, len, error: 'no such segment (removed?)' }; continue; }
        const n = Math.max(0, Math.min(len, seg.size - off));
        const viaMap = n > 0 ? readThroughMapping(maps.get(id) ?? [], off, n) : Buffer.alloc(0);
        if (viaMap) bytes[r] = { id, off, len: n, hex: viaMap.toString('hex') };
        else if (this.s.status === 'done') viaHelper.push(String(id), String(off), String(n));
        else bytes[r] = { id, off, len: n, error: 'attached by no process of the lab now: shown once the lab is over' };
      }
      // What was read without a helper goes out now; the semaphores follow when lab-ipc answers.
      this.s.shms = table.map((t) => ({ ...t, attached: [...new Set((maps.get(t.id) ?? []).map((m) => m.pid))].sort((a, b) => a - b) }));
      this.s.bytes = { ...bytes };
      this.push();
      let sems = this.s.sems;
      try {
        const got = await labIpc(this.ipcHelper, viaHelper);
        sems = got.sem;
        for (const b of got.bytes ?? []) {
          const key = [...ranges].find((r) => { const [i, o] = r.split(':').map(Number); return i === b.id && o === b.off && !bytes[r]; });
          if (key) bytes[key] = b;
        }
      } catch { /* keep the last values */ }
      this.s.sems = sems;
      this.s.shms = table.map((t) => ({ ...t, attached: [...new Set((maps.get(t.id) ?? []).map((m) => m.pid))].sort((a, b) => a - b) }));
      this.s.bytes = bytes;
      const dl = this.report?.deadlock;
      if (dl) {
        // The sets as the diagnosis saw them (semncnt, sempid), not as the killed processes left them.
        this.s.sems = [...sems.filter((x) => !dl.sets.some((d) => d.id === x.id)), ...dl.sets].sort((a, b) => a.id - b.id);
        this.s.edges = waitEdges(dl.processes.map((p) => ({ pid: p.pid, semid: p.semid, ops: p.ops })), dl.sets);
      } else if (this.report) {
        this.s.edges = [];
      } else {
        for (const w of list) if (w.wait) w.wait.key = sems.find((x) => x.id === w.wait!.semid)?.key ?? null;
        this.s.edges = waitEdges(waiters, sems);
      }
      // The supervisor's own circle of waits, once it diagnosed a deadlock (reports before it had none).
      this.s.cycle = dl?.cycle ? dl.cycle.map((c) => c.pid) : findCycle(this.s.edges);
      this.push();
    } finally {
      this.polling = false;
    }
  }

  private push(): void {
    const patch = this.differ.next(this.s);
    if (patch) for (const fn of this.listeners) fn(patch);
  }
}
