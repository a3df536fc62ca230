// A native view of a segment for the growth tests: an attach of it in the
// test process at a native address, read and written with memcpy, and the
// segments a test created, removed after it.
import * as assert from 'uvu/assert';
import koffi from 'koffi';
import * as libc from '../host/libc.js';
import { IPC_CREAT, IPC_RMID } from '../host/abi.js';
import { clearIpc, shmStat } from './helpers.js';

const memcpy = koffi.load('libc.so.6').func('uintptr_t memcpy(uintptr_t dest, uintptr_t src, size_t n)') as
  (d: number, s: number, n: number) => number;

/** A native attach of a segment in this process: the independent view. */
export class Peer {
  readonly addr: number;
  private readonly box = new libc.NativeScratch();
  constructor(readonly id: number) {
    this.addr = libc.shmat(id, 0, 0);
    assert.ok(this.addr > 0, `native shmat: errno ${libc.errno()}`);
  }
  read(off: number): number { memcpy(this.box.addr, this.addr + off, 4); return this.box.view.getUint32(0, true); }
  write(off: number, v: number): void { this.box.view.setUint32(0, v, true); memcpy(this.addr + off, this.box.addr, 4); }
  nattch(): number { return shmStat(this.id)?.nattch ?? -1; }
  detach(): void { assert.is(libc.shmdt(this.addr), 0); }
}

const ids: number[] = [];
export function segment(size: number, key = 0): number {
  const id = libc.shmget(key, size, IPC_CREAT | 0o666);
  assert.ok(id >= 0, `shmget: errno ${libc.errno()}`);
  ids.push(id);
  return id;
}
export function cleanup(): void {
  for (const id of ids.splice(0)) libc.shmctl(id, IPC_RMID, 0);
  clearIpc();
}

