// Mutant coverage of one test unit (docs/mutation.md, "Coverage pass").
// StrykerJS's instrumented host code calls stryCov_9fa48(ids...) as it runs,
// counting into globalThis.__stryker__.mutantCoverage.static (perTest only
// when a test id is set, which our command runner never does), but only in
// the process or thread that runs it. scripts/mutation-test.mjs, in its
// coverage pass, runs each test unit with MUTATION_COVERAGE_DIR=DIR and
// NODE_OPTIONS=--require <this file>, which Node applies to every node
// process of the unit and to each of their worker threads (the guests run in
// workers). Here each process or thread makes the coverage object before any
// instrumented module loads, and writes each mutant id to DIR/<pid>-<thread>
// the first time it is reached. Written at once, not at exit: a guest
// thread may be terminated, a process killed or aborted, and a lost id
// would make the selection unsound. The file is opened now, as root,
// because a process may drop to another uid later (conformance `proc ...
// uid`); a write that fails anyway makes the whole run fail loudly (below),
// never a silent gap.
'use strict';
const dir = process.env.MUTATION_COVERAGE_DIR;
if (dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const { threadId } = require('node:worker_threads');
  const file = path.join(dir, `${process.pid}-${threadId}`);
  const fd = fs.openSync(file, 'a');
  const seen = Object.create(null);
  // A write sets errno (to 0 on success), and a stryCov call can sit between
  // a libc call and the host's read of its errno (sem.ts: `libc.semop(...)`,
  // `if (r !== -1) return r;`, then `libc.errno()`): without this, the
  // pass turned every semop error into a success (-0) and failed its own
  // dry run. koffi is the host's own, loaded now: loading it inside a
  // record would itself touch the file system before errno is saved.
  let koffi = null;
  try { koffi = require(path.join(__dirname, '..', 'node_modules', 'koffi')); } catch { /* not the project's process */ }
  const record = (id) => {
    const saved = koffi ? koffi.errno() : 0;
    try {
      fs.writeSync(fd, `${id}\n`);
      if (koffi) koffi.errno(saved);
    } catch (e) {
      // Leave a mark the coverage pass refuses: it would rather fail than
      // build a map with a hole in it.
      try { fs.writeFileSync(path.join(dir, `LOST-${process.pid}-${threadId}`), String(e)); } catch { /* the dir is gone */ }
    }
  };
  const counts = new Proxy(seen, {
    set(target, id, value) {
      if (!(id in target)) record(String(id));
      target[id] = value;
      return true;
    },
  });
  const g = globalThis;
  const ns = g.__stryker__ || (g.__stryker__ = {});
  ns.mutantCoverage = { static: counts, perTest: new Proxy({}, {
    // A test id never gets set by our runner; if one were, its ids are
    // recorded all the same.
    get(target, key) { return target[key]; },
    set(target, key, value) { target[key] = new Proxy(value, { set(t, id, v) { if (!(id in t)) record(String(id)); t[id] = v; return true; } }); return true; },
  }) };
}
