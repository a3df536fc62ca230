// StrykerJS over the host files that answer the guest (issue 8, part 2).
// `npm run mutation` runs it; `npm run mutation -- --mutate host/sem.ts`
// limits it to one file. How it works and the baseline: docs/mutation.md.
// MUTATION_OUT=DIR (default reports/mutation) puts the reports elsewhere;
// MUTATION_TMP=DIR (default .stryker-tmp) the sandbox: two runs at once need
// their own of each (Stryker deletes its whole temp dir when it ends).
// MUTATION_IGNORE: see ignorePatterns.
const out = process.env.MUTATION_OUT ?? 'reports/mutation';
const tmp = process.env.MUTATION_TMP ?? '.stryker-tmp';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'host/shm.ts', 'host/sem.ts', 'host/windows.ts', 'host/structs.ts',
    'host/guest-memory.ts', 'host/sysv.ts', 'host/wasi.ts',
  ],
  // Stryker writes the instrumented TypeScript into its sandbox copy of the
  // project; `--build` compiles it once with tsc (all mutants are in that one
  // build, each switched on by __STRYKER_ACTIVE_MUTANT__), then the command
  // runs once per mutant.
  buildCommand: 'node scripts/mutation-test.mjs --build',
  disableTypeChecks: 'host/**/*.ts',
  // Stryker would rewrite tsconfig.json's relative paths for the sandbox
  // through TypeScript's JavaScript API, which TypeScript 7 (native tsc)
  // no longer has. Ours has no path that leaves the project, so point the
  // option at a file that does not exist and the rewrite is skipped.
  tsconfigFile: 'tsconfig.stryker-skip.json',
  testRunner: 'command',
  commandRunner: { command: 'node scripts/mutation-test.mjs --stryker' },
  coverageAnalysis: 'off',
  // One mutant at a time: the conformance cases inside already run two at a time.
  concurrency: 1,
  // A mutant's run may last the dry run's time * 3 + 5 min; past that it is
  // a timeout, which Stryker counts as detected (a guest the mutant hung).
  // Generous on purpose: a surviving mutant runs everything the dry run did,
  // and on a loaded machine that can take twice as long; a tighter limit
  // turns slow survivors into false detections. A real hang is rare (every
  // conformance case has its own 30 s limit), so the cost is small.
  timeoutFactor: 3,
  timeoutMS: 300_000,
  // The dry run runs everything once; on a loaded machine that took over 20 min.
  dryRunTimeoutMinutes: 60,
  // MUTATION_IGNORE=a,b: more files kept out of the sandbox (e.g. a case
  // file, to measure the suite without it).
  ignorePatterns: ['reports', 'coverage', '.stryker-tmp*', '*.log', 'mutation-excluded.json', 'mutation-coverage.json', '.mutation-coverage',
    ...(process.env.MUTATION_IGNORE ? process.env.MUTATION_IGNORE.split(',') : [])],
  reporters: ['clear-text', 'progress-append-only', 'html', 'json'],
  htmlReporter: { fileName: `${out}/mutation.html` },
  jsonReporter: { fileName: `${out}/mutation.json` },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 80, break: null },
  // Incremental mode (docs/mutation.md): a later run reuses the result of
  // every mutant whose code and tests did not change since the run that
  // wrote this file (committed, so later sessions build on it); `--force`
  // retests everything. MUTATION_INCREMENTAL=FILE gives a run its own.
  incremental: true,
  incrementalFile: process.env.MUTATION_INCREMENTAL ?? 'reports/stryker-incremental.json',
  tempDirName: tmp,
  cleanTempDir: true,
};
