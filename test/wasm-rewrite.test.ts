// The memory.grow rewrite (host/wasm-rewrite.ts): a rewritten module behaves
// exactly as the original (every shifted function index still names the same
// function), its growth goes through the import, and bad input is refused
// with a clear error. Test modules are written as text (test/wasm/*.wat) and
// assembled with binaryen, which AssemblyScript installs.
import * as assert from 'uvu/assert';
import fs from 'node:fs';
import path from 'node:path';
import binaryen from 'binaryen';
import { routeMemoryGrow, ATOMIC_IMPORT, BULK_IMPORTS, GROW_IMPORT, READONLY_EXPORT, START_EXPORT, WasmRewriteError } from '../host/wasm-rewrite.js';
import os from 'node:os';
import { loadModule, ModuleError } from '../host/guest.js';
import { ROOT, cli, test } from './helpers.js';
import { ensureBuilt } from '../conformance/build.js';

function assemble(name: string): Uint8Array<ArrayBuffer> {
  const m = binaryen.parseText(fs.readFileSync(path.join(ROOT, 'test/wasm', name), 'utf8'));
  m.setFeatures(binaryen.Features.All);
  binaryen.setDebugInfo(true); // keep the name section
  if (!m.validate()) throw new Error(`${name} does not validate`);
  const bytes = new Uint8Array(m.emitBinary());
  m.dispose();
  return bytes;
}

/** memory.grow instructions left in a module (binaryen's text of it, counted). */
function memoryGrows(bytes: Uint8Array): number {
  const m = binaryen.readBinary(bytes);
  const text = m.emitText();
  m.dispose();
  return text.match(/\(memory\.grow\b/g)?.length ?? 0;
}

/** The five imports every rewritten module has, by name: grow, then copy, fill, init and the atomic check. */
const ADDED = [GROW_IMPORT.name, BULK_IMPORTS.copy, BULK_IMPORTS.fill, BULK_IMPORTS.init, ATOMIC_IMPORT].map((n) => `${GROW_IMPORT.module}.${n}`);

/**
 * Instantiates a module; a rewritten one gets a $grow that records each
 * call, and bulk memory functions that record theirs and do the operation.
 */
function instantiate(bytes: Uint8Array<ArrayBuffer>) {
  const log: number[] = [];
  const grows: number[] = [];
  const bulk: string[] = [];
  let memory: WebAssembly.Memory | undefined;
  const u8 = () => new Uint8Array(memory!.buffer);
  const imports = {
    env: { log: (x: number) => { log.push(x); }, twice: (x: number) => 2 * x },
    [GROW_IMPORT.module]: {
      [GROW_IMPORT.name]: (delta: number) => {
        grows.push(delta);
        try { return memory!.grow(delta); } catch { return -1; }
      },
      [BULK_IMPORTS.copy]: (d: number, s: number, n: number) => { bulk.push(`copy ${d} ${s} ${n}`); u8().copyWithin(d, s, s + n); },
      [BULK_IMPORTS.fill]: (d: number, v: number, n: number) => { bulk.push(`fill ${d} ${v} ${n}`); u8().fill(v, d, d + n); },
      [BULK_IMPORTS.init]: (d: number, o: number, n: number) => { bulk.push(`init ${d} ${o} ${n}`); return [d, o, n]; },
      [ATOMIC_IMPORT]: (a: number, w: number, o: number) => { bulk.push(`atomic ${a} ${w} ${o}`); },
    },
  };
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), imports);
  memory = instance.exports['memory'] as WebAssembly.Memory;
  const start = instance.exports[START_EXPORT];
  if (typeof start === 'function') start();
  const call = (name: string) => (instance.exports[name] as () => number)();
  return { instance, log, grows, bulk, call, memory };
}

const trapIn = (fn: () => unknown): string => {
  try { fn(); } catch (e: any) { return (e.stack as string).split('\n')[1]!.trim(); }
  return 'no trap';
};

test('a rewritten module computes what the original does; each memory.grow calls the host', () => {
  const original = assemble('grow-shift.wat');
  const r = routeMemoryGrow(original);
  assert.is(r.grows, 5, 'memory.grow in $a, $b, $start, grow-far and the SIMD function');
  assert.ok(r.startExported);
  const before = instantiate(original);
  const after = instantiate(r.bytes);
  assert.equal(after.grows, [1], 'the start function ran once, its growth through the host');
  assert.equal(after.log, before.log, 'the start function called the right import');
  assert.equal(after.log, [7]);
  const want = before.call('run');
  assert.is(after.call('run'), want, 'calls, call_indirect, return_call, ref.func, elem and global init all hit the same functions');
  assert.ok(after.grows.length > 1, 'memory.grow inside run went through the host');
  assert.is(after.memory.buffer.byteLength, before.memory.buffer.byteLength);
  assert.is(after.call('grow-far'), -1, 'past the maximum: -1, as memory.grow');
  assert.is(before.call('grow-far'), -1);
  assert.is(after.call('simd'), before.call('simd'), 'SIMD, bulk memory, atomics, exceptions decoded and kept');
  assert.equal(after.bulk, [], 'without a read-only window memory.fill, memory.copy and atomic writes run in the module');
  // With one (the host sets the flag), they go through the host.
  (after.instance.exports[READONLY_EXPORT] as WebAssembly.Global).value = 1;
  assert.is(after.call('simd'), before.call('simd'), 'the same through the host');
  assert.equal(after.bulk, ['fill 100 7 4', 'copy 200 16 4', 'atomic 300 4 0'],
    'memory.fill, memory.copy and the atomic add went through the host, arguments in order');
  assert.match(trapIn(() => after.call('boom')), /^at boom \(/, 'the name section still names the trapping function');
  assert.match(trapIn(() => before.call('boom')), /^at boom \(/);
});

test('the rewritten module has no memory.grow left and imports $grow as (i32) -> i32', () => {
  const original = assemble('grow-shift.wat');
  assert.is(memoryGrows(original), 5, 'the count sees them');
  const r = routeMemoryGrow(original);
  assert.is(memoryGrows(r.bytes), 0);
  const m = new WebAssembly.Module(r.bytes);
  const imports = WebAssembly.Module.imports(m);
  assert.equal(imports.map((i) => `${i.module}.${i.name}`), ['env.log', 'env.twice', ...ADDED]);
  const exports = WebAssembly.Module.exports(m).map((e) => e.name).filter((n) => n !== READONLY_EXPORT);
  assert.equal(exports, ['memory', 'run', 'grow-far', 'simd', 'boom', START_EXPORT]);
  // A wrong signature is refused at link time: the type really is (i32) -> i32.
  assert.throws(() => new WebAssembly.Instance(m, {
    env: { log() {}, twice: (x: number) => x },
    [GROW_IMPORT.module]: { [GROW_IMPORT.name]: new WebAssembly.Global({ value: 'i32' }, 0) },
  }), /function/);
});

test('a module without memory.grow comes back as the same bytes', () => {
  const bytes = assemble('no-grow.wat');
  const r = routeMemoryGrow(bytes);
  assert.is(r.grows, 0);
  assert.is(r.bytes, bytes);
  assert.not.ok(r.startExported);
});

test('every guest of the repository is rewritten into a valid module that keeps its interface', () => {
  const guests = [
    ...fs.readdirSync(path.join(ROOT, 'build/examples')).filter((f) => f.endsWith('.wasm')).map((f) => `build/examples/${f}`),
    path.relative(ROOT, ensureBuilt(ROOT).guest), // built on demand by the suite: make sure it exists
  ];
  assert.ok(guests.length >= 5, `guests found: ${guests.join(', ')}`);
  for (const g of guests) {
    const bytes = new Uint8Array(fs.readFileSync(path.join(ROOT, g)));
    const r = routeMemoryGrow(bytes);
    assert.ok(r.grows > 0, `${g}: AssemblyScript's allocator grows memory`);
    const before = new WebAssembly.Module(bytes);
    const after = new WebAssembly.Module(r.bytes);
    assert.equal(WebAssembly.Module.exports(after).filter((e) => e.name !== READONLY_EXPORT), WebAssembly.Module.exports(before), g);
    assert.equal(WebAssembly.Module.imports(after).slice(0, -ADDED.length), WebAssembly.Module.imports(before), g);
    assert.is(memoryGrows(r.bytes), 0, g);
  }
});

// Element segments in all eight encodings (binaryen rewrites them into one
// form, so this module is assembled byte by byte). No imports: every
// function index moves. Table slots: 0 f0 (kind 4), 1 f1 (kind 4), 2 f1
// (kind 6), 3 f0 (kind 2); passive kind 5 (f0) and kind 1 (f1) are copied
// in by table.init from `init`; kinds 3 and 7 declare f0 and f2.
function elemModule(): Uint8Array<ArrayBuffer> {
  const sec = (id: number, body: number[]) => [id, body.length, ...body];
  const vec = (items: number[][]) => [items.length, ...items.flat()];
  const str = (t: string) => [t.length, ...Buffer.from(t)];
  const refFunc = (f: number) => [0xd2, f, 0x0b];
  const i32 = (v: number) => [0x41, v, 0x0b];
  const body = (code: number[]) => [code.length + 1, 0x00, ...code];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...sec(1, vec([[0x60, 0x00, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x01, 0x7f], [0x60, 0x01, 0x7f, 0x00]])),
    ...sec(3, vec([[0], [0], [1], [2]])), // f0 f1: () -> i32; f2 probe: (i32) -> i32; f3 init: (i32) -> ()
    ...sec(4, vec([[0x70, 0x00, 4]])),
    ...sec(5, vec([[0x00, 1]])),
    ...sec(7, vec([[...str('memory'), 2, 0], [...str('probe'), 0, 2], [...str('init'), 0, 3]])),
    ...sec(9, vec([
      [4, ...i32(0), ...vec([refFunc(0), refFunc(1)])],
      [6, 0, ...i32(2), 0x70, ...vec([refFunc(1)])],
      [2, 0, ...i32(3), 0x00, ...vec([[1 - 1]])],
      [5, 0x70, ...vec([refFunc(0)])],
      [1, 0x00, ...vec([[1]])],
      [7, 0x70, ...vec([refFunc(2)])],
      [3, 0x00, ...vec([[0]])],
    ])),
    ...sec(10, vec([
      body([0x41, 10, 0x0b]),
      body([0x41, 0, 0x40, 0, 0x1a, 0x41, 20, 0x0b]), // drop(memory.grow 0); 20
      body([0x20, 0, 0x11, 0, 0, 0x0b]), // call_indirect (type 0) (local.get 0)
      body([0x20, 0, 0x41, 0, 0x41, 1, 0xfc, 12, 3, 0, 0x41, 2, 0x41, 0, 0x41, 1, 0xfc, 12, 4, 0, 0x0b]),
      // table.init 0 (elem 3: f0) at slot local0; table.init 0 (elem 4: f1) at slot 2
    ])),
  ]);
}

test('element segments of all eight encodings still name the same functions', () => {
  const original = elemModule();
  const r = routeMemoryGrow(original);
  assert.is(r.grows, 1);
  const run = (bytes: Uint8Array<ArrayBuffer>) => {
    const { instance } = instantiate(bytes);
    const probe = instance.exports['probe'] as (i: number) => number;
    const init = instance.exports['init'] as (i: number) => void;
    const before = [0, 1, 2, 3].map(probe);
    init(1);
    return [...before, ...[0, 1, 2, 3].map(probe)];
  };
  const want = run(original);
  assert.equal(want, [10, 20, 20, 10, 10, 10, 20, 10]);
  assert.equal(run(r.bytes), want);
});

// A minimal module, byte by byte: one type, one function with the given body.
function tiny(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, ...body]; // no locals
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x0a, code.length + 2, 0x01, code.length, ...code,
  ]);
}

test('an atomic write whose opcode is not minimally encoded is rewritten, and stores what it did', () => {
  // i32.const 8; i32.const 7; i32.atomic.store with its sub-opcode 0x17 as
  // the two-byte LEB128 0x97 0x00 (valid, if unusual); end.
  const code = [0x00, 0x41, 0x08, 0x41, 0x07, 0xfe, 0x97, 0x00, 0x02, 0x00, 0x0b];
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type: () -> ()
    0x03, 0x02, 0x01, 0x00, // one function of type 0
    0x05, 0x03, 0x01, 0x00, 0x01, // memory 1
    0x07, 0x09, 0x02, 0x01, 0x66, 0x00, 0x00, 0x01, 0x6d, 0x02, 0x00, // export "f" func 0, "m" memory 0
    0x0a, code.length + 2, 0x01, code.length, ...code,
  ]);
  assert.ok(WebAssembly.validate(bytes));
  const r = routeMemoryGrow(bytes);
  assert.is(r.atomics, 1);
  const checks: number[][] = [];
  const host = { [ATOMIC_IMPORT]: (...a: number[]) => { checks.push(a); } };
  const noop = () => {};
  const inst = new WebAssembly.Instance(new WebAssembly.Module(r.bytes), {
    [GROW_IMPORT.module]: { [GROW_IMPORT.name]: () => -1, [BULK_IMPORTS.copy]: noop, [BULK_IMPORTS.fill]: noop, [BULK_IMPORTS.init]: noop, ...host },
  });
  (inst.exports['f'] as () => void)();
  assert.is(new Uint32Array((inst.exports['m'] as WebAssembly.Memory).buffer)[2], 7);
  (inst.exports[READONLY_EXPORT] as WebAssembly.Global).value = 1;
  (inst.exports['f'] as () => void)();
  assert.equal(checks, [[8, 4, 0]], 'with the flag set, the host checks address 8, 4 bytes, offset 0');
});

test('malformed modules and unknown opcodes give a clear error, never a guess', () => {
  const cases: Array<[string, Uint8Array<ArrayBuffer>, RegExp]> = [
    ['not wasm', new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]), /not a WebAssembly 1\.0 module/],
    ['component', new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]), /bad magic or version/],
    ['unknown opcode', tiny([0x41, 0x00, 0x40, 0x00, 0x1a, 0xff, 0x0b]), /unknown opcode 0xff at byte 0x1c/],
    ['unknown SIMD opcode', tiny([0x40, 0x00, 0x1a, 0xfd, 0xff, 0x7f, 0x0b]), /unknown opcode 0xfd 16383/],
    ['truncated body', tiny([0x41, 0x00, 0x40, 0x00]), /unexpected end of data/],
    ['trailing bytes', tiny([0x41, 0x00, 0x40, 0x00, 0x1a, 0x0b, 0x01]), /function body 0: 1 bytes left over/],
    ['overlong integer', tiny([0x41, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b]), /integer too long/],
    ['second memory', tiny([0x41, 0x00, 0x40, 0x01, 0x1a, 0x0b]), /memory\.grow of memory 1/],
  ];
  for (const [what, bytes, message] of cases) {
    try {
      routeMemoryGrow(bytes);
      assert.unreachable(`${what}: no error`);
    } catch (e: any) {
      assert.instance(e, WasmRewriteError, `${what}: ${e}`);
      assert.match(e.message, message, what);
    }
  }
  const half = assemble('grow-shift.wat');
  assert.throws(() => routeMemoryGrow(half.slice(0, half.length >> 1)), (e: any) => e instanceof WasmRewriteError);
});

test('the tiny module itself is fine: one memory.grow, rewritten', () => {
  const ok = tiny([0x41, 0x00, 0x40, 0x00, 0x1a, 0x0b]);
  const r = routeMemoryGrow(ok);
  assert.is(r.grows, 1);
  // type section gained (i32) -> i32 and the others, an import section appeared, the call targets import 0.
  const m = new WebAssembly.Module(r.bytes); // validates without a memory: the call replaced the instruction
  assert.equal(WebAssembly.Module.imports(m).map((i) => `${i.module}.${i.name} ${i.kind}`), ADDED.map((n) => `${n} function`));
});

test('loadModule: a valid module the rewrite refuses is one clear ModuleError; an invalid one keeps the engine\'s message', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-rw-'));
  try {
    const refused = path.join(dir, 'reserved.wasm');
    fs.writeFileSync(refused, assemble('reserved-export.wat'));
    const e1 = await loadModule(refused).then(() => null, (e) => e);
    assert.instance(e1, ModuleError);
    assert.match(e1.message, /reserved\.wasm: cannot route its memory\.grow through the host \(the module already exports "wasi-sysv\.start"/);
    const reserved = path.join(dir, 'reserved-only.wasm');
    fs.writeFileSync(reserved, assemble('reserved-only.wat'));
    const e3 = await loadModule(reserved).then(() => null, (e) => e);
    assert.instance(e3, ModuleError);
    assert.match(e3.message, /exports "wasi-sysv\.start", a name the host reserves/);
    const broken = path.join(dir, 'broken.wasm');
    fs.writeFileSync(broken, tiny([0x41, 0x00, 0x40, 0x00, 0x1a, 0xff, 0x0b]));
    const e2 = await loadModule(broken).then(() => null, (e) => e);
    assert.instance(e2, ModuleError);
    assert.match(e2.message, /broken\.wasm is not a valid WebAssembly module \(WebAssembly\.compile\(\): /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a guest whose start function grows memory runs under the host', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-rw-'));
  try {
    const file = path.join(dir, 'start-grows.wasm');
    fs.writeFileSync(file, assemble('start-grows.wat'));
    const r = cli(['run', file]);
    assert.is(r.status, 0, r.stderr);
    assert.is(r.stderr, '');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// What the bulk memory and atomics rewrite is for: a guest's memory.copy,
// memory.fill, memory.init or atomic write into a read-only window killed the
// whole host with SIGSEGV (V8 runs the first three in C++ and does not cover
// the atomics with its trap handler). Each is now the guest's trap, and each
// still does its work everywhere else.
const GUARDED: Record<string, Array<[mode: number, what: string, trap: boolean]>> = {
  'bulk.wat': [
    [0, 'copy, fill and init in the guest\'s own memory', false], [1, 'copy into the window', true],
    [2, 'fill into the window', true], [3, 'init into the window', true], [4, 'copy past the end of memory', true],
    [5, 'init of a dropped segment', true], [6, 'copy of 0 bytes into the window', false], [7, 'copy from the window', false],
    [8, 'copy and fill into the pages of a detached window', false], [9, 'copy past the end with no window left', true],
  ],
  'atomics.wat': [
    [0, 'an atomic write of each kind in the guest\'s own memory', false], [1, 'atomic store into the window', true],
    [2, 'atomic add into the window', true], [3, 'i64 compare-exchange into the window', true],
    [4, 'i64 store8 into the window', true], [5, 'an unaligned atomic store', true],
    [6, 'an atomic store whose offset passes the end of memory', true], [7, 'an atomic store into the window through its offset', true],
    [8, 'an atomic store into the pages of a detached window', false],
  ],
};
for (const [fixture, cases] of Object.entries(GUARDED)) {
  test(`${fixture}: into a read-only window, unaligned or out of bounds traps the guest, never the host; elsewhere it works`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wasi-sysv-rw-'));
    const text = fs.readFileSync(path.join(ROOT, 'test/wasm', fixture), 'utf8');
    try {
      for (const [mode, what, trap] of cases) {
        const m = binaryen.parseText(text.replace('MODE', String(mode)));
        m.setFeatures(binaryen.Features.All);
        const file = path.join(dir, `guarded-${mode}.wasm`);
        fs.writeFileSync(file, m.emitBinary());
        m.dispose();
        const r = cli(['run', file]);
        assert.is(r.signal, null, `${what}: the host died of ${r.signal}`);
        if (trap) {
          assert.is(r.status, 134, `${what}: ${r.stderr}`);
          assert.match(r.stderr, /trapped: .*(out of bounds|unaligned)/, what);
        } else {
          assert.is(r.status, 0, `${what}: ${r.stderr}`);
          assert.is(r.stderr, '', what);
        }
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

test.run();
