import { GEMM_NR } from './gen/config';
import { madd } from '../misc/madd';
import { scratch, GEMV_TAIL } from '../misc/scratch';

// One panel row is held in two v128 per k-phase (a0/a1 ... d0/d1 below), so this kernel is
// written for GEMM_NR = 8; another NR in scripts/gen-gemm.mjs needs another GEMV.
// @ts-ignore: ERROR is an AssemblyScript builtin
if (GEMM_NR != 8) ERROR('f32_gemv holds one panel in two v128: it needs GEMM_NR = 8');

const PANEL_BYTES: usize = GEMM_NR * 4;

/**
 * Batch-1 fully connected layer: y[n] = clamp(x[k] . W + bias) over the same packed panels.
 * Four k-phases with their own accumulators hide the add latency that a single 1x8 chain
 * would expose (the layer is bound by streaming W, so this keeps up with memory).
 */
export function f32_gemv(n: i32, k: i32, x: usize, packed: usize, y: usize, lo: f32, hi: f32, clamp: i32): void {
  const panelStride = <usize>(k + 1) * PANEL_BYTES;
  const npanels = <i32>(<u32>(n + GEMM_NR - 1) / <u32>GEMM_NR);
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  for (let p = 0; p < npanels; p++) {
    const pw = packed + <usize>p * panelStride;
    let w = pw + PANEL_BYTES;
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
      xp += 4; w += PANEL_BYTES; kk--;
    }
    a0 = f32x4.add(f32x4.add(a0, b0), f32x4.add(c0, d0));
    a1 = f32x4.add(f32x4.add(a1, b1), f32x4.add(c1, d1));
    if (clamp) {
      a0 = f32x4.pmin(f32x4.pmax(a0, vlo), vhi);
      a1 = f32x4.pmin(f32x4.pmax(a1, vlo), vhi);
    }
    const n0 = p * GEMM_NR;
    const yp = y + <usize>n0 * 4;
    if (n - n0 >= GEMM_NR) {
      v128.store(yp, a0, 0);
      v128.store(yp, a1, 16);
    } else {
      const tail = scratch + GEMV_TAIL;
      v128.store(tail, a0, 0);
      v128.store(tail, a1, 16);
      memory.copy(yp, tail, <usize>(n - n0) * 4);
    }
  }
}
