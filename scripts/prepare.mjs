#!/usr/bin/env node
// npm's "prepare": builds the package (tsc, the guests, the bench guests).
// It runs in a clone after `npm install`, before `npm pack`, for a git
// dependency, and for `npm install ../a-clone`. In the last case npm links
// the clone without installing anything in it, not even its dependencies,
// so the build tools are missing ("tsc: not found") and so would be koffi:
// then install the clone's own dependencies first (npm does the same for a
// git dependency), so that the linked package works. A package from npm or
// a tarball is already built and never runs this.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const npm = (...args) => spawnSync("npm", args, { cwd: root, stdio: "inherit" }).status ?? 1;
const tools = ["typescript", "esbuild", "assemblyscript", "@assemblyscript/wasi-shim", "koffi", "@wasmer/wasi"];
const missing = tools.filter((t) => !existsSync(join(root, "node_modules", t, "package.json")));
if (missing.length > 0) {
  console.error(`wasi-sysv: installing the clone's own dependencies to build it (missing: ${missing.join(", ")})`);
  if (npm("install", "--include=dev", "--ignore-scripts", "--no-audit", "--no-fund") !== 0) {
    console.error(`wasi-sysv: could not install the dependencies in ${root}: run "npm install" there`);
    process.exit(1);
  }
}
process.exit(npm("run", "--silent", "build"));
