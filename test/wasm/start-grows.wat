;; Test guest: its start function grows memory, before the host could hold
;; the memory if it ran during instantiation; _start checks it ran once and
;; its growth worked (else it traps).
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1 10)
  (global $g (mut i32) (i32.const -5))
  (func $init (global.set $g (memory.grow (i32.const 2))))
  (start $init)
  (func (export "_start")
    (if (i32.ne (global.get $g) (i32.const 1)) (then unreachable))
    (if (i32.ne (memory.size) (i32.const 3)) (then unreachable))))
