/**
 * Throughput probe for bench-kernels' peakGflops: 12 independent f32x4 multiply-then-add chains
 * (two multiply and two add pipes, 3-cycle latency each: 12 chains keep them all busy; 16 spill
 * registers in V8 and measure less). FLOPs = iters * 12 chains * 8.
 */
export function f32_peak_muladd(iters: i32): f32 {
  const m = f32x4.splat(0.999);
  const b = f32x4.splat(0.001);
  let x0 = f32x4.splat(1.0);
  let x1 = f32x4.splat(1.1);
  let x2 = f32x4.splat(1.2);
  let x3 = f32x4.splat(1.3);
  let x4 = f32x4.splat(1.4);
  let x5 = f32x4.splat(1.5);
  let x6 = f32x4.splat(1.6);
  let x7 = f32x4.splat(1.7);
  let x8 = f32x4.splat(1.8);
  let x9 = f32x4.splat(1.9);
  let x10 = f32x4.splat(2.0);
  let x11 = f32x4.splat(2.1);
  for (let i = 0; i < iters; i++) {
    x0 = f32x4.add(f32x4.mul(x0, m), b);
    x1 = f32x4.add(f32x4.mul(x1, m), b);
    x2 = f32x4.add(f32x4.mul(x2, m), b);
    x3 = f32x4.add(f32x4.mul(x3, m), b);
    x4 = f32x4.add(f32x4.mul(x4, m), b);
    x5 = f32x4.add(f32x4.mul(x5, m), b);
    x6 = f32x4.add(f32x4.mul(x6, m), b);
    x7 = f32x4.add(f32x4.mul(x7, m), b);
    x8 = f32x4.add(f32x4.mul(x8, m), b);
    x9 = f32x4.add(f32x4.mul(x9, m), b);
    x10 = f32x4.add(f32x4.mul(x10, m), b);
    x11 = f32x4.add(f32x4.mul(x11, m), b);
  }
  let s = x0;
  s = f32x4.add(s, x1);
  s = f32x4.add(s, x2);
  s = f32x4.add(s, x3);
  s = f32x4.add(s, x4);
  s = f32x4.add(s, x5);
  s = f32x4.add(s, x6);
  s = f32x4.add(s, x7);
  s = f32x4.add(s, x8);
  s = f32x4.add(s, x9);
  s = f32x4.add(s, x10);
  s = f32x4.add(s, x11);
  return f32x4.extract_lane(s, 0);
}
