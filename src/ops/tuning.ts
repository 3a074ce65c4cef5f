// The kernels' blocking and algorithm choices in one table: the ops use them to run layers and the
// host cost model (src/cost/predict.ts) uses the same numbers to predict them, so the two cannot drift.

import { GEMM_MR } from '../kernels/gemm-config.js';

/** Rows of the GEMM's main register tile (src/kernels/gemm-config.ts, generated with the kernels). */
export { GEMM_MR };

/** im2col block: about 256 KiB of buffer, so it stays in L2 next to the weights. */
export const IM2COL_FLOATS = 65536;

/** Winograd band: V + M of a band of output tiles around 8 MiB (L3), enough tiles to amortise U. */
export const WINO_FLOATS = 2 * 1024 * 1024;

/**
 * im2col rows per block for a GEMM depth k over `pixels` output pixels: a multiple of the tile
 * (GEMM_MR), about IM2COL_FLOATS of buffer, but never fewer than 18 tiles (126 rows): each block
 * streams all of W once, and a deep layer (ResNet-50 layer4.0.conv2, K = 4608, W = 9.4 MB) with
 * 8-row blocks spent more time streaming W than multiplying.
 */
export function im2colRows(k: number, pixels: number): number {
  const rows = Math.max(18 * GEMM_MR, Math.min(1022, Math.floor(IM2COL_FLOATS / k / GEMM_MR) * GEMM_MR));
  return Math.min(rows, pixels);
}

/** Output tiles per Winograd band for F(m x m, 3x3) with c input and k output channels. */
export function winogradBand(m: number, c: number, k: number, tiles: number): number {
  const a = m + 2, c4 = Math.ceil(c / 4) * 4, k4 = Math.ceil(k / 4) * 4;
  return Math.min(tiles, Math.max(32, Math.floor(WINO_FLOATS / (a * a * (c4 + k4)))));
}

/**
 * Winograd tile for a 3x3 stride-1 dense layer, or 0 for none. F(4x4) does 4x fewer multiplies
 * than direct but its transforms cost O(C + K) per tile, so it needs enough channels to pay off;
 * 7x7 maps (ResNet/VGG's last stage) still win with F(4x4) despite the padded tiles; F(2x2) below
 * that. Measured on this package's kernels (bench/winograd.mjs, BENCHMARKS.md).
 */
export function winogradTile(c: number, k: number, ho: number, wo: number): 0 | 2 | 4 {
  if (c < 16 || k < 16) return 0;
  if (Math.min(ho, wo) >= 4) return 4;
  return Math.min(ho, wo) >= 2 ? 2 : 0;
}
