import type { Engine } from '../wasm/engine.js';
import { packGemm, packedGemmFloats } from './gemm.js';
import {
  actRange, f32array, int, optBias, outSize, pad4, pair, shape4, strides,
  type Activation, type Pad4, type Pair, type Strides, type Tensor,
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
}

/** im2col rows per block: about 256 KiB of buffer, so it stays in L2 next to the weights. */
const IM2COL_FLOATS = 65536;

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
  /** 'conv1x1' (direct GEMM) or 'im2col'. */
  readonly path: 'conv1x1' | 'im2col';
  private engine: Engine;
  private packed: number;

  constructor(engine: Engine, p: Conv2dParams, weight: Float32Array, bias: Float32Array | null = null) {
    if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
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
    this.path = kh === 1 && kw === 1 && g === 1 && this.pad.every((v) => v === 0) ? 'conv1x1' : 'im2col';
    this.engine = engine;
    const per = packedGemmFloats(k, og);
    this.packed = engine.alloc(per * g);
    const wp = engine.upload(weight);
    const bp = bias ? engine.upload(bias) : 0;
    for (let i = 0; i < g; i++) {
      engine.k.f32_gemm_pack(8, og, k, wp + i * og * 4, this.outChannels, bp ? bp + i * og * 4 : 0, this.packed + i * per * 4);
    }
    if (bp) engine.release(bp);
    engine.release(wp);
  }

  /** Output shape for an NHWC input shape; throws RangeError when the input does not fit. */
  outShape(inShape: number[]): [number, number, number, number] {
    const [n, h, w, c] = shape4('inShape', inShape);
    if (c !== this.inChannels) throw new RangeError(`inShape[3] must be ${this.inChannels} channels, got ${c}`);
    const ho = outSize('conv2d (height)', h, this.kernel[0], this.stride[0], this.pad[0], this.pad[2], this.dilation[0]);
    const wo = outSize('conv2d (width)', w, this.kernel[1], this.stride[1], this.pad[1], this.pad[3], this.dilation[1]);
    return [n, ho, wo, this.outChannels];
  }

  /** Scratch floats run() needs (the im2col block); 0 on the direct 1x1 path. */
  workspaceFloats(inShape: number[]): number {
    if (this.path === 'conv1x1') return 0;
    return this.blockRows(inShape) * this.kernel[0] * this.kernel[1] * (this.inChannels / this.groups);
  }

  private blockRows(inShape: number[]): number {
    const [, ho, wo] = this.outShape(inShape);
    const k = this.kernel[0] * this.kernel[1] * (this.inChannels / this.groups);
    const rows = Math.max(8, Math.min(1024, Math.floor(IM2COL_FLOATS / k / 8) * 8));
    return Math.min(rows, ho * wo);
  }

  /**
   * Runs on wasm pointers. The input may be a channel slice (inStride > inChannels) and the output
   * may be one (outStride > outChannels: concat in place). `workspace` must hold
   * workspaceFloats(inShape) floats, else a temporary block is used.
   */
  run(x: number, inShape: number[], out: number, opts: Strides & { workspace?: number } = {}): void {
    const [n, h, w, c] = shape4('inShape', inShape);
    const [, ho, wo] = this.outShape(inShape);
    const [cx, ldo] = strides(opts, c, this.outChannels);
    const [lo, hi, clamp] = actRange(this.act);
    const e = this.engine;
    if (this.path === 'conv1x1') {
      e.k.f32_conv1x1(x, n, h, w, cx, c, this.stride[0], this.stride[1], ho, wo, this.packed, this.outChannels, out, ldo, lo, hi, clamp);
      return;
    }
    const rows = this.blockRows(inShape);
    const ws = opts.workspace ?? e.alloc(this.workspaceFloats(inShape));
    try {
      e.k.f32_conv_im2col(x, n, h, w, cx, c, this.groups, this.kernel[0], this.kernel[1], this.stride[0], this.stride[1],
        this.dilation[0], this.dilation[1], this.pad[0], this.pad[1], ho, wo, this.packed, this.outChannels, out, ldo,
        lo, hi, clamp, ws, rows);
    } finally {
      if (opts.workspace === undefined) e.release(ws);
    }
  }

  dispose(): void {
    if (this.packed) this.engine.release(this.packed);
    this.packed = 0;
  }
}

/** One-shot convolution of an NHWC Float32Array (copies in and out of wasm memory). */
export function conv2d(engine: Engine, x: Float32Array, inShape: number[], weight: Float32Array,
  bias: Float32Array | null, params: Conv2dParams): Tensor {
  const s = shape4('inShape', inShape);
  f32array('x', x, s[0] * s[1] * s[2] * s[3]);
  const op = new Conv2d(engine, params, weight, bias);
  try {
    const os = op.outShape(s);
    const count = os[0] * os[1] * os[2] * os[3];
    const xp = engine.upload(x);
    const op2 = engine.alloc(count);
    try {
      op.run(xp, s, op2);
      return { data: engine.read(op2, count), shape: os };
    } finally {
      engine.release(op2); engine.release(xp);
    }
  } finally {
    op.dispose();
  }
}
