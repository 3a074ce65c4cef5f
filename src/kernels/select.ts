// Kernel choice, once: which kernel path runs a layer and how its work is blocked, as pure
// functions of shapes. The ops run layers with these numbers, the lowering records the path in
// its steps, and the host cost model predicts from the same numbers, so the three cannot drift.
// No imports but the generated GEMM table: this is the bottom layer.

import { GEMM_MR, packedGemmFloats } from './gemm-config.js';

/** Dense / grouped convolution paths. */
export type ConvPath = 'conv1x1' | 'im2col' | 'winograd2' | 'winograd4' | 'winograd1d';
/** Depthwise paths: register-blocked 3x3 at stride 1 or 2, or the generic kernel. */
export type DwPath = 'dw3x3s1' | 'dw3x3s2' | 'dwgeneric';
/** Every kernel path a lowered step can take (the runtime builds one op per kind). */
export type StepKind =
  | ConvPath | DwPath | 'gemv' | 'gemm' | 'scale_shift' | 'clamp' | 'add' | 'add_relu'
  | 'maxpool' | 'avgpool' | 'global_avgpool' | 'global_maxpool' | 'lrn' | 'softmax' | 'sigmoid' | 'channel_mul' | 'channel_mul_add' | 'leaky_relu' | 'scale' | 'channel_shuffle' | 'channel_slice'
  | 'concat_copy' | 'concat_inplace';

/** Winograd setting of a network or layer: by shape, off, or a forced tile. */
export type WinogradMode = 'auto' | 'off' | 2 | 4;

/** The shape facts of a convolution that decide its path. */
export interface ConvGeometry {
  inChannels: number;
  outChannels: number;
  kernel: readonly [number, number];
  stride: readonly [number, number];
  pad: readonly [number, number, number, number];
  dilation: readonly [number, number];
  groups: number;
}

/**
 * True when a conv runs on the depthwise kernels: one input and one output channel per group
 * (multiplier 1). A conv with groups = channels and a multiplier > 1 is a grouped conv.
 */
export function isDepthwise(c: ConvGeometry): boolean {
  return c.groups > 1 && c.groups === c.inChannels && c.outChannels === c.inChannels;
}

/** The depthwise kernel for a layer. */
export function dwPath(c: Pick<ConvGeometry, 'kernel' | 'stride' | 'dilation'>): DwPath {
  const plain3 = c.kernel[0] === 3 && c.kernel[1] === 3 && c.dilation[0] === 1 && c.dilation[1] === 1;
  if (plain3 && c.stride[0] === 1 && c.stride[1] === 1) return 'dw3x3s1';
  if (plain3 && c.stride[0] === 2 && c.stride[1] === 2) return 'dw3x3s2';
  return 'dwgeneric';
}

/** True for layers Winograd F(m x m, 3x3) can run: 3x3, stride 1, no dilation, dense. */
export function winogradEligible(c: ConvGeometry): boolean {
  return c.kernel[0] === 3 && c.kernel[1] === 3 && c.stride[0] === 1 && c.stride[1] === 1 &&
    c.dilation[0] === 1 && c.dilation[1] === 1 && c.groups === 1;
}

/** Output tile of the 1-D Winograd path: F(4, 7), 2.8x fewer multiplies than direct. */
export const WINOGRAD1D_M = 4;

/**
 * The axis 1-D Winograd runs along for a layer (0: a 1 x 7 kernel, along W; 1: 7 x 1, along H),
 * or -1 when it cannot run it (it needs stride 1, no dilation, dense, and a 7-tap kernel).
 */
export function winograd1dAxis(c: ConvGeometry): -1 | 0 | 1 {
  if (c.stride[0] !== 1 || c.stride[1] !== 1 || c.dilation[0] !== 1 || c.dilation[1] !== 1 || c.groups !== 1) return -1;
  if (c.kernel[0] === 1 && c.kernel[1] === 7) return 0;
  if (c.kernel[0] === 7 && c.kernel[1] === 1) return 1;
  return -1;
}

/** True for layers 1-D Winograd can run (winograd1dAxis >= 0). */
export function winograd1dEligible(c: ConvGeometry): boolean {
  return winograd1dAxis(c) >= 0;
}

/**
 * The path of a dense or grouped conv: 1x1 unpadded ungrouped layers are a GEMM straight on the
 * activation (a strided one gathers its pixels first); Winograd for eligible 3x3 layers where it
 * pays (`outSize` [Ho, Wo] known, or a forced tile); im2col + GEMM for the rest.
 */
export function convPath(c: ConvGeometry, outSize: readonly [number, number] | undefined, winograd: WinogradMode = 'auto'): ConvPath {
  if (c.kernel[0] === 1 && c.kernel[1] === 1 && c.groups === 1 && c.pad.every((p) => p === 0)) return 'conv1x1';
  if (winograd !== 'off' && winogradEligible(c)) {
    const m = winograd !== 'auto' ? winograd : outSize ? winogradTile(c.inChannels, c.outChannels, outSize[0], outSize[1]) : 0;
    if (m === 2) return 'winograd2';
    if (m === 4) return 'winograd4';
  }
  // 1 x 7 / 7 x 1 (Inception's factorised layers): with channels enough for the transforms to pay
  if (winograd !== 'off' && winograd1dEligible(c) && outSize && c.inChannels >= 16 && c.outChannels >= 16 &&
    outSize[1 - winograd1dAxis(c)]! >= WINOGRAD1D_M) return 'winograd1d';
  return 'im2col';
}

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

/** Output tiles per Winograd band for F(m x m, 3x3) with c input and k output channels, `tiles` in the batch (bands run on across images). */
export function winogradBand(m: number, c: number, k: number, tiles: number): number {
  return winogradBandOf((m + 2) * (m + 2), c, k, tiles);
}

/** Output tiles per band of a Winograd layer with `points` transformed matrices. */
export function winogradBandOf(points: number, c: number, k: number, tiles: number): number {
  const c4 = Math.ceil(c / 4) * 4, k4 = Math.ceil(k / 4) * 4;
  return Math.min(tiles, Math.max(32, Math.floor(WINO_FLOATS / (points * (c4 + k4)))));
}

/** 1-D Winograd tiles of an n x ho x wo output along `axis` (per image: rows x tiles along W, or tiles along H x columns). */
export function winograd1dTiles(axis: 0 | 1, ho: number, wo: number): number {
  return axis === 0 ? ho * Math.ceil(wo / WINOGRAD1D_M) : Math.ceil(ho / WINOGRAD1D_M) * wo;
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

// How a step's work is shared between kernel threads. The split depends only on shapes and the
// thread count (never on timing), and each kernel computes every output the same way in any share,
// so T threads give the same bits as one.

/** Below this many output floats an elementwise step stays on the calling thread: waking the others costs more. */
export const SPLIT_MIN_FLOATS = 32768;

/**
 * A GEMM-shaped step (M rows of A, N output columns) split by rows ('m': each thread streams all
 * of W over its rows) or by panels of columns ('n': each thread streams its part of W over all of
 * A): by columns when W outweighs A and there are panels enough for every thread (the 1x1 layers
 * on 14x14 and 7x7 maps), else by rows.
 */
export function gemmSplit(m: number, n: number, threads: number, mr: number, nr: number): 'm' | 'n' {
  const rowTiles = Math.ceil(m / mr), panels = Math.ceil(n / nr);
  if (n > m && panels >= 2 * threads) return 'n';
  return rowTiles >= threads || panels < threads ? 'm' : 'n';
}

/**
 * [0, total) in `parts` contiguous ranges as even as whole units of `quantum` allow (the last may
 * end on a partial unit); parts past the work get empty ranges.
 */
export function shares(total: number, parts: number, quantum = 1): [number, number][] {
  const units = Math.ceil(total / quantum);
  const out: [number, number][] = [];
  let u = 0;
  for (let t = 0; t < parts; t++) {
    const n = Math.floor(units / parts) + (t < units % parts ? 1 : 0);
    const lo = Math.min(total, u * quantum), hi = Math.min(total, (u + n) * quantum);
    out.push([lo, hi]);
    u += n;
  }
  return out;
}

// --- memory of each kernel path: what a layer keeps (packed weights), uploads once (transient)
// and borrows per call (workspace), in floats. The ops allocate these; the planner sizes an engine
// from them, and the cost model predicts memory from the same numbers.

/** Rounds a float count up to whole 16-float blocks (the engine's allocation granule). */
const blocks = (f: number) => Math.ceil(Math.max(f, 16) / 16) * 16;

/** True for the paths that multiply Winograd-transformed weights, which keep no plain GEMM packing. */
export function isWinogradPath(path: ConvPath): boolean {
  return path === 'winograd2' || path === 'winograd4' || path === 'winograd1d';
}

/** Packed weights kept by a dense / grouped convolution on `path`, and its upload buffers (at most). */
export function convMemoryFloats(inChannels: number, outChannels: number, kernel: readonly [number, number], groups: number, path: ConvPath): { kept: number; transient: number } {
  const cg = inChannels / groups, og = outChannels / groups, k = kernel[0] * kernel[1] * cg;
  // the Winograd paths keep only their transformed weights (below)
  let kept = isWinogradPath(path) ? 0 : blocks(packedGemmFloats(k, og) * groups);
  // the raw weights, the bias, and (a folded batch norm) the scale and its zero shift
  let transient = blocks(k * outChannels) + 3 * blocks(outChannels);
  if (path === 'winograd2' || path === 'winograd4') {
    const a = path === 'winograd2' ? 4 : 6;
    kept += blocks(packedGemmFloats(inChannels, outChannels) * a * a) + blocks(Math.ceil(outChannels / 4) * 4);
    // besides the raw upload, which the filter transform reads: one row of alpha matrices staged
    transient += blocks(a * inChannels * outChannels);
  }
  if (path === 'winograd1d') {
    const n = WINOGRAD1D_M + Math.max(kernel[0], kernel[1]) - 1;
    // U (n packed C x K matrices), the padded bias, B^T and A^T
    kept += blocks(packedGemmFloats(inChannels, outChannels) * n) + blocks(Math.ceil(outChannels / 4) * 4) + blocks(n * n + WINOGRAD1D_M * n);
    // besides the raw upload: one staged C x K matrix and G in f64
    transient += blocks(inChannels * outChannels) + blocks(2 * n * Math.max(kernel[0], kernel[1]));
  }
  return { kept, transient };
}

/** Workspace of one call of a dense / grouped convolution on `path` with an n x ho x wo output. */
export function convWorkspaceFloats(g: { inChannels: number; outChannels: number; kernel: readonly [number, number]; stride: readonly [number, number]; groups: number },
  path: ConvPath, n: number, ho: number, wo: number): number {
  if (path === 'winograd2' || path === 'winograd4') {
    const m = path === 'winograd2' ? 2 : 4, a = m + 2;
    const nt = winogradBand(m, g.inChannels, g.outChannels, n * Math.ceil(ho / m) * Math.ceil(wo / m));
    const c4 = Math.ceil(g.inChannels / 4) * 4, k4 = Math.ceil(g.outChannels / 4) * 4;
    return a * a * nt * (c4 + k4);
  }
  if (path === 'winograd1d') {
    const axis = g.kernel[1] === 1 ? 1 : 0, pts = WINOGRAD1D_M + Math.max(g.kernel[0], g.kernel[1]) - 1;
    const nt = winogradBandOf(pts, g.inChannels, g.outChannels, n * winograd1dTiles(axis, ho, wo));
    const c4 = Math.ceil(g.inChannels / 4) * 4, k4 = Math.ceil(g.outChannels / 4) * 4;
    return pts * nt * (c4 + k4);
  }
  if (path === 'conv1x1') {
    if (g.stride[0] === 1 && g.stride[1] === 1) return 0;
    return n * ho * wo * g.inChannels;
  }
  const k = g.kernel[0] * g.kernel[1] * (g.inChannels / g.groups);
  return im2colRows(k, n * ho * wo) * k;
}

/** Taps and bias a depthwise convolution keeps, channels padded to 4. */
export function dwMemoryFloats(channels: number, kernel: readonly [number, number]): number {
  return blocks((kernel[0] * kernel[1] + 1) * Math.ceil(channels / 4) * 4);
}

/** Packed weights a fully connected layer keeps, and its upload buffer. */
export function fcMemoryFloats(inFeatures: number, outFeatures: number): { kept: number; transient: number } {
  return { kept: blocks(packedGemmFloats(inFeatures, outFeatures)), transient: blocks(inFeatures * outFeatures) + blocks(outFeatures) };
}
