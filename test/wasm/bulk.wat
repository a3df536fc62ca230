;; Test guest for the bulk memory instructions (issue 8: V8 runs them in C++,
;; where a write into a read-only window was a SIGSEGV of the whole host).
;; Its _start attaches a segment read-only, then does what the global $mode
;; says (the test sets its initial value): 0 copy, fill and init within the
;; guest's own memory, checked (exit 0, else 1); 1 copy into the window;
;; 2 fill into it; 3 init into it; 4 copy past the end of memory; 5 init of
;; a dropped segment; 6 copy of 0 bytes into the window (no trap, exit 0);
;; 7 copy from the window into the guest's memory (exit 0); 8 detach the
;; window, then copy into its pages (plain memory again: exit 0); 9 detach,
;; then copy past the end of memory (the instruction's own trap).
(module
  (import "sysv" "shmget" (func $shmget (param i32 i32 i32) (result i32)))
  (import "sysv" "shmat" (func $shmat (param i32 i32 i32) (result i32)))
  (import "sysv" "shmctl" (func $shmctl (param i32 i32 i32) (result i32)))
  (import "sysv" "shmdt" (func $shmdt (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 100)
  (data $seg "abcdefgh")
  (global $mode (mut i32) (i32.const MODE))
  (func $expect (param $at i32) (param $byte i32)
    (if (i32.ne (i32.load8_u (local.get $at)) (local.get $byte)) (then (call $exit (i32.const 1)))))
  (func (export "_start")
    (local $id i32) (local $ro i32)
    (local.set $id (call $shmget (i32.const 0) (i32.const 4096) (i32.const 0x380)))   ;; IPC_PRIVATE, IPC_CREAT|0600
    (local.set $ro (call $shmat (local.get $id) (i32.const 0) (i32.const 0x1000)))    ;; SHM_RDONLY
    (drop (call $shmctl (local.get $id) (i32.const 0) (i32.const 0)))                 ;; IPC_RMID
    (if (i32.le_s (local.get $ro) (i32.const 0)) (then (call $exit (i32.const 2))))
    (if (i32.eqz (global.get $mode)) (then
      (memory.init $seg (i32.const 1000) (i32.const 0) (i32.const 8))
      (memory.copy (i32.const 2000) (i32.const 1002) (i32.const 4))
      (memory.fill (i32.const 2002) (i32.const 0x17a) (i32.const 1))  ;; the low byte: 'z'
      (memory.copy (i32.const 1001) (i32.const 1000) (i32.const 4))   ;; overlapping, as memmove
      (call $expect (i32.const 1000) (i32.const 0x61))
      (call $expect (i32.const 1001) (i32.const 0x61))
      (call $expect (i32.const 1004) (i32.const 0x64))
      (call $expect (i32.const 1007) (i32.const 0x68))
      (call $expect (i32.const 2000) (i32.const 0x63))
      (call $expect (i32.const 2002) (i32.const 0x7a))
      (call $expect (i32.const 2003) (i32.const 0x66))
      (if (i32.ge_u (global.get $mode) (i32.const 8)) (then
      (if (call $shmdt (local.get $ro)) (then (call $exit (i32.const 3))))))
    (if (i32.eq (global.get $mode) (i32.const 8)) (then
      (memory.copy (local.get $ro) (i32.const 1000) (i32.const 16))
      (memory.fill (i32.add (local.get $ro) (i32.const 16)) (i32.const 0x61) (i32.const 16))
      (call $expect (i32.add (local.get $ro) (i32.const 31)) (i32.const 0x61))))
    (if (i32.eq (global.get $mode) (i32.const 9)) (then
      (memory.copy (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 8)) (i32.const 0) (i32.const 16))))
    (call $exit (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 1)) (then (memory.copy (local.get $ro) (i32.const 0) (i32.const 16))))
    (if (i32.eq (global.get $mode) (i32.const 2)) (then (memory.fill (local.get $ro) (i32.const 1) (i32.const 16))))
    (if (i32.eq (global.get $mode) (i32.const 3)) (then (memory.init $seg (local.get $ro) (i32.const 0) (i32.const 8))))
    (if (i32.eq (global.get $mode) (i32.const 4)) (then
      (memory.copy (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 8)) (i32.const 0) (i32.const 16))))
    (if (i32.eq (global.get $mode) (i32.const 5)) (then
      (data.drop $seg)
      (memory.init $seg (i32.const 1000) (i32.const 0) (i32.const 1))))
    (if (i32.eq (global.get $mode) (i32.const 6)) (then (memory.copy (local.get $ro) (i32.const 0) (i32.const 0))))
    (if (i32.eq (global.get $mode) (i32.const 7)) (then
      (memory.copy (i32.const 3000) (local.get $ro) (i32.const 16))
      (call $expect (i32.const 3000) (i32.const 0))))
    (if (i32.ge_u (global.get $mode) (i32.const 8)) (then
      (if (call $shmdt (local.get $ro)) (then (call $exit (i32.const 3))))))
    (if (i32.eq (global.get $mode) (i32.const 8)) (then
      (memory.copy (local.get $ro) (i32.const 1000) (i32.const 16))
      (memory.fill (i32.add (local.get $ro) (i32.const 16)) (i32.const 0x61) (i32.const 16))
      (call $expect (i32.add (local.get $ro) (i32.const 31)) (i32.const 0x61))))
    (if (i32.eq (global.get $mode) (i32.const 9)) (then
      (memory.copy (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 8)) (i32.const 0) (i32.const 16))))
    (call $exit (i32.const 0))))
