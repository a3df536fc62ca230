// Every code block in the README is a tested thing. Each block is classified
// (an unknown kind fails, so a new block must be given a test here):
//  - a guest (```ts importing "wasi-sysv/assembly") is built in a project
//    outside the repo that imports the package by name, with the commands
//    of the README's own build block, run with a timeout, and its stdout
//    compared with the ```text block that follows it;
//  - an embedding example (```js importing "wasi-sysv") runs in that
//    project with node and its stdout is compared the same way;
//  - the Quick tour runs as written (npx wasi-sysv is this repo's bin);
//  - every `wasi-sysv <command> --flag` in a shell block or the usage block
//    names a real command and flag (its --help lists it);
//  - the conformance case example parses with the suite's DSL parser;
//  - a C guest (```c with a main) is built with `wasi-sysv cc` and with cc,
//    both run in a fresh IPC namespace, and each one's stdout compared with
//    the ```text block that follows it; a ```c fragment (no main) compiles
//    as a guest inside a function;
//  - the example that judges an implementation with `--targets ... wrap:`
//    runs as written (needs qemu-user, which .ci/run installs) and its
//    wrap: column agrees with native on every case it ran.
// The build-and-run block itself runs as written against the packed package
// in package.test.ts.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { ROOT, CLI, cli, ipcsRows, test } from './helpers.js';
import { ipcScope } from './ipc-scope.js';
import { parseCaseFile } from '../conformance/dsl.js';
import { readmeBlocks, type Block } from './readme-blocks.js';

const README = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const blocks = readmeBlocks(README);
const isGuest = (b: Block) => b.lang === 'ts' && b.body.includes('from "wasi-sysv/assembly"');
const isEmbed = (b: Block) => b.lang === 'js' && /from "wasi-sysv"/.test(b.body);
const isCGuest = (b: Block) => b.lang === 'c' && /\bint main\(/.test(b.body);
const isCFragment = (b: Block) => b.lang === 'c' && !isCGuest(b);
const isShell = (b: Block) => b.lang === 'sh';
const isUsage = (b: Block) => b.lang === '' && b.body.startsWith('wasi-sysv run');
const isCase = (b: Block) => b.lang === '' && b.body.startsWith('case ');
const isDiagram = (b: Block) => b.lang === '' && b.body.includes('one kernel SysV segment');
const isStartOutput = (b: Block) => b.lang === '' && /^\s+run\s+bytes\s+checksum/.test(b.body);
/** A recorded run: commands (npx wasi-sysv ...) each followed by what it printed, e.g. the fuzzing figures. */
const isRecorded = (b: Block) => b.lang === '' && b.body.startsWith('npx wasi-sysv ');
/** What a block prints: the ```text block after it (past its build commands). */
const outputBlock = (b: Block) => {
  let i = blocks.indexOf(b) + 1;
  while (blocks[i]?.lang === 'sh') i++;
  return blocks[i]?.lang === 'text' ? blocks[i] : undefined;
};
const expected = (b: Block) => outputBlock(b)?.body;

test('every README code block is of a kind this file tests', () => {
  const outputs = new Set(blocks.filter((b) => isGuest(b) || isEmbed(b) || isCGuest(b)).map(outputBlock));
  for (const b of blocks) {
    const known = isGuest(b) || isEmbed(b) || isCGuest(b) || isCFragment(b) || isShell(b) || isUsage(b) || isCase(b) || isDiagram(b) || isStartOutput(b) || isRecorded(b) || outputs.has(b);
    assert.ok(known, `README.md:${b.line}: a \`\`\`${b.lang} block of no known kind: give it a test in test/readme.test.ts`);
  }
  assert.ok(blocks.some(isGuest), 'a guest example');
  assert.ok(blocks.some(isEmbed), 'an embedding example');
  for (const b of blocks.filter((x) => isGuest(x) || isEmbed(x) || isCGuest(x))) assert.ok(expected(b), `README.md:${b.line}: a \`\`\`text block with its output follows`);
});

// ---- shell commands name real commands and flags ------------------------------------

const helpOf = new Map<string, string>();
function help(cmd: string): string {
  if (!helpOf.has(cmd)) {
    const r = cli(cmd === 'run' ? ['--help'] : [cmd, '--help']);
    assert.is(r.status, 0, `wasi-sysv ${cmd} --help: ${r.stderr}`);
    helpOf.set(cmd, r.stdout);
  }
  return helpOf.get(cmd)!;
}

test('every wasi-sysv command and flag the README shows exists', () => {
  const uses: Array<{ cmd: string; flags: string[]; where: string }> = [];
  for (const b of blocks.filter((x) => isShell(x) || isUsage(x) || isRecorded(x))) {
    b.body.split('\n').forEach((l, i) => {
      if (isRecorded(b) && !l.startsWith('npx wasi-sysv ')) return; // what the command printed
      const m = /(?:^|npx |\s)wasi-sysv\s+(\S+)(.*)$/.exec(l.replace(/#.*$/, ''));
      if (m) uses.push({ cmd: m[1]!, flags: [...m[2]!.matchAll(/--[a-z][a-z-]*/g)].map((f) => f[0]), where: `README.md:${b.line + 1 + i}` });
    });
  }
  // Commands in the prose: `npx wasi-sysv conformance [--filter TEXT] ...`.
  for (const m of README.matchAll(/`(?:npx )?wasi-sysv (\w+)([^`]*)`/g)) {
    uses.push({ cmd: m[1]!, flags: [...m[2]!.matchAll(/--[a-z][a-z-]*/g)].map((f) => f[0]), where: `README.md prose: ${m[0]}` });
  }
  assert.ok(uses.length >= 8, `found the README's commands (${uses.length})`);
  const top = help('run');
  for (const u of uses) {
    assert.ok(new RegExp(`^  wasi-sysv ${u.cmd}\\b`, 'm').test(top), `${u.where}: command ${u.cmd} is in wasi-sysv --help`);
    const text = help(u.cmd);
    for (const f of u.flags) assert.ok(new RegExp(`${f}\\b`).test(text), `${u.where}: ${u.cmd} ${f} is in its --help`);
  }
});

test('the conformance case example parses', () => {
  const b = blocks.find(isCase)!;
  const cases = parseCaseFile('README.md', b.body, 'readme');
  assert.is(cases.length, 1);
  assert.is(cases[0]!.error, undefined);
  assert.ok(cases[0]!.procs.length > 0);
});

// ---- guests and the embedding example, outside the repo ------------------------------

/** A project outside the repo with the package and the wasi shim installed (linked). */
function outsideProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-readme-'));
  fs.mkdirSync(path.join(dir, 'node_modules/@assemblyscript'), { recursive: true });
  fs.symlinkSync(ROOT, path.join(dir, 'node_modules/wasi-sysv'));
  fs.symlinkSync(path.join(ROOT, 'node_modules/@assemblyscript/wasi-shim'), path.join(dir, 'node_modules/@assemblyscript/wasi-shim'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "readme-user", "private": true, "type": "module" }\n');
  return dir;
}

/** The README's build block, line by line: asconfig as written, asc and the run through this repo. */
function buildBlock(): string[] {
  const b = blocks.find((x) => isShell(x) && x.body.includes('npx asc '))!;
  assert.ok(b, 'a shell block that builds with asc');
  return b.body.split('\n').filter((l) => l.trim());
}

let cleanup = () => {};
test.before.each(() => { cleanup = ipcScope(); });
test.after.each(() => cleanup());

test('the README guest builds outside the repo, runs and prints what the README says', () => {
  const before = [...ipcsRows('-m'), ...ipcsRows('-s')];
  const dir = outsideProject();
  const lines = buildBlock();
  const guests = blocks.filter(isGuest);
  for (const [n, g] of guests.entries()) {
    fs.writeFileSync(path.join(dir, 'guest.ts'), g.body);
    for (const l of lines) {
      if (l.startsWith('npm install')) continue; // the packages are linked above (package.test.ts installs them for real)
      if (l.startsWith('echo ')) {
        const r = spawnSync('bash', ['-c', l], { cwd: dir, encoding: 'utf8' });
        assert.is(r.status, 0, `${l}: ${r.stderr}`);
      } else if (l.startsWith('npx asc ')) {
        const r = spawnSync(path.join(ROOT, 'node_modules/.bin/asc'), l.slice('npx asc '.length).split(/\s+/), { cwd: dir, encoding: 'utf8' });
        assert.is(r.status, 0, `guest ${n + 1} (README.md:${g.line}): ${r.stderr}`);
      } else if (l.startsWith('npx wasi-sysv run ')) {
        const args = l.slice('npx wasi-sysv '.length).split(/\s+/);
        const r = spawnSync(process.execPath, [CLI, 'run', '--timeout', '20', ...args.slice(1)], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
        assert.is(r.status, 0, `guest README.md:${g.line} exited ${r.status}: ${r.stderr}`);
        assert.is(r.stdout, expected(g), `guest README.md:${g.line} prints what the README shows`);
      } else {
        assert.unreachable(`README build block line not understood: ${l}`);
      }
    }
    assert.equal([...ipcsRows('-m'), ...ipcsRows('-s')], before, 'the guest removed what it created');
  }
  // The embedding examples run in the same project, beside guest.wasm.
  for (const e of blocks.filter(isEmbed)) {
    fs.writeFileSync(path.join(dir, 'embed.mjs'), e.body);
    // As a user's terminal-less run: the test runner's FORCE_COLOR would colour console.log's numbers.
    const { FORCE_COLOR: _colour, ...env } = process.env;
    const r = spawnSync(process.execPath, ['embed.mjs'], { cwd: dir, encoding: 'utf8', timeout: 60_000, env });
    assert.is(r.status, 0, `README.md:${e.line}: ${r.stderr}`);
    assert.is(r.stdout, expected(e), `README.md:${e.line} prints what the README shows`);
    assert.match(r.stderr, /^semop\(/m, 'its trace callback saw the sysv calls');
  }
});

test('the Quick tour runs as written', () => {
  const before = [...ipcsRows('-m'), ...ipcsRows('-s')];
  const b = blocks.find((x) => isShell(x) && x.section === 'Quick tour')!;
  assert.ok(b, 'a Quick tour block');
  // npx wasi-sysv is this repo's own bin; `npm install` has been done.
  const shim = `set -e
npx() { if [ "$1" = wasi-sysv ]; then shift; node ${JSON.stringify(CLI)} "$@"; else echo "unexpected npx $*" >&2; return 1; fi; }
npm() { [ "$1" = install ] || { echo "unexpected npm $*" >&2; return 1; }; }
`;
  const r = spawnSync('bash', ['-c', shim + b.body + 'wait\n'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  // The two guests share stdout, and console.log writes a line as two
  // writes (the text, then "\n"), so their lines may interleave
  // ("inc -> 3show -> 2"): count the values, not the lines.
  const shows = r.stdout.match(/show -> \d+/g) ?? [];
  const incs: string[] = r.stdout.match(/inc -> \d+/g) ?? [];
  const peers: string[] = r.stdout.match(/peer -> \d+/g) ?? [];
  assert.is(shows.length, 10, `the shower stops after 10 rounds; stdout:\n${r.stdout}\nstderr:\n${r.stderr}`);
  assert.is(incs.length, 10, 'the incrementer stops after 10 rounds');
  assert.ok(incs.includes('inc -> 10'), r.stdout);
  assert.is(peers.length, 5);
  assert.ok(peers.includes('peer -> 15'), 'the C peer continues the guests\' count');
  assert.match(r.stdout, /abi-only ok/);
  assert.match(r.stderr, /^shmget\(IPC_PRIVATE, /m, '--trace lines');
  assert.equal([...ipcsRows('-m'), ...ipcsRows('-s')], before, 'ipcrm removed the segment');
});

test('the README\'s C guest prints what the README shows, built with wasi-sysv cc and with cc', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-readme-c-'));
  try {
    const guests = blocks.filter(isCGuest);
    assert.ok(guests.length > 0, 'a C guest example');
    for (const g of guests) {
      fs.writeFileSync(path.join(dir, 'prog.c'), g.body);
      const w = cli(['cc', '-O2', '-Wall', '-Werror', path.join(dir, 'prog.c'), '-o', path.join(dir, 'prog.wasm')]);
      assert.is(w.status, 0, `wasi-sysv cc README.md:${g.line}: ${w.stderr}`);
      const n = spawnSync('cc', ['-O2', '-Wall', '-Werror', path.join(dir, 'prog.c'), '-o', path.join(dir, 'prog')], { encoding: 'utf8' });
      assert.is(n.status, 0, `cc README.md:${g.line}: ${n.stderr}`);
      for (const cmd of [[process.execPath, CLI, 'run', path.join(dir, 'prog.wasm')], [path.join(dir, 'prog')]]) {
        const r = spawnSync('unshare', ['--ipc', '--', ...cmd], { encoding: 'utf8', timeout: 60_000 });
        assert.is(r.status, 0, `${cmd.join(' ')}: ${r.stderr}`);
        assert.is(r.stdout, expected(g), `README.md:${g.line} (${path.basename(cmd[cmd.length - 1]!)}) prints what the README shows`);
      }
    }
    for (const f of blocks.filter(isCFragment)) {
      const body = `#include <sys/types.h>\n#include <unistd.h>\n#include <wasi-sysv/proc.h>\nstatic int run_child(int *n) { return *n; }\nint f(int *num, const char *key_text) {\n${f.body}\n(void)num; (void)key_text; return pid;\n}\n`;
      fs.writeFileSync(path.join(dir, 'frag.c'), body);
      const r = cli(['cc', '-Wall', '-Werror', '-c', path.join(dir, 'frag.c'), '-o', path.join(dir, 'frag.o')]);
      assert.is(r.status, 0, `README.md:${f.line}: the fragment compiles as a guest: ${r.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the README\'s wrap: example judges an implementation as written', () => {
  const b = blocks.find((x) => isShell(x) && x.body.includes('--targets'));
  assert.ok(b, 'a shell block with --targets');
  assert.match(b!.body, /wrap:/, 'it uses a wrap: target');
  const shim = `set -e
npx() { if [ "$1" = wasi-sysv ]; then shift; node ${JSON.stringify(CLI)} "$@"; else echo "unexpected npx $*" >&2; return 1; fi; }
`;
  const r = spawnSync('bash', ['-c', shim + b!.body], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  assert.is(r.status, 0, r.stdout + r.stderr);
  const wrap = /^  (wrap:\S.*?)\s+(\d+) agree, (\d+) differ, (\d+) n\/a, (\d+) missing/m.exec(r.stdout);
  assert.ok(wrap, `a summary line for the wrap: target in ${r.stdout.slice(-600)}`);
  assert.ok(Number(wrap![2]) > 0, 'it ran cases');
  assert.equal([wrap![3], wrap![5]], ['0', '0'], 'every case agrees under the wrapper');
}, 320_000);

test.run();
