// The graph-level op registry: per op, its arity, the checks its attributes must pass and its
// shape inference. The builder infers shapes through this table and `validateGraph` re-infers
// every node of a graph that came from anywhere else (a file, an importer, a hand edit), so a
// graph that compiles is one whose shapes are what its attributes say.
//
// The other per-op tables (cost handlers, lowering, ONNX export) are keyed by the same `OpName`
// and typed `satisfies Record<OpName, ...>`: adding an op to `NodeAttrs` makes the compiler list
// every table that lacks it. They live in their own layers (cost, lowering, export) so that
// running a network never bundles the cost model or protobuf code.

import type { GraphNode, NodeAttrs, OpName, Pad4, Shape } from './types.js';

/** A node narrowed to one op. */
export type NodeOf<K extends OpName> = GraphNode & { op: K };

/** How many inputs an op takes. */
export type Arity = 0 | 1 | 2 | 'many';

/** The graph-level facts of one op. */
export interface OpSpec<K extends OpName> {
  arity: Arity;
  /** Throws TypeError / RangeError (message without the node prefix) unless the attributes are valid. */
  checkAttrs(node: NodeAttrs & { op: K }): void;
  /** Output shape from the attributes and the input shapes; throws RangeError when they do not fit. */
  infer(node: NodeAttrs & { op: K }, inShapes: readonly Shape[]): Shape;
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

/** The registry. */
export const OP_SPECS: OpSpecs = Object.freeze({
  input: {
    arity: 0,
    checkAttrs: noAttrs,
    // The input's shape is its own attribute: validateGraph checks it is positive integers.
    infer: () => { throw new Error('the input node has no inferred shape'); },
  },
  conv2d: {
    arity: 1,
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
  },
  batchnorm: {
    arity: 1,
    checkAttrs(n) { finiteAtLeast('eps', n.eps, 0, true); },
    infer: same,
  },
  relu: { arity: 1, checkAttrs: noAttrs, infer: same },
  relu6: { arity: 1, checkAttrs: noAttrs, infer: same },
  maxpool: {
    arity: 1,
    checkAttrs: checkPool,
    infer: (n, [s]) => poolShape(n, s!),
  },
  avgpool: {
    arity: 1,
    checkAttrs: checkPool,
    infer: (n, [s]) => poolShape(n, s!),
  },
  globalavgpool: {
    arity: 1,
    checkAttrs: noAttrs,
    infer(_n, [s]) { rank(s!, 4); return [s![0]!, 1, 1, s![3]!]; },
  },
  add: {
    arity: 2,
    checkAttrs: noAttrs,
    infer(_n, [a, b]) {
      if (a!.length !== b!.length || a!.some((d, i) => d !== b![i])) {
        const i = a!.length !== b!.length ? -1 : a!.findIndex((d, j) => d !== b![j]);
        const what = i < 0 ? 'rank' : i === a!.length - 1 ? 'channel' : i === 0 ? 'batch' : 'spatial';
        throw new RangeError(`${what} mismatch: inputs are [${a!.join(', ')}] and [${b!.join(', ')}] (no broadcasting)`);
      }
      return a!.slice();
    },
  },
  concat: {
    arity: 'many',
    checkAttrs: noAttrs,
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
  },
  lrn: {
    arity: 1,
    checkAttrs(n) {
      posInt('size', n.size);
      finiteAtLeast('alpha', n.alpha, 0);
      finiteAtLeast('beta', n.beta, 0);
      finiteAtLeast('k', n.k, 0);
    },
    infer(_n, [s]) { rank(s!, 4); return s!.slice(); },
  },
  flatten: {
    arity: 1,
    checkAttrs: noAttrs,
    infer(_n, [s]) {
      if (s!.length < 2) throw new RangeError(`needs rank >= 2, got [${s!.join(', ')}]`);
      return [s![0]!, s!.slice(1).reduce((a, b) => a * b, 1)];
    },
  },
  fc: {
    arity: 1,
    checkAttrs(n) { posInt('outFeatures', n.outFeatures); bool('bias', n.bias); },
    infer(n, [s]) {
      if (s!.length !== 2) throw new RangeError(`needs [N, features], got [${s!.join(', ')}]; flatten first`);
      return [s![0]!, n.outFeatures];
    },
  },
  dropout: {
    arity: 1,
    checkAttrs(n) {
      if (typeof n.p !== 'number') throw new TypeError(`p must be a number, got ${show(n.p)}`);
      if (!(n.p >= 0 && n.p < 1)) throw new RangeError(`p must be in [0, 1), got ${n.p}`);
    },
    infer: same,
  },
  softmax: { arity: 1, checkAttrs: noAttrs, infer: same },
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
