// Fluent graph builder with shape inference at every step. Shapes follow PyTorch's formulas so
// that zoo networks line up layer by layer with their torchvision counterparts (NCHW there,
// NHWC here); 'same' padding follows TensorFlow for the TF-born nets (MobileNet v1).

import type { Graph, GraphNode, NodeAttrs, Pad4, Shape } from './types.js';
import { OP_SPECS } from './ops.js';

/**
 * Padding of a convolution or pooling window:
 * - `number`: the same on all four sides;
 * - `[ph, pw]`: `ph` top and bottom, `pw` left and right (PyTorch's tuple);
 * - `Pad4`: `[top, left, bottom, right]`;
 * - `'same'`: TensorFlow SAME — output = ceil(input / stride), the odd pixel goes bottom/right;
 * - `'valid'`: no padding.
 */
export type Padding = number | [number, number] | Pad4 | 'same' | 'valid';

/** A kernel, stride or dilation: one number for both axes, or `[h, w]`. */
export type Size2 = number | [number, number];

/** Options of {@link GraphBuilder.conv2d}. */
export interface Conv2dOptions {
  outChannels: number;
  kernel: Size2;
  /** Default 1. */
  stride?: Size2;
  /** Default 0. */
  padding?: Padding;
  /** Default 1. */
  dilation?: Size2;
  /** Default 1; must divide both input and output channels. */
  groups?: number;
  /** Default true. */
  bias?: boolean;
}

/** Options of {@link GraphBuilder.dwconv}: groups = input channels. */
export interface DwConvOptions {
  kernel: Size2;
  /** Output channels per input channel; default 1. */
  multiplier?: number;
  stride?: Size2;
  padding?: Padding;
  dilation?: Size2;
  /** Default true. */
  bias?: boolean;
}

/** Options of {@link GraphBuilder.maxpool} and {@link GraphBuilder.avgpool}. */
export interface PoolOptions {
  kernel: Size2;
  /** Default: the kernel size (PyTorch's default). */
  stride?: Size2;
  /** Default 0. PyTorch limits each side to half the kernel; so does this builder. */
  padding?: Padding;
  /** Round the output size up (PyTorch `ceil_mode`); default false. */
  ceil?: boolean;
  /** avgpool only: count padded taps in the divisor (PyTorch default true). */
  countIncludePad?: boolean;
}

/** Options of {@link GraphBuilder.lrn}; defaults are PyTorch's (alpha 1e-4, beta 0.75, k 1). */
export interface LrnOptions {
  size: number;
  alpha?: number;
  beta?: number;
  k?: number;
}

/**
 * Builds a {@link Graph} one layer at a time. Every method takes the names of its input
 * nodes, appends one node, checks it and infers its output shape, and returns the new node's
 * name, so branches are ordinary variables:
 *
 * ```ts
 * const b = new GraphBuilder('tiny');
 * let x = b.input([1, 32, 32, 3]);
 * x = b.conv2d(x, { outChannels: 16, kernel: 3, padding: 1 }, 'conv1');
 * x = b.relu(x, 'relu1');
 * const g = b.output(b.fc(b.flatten(x, 'flatten'), { outFeatures: 10 }, 'fc'));
 * ```
 *
 * Every error is an `Error` whose message starts with `layer "<name>" (<op>):`.
 * Nodes without a given name get `<op>_<k>`, numbered per op in call order.
 */
export class GraphBuilder {
  private readonly nodes: GraphNode[] = [];
  private readonly byName = new Map<string, GraphNode>();
  private readonly autoCount = new Map<string, number>();
  private inputName: string | undefined;

  /** @param name the graph's name, e.g. `resnet-50`. */
  constructor(readonly name: string) {}

  /** The inferred output shape of node `x` (a copy). */
  shape(x: string): Shape {
    const n = this.byName.get(x);
    if (!n) throw new Error(`graph "${this.name}": no node named "${x}"`);
    return n.outShape.slice();
  }

  /** The graph input, `[N, H, W, C]` (any rank of positive integers is accepted). */
  input(shape: Shape, name = 'input'): string {
    const where = this.where(name, 'input');
    if (this.inputName !== undefined) throw new Error(`${where}: graph already has input "${this.inputName}"`);
    if (shape.length === 0 || !shape.every(isPosInt)) {
      throw new Error(`${where}: shape must be positive integers, got [${shape.join(', ')}]`);
    }
    this.inputName = name;
    return this.push(name, { op: 'input' }, [], shape.slice());
  }

  /** 2-D convolution over `[N, H, W, C]`; output `[N, Ho, Wo, outChannels]`. */
  conv2d(x: string, opts: Conv2dOptions, name?: string): string {
    name = this.nameFor(name, 'conv2d');
    const where = this.where(name, 'conv2d');
    const [, h, w, c] = this.feature(where, x);
    const groups = opts.groups ?? 1;
    posInt(where, 'outChannels', opts.outChannels);
    posInt(where, 'groups', groups);
    if (c % groups !== 0) throw new Error(`${where}: groups ${groups} does not divide ${c} input channels`);
    if (opts.outChannels % groups !== 0) {
      throw new Error(`${where}: groups ${groups} does not divide ${opts.outChannels} output channels`);
    }
    const kernel = size2(where, 'kernel', opts.kernel);
    const stride = size2(where, 'stride', opts.stride ?? 1);
    const dilation = size2(where, 'dilation', opts.dilation ?? 1);
    const pad = resolvePad(where, opts.padding ?? 0, [h, w], kernel, stride, dilation);
    return this.push(name, {
      op: 'conv2d', outChannels: opts.outChannels, kernel, stride, pad, dilation, groups,
      bias: opts.bias ?? true,
    }, [x]);
  }

  /** Depthwise convolution: a conv2d with groups = input channels, `multiplier` outputs each. */
  dwconv(x: string, opts: DwConvOptions, name?: string): string {
    name = this.nameFor(name, 'conv2d');
    const c = this.feature(this.where(name, 'conv2d'), x)[3];
    const multiplier = opts.multiplier ?? 1;
    posInt(this.where(name, 'conv2d'), 'multiplier', multiplier);
    return this.conv2d(x, {
      outChannels: c * multiplier, kernel: opts.kernel, stride: opts.stride, padding: opts.padding,
      dilation: opts.dilation, groups: c, bias: opts.bias,
    }, name);
  }

  /** Inference batch norm over the last (channel) axis; `eps` defaults to 1e-5 (PyTorch). */
  batchnorm(x: string, opts: { eps?: number } = {}, name?: string): string {
    name = this.nameFor(name, 'batchnorm');
    const where = this.where(name, 'batchnorm');
    const s = this.get(where, x).outShape;
    const eps = opts.eps ?? 1e-5;
    if (!(eps > 0)) throw new Error(`${where}: eps must be positive, got ${eps}`);
    void s;
    return this.push(name, { op: 'batchnorm', eps }, [x]);
  }

  /** max(x, 0). */
  relu(x: string, name?: string): string { return this.unary(x, 'relu', name); }

  /** min(max(x, 0), 6). */
  relu6(x: string, name?: string): string { return this.unary(x, 'relu6', name); }

  /** Max pooling over H and W, PyTorch semantics (padding never wins the max). */
  maxpool(x: string, opts: PoolOptions, name?: string): string { return this.pool(x, 'maxpool', opts, name); }

  /** Average pooling over H and W, PyTorch semantics including `ceil` and `countIncludePad`. */
  avgpool(x: string, opts: PoolOptions, name?: string): string { return this.pool(x, 'avgpool', opts, name); }

  /** Mean over H and W: `[N, H, W, C]` → `[N, 1, 1, C]`. */
  globalAvgPool(x: string, name?: string): string {
    name = this.nameFor(name, 'globalavgpool');
    this.feature(this.where(name, 'globalavgpool'), x);
    return this.push(name, { op: 'globalavgpool' }, [x]);
  }

  /** Elementwise sum of two tensors of identical shape (no broadcasting). */
  add(a: string, b: string, name?: string): string {
    name = this.nameFor(name, 'add');
    const where = this.where(name, 'add');
    const sa = this.get(where, a).outShape;
    const sb = this.get(where, b).outShape;
    if (sa.length !== sb.length) {
      throw new Error(`${where}: rank mismatch, "${a}" is [${sa.join(', ')}] and "${b}" is [${sb.join(', ')}]`);
    }
    for (let i = 0; i < sa.length; i++) {
      if (sa[i] !== sb[i]) {
        const what = i === sa.length - 1 ? 'channel' : i === 0 ? 'batch' : 'spatial';
        throw new Error(`${where}: ${what} mismatch, "${a}" is [${sa.join(', ')}] and "${b}" is [${sb.join(', ')}]`);
      }
    }
    return this.push(name, { op: 'add' }, [a, b]);
  }

  /**
   * Per-channel multiply: `x` [N, H, W, C] times `scale` [N, 1, 1, C], broadcast over H and W
   * (squeeze-excitation's rescale by its sigmoid gate).
   */
  channelMul(x: string, scale: string, name?: string): string {
    name = this.nameFor(name, 'channelmul');
    const where = this.where(name, 'channelmul');
    const sx = this.get(where, x).outShape, ss = this.get(where, scale).outShape;
    if (sx.length !== 4 || ss.length !== 4 || ss[0] !== sx[0] || ss[1] !== 1 || ss[2] !== 1 || ss[3] !== sx[3]) {
      throw new Error(`${where}: "${scale}" must be [${sx[0]}, 1, 1, ${sx[3]}] to scale "${x}" [${sx.join(', ')}], got [${ss.join(', ')}]`);
    }
    return this.push(name, { op: 'channelmul' }, [x, scale]);
  }

  /** Concatenation along the last (channel) axis; all other dimensions must agree. */
  concat(xs: string[], name?: string): string {
    name = this.nameFor(name, 'concat');
    const where = this.where(name, 'concat');
    if (xs.length === 0) throw new Error(`${where}: needs at least one input`);
    const shapes = xs.map((x) => this.get(where, x).outShape);
    const first = shapes[0]!;
    shapes.forEach((s, i) => {
      const bad = s.length !== first.length || s.some((d, j) => j < s.length - 1 && d !== first[j]);
      if (bad) {
        const what = s.length !== first.length ? 'rank' : s[0] !== first[0] ? 'batch' : 'spatial size';
        throw new Error(
          `${where}: ${what} mismatch, "${xs[0]}" is [${first.join(', ')}] and "${xs[i]}" is [${s.join(', ')}]`);
      }
    });
    return this.push(name, { op: 'concat' }, xs.slice());
  }

  /** Across-channel local response normalisation (PyTorch `LocalResponseNorm` semantics). */
  lrn(x: string, opts: LrnOptions, name?: string): string {
    name = this.nameFor(name, 'lrn');
    const where = this.where(name, 'lrn');
    this.feature(where, x);
    posInt(where, 'size', opts.size);
    const alpha = opts.alpha ?? 1e-4;
    const beta = opts.beta ?? 0.75;
    const k = opts.k ?? 1;
    for (const [key, v] of [['alpha', alpha], ['beta', beta], ['k', k]] as const) {
      if (!Number.isFinite(v) || v < 0) throw new Error(`${where}: ${key} must be finite and >= 0, got ${v}`);
    }
    return this.push(name, { op: 'lrn', size: opts.size, alpha, beta, k }, [x]);
  }

  /** `[N, H, W, C]` → `[N, H*W*C]`, in NHWC memory order (c fastest). */
  flatten(x: string, name?: string): string {
    name = this.nameFor(name, 'flatten');
    const where = this.where(name, 'flatten');
    const s = this.get(where, x).outShape;
    if (s.length < 2) throw new Error(`${where}: needs rank >= 2, got [${s.join(', ')}]`);
    return this.push(name, { op: 'flatten' }, [x]);
  }

  /** Fully connected layer on `[N, F]` (flatten first); output `[N, outFeatures]`. */
  fc(x: string, opts: { outFeatures: number; bias?: boolean }, name?: string): string {
    name = this.nameFor(name, 'fc');
    const where = this.where(name, 'fc');
    const s = this.get(where, x).outShape;
    if (s.length !== 2) throw new Error(`${where}: needs [N, features], got [${s.join(', ')}]; flatten first`);
    posInt(where, 'outFeatures', opts.outFeatures);
    return this.push(name, { op: 'fc', outFeatures: opts.outFeatures, bias: opts.bias ?? true }, [x]);
  }

  /** Dropout (identity at inference; kept so the graph mirrors the paper). `p` defaults to 0.5. */
  dropout(x: string, opts: { p?: number } = {}, name?: string): string {
    name = this.nameFor(name, 'dropout');
    const where = this.where(name, 'dropout');
    const s = this.get(where, x).outShape;
    const p = opts.p ?? 0.5;
    if (!(p >= 0 && p < 1)) throw new Error(`${where}: p must be in [0, 1), got ${p}`);
    void s;
    return this.push(name, { op: 'dropout', p }, [x]);
  }

  /** LeakyReLU x >= 0 ? x : alpha * x (alpha default 0.01, PyTorch's). */
  leakyRelu(x: string, opts: { alpha?: number } = {}, name?: string): string {
    name = this.nameFor(name, 'leakyrelu');
    this.get(this.where(name, 'leakyrelu'), x);
    return this.push(name, { op: 'leakyrelu', alpha: opts.alpha ?? 0.01 }, [x]);
  }

  /** Clamp to [min, max] (either bound may be left open: -Infinity / Infinity). */
  clip(x: string, opts: { min?: number; max?: number }, name?: string): string {
    name = this.nameFor(name, 'clip');
    this.get(this.where(name, 'clip'), x);
    return this.push(name, { op: 'clip', min: opts.min ?? -Infinity, max: opts.max ?? Infinity }, [x]);
  }

  /** Max over H and W: `[N, H, W, C]` → `[N, 1, 1, C]`. */
  globalMaxPool(x: string, name?: string): string {
    name = this.nameFor(name, 'globalmaxpool');
    this.feature(this.where(name, 'globalmaxpool'), x);
    return this.push(name, { op: 'globalmaxpool' }, [x]);
  }

  /** Per-channel y = x * scale[c] + shift[c] with learned constants (weights `{ scale, shift }`). */
  scaleShift(x: string, name?: string): string {
    name = this.nameFor(name, 'scaleshift');
    this.get(this.where(name, 'scaleshift'), x);
    return this.push(name, { op: 'scaleshift' }, [x]);
  }

  /**
   * Multiply by a constant, y = factor * x (a residual branch's scaling in Inception-ResNet);
   * an `add` that is its only reader absorbs it when compiled.
   */
  scale(x: string, opts: { factor: number }, name?: string): string {
    name = this.nameFor(name, 'scale');
    const where = this.where(name, 'scale');
    this.get(where, x);
    if (typeof opts?.factor !== 'number' || !Number.isFinite(opts.factor)) {
      throw new Error(`${where}: factor must be a finite number, got ${String(opts?.factor)}`);
    }
    return this.push(name, { op: 'scale', factor: opts.factor }, [x]);
  }

  /**
   * ShuffleNet's channel shuffle of a map `[N, H, W, C]`: channel g * (C / groups) + j moves to
   * j * groups + g (PyTorch's view → transpose → view). `groups` must divide C.
   */
  channelShuffle(x: string, opts: { groups: number }, name?: string): string {
    name = this.nameFor(name, 'channelshuffle');
    const where = this.where(name, 'channelshuffle');
    const s = this.feature(where, x);
    posInt(where, 'groups', opts?.groups);
    if (s[3]! % opts.groups !== 0) throw new Error(`${where}: groups ${opts.groups} does not divide ${s[3]} channels`);
    return this.push(name, { op: 'channelshuffle', groups: opts.groups }, [x]);
  }

  /** Channels [start, end) of a map `[N, H, W, C]`, 0 <= start < end <= C. */
  channelSlice(x: string, opts: { start: number; end: number }, name?: string): string {
    name = this.nameFor(name, 'channelslice');
    const where = this.where(name, 'channelslice');
    const s = this.feature(where, x);
    const { start, end } = opts ?? {};
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start || end > s[3]!) {
      throw new Error(`${where}: channels [start, end) must satisfy 0 <= start < end <= ${s[3]}, got [${String(start)}, ${String(end)})`);
    }
    return this.push(name, { op: 'channelslice', start, end }, [x]);
  }

  /** Logistic sigmoid 1 / (1 + exp(-x)), elementwise. */
  sigmoid(x: string, name?: string): string { return this.unary(x, 'sigmoid', name); }

  /** Softmax over the last axis. */
  softmax(x: string, name?: string): string { return this.unary(x, 'softmax', name); }

  /** Marks `x` as the output and returns the finished graph (a snapshot; the builder can go on). */
  output(x: string): Graph {
    if (this.inputName === undefined) throw new Error(`graph "${this.name}": no input() was declared`);
    this.get(`graph "${this.name}" output`, x);
    return {
      name: this.name,
      nodes: this.nodes.map((n) => ({ ...n, inputs: n.inputs.slice(), outShape: n.outShape.slice() })),
      input: this.inputName,
      output: x,
    };
  }

  private pool(x: string, op: 'maxpool' | 'avgpool', opts: PoolOptions, name: string | undefined): string {
    name = this.nameFor(name, op);
    const where = this.where(name, op);
    const [, h, w] = this.feature(where, x);
    const kernel = size2(where, 'kernel', opts.kernel);
    const stride = size2(where, 'stride', opts.stride ?? kernel);
    const pad = resolvePad(where, opts.padding ?? 0, [h, w], kernel, stride, [1, 1]);
    for (let i = 0; i < 4; i++) {
      const k = kernel[i % 2]!;
      if (pad[i]! > Math.floor(k / 2)) {
        throw new Error(`${where}: padding ${pad[i]} exceeds half the ${k}-wide window`);
      }
    }
    const ceil = opts.ceil ?? false;
    return this.push(name, { op, kernel, stride, pad, ceil, countIncludePad: opts.countIncludePad ?? true }, [x]);
  }

  private unary(x: string, op: 'relu' | 'relu6' | 'softmax' | 'sigmoid', name: string | undefined): string {
    name = this.nameFor(name, op);
    this.get(this.where(name, op), x);
    return this.push(name, { op }, [x]);
  }

  private nameFor(name: string | undefined, op: string): string {
    if (name !== undefined) return name;
    const k = this.autoCount.get(op) ?? 0;
    this.autoCount.set(op, k + 1);
    return `${op}_${k}`;
  }

  private where(name: string, op: string): string { return `layer "${name}" (${op})`; }

  private get(where: string, x: string): GraphNode {
    const n = this.byName.get(x);
    if (!n) throw new Error(`${where}: unknown input "${x}"`);
    return n;
  }

  private feature(where: string, x: string): [number, number, number, number] {
    const s = this.get(where, x).outShape;
    if (s.length !== 4) throw new Error(`${where}: needs an [N, H, W, C] input, "${x}" is [${s.join(', ')}]`);
    return s as [number, number, number, number];
  }

  /** Appends a node; its shape comes from the op registry's inference (the input's is given). */
  private push(name: string, attrs: NodeAttrs, inputs: string[], inputShape?: Shape): string {
    const where = this.where(name, attrs.op);
    if (name === '') throw new Error(`${where}: name must not be empty`);
    if (this.byName.has(name)) throw new Error(`${where}: duplicate name, a ${this.byName.get(name)!.op} node has it`);
    let outShape: Shape;
    try {
      const spec = OP_SPECS[attrs.op] as { checkAttrs(a: NodeAttrs): void; infer(a: NodeAttrs, s: Shape[]): Shape };
      spec.checkAttrs(attrs);
      outShape = inputShape ?? spec.infer(attrs, inputs.map((i) => this.byName.get(i)!.outShape));
    } catch (e) {
      const msg = `${where}: ${(e as Error).message}`;
      throw e instanceof TypeError ? new TypeError(msg) : e instanceof RangeError ? new RangeError(msg) : new Error(msg);
    }
    const node = { ...attrs, name, inputs, outShape } as GraphNode;
    this.nodes.push(node);
    this.byName.set(name, node);
    return name;
  }
}

function isPosInt(v: number): boolean { return Number.isInteger(v) && v > 0; }

function posInt(where: string, what: string, v: number): void {
  if (!isPosInt(v)) throw new Error(`${where}: ${what} must be a positive integer, got ${v}`);
}

function size2(where: string, what: string, v: Size2): [number, number] {
  const s = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 2 ? [v[0], v[1]] : [];
  if (s.length !== 2 || !s.every(isPosInt)) {
    throw new Error(`${where}: ${what} must be a positive integer or [h, w], got ${JSON.stringify(v)}`);
  }
  return s as [number, number];
}

/** Resolves any {@link Padding} form to `[top, left, bottom, right]`. */
function resolvePad(
  where: string, p: Padding, [h, w]: [number, number], kernel: [number, number],
  stride: [number, number], dilation: [number, number],
): Pad4 {
  let pad: number[];
  if (p === 'valid') pad = [0, 0, 0, 0];
  else if (p === 'same') {
    // TensorFlow SAME: pad just enough for ceil(in / stride) outputs; the odd pixel goes last.
    const total = (i: number, n: number) => {
      const eff = dilation[i]! * (kernel[i]! - 1) + 1;
      return Math.max((Math.ceil(n / stride[i]!) - 1) * stride[i]! + eff - n, 0);
    };
    const th = total(0, h);
    const tw = total(1, w);
    pad = [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
  } else if (typeof p === 'number') pad = [p, p, p, p];
  else if (Array.isArray(p) && p.length === 2) pad = [p[0], p[1], p[0], p[1]];
  else if (Array.isArray(p) && p.length === 4) pad = p.slice();
  else throw new Error(`${where}: padding must be a number, [ph, pw], [t, l, b, r], 'same' or 'valid'`);
  if (!pad.every((v) => Number.isInteger(v) && v >= 0)) {
    throw new Error(`${where}: padding must be non-negative integers, got ${JSON.stringify(p)}`);
  }
  return pad as Pad4;
}
