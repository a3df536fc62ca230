#!/usr/bin/env node
// node scripts/mutation-incremental-merge.mjs A.json B.json ... > OUT.json:
// joins StrykerJS incremental files of runs made at the same time, each with
// its own MUTATION_INCREMENTAL (docs/mutation.md, "Incremental mode"). The
// files are mutation-testing reports; their `files` (and `testFiles`) are
// joined file by file, a later argument winning for a file in several.
import fs from 'node:fs';

const inputs = process.argv.slice(2);
if (inputs.length === 0) {
  console.error('usage: node scripts/mutation-incremental-merge.mjs A.json B.json ... > OUT.json');
  process.exit(2);
}
let out;
for (const file of inputs) {
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`mutation-incremental-merge: cannot read ${file} (${e.message}): give the incremental files of finished runs`);
    process.exit(1);
  }
  if (!out) { out = r; continue; }
  out.files = { ...out.files, ...r.files };
  if (r.testFiles) out.testFiles = { ...(out.testFiles ?? {}), ...r.testFiles };
}
process.stdout.write(JSON.stringify(out));
