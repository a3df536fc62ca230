// The package as a new user gets it: `npm pack`, then an empty project
// outside the repo installs the tarball (npm's cache, no other network) and
//  - follows the README's "Writing a guest" commands as written (with the
//    tarball in place of the registry's wasi-sysv) and gets its output;
//  - runs the README's embedding example;
//  - runs `wasi-sysv conformance --filter` and `wasi-sysv bench --quick
//    --filter` from the installed package (interpreter and bench C twin
//    built with cc on first use, guests prebuilt, no asc);
//  - imports the API, and compiles a TypeScript consumer against its types;
//  - builds the README's C guest with `npx wasi-sysv cc` (headers and
//    library from the package) and runs it.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { ROOT, test } from './helpers.js';
import { ipcScope } from './ipc-scope.js';
import { readmeBlocks } from './readme-blocks.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'wsv-pack-'));
const proj = path.join(work, 'project');
// npm from the cache only; quiet. The commands themselves stay as the README writes them.
const npmEnv = {
  ...process.env, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false',
  npm_config_update_notifier: 'false', npm_config_loglevel: 'error',
};
delete (npmEnv as Record<string, string | undefined>)['FORCE_COLOR'];
let tarball = '';

function sh(cmd: string, cwd = proj, timeout = 180_000): SpawnSyncReturns<string> {
  return spawnSync('bash', ['-c', cmd], { cwd, env: npmEnv, encoding: 'utf8', timeout });
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.is(r.status, 0, `${what} exited ${r.status}${r.error ? ` (${r.error.message})` : ''}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

let cleanup = () => {};
test.before.each(() => { cleanup = ipcScope(); });
test.after.each(() => cleanup());

test('npm pack: what the package holds and what it leaves out', () => {
  // The test run has just built everything; prepare would build again.
  const out = ok(spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env: npmEnv, encoding: 'utf8' }), 'npm pack');
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  tarball = path.join(work, info!.filename);
  const files = info!.files.map((f) => f.path);
  for (const need of ['LICENSE', 'README.md', 'package.json', 'docs/abi.md', 'bin/wasi-sysv.js', 'dist/host/index.js', 'dist/host/index.d.ts',
    'dist/conformance/cli.js', 'dist/conformance/driver-main.js', 'conformance/cases/01-shmget.sysv', 'conformance/native/interp.c',
    'build/conformance/interp.wasm', 'build/bench/bench.wasm', 'build/bench/copy.wasm', 'build/bench/kernel.wasm',
    'assembly/bench/native/bench.c', 'assembly/index.ts', 'build/examples/counter-show.wasm',
    'dist/c/cc.js', 'c/include/sys/shm.h', 'c/include/sys/sem.h', 'c/include/sys/ipc.h', 'c/include/sys/wait.h',
    'c/include/wasi-sysv/proc.h', 'c/lib/sysv.c', 'build/conformance/interp-c.wasm',
    'dist/fuzz/cli.js', 'fuzz/native/twin.c', 'build/fuzz/exec.wasm']) {
    assert.ok(files.includes(need), `the package holds ${need}`);
  }
  for (const f of files) {
    assert.not.ok(f.startsWith('dist/test/') || f.startsWith('dist/scripts/') || f.startsWith('test/') || f.endsWith('.map'), `no tests or maps: ${f}`);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.is(pkg.private, undefined, 'publishable');
  for (const k of ['description', 'repository', 'keywords', 'engines', 'license', 'types', 'exports']) assert.ok(pkg[k], `package.json has ${k}`);
  assert.match(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8'), /MIT License[\s\S]*Copyright \(c\) 2026 the wasi-sysv authors/);
});

test('an empty project installs the tarball and follows the README: build a guest, run it, embed the host', () => {
  fs.mkdirSync(proj);
  fs.writeFileSync(path.join(proj, 'package.json'), '{ "name": "new-user", "version": "1.0.0", "private": true, "type": "module" }\n');
  const readme = readmeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const guestBlock = readme.find((b) => b.lang === 'ts' && b.body.includes('from "wasi-sysv/assembly"'))!;
  const build = readme.find((b) => b.lang === 'sh' && b.body.includes('npx asc '))!;
  const texts = readme.filter((b) => b.lang === 'text');
  fs.writeFileSync(path.join(proj, 'guest.ts'), guestBlock.body);
  let last = '';
  for (const line of build.body.split('\n').filter((l) => l.trim())) {
    // The registry does not have this version: the tarball stands in for it.
    const cmd = line === 'npm install wasi-sysv' ? `npm install ${JSON.stringify(tarball)}` : line;
    last = ok(sh(cmd), cmd);
  }
  assert.is(last, texts[0]!.body, 'npx wasi-sysv run guest.wasm prints what the README shows');
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/wasi-sysv/dist/host/index.js')), 'installed from the tarball');

  const embed = readme.find((b) => b.lang === 'js' && b.body.includes('from "wasi-sysv"'))!;
  fs.writeFileSync(path.join(proj, 'embed.mjs'), embed.body);
  // What the embedding example prints: the text block after it (the C
  // guests' section has one of its own before it).
  const embedOut = readme.slice(readme.indexOf(embed) + 1).find((b) => b.lang === 'text')!;
  assert.is(ok(sh('node embed.mjs'), 'the embedding example'), embedOut.body);
});

test('the installed package runs conformance --filter, bench --quick --filter and fuzz', () => {
  const conf = ok(sh('npx wasi-sysv conformance --filter "IPC_PRIVATE ignores IPC_EXCL"'), 'conformance');
  assert.match(conf, /1 of 1 cases agree, 0 disagree/);
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/wasi-sysv/build/conformance/interp')), 'the native interpreter was built with cc');
  const bench = ok(sh('npx wasi-sysv bench --quick --filter semop'), 'bench');
  assert.match(bench, /semop-uncontended\s+ns\/pair\s+\d/);
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/wasi-sysv/build/bench/bench-native')), 'the bench C twin was built with cc');
  // The README's fuzzing command (shorter): it was missing from the package.
  const fuzz = ok(sh('npx wasi-sysv fuzz --seeds 1 --calls 300 --seed 7'), 'fuzz');
  assert.match(fuzz, /1 seeds, 0 divergences, 0 host deaths/);
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/wasi-sysv/build/fuzz/twin')), 'the fuzz C twin was built with cc');
});

test('import("wasi-sysv") gives the API; a TypeScript consumer type-checks against the package', () => {
  const probe = `import * as api from "wasi-sysv";
import assembly from "wasi-sysv/package.json" with { type: "json" };
console.log(Object.keys(api).sort().join(","), assembly.exports["./assembly"]);`;
  fs.writeFileSync(path.join(proj, 'probe.mjs'), probe);
  const out = ok(sh('node probe.mjs'), 'import');
  for (const name of ['run', 'runConformance', 'runBench', 'signalStatus', 'version']) assert.ok(out.split(' ')[0]!.split(',').includes(name), `exports ${name}: ${out}`);
  assert.match(out, /\.\/assembly\/index\.ts/);

  fs.writeFileSync(path.join(proj, 'consumer.ts'), `import { run, runConformance, type RunResult, type RunOptions } from "wasi-sysv";
const options: RunOptions = { args: ["a"], stdout: (chunk: Uint8Array) => { void chunk; }, stdin: { data: "x" }, timeoutSeconds: 1 };
const r: RunResult = await run("guest.wasm", options);
if (r.kind === "exit") { const code: number = r.code; void code; }
if (r.kind === "trap") { const where: string | undefined = r.func; void where; }
const status: number = r.exitStatus;
const suite = await runConformance({ filter: "x" });
const agreed: boolean = suite.ok;
// @ts-expect-error: the module path is a string
await run(42);
// @ts-expect-error: no such outcome
if (r.kind === "crashed") {}
void status; void agreed;
`);
  fs.writeFileSync(path.join(proj, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true,
      skipLibCheck: false, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules/@types')] },
    files: ['consumer.ts'],
  }));
  ok(spawnSync(path.join(ROOT, 'node_modules/.bin/tsc'), ['-p', '.'], { cwd: proj, encoding: 'utf8' }), 'tsc on the consumer');
});

test('the installed package compiles the README\'s C guest with npx wasi-sysv cc, and runs it', () => {
  const readme = readmeBlocks(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const i = readme.findIndex((b) => b.lang === 'c' && b.body.includes('int main('));
  fs.writeFileSync(path.join(proj, 'counter.c'), readme[i]!.body);
  const want = readme.slice(i + 1).find((b) => b.lang === 'text')!.body;
  ok(sh('npx wasi-sysv cc counter.c -o counter.wasm -O2 -Wall'), 'npx wasi-sysv cc');
  assert.ok(fs.existsSync(path.join(proj, 'node_modules/wasi-sysv/build/c/libwasi-sysv.a')), 'the C guest library was built from the package\'s sources');
  assert.is(ok(sh('unshare --ipc npx wasi-sysv run counter.wasm'), 'the C guest'), want);
});

test.after(() => { fs.rmSync(work, { recursive: true, force: true }); });

test.run();
