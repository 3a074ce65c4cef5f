// Small copy/fill helpers for the kernels. memory.copy is a runtime call in V8, too slow for the
// 3- to 64-float runs that im2col and concat move, so short runs are copied inline.

// @ts-ignore: decorator
@inline export function copyF32(dst: usize, src: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, v128.load(src + <usize>i * 4));
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, load<f32>(src + <usize>i * 4));
}

// @ts-ignore: decorator
@inline export function zeroF32(dst: usize, n: i32): void {
  const z = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + <usize>i * 4, z);
  for (; i < n; i++) store<f32>(dst + <usize>i * 4, 0);
}

/** Copies `pixels` runs of `c` floats from a pixel-strided source to a pixel-strided destination (strides in floats). */
export function f32_copy_strided(pixels: i32, c: i32, src: usize, lds: i32, dst: usize, ldd: i32): void {
  for (let p = 0; p < pixels; p++) {
    copyF32(dst + <usize>p * <usize>ldd * 4, src + <usize>p * <usize>lds * 4, c);
  }
}
