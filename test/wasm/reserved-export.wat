;; Test module: valid WebAssembly that the memory.grow rewrite must refuse,
;; since it already uses the export name the host reserves for a start
;; function. Loading it is one clear error line.
(module
  (memory (export "memory") 1)
  (func $init (drop (memory.grow (i32.const 1))))
  (start $init)
  (func (export "wasi-sysv.start"))
  (func (export "_start")))
