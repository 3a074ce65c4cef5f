import { f32_gemm } from '../gemm/gen/f32_gemm';
import { packedGemmFloats, GEMM_NR } from '../gemm/gen/config';
import { f32_im2col } from './f32_im2col';
import { copyF32 } from '../misc/copy';

/**
 * General k x k convolution (stride, padding, dilation, groups) as im2col + GEMM, blocked over
 * output pixels so the im2col buffer holds only `bufRows` rows of kh*kw*(cin/groups) floats.
 * x: NHWC input with pixel stride cx floats; packed: per group, f32_gemm_pack'ed HWIO weights
 * (cout/groups columns, K = kh*kw*cin/groups), groups laid out one after another.
 * out: pixel stride ldo floats (a channel slice of a wider tensor when ldo > cout).
 * A thread's share: output pixels [pBegin, pEnd) of each image and, of each group, output
 * columns [nBegin, nEnd) (nBegin a multiple of the panel width; 0, cout/groups for all of them).
 * bufRows may exceed one image's pixels: a share of all of them blocks the batch as one.
 * Every output value is computed the same way whichever share it falls in: the same bits.
 */
export function f32_conv_im2col(x: usize, n: i32, h: i32, w: i32, cx: i32, cin: i32, groups: i32,
  kh: i32, kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, cout: i32, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, buf: usize, bufRows: i32,
  pBegin: i32, pEnd: i32, nBegin: i32, nEnd: i32): void {
  const cg = cin / groups;
  const og = cout / groups;
  const k = kh * kw * cg;
  const groupStride = packedGemmFloats(k, og) * 4;
  const panelOffset = <usize>(nBegin / GEMM_NR) * <usize>(k + 1) * <usize>GEMM_NR * 4;
  const nc = min(nEnd, og) - nBegin;
  const pixels = min(pEnd, ho * wo);
  if (nc <= 0) return;
  const P = ho * wo;
  if (n > 1 && pBegin == 0 && pixels >= P) {
    // the whole batch in one share: blocks of rows run on across images, so that small maps
    // (7x7 = 49 rows an image) still fill a block and W is streamed once per block, not per image
    const total = n * P;
    const imgStride = <usize>h * <usize>w * <usize>cx * 4;
    for (let g = 0; g < groups; g++) {
      const pg = packed + <usize>g * groupStride + panelOffset;
      for (let q0 = 0; q0 < total; q0 += bufRows) {
        const nq = min(bufRows, total - q0);
        let q = q0;
        let o = buf;
        while (q < q0 + nq) {
          const b = q / P, p = q - b * P;
          const len = min(P - p, q0 + nq - q);
          f32_im2col(x + <usize>b * imgStride + <usize>(g * cg) * 4, h, w, cx, cg, kh, kw, sh, sw, dh, dw, pt, pl, wo, p, len, o);
          o += <usize>len * <usize>k * 4;
          q += len;
        }
        f32_gemm(nq, nc, k, buf, <usize>k * 4, pg, out + (<usize>q0 * <usize>ldo + <usize>(g * og + nBegin)) * 4, <usize>ldo * 4, lo, hi, clamp);
      }
    }
    return;
  }
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * <usize>w * <usize>cx * 4;
    const ob = out + <usize>b * <usize>(ho * wo) * <usize>ldo * 4;
    for (let g = 0; g < groups; g++) {
      const xg = xb + <usize>(g * cg) * 4;
      const pg = packed + <usize>g * groupStride + panelOffset;
      for (let p0 = pBegin; p0 < pixels; p0 += bufRows) {
        const np = min(bufRows, pixels - p0);
        f32_im2col(xg, h, w, cx, cg, kh, kw, sh, sw, dh, dw, pt, pl, wo, p0, np, buf);
        f32_gemm(np, nc, k, buf, <usize>k * 4, pg, ob + (<usize>p0 * <usize>ldo + <usize>(g * og + nBegin)) * 4, <usize>ldo * 4, lo, hi, clamp);
      }
    }
  }
}

/**
 * 1x1 convolution, no padding, straight on the NHWC activation: at stride 1 the input already is
 * the GEMM's A (pixels x channels, row stride cx). At stride s the sampled pixels are gathered
 * into `buf` (a quarter of the input at s = 2 — not an im2col: no taps) so the layer is one GEMM
 * that streams W once; with buf = 0 each output row is its own GEMM with A rows s pixels apart
 * (no copy, but W is re-streamed per row).
 * A thread's share: output pixels [pBegin, pEnd) counted over the whole batch (n*ho*wo) and output
 * columns [nBegin, nEnd) (nBegin a multiple of the panel width); buf then holds the share's
 * pixels only. Any split gives the same bits.
 */
export function f32_conv1x1(x: usize, n: i32, h: i32, w: i32, cx: i32, cin: i32, sh: i32, sw: i32, ho: i32, wo: i32,
  packed: usize, cout: i32, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, buf: usize,
  pBegin: i32, pEnd: i32, nBegin: i32, nEnd: i32): void {
  const pw = packed + <usize>(nBegin / GEMM_NR) * <usize>(cin + 1) * <usize>GEMM_NR * 4;
  const nc = min(nEnd, cout) - nBegin;
  const p1 = min(pEnd, n * ho * wo);
  if (nc <= 0 || p1 <= pBegin) return;
  const oc = out + <usize>nBegin * 4;
  if (sh == 1 && sw == 1) {
    f32_gemm(p1 - pBegin, nc, cin, x + <usize>pBegin * <usize>cx * 4, <usize>cx * 4, pw,
      oc + <usize>pBegin * <usize>ldo * 4, <usize>ldo * 4, lo, hi, clamp);
    return;
  }
  const hw = ho * wo;
  if (buf != 0) {
    let o = buf;
    for (let p = pBegin; p < p1; p++) {
      const b = p / hw, r = p - b * hw;
      const oy = r / wo, ox = r - oy * wo;
      copyF32(o, x + (<usize>(b * h + oy * sh) * <usize>w + <usize>(ox * sw)) * <usize>cx * 4, cin);
      o += <usize>cin * 4;
    }
    f32_gemm(p1 - pBegin, nc, cin, buf, <usize>cin * 4, pw, oc + <usize>pBegin * <usize>ldo * 4, <usize>ldo * 4, lo, hi, clamp);
    return;
  }
  // one GEMM per run of the share within an output row
  let p = pBegin;
  while (p < p1) {
    const b = p / hw, r = p - b * hw;
    const oy = r / wo, ox = r - oy * wo;
    const len = min(wo - ox, p1 - p);
    const a = x + (<usize>(b * h + oy * sh) * <usize>w + <usize>(ox * sw)) * <usize>cx * 4;
    f32_gemm(len, nc, cin, a, <usize>(sw * cx) * 4, pw, oc + <usize>p * <usize>ldo * 4, <usize>ldo * 4, lo, hi, clamp);
    p += len;
  }
}
