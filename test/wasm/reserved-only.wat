;; Test module: no memory.grow (so not rewritten), but it exports the name
;; the host reserves for a rewritten module's start function.
(module
  (memory (export "memory") 1)
  (func (export "wasi-sysv.start"))
  (func (export "_start")))
