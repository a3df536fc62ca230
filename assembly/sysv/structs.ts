// Views of abi.md's guest structures (little-endian, naturally aligned) with
// the Linux field names. Each view reads and writes memory at `ptr`:
//   new ShmidDs()       owns fresh zeroed storage (GC-managed);
//   new ShmidDs(addr)   views memory the caller owns (e.g. inside a window).
// Pass `s.ptr` to the libc-level calls. AssemblyScript's GC never moves an
// object, so `ptr` stays valid as long as the view is reachable.

export abstract class Struct {
  readonly ptr: usize;
  // The storage this view owns or depends on; holding it keeps it alive.
  private owner: Object | null;

  constructor(size: i32, ptr: usize, owner: Object | null) {
    if (ptr == 0) {
      let buf = new StaticArray<u8>(size);
      owner = buf;
      ptr = changetype<usize>(buf);
    }
    this.ptr = ptr;
    this.owner = owner;
  }
}

/** ipc_perm, 32 bytes. */
export class IpcPerm extends Struct {
  static readonly SIZE: i32 = 32;
  constructor(ptr: usize = 0, owner: Object | null = null) { super(IpcPerm.SIZE, ptr, owner); }
  get key(): i32 { return load<i32>(this.ptr, 0); }
  set key(v: i32) { store<i32>(this.ptr, v, 0); }
  get uid(): u32 { return load<u32>(this.ptr, 4); }
  set uid(v: u32) { store<u32>(this.ptr, v, 4); }
  get gid(): u32 { return load<u32>(this.ptr, 8); }
  set gid(v: u32) { store<u32>(this.ptr, v, 8); }
  get cuid(): u32 { return load<u32>(this.ptr, 12); }
  set cuid(v: u32) { store<u32>(this.ptr, v, 12); }
  get cgid(): u32 { return load<u32>(this.ptr, 16); }
  set cgid(v: u32) { store<u32>(this.ptr, v, 16); }
  /** The 9 permission bits plus status bits (SHM_DEST, SHM_LOCKED). */
  get mode(): u32 { return load<u32>(this.ptr, 20); }
  set mode(v: u32) { store<u32>(this.ptr, v, 20); }
  get seq(): u32 { return load<u32>(this.ptr, 24); }
  set seq(v: u32) { store<u32>(this.ptr, v, 24); }
}

/** shmid_ds, 80 bytes. */
export class ShmidDs extends Struct {
  static readonly SIZE: i32 = 80;
  constructor(ptr: usize = 0) { super(ShmidDs.SIZE, ptr, null); }
  get shm_perm(): IpcPerm { return new IpcPerm(this.ptr, this); }
  get shm_segsz(): u64 { return load<u64>(this.ptr, 32); }
  set shm_segsz(v: u64) { store<u64>(this.ptr, v, 32); }
  get shm_atime(): i64 { return load<i64>(this.ptr, 40); }
  set shm_atime(v: i64) { store<i64>(this.ptr, v, 40); }
  get shm_dtime(): i64 { return load<i64>(this.ptr, 48); }
  set shm_dtime(v: i64) { store<i64>(this.ptr, v, 48); }
  get shm_ctime(): i64 { return load<i64>(this.ptr, 56); }
  set shm_ctime(v: i64) { store<i64>(this.ptr, v, 56); }
  get shm_cpid(): i32 { return load<i32>(this.ptr, 64); }
  set shm_cpid(v: i32) { store<i32>(this.ptr, v, 64); }
  get shm_lpid(): i32 { return load<i32>(this.ptr, 68); }
  set shm_lpid(v: i32) { store<i32>(this.ptr, v, 68); }
  get shm_nattch(): u64 { return load<u64>(this.ptr, 72); }
  set shm_nattch(v: u64) { store<u64>(this.ptr, v, 72); }
}

/** semid_ds, 56 bytes. */
export class SemidDs extends Struct {
  static readonly SIZE: i32 = 56;
  constructor(ptr: usize = 0) { super(SemidDs.SIZE, ptr, null); }
  get sem_perm(): IpcPerm { return new IpcPerm(this.ptr, this); }
  get sem_otime(): i64 { return load<i64>(this.ptr, 32); }
  set sem_otime(v: i64) { store<i64>(this.ptr, v, 32); }
  get sem_ctime(): i64 { return load<i64>(this.ptr, 40); }
  set sem_ctime(v: i64) { store<i64>(this.ptr, v, 40); }
  get sem_nsems(): u64 { return load<u64>(this.ptr, 48); }
  set sem_nsems(v: u64) { store<u64>(this.ptr, v, 48); }
}

/** One sembuf, 6 bytes (the native layout). */
export class Sembuf extends Struct {
  static readonly SIZE: i32 = 6;
  constructor(ptr: usize = 0, owner: Object | null = null) { super(Sembuf.SIZE, ptr, owner); }
  get sem_num(): u16 { return load<u16>(this.ptr, 0); }
  set sem_num(v: u16) { store<u16>(this.ptr, v, 0); }
  get sem_op(): i16 { return load<i16>(this.ptr, 2); }
  set sem_op(v: i16) { store<i16>(this.ptr, v, 2); }
  get sem_flg(): i16 { return load<i16>(this.ptr, 4); }
  set sem_flg(v: i16) { store<i16>(this.ptr, v, 4); }
}

/** An array of `length` sembuf, as semop/semtimedop take it. */
export class SembufArray extends Struct {
  readonly length: i32;
  constructor(length: i32, ptr: usize = 0) {
    super(length * Sembuf.SIZE, ptr, null);
    this.length = length;
  }
  /** Fills entry `i`; returns this for chaining. */
  set(i: i32, sem_num: u16, sem_op: i16, sem_flg: i16 = 0): SembufArray {
    if (<u32>i >= <u32>this.length) throw new RangeError("sembuf index out of range");
    let p = this.ptr + <usize>i * Sembuf.SIZE;
    store<u16>(p, sem_num, 0);
    store<i16>(p, sem_op, 2);
    store<i16>(p, sem_flg, 4);
    return this;
  }
  at(i: i32): Sembuf {
    if (<u32>i >= <u32>this.length) throw new RangeError("sembuf index out of range");
    return new Sembuf(this.ptr + <usize>i * Sembuf.SIZE, this);
  }
}

/** timespec, 16 bytes. */
export class Timespec extends Struct {
  static readonly SIZE: i32 = 16;
  constructor(ptr: usize = 0) { super(Timespec.SIZE, ptr, null); }
  static fromMs(ms: i64): Timespec {
    let t = new Timespec();
    t.tv_sec = ms / 1000;
    t.tv_nsec = (ms % 1000) * 1000000;
    return t;
  }
  get tv_sec(): i64 { return load<i64>(this.ptr, 0); }
  set tv_sec(v: i64) { store<i64>(this.ptr, v, 0); }
  get tv_nsec(): i64 { return load<i64>(this.ptr, 8); }
  set tv_nsec(v: i64) { store<i64>(this.ptr, v, 8); }
}

/** struct shminfo (shmctl IPC_INFO), 5 fields widened to u64. */
export class Shminfo extends Struct {
  static readonly SIZE: i32 = 40;
  constructor(ptr: usize = 0) { super(Shminfo.SIZE, ptr, null); }
  get shmmax(): u64 { return load<u64>(this.ptr, 0); }
  get shmmin(): u64 { return load<u64>(this.ptr, 8); }
  get shmmni(): u64 { return load<u64>(this.ptr, 16); }
  get shmseg(): u64 { return load<u64>(this.ptr, 24); }
  get shmall(): u64 { return load<u64>(this.ptr, 32); }
}

/** struct shm_info (shmctl SHM_INFO), 6 fields widened to u64. */
export class ShmInfo extends Struct {
  static readonly SIZE: i32 = 48;
  constructor(ptr: usize = 0) { super(ShmInfo.SIZE, ptr, null); }
  get used_ids(): u64 { return load<u64>(this.ptr, 0); }
  get shm_tot(): u64 { return load<u64>(this.ptr, 8); }
  get shm_rss(): u64 { return load<u64>(this.ptr, 16); }
  get shm_swp(): u64 { return load<u64>(this.ptr, 24); }
  get swap_attempts(): u64 { return load<u64>(this.ptr, 32); }
  get swap_successes(): u64 { return load<u64>(this.ptr, 40); }
}

/** struct seminfo (semctl IPC_INFO / SEM_INFO), 10 fields widened to u64. */
export class Seminfo extends Struct {
  static readonly SIZE: i32 = 80;
  constructor(ptr: usize = 0) { super(Seminfo.SIZE, ptr, null); }
  get semmap(): u64 { return load<u64>(this.ptr, 0); }
  get semmni(): u64 { return load<u64>(this.ptr, 8); }
  get semmns(): u64 { return load<u64>(this.ptr, 16); }
  get semmnu(): u64 { return load<u64>(this.ptr, 24); }
  get semmsl(): u64 { return load<u64>(this.ptr, 32); }
  get semopm(): u64 { return load<u64>(this.ptr, 40); }
  get semume(): u64 { return load<u64>(this.ptr, 48); }
  get semusz(): u64 { return load<u64>(this.ptr, 56); }
  get semvmx(): u64 { return load<u64>(this.ptr, 64); }
  get semaem(): u64 { return load<u64>(this.ptr, 72); }
}
