// What the live view's server sends its page: the whole state on connect
// (SSE event "state"), then patches (event "patch"). Types only: shared by
// the server (view/*.ts, Node) and the page (view/page, the browser), which
// are compiled apart, so nothing here may exist at run time.

export interface ViewProcess {
  /** "name[index]", unique in a lab. */
  label: string; name: string; index: number;
  pid: number | null;
  wasm: boolean;
  state: 'starting' | 'running' | 'blocked' | 'exited';
  /** What it waits on while blocked in semop / semtimedop without a timeout. */
  wait: { semid: number; key: number | null; ops: Array<{ num: number; op: number; flg: number }> } | null;
  /** Once exited: the lab's verdict for it (ok, exit, trap, ...), exit status and why. */
  verdict: string | null; exit: number | null; why: string;
  /** sysv calls so far (wasm guests); null for native programs. */
  calls: number | null;
}

export interface ViewSem { key: number; id: number; nsems: number; sems: Array<{ value: number; ncnt: number; zcnt: number; pid: number }> }

export interface ViewShm {
  key: number; id: number; size: number; nattch: number; cpid: number; lpid: number; perms: string;
  /** pids of the lab's processes that have it attached (from /proc/PID/maps). */
  attached: number[];
}

/** One range of a segment's bytes, read from the segment itself. */
export interface ViewBytes { id: number; off: number; len: number; hex?: string; error?: string }

/** An edge of the wait-for graph: `from` waits on semaphore (semid, num), which `to` changed last. */
export interface WaitEdge { from: number; to: number | null; semid: number; key: number | null; num: number; op: number }

export interface ViewCall { t: number; pid: number; line: string }
export interface ViewBlocked { pid: number; from: number; to: number | null; semid: number }

export interface ViewState {
  mode: 'live' | 'replay';
  lab: string; file: string;
  status: 'running' | 'done';
  /** At the end: pass, fail, deadlock or error, and why. */
  verdict: string | null; why: string;
  /** Milliseconds since the lab started (live), or its whole length (replay). */
  now: number;
  processes: ViewProcess[];
  sems: ViewSem[];
  shms: ViewShm[];
  /** Keyed "id:off:len". */
  bytes: Record<string, ViewBytes>;
  edges: WaitEdge[];
  /** pids on a wait-for cycle (each waits for the next), empty when none. */
  cycle: number[];
  /** The supervisor's deadlock diagnosis, as text, once made. */
  deadlock: string | null;
  calls: ViewCall[];
  blocked: ViewBlocked[];
  /** What this view cannot show and why (e.g. a replay has no segment bytes). */
  notes: string[];
}

/** A patch: the top-level fields that changed, and what was appended to calls. */
export interface ViewPatch {
  set: Partial<Omit<ViewState, 'calls'>>;
  /** New calls; the first of them is calls[callsFrom] (a page that has more already skips those). */
  calls?: ViewCall[];
  callsFrom?: number;
}
