import { gemmKC, gemmPB, copyCols } from './common';
import { f32_gemm_7x8 } from './f32_gemm_7x8';
import { f32_gemm_4x8 } from './f32_gemm_4x8';
import { f32_gemm_1x8 } from './f32_gemm_1x8';
import { madd } from '../misc/madd';

// Shipped GEMM: NR = 8 panels, 7x8 main tile (14 v128 accumulators). In the tile study
// (bench/tiles.mjs, BENCHMARKS.md) 6x8, 7x8 and 8x8 are within a few percent of each other and of
// the peak on V8/x64; 7 divides every spatial size of the zoo (7x7, 14x14 ... 112x112), so conv
// GEMMs have no M tail. 4x8 and 1x8 cover the tails that remain.
export const GEMM_NR: i32 = 8;
// Keep in step with GEMM_MR in src/ops/tuning.ts (the host cost model reads it; a test checks).
const MR: i32 = 7;
const SCRATCH: usize = memory.data(MR * 8 * 4, 16);

// @ts-ignore: decorator
@inline function micro(mr: i32, kc: i32, a: usize, lda: usize, bias: usize, w: usize, c: usize, ldc: usize, flags: i32, lo: f32, hi: f32): void {
  if (mr > 4) f32_gemm_7x8(mr, kc, a, lda, bias, w, c, ldc, flags, lo, hi);
  else if (mr > 1) f32_gemm_4x8(mr, kc, a, lda, bias, w, c, ldc, flags, lo, hi);
  else f32_gemm_1x8(mr, kc, a, lda, bias, w, c, ldc, flags, lo, hi);
}

/**
 * C[m x n] = clamp(A[m x k] * W + bias, lo, hi) with W packed by f32_gemm_pack(8, ...).
 * A rows are lda bytes apart, C rows ldc bytes apart (ldc > 4n writes a channel slice of a
 * wider tensor: that is how concat costs nothing). clamp = 0 skips the clamp.
 * Reads A[m x k], packed W; writes exactly the m x n block of C.
 */
export function f32_gemm(m: i32, n: i32, k: i32, a: usize, lda: usize, packed: usize, c: usize, ldc: usize, lo: f32, hi: f32, clamp: i32): void {
  const panelStride = <usize>(k + 1) * 32;
  const npanels = (n + 7) >> 3;
  const kcMax = gemmKC(k);
  const pb = gemmPB(kcMax, 8);
  for (let k0 = 0; k0 < k; k0 += kcMax) {
    const kc = min(kcMax, k - k0);
    const flags = (k0 > 0 ? 1 : 0) | (k0 + kc >= k && clamp != 0 ? 2 : 0);
    for (let p0 = 0; p0 < npanels; p0 += pb) {
      const p1 = min(npanels, p0 + pb);
      for (let m0 = 0; m0 < m; m0 += MR) {
        const mr = min(MR, m - m0);
        const arow = a + <usize>m0 * lda + <usize>k0 * 4;
        const crow = c + <usize>m0 * ldc;
        for (let p = p0; p < p1; p++) {
          const pw = packed + <usize>p * panelStride;
          const w = pw + 32 + <usize>k0 * 32;
          const n0 = p << 3;
          const nc = n - n0;
          const cs = crow + <usize>n0 * 4;
          if (nc >= 8) {
            micro(mr, kc, arow, lda, pw, w, cs, ldc, flags, lo, hi);
          } else {
            if (flags & 1) copyCols(mr, nc, cs, ldc, SCRATCH, 32);
            micro(mr, kc, arow, lda, pw, w, SCRATCH, 32, flags, lo, hi);
            copyCols(mr, nc, SCRATCH, 32, cs, ldc);
          }
        }
      }
    }
  }
}

/**
 * Batch-1 fully connected layer: y[n] = clamp(x[k] . W + bias) over the same packed panels.
 * Four k-phases with their own accumulators hide the add latency that a single 1x8 chain
 * would expose (the layer is bound by streaming W, so this keeps up with memory).
 */
export function f32_gemv(n: i32, k: i32, x: usize, packed: usize, y: usize, lo: f32, hi: f32, clamp: i32): void {
  const panelStride = <usize>(k + 1) * 32;
  const npanels = (n + 7) >> 3;
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  for (let p = 0; p < npanels; p++) {
    const pw = packed + <usize>p * panelStride;
    let w = pw + 32;
    let a0 = v128.load(pw, 0), a1 = v128.load(pw, 16);
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
    let d0 = f32x4.splat(0), d1 = f32x4.splat(0);
    let xp = x;
    let kk = k;
    while (kk >= 4) {
      const x0 = v128.load32_splat(xp, 0), x1 = v128.load32_splat(xp, 4);
      const x2 = v128.load32_splat(xp, 8), x3 = v128.load32_splat(xp, 12);
      a0 = madd(a0, x0, v128.load(w, 0));
      a1 = madd(a1, x0, v128.load(w, 16));
      b0 = madd(b0, x1, v128.load(w, 32));
      b1 = madd(b1, x1, v128.load(w, 48));
      c0 = madd(c0, x2, v128.load(w, 64));
      c1 = madd(c1, x2, v128.load(w, 80));
      d0 = madd(d0, x3, v128.load(w, 96));
      d1 = madd(d1, x3, v128.load(w, 112));
      xp += 16; w += 128; kk -= 4;
    }
    while (kk > 0) {
      const x0 = v128.load32_splat(xp);
      a0 = madd(a0, x0, v128.load(w, 0));
      a1 = madd(a1, x0, v128.load(w, 16));
      xp += 4; w += 32; kk--;
    }
    a0 = f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0));
    a1 = f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1));
    if (clamp) {
      a0 = f32x4.pmin(f32x4.pmax(a0, vlo), vhi);
      a1 = f32x4.pmin(f32x4.pmax(a1, vlo), vhi);
    }
    const n0 = p << 3;
    const yp = y + <usize>n0 * 4;
    if (n - n0 >= 8) {
      v128.store(yp, a0, 0);
      v128.store(yp, a1, 16);
    } else {
      v128.store(SCRATCH, a0, 0);
      v128.store(SCRATCH, a1, 16);
      memory.copy(yp, SCRATCH, <usize>(n - n0) * 4);
    }
  }
}
