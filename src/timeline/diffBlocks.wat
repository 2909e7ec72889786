;; The sampler's diff, first pass (src/timeline/samplePair.ts): which 64-byte blocks of two samples
;; differ, 16 bytes per SIMD compare, in one call (a ranged Buffer#compare per chunk costs ~0.1 us
;; of call overhead: scattered changes made that dominate). Assembled into samplePairWasm.ts by
;; `node scripts/assemble-wasm.mjs`; a unit test checks that the embedded bytes are this file's.
(module
  (import "env" "memory" (memory 1))
  ;; The indexes (i32) of the 64-byte blocks where [a, a+n) and [b, b+n) differ, written from out,
  ;; at most max of them. n is a multiple of 64. Returns how many were written.
  (func (export "blocks") (param $a i32) (param $b i32) (param $n i32) (param $out i32) (param $max i32) (result i32)
    (local $i i32) (local $k i32)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (v128.any_true
              (v128.or
                (v128.or
                  (v128.xor (v128.load (i32.add (local.get $a) (local.get $i))) (v128.load (i32.add (local.get $b) (local.get $i))))
                  (v128.xor (v128.load offset=16 (i32.add (local.get $a) (local.get $i))) (v128.load offset=16 (i32.add (local.get $b) (local.get $i)))))
                (v128.or
                  (v128.xor (v128.load offset=32 (i32.add (local.get $a) (local.get $i))) (v128.load offset=32 (i32.add (local.get $b) (local.get $i))))
                  (v128.xor (v128.load offset=48 (i32.add (local.get $a) (local.get $i))) (v128.load offset=48 (i32.add (local.get $b) (local.get $i)))))))
          (then
            (i32.store (i32.add (local.get $out) (i32.shl (local.get $k) (i32.const 2))) (i32.shr_u (local.get $i) (i32.const 6)))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $done (i32.ge_u (local.get $k) (local.get $max)))))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $next)))
    (local.get $k)))
