// The README's "Teaching labs" walkthrough runs as written: its shell blocks,
// in order, in a fresh directory that has the repository's labs/ (built by
// the test run) as `labs`, with `npx wasi-sysv` this repo's bin. What a
// teacher is told to look at must be there: the PASS, the report, the class
// table and JSON, the race hunt's summary and its replay.
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CLI, ROOT, test } from './helpers.js';
import { readmeBlocks } from './readme-blocks.js';

test('the README\'s Teaching labs walkthrough runs as written', () => {
  const blocks = readmeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'))
    .filter((b) => b.section === 'Teaching labs' && b.lang === 'sh');
  assert.ok(blocks.length >= 3, 'the walkthrough\'s shell blocks');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labs-readme-'));
  try {
    fs.symlinkSync(path.join(ROOT, 'labs'), path.join(dir, 'labs'));
    // `npm run build` has been done by the test run; a lab's exit 1 (a class with failures) does not stop the walk.
    const shim = `npx() { if [ "$1" = wasi-sysv ]; then shift; node ${JSON.stringify(CLI)} "$@"; else echo "unexpected npx $*" >&2; return 1; fi; }
npm() { [ "$*" = "run build" ] || { echo "unexpected npm $*" >&2; return 1; }; }
`;
    const r = spawnSync('bash', ['-c', shim + blocks.map((b) => b.body).join('')], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
    assert.is(r.error, undefined);
    assert.match(r.stdout, /"name": "counter"/, 'cat shows the lab file');
    assert.match(r.stdout, /^lab counter: PASS \(4 check\(s\) passed/m);
    assert.is(JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')).verdict, 'pass');
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'class.json'), 'utf8'));
    assert.equal(c.students.map((s: any) => s.student), ['alice', 'bob', 'carol']);
    assert.is(c.students[0].verdict, 'pass');
    assert.is(c.students[2].verdict, 'error');
    assert.match(r.stdout, /^carol\s+error\s+-\s+-\s+-\s+-\s+worker\.wasm is missing from the student's folder/m);
    assert.match(r.stdout, /^class counter: 3 student\(s\): /m);
    assert.match(r.stderr, /^wasi-sysv lab: \[3\/3\] /m, 'progress lines');
    // Bob's race: the hunt's summary, then the replay's own table (whatever it found).
    assert.match(r.stdout, /^lab counter: [0-5] of 5 run\(s\) failed/m);
    assert.match(r.stdout, /^worker\[2\]\s+\d+\s+ok/m);
    assert.is(r.status === 0 || r.status === 1, true, r.stderr);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
