// Turns successive view states into patches: the top-level fields whose
// JSON changed, and the calls appended since the last patch. Used by the
// live collector (one patch per poll, pushed to every page at once).
import type { ViewPatch, ViewState } from './page/protocol.js';

export class Differ {
  private last = new Map<string, string>();
  private sentCalls = 0;

  /** The patch from the previous state to this one, or null when nothing changed. */
  next(s: ViewState): ViewPatch | null {
    const set: Record<string, unknown> = {};
    let any = false;
    for (const [k, v] of Object.entries(s)) {
      if (k === 'calls') continue;
      const j = JSON.stringify(v);
      if (this.last.get(k) !== j) { this.last.set(k, j); set[k] = v; any = true; }
    }
    const patch: ViewPatch = { set: set as ViewPatch['set'] };
    if (s.calls.length > this.sentCalls) { patch.calls = s.calls.slice(this.sentCalls); patch.callsFrom = this.sentCalls; this.sentCalls = s.calls.length; any = true; }
    return any ? patch : null;
  }
}
