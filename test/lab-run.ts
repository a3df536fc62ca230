// Shared by the labs-*.test.ts files: lab files in a temporary directory and
// `wasi-sysv lab` runs with their JSON reports. Not a test file itself.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from './helpers.js';

export const COUNTER = path.join(ROOT, 'labs/counter');
export const HOSTILE = path.join(ROOT, 'labs/hostile');

/** A fresh temporary directory for one test file; remove() at the end. */
export function labDir(prefix: string) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  let n = 0;
  return {
    tmp,
    remove: () => fs.rmSync(tmp, { recursive: true, force: true }),
    /** Writes a lab file into a fresh directory (with the given sub-folders); returns its path. */
    file(lab: unknown, subdirs: string[] = []): string {
      const dir = path.join(tmp, `lab${++n}`);
      fs.mkdirSync(dir);
      for (const d of subdirs) fs.mkdirSync(path.join(dir, d), { recursive: true });
      const file = path.join(dir, 'lab.json');
      fs.writeFileSync(file, JSON.stringify(lab, null, 2));
      return file;
    },
  };
}

/** Runs `wasi-sysv lab ARGS` to completion. */
export function lab(args: string[], timeout = 90_000) {
  return spawnSync(process.execPath, [CLI, 'lab', ...args], { cwd: ROOT, encoding: 'utf8', timeout });
}

/** Runs a lab file with --json; returns the exit status and the report. */
export function runLab(file: string, extra: string[] = []) {
  const json = path.join(path.dirname(file), 'report.json');
  fs.rmSync(json, { force: true });
  const r = lab([file, '--json', json, ...extra]);
  const report = fs.existsSync(json) ? JSON.parse(fs.readFileSync(json, 'utf8')) : undefined;
  return { r, report };
}

export const proc = (report: any, name: string, index = 0) => report.processes.find((p: any) => p.name === name && p.index === index);

/**
 * The counter lab as a bystander next to a hostile guest: its setup, two
 * workers with the mutex, its checker. Its checks are the lab's.
 */
export function bystander(workers = 2) {
  return {
    processes: [
      { name: 'init', wasm: path.join(COUNTER, 'init.wasm'), args: [String(workers)], before: true },
      { name: 'worker', wasm: path.join(COUNTER, 'worker.wasm'), count: workers, args: ['{i}', '1000'] },
    ],
    checks: [
      { process: 'worker', exit: 0 },
      { command: [path.join(COUNTER, 'check.wasm'), String(workers * 1000)] },
    ],
  };
}

/** The bystander was unharmed: both workers ok, its checks passed. */
export function bystanderOk(report: any, assert: { is: (a: unknown, b: unknown, m?: string) => void }): void {
  for (const i of [0, 1]) assert.is(proc(report, 'worker', i).verdict, 'ok', JSON.stringify(proc(report, 'worker', i)));
  for (const c of report.checks) assert.is(c.pass, true, JSON.stringify(c));
}
