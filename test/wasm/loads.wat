;; Loads of every kind for the race-hunting rewrite (test/perturb-memory.test.ts):
;; $mix returns a sum over all twelve plain loads (some with a static offset,
;; one with a memory index written out), through a call and a call_indirect,
;; so that shifted function indices are exercised too.
(module
  (import "env" "twice" (func $twice (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10\00\00\c0\3f\00\00\00\00\00\00\02\40")
  (table 1 funcref)
  (elem (i32.const 0) $narrow)
  (type $t (func (param i32) (result i64)))
  (func $narrow (param $p i32) (result i64)
    (i64.add
      (i64.add (i64.load8_s (local.get $p)) (i64.load8_u offset=1 (local.get $p)))
      (i64.add
        (i64.add (i64.load16_s (local.get $p)) (i64.load16_u offset=2 (local.get $p)))
        (i64.add (i64.load32_s (local.get $p)) (i64.load32_u offset=4 (local.get $p))))))
  (func $mix (export "mix") (result f64)
    (f64.add
      (f64.add
        (f64.convert_i32_s
          (i32.add
            (i32.add (i32.load (i32.const 16)) (i32.load8_s offset=1 (i32.const 16)))
            (i32.add (i32.add (i32.load8_u (i32.const 17)) (i32.load16_s (i32.const 18)))
                     (call $twice (i32.load16_u 0 (i32.const 20))))))
        (f64.convert_i64_s
          (i64.add (i64.load (i32.const 32))
                   (call_indirect (type $t) (i32.const 24) (i32.const 0)))))
      (f64.add (f64.promote_f32 (f32.load (i32.const 32))) (f64.load (i32.const 36)))))
)
