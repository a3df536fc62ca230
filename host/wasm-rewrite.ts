// Routes a guest's own memory.grow through the host. V8 grows linear memory
// with mprotect(READ|WRITE) over all of it and aborts the process when that
// fails, which it does over a window attached SHM_RDONLY (see windows.ts,
// grow()). The guest's instruction never calls the host, so at load the
// module is rewritten: every `memory.grow 0` becomes `call $grow`, where
// $grow is a new function import (GROW_IMPORT, type (i32) -> i32) appended
// after the existing function imports. Every function index that the import
// moves is shifted: call, return_call and ref.func in code and in constant
// expressions, element segments, exports, the start function and the `name`
// section. A start function is turned into an export (START_EXPORT) that the
// host calls once the instance is bound, since it may grow memory before the
// host has the instance's memory in hand.
//
// A small strict decoder instead of binaryen: importing binaryen costs about
// 950 ms per run (platform-facts.md), this costs about a millisecond. It
// decodes every instruction with its immediates; an unknown opcode or a
// malformed module is a WasmRewriteError, never a guess. A module without
// memory.grow is returned as it is (the same bytes).

/** The import that replaces memory.grow: module and field name. */
export const GROW_IMPORT = { module: 'wasi-sysv', name: 'memory.grow' } as const;
/** Export name under which a rewritten module's start function is offered. */
export const START_EXPORT = 'wasi-sysv.start';

/** The module could not be decoded (or uses something the rewriter refuses). */
export class WasmRewriteError extends Error {}

export interface RewriteResult {
  bytes: Uint8Array;
  /** memory.grow instructions replaced (0: bytes is the input itself). */
  grows: number;
  /** The module had a start function, now exported as START_EXPORT. */
  startExported: boolean;
}

const SEC = { custom: 0, type: 1, import: 2, table: 4, memory: 5, global: 6, export: 7, start: 8, elem: 9, code: 10 } as const;

class Reader {
  constructor(readonly b: Uint8Array, public pos: number, readonly end: number) {}

  fail(what: string, at = this.pos): never {
    throw new WasmRewriteError(`${what} at byte 0x${at.toString(16)}`);
  }
  byte(): number {
    if (this.pos >= this.end) this.fail('unexpected end of data');
    return this.b[this.pos++]!;
  }
  /** An unsigned LEB128 of at most 32 bits. */
  u32(): number {
    const at = this.pos;
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.byte();
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) {
        if (result > 0xffffffff) this.fail('integer too large', at);
        return result;
      }
    }
    return this.fail('integer too long', at);
  }
  /** Skips a LEB128 (signed or unsigned) of at most maxBytes bytes. */
  leb(maxBytes: number): void {
    const at = this.pos;
    for (let i = 0; i < maxBytes; i++) if (!(this.byte() & 0x80)) return;
    this.fail('integer too long', at);
  }
  skip(n: number): void {
    if (n > this.end - this.pos) this.fail('unexpected end of data');
    this.pos += n;
  }
  name(): string {
    const len = this.u32();
    const start = this.pos;
    this.skip(len);
    return new TextDecoder().decode(this.b.subarray(start, this.pos));
  }
  /** A sub-reader over the next `len` bytes (the caller checks it is used up). */
  sub(len: number): Reader {
    const start = this.pos;
    this.skip(len);
    return new Reader(this.b, start, this.pos);
  }
  done(what: string): void {
    if (this.pos !== this.end) this.fail(`${what}: ${this.end - this.pos} bytes left over`);
  }
}

/** Output assembled from spans of the input and new bytes. */
class Out {
  private chunks: Uint8Array[] = [];
  length = 0;
  span(b: Uint8Array, from: number, to: number): void {
    if (to > from) this.push(b.subarray(from, to));
  }
  push(bytes: Uint8Array | number[]): void {
    const u = bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes);
    this.chunks.push(u);
    this.length += u.length;
  }
  u32(n: number): void { this.push(leb(n)); }
  bytes(): Uint8Array {
    const all = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { all.set(c, at); at += c.length; }
    return all;
  }
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

const utf8 = (s: string) => [...leb(Buffer.byteLength(s)), ...Buffer.from(s)];

function valtype(r: Reader): void {
  const b = r.byte();
  if (b === 0x63 || b === 0x64) r.leb(5); // (ref null? heaptype)
  else if (b < 0x40 || b > 0x7f) r.fail(`unknown value type 0x${b.toString(16)}`, r.pos - 1);
}

function blocktype(r: Reader): void {
  const b = r.b[r.pos];
  if (b === 0x63 || b === 0x64) { r.pos++; r.leb(5); } else r.leb(5); // 0x40, a value type or a type index (s33)
}

function memarg(r: Reader): void {
  const align = r.u32();
  if (align & 0x40) r.u32(); // memory index (multi-memory)
  r.leb(10); // offset (u64 with memory64)
}

function limits(r: Reader): { memory64: boolean } {
  const flags = r.byte();
  if (flags > 0x07) r.fail(`unknown limits flags 0x${flags.toString(16)}`, r.pos - 1);
  r.leb(10);
  if (flags & 1) r.leb(10);
  return { memory64: (flags & 4) !== 0 };
}

function tabletype(r: Reader): void {
  valtype(r);
  limits(r);
}

interface Ctx {
  /** Number of imported functions: indices at or above it move up by one. */
  funcImports: number;
  /** In a function body (memory.grow is rewritten there); else a constant expression. */
  code: boolean;
  grows: number;
  /** Null when only scanning for memory.grow. */
  out: Out | null;
}

const shiftFunc = (ctx: Ctx, idx: number) => (idx >= ctx.funcImports ? idx + 1 : idx);

/**
 * Decodes one expression up to and including its closing `end`, copying it
 * to ctx.out with function indices shifted and memory.grow replaced.
 */
function expr(r: Reader, ctx: Ctx): void {
  const out = ctx.out;
  let mark = r.pos;
  let depth = 0;
  const replace = (from: number, bytes: number[]) => {
    if (!out) return;
    out.span(r.b, mark, from);
    out.push(bytes);
    mark = r.pos;
  };
  for (;;) {
    const at = r.pos;
    const op = r.byte();
    switch (op) {
      case 0x00: case 0x01: case 0x05: case 0x0a: case 0x0f: case 0x19: case 0x1a: case 0x1b:
      case 0xd1: case 0xd3: case 0xd4:
        break;
      case 0x02: case 0x03: case 0x04: case 0x06: // block loop if try
        blocktype(r); depth++; break;
      case 0x1f: { // try_table
        blocktype(r);
        for (let n = r.u32(); n > 0; n--) {
          const kind = r.byte();
          if (kind === 0x00 || kind === 0x01) { r.u32(); r.u32(); } else if (kind === 0x02 || kind === 0x03) r.u32();
          else r.fail(`unknown catch kind 0x${kind.toString(16)}`, r.pos - 1);
        }
        depth++; break;
      }
      case 0x0b: // end
        if (depth === 0) { out?.span(r.b, mark, r.pos); return; }
        depth--; break;
      case 0x18: r.u32(); depth--; break; // delegate ends its try
      case 0x07: case 0x08: case 0x09: case 0x0c: case 0x0d: case 0xd5: case 0xd6: // catch throw rethrow br br_if br_on_(non_)null
      case 0x14: case 0x15: // call_ref return_call_ref
      case 0x20: case 0x21: case 0x22: case 0x23: case 0x24: case 0x25: case 0x26: // locals, globals, table.get/set
        r.u32(); break;
      case 0x0e: for (let n = r.u32() + 1; n > 0; n--) r.u32(); break; // br_table
      case 0x10: case 0x12: case 0xd2: { // call return_call ref.func
        const idx = r.u32();
        const shifted = shiftFunc(ctx, idx);
        if (shifted !== idx) replace(at + 1, leb(shifted));
        break;
      }
      case 0x11: case 0x13: r.u32(); r.u32(); break; // call_indirect return_call_indirect
      case 0x1c: for (let n = r.u32(); n > 0; n--) valtype(r); break; // select t*
      case 0x3f: r.u32(); break; // memory.size
      case 0x40: { // memory.grow
        const mem = r.u32();
        if (mem !== 0) r.fail(`memory.grow of memory ${mem} (only one memory is supported)`, at);
        if (!ctx.code) r.fail('memory.grow in a constant expression', at);
        ctx.grows++;
        replace(at, [0x10, ...leb(ctx.funcImports)]);
        break;
      }
      case 0x41: r.leb(5); break;
      case 0x42: r.leb(10); break;
      case 0x43: r.skip(4); break;
      case 0x44: r.skip(8); break;
      case 0xd0: r.leb(5); break; // ref.null heaptype
      case 0xfb: gcOp(r, at); break;
      case 0xfc: miscOp(r, at); break;
      case 0xfd: simdOp(r, at); break;
      case 0xfe: atomicOp(r, at); break;
      default:
        if (op >= 0x28 && op <= 0x3e) memarg(r); // loads and stores
        else if (!(op >= 0x45 && op <= 0xc4)) r.fail(`unknown opcode 0x${op.toString(16)}`, at); // numeric ops take no immediates
    }
  }
}

function gcOp(r: Reader, at: number): void {
  const sub = r.u32();
  if (sub <= 1 || (sub >= 6 && sub <= 7) || (sub >= 11 && sub <= 14) || sub === 16) r.u32();
  else if ((sub >= 2 && sub <= 5) || sub === 8 || sub === 9 || sub === 10 || sub === 17 || sub === 18 || sub === 19) { r.u32(); r.u32(); }
  else if (sub >= 20 && sub <= 23) r.leb(5);
  else if (sub === 24 || sub === 25) { r.byte(); r.u32(); r.leb(5); r.leb(5); }
  else if (!(sub === 15 || (sub >= 26 && sub <= 30))) r.fail(`unknown opcode 0xfb ${sub}`, at);
}

function miscOp(r: Reader, at: number): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncations
  if (sub === 8 || sub === 10 || sub === 12 || sub === 14) { r.u32(); r.u32(); } // memory.init memory.copy table.init table.copy
  else if (sub === 9 || sub === 11 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32(); // data.drop memory.fill elem.drop table.grow/size/fill
  else r.fail(`unknown opcode 0xfc ${sub}`, at);
}

function simdOp(r: Reader, at: number): void {
  const sub = r.u32();
  if (sub <= 11 || sub === 92 || sub === 93) memarg(r); // loads, store, load_zero
  else if (sub === 12 || sub === 13) r.skip(16); // v128.const, i8x16.shuffle
  else if (sub >= 21 && sub <= 34) r.byte(); // extract/replace lane
  else if (sub >= 84 && sub <= 91) { memarg(r); r.byte(); } // load/store lane
  else if (sub > 0x113) r.fail(`unknown opcode 0xfd ${sub}`, at); // the rest (relaxed SIMD included) take no immediates
}

function atomicOp(r: Reader, at: number): void {
  const sub = r.u32();
  if (sub === 3) { if (r.byte() !== 0) r.fail('atomic.fence takes a zero byte', at); }
  else if (sub <= 2 || (sub >= 0x10 && sub <= 0x4e)) memarg(r);
  else r.fail(`unknown opcode 0xfe ${sub}`, at);
}

interface Section { id: number; start: number; end: number } // payload [start, end)

function sections(b: Uint8Array): Section[] {
  const r = new Reader(b, 0, b.length);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const m of magic) if (r.byte() !== m) r.fail('not a WebAssembly 1.0 module (bad magic or version)', 0);
  const out: Section[] = [];
  while (r.pos < r.end) {
    const id = r.byte();
    if (id > 13) r.fail(`unknown section id ${id}`, r.pos - 1);
    const len = r.u32();
    const start = r.pos;
    r.skip(len);
    out.push({ id, start, end: r.pos });
  }
  return out;
}

/** Decodes the imports; returns how many are functions and whether a memory is 64-bit. */
function readImports(r: Reader): { funcs: number; memory64: boolean } {
  let funcs = 0;
  let memory64 = false;
  for (let n = r.u32(); n > 0; n--) {
    r.name(); r.name();
    const kind = r.byte();
    if (kind === 0) { r.u32(); funcs++; } else if (kind === 1) tabletype(r);
    else if (kind === 2) memory64 ||= limits(r).memory64;
    else if (kind === 3) { valtype(r); r.byte(); } else if (kind === 4) { r.byte(); r.u32(); }
    else r.fail(`unknown import kind ${kind}`, r.pos - 1);
  }
  r.done('import section');
  return { funcs, memory64 };
}

/** Walks the code section: every body decoded, copied to ctx.out if set. */
function code(r: Reader, ctx: Ctx): void {
  const n = r.u32();
  ctx.out?.u32(n);
  for (let i = 0; i < n; i++) {
    const body = r.sub(r.u32());
    const start = body.pos;
    for (let locals = body.u32(); locals > 0; locals--) { body.u32(); valtype(body); }
    const bodyOut = ctx.out ? new Out() : null;
    bodyOut?.span(body.b, start, body.pos);
    expr(body, { ...ctx, out: bodyOut, code: true });
    body.done(`function body ${i}`);
    if (bodyOut && ctx.out) { ctx.out.u32(bodyOut.length); ctx.out.push(bodyOut.bytes()); }
  }
  r.done('code section');
}

function countGrows(r: Reader, funcImports: number): number {
  let grows = 0;
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const body = r.sub(r.u32());
    for (let locals = body.u32(); locals > 0; locals--) { body.u32(); valtype(body); }
    const ctx: Ctx = { funcImports, code: true, grows: 0, out: null };
    expr(body, ctx);
    body.done(`function body ${i}`);
    grows += ctx.grows;
  }
  r.done('code section');
  return grows;
}

/** Element segments (all eight encodings) with function indices shifted. */
function elems(r: Reader, ctx: Ctx, out: Out): void {
  const n = r.u32();
  out.u32(n);
  for (let i = 0; i < n; i++) {
    let mark = r.pos;
    const flags = r.u32();
    if (flags > 7) r.fail(`unknown element segment kind ${flags}`);
    const exprs = (flags & 4) !== 0;
    const flush = () => { out.span(r.b, mark, r.pos); mark = r.pos; };
    if ((flags & 3) === 2) r.u32(); // table index
    if (!(flags & 1)) { flush(); expr(r, { ...ctx, out }); mark = r.pos; } // offset
    if (flags & 3) { if (exprs) valtype(r); else r.byte(); } // reftype or elemkind
    const count = r.u32();
    flush();
    for (let j = 0; j < count; j++) {
      if (exprs) { expr(r, { ...ctx, out }); } else { out.u32(shiftFunc(ctx, r.u32())); }
    }
    mark = r.pos;
  }
  r.done('element section');
}

/** The `name` custom section with function-indexed subsections shifted. */
function names(r: Reader, ctx: Ctx, out: Out): void {
  const mark = r.pos;
  r.name();
  out.span(r.b, mark, r.pos);
  while (r.pos < r.end) {
    const id = r.byte();
    const sub = r.sub(r.u32());
    if (id < 1 || id > 3) { out.push([id]); out.u32(sub.end - sub.pos); out.span(r.b, sub.pos, sub.end); continue; }
    const body = new Out();
    const n = sub.u32();
    body.u32(n);
    for (let i = 0; i < n; i++) {
      body.u32(shiftFunc(ctx, sub.u32()));
      const from = sub.pos;
      if (id === 1) sub.name();
      else for (let m = sub.u32(); m > 0; m--) { sub.u32(); sub.name(); } // locals or labels of one function
      body.span(r.b, from, sub.pos);
    }
    sub.done(`name subsection ${id}`);
    out.push([id]);
    out.u32(body.length);
    out.push(body.bytes());
  }
}

/**
 * Rewrites every memory.grow into a call of the GROW_IMPORT function.
 * Throws WasmRewriteError for anything it cannot decode with certainty.
 */
export function routeMemoryGrow(input: Uint8Array): RewriteResult {
  const b = input;
  const secs = sections(b);
  const find = (id: number) => secs.find((s) => s.id === id);
  const reader = (s: Section) => new Reader(b, s.start, s.end);

  const imp = find(SEC.import);
  const { funcs: funcImports, memory64: importedMemory64 } = imp ? readImports(reader(imp)) : { funcs: 0, memory64: false };
  const codeSec = find(SEC.code);
  const grows = codeSec ? countGrows(reader(codeSec), funcImports) : 0;
  if (grows === 0) return { bytes: input, grows: 0, startExported: false };

  let memory64 = importedMemory64;
  const mem = find(SEC.memory);
  if (mem) {
    const r = reader(mem);
    for (let n = r.u32(); n > 0; n--) memory64 ||= limits(r).memory64;
    r.done('memory section');
  }
  if (memory64) throw new WasmRewriteError('a 64-bit memory (memory64) cannot have its memory.grow routed through the host');
  const typeSec = find(SEC.type);
  if (!typeSec) throw new WasmRewriteError('a module with code but no type section');
  const startSec = find(SEC.start);
  const startFunc = startSec ? (() => { const r = reader(startSec); const f = r.u32(); r.done('start section'); return f; })() : undefined;

  const ctx: Ctx = { funcImports, code: false, grows: 0, out: null };
  const out = new Out();
  out.span(b, 0, 8);
  const section = (id: number, payload: Out) => { out.push([id]); out.u32(payload.length); out.push(payload.bytes()); };
  let newType = -1;

  for (const s of secs) {
    const r = reader(s);
    const p = new Out();
    switch (s.id) {
      case SEC.type: {
        newType = r.u32();
        p.u32(newType + 1);
        p.span(b, r.pos, s.end);
        p.push([0x60, 0x01, 0x7f, 0x01, 0x7f]); // (func (param i32) (result i32)), its own rec group
        section(s.id, p);
        if (!imp) { // the import section follows the type section
          const ip = new Out();
          ip.u32(1);
          ip.push([...utf8(GROW_IMPORT.module), ...utf8(GROW_IMPORT.name), 0x00, ...leb(newType)]);
          section(SEC.import, ip);
        }
        continue;
      }
      case SEC.import: {
        const n = r.u32();
        p.u32(n + 1);
        p.span(b, r.pos, s.end);
        if (newType < 0) r.fail('import section before the type section');
        p.push([...utf8(GROW_IMPORT.module), ...utf8(GROW_IMPORT.name), 0x00, ...leb(newType)]);
        break;
      }
      case SEC.table: {
        const n = r.u32();
        p.u32(n);
        for (let i = 0; i < n; i++) {
          const mark = r.pos;
          if (r.b[r.pos] === 0x40) { // table with an initializer expression
            r.byte(); if (r.byte() !== 0) r.fail('bad table entry');
            tabletype(r);
            p.span(b, mark, r.pos);
            expr(r, { ...ctx, out: p });
          } else { tabletype(r); p.span(b, mark, r.pos); }
        }
        r.done('table section');
        break;
      }
      case SEC.global: {
        const n = r.u32();
        p.u32(n);
        for (let i = 0; i < n; i++) {
          const mark = r.pos;
          valtype(r); r.byte();
          p.span(b, mark, r.pos);
          expr(r, { ...ctx, out: p });
        }
        r.done('global section');
        break;
      }
      case SEC.export: {
        const n = r.u32();
        const extra = startFunc !== undefined ? 1 : 0;
        p.u32(n + extra);
        for (let i = 0; i < n; i++) {
          const mark = r.pos;
          if (r.name() === START_EXPORT) r.fail(`the module already exports "${START_EXPORT}"`, mark);
          const kind = r.byte();
          p.span(b, mark, r.pos);
          const idx = r.u32();
          p.u32(kind === 0 ? shiftFunc(ctx, idx) : idx);
        }
        r.done('export section');
        if (extra) p.push([...utf8(START_EXPORT), 0x00, ...leb(shiftFunc(ctx, startFunc!))]);
        break;
      }
      case SEC.start: // dropped: offered as START_EXPORT instead
        if (find(SEC.export)) continue;
        p.u32(1); // no export section: one goes where the start section was
        p.push([...utf8(START_EXPORT), 0x00, ...leb(shiftFunc(ctx, startFunc!))]);
        section(SEC.export, p);
        continue;
      case SEC.elem: elems(r, ctx, p); break;
      case SEC.code: code(r, { ...ctx, out: p }); break;
      case SEC.custom: {
        const save = r.pos;
        if (r.name() === 'name') { r.pos = save; names(r, ctx, p); break; }
        p.span(b, s.start, s.end);
        break;
      }
      default:
        p.span(b, s.start, s.end);
    }
    section(s.id, p);
  }
  return { bytes: out.bytes(), grows, startExported: startFunc !== undefined };
}
