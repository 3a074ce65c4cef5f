// The op registry: one entry per op of the IR, typed `satisfies Record<OpName, ...>` so adding an
// op to `NodeAttrs` makes the compiler list every field the new op lacks. Per op:
// - `arity`, `attrs`, `checkAttrs`, `infer`: the builder infers shapes through the table and
//   `validateGraph` re-infers every node of a graph that came from anywhere else (a file, an
//   importer, a hand edit), so a graph that compiles is one whose shapes its attributes give;
// - `cost`, `opClass`: the cost model's pure handler from shapes to params, MACs and bytes;
// - `lower`: how the lowering turns the node into a kernel step (which kind, what it fuses);
// - `moments`: how deterministic random weights keep activations in range through it.
// Everything here is pure data and arithmetic on shapes: no wasm, no weights, no file formats.
// What a kernel path needs at run time (runtime/net.ts) and in the host latency model
// (cost/predict.ts) is keyed by the step kind the entry names; format adapters (ONNX export,
// importers) are typed tables in their own entry points so the core bundle never carries them.

import type { Activation, GraphNode, NodeAttrs, OpName, Pad4, Shape } from './types.js';
import { expectInputs, opCost, poolTaps, zeroCost, type OpClass, type OpCost } from './op-cost.js';
import { convPath, dwPath, isDepthwise, type StepKind, type WinogradMode } from '../kernels/select.js';

/** A node narrowed to one op. */
export type NodeOf<K extends OpName> = GraphNode & { op: K };

/** How many inputs an op takes. */
export type Arity = 0 | 1 | 2 | 'many';

/** Mean and mean square of a layer's output over all its elements (see graph/weights.ts). */
export interface Moments { mean: number; ms: number }

/**
 * How the lowering treats an op:
 * - `input`, `alias` (flatten, dropout: same memory, another shape), `concat` (inputs written in
 *   place as channel slices where their producers can, else copied);
 * - a `step` of `kind` (a kernel path, or a function of the node and its input shapes), with
 *   `strided` when the kernel can write a channel slice of a wider tensor (so its output may become
 *   a concat's slice), `foldBatchnorm` when a batch norm that is its sole reader folds into it,
 *   `fuse` the activations a sole reader may fuse into its epilogue (with `fusedKind` when that
 *   changes the kernel), `act` the op's own activation (a standalone clamp), and `intoAdd` for a
 *   multiply an `add` absorbs when it is that multiply's sole reader.
 */
export type LowerRule =
  | { as: 'input' } | { as: 'alias' } | { as: 'concat' }
  | {
    as: 'step';
    kind: StepKind | ((node: GraphNode, inShapes: readonly Shape[], winograd: WinogradMode) => StepKind);
    strided?: boolean;
    foldBatchnorm?: boolean;
    /** A multiply (constant or per-channel) that an `add` reading only it absorbs into one step. */
    intoAdd?: boolean;
    fuse?: readonly ('relu' | 'relu6')[];
    fusedKind?: StepKind;
    act?: Activation;
  };

/** The registry entry of one op. */
export interface OpSpec<K extends OpName> {
  arity: Arity;
  /** Attribute keys of the node besides name, op, inputs and outShape (others are rejected). */
  attrs: readonly string[];
  /** Throws TypeError / RangeError (message without the node prefix) unless the attributes are valid. */
  checkAttrs(node: NodeAttrs & { op: K }): void;
  /** Output shape from the attributes and the input shapes; throws RangeError when they do not fit. */
  infer(node: NodeAttrs & { op: K }, inShapes: readonly Shape[]): Shape;
  /** Params, MACs, other ops and bytes of the node, from its input shapes (pure; see op-cost.ts). */
  cost(node: GraphNode & { op: K }, inShapes: readonly Shape[]): OpCost;
  /** Class for breakdowns (see OpClass), or a function of the node for ops whose class depends on shape. */
  opClass: OpClass | ((node: GraphNode & { op: K }, inShapes: readonly Shape[]) => OpClass);
  lower: LowerRule;
  /** Output moments from the inputs', for ops without weights; 'weights' for conv2d / fc / batchnorm. */
  moments: 'weights' | ((ins: readonly Moments[], node: GraphNode & { op: K }, inShapes: readonly Shape[]) => Moments);
}

/** Every op of the IR with its spec. */
export type OpSpecs = { readonly [K in OpName]: OpSpec<K> };

const isPosInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 2 ** 31;
const isNonNegInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 31;
const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));

function posInt(what: string, v: unknown): void {
  if (typeof v !== 'number') throw new TypeError(`${what} must be a positive integer, got ${show(v)}`);
  if (!isPosInt(v)) throw new RangeError(`${what} must be a positive integer, got ${show(v)}`);
}
function pairOf(what: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`${what} must be [h, w], got ${show(v)}`);
  if (!v.every(isPosInt)) throw new RangeError(`${what} must be two positive integers, got ${show(v)}`);
}
function pad4Of(what: string, v: unknown): void {
  if (!Array.isArray(v) || v.length !== 4) throw new TypeError(`${what} must be [top, left, bottom, right], got ${show(v)}`);
  if (!v.every(isNonNegInt)) throw new RangeError(`${what} must be four integers >= 0, got ${show(v)}`);
}
function bool(what: string, v: unknown): void {
  if (typeof v !== 'boolean') throw new TypeError(`${what} must be true or false, got ${show(v)}`);
}
function finiteAtLeast(what: string, v: unknown, min: number, strict = false): void {
  if (typeof v !== 'number') throw new TypeError(`${what} must be a number, got ${show(v)}`);
  if (!Number.isFinite(v) || (strict ? v <= min : v < min)) {
    throw new RangeError(`${what} must be finite and ${strict ? '>' : '>='} ${min}, got ${show(v)}`);
  }
}

function rank(inShape: Shape, r: number, what = 'input'): void {
  if (inShape.length !== r) {
    const want = r === 4 ? '[N, H, W, C]' : r === 2 ? '[N, features]' : `rank ${r}`;
    throw new RangeError(`needs an ${want} ${what}, got [${inShape.join(', ')}]`);
  }
}

/**
 * PyTorch's output size along one axis: floor((span + (ceil ? stride - 1 : 0)) / stride) + 1 with
 * span = input + padding - dilated kernel. In ceil mode the last window must start inside the
 * input or the leading padding, else it is dropped (`(out - 1) * stride >= in + padBefore`), and
 * a window may overhang the padded input by up to stride - 1 (PyTorch gives a 3x3 stride-2
 * ceil-mode pool on a 2x2 map a 1x1 output). Fewer than one output: the kernel does not fit.
 */
export function windowOutSize(axis: string, input: number, kernel: number, stride: number, dilation: number,
  padBefore: number, padAfter: number, ceil: boolean): number {
  const eff = dilation * (kernel - 1) + 1;
  const padded = input + padBefore + padAfter;
  let o = Math.floor((padded - eff + (ceil ? stride - 1 : 0)) / stride) + 1;
  if (ceil && (o - 1) * stride >= input + padBefore) o--;
  if (o < 1) {
    throw new RangeError(`output ${axis} would be ${o}: kernel ${eff}${dilation > 1 ? ' (dilated)' : ''} ` +
      `is larger than the padded input ${padded} (input ${input}, padding ${padBefore}+${padAfter})`);
  }
  return o;
}

/**
 * A pool's ceil-mode overhang: the extra bottom and right padding with which a floor-mode pool
 * (what ONNX, TFLite and tfjs pools compute) gives `outShape` on `inShape` (NHWC). [0, 0] for
 * floor mode. The exporters and peers add it to the padding; PyTorch never counts it in an
 * average's divisor.
 */
export function ceilOverhang(node: { kernel: readonly number[]; stride: readonly number[]; pad: readonly number[] },
  inShape: Shape, outShape: Shape): [number, number] {
  const [kh, kw] = node.kernel as [number, number];
  const [sh, sw] = node.stride as [number, number];
  const [pt, pl, pb, pr] = node.pad as [number, number, number, number];
  return [
    Math.max(0, (outShape[1]! - 1) * sh + kh - (inShape[1]! + pt + pb)),
    Math.max(0, (outShape[2]! - 1) * sw + kw - (inShape[2]! + pl + pr)),
  ];
}

const same = (_n: unknown, [s]: readonly Shape[]): Shape => s!.slice();
const noAttrs = (): void => {};

function checkPool(n: { kernel: unknown; stride: unknown; pad: unknown; ceil: unknown; countIncludePad: unknown }): void {
  pairOf('kernel', n.kernel);
  pairOf('stride', n.stride);
  pad4Of('pad', n.pad);
  bool('ceil', n.ceil);
  bool('countIncludePad', n.countIncludePad);
  const k = n.kernel as [number, number], p = n.pad as Pad4;
  for (let i = 0; i < 4; i++) {
    // PyTorch's own limit; beyond it a window could lie entirely in the padding.
    if (p[i]! > Math.floor(k[i % 2]! / 2)) throw new RangeError(`padding ${p[i]} exceeds half the ${k[i % 2]}-wide window`);
  }
}

const numelOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const keep = (ins: readonly Moments[]): Moments => ins[0]!;

/** Moments of max(y, 0) for y normal with y's mean and mean square (clipping at 6 ignored). */
function rectified({ mean, ms }: Moments): Moments {
  const sd = Math.sqrt(Math.max(ms - mean * mean, 1e-12));
  const z = mean / sd;
  const pdf = Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
  const cdf = 0.5 * (1 + erf(z / Math.SQRT2));
  return { mean: mean * cdf + sd * pdf, ms: ms * cdf + mean * sd * pdf };
}

/** Abramowitz & Stegun 7.1.26, |error| < 1.5e-7. */
function erf(x: number): number {
  const s = Math.sign(x);
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const p = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return s * (1 - p * Math.exp(-a * a));
}

/** The conv2d kernel path: depthwise kernels for one channel per group, else by shape (kernels/select.ts). */
function convKind(node: GraphNode, [s]: readonly Shape[], winograd: WinogradMode): StepKind {
  const n = node as GraphNode & { op: 'conv2d' };
  const geo = { ...n, inChannels: s![3]! };
  return isDepthwise(geo) ? dwPath(geo) : convPath(geo, [n.outShape[1]!, n.outShape[2]!], winograd);
}

/** The registry. */
export const OP_SPECS: OpSpecs = Object.freeze({
  input: {
    arity: 0,
    attrs: [],
    checkAttrs: noAttrs,
    // The input's shape is its own attribute: validateGraph checks it is positive integers.
    infer: () => { throw new Error('the input node has no inferred shape'); },
    cost: zeroCost,
    opClass: 'other',
    lower: { as: 'input' },
    moments: () => ({ mean: 0, ms: 1 }),
  },
  conv2d: {
    arity: 1,
    attrs: ['outChannels', 'kernel', 'stride', 'pad', 'dilation', 'groups', 'bias'],
    checkAttrs(n) {
      posInt('outChannels', n.outChannels);
      pairOf('kernel', n.kernel);
      pairOf('stride', n.stride);
      pad4Of('pad', n.pad);
      pairOf('dilation', n.dilation);
      posInt('groups', n.groups);
      bool('bias', n.bias);
    },
    infer(n, [s]) {
      rank(s!, 4);
      const [b, h, w, c] = s as [number, number, number, number];
      if (c % n.groups !== 0) throw new RangeError(`groups ${n.groups} does not divide ${c} input channels`);
      if (n.outChannels % n.groups !== 0) throw new RangeError(`groups ${n.groups} does not divide ${n.outChannels} output channels`);
      const ho = windowOutSize('height', h, n.kernel[0], n.stride[0], n.dilation[0], n.pad[0], n.pad[2], false);
      const wo = windowOutSize('width', w, n.kernel[1], n.stride[1], n.dilation[1], n.pad[1], n.pad[3], false);
      return [b, ho, wo, n.outChannels];
    },
    /**
     * params = kh*kw*(Cin/groups)*Cout (+ Cout bias); MACs = N*Ho*Wo*Cout*kh*kw*Cin/groups
     * (dilation changes where taps land, not how many); otherOps = one bias add per output.
     */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      const cin = inputShapes[0]![3]!;
      const [n, ho, wo, cout] = node.outShape as [number, number, number, number];
      const fanIn = node.kernel[0] * node.kernel[1] * (cin / node.groups);
      const params = fanIn * cout + (node.bias ? cout : 0);
      const outputs = n * ho * wo * cout;
      return opCost(params, outputs * fanIn, node.bias ? outputs : 0, inputShapes, node.outShape);
    },
    /**
     * groups === input channels → `dwconv` (checked first, so a 1x1 depthwise conv is `dwconv`),
     * else 1 x 1 kernel → `conv1x1`, else `conv`.
     */
    opClass(node, inputShapes) {
      if (node.groups === inputShapes[0]?.at(-1)) return 'dwconv';
      return node.kernel[0] === 1 && node.kernel[1] === 1 ? 'conv1x1' : 'conv';
    },
    lower: { as: 'step', kind: convKind, strided: true, foldBatchnorm: true, fuse: ['relu', 'relu6'] },
    moments: 'weights',
  },
  batchnorm: {
    arity: 1,
    attrs: ['eps'],
    checkAttrs(n) { finiteAtLeast('eps', n.eps, 0, true); },
    infer: same,
    /**
     * params = 2C (gamma, beta); otherOps = 2 per element: inference batchnorm is
     * y = x * scale + shift with scale and shift precomputed per channel (ptflops counts the same).
     */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      const c = node.outShape.at(-1)!;
      return opCost(2 * c, 0, 2 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'scale_shift', fuse: ['relu', 'relu6'] },
    moments: 'weights',
  },
  relu: {
    arity: 1, attrs: [], checkAttrs: noAttrs, infer: same,
    /** otherOps = 1 per element: max(x, 0). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'clamp', act: 'relu' },
    moments: (ins) => rectified(ins[0]!),
  },
  relu6: {
    arity: 1, attrs: [], checkAttrs: noAttrs, infer: same,
    /** otherOps = 2 per element: max(x, 0) then min(., 6). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, 2 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'clamp', act: 'relu6' },
    moments: (ins) => rectified(ins[0]!),
  },
  maxpool: {
    arity: 1,
    attrs: ['kernel', 'stride', 'pad', 'ceil', 'countIncludePad'],
    checkAttrs: checkPool,
    infer: (n, [s]) => poolShape(n, s!),
    /** otherOps = comparisons: (valid taps - 1) per window, per (n, c). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      const [n, ho, wo, c] = node.outShape as [number, number, number, number];
      const compares = n * c * (poolTaps(node, inputShapes[0]!) - ho * wo);
      return opCost(0, 0, compares, inputShapes, node.outShape);
    },
    opClass: 'pool',
    lower: { as: 'step', kind: 'maxpool', strided: true },
    // E[max^2] of k*k rectified normals grows roughly like 1 + ln(k*k); an estimate is enough.
    moments([x], node) {
      const f = 1 + Math.log(node.kernel[0] * node.kernel[1]);
      return { mean: x!.mean * Math.sqrt(f), ms: x!.ms * f };
    },
  },
  avgpool: {
    arity: 1,
    attrs: ['kernel', 'stride', 'pad', 'ceil', 'countIncludePad'],
    checkAttrs: checkPool,
    infer: (n, [s]) => poolShape(n, s!),
    /** otherOps = valid taps per window: (taps - 1) adds + 1 multiply by the reciprocal divisor. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      const [n, , , c] = node.outShape as [number, number, number, number];
      return opCost(0, 0, n * c * poolTaps(node, inputShapes[0]!), inputShapes, node.outShape);
    },
    opClass: 'pool',
    lower: { as: 'step', kind: 'avgpool', strided: true },
    // Averaging lowers only the variance part, by a factor that depends on spatial correlation;
    // keeping it errs towards smaller, never larger, activations downstream.
    moments: keep,
  },
  globalavgpool: {
    arity: 1, attrs: [], checkAttrs: noAttrs,
    infer(_n, [s]) { rank(s!, 4); return [s![0]!, 1, 1, s![3]!]; },
    /** otherOps = H*W per (n, c): H*W - 1 adds + 1 multiply; i.e. one op per input element. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      return opCost(0, 0, numelOf(inputShapes[0]!), inputShapes, node.outShape);
    },
    opClass: 'pool',
    lower: { as: 'step', kind: 'global_avgpool', strided: true },
    moments: keep,
  },
  add: {
    arity: 2, attrs: [], checkAttrs: noAttrs,
    infer(_n, [a, b]) {
      if (a!.length !== b!.length || a!.some((d, i) => d !== b![i])) {
        const i = a!.length !== b!.length ? -1 : a!.findIndex((d, j) => d !== b![j]);
        const what = i < 0 ? 'rank' : i === a!.length - 1 ? 'channel' : i === 0 ? 'batch' : 'spatial';
        throw new RangeError(`${what} mismatch: inputs are [${a!.join(', ')}] and [${b!.join(', ')}] (no broadcasting)`);
      }
      return a!.slice();
    },
    /** otherOps = (inputs - 1) adds per output element. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 'any');
      return opCost(0, 0, (inputShapes.length - 1) * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'add', fuse: ['relu'], fusedKind: 'add_relu' },
    moments: ([a, b]) => ({ mean: a!.mean + b!.mean, ms: a!.ms + b!.ms + 2 * a!.mean * b!.mean }),
  },
  concat: {
    arity: 'many', attrs: [], checkAttrs: noAttrs,
    infer(_n, shapes) {
      const first = shapes[0]!;
      let channels = 0;
      shapes.forEach((s, i) => {
        const bad = s.length !== first.length || s.some((d, j) => j < s.length - 1 && d !== first[j]);
        if (bad) {
          const what = s.length !== first.length ? 'rank' : s[0] !== first[0] ? 'batch' : 'spatial size';
          throw new RangeError(`${what} mismatch: input 0 is [${first.join(', ')}] and input ${i} is [${s.join(', ')}]`);
        }
        channels += s[s.length - 1]!;
      });
      return [...first.slice(0, -1), channels];
    },
    /**
     * No arithmetic. Counted as a copy (read every input, write the output), the graph-level
     * semantics; the runtime may elide the copy by having producers write into channel slices,
     * in which case a latency model can treat concat as free.
     */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 'any');
      return opCost(0, 0, 0, inputShapes, node.outShape);
    },
    opClass: 'other',
    lower: { as: 'concat' },
    moments(ins, _node, inShapes) {
      let mean = 0, ms = 0, c = 0;
      ins.forEach((m, i) => { const ci = inShapes[i]!.at(-1)!; mean += m.mean * ci; ms += m.ms * ci; c += ci; });
      return { mean: mean / c, ms: ms / c };
    },
  },
  lrn: {
    arity: 1,
    attrs: ['size', 'alpha', 'beta', 'k'],
    checkAttrs(n) {
      posInt('size', n.size);
      finiteAtLeast('alpha', n.alpha, 0);
      finiteAtLeast('beta', n.beta, 0);
      finiteAtLeast('k', n.k, 0);
    },
    infer(_n, [s]) { rank(s!, 4); return s!.slice(); },
    /**
     * Across-channel LRN, b = a / (k + alpha/size * sum(a^2))^beta, per element: 1 square,
     * size - 1 adds for the window sum (PyTorch zero-pads the channel ends, so every window has
     * `size` taps), 1 multiply by alpha/size, 1 add of k, 1 pow, 1 divide = size + 4.
     */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, (node.size + 4) * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'other',
    lower: { as: 'step', kind: 'lrn' },
    // alpha * sum(a^2) is ~1e-4 of k at unit scale, so LRN divides by about k^beta.
    moments: ([x], n) => ({ mean: x!.mean / n.k ** n.beta, ms: x!.ms / n.k ** (2 * n.beta) }),
  },
  flatten: {
    arity: 1, attrs: [], checkAttrs: noAttrs,
    infer(_n, [s]) {
      if (s!.length < 2) throw new RangeError(`needs rank >= 2, got [${s!.join(', ')}]`);
      return [s![0]!, s!.slice(1).reduce((a, b) => a * b, 1)];
    },
    cost: zeroCost,
    opClass: 'other',
    lower: { as: 'alias' },
    moments: keep,
  },
  fc: {
    arity: 1,
    attrs: ['outFeatures', 'bias'],
    checkAttrs(n) { posInt('outFeatures', n.outFeatures); bool('bias', n.bias); },
    infer(n, [s]) {
      if (s!.length !== 2) throw new RangeError(`needs [N, features], got [${s!.join(', ')}]; flatten first`);
      return [s![0]!, n.outFeatures];
    },
    /** params = in*out (+ out bias); MACs = N*in*out; otherOps = one bias add per output. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 2);
      const [n, inF] = inputShapes[0] as [number, number];
      const params = inF * node.outFeatures + (node.bias ? node.outFeatures : 0);
      const outputs = n * node.outFeatures;
      return opCost(params, outputs * inF, node.bias ? outputs : 0, inputShapes, node.outShape);
    },
    opClass: 'fc',
    lower: { as: 'step', kind: (n) => (n.outShape[0] === 1 ? 'gemv' : 'gemm'), fuse: ['relu', 'relu6'] },
    moments: 'weights',
  },
  dropout: {
    arity: 1,
    attrs: ['p'],
    checkAttrs(n) {
      if (typeof n.p !== 'number') throw new TypeError(`p must be a number, got ${show(n.p)}`);
      if (!(n.p >= 0 && n.p < 1)) throw new RangeError(`p must be in [0, 1), got ${n.p}`);
    },
    infer: same,
    cost: zeroCost,
    opClass: 'other',
    lower: { as: 'alias' },
    moments: keep,
  },
  softmax: {
    arity: 1, attrs: [], checkAttrs: noAttrs, infer: same,
    /**
     * Over the last axis, length C, per row: C - 1 compares (max), C subtracts, C exps,
     * C - 1 adds (sum), C divides = 5C - 2.
     */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      const c = node.outShape.at(-1)!;
      const rows = numelOf(node.outShape) / c;
      return opCost(0, 0, rows * (5 * c - 2), inputShapes, node.outShape);
    },
    opClass: 'other',
    lower: { as: 'step', kind: 'softmax' },
    moments(_ins, node) {
      const c = node.outShape.at(-1)!;
      return { mean: 1 / c, ms: 1 / (c * c) };
    },
  },
  channelmul: {
    arity: 2, attrs: [], checkAttrs: noAttrs,
    infer(_n, [a, s]) {
      if (a!.length !== 4 || s!.length !== 4) throw new RangeError(`inputs must be [N, H, W, C] and [N, 1, 1, C], got [${a!.join(', ')}] and [${s!.join(', ')}]`);
      if (s![0] !== a![0] || s![1] !== 1 || s![2] !== 1 || s![3] !== a![3]) {
        throw new RangeError(`the scale must be [${a![0]}, 1, 1, ${a![3]}] for an input [${a!.join(', ')}], got [${s!.join(', ')}]`);
      }
      return a!.slice();
    },
    /** otherOps = 1 multiply per output element. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 2);
      return opCost(0, 0, numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'channel_mul', intoAdd: true },
    moments: ([a, s]) => ({ mean: a!.mean * s!.mean, ms: a!.ms * s!.ms }),
  },
  sigmoid: {
    arity: 1, attrs: [], checkAttrs: noAttrs, infer: same,
    /** otherOps = 4 per element: negate, exp, add 1, divide. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, 4 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'sigmoid' },
    // sigma(x) ~ 1/2 + x/4 near 0: mean 1/2 + mean/4, mean square 1/4 + mean/4 + ms/16 (and <= 1)
    moments: ([x]) => ({ mean: 0.5 + x!.mean / 4, ms: Math.min(1, 0.25 + x!.mean / 4 + x!.ms / 16) }),
  },
  leakyrelu: {
    arity: 1, attrs: ['alpha'],
    checkAttrs(n) {
      if (typeof n.alpha !== 'number') throw new TypeError(`alpha must be a number, got ${show(n.alpha)}`);
      if (!Number.isFinite(n.alpha)) throw new RangeError(`alpha must be finite, got ${n.alpha}`);
    },
    infer: same,
    /** otherOps = 3 per element: max(x, 0) + alpha * min(x, 0). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, 3 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'leaky_relu' },
    moments([x], n) {
      const r = rectified(x!);
      // max(x, 0) + alpha min(x, 0): the negative part is x - max(x, 0)
      const mean = r.mean + n.alpha * (x!.mean - r.mean);
      return { mean, ms: r.ms + n.alpha * n.alpha * (x!.ms - r.ms) };
    },
  },
  clip: {
    arity: 1, attrs: ['min', 'max'],
    checkAttrs(n) {
      if (typeof n.min !== 'number' || typeof n.max !== 'number') throw new TypeError(`min and max must be numbers, got ${show(n.min)}, ${show(n.max)}`);
      if (Number.isNaN(n.min) || Number.isNaN(n.max) || n.min > n.max) throw new RangeError(`min must be <= max, got ${n.min}, ${n.max}`);
    },
    infer: same,
    /** otherOps = 2 per element: max then min. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, 2 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'clamp' },
    // clipping only shrinks: keep the input's moments, bounded by the bounds' squares where finite
    moments: ([x], n) => ({ mean: Math.min(Math.max(x!.mean, n.min), n.max), ms: Math.min(x!.ms, Math.max(n.min * n.min, n.max * n.max)) }),
  },
  globalmaxpool: {
    arity: 1, attrs: [], checkAttrs: noAttrs,
    infer(_n, [s]) { rank(s!, 4); return [s![0]!, 1, 1, s![3]!]; },
    /** otherOps = H*W - 1 compares per (n, c). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      const [n, h, w, c] = inputShapes[0] as [number, number, number, number];
      return opCost(0, 0, n * c * (h * w - 1), inputShapes, node.outShape);
    },
    opClass: 'pool',
    lower: { as: 'step', kind: 'global_maxpool', strided: true },
    // E[max^2] of H*W samples grows roughly like 1 + ln(H*W), as for max pooling
    moments([x], _n, [s]) {
      const f = 1 + Math.log(s![1]! * s![2]!);
      return { mean: x!.mean * Math.sqrt(f), ms: x!.ms * f };
    },
  },
  scaleshift: {
    arity: 1, attrs: [], checkAttrs: noAttrs, infer: same,
    /** params = 2C (scale, shift); otherOps = 2 per element: a multiply and an add. */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      const c = node.outShape.at(-1)!;
      return opCost(2 * c, 0, 2 * numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'scale_shift', fuse: ['relu', 'relu6'] },
    moments: 'weights',
  },
  scale: {
    arity: 1, attrs: ['factor'],
    checkAttrs(n) {
      if (typeof n.factor !== 'number') throw new TypeError(`factor must be a number, got ${show(n.factor)}`);
      if (!Number.isFinite(n.factor)) throw new RangeError(`factor must be finite, got ${n.factor}`);
    },
    infer: same,
    /** otherOps = 1 multiply per element (also when an add absorbs it: the multiply still happens). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1);
      return opCost(0, 0, numelOf(node.outShape), inputShapes, node.outShape);
    },
    opClass: 'eltwise',
    lower: { as: 'step', kind: 'scale', intoAdd: true },
    moments: ([x], n) => ({ mean: x!.mean * n.factor, ms: x!.ms * n.factor * n.factor }),
  },
  channelshuffle: {
    arity: 1, attrs: ['groups'],
    checkAttrs(n) { posInt('groups', n.groups); },
    infer(n, [s]) {
      rank(s!, 4);
      if (s![3]! % n.groups !== 0) throw new RangeError(`groups ${n.groups} does not divide ${s![3]} channels`);
      return s!.slice();
    },
    /** No arithmetic: a copy (read every element, write it elsewhere). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      return opCost(0, 0, 0, inputShapes, node.outShape);
    },
    opClass: 'other',
    lower: { as: 'step', kind: 'channel_shuffle' },
    moments: keep,
  },
  channelslice: {
    arity: 1, attrs: ['start', 'end'],
    checkAttrs(n) {
      if (!isNonNegInt(n.start)) throw new RangeError(`start must be an integer >= 0, got ${show(n.start)}`);
      posInt('end', n.end);
      if (n.end <= n.start) throw new RangeError(`end (${n.end}) must be greater than start (${n.start})`);
    },
    infer(n, [s]) {
      rank(s!, 4);
      if (n.end > s![3]!) throw new RangeError(`channels [${n.start}, ${n.end}) exceed the input's ${s![3]}`);
      return [s![0]!, s![1]!, s![2]!, n.end - n.start];
    },
    /** No arithmetic: a copy of the slice (read it, write it). */
    cost(node, inputShapes) {
      expectInputs(node, inputShapes, 1, 4);
      return opCost(0, 0, 0, [node.outShape], node.outShape);
    },
    opClass: 'other',
    lower: { as: 'step', kind: 'channel_slice', strided: true },
    moments: keep,
  },
} satisfies OpSpecs);

function poolShape(n: NodeAttrs & { op: 'maxpool' | 'avgpool' }, s: Shape): Shape {
  rank(s, 4);
  const [b, h, w, c] = s as [number, number, number, number];
  const ho = windowOutSize('height', h, n.kernel[0], n.stride[0], 1, n.pad[0], n.pad[2], n.ceil);
  const wo = windowOutSize('width', w, n.kernel[1], n.stride[1], 1, n.pad[1], n.pad[3], n.ceil);
  return [b, ho, wo, c];
}

/** True for an op of the IR (own keys only: `toString` is not an op). */
export function isOpName(op: unknown): op is OpName {
  return typeof op === 'string' && Object.prototype.hasOwnProperty.call(OP_SPECS, op);
}

/** Every op name of the IR. */
export const OP_NAMES: readonly OpName[] = Object.freeze(Object.keys(OP_SPECS) as OpName[]);

/** The spec of an op (typed by the op). */
export function opSpec<K extends OpName>(op: K): OpSpec<K> {
  return OP_SPECS[op] as unknown as OpSpec<K>;
}

/** Product of the dimensions of a shape (1 for a scalar). */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
