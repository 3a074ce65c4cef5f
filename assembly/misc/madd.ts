// acc + a * b for every GEMM and depthwise inner loop. In the relaxed-SIMD build
// (--enable relaxed-simd) this is f32x4.relaxed_madd: a fused multiply-add where the engine has
// one (V8 on x64 with FMA3), else mul + add; results may differ in the last bit between engines.
// The branch is on a compile-time constant, so each binary carries only one form.

// @ts-ignore: decorator
@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
