// Records the conformance matrix of the judged implementations:
//   node scripts/implementations.mjs [--jobs N] [--targets LIST]
// runs `wasi-sysv conformance --targets native,gvisor,qemu` (default), writes
// docs/implementations.json (the targets and every case's cells, no
// transcripts: the record `npm test` compares the gvisor column with) and
// rewrites the generated part of docs/implementations.md (the summary and
// every cell that is not a pass). The prose of that file, which explains each
// difference for the implementation's maintainers, stays as written: update
// it when the differences change (test/matrix.test.ts checks that it names
// every case that differs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { recordOf, withMatrix } = await import(path.join(root, 'dist/conformance/record.js'));

const argv = process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : dflt; };
const targets = opt('--targets', 'native,gvisor,qemu');
const jobs = opt('--jobs', '2');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-impl-'));
try {
  const json = path.join(tmp, 'matrix.json');
  const args = ['conformance', '--targets', targets, '--jobs', jobs, '--json', json];
  const r = spawnSync(process.execPath, [path.join(root, 'bin/wasi-sysv.js'), ...args], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (!fs.existsSync(json)) {
    console.error(`scripts/implementations.mjs: the conformance run (status ${r.status}) wrote no matrix`);
    process.exit(1);
  }
  const doc = JSON.parse(fs.readFileSync(json, 'utf8'));
  if (doc.error) { console.error(`scripts/implementations.mjs: ${doc.error}`); process.exit(1); }
  const rec = recordOf(doc, `wasi-sysv conformance --targets ${targets}`);
  fs.writeFileSync(path.join(root, 'docs/implementations.json'), JSON.stringify(rec, null, 1) + '\n');
  const mdPath = path.join(root, 'docs/implementations.md');
  const md = fs.existsSync(mdPath) ? fs.readFileSync(mdPath, 'utf8') : '# SysV IPC in other implementations\n';
  fs.writeFileSync(mdPath, withMatrix(md, rec));
  console.log('wrote docs/implementations.json and the matrix in docs/implementations.md');
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
