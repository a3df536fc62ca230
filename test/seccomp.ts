// Fault injection by the kernel itself, for the host's failure paths that a
// correct kernel reaches only when it runs out of something (memory, map
// count): a seccomp filter on the calling thread makes the system calls that
// match a rule fail with an errno, the way the kernel would fail them. Only
// the thread that installs it (and threads it starts) is affected, and a
// filter cannot be removed: install it in a worker thread made for the test.
// Nothing is mocked: every other call, and every call that does not match,
// is the kernel's.
import koffi from 'koffi';
import * as libc from '../host/libc.js';

export const SYS_MMAP = 9, SYS_MREMAP = 25;

/** Calls of syscall `nr` whose arguments equal the given values fail with errno. */
export interface FaultRule { nr: number; args: Array<[index: number, value: number]>; errno: number }

const LD_ABS_W = 0x20, JEQ_K = 0x15, RET_K = 0x06;
const AUDIT_ARCH_X86_64 = 0xc000003e;
const RET_ALLOW = 0x7fff0000, RET_ERRNO = 0x00050000;

/** The BPF program: each rule a block that returns its errno or falls through to the next. */
export function program(rules: FaultRule[]): Array<[code: number, jt: number, jf: number, k: number]> {
  const blocks = rules.map((r) => {
    // Instructions after each compare, up to the block's end: a miss jumps there.
    const ins: Array<[number, number, number, number]> = [[LD_ABS_W, 0, 0, 0], [JEQ_K, 0, -1, r.nr]];
    for (const [i, v] of r.args) {
      const lo = v % 2 ** 32, hi = Math.floor(v / 2 ** 32);
      ins.push([LD_ABS_W, 0, 0, 16 + 8 * i], [JEQ_K, 0, -1, lo], [LD_ABS_W, 0, 0, 16 + 8 * i + 4], [JEQ_K, 0, -1, hi]);
    }
    ins.push([RET_K, 0, 0, RET_ERRNO | r.errno]);
    // A miss skips to the next block: the instructions left after the jump.
    return ins.map(([c, jt, jf, k], at) => [c, jt, jf === -1 ? ins.length - at - 1 : jf, k] as [number, number, number, number]);
  });
  const body = blocks.flat();
  return [
    [LD_ABS_W, 0, 0, 4], [JEQ_K, 0, body.length, AUDIT_ARCH_X86_64], // another ABI: allowed
    ...body,
    [RET_K, 0, 0, RET_ALLOW],
  ];
}

/** Installs the rules on the calling thread for the rest of its life. */
export function injectFaults(rules: FaultRule[]): void {
  const prog = program(rules);
  const filter = new libc.NativeScratch(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    filter.view.setUint16(i * 8, code, true);
    filter.view.setUint8(i * 8 + 2, jt);
    filter.view.setUint8(i * 8 + 3, jf);
    filter.view.setUint32(i * 8 + 4, k, true);
  });
  const fprog = new libc.NativeScratch(16);
  fprog.view.setUint16(0, prog.length, true);
  fprog.view.setBigUint64(8, BigInt(filter.addr), true);
  const prctl = koffi.load('libc.so.6').func('int prctl(int option, uintptr_t a, uintptr_t b, uintptr_t c, uintptr_t d)') as
    (o: number, a: number, b: number, c: number, d: number) => number;
  const PR_SET_NO_NEW_PRIVS = 38, PR_SET_SECCOMP = 22, SECCOMP_MODE_FILTER = 2;
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) !== 0) throw new Error(`prctl(PR_SET_NO_NEW_PRIVS): errno ${libc.errno()}`);
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, fprog.addr, 0, 0) !== 0) throw new Error(`prctl(PR_SET_SECCOMP): errno ${libc.errno()}`);
  // Keep the buffers alive as long as the thread: the kernel copied the
  // program, but nothing should be freed under a call in flight.
  keep.push(filter, fprog);
}
const keep: libc.NativeScratch[] = [];
