import type { Engine } from '../wasm/engine.js';
import { GEMM_MR, GEMM_NR, packedGemmFloats } from '../kernels/gemm-config.js';
import {
  convMemoryFloats, convPath, convWorkspaceFloats, gemmSplit, im2colRows, isWinogradPath, shares, winograd1dAxis, winograd1dEligible, winograd1dTiles,
  winogradBand, winogradBandOf, winogradEligible, WINOGRAD1D_M, type ConvPath, type WinogradMode,
} from '../kernels/select.js';
import { winograd1dTransforms } from '../kernels/winograd1d.js';
import {
  actRange, checkSpan, f32array, int, knownKeys, optBias, outSize, pad4, pair, pixelSpan, runCall, shape4, strides, threadCount,
  type Activation, type Pad4, type Pair, type Strides, type Tensor, type ThreadCalls,
} from './util.js';

export interface Conv2dParams {
  inChannels: number;
  outChannels: number;
  kernel: number | Pair;
  stride?: number | Pair;
  /** p, [ph, pw] or [top, left, bottom, right] */
  pad?: number | Pair | Pad4;
  dilation?: number | Pair;
  groups?: number;
  act?: Activation;
  /** Input [H, W], for choosing the algorithm by shape (see Conv2d). */
  inputSize?: number | Pair;
  /** 'auto' (default: by shape when inputSize is given), 'off', or a forced tile 2 / 4. */
  winograd?: WinogradMode;
  /**
   * The kernel path, as the lowering chose it (kernels/select.ts `convPath`); default: chosen
   * here by the same function from inputSize and winograd. Must suit the layer.
   */
  path?: ConvPath;
  /**
   * Per output channel, a factor the weights are multiplied by before packing (a folded batch
   * norm's gamma / sqrt(variance + eps)), in wasm, with the same float32 product a JS loop gives;
   * the bias is taken as given.
   */
  scale?: Float32Array;
}

export type { ConvPath };

/** The bias (or zeros) padded to whole vectors of 4, as the Winograd output transforms read it. */
function paddedBias(channels: number, bias: Float32Array | null): Float32Array {
  const b = new Float32Array(Math.ceil(channels / 4) * 4);
  if (bias) b.set(bias);
  return b;
}

const CONV_KEYS = ['inChannels', 'outChannels', 'kernel', 'stride', 'pad', 'dilation', 'groups', 'act', 'inputSize', 'winograd', 'path', 'scale'] as const;

/**
 * Dense or grouped 2-D convolution, NHWC. Weights HWIO = [kh][kw][inChannels/groups][outChannels]
 * are packed once per group. 1x1 unpadded, ungrouped layers run as a GEMM straight on the
 * activation; everything else as blocked im2col + GEMM.
 */
export class Conv2d {
  readonly inChannels: number;
  readonly outChannels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pad: Pad4;
  readonly dilation: Pair;
  readonly groups: number;
  readonly act: Activation;
  /** Algorithm: 'conv1x1' (direct GEMM), 'im2col' (+ GEMM), 'winograd2' / 'winograd4', 'winograd1d' (1 x 7 / 7 x 1). */
  readonly path: ConvPath;
  private engine: Engine;
  private packed: number;
  private disposed = false;

  private wino: { m: number; U: number; uFloats: number; bias: number } | null = null;
  /** 1-D Winograd F(m, r) along axis (0: W, 1: H): U, the padded bias, B^T then A^T as f32. */
  private wino1: { axis: 0 | 1; m: number; r: number; U: number; uFloats: number; bias: number; transforms: number } | null = null;
  /** Winograd allowed ('auto': by shape at first use) or forced off. */
  readonly winograd: 'auto' | 'off' | 2 | 4;

  /**
   * `inputSize` [H, W] lets the layer pick its algorithm by shape (Winograd for 3x3 stride-1 layers
   * big enough to profit); without it 3x3 layers use im2col. `winograd` forces a tile or 'off'.
   */
  constructor(engine: Engine, p: Conv2dParams, weight: Float32Array, bias: Float32Array | null = null) {
    if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
    knownKeys('Conv2d', p, CONV_KEYS);
    this.inChannels = int('inChannels', p.inChannels);
    this.outChannels = int('outChannels', p.outChannels);
    this.kernel = pair('kernel', p.kernel);
    this.stride = pair('stride', p.stride, 1, 1);
    this.pad = pad4('pad', p.pad);
    this.dilation = pair('dilation', p.dilation, 1, 1);
    this.groups = int('groups', p.groups ?? 1);
    this.act = p.act ?? 'none';
    actRange(this.act);
    const g = this.groups;
    if (this.inChannels % g) throw new RangeError(`groups (${g}) must divide inChannels (${this.inChannels})`);
    if (this.outChannels % g) throw new RangeError(`groups (${g}) must divide outChannels (${this.outChannels})`);
    const [kh, kw] = this.kernel;
    const cg = this.inChannels / g, og = this.outChannels / g;
    const k = kh * kw * cg;
    f32array('weight', weight, k * this.outChannels);
    optBias('bias', bias, this.outChannels);
    const scale = p.scale === undefined ? null : f32array('scale', p.scale, this.outChannels);
    if (scale) for (let i = 0; i < scale.length; i++) if (!Number.isFinite(scale[i])) throw new RangeError(`scale[${i}] must be finite, got ${scale[i]}`);
    this.winograd = p.winograd ?? 'auto';
    if (!['auto', 'off', 2, 4].includes(this.winograd)) throw new TypeError(`winograd must be 'auto', 'off', 2 or 4, got ${JSON.stringify(p.winograd)}`);
    // Everything that can throw on bad input, the path choice included, runs before the first
    // allocation; after it, a failure (memory that cannot grow) frees what was taken.
    const size = p.inputSize === undefined ? undefined : pair('inputSize', p.inputSize);
    const outHW: [number, number] | undefined = size === undefined ? undefined : [
      outSize('conv2d inputSize (height)', size[0], kh, this.stride[0], this.pad[0], this.pad[2], this.dilation[0]),
      outSize('conv2d inputSize (width)', size[1], kw, this.stride[1], this.pad[1], this.pad[3], this.dilation[1]),
    ];
    const chosen = convPath(this, outHW, this.winograd);
    if (p.path !== undefined && p.path !== chosen) {
      const ok = p.path === 'im2col' || (p.path === 'conv1x1' && chosen === 'conv1x1') ||
        ((p.path === 'winograd2' || p.path === 'winograd4') && winogradEligible(this)) ||
        (p.path === 'winograd1d' && winograd1dEligible(this));
      if (!ok) throw new RangeError(`path ${JSON.stringify(p.path)} cannot run this layer (${kh}x${kw}, stride ${this.stride.join('x')}, groups ${g}); it takes ${chosen}`);
    }
    this.path = p.path ?? chosen;
    const m = this.path === 'winograd2' ? 2 : this.path === 'winograd4' ? 4 : 0;
    this.engine = engine;
    this.packed = 0;
    // The Winograd paths multiply transformed weights only: the plain GEMM packing would be
    // memory and compile time spent on a copy no call reads.
    const winoPath = isWinogradPath(this.path);
    try {
      const per = packedGemmFloats(k, og);
      if (!winoPath) this.packed = engine.alloc(per * g);
      let wp = 0, bp = 0, sp = 0, zp = 0;
      try {
        // every path reads the (scaled) weights in wasm: packing or the Winograd filter transform
        wp = engine.uploadTransient(weight);
        // checked on this copy rather than before it: one pass over the weights fewer
        const bad = engine.k.f32_find_nonfinite(wp, weight.length) as number;
        if (bad >= 0) throw new RangeError(`weight[${bad}] is ${weight[bad]}; weights must be finite`);
        bp = bias && !winoPath ? engine.uploadTransient(bias) : 0;
        sp = scale ? engine.uploadTransient(scale) : 0;
        if (scale && winoPath) {
          // HWIO rows of cout: the output channel is the fastest axis, as scale_shift's channels
          zp = engine.uploadTransient(new Float32Array(this.outChannels));
          engine.k.f32_scale_shift(weight.length / this.outChannels, this.outChannels, wp, this.outChannels, sp, zp, wp, this.outChannels, -Infinity, Infinity);
        }
        if (!winoPath) {
          // the GEMM paths scale while packing
          for (let i = 0; i < g; i++) {
            engine.k.f32_gemm_pack(GEMM_NR, og, k, wp + i * og * 4, this.outChannels, bp ? bp + i * og * 4 : 0, this.packed + i * per * 4, sp ? sp + i * og * 4 : 0);
          }
        }
        if (m) this.prepareWinograd(m, wp, bias);
        if (this.path === 'winograd1d') this.prepareWinograd1d(wp, bias);
      } finally {
        if (zp) engine.release(zp);
        if (sp) engine.release(sp);
        if (bp) engine.release(bp);
        if (wp) engine.release(wp);
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /**
   * Floats a layer of this geometry keeps in wasm memory (packed weights, Winograd's transformed
   * ones) and takes for a moment while packing (the raw upload, Winograd's staging matrix), each
   * counted in whole 64-byte blocks: what a threaded engine must reserve for it.
   */
  static memoryFloats(inChannels: number, outChannels: number, kernel: Pair, groups: number, path: ConvPath): { kept: number; transient: number } {
    return convMemoryFloats(inChannels, outChannels, kernel, groups, path);
  }

  /** Output shape for an NHWC input shape; throws RangeError when the input does not fit. */
  outShape(inShape: number[]): [number, number, number, number] {
    const [n, h, w, c] = shape4('inShape', inShape);
    if (c !== this.inChannels) throw new RangeError(`inShape[3] must be ${this.inChannels} channels, got ${c}`);
    const ho = outSize('conv2d (height)', h, this.kernel[0], this.stride[0], this.pad[0], this.pad[2], this.dilation[0]);
    const wo = outSize('conv2d (width)', w, this.kernel[1], this.stride[1], this.pad[1], this.pad[3], this.dilation[1]);
    return [n, ho, wo, this.outChannels];
  }

  /** True for layers Winograd can run: 3x3, stride 1, no dilation, dense. */
  get winogradEligible(): boolean {
    return winogradEligible(this) && this.winograd !== 'off';
  }

  /** U = G g G^T of the 3x3 HWIO weights at `wp` (in wasm), alpha^2 packed C x K matrices. */
  private prepareWinograd(m: 2 | 4, wp: number, bias: Float32Array | null): void {
    const e = this.engine, c = this.inChannels, k = this.outChannels, a = m + 2;
    const per = packedGemmFloats(c, k);
    const b = paddedBias(k, bias);
    let U = 0, tmp = 0;
    try {
      U = e.alloc(per * a * a);
      // one row of alpha matrices at a time, interleaved [ci][j][co]: alpha x C x K floats staged
      tmp = e.allocTransient(a * c * k);
      for (let i = 0; i < a; i++) {
        e.k.f32_winograd_filter(m, c, k, wp, i, tmp);
        for (let j = 0; j < a; j++) e.k.f32_gemm_pack(GEMM_NR, k, c, tmp + j * k * 4, a * k, 0, U + (i * a + j) * per * 4, 0);
      }
      this.wino = { m, U, uFloats: per, bias: e.upload(b) };
    } catch (err) {
      if (U) e.release(U);
      throw err;
    } finally {
      if (tmp) e.release(tmp);
    }
  }

  /** U[xi] = sum over taps t of G[xi][t] W[t] of the 1 x 7 / 7 x 1 HWIO weights at `wp` (in wasm). */
  private prepareWinograd1d(wp: number, bias: Float32Array | null): void {
    const e = this.engine, c = this.inChannels, k = this.outChannels;
    const axis = winograd1dAxis(this) as 0 | 1, r = 7;
    const { n, G, BT, AT } = winograd1dTransforms(WINOGRAD1D_M, r);
    const per = packedGemmFloats(c, k);
    const b = paddedBias(k, bias);
    const tr = new Float32Array(n * n + WINOGRAD1D_M * n);
    tr.set(BT, 0);
    tr.set(AT, n * n);
    let U = 0, tmp = 0, gp = 0, bp = 0, tp = 0;
    try {
      U = e.alloc(per * n);
      tmp = e.allocTransient(c * k);
      // G's rows in f64 for the kernel (2 floats of room per double, 8-byte aligned)
      gp = e.allocTransient(2 * n * r);
      new Float64Array(e.k.memory.buffer, gp, n * r).set(G);
      // HWIO puts tap t of a 1 x 7 or 7 x 1 kernel at t*c*k
      for (let xi = 0; xi < n; xi++) {
        e.k.f32_winograd1d_filter(r, c * k, wp, gp + xi * r * 8, tmp);
        e.k.f32_gemm_pack(GEMM_NR, k, c, tmp, k, 0, U + xi * per * 4, 0);
      }
      bp = e.upload(b);
      tp = e.upload(tr);
      this.wino1 = { axis, m: WINOGRAD1D_M, r, U, uFloats: per, bias: bp, transforms: tp };
    } catch (err) {
      if (tp) e.release(tp);
      if (bp) e.release(bp);
      if (U) e.release(U);
      throw err;
    } finally {
      if (gp) e.release(gp);
      if (tmp) e.release(tmp);
    }
  }

  private bandTiles(inShape: number[]): number {
    const [n, ho, wo] = this.outShape(inShape);
    const m = this.wino!.m;
    return winogradBand(m, this.inChannels, this.outChannels, n * Math.ceil(ho / m) * Math.ceil(wo / m));
  }

  /** Scratch floats run() needs (im2col block or Winograd band); 0 on the direct 1x1 path. */
  workspaceFloats(inShape: number[]): number {
    const [n, ho, wo] = this.outShape(inShape);
    return Conv2d.workspaceFloatsFor(this, this.path, n, ho, wo);
  }

  /** workspaceFloats of a layer of this geometry and path with an output of n x ho x wo pixels. */
  static workspaceFloatsFor(g: { inChannels: number; outChannels: number; kernel: Pair; stride: Pair; groups: number },
    path: ConvPath, n: number, ho: number, wo: number): number {
    return convWorkspaceFloats(g, path, n, ho, wo);
  }

  private blockRows(inShape: number[]): number {
    const [n, ho, wo] = this.outShape(inShape);
    const k = this.kernel[0] * this.kernel[1] * (this.inChannels / this.groups);
    return im2colRows(k, n * ho * wo);
  }

  /**
   * Runs on wasm pointers. The input may be a channel slice (inStride > inChannels) and the output
   * may be one (outStride > outChannels: concat in place). `workspace` must hold
   * workspaceFloats(inShape) floats, else a temporary block is used.
   */
  run(x: number, inShape: number[], out: number, opts: Strides & { workspace?: number } = {}): void {
    const e = this.engine;
    const wsFloats = this.workspaceFloats(inShape);
    if (this.disposed) throw new Error('Conv2d: run after dispose');
    if (wsFloats !== 0 && opts.workspace !== undefined) checkSpan(e, 'workspace', opts.workspace, wsFloats);
    const ws = wsFloats === 0 ? 0 : opts.workspace ?? e.alloc(wsFloats);
    try {
      // the one share of one thread: checks x and out before any call
      for (const call of this.calls(x, inShape, out, opts, [ws], 1)[0]!) runCall(e, call);
    } finally {
      if (ws && opts.workspace === undefined) e.release(ws);
    }
  }

  /**
   * run() shared among `threads` kernel threads: per thread the calls over its share (output
   * pixels or column panels, see kernels/select.ts gemmSplit; Winograd tiles), each thread with
   * its own workspace block of workspaceFloats(inShape) floats (`workspaces[t]`). Same bits as run().
   */
  split(x: number, inShape: number[], out: number, opts: Strides & { workspaces?: number[] }, threads: number): ThreadCalls {
    const T = threadCount(threads);
    if (this.disposed) throw new Error('Conv2d: split after dispose');
    const wsFloats = this.workspaceFloats(inShape);
    const ws = opts.workspaces ?? [];
    const lists = this.calls(x, inShape, out, opts, ws, T);
    if (wsFloats) {
      if (!Array.isArray(ws) || ws.length < T) throw new RangeError(`workspaces must hold one block per thread (${T})`);
      ws.slice(0, T).forEach((p, t) => checkSpan(this.engine, `workspaces[${t}]`, p, wsFloats));
    }
    return lists;
  }

  /** The checked kernel calls of T shares (x and out checked here, the workspaces by the caller). */
  private calls(x: number, inShape: number[], out: number, opts: Strides, ws: number[], T: number): ThreadCalls {
    const [n, h, w, c] = shape4('inShape', inShape);
    const [, ho, wo] = this.outShape(inShape);
    const [cx, ldo] = strides(opts, c, this.outChannels);
    const [lo, hi, clamp] = actRange(this.act);
    const e = this.engine;
    checkSpan(e, 'x', x, pixelSpan(n * h * w, cx, c));
    checkSpan(e, 'out', out, pixelSpan(n * ho * wo, ldo, this.outChannels));
    const wsFloats = this.workspaceFloats(inShape);
    const cout = this.outChannels;
    if (this.path === 'conv1x1') {
      const M = n * ho * wo;
      const byRows = gemmSplit(M, cout, T, GEMM_MR, GEMM_NR) === 'm';
      return shares(byRows ? M : cout, T, byRows ? GEMM_MR : GEMM_NR).map(([a, b], t) => a >= b ? [] : [[
        'f32_conv1x1', x, n, h, w, cx, c, this.stride[0], this.stride[1], ho, wo, this.packed, cout, out, ldo, lo, hi, clamp,
        wsFloats ? ws[t]! : 0, byRows ? a : 0, byRows ? b : M, byRows ? 0 : a, byRows ? cout : b,
      ]]);
    }
    if (this.wino1) {
      const { axis, m, r, U, uFloats, bias, transforms } = this.wino1;
      const pts = m + r - 1, tiles = winograd1dTiles(axis, ho, wo);
      const nt = winogradBandOf(pts, c, cout, n * tiles);
      const vFloats = pts * nt * Math.ceil(c / 4) * 4;
      const byTiles = gemmSplit(n * tiles, cout, T, GEMM_MR, GEMM_NR) === 'm';
      return shares(byTiles ? tiles : cout, T, byTiles ? 1 : GEMM_NR).map(([a0, a1], t) => a0 >= a1 ? [] : [[
        'f32_conv_winograd1d', axis, m, r, x, n, h, w, cx, c, this.pad[0], this.pad[1], ho, wo, U, uFloats * 4, cout,
        bias, out, ldo, lo, hi, clamp, transforms, transforms + pts * pts * 4, ws[t]!, ws[t]! + vFloats * 4, nt,
        byTiles ? a0 : 0, byTiles ? a1 : tiles, byTiles ? 0 : a0, byTiles ? cout : a1,
      ]]);
    }
    if (this.wino) {
      const { m, U, uFloats, bias } = this.wino;
      const nt = this.bandTiles(inShape), a = m + 2;
      const vFloats = a * a * nt * Math.ceil(c / 4) * 4;
      const tiles = Math.ceil(ho / m) * Math.ceil(wo / m);
      // per transformed matrix, a GEMM of tiles x cout over cin: split as such
      const byTiles = gemmSplit(n * tiles, cout, T, GEMM_MR, GEMM_NR) === 'm';
      return shares(byTiles ? tiles : cout, T, byTiles ? 1 : GEMM_NR).map(([a0, a1], t) => a0 >= a1 ? [] : [[
        'f32_conv_winograd', m, x, n, h, w, cx, c, this.pad[0], this.pad[1], ho, wo, U, uFloats * 4, cout,
        bias, out, ldo, lo, hi, clamp, ws[t]!, ws[t]! + vFloats * 4, nt,
        byTiles ? a0 : 0, byTiles ? a1 : tiles, byTiles ? 0 : a0, byTiles ? cout : a1,
      ]]);
    }
    const rows = this.blockRows(inShape), og = cout / this.groups, P = ho * wo;
    const byRows = this.groups > 1 || gemmSplit(n * P, og, T, GEMM_MR, GEMM_NR) === 'm';
    return shares(byRows ? P : og, T, byRows ? GEMM_MR : GEMM_NR).map(([a, b], t) => a >= b ? [] : [[
      'f32_conv_im2col', x, n, h, w, cx, c, this.groups, this.kernel[0], this.kernel[1], this.stride[0], this.stride[1],
      this.dilation[0], this.dilation[1], this.pad[0], this.pad[1], ho, wo, this.packed, cout, out, ldo,
      lo, hi, clamp, ws[t]!, rows, byRows ? a : 0, byRows ? b : P, byRows ? 0 : a, byRows ? og : b,
    ]]);
  }

  dispose(): void {
    this.disposed = true;
    if (this.packed) this.engine.release(this.packed);
    this.packed = 0;
    if (this.wino1) {
      this.engine.release(this.wino1.U);
      this.engine.release(this.wino1.bias);
      this.engine.release(this.wino1.transforms);
      this.wino1 = null;
    }
    if (this.wino) {
      this.engine.release(this.wino.U);
      this.engine.release(this.wino.bias);
      this.wino = null;
    }
  }
}

/** One-shot convolution of an NHWC Float32Array (copies in and out of wasm memory). */
export function conv2d(engine: Engine, x: Float32Array, inShape: number[], weight: Float32Array,
  bias: Float32Array | null, params: Conv2dParams & { winograd?: 'auto' | 'off' | 2 | 4 }): Tensor {
  const s = shape4('inShape', inShape);
  f32array('x', x, s[0] * s[1] * s[2] * s[3]);
  const op = new Conv2d(engine, params, weight, bias);
  try {
    const os = op.outShape(s);
    const count = os[0] * os[1] * os[2] * os[3];
    let xp = 0, yp = 0;
    try {
      xp = engine.upload(x);
      yp = engine.alloc(count);
      op.run(xp, s, yp);
      return { data: engine.read(yp, count), shape: os };
    } finally {
      if (yp) engine.release(yp);
      if (xp) engine.release(xp);
    }
  } finally {
    op.dispose();
  }
}
