;; Test guest for the atomic writes (issue 8: V8 does not cover them with its
;; trap handler, so one into a read-only window was a SIGSEGV of the whole
;; host). Its _start attaches a segment read-only, then does what the global
;; $mode says (the test sets its initial value): 0 one atomic write of each
;; kind in the guest's own memory, results checked (exit 0, else 1); 1 store,
;; 2 rmw.add, 3 i64 cmpxchg, 4 i64 store8, each into the window; 5 an
;; unaligned store; 6 a store whose offset takes it past the end of memory;
;; 7 a store into the window through its offset; 8 detach the window, then
;; store into its pages (plain memory again: exit 0).
(module
  (import "sysv" "shmget" (func $shmget (param i32 i32 i32) (result i32)))
  (import "sysv" "shmat" (func $shmat (param i32 i32 i32) (result i32)))
  (import "sysv" "shmctl" (func $shmctl (param i32 i32 i32) (result i32)))
  (import "sysv" "shmdt" (func $shmdt (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 100)
  (global $mode (mut i32) (i32.const MODE))
  (func $check (param $ok i32) (if (i32.eqz (local.get $ok)) (then (call $exit (i32.const 1)))))
  (func (export "_start")
    (local $id i32) (local $ro i32)
    (local.set $id (call $shmget (i32.const 0) (i32.const 4096) (i32.const 0x380)))   ;; IPC_PRIVATE, IPC_CREAT|0600
    (local.set $ro (call $shmat (local.get $id) (i32.const 0) (i32.const 0x1000)))    ;; SHM_RDONLY
    (drop (call $shmctl (local.get $id) (i32.const 0) (i32.const 0)))                 ;; IPC_RMID
    (if (i32.le_s (local.get $ro) (i32.const 0)) (then (call $exit (i32.const 2))))
    (if (i32.eqz (global.get $mode)) (then
      (i32.atomic.store offset=8 (i32.const 100) (i32.const 5))
      (call $check (i32.eq (i32.atomic.rmw.add offset=8 (i32.const 100) (i32.const 3)) (i32.const 5)))
      (call $check (i32.eq (i32.load (i32.const 108)) (i32.const 8)))
      (call $check (i64.eqz (i64.atomic.rmw.cmpxchg (i32.const 200) (i64.const 0) (i64.const 77))))
      (call $check (i64.eq (i64.load (i32.const 200)) (i64.const 77)))
      (call $check (i64.eqz (i64.atomic.rmw8.xchg_u (i32.const 300) (i64.const 0x1ff))))
      (call $check (i32.eq (i32.load8_u (i32.const 300)) (i32.const 0xff)))
      (i64.atomic.store32 (i32.const 304) (i64.const 0x100000002))
      (call $check (i32.eq (i32.load (i32.const 304)) (i32.const 2)))
      (call $check (i32.eq (i32.atomic.rmw.cmpxchg (i32.const 304) (i32.const 9) (i32.const 1)) (i32.const 2)))
      (call $check (i32.eq (i32.load (i32.const 304)) (i32.const 2)))
      (call $exit (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (i32.atomic.store (local.get $ro) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then (drop (i32.atomic.rmw.add (local.get $ro) (i32.const 1)))))
    (if (i32.eq (global.get $mode) (i32.const 3)) (then
      (drop (i64.atomic.rmw.cmpxchg (i32.add (local.get $ro) (i32.const 8)) (i64.const 0) (i64.const 1)))))
    (if (i32.eq (global.get $mode) (i32.const 4)) (then (i64.atomic.store8 (i32.add (local.get $ro) (i32.const 7)) (i64.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 5)) (then (i32.atomic.store (i32.const 101) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 6)) (then
      (i32.atomic.store offset=8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 8)) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 7)) (then
      (i32.atomic.store offset=4096 (i32.sub (local.get $ro) (i32.const 4096)) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 8)) (then
      (if (call $shmdt (local.get $ro)) (then (call $exit (i32.const 3))))
      (i32.atomic.store (local.get $ro) (i32.const 7))
      (call $check (i32.eq (i32.load (local.get $ro)) (i32.const 7)))))
    (call $exit (i32.const 0))))
