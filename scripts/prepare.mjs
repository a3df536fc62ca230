#!/usr/bin/env node
// npm's "prepare": builds the package when its devDependencies are here (a
// clone after `npm install`, `npm pack`, a git dependency). When they are
// not (`npm install ../a-clone` installs only the dependencies), the build
// cannot run; say once what to do and let the install finish, instead of
// failing it with "tsc: not found". A package from npm or a tarball is
// already built and never runs this.
import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tools = ["typescript", "assemblyscript", "@assemblyscript/wasi-shim"];
const missing = tools.filter((t) => !existsSync(join(root, "node_modules", t, "package.json")));
if (missing.length === 0) {
  const r = spawnSync("npm", ["run", "--silent", "build"], { cwd: root, stdio: "inherit" });
  process.exit(r.status ?? 1);
}
if (!existsSync(join(root, "dist", "host", "index.js"))) {
  console.error(`wasi-sysv: not built (its devDependencies ${missing.join(", ")} are not installed in ${root}): ` +
    `run "npm install" there, or install wasi-sysv from npm or from a tarball made by "npm pack"`);
}
