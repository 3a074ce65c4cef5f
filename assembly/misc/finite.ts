// Finite-value check over a float buffer: the input check of every run. In JS the same scan is
// a loop of Number.isFinite calls (0.27 ms on a 224x224x3 image, about 1% of a MobileNet run);
// here it is a vector compare on the exponent bits.

/**
 * Index of the first NaN or +-Infinity among `n` floats at `p`, or -1 when all are finite.
 * A float is not finite exactly when its exponent bits are all ones.
 */
export function f32_find_nonfinite(p: usize, n: i32): i32 {
  const mask = i32x4.splat(0x7f800000);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const q = p + <usize>i * 4;
    const a = i32x4.eq(v128.and(v128.load(q), mask), mask);
    const b = i32x4.eq(v128.and(v128.load(q, 16), mask), mask);
    const c = i32x4.eq(v128.and(v128.load(q, 32), mask), mask);
    const d = i32x4.eq(v128.and(v128.load(q, 48), mask), mask);
    if (v128.any_true(v128.or(v128.or(a, b), v128.or(c, d)))) break;
  }
  for (; i < n; i++) {
    if ((load<u32>(p + <usize>i * 4) & 0x7f800000) == 0x7f800000) return i;
  }
  return -1;
}
