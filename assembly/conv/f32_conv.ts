import { f32_gemm } from '../gemm/gen/f32_gemm';
import { packedGemmFloats } from '../gemm/gen/config';
import { f32_im2col } from './f32_im2col';
import { copyF32 } from '../misc/copy';

/**
 * General k x k convolution (stride, padding, dilation, groups) as im2col + GEMM, blocked over
 * output pixels so the im2col buffer holds only `bufRows` rows of kh*kw*(cin/groups) floats.
 * x: NHWC input with pixel stride cx floats; packed: per group, f32_gemm_pack'ed HWIO weights
 * (cout/groups columns, K = kh*kw*cin/groups), groups laid out one after another.
 * out: pixel stride ldo floats (a channel slice of a wider tensor when ldo > cout).
 */
export function f32_conv_im2col(x: usize, n: i32, h: i32, w: i32, cx: i32, cin: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, cout: i32, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, buf: usize, bufRows: i32): void {
  const cg = cin / groups;
  const og = cout / groups;
  const k = kh * kw * cg;
  const groupStride = packedGemmFloats(k, og) * 4;
  const pixels = ho * wo;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * <usize>w * <usize>cx * 4;
    const ob = out + <usize>b * <usize>pixels * <usize>ldo * 4;
    for (let g = 0; g < groups; g++) {
      const xg = xb + <usize>(g * cg) * 4;
      const pg = packed + <usize>g * groupStride;
      for (let p0 = 0; p0 < pixels; p0 += bufRows) {
        const np = min(bufRows, pixels - p0);
        f32_im2col(xg, h, w, cx, cg, kh, kw, sh, sw, dh, dw, pt, pl, wo, p0, np, buf);
        f32_gemm(np, og, k, buf, <usize>k * 4, pg, ob + (<usize>p0 * <usize>ldo + <usize>(g * og)) * 4, <usize>ldo * 4, lo, hi, clamp);
      }
    }
  }
}

/**
 * 1x1 convolution, no padding, straight on the NHWC activation: at stride 1 the input already is
 * the GEMM's A (pixels x channels, row stride cx). At stride s the sampled pixels are gathered
 * into `buf` (n*ho*wo*cin floats, a quarter of the input at s = 2 — not an im2col: no taps) so
 * the whole layer is one GEMM that streams W once; with buf = 0 each output row is its own GEMM
 * with A rows s pixels apart (no copy, but W is re-streamed per row).
 */
export function f32_conv1x1(x: usize, n: i32, h: i32, w: i32, cx: i32, cin: i32, sh: i32, sw: i32, ho: i32, wo: i32,
  packed: usize, cout: i32, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, buf: usize): void {
  if (sh == 1 && sw == 1) {
    f32_gemm(n * h * w, cout, cin, x, <usize>cx * 4, packed, out, <usize>ldo * 4, lo, hi, clamp);
    return;
  }
  if (buf != 0) {
    let o = buf;
    for (let b = 0; b < n; b++) {
      for (let oy = 0; oy < ho; oy++) {
        let src = x + (<usize>(b * h + oy * sh) * <usize>w) * <usize>cx * 4;
        for (let ox = 0; ox < wo; ox++) {
          copyF32(o, src, cin);
          o += <usize>cin * 4;
          src += <usize>(sw * cx) * 4;
        }
      }
    }
    f32_gemm(n * ho * wo, cout, cin, buf, <usize>cin * 4, packed, out, <usize>ldo * 4, lo, hi, clamp);
    return;
  }
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const a = x + (<usize>(b * h + oy * sh) * <usize>w) * <usize>cx * 4;
      const c = out + (<usize>(b * ho + oy) * <usize>wo) * <usize>ldo * 4;
      f32_gemm(wo, cout, cin, a, <usize>(sw * cx) * 4, packed, c, <usize>ldo * 4, lo, hi, clamp);
    }
  }
}
