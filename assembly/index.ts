// wasi-sysv: System V shared memory and semaphores for AssemblyScript guests.
// Layers, lowest first: raw imports (abi.md), C-style wrappers with errno,
// structure views, and the friendly Segment / Window / SemaphoreSet classes;
// beside them, child guests (proc.ts: spawn, wait, getpid).

export * from "./sysv/constants";
export * from "./sysv/imports";
export * from "./sysv/errno";
export * from "./sysv/libc";
export * from "./sysv/structs";
export * from "./sysv/shm";
export * from "./sysv/sem";
export * from "./sysv/time";
export * from "./sysv/proc";
