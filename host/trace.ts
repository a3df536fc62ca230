// strace-style lines for --trace: one per sysv (and proc) call, symbolic flags and
// commands, errno names.  shmget(0x4d2, 4096, IPC_CREAT|IPC_EXCL|0600) = -1 EEXIST
import type { GuestMemory } from './guest-memory.js';
import * as abi from './abi.js';

const hex = (n: number) => '0x' + (n >>> 0).toString(16);

function flags(value: number, names: Array<[number, string]>, withMode: boolean): string {
  const parts: string[] = [];
  let rest = value >>> 0;
  for (const [bit, name] of names) {
    if (rest & bit) { parts.push(name); rest &= ~bit; }
  }
  if (withMode) {
    const mode = rest & 0o777;
    rest &= ~0o777;
    if (mode) parts.push('0' + mode.toString(8));
  }
  if (rest) parts.push(hex(rest));
  return parts.length ? parts.join('|') : '0';
}

const IPC_FLAGS: Array<[number, string]> = [[abi.IPC_CREAT, 'IPC_CREAT'], [abi.IPC_EXCL, 'IPC_EXCL'], [abi.IPC_NOWAIT, 'IPC_NOWAIT']];
const SHMAT_FLAGS: Array<[number, string]> = [[abi.SHM_RDONLY, 'SHM_RDONLY'], [abi.SHM_RND, 'SHM_RND'], [abi.SHM_REMAP, 'SHM_REMAP'], [abi.SHM_EXEC, 'SHM_EXEC']];
const SEM_FLAGS: Array<[number, string]> = [[abi.IPC_NOWAIT, 'IPC_NOWAIT'], [abi.SEM_UNDO, 'SEM_UNDO']];
const SHMCTL_CMDS: Record<number, string> = {
  [abi.IPC_RMID]: 'IPC_RMID', [abi.IPC_SET]: 'IPC_SET', [abi.IPC_STAT]: 'IPC_STAT', [abi.IPC_INFO]: 'IPC_INFO',
  [abi.SHM_LOCK]: 'SHM_LOCK', [abi.SHM_UNLOCK]: 'SHM_UNLOCK', [abi.SHM_STAT]: 'SHM_STAT', [abi.SHM_INFO]: 'SHM_INFO',
  [abi.SHM_STAT_ANY]: 'SHM_STAT_ANY',
};
const SEMCTL_CMDS: Record<number, string> = {
  [abi.IPC_RMID]: 'IPC_RMID', [abi.IPC_SET]: 'IPC_SET', [abi.IPC_STAT]: 'IPC_STAT', [abi.IPC_INFO]: 'IPC_INFO',
  [abi.GETPID]: 'GETPID', [abi.GETVAL]: 'GETVAL', [abi.GETALL]: 'GETALL', [abi.GETNCNT]: 'GETNCNT',
  [abi.GETZCNT]: 'GETZCNT', [abi.SETVAL]: 'SETVAL', [abi.SETALL]: 'SETALL', [abi.SEM_STAT]: 'SEM_STAT',
  [abi.SEM_INFO]: 'SEM_INFO', [abi.SEM_STAT_ANY]: 'SEM_STAT_ANY',
};

function cmdName(cmd: number, table: Record<number, string>): string {
  const base = table[cmd & ~abi.IPC_64];
  if (base === undefined) return String(cmd);
  return cmd & abi.IPC_64 ? `IPC_64|${base}` : base;
}

const key = (k: number) => (k === 0 ? 'IPC_PRIVATE' : hex(k));
const ptr = (p: number) => (p === 0 ? 'NULL' : hex(p));

function sembufs(mem: GuestMemory, p: number, n: number): string {
  const count = n >>> 0;
  if (count === 0 || count > 64 || !mem.inBounds(p, count * 6)) return ptr(p);
  const v = mem.view;
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const at = (p >>> 0) + i * 6;
    items.push(`{${v.getUint16(at, true)}, ${v.getInt16(at + 2, true)}, ${flags(v.getInt16(at + 4, true) & 0xffff, SEM_FLAGS, false)}}`);
  }
  return `[${items.join(', ')}]`;
}

function timespec(mem: GuestMemory, p: number): string {
  if (p === 0) return 'NULL';
  if (!mem.inBounds(p, 16)) return ptr(p);
  const v = mem.view;
  return `{tv_sec=${v.getBigInt64(p >>> 0, true)}, tv_nsec=${v.getBigInt64((p >>> 0) + 8, true)}}`;
}

function str(mem: GuestMemory, p: number, n: number): string {
  const len = n >>> 0;
  if (len > 256 || !mem.inBounds(p, len)) return ptr(p);
  return JSON.stringify(Buffer.from(mem.read(p, len)).toString('utf8'));
}

/** spawn's argument block: NUL-terminated strings. */
function argBlock(mem: GuestMemory, p: number, n: number): string {
  const len = n >>> 0;
  if (len === 0) return '[]';
  if (len > 4096 || !mem.inBounds(p, len)) return ptr(p);
  const parts = Buffer.from(mem.read(p, len)).toString('utf8').replace(/\0$/, '').split('\0');
  return `[${parts.map((x) => JSON.stringify(x)).join(', ')}]`;
}

function result(name: string, r: number): string {
  if (r < 0 && r >= -4095) return `-1 ${abi.errnoName(-r)}`;
  return name === 'shmat' ? hex(r) : String(r);
}

/** Formats one call. args are the raw i32 arguments the guest passed. */
export function formatCall(mem: GuestMemory, name: string, a: number[], r: number): string {
  const [a0 = 0, a1 = 0, a2 = 0, a3 = 0] = a;
  let args: string;
  switch (name) {
    case 'shmget': args = `${key(a0)}, ${a1 >>> 0}, ${flags(a2, IPC_FLAGS, true)}`; break;
    case 'semget': args = `${key(a0)}, ${a1}, ${flags(a2, IPC_FLAGS, true)}`; break;
    case 'shmat': args = `${a0}, ${ptr(a1)}, ${flags(a2, SHMAT_FLAGS, false)}`; break;
    case 'shmdt': args = ptr(a0); break;
    case 'shmctl': args = `${a0}, ${cmdName(a1, SHMCTL_CMDS)}, ${ptr(a2)}`; break;
    case 'semop': args = `${a0}, ${sembufs(mem, a1, a2)}, ${a2 >>> 0}`; break;
    case 'semtimedop': args = `${a0}, ${sembufs(mem, a1, a2)}, ${a2 >>> 0}, ${timespec(mem, a3)}`; break;
    case 'semctl': {
      const cmd = a2 & ~abi.IPC_64;
      const arg = cmd === abi.SETVAL ? String(a3)
        : [abi.GETVAL, abi.GETPID, abi.GETNCNT, abi.GETZCNT, abi.IPC_RMID].includes(cmd) ? '0' : ptr(a3);
      args = `${a0}, ${a1}, ${cmdName(a2, SEMCTL_CMDS)}, ${arg}`;
      break;
    }
    case 'spawn': args = `${str(mem, a0, a1)}, ${argBlock(mem, a2, a3)}`; break;
    case 'wait': args = `${a0}, ${ptr(a1)}, ${a2 === 1 ? 'WNOHANG' : a2}`; break;
    default: args = a.join(', ');
  }
  return `${name}(${args}) = ${result(name, r)}`;
}
