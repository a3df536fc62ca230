// Translation between the guest structures of abi.md (fixed, naturally
// aligned, 32-bit pointers) and glibc's native x86-64 structures. Only the
// structures whose layouts differ pass through here; sembuf, timespec and the
// u16 arrays of GETALL/SETALL are handed to the kernel by address.

type DV = DataView;
const LE = true;

// ipc_perm: guest 32 bytes, native 48 bytes. Same first 24 bytes (key, uid,
// gid, cuid, cgid, mode as 32-bit fields); seq is u16 natively, u32 in the guest.
function permToGuest(n: DV, no: number, g: DV, go: number): void {
  // Stryker disable next-line EqualityOperator: off <= 24 also copies bytes 24..27, which the next line overwrites
  for (let off = 0; off < 24; off += 4) g.setUint32(go + off, n.getUint32(no + off, LE), LE);
  g.setUint32(go + 24, n.getUint16(no + 24, LE), LE);
  g.setUint32(go + 28, 0, LE);
}

function permToNative(g: DV, go: number, n: DV, no: number): void {
  // Stryker disable next-line EqualityOperator: off <= 24 also writes bytes 24..27, which the next two lines overwrite
  for (let off = 0; off < 24; off += 4) n.setUint32(no + off, g.getUint32(go + off, LE), LE);
  // Stryker disable next-line ArithmeticOperator: seq; only IPC_SET converts to native, and the kernel reads only the perm's uid, gid and mode from it (shmctl(2), semctl(2))
  n.setUint16(no + 24, g.getUint32(go + 24, LE) & 0xffff, LE);
  // Stryker disable next-line ConditionalExpression,EqualityOperator: padding; only IPC_SET converts to native, and the kernel reads only the perm's uid, gid and mode from it (shmctl(2), semctl(2))
  for (let off = 26; off < 48; off += 2) n.setUint16(no + off, 0, LE);
}

function copy64(from: DV, fo: number, to: DV, too: number): void {
  to.setBigUint64(too, from.getBigUint64(fo, LE), LE);
}

/** native shmid_ds (112 B) -> guest shmid_ds (80 B). */
export function shmidToGuest(n: DV, g: DV, go: number): void {
  permToGuest(n, 0, g, go);
  copy64(n, 48, g, go + 32); // shm_segsz
  copy64(n, 56, g, go + 40); // shm_atime
  copy64(n, 64, g, go + 48); // shm_dtime
  copy64(n, 72, g, go + 56); // shm_ctime
  g.setInt32(go + 64, n.getInt32(80, LE), LE); // shm_cpid
  g.setInt32(go + 68, n.getInt32(84, LE), LE); // shm_lpid
  copy64(n, 88, g, go + 72); // shm_nattch
}

/** guest shmid_ds -> native, for IPC_SET (the kernel reads uid, gid, mode). */
export function shmidToNative(g: DV, go: number, n: DV): void {
  permToNative(g, go, n, 0);
  // Stryker disable ArithmeticOperator: only IPC_SET converts to native, and the kernel reads only the perm's uid, gid and mode from it (shmctl(2), semctl(2))
  copy64(g, go + 32, n, 48);
  copy64(g, go + 40, n, 56);
  copy64(g, go + 48, n, 64);
  copy64(g, go + 56, n, 72);
  n.setInt32(80, g.getInt32(go + 64, LE), LE);
  n.setInt32(84, g.getInt32(go + 68, LE), LE);
  copy64(g, go + 72, n, 88);
  // Stryker restore ArithmeticOperator
  n.setBigUint64(96, 0n, LE);
  n.setBigUint64(104, 0n, LE);
}

/** native semid_ds (104 B) -> guest semid_ds (56 B). */
export function semidToGuest(n: DV, g: DV, go: number): void {
  permToGuest(n, 0, g, go);
  copy64(n, 48, g, go + 32); // sem_otime
  copy64(n, 64, g, go + 40); // sem_ctime
  copy64(n, 80, g, go + 48); // sem_nsems
}

export function semidToNative(g: DV, go: number, n: DV): void {
  permToNative(g, go, n, 0);
  // Stryker disable ConditionalExpression,EqualityOperator,ArithmeticOperator: only IPC_SET converts to native, and the kernel reads only the perm's uid, gid and mode from it (shmctl(2), semctl(2))
  for (let off = 48; off < 104; off += 8) n.setBigUint64(off, 0n, LE);
  copy64(g, go + 32, n, 48);
  copy64(g, go + 40, n, 64);
  copy64(g, go + 48, n, 80);
  // Stryker restore ConditionalExpression,EqualityOperator,ArithmeticOperator
}

/** native shminfo (5 unsigned longs + padding) -> guest 5 x u64. */
export function shminfoToGuest(n: DV, g: DV, go: number): void {
  for (let i = 0; i < 5; i++) copy64(n, i * 8, g, go + i * 8);
}

/** native shm_info (int used_ids, then 5 unsigned longs) -> guest 6 x u64. */
export function shmInfoToGuest(n: DV, g: DV, go: number): void {
  g.setBigUint64(go, BigInt(n.getInt32(0, LE) >>> 0), LE);
  for (let i = 1; i < 6; i++) copy64(n, i * 8, g, go + i * 8);
}

/** native seminfo (10 ints) -> guest 10 x u64. */
export function seminfoToGuest(n: DV, g: DV, go: number): void {
  for (let i = 0; i < 10; i++) g.setBigUint64(go + i * 8, BigInt(n.getInt32(i * 4, LE) >>> 0), LE);
}
