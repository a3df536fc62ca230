;; Test module for the memory.grow rewrite: no memory.grow, so it must come
;; back unchanged.
(module
  (memory (export "memory") 1)
  (func $start)
  (start $start)
  (func (export "size") (result i32) (memory.size)))
