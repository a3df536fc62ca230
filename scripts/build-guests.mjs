#!/usr/bin/env node
// Builds the example guests and their native twins:
//   assembly/examples/<name>.ts      -> build/examples/<name>.wasm  (asc, release)
//   assembly/examples/native/<name>.c -> build/native/<name>        (cc -O2)
//   assembly/examples/native/<name>.c -> build/examples/c/<name>.wasm (wasi-sysv cc -O2:
//                                        the same C source as a guest)
// A target is skipped when it is newer than everything it depends on: for a
// guest, every .ts under assembly/ (the library and the example helpers); for
// a native program, its .c and the headers beside it (and for its C guest,
// c/include and c/lib too).
// Usage: node scripts/build-guests.mjs [name...]   (names without extension)
// Also importable: `import { buildGuests } from "./scripts/build-guests.mjs"`.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const EXAMPLES = join(ROOT, "assembly", "examples");
const NATIVE = join(EXAMPLES, "native");
const ASC = join(ROOT, "node_modules", ".bin", "asc");
const CLI = join(ROOT, "bin", "wasi-sysv.js");

function listFiles(dir, pred, recurse = false) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      if (recurse) out.push(...listFiles(p, pred, true));
    } else if (pred(e.name)) out.push(p);
  }
  return out.sort();
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : -Infinity);
const newest = (files) => Math.max(-Infinity, ...files.map(mtime));

/** Every buildable target: { name, kind, src, out, deps }. */
export function listTargets() {
  const tsDeps = listFiles(join(ROOT, "assembly"), (n) => n.endsWith(".ts"), true)
    .concat([join(ROOT, "asconfig.json")]);
  const headers = listFiles(NATIVE, (n) => n.endsWith(".h"));
  const guests = listFiles(EXAMPLES, (n) => n.endsWith(".ts")).map((src) => {
    const name = src.slice(EXAMPLES.length + 1, -3);
    return { name, kind: "wasm", src, out: join(ROOT, "build", "examples", name + ".wasm"), deps: tsDeps };
  });
  const natives = listFiles(NATIVE, (n) => n.endsWith(".c")).map((src) => {
    const name = src.slice(NATIVE.length + 1, -2);
    return { name, kind: "native", src, out: join(ROOT, "build", "native", name), deps: [src, ...headers] };
  });
  const cLib = listFiles(join(ROOT, "c"), (n) => n.endsWith(".c") || n.endsWith(".h"), true);
  const cguests = natives.map((t) => ({ ...t, kind: "cwasm", out: join(ROOT, "build", "examples", "c", t.name + ".wasm"), deps: [...t.deps, ...cLib] }));
  return [...guests, ...natives, ...cguests];
}

function compile(t) {
  mkdirSync(dirname(t.out), { recursive: true });
  // Write to a temporary name and rename, so that a concurrent build or run
  // never sees a half-written artefact.
  const tmp = relative(ROOT, t.kind !== "native" ? t.out.replace(/\.wasm$/, `.${process.pid}.tmp.wasm`) : `${t.out}.${process.pid}.tmp`);
  // asc resolves the wasi-shim's lib path against the cwd: run from the root.
  const [cmd, args] = t.kind === "wasm"
    ? [ASC, [relative(ROOT, t.src), "--config", "asconfig.json", "--target", "release", "-o", tmp]]
    : t.kind === "cwasm"
      ? [process.execPath, [CLI, "cc", "-O2", "-Wall", "-Werror", "-o", tmp, relative(ROOT, t.src)]]
      : ["cc", ["-O2", "-Wall", "-Werror", "-o", tmp, relative(ROOT, t.src)]];
  try {
    execFileSync(cmd, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    renameSync(join(ROOT, tmp), t.out);
  } catch (e) {
    rmSync(join(ROOT, tmp), { force: true });
    const output = `${e.stdout ?? ""}${e.stderr ?? ""}`.trim() || String(e.message);
    throw new Error(`${cmd === ASC ? "asc" : t.kind === "cwasm" ? "wasi-sysv cc" : "cc"} failed for ${relative(ROOT, t.src)}:\n${output}`);
  }
}

/**
 * Builds the named targets (all when `names` is empty); a name matches a
 * guest, a native program, or both. Returns the paths it built (up-to-date
 * ones are skipped); throws with the compiler's output on failure.
 */
export function buildGuests(names = [], { log = console.log } = {}) {
  const targets = listTargets();
  const unknown = names.filter((n) => !targets.some((t) => t.name === n));
  if (unknown.length) throw new Error(`unknown target(s): ${unknown.join(", ")}`);
  const built = [];
  for (const t of targets) {
    if (names.length && !names.includes(t.name)) continue;
    if (mtime(t.out) > newest(t.deps)) continue;
    compile(t);
    built.push(t.out);
    log(`built ${relative(ROOT, t.out)}`);
  }
  return built;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildGuests(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
