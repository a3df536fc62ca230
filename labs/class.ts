// A class at once: `wasi-sysv lab LAB.json --submissions DIR --jobs J` runs
// the lab once per sub-folder of DIR (one student's build: the lab's wasm
// modules are looked up inside it, while native programs, stdin files and
// checkers stay the lab's), J students at a time, each run in namespaces of
// its own (cli.ts re-executes itself per student, as for one lab), with a
// progress line per student on stderr. It sums up the students' reports in
// one class report: a table (student, verdict, each check) and JSON. A
// student whose folder lacks a module gets the verdict `error` with one line;
// the class run goes on.
import fs from 'node:fs';
import path from 'node:path';
import type { Lab } from './schema.js';

/** The lab as one student's build runs it: each wasm module inside `dir` instead of the lab's folder. */
export function forStudent(lab: Lab, dir: string): Lab {
  const root = path.resolve(dir);
  return {
    ...lab,
    processes: lab.processes.map((p) => {
      if (!p.wasm) return p;
      const rel = path.relative(lab.dir, p.wasm);
      // A module outside the lab's folder (an absolute path, "../x.wasm") is the teacher's: kept.
      if (rel.startsWith('..') || path.isAbsolute(rel)) return p;
      return { ...p, wasm: path.join(root, rel) };
    }),
  };
}

/** The students: every sub-folder of dir (not hidden), sorted by name as people read them. */
export function students(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && (e.isDirectory() || (e.isSymbolicLink() && fs.statSync(path.join(dir, e.name), { throwIfNoEntry: false })?.isDirectory())))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' }) || (a < b ? -1 : a > b ? 1 : 0));
}

export interface StudentResult {
  student: string;
  verdict: 'pass' | 'fail' | 'deadlock' | 'error';
  why: string;
  wallMs: number;
  checks: Array<{ check: string; pass: boolean; why: string }>;
  processes: Array<{ name: string; index: number; verdict: string; exit: number | null; why: string; peakPages: number | null }>;
}

export interface ClassReport {
  lab: string; file: string; submissions: string;
  /** The lab's checks, in order: the columns of the table. */
  checks: string[];
  students: StudentResult[];
  summary: { students: number; pass: number; fail: number; deadlock: number; error: number };
}

/** One student's result from the report of its lab run (or null when the run gave none). */
export function studentResult(student: string, report: any): StudentResult {
  return {
    student,
    verdict: report.verdict,
    why: report.why,
    wallMs: report.wallMs,
    checks: report.checks.map((c: any) => ({ check: c.check, pass: c.pass, why: c.why })),
    processes: report.processes.map((p: any) => ({ name: p.name, index: p.index, verdict: p.verdict, exit: p.exit, why: p.why, peakPages: p.peakPages })),
  };
}

export function errorResult(student: string, why: string): StudentResult {
  return { student, verdict: 'error', why, wallMs: 0, checks: [], processes: [] };
}

/** A student's folder misses a module the lab needs: the one line that says so, or undefined. */
export function studentMissing(lab: Lab, dir: string): string | undefined {
  for (const p of forStudent(lab, dir).processes) {
    if (p.wasm && !fs.statSync(p.wasm, { throwIfNoEntry: false })?.isFile())
      return `${path.relative(dir, p.wasm)} is missing from the student's folder (process "${p.name}")`;
  }
  return undefined;
}

export function summarizeClass(lab: Lab, submissions: string, checks: string[], results: StudentResult[]): ClassReport {
  const count = (v: StudentResult['verdict']) => results.filter((r) => r.verdict === v).length;
  return {
    lab: lab.name, file: lab.file, submissions: path.resolve(submissions), checks, students: results,
    summary: { students: results.length, pass: count('pass'), fail: count('fail'), deadlock: count('deadlock'), error: count('error') },
  };
}

const cell = (s: string, w: number) => (s.length > w ? s.slice(0, w - 1) + '…' : s.padEnd(w));

/**
 * The class table: one row per student (verdict, one column per check:
 * PASS, FAIL or "-" when it did not run, then why), the checks' legend and
 * the counts.
 */
export function formatClass(r: ClassReport): string {
  const nameW = Math.max(7, ...r.students.map((s) => s.student.length));
  const colW = Math.max(4, ...r.checks.map((_, i) => String(i + 1).length));
  const out = [`${cell('student', nameW)}  ${cell('verdict', 8)}  ${r.checks.map((_, i) => cell(String(i + 1), colW)).join(' ')}${r.checks.length ? '  ' : ''}why`];
  for (const s of r.students) {
    const cols = r.checks.map((name, i) => {
      const c = s.checks[i]?.check === name ? s.checks[i] : s.checks.find((x) => x.check === name);
      return cell(c ? (c.pass ? 'PASS' : 'FAIL') : '-', colW);
    });
    const why = s.verdict === 'pass' ? '' : s.verdict === 'fail'
      ? s.checks.filter((c) => !c.pass).map((c) => `${c.check}: ${c.why}`).join('; ')
      : s.why;
    out.push(`${cell(s.student, nameW)}  ${cell(s.verdict, 8)}  ${cols.join(' ')}${cols.length ? '  ' : ''}${why.length > 200 ? why.slice(0, 199) + '…' : why}`);
  }
  out.push('');
  r.checks.forEach((c, i) => out.push(`check ${i + 1}: ${c}`));
  const m = r.summary;
  out.push(`class ${r.lab}: ${m.students} student(s): ${m.pass} pass, ${m.fail} fail, ${m.deadlock} deadlock, ${m.error} error`);
  return out.join('\n');
}

/**
 * Runs `task` for every item, at most `jobs` at a time, in the items' order
 * of start; resolves with the results in the items' order. Stops starting new
 * ones once `stopped()` says so (their results stay undefined).
 */
export async function pool<T, R>(items: T[], jobs: number, task: (item: T, k: number) => Promise<R>, stopped: () => boolean): Promise<Array<R | undefined>> {
  const results: Array<R | undefined> = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stopped()) {
      const k = next++;
      results[k] = await task(items[k]!, k);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}
