// Race hunting inside guest code (host/wasm-rewrite.ts wrapLoads, host/perturb.ts
// memoryHooks): the rewritten module is valid and computes what the
// original does, the hooks see every load, only loads from windows count,
// a seed replays the same pauses after the same loads, and a module is not
// rewritten for it without a seed.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as assert from 'uvu/assert';
import binaryen from 'binaryen';
import { CLI, ROOT, guest, test } from './helpers.js';
import { rewriteModule, routeMemoryGrow, ATOMIC_IMPORT, BULK_IMPORTS, GROW_IMPORT, PERTURB_IMPORTS } from '../host/wasm-rewrite.js';
import { memoryPauses, pauses, MEMORY_SLEEP_BUDGET_MS } from '../host/perturb.js';
import { loadModule } from '../host/guest.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'perturb-memory-test-'));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function assemble(name: string): Uint8Array<ArrayBuffer> {
  const m = binaryen.parseText(fs.readFileSync(path.join(ROOT, 'test/wasm', name), 'utf8'));
  m.setFeatures(binaryen.Features.All);
  if (!m.validate()) throw new Error(`${name} does not validate`);
  const bytes = new Uint8Array(m.emitBinary());
  m.dispose();
  return bytes;
}

test('every load is wrapped: the module validates, computes the same, and the hooks see each address and value', () => {
  const original = assemble('loads.wat');
  const r = rewriteModule(original, { wrapLoads: true });
  assert.is(r.loads, 14);
  assert.ok(WebAssembly.validate(r.bytes));
  const env = { twice: (x: number) => 2 * x };
  const plain = new WebAssembly.Instance(new WebAssembly.Module(original), { env }).exports as any;
  const addrs: number[] = [];
  const values: Array<[string, number | bigint]> = [];
  const hook = (t: string) => (v: any) => { values.push([t, v]); return v; };
  const hooks = {
    [GROW_IMPORT.name]: () => -1,
    [BULK_IMPORTS.copy]: () => {}, [BULK_IMPORTS.fill]: () => {}, [BULK_IMPORTS.init]: (...a: number[]) => a, [ATOMIC_IMPORT]: () => {},
    [PERTURB_IMPORTS.at]: (a: number) => { addrs.push(a); return a; },
    [PERTURB_IMPORTS.i32]: hook('i32'), [PERTURB_IMPORTS.i64]: hook('i64'),
    [PERTURB_IMPORTS.f32]: hook('f32'), [PERTURB_IMPORTS.f64]: hook('f64'),
  };
  const wrapped = new WebAssembly.Instance(new WebAssembly.Module(r.bytes), { env, [GROW_IMPORT.module]: hooks }).exports as any;
  const want = plain.mix();
  assert.is(wrapped.mix(), want);
  assert.ok(want > 1e9, 'every load contributes');
  // In evaluation order; an offset= is not part of the address the hook sees.
  assert.equal(addrs, [16, 16, 17, 18, 20, 32, 24, 24, 24, 24, 24, 24, 32, 36]);
  assert.equal(values.map(([t]) => t), ['i32', 'i32', 'i32', 'i32', 'i32', 'i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'i64', 'f32', 'f64']);
  assert.equal(values.slice(0, 5).map(([, v]) => v), [0x04030201, 2, 2, 0x0403, 0x0605]);
  assert.is(values[12]![1], 1.5);
  // A hook that changed the value would change the result: the value really flows through it.
  const liar = new WebAssembly.Instance(new WebAssembly.Module(r.bytes),
    { env, [GROW_IMPORT.module]: { ...hooks, [PERTURB_IMPORTS.f32]: () => 0 } }).exports as any;
  assert.is(liar.mix(), want - 1.5);
});

test('every guest of the repository, loads wrapped: valid, the same interface plus grow and the five hooks', () => {
  const dir = path.join(ROOT, 'build/examples');
  const guests = fs.readdirSync(dir).filter((f) => f.endsWith('.wasm')).map((f) => path.join(dir, f));
  assert.ok(guests.length >= 5);
  for (const g of guests) {
    const bytes = new Uint8Array(fs.readFileSync(g));
    const r = rewriteModule(bytes, { wrapLoads: true });
    assert.ok(r.loads > 10, `${g}: ${r.loads} loads`);
    assert.is(r.grows, routeMemoryGrow(bytes).grows);
    const before = new WebAssembly.Module(bytes);
    const after = new WebAssembly.Module(r.bytes);
    assert.equal(WebAssembly.Module.exports(after).filter((e) => !['wasi-sysv.start', 'wasi-sysv.readonly'].includes(e.name)), WebAssembly.Module.exports(before), g);
    assert.equal(WebAssembly.Module.imports(after).map((i) => `${i.module}.${i.name}`),
      [...WebAssembly.Module.imports(before).map((i) => `${i.module}.${i.name}`), `${GROW_IMPORT.module}.${GROW_IMPORT.name}`,
        ...[...Object.values(BULK_IMPORTS), ATOMIC_IMPORT].map((n) => `${GROW_IMPORT.module}.${n}`),
        ...Object.values(PERTURB_IMPORTS).map((n) => `${GROW_IMPORT.module}.${n}`)], g);
  }
});

test('without a seed the loads are not wrapped (no hook imports, no cost)', async () => {
  const wasm = guest('perturb-loads');
  const names = (m: WebAssembly.Module) => WebAssembly.Module.imports(m).map((i) => i.name);
  assert.not.ok(names(await loadModule(wasm)).includes(PERTURB_IMPORTS.at));
  assert.ok(names(await loadModule(wasm, { wrapLoads: true })).includes(PERTURB_IMPORTS.at));
});

const N = 500, ROUNDS = 4;
/** Window loads the perturb-loads guest makes: N * ROUNDS in the sums, six of other kinds. */
const WINDOW_LOADS = N * ROUNDS + 6;

/** Yields the seed draws: at the sysv calls (two draws per call) and after WINDOW_LOADS window loads. */
function expectedYields(seed: number, calls: number): number {
  const sysv = Array.from({ length: 2 * calls }, pauses(seed)).filter((p) => p === 'yield').length;
  const draw = memoryPauses(seed);
  let left = WINDOW_LOADS, yields = 0, slept = 0;
  for (;;) {
    const { gap, pause } = draw();
    if (gap > left) break;
    left -= gap;
    if (pause === 'yield' || slept >= MEMORY_SLEEP_BUDGET_MS) yields++;
    else if (pause !== 'none') slept += pause;
  }
  return sysv + yields;
}

/** Runs perturb-loads under strace in its own IPC namespace; its stdout and the guest thread's sched_yield count. */
function straced(extra: string[]) {
  const out = path.join(tmp, 'strace.txt');
  const r = spawnSync('unshare', ['--ipc', 'strace', '-f', '-qq', '-e', 'trace=sched_yield,shmget', '-o', out,
    process.execPath, CLI, 'run', '--trace', ...extra, guest('perturb-loads'), String(N), String(ROUNDS)],
  { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.is(r.status, 0, r.stderr);
  const sys = fs.readFileSync(out, 'utf8').split('\n');
  const tid = sys.find((l) => / shmget\(/.test(l))?.split(' ')[0];
  assert.ok(tid, 'the guest\'s shmget seen by strace');
  return {
    stdout: r.stdout,
    calls: r.stderr.split('\n').filter((l) => /^(shm|sem)\w+\(/.test(l)).length,
    yields: sys.filter((l) => l.startsWith(`${tid} `) && /sched_yield\(/.test(l)).length,
  };
}

test('--perturb SEED pauses after window loads as the seed says (heap loads do not count); a replay pauses alike; results unchanged', () => {
  const plain = straced([]);
  assert.is(plain.yields, 0);
  const words = Array.from({ length: N }, (_, i) => i * 7 + 1).reduce((a, b) => a + b, 0);
  assert.match(plain.stdout, new RegExp(`^sum=${words * ROUNDS} heap=${120 * (N / 16 | 0) * ROUNDS + [...Array(N % 16).keys()].reduce((a, b) => a + b, 0) * ROUNDS} mixed=`));
  for (const seed of [11, 12]) {
    const a = straced(['--perturb', String(seed)]);
    const b = straced(['--perturb', String(seed)]);
    assert.is(a.stdout, plain.stdout, 'the guest computes the same');
    assert.is(a.calls, 4);
    const want = expectedYields(seed, a.calls);
    assert.ok(want > 20, `seed ${seed}: ${want} yields expected`);
    assert.is(a.yields, want, `seed ${seed}`);
    assert.is(b.yields, want, `seed ${seed}, replayed`);
  }
});

test.run();
