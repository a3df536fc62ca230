// The raw `sysv` imports, exactly as docs/abi.md declares them: every
// parameter and result is an i32; pointers are guest offsets; a result in
// [-4095, -1] is a negated Linux errno. Prefer the wrappers in libc.ts: in
// particular sys_shmat skips the allocator set-up that shmat guarantees.

// @ts-ignore: decorator
@external("sysv", "shmget")
export declare function sys_shmget(key: i32, size: i32, shmflg: i32): i32;

// @ts-ignore: decorator
@external("sysv", "shmat")
export declare function sys_shmat(shmid: i32, shmaddr: i32, shmflg: i32): i32;

// @ts-ignore: decorator
@external("sysv", "shmdt")
export declare function sys_shmdt(shmaddr: i32): i32;

// @ts-ignore: decorator
@external("sysv", "shmctl")
export declare function sys_shmctl(shmid: i32, cmd: i32, buf: i32): i32;

// @ts-ignore: decorator
@external("sysv", "semget")
export declare function sys_semget(key: i32, nsems: i32, semflg: i32): i32;

// @ts-ignore: decorator
@external("sysv", "semop")
export declare function sys_semop(semid: i32, sops: i32, nsops: i32): i32;

// @ts-ignore: decorator
@external("sysv", "semtimedop")
export declare function sys_semtimedop(semid: i32, sops: i32, nsops: i32, timeout: i32): i32;

// @ts-ignore: decorator
@external("sysv", "semctl")
export declare function sys_semctl(semid: i32, semnum: i32, cmd: i32, arg: i32): i32;
