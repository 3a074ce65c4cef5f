import type { Engine } from '../wasm/engine.js';
import { dwMemoryFloats, shares } from '../kernels/select.js';
import {
  actRange, checkSpan, f32array, int, knownKeys, optBias, outSize, pad4, pair, pixelSpan, runCall, shape4, strides, threadCount,
  type Activation, type KernelCall, type Pad4, type Pair, type Strides, type Tensor, type ThreadCalls,
} from './util.js';

export interface DepthwiseConv2dParams {
  channels: number;
  kernel: number | Pair;
  stride?: number | Pair;
  pad?: number | Pair | Pad4;
  dilation?: number | Pair;
  act?: Activation;
}

/**
 * Depthwise convolution (groups = channels, multiplier 1), NHWC. Weights HWIO = [kh][kw][1][C].
 * 3x3 at stride 1 or 2 without dilation gets the register-blocked kernels; the rest the generic one.
 */
export class DepthwiseConv2d {
  readonly channels: number;
  readonly kernel: Pair;
  readonly stride: Pair;
  readonly pad: Pad4;
  readonly dilation: Pair;
  readonly act: Activation;
  readonly path: 'dw3x3s1' | 'dw3x3s2' | 'dwgeneric';
  private engine: Engine;
  private packed: number;

  constructor(engine: Engine, p: DepthwiseConv2dParams, weight: Float32Array, bias: Float32Array | null = null) {
    if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
    knownKeys('DepthwiseConv2d', p, ['channels', 'kernel', 'stride', 'pad', 'dilation', 'act']);
    const c = (this.channels = int('channels', p.channels));
    this.kernel = pair('kernel', p.kernel);
    this.stride = pair('stride', p.stride, 1, 1);
    this.pad = pad4('pad', p.pad);
    this.dilation = pair('dilation', p.dilation, 1, 1);
    this.act = p.act ?? 'none';
    actRange(this.act);
    const taps = this.kernel[0] * this.kernel[1];
    f32array('weight', weight, taps * c);
    optBias('bias', bias, c);
    for (let i = 0; i < weight.length; i++) {
      if (!Number.isFinite(weight[i]!)) throw new RangeError(`weight[${i}] is ${weight[i]}; weights must be finite`);
    }
    const plain3 = this.kernel[0] === 3 && this.kernel[1] === 3 && this.dilation[0] === 1 && this.dilation[1] === 1;
    this.path = plain3 && this.stride[0] === 1 && this.stride[1] === 1 ? 'dw3x3s1'
      : plain3 && this.stride[0] === 2 && this.stride[1] === 2 ? 'dw3x3s2' : 'dwgeneric';
    // Per group of 4 channels: [bias 4][tap 0: 4]...[tap taps-1: 4], channels zero-padded to a
    // multiple of 4. A group's bias and taps are one contiguous run: in a [bias c][taps x c]
    // layout the nine tap streams sit C floats apart, and at 512 or 1024 channels (2 or 4 KiB)
    // they and the input pixels all fall in the same L1 sets.
    const groups = Math.ceil(c / 4), g = 4 * (taps + 1);
    const packed = new Float32Array(groups * g);
    for (let ch = 0; ch < c; ch++) {
      const base = (ch >> 2) * g + (ch & 3);
      if (bias) packed[base] = bias[ch]!;
      for (let t = 0; t < taps; t++) packed[base + 4 * (t + 1)] = weight[t * c + ch]!;
    }
    this.engine = engine;
    this.packed = engine.upload(packed);
  }

  /** Floats a layer of this size keeps in wasm memory (bias and taps, channels padded to 4). */
  static memoryFloats(channels: number, kernel: Pair): number {
    return dwMemoryFloats(channels, kernel);
  }

  outShape(inShape: number[]): [number, number, number, number] {
    const [n, h, w, c] = shape4('inShape', inShape);
    if (c !== this.channels) throw new RangeError(`inShape[3] must be ${this.channels} channels, got ${c}`);
    return [n,
      outSize('dwconv2d (height)', h, this.kernel[0], this.stride[0], this.pad[0], this.pad[2], this.dilation[0]),
      outSize('dwconv2d (width)', w, this.kernel[1], this.stride[1], this.pad[1], this.pad[3], this.dilation[1]),
      c];
  }

  run(x: number, inShape: number[], out: number, opts: Strides = {}): void {
    runCall(this.engine, [...this.call(x, inShape, out, opts), 0, this.outShape(inShape)[1]]);
  }

  /** run() shared among `threads` kernel threads by output rows. Same bits as run(). */
  split(x: number, inShape: number[], out: number, opts: Strides, threads: number): ThreadCalls {
    const T = threadCount(threads);
    const call = this.call(x, inShape, out, opts);
    const [, ho] = this.outShape(inShape);
    return shares(ho, T).map(([a, b]) => (a >= b ? [] : [[...call, a, b]]));
  }

  /** The checked kernel call, less its row range. */
  private call(x: number, inShape: number[], out: number, opts: Strides): KernelCall {
    const [n, h, w, c] = shape4('inShape', inShape);
    const [, ho, wo] = this.outShape(inShape);
    const [cx, ldo] = strides(opts, c, c);
    if (!this.packed) throw new Error('DepthwiseConv2d: run after dispose');
    checkSpan(this.engine, 'x', x, pixelSpan(n * h * w, cx, c));
    checkSpan(this.engine, 'out', out, pixelSpan(n * ho * wo, ldo, c));
    const [lo, hi, clamp] = actRange(this.act);
    const [pt, pl] = this.pad;
    if (this.path === 'dw3x3s1') return ['f32_dwconv_3x3s1', x, n, h, w, cx, c, pt, pl, ho, wo, this.packed, out, ldo, lo, hi, clamp];
    if (this.path === 'dw3x3s2') return ['f32_dwconv_3x3s2', x, n, h, w, cx, c, pt, pl, ho, wo, this.packed, out, ldo, lo, hi, clamp];
    return ['f32_dwconv', x, n, h, w, cx, c, this.kernel[0], this.kernel[1], this.stride[0], this.stride[1],
      this.dilation[0], this.dilation[1], pt, pl, ho, wo, this.packed, out, ldo, lo, hi, clamp];
  }

  dispose(): void {
    if (this.packed) this.engine.release(this.packed);
    this.packed = 0;
  }
}

/** One-shot depthwise convolution of an NHWC Float32Array. */
export function dwconv2d(engine: Engine, x: Float32Array, inShape: number[], weight: Float32Array,
  bias: Float32Array | null, params: DepthwiseConv2dParams): Tensor {
  const s = shape4('inShape', inShape);
  f32array('x', x, s[0] * s[1] * s[2] * s[3]);
  const op = new DepthwiseConv2d(engine, params, weight, bias);
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
  } finally { op.dispose(); }
}
