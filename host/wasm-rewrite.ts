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
// The bulk memory instructions are routed the same way, for another crash:
// V8 runs memory.copy and memory.fill in C++ (memmove, memset), outside the
// trap handler that turns a fault in wasm code into a trap, so either one
// writing into a read-only window killed the whole host with SIGSEGV (a
// guest store there traps, as it should). `memory.copy` and `memory.fill`
// become calls of two functions the rewrite appends to the module: while
// the guest has no read-only window (a mutable i32 global the rewrite also
// appends, exported as READONLY_EXPORT, that the host keeps up to date) each
// runs the instruction itself, at the instruction's speed; with one, it
// calls a host function (BULK_IMPORTS, type (i32 i32 i32) -> ()) that checks
// the ranges, traps as the instruction would ("memory access out of
// bounds") on any byte out of bounds or read-only, and else does the copy
// or fill. `memory.init` (which reads a data segment the host does not
// keep, and is rare) keeps its instruction behind a call of a host check
// (type (i32 i32 i32) -> (i32 i32 i32), the arguments returned as they came).
// The atomic stores, read-modify-writes and compare-exchanges are the same
// story (V8 does not cover them with its trap handler either): each becomes
// a call of an appended function, one per opcode and memory argument, that
// asks the host (ATOMIC_IMPORT, type (i32 address, i32 width, i32 offset)
// -> ()) to trap if the bytes lie in a read-only window, while one exists,
// and then runs the very instruction, whose own checks (bounds, alignment)
// are unchanged.
//
// A small strict decoder instead of binaryen: importing binaryen costs about
// 950 ms per run (platform-facts.md), this costs about a millisecond. It
// decodes every instruction with its immediates; an unknown opcode or a
// malformed module is a WasmRewriteError, never a guess. A module without
// memory.grow and bulk memory instructions is returned as it is (the same
// bytes).
//
// Race hunting (perturb.ts) asks for one more edit, only when perturbation
// is on: every plain load of linear memory (i32/i64/f32/f64.load and the
// narrow integer loads) becomes `call $at; <the load>; call $after_T`, two
// more imports of the same module (PERTURB_IMPORTS): $at sees the address
// (and returns it), $after_T sees the value loaded (and returns it), and
// may pause there, between a read of shared memory and whatever the guest
// writes back. Both are identities, so the guest computes what it did.
// Without perturbation the module is not touched by this.

/** The import that replaces memory.grow: module and field name. */
export const GROW_IMPORT = { module: 'wasi-sysv', name: 'memory.grow' } as const;
/**
 * The load hooks of a module rewritten for race hunting (module GROW_IMPORT.module):
 * at: (i32 address) -> the same; i32/i64/f32/f64: (the value loaded) -> the same.
 */
export const PERTURB_IMPORTS = { at: 'perturb.at', i32: 'perturb.i32', i64: 'perturb.i64', f32: 'perturb.f32', f64: 'perturb.f64' } as const;
/**
 * The bulk memory instructions of a rewritten module (module GROW_IMPORT.module):
 * copy: (dest, src, n) -> (); fill: (dest, value, n) -> (); init: (dest, offset, n) -> the same three.
 */
export const BULK_IMPORTS = { copy: 'memory.copy', fill: 'memory.fill', init: 'memory.init' } as const;
/** Names of the appended functions (in the name section): a trap's report skips them for their caller. */
export const WRAPPER_NAMES = { copy: 'wasi-sysv.memory.copy', fill: 'wasi-sysv.memory.fill', atomic: 'wasi-sysv.memory.atomic' } as const;
/** The host's check before an atomic write (module GROW_IMPORT.module): (address, width, offset) -> (). */
export const ATOMIC_IMPORT = 'memory.atomic';
/** Export name of a rewritten module's flag: 1 while the guest has a read-only window (the host sets it). */
export const READONLY_EXPORT = 'wasi-sysv.readonly';
/** Export name under which a rewritten module's start function is offered. */
export const START_EXPORT = 'wasi-sysv.start';

/** The module could not be decoded (or uses something the rewriter refuses). */
export class WasmRewriteError extends Error {}

export interface RewriteResult {
  bytes: Uint8Array<ArrayBuffer>;
  /** memory.grow instructions replaced (0 without loads: bytes is the input itself). */
  grows: number;
  /** memory.copy, memory.fill and memory.init instructions routed through the host. */
  bulk: number;
  /** Atomic writes checked by the host while a read-only window exists. */
  atomics: number;
  /** Loads wrapped in the perturbation hooks (0 unless asked for). */
  loads: number;
  /** The module had a start function, now exported as START_EXPORT. */
  startExported: boolean;
}

const SEC = { custom: 0, type: 1, import: 2, func: 3, table: 4, memory: 5, global: 6, export: 7, start: 8, elem: 9, code: 10 } as const;
// Where each known section must stand (the tag section, 13, between memory and global; data count, 12, before code).
const RANK: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

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
    const first = this.b[at]!;
    if (first < 0x80 && at < this.end) { this.pos = at + 1; return first; }
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
    if (this.b[at]! < 0x80 && at < this.end) { this.pos = at + 1; return; }
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
  bytes(): Uint8Array<ArrayBuffer> {
    const all = new Uint8Array(this.length);
    let at = 0;
    for (const c of this.chunks) { all.set(c, at); at += c.length; }
    return all;
  }
}

/** Signed LEB128 of a 32-bit integer (an i32.const immediate). */
function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && (byte & 0x40))) { out.push(byte); return out; }
    out.push(byte | 0x80);
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
  /** Number of imported functions: indices at or above it move up by `added`. */
  funcImports: number;
  /** Function imports the rewrite adds: 5 (grow, the bulk ones, the atomic check), or 10 (and the load hooks). */
  added: number;
  /** Wrap the loads in the perturbation hooks; counted in `loads`. */
  wrapLoads: boolean;
  loads: number;
  /** memory.grow instructions seen so far. */
  grows: number;
  /** Bulk memory instructions seen so far. */
  bulk: number;
  /** Indices of the appended functions memory.copy and memory.fill become. */
  copyFn: number;
  fillFn: number;
  /** The atomic writes seen, one appended function each distinct (opcode, memory argument): key -> its ordinal. */
  atomics: Map<string, number>;
  /** Each one's sub-opcode, memory offset and bytes (after the prefix), by ordinal. */
  atomicOps: Array<{ sub: number; offset: number; bytes: Uint8Array }>;
  /** Index of the first appended atomic function (known once the code is scanned). */
  atomicFn: number;
  /**
   * Edits found by expr(), in input order, as triples [from, to, value]:
   * bytes [from, to) become the LEB128 of value, or, for value -1 (a
   * memory.grow), `call $grow`, or, for -2..-5 (a load of i32, i64, f32,
   * f64), `call $at; <the same bytes>; call $after_T`, or, for COPY and
   * FILL, `call $copy` or `call $fill`, or, for INIT, `call $init; <the
   * same bytes>`.
   */
  patches: number[];
}

const shiftFunc = (ctx: Ctx, idx: number) => (idx >= ctx.funcImports ? idx + ctx.added : idx);
const GROW = -1;
const LOAD = -2; // LOAD - t for a load of value type t: 0 i32, 1 i64, 2 f32, 3 f64
const LOAD_LAST = LOAD - 3;
const COPY = -10, FILL = -11, INIT = -12;
// The added imports, by their place after the module's own function imports.
const AT_GROW = 0, AT_COPY = 1, AT_FILL = 2, AT_INIT = 3, AT_ATOMIC = 4, AT_LOAD_AT = 5, AT_LOAD_AFTER = 6;
const ATOMIC = -20; // ATOMIC - k: a call of the k-th appended atomic function
/**
 * An atomic write (0xfe prefix): stores 0x17-0x1d, read-modify-writes
 * 0x1e-0x47 (add, sub, and, or, xor, xchg), compare-exchanges 0x48-0x4e,
 * each in the order i32, i64, i32 8u, i32 16u, i64 8u, i64 16u, i64 32u.
 */
function atomicWrite(sub: number): { kind: 0 | 1 | 2; i64: boolean; width: number } | null {
  if (sub < 0x17 || sub > 0x4e) return null;
  const kind = sub <= 0x1d ? 0 : sub <= 0x47 ? 1 : 2; // store, rmw, cmpxchg
  const k = kind === 0 ? sub - 0x17 : kind === 1 ? (sub - 0x1e) % 7 : sub - 0x48;
  return { kind, i64: !(k === 0 || k === 2 || k === 3), width: [4, 8, 1, 2, 1, 2, 4][k]! };
}
// The value type each plain load opcode (0x28..0x35) yields.
const LOAD_TYPE = [0, 1, 2, 3, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1];

// Immediate kinds of one-byte opcodes, for the decoder's hot loop.
const K_NONE = 0, K_IDX = 1, K_MEMARG = 2, K_BLOCK = 3, K_LEB5 = 4, K_LEB10 = 5, K_F32 = 6, K_F64 = 7,
  K_FUNC = 8, K_IDX2 = 9, K_BR_TABLE = 10, K_SELECT_T = 11, K_GROW = 12, K_END = 13, K_TRY_TABLE = 14,
  K_DELEGATE = 15, K_PREFIX = 16, K_UNKNOWN = 255;
const KIND = new Uint8Array(256).fill(K_UNKNOWN);
{
  const set = (kind: number, ...ops: number[]) => { for (const op of ops) KIND[op] = kind; };
  set(K_NONE, 0x00, 0x01, 0x05, 0x0a, 0x0f, 0x19, 0x1a, 0x1b, 0xd1, 0xd3, 0xd4);
  for (let op = 0x45; op <= 0xc4; op++) KIND[op] = K_NONE; // numeric: no immediates
  set(K_BLOCK, 0x02, 0x03, 0x04, 0x06); // block loop if try
  set(K_TRY_TABLE, 0x1f);
  set(K_END, 0x0b);
  set(K_DELEGATE, 0x18);
  // catch throw rethrow br br_if br_on_null br_on_non_null call_ref return_call_ref
  // local.get/set/tee global.get/set table.get/set memory.size
  set(K_IDX, 0x07, 0x08, 0x09, 0x0c, 0x0d, 0xd5, 0xd6, 0x14, 0x15, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x3f);
  set(K_BR_TABLE, 0x0e);
  set(K_FUNC, 0x10, 0x12, 0xd2); // call return_call ref.func
  set(K_IDX2, 0x11, 0x13); // call_indirect return_call_indirect
  set(K_SELECT_T, 0x1c);
  for (let op = 0x28; op <= 0x3e; op++) KIND[op] = K_MEMARG; // loads and stores
  set(K_GROW, 0x40);
  set(K_LEB5, 0x41, 0xd0); // i32.const, ref.null heaptype
  set(K_LEB10, 0x42);
  set(K_F32, 0x43);
  set(K_F64, 0x44);
  set(K_PREFIX, 0xfb, 0xfc, 0xfd, 0xfe);
}

/**
 * Decodes one expression up to and including its closing `end`, recording
 * in ctx.patches every function index that moves and every memory.grow
 * (allowed only in code, not in a constant expression).
 */
function expr(r: Reader, ctx: Ctx, code: boolean): void {
  const b = r.b;
  const funcImports = ctx.funcImports;
  let depth = 0;
  for (;;) {
    const at = r.pos;
    if (at >= r.end) r.fail('unexpected end of data');
    const op = b[at]!;
    r.pos = at + 1;
    switch (KIND[op]) {
      case K_NONE: break;
      case K_IDX: // inline fast path: a one-byte index
        if (b[r.pos]! < 0x80 && r.pos < r.end) r.pos++; else r.u32();
        break;
      case K_MEMARG: { // inline fast path: one-byte alignment (no memory index) and offset
        const align = b[r.pos]!;
        if (align < 0x40 && b[r.pos + 1]! < 0x80 && r.pos + 1 < r.end) r.pos += 2; else memarg(r);
        // A plain load of memory 0 (not one with a memory index: bit 6 of the alignment).
        if (ctx.wrapLoads && op <= 0x35 && !(align & 0x40)) {
          ctx.loads++;
          ctx.patches.push(at, r.pos, LOAD - LOAD_TYPE[op - 0x28]!);
        }
        break;
      }
      case K_FUNC: {
        const idx = r.u32();
        if (idx >= funcImports) ctx.patches.push(at + 1, r.pos, idx + ctx.added);
        break;
      }
      case K_END:
        if (depth === 0) return;
        depth--; break;
      case K_BLOCK: blocktype(r); depth++; break;
      case K_LEB5: r.leb(5); break;
      case K_LEB10: r.leb(10); break;
      case K_F32: r.skip(4); break;
      case K_F64: r.skip(8); break;
      case K_IDX2: r.u32(); r.u32(); break;
      case K_BR_TABLE: for (let n = r.u32() + 1; n > 0; n--) r.u32(); break;
      case K_SELECT_T: for (let n = r.u32(); n > 0; n--) valtype(r); break;
      case K_GROW: {
        const mem = r.u32();
        if (mem !== 0) r.fail(`memory.grow of memory ${mem} (only one memory is supported)`, at);
        if (!code) r.fail('memory.grow in a constant expression', at);
        ctx.grows++;
        ctx.patches.push(at, r.pos, GROW);
        break;
      }
      case K_TRY_TABLE:
        blocktype(r);
        for (let n = r.u32(); n > 0; n--) {
          const kind = r.byte();
          if (kind === 0x00 || kind === 0x01) { r.u32(); r.u32(); } else if (kind === 0x02 || kind === 0x03) r.u32();
          else r.fail(`unknown catch kind 0x${kind.toString(16)}`, r.pos - 1);
        }
        depth++; break;
      case K_DELEGATE: r.u32(); depth--; break; // delegate ends its try
      case K_PREFIX:
        if (op === 0xfb) gcOp(r, at); else if (op === 0xfc) miscOp(r, at, ctx, code); else if (op === 0xfd) simdOp(r, at); else atomicOp(r, at, ctx, code);
        break;
      default: r.fail(`unknown opcode 0x${op.toString(16)}`, at);
    }
  }
}

/** Copies input bytes [from, to) to out, applying the patches that lie there. */
function copyPatched(out: Out, b: Uint8Array, from: number, to: number, ctx: Ctx, patches = ctx.patches): void {
  let at = from;
  for (let i = 0; i < patches.length; i += 3) {
    const pFrom = patches[i]!, pTo = patches[i + 1]!, value = patches[i + 2]!;
    if (pFrom < from || pTo > to) continue;
    out.span(b, at, pFrom);
    const call = (k: number) => out.push([0x10, ...leb(ctx.funcImports + k)]);
    if (value === GROW) call(AT_GROW);
    else if (value === COPY) out.push([0x10, ...leb(ctx.copyFn)]);
    else if (value === FILL) out.push([0x10, ...leb(ctx.fillFn)]);
    else if (value === INIT) { call(AT_INIT); out.span(b, pFrom, pTo); }
    else if (value <= ATOMIC) out.push([0x10, ...leb(ctx.atomicFn + (ATOMIC - value))]);
    else if (value <= LOAD && value >= LOAD_LAST) {
      call(AT_LOAD_AT);
      out.span(b, pFrom, pTo);
      call(AT_LOAD_AFTER + (LOAD - value));
    } else out.push(leb(value));
    at = pTo;
  }
  out.span(b, at, to);
}

/** Decodes a constant expression and copies it to out with its patches. */
function constExpr(r: Reader, ctx: Ctx, out: Out): void {
  const from = r.pos;
  const sub: Ctx = { ...ctx, patches: [] };
  expr(r, sub, false);
  copyPatched(out, r.b, from, r.pos, sub);
}

function gcOp(r: Reader, at: number): void {
  const sub = r.u32();
  if (sub <= 1 || (sub >= 6 && sub <= 7) || (sub >= 11 && sub <= 14) || sub === 16) r.u32();
  else if ((sub >= 2 && sub <= 5) || sub === 8 || sub === 9 || sub === 10 || sub === 17 || sub === 18 || sub === 19) { r.u32(); r.u32(); }
  else if (sub >= 20 && sub <= 23) r.leb(5);
  else if (sub === 24 || sub === 25) { r.byte(); r.u32(); r.leb(5); r.leb(5); }
  else if (!(sub === 15 || (sub >= 26 && sub <= 30))) r.fail(`unknown opcode 0xfb ${sub}`, at);
}

function miscOp(r: Reader, at: number, ctx: Ctx, code: boolean): void {
  const sub = r.u32();
  if (sub <= 7) return; // saturating truncations
  if (sub === 8 || sub === 10 || sub === 11) { // memory.init memory.copy memory.fill
    const what = sub === 8 ? 'memory.init' : sub === 10 ? 'memory.copy' : 'memory.fill';
    if (sub === 8) r.u32(); // its data segment
    const mems = sub === 10 ? [r.u32(), r.u32()] : [r.u32()];
    if (mems.some((m) => m !== 0)) r.fail(`${what} of memory ${mems.find((m) => m !== 0)} (only one memory is supported)`, at);
    if (!code) r.fail(`${what} in a constant expression`, at);
    ctx.bulk++;
    ctx.patches.push(at, r.pos, sub === 8 ? INIT : sub === 10 ? COPY : FILL);
  } else if (sub === 12 || sub === 14) { r.u32(); r.u32(); } // table.init table.copy
  else if (sub === 9 || sub === 13 || (sub >= 15 && sub <= 17)) r.u32(); // data.drop elem.drop table.grow/size/fill
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

function atomicOp(r: Reader, at: number, ctx: Ctx, code: boolean): void {
  const sub = r.u32();
  if (sub === 3) { if (r.byte() !== 0) r.fail('atomic.fence takes a zero byte', at); return; }
  if (!(sub <= 2 || (sub >= 0x10 && sub <= 0x4e))) r.fail(`unknown opcode 0xfe ${sub}`, at);
  const argAt = r.pos;
  memarg(r);
  if (!atomicWrite(sub)) return;
  const arg = new Reader(r.b, argAt, r.pos);
  if (arg.u32() & 0x40) r.fail(`an atomic write to memory ${arg.u32()} (only one memory is supported)`, at);
  const offset = arg.u32();
  if (!code) r.fail('an atomic write in a constant expression', at);
  // The opcode after the prefix and the memory argument, as encoded (a
  // LEB128 need not be minimal, so the sub-opcode is kept decoded too).
  const bytes = r.b.slice(at + 1, r.pos);
  const key = bytes.join(',');
  let k = ctx.atomics.get(key);
  if (k === undefined) { k = ctx.atomicOps.length; ctx.atomics.set(key, k); ctx.atomicOps.push({ sub, offset, bytes }); }
  ctx.patches.push(at, r.pos, ATOMIC - k);
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

/** Decodes the imports; returns how many are functions and globals, and whether a memory is 64-bit. */
function readImports(r: Reader): { funcs: number; globals: number; memory64: boolean } {
  let funcs = 0;
  let globals = 0;
  let memory64 = false;
  for (let n = r.u32(); n > 0; n--) {
    r.name(); r.name();
    const kind = r.byte();
    if (kind === 0) { r.u32(); funcs++; } else if (kind === 1) tabletype(r);
    else if (kind === 2) memory64 ||= limits(r).memory64;
    else if (kind === 3) { valtype(r); r.byte(); globals++; } else if (kind === 4) { r.byte(); r.u32(); }
    else r.fail(`unknown import kind ${kind}`, r.pos - 1);
  }
  r.done('import section');
  return { funcs, globals, memory64 };
}

/**
 * Decodes every function body of the code section once, recording the
 * patches in ctx; returns the bodies' byte ranges (after their size).
 */
function scanCode(r: Reader, ctx: Ctx): number[] {
  const bodies: number[] = [];
  const n = r.u32();
  for (let i = 0; i < n; i++) {
    const body = r.sub(r.u32());
    bodies.push(body.pos, body.end);
    for (let locals = body.u32(); locals > 0; locals--) { body.u32(); valtype(body); }
    expr(body, ctx, true);
    body.done(`function body ${i}`);
  }
  r.done('code section');
  return bodies;
}

function writeCode(b: Uint8Array, bodies: number[], ctx: Ctx, out: Out, extra: number[][]): void {
  out.u32(bodies.length / 2 + extra.length);
  let p = 0; // patches are in input order, as are the bodies
  const patches = ctx.patches;
  for (let i = 0; i < bodies.length; i += 2) {
    const from = bodies[i]!, to = bodies[i + 1]!;
    const first = p;
    while (p < patches.length && patches[p]! < to) p += 3;
    if (first === p) { out.u32(to - from); out.span(b, from, to); continue; }
    const body = new Out();
    copyPatched(body, b, from, to, ctx, patches.slice(first, p));
    out.u32(body.length);
    out.push(body.bytes());
  }
  for (const e of extra) out.push(e);
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
    if (!(flags & 1)) { flush(); constExpr(r, ctx, out); mark = r.pos; } // offset
    if (flags & 3) { if (exprs) valtype(r); else r.byte(); } // reftype or elemkind
    const count = r.u32();
    flush();
    for (let j = 0; j < count; j++) {
      if (exprs) constExpr(r, ctx, out); else out.u32(shiftFunc(ctx, r.u32()));
    }
    mark = r.pos;
  }
  r.done('element section');
}

/**
 * The `name` custom section with function-indexed subsections shifted, and
 * the appended functions named (WRAPPER_NAMES) where functions have names.
 */
function names(r: Reader, ctx: Ctx, out: Out, extra: Array<[idx: number, name: string]>): void {
  const mark = r.pos;
  r.name();
  out.span(r.b, mark, r.pos);
  while (r.pos < r.end) {
    const id = r.byte();
    const sub = r.sub(r.u32());
    if (id < 1 || id > 3) { out.push([id]); out.u32(sub.end - sub.pos); out.span(r.b, sub.pos, sub.end); continue; }
    const body = new Out();
    const n = sub.u32();
    const more = id === 1 ? extra : [];
    body.u32(n + more.length);
    for (let i = 0; i < n; i++) {
      body.u32(shiftFunc(ctx, sub.u32()));
      const from = sub.pos;
      if (id === 1) sub.name();
      else for (let m = sub.u32(); m > 0; m--) { sub.u32(); sub.name(); } // locals or labels of one function
      body.span(r.b, from, sub.pos);
    }
    sub.done(`name subsection ${id}`);
    for (const [idx, name] of more) { body.u32(idx); body.push(utf8(name)); }
    out.push([id]);
    out.u32(body.length);
    out.push(body.bytes());
  }
}

/**
 * Rewrites every memory.grow into a call of the GROW_IMPORT function (and
 * the bulk memory instructions into BULK_IMPORTS calls).
 * Throws WasmRewriteError for anything it cannot decode with certainty.
 */
export function routeMemoryGrow(input: Uint8Array<ArrayBuffer>): RewriteResult {
  return rewriteModule(input, {});
}

/**
 * routeMemoryGrow, and with `wrapLoads` (race hunting) every plain load also
 * wrapped in the PERTURB_IMPORTS hooks; the module then always gets the
 * grow import and the five hooks, memory.grow or not.
 */
export function rewriteModule(input: Uint8Array<ArrayBuffer>, opts: { wrapLoads?: boolean }): RewriteResult {
  const wrapLoads = opts.wrapLoads === true;
  const b = input;
  const secs = sections(b);
  const find = (id: number) => secs.find((s) => s.id === id);
  const reader = (s: Section) => new Reader(b, s.start, s.end);

  const imp = find(SEC.import);
  const { funcs: funcImports, globals: globalImports, memory64: importedMemory64 } =
    imp ? readImports(reader(imp)) : { funcs: 0, globals: 0, memory64: false };
  const codeSec = find(SEC.code);
  const count = (id: number) => { const sec = find(id); return sec ? reader(sec).u32() : 0; };
  const added = wrapLoads ? 10 : 5;
  // The appended functions come after every other one; the flag after every other global.
  const definedFuncs = count(SEC.func);
  const ctx: Ctx = {
    funcImports, added, wrapLoads, loads: 0, grows: 0, bulk: 0, patches: [],
    copyFn: funcImports + added + definedFuncs, fillFn: funcImports + added + definedFuncs + 1,
    atomics: new Map(), atomicOps: [], atomicFn: 0,
  };
  const flagGlobal = globalImports + count(SEC.global);
  // The functions memory.copy and memory.fill become (only for a module that has them).
  const wrappers = (): number[][] => {
    const body = (host: number, op: number[]) => {
      const code = [0x00, 0x23, ...leb(flagGlobal), 0x04, 0x40, // no locals; global.get $readonly; if
        0x20, 0, 0x20, 1, 0x20, 2, 0x10, ...leb(funcImports + host), // the host's checked operation
        0x05, 0x20, 0, 0x20, 1, 0x20, 2, ...op, 0x0b, 0x0b]; // else the instruction itself; end; end
      return [...leb(code.length), ...code];
    };
    return bulk > 0 ? [body(AT_COPY, [0xfc, 0x0a, 0x00, 0x00]), body(AT_FILL, [0xfc, 0x0b, 0x00])] : [];
  };
  // One function per atomic write: (address, value[, replacement]) -> its
  // result, the host's check first while the flag is set.
  const atomicTypes = (): number[] => ctx.atomicOps.map(({ sub }) => {
    const w = atomicWrite(sub)!;
    return atomicType0() + w.kind * 2 + (w.i64 ? 1 : 0);
  });
  const atomicBodies = (): number[][] => ctx.atomicOps.map(({ sub, offset, bytes }) => {
    const w = atomicWrite(sub)!;
    const operands = w.kind === 2 ? [0x20, 0, 0x20, 1, 0x20, 2] : [0x20, 0, 0x20, 1];
    const code = [0x00, 0x23, ...leb(flagGlobal), 0x04, 0x40, // no locals; global.get $readonly; if
      0x20, 0, 0x41, ...sleb(w.width), 0x41, ...sleb(offset | 0), 0x10, ...leb(funcImports + AT_ATOMIC), 0x0b, // check; end
      ...operands, 0xfe, ...bytes, 0x0b]; // the instruction itself; end
    return [...leb(code.length), ...code];
  });
  const bodies = codeSec ? scanCode(reader(codeSec), ctx) : [];
  const { grows, bulk } = ctx;
  const atomics = ctx.atomicOps.length;
  if (grows === 0 && bulk === 0 && atomics === 0 && !wrapLoads) return { bytes: input, grows: 0, bulk: 0, atomics: 0, loads: 0, startExported: false };
  ctx.atomicFn = ctx.copyFn + (bulk > 0 ? 2 : 0);

  let memory64 = importedMemory64;
  const mem = find(SEC.memory);
  if (mem) {
    const r = reader(mem);
    for (let n = r.u32(); n > 0; n--) memory64 ||= limits(r).memory64;
    r.done('memory section');
  }
  if (memory64) throw new WasmRewriteError(`a 64-bit memory (memory64) cannot have its ${wrapLoads ? 'loads wrapped' : 'memory.grow routed through the host'}`);
  const typeSec = find(SEC.type);
  if (!typeSec) throw new WasmRewriteError('a module with code but no type section');
  const startSec = find(SEC.start);
  const startFunc = startSec ? (() => { const r = reader(startSec); const f = r.u32(); r.done('start section'); return f; })() : undefined;

  const out = new Out();
  out.span(b, 0, 8);
  const section = (id: number, payload: Out) => { out.push([id]); out.u32(payload.length); out.push(payload.bytes()); };
  let newType = -1;
  const atomicType0 = () => newType + (wrapLoads ? 6 : 3);
  // The imports added, after the module's own (in the order of the AT_
  // constants): grow, the bulk ones, then the load hooks.
  const addedImports = () => {
    const entry = (name: string, type: number) => [...utf8(GROW_IMPORT.module), ...utf8(name), 0x00, ...leb(type)];
    const list = [entry(GROW_IMPORT.name, newType), entry(BULK_IMPORTS.copy, newType + 1), entry(BULK_IMPORTS.fill, newType + 1),
      entry(BULK_IMPORTS.init, newType + 2), entry(ATOMIC_IMPORT, newType + 1)];
    if (wrapLoads) {
      list.push(entry(PERTURB_IMPORTS.at, newType), entry(PERTURB_IMPORTS.i32, newType), entry(PERTURB_IMPORTS.i64, newType + 3),
        entry(PERTURB_IMPORTS.f32, newType + 4), entry(PERTURB_IMPORTS.f64, newType + 5));
    }
    return list;
  };

  // What the module gains besides its imports: two functions, a global and
  // exports (the flag, the start function). A section the module lacks is
  // made, in its place among the others.
  const extraFuncs = [...wrappers(), ...atomicBodies()];
  // Their types (newType is known once the type section, always the first, is written).
  const extraTypes = () => [...(bulk > 0 ? [newType + 1, newType + 1] : []), ...atomicTypes()];
  const extraNames: Array<[number, string]> = [
    ...(bulk > 0 ? [[ctx.copyFn, WRAPPER_NAMES.copy], [ctx.fillFn, WRAPPER_NAMES.fill]] as Array<[number, string]> : []),
    ...ctx.atomicOps.map((_, k): [number, string] => [ctx.atomicFn + k, WRAPPER_NAMES.atomic])];
  const extraExports: number[][] = [];
  if (extraFuncs.length) extraExports.push([...utf8(READONLY_EXPORT), 0x03, ...leb(flagGlobal)]);
  if (startFunc !== undefined) extraExports.push([...utf8(START_EXPORT), 0x00, ...leb(shiftFunc(ctx, startFunc))]);
  const FLAG = [0x7f, 0x01, 0x41, 0x00, 0x0b]; // (global (mut i32) (i32.const 0))
  const made: Array<[id: number, payload: () => Out]> = [];
  const list = (items: number[][]) => () => { const p = new Out(); p.u32(items.length); for (const e of items) p.push(e); return p; };
  if (extraFuncs.length && !find(SEC.func)) made.push([SEC.func, () => list(extraTypes().map((t) => leb(t)))()]);
  if (extraFuncs.length && !find(SEC.global)) made.push([SEC.global, list([FLAG])]);
  if (extraExports.length && !find(SEC.export)) made.push([SEC.export, list(extraExports)]);
  if (extraFuncs.length && !codeSec) made.push([SEC.code, list(extraFuncs)]);
  const makeBefore = (rank: number) => {
    while (made.length && RANK[made[0]![0]]! < rank) { const [id, payload] = made.shift()!; section(id, payload()); }
  };

  for (const s of secs) {
    const r = reader(s);
    const p = new Out();
    if (s.id !== SEC.custom) makeBefore(RANK[s.id]!);
    switch (s.id) {
      case SEC.type: {
        newType = r.u32();
        p.u32(newType + (wrapLoads ? 6 : 3) + 6);
        p.span(b, r.pos, s.end);
        p.push([0x60, 0x01, 0x7f, 0x01, 0x7f]); // (func (param i32) (result i32)), its own rec group
        p.push([0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00]); // (func (param i32 i32 i32)): copy, fill
        p.push([0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x03, 0x7f, 0x7f, 0x7f]); // (param i32 i32 i32) (result i32 i32 i32): init
        // The same for i64, f32, f64: the load hooks' identities.
        if (wrapLoads) p.push([0x60, 0x01, 0x7e, 0x01, 0x7e, 0x60, 0x01, 0x7d, 0x01, 0x7d, 0x60, 0x01, 0x7c, 0x01, 0x7c]);
        // The atomic writes' functions (atomicType0() on): store, rmw and cmpxchg, each of i32 then i64.
        for (const t of [0x7f, 0x7e]) p.push([0x60, 0x02, 0x7f, t, 0x00]);
        for (const t of [0x7f, 0x7e]) p.push([0x60, 0x02, 0x7f, t, 0x01, t]);
        for (const t of [0x7f, 0x7e]) p.push([0x60, 0x03, 0x7f, t, t, 0x01, t]);
        section(s.id, p);
        if (!imp) { // the import section follows the type section
          const ip = new Out();
          const list = addedImports();
          ip.u32(list.length);
          for (const e of list) ip.push(e);
          section(SEC.import, ip);
        }
        continue;
      }
      case SEC.import: {
        const n = r.u32();
        if (newType < 0) r.fail('import section before the type section');
        const list = addedImports();
        p.u32(n + list.length);
        p.span(b, r.pos, s.end);
        for (const e of list) p.push(e);
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
            constExpr(r, ctx, p);
          } else { tabletype(r); p.span(b, mark, r.pos); }
        }
        r.done('table section');
        break;
      }
      case SEC.func: {
        const n = r.u32();
        p.u32(n + extraFuncs.length);
        p.span(b, r.pos, s.end);
        for (const t of extraTypes()) p.u32(t);
        break;
      }
      case SEC.global: {
        const n = r.u32();
        p.u32(n + (extraFuncs.length ? 1 : 0));
        for (let i = 0; i < n; i++) {
          const mark = r.pos;
          valtype(r); r.byte();
          p.span(b, mark, r.pos);
          constExpr(r, ctx, p);
        }
        r.done('global section');
        if (extraFuncs.length) p.push(FLAG);
        break;
      }
      case SEC.export: {
        const n = r.u32();
        p.u32(n + extraExports.length);
        for (let i = 0; i < n; i++) {
          const mark = r.pos;
          const name = r.name();
          if (name === START_EXPORT || name === READONLY_EXPORT) r.fail(`the module already exports "${name}"`, mark);
          const kind = r.byte();
          p.span(b, mark, r.pos);
          const idx = r.u32();
          p.u32(kind === 0 ? shiftFunc(ctx, idx) : idx);
        }
        r.done('export section');
        for (const e of extraExports) p.push(e);
        break;
      }
      case SEC.start: // dropped: offered as START_EXPORT instead
        continue;
      case SEC.elem: elems(r, ctx, p); break;
      case SEC.code: writeCode(b, bodies, ctx, p, extraFuncs); break;
      case SEC.custom: {
        const save = r.pos;
        if (r.name() === 'name') {
          r.pos = save;
          names(r, ctx, p, extraNames);
          break;
        }
        p.span(b, s.start, s.end);
        break;
      }
      default:
        p.span(b, s.start, s.end);
    }
    section(s.id, p);
  }
  makeBefore(Infinity);
  return { bytes: out.bytes(), grows, bulk, atomics: ctx.atomicOps.length, loads: ctx.loads, startExported: startFunc !== undefined };
}
