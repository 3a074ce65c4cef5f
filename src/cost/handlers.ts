// Per-op cost handlers: one pure function per op type, from a node's attributes and its input
// shapes to parameters, multiply-adds, other arithmetic and bytes moved (fvcore / thop / ptflops
// style). Units, once: 1 MAC = one multiply-add; FLOPs = 2 x MACs; f32 = 4 bytes.
//
// Conventions (the torchvision / paper ones, so totals match published tables):
// - MACs only in conv2d and fc: conv = N*Ho*Wo*Cout*kh*kw*Cin/groups, fc = N*in*out.
//   Bias adds are not MACs; they are counted in `otherOps`, like every other non-MAC operation.
// - Params: conv and fc weights (+ bias), batchnorm gamma + beta (2C). Running mean / variance
//   are buffers, not parameters (torchvision's `num_params`).
// - Bytes are the compulsory traffic of one layer run in isolation with an ideal cache: every
//   input activation read once (`readBytes`), the output written once (`writeBytes`), every
//   parameter read once (`weightBytes` = params x 4). Re-reads caused by tiling are the latency
//   model's business, not this table's.
// - `otherOps` counts elementary operations (one compare, add, multiply, divide, exp or pow each)
//   of the non-MAC work, per op as documented on each handler.

import type { GraphNode, OpName, Shape } from '../graph/types.js';
import { numel, type NodeOf } from '../graph/ops.js';

export type { NodeOf };

/** Bytes per f32 element. */
export const F32_BYTES = 4;

/** What one node costs. Counts are for the node's own shapes, so they include the batch N. */
export interface OpCost {
  /** Learnable parameters (weights + biases; batchnorm gamma + beta). */
  params: number;
  /** Multiply-adds (conv2d and fc only). FLOPs = 2 x MACs. */
  macs: number;
  /** Non-MAC elementary operations: bias adds, compares, adds, exps, ... never folded into macs. */
  otherOps: number;
  /** params x 4 bytes. */
  weightBytes: number;
  /** Input activations read, bytes (each input element once). */
  readBytes: number;
  /** Output written, bytes. */
  writeBytes: number;
}


/** A cost handler: pure, from a node and the output shapes of its inputs (in order) to its cost. */
export type CostHandler<K extends OpName = OpName> = (node: NodeOf<K>, inputShapes: readonly Shape[]) => OpCost;

/** The handler table type: exactly one handler per op of the IR. */
export type CostHandlers = { readonly [K in OpName]: CostHandler<K> };

/**
 * Ops that cost nothing: `input` (the caller supplies the tensor), `flatten` (an NHWC reshape,
 * its output aliases its input) and `dropout` (identity at inference, also an alias).
 */
export const ZERO_COST_OPS = Object.freeze(['input', 'flatten', 'dropout'] as const);

const ZERO: OpCost = Object.freeze({ params: 0, macs: 0, otherOps: 0, weightBytes: 0, readBytes: 0, writeBytes: 0 });

const zeroCost = (): OpCost => ({ ...ZERO });

function cost(params: number, macs: number, otherOps: number, inputShapes: readonly Shape[], outShape: Shape): OpCost {
  let read = 0;
  for (const s of inputShapes) read += numel(s);
  return {
    params, macs, otherOps,
    weightBytes: params * F32_BYTES,
    readBytes: read * F32_BYTES,
    writeBytes: numel(outShape) * F32_BYTES,
  };
}

/** Throws unless there are exactly `count` inputs, each of rank `rank` (if given). */
function expectInputs(node: GraphNode, inputShapes: readonly Shape[], count: number | 'any', rank?: number): void {
  const where = `layer "${node.name}" (${node.op})`;
  if (count !== 'any' && inputShapes.length !== count) {
    throw new Error(`${where}: cost needs ${count} input shape(s), got ${inputShapes.length}`);
  }
  if (count === 'any' && inputShapes.length === 0) throw new Error(`${where}: cost needs at least one input shape`);
  if (rank !== undefined) {
    for (const s of inputShapes) {
      if (s.length !== rank) throw new Error(`${where}: cost needs rank-${rank} inputs, got [${s.join(', ')}]`);
    }
  }
}

/**
 * Sum over the output positions along one axis of the number of window taps that fall inside
 * the input. Padded taps are never compared (max: PyTorch pads with -inf) nor added (avg: the
 * padded zeros are skipped; only the divisor depends on `countIncludePad`). Ceil-mode windows
 * that run past the end are clipped the same way.
 */
function validTaps(inSize: number, outSize: number, k: number, stride: number, padBefore: number): number {
  let sum = 0;
  for (let o = 0; o < outSize; o++) {
    const start = o * stride - padBefore;
    sum += Math.max(Math.min(start + k, inSize) - Math.max(start, 0), 0);
  }
  return sum;
}

/**
 * Valid taps summed over every window of a 2-D pool, per (n, c) plane. A window's taps are
 * rows x cols, so the sum over all windows factors into (sum over rows) x (sum over cols).
 */
function poolTaps(node: NodeOf<'maxpool' | 'avgpool'>, inShape: Shape): number {
  const [, h, w] = inShape as [number, number, number, number];
  const [, ho, wo] = node.outShape as [number, number, number, number];
  return validTaps(h, ho, node.kernel[0], node.stride[0], node.pad[0]) *
    validTaps(w, wo, node.kernel[1], node.stride[1], node.pad[1]);
}

/**
 * One pure handler per op. Look ops up through {@link costOf}, which rejects unknown ones.
 */
export const COST_HANDLERS: CostHandlers = Object.freeze({
  input: zeroCost,
  flatten: zeroCost,
  dropout: zeroCost,

  /**
   * params = kh*kw*(Cin/groups)*Cout (+ Cout bias); MACs = N*Ho*Wo*Cout*kh*kw*Cin/groups
   * (dilation changes where taps land, not how many); otherOps = one bias add per output.
   */
  conv2d(node, inputShapes) {
    expectInputs(node, inputShapes, 1, 4);
    const cin = inputShapes[0]![3]!;
    const [n, ho, wo, cout] = node.outShape as [number, number, number, number];
    const fanIn = node.kernel[0] * node.kernel[1] * (cin / node.groups);
    const params = fanIn * cout + (node.bias ? cout : 0);
    const outputs = n * ho * wo * cout;
    return cost(params, outputs * fanIn, node.bias ? outputs : 0, inputShapes, node.outShape);
  },

  /** params = in*out (+ out bias); MACs = N*in*out; otherOps = one bias add per output. */
  fc(node, inputShapes) {
    expectInputs(node, inputShapes, 1, 2);
    const [n, inF] = inputShapes[0] as [number, number];
    const params = inF * node.outFeatures + (node.bias ? node.outFeatures : 0);
    const outputs = n * node.outFeatures;
    return cost(params, outputs * inF, node.bias ? outputs : 0, inputShapes, node.outShape);
  },

  /**
   * params = 2C (gamma, beta); otherOps = 2 per element: inference batchnorm is
   * y = x * scale + shift with scale and shift precomputed per channel (ptflops counts the same).
   */
  batchnorm(node, inputShapes) {
    expectInputs(node, inputShapes, 1);
    const c = node.outShape.at(-1)!;
    return cost(2 * c, 0, 2 * numel(node.outShape), inputShapes, node.outShape);
  },

  /** otherOps = 1 per element: max(x, 0). */
  relu(node, inputShapes) {
    expectInputs(node, inputShapes, 1);
    return cost(0, 0, numel(node.outShape), inputShapes, node.outShape);
  },

  /** otherOps = 2 per element: max(x, 0) then min(., 6). */
  relu6(node, inputShapes) {
    expectInputs(node, inputShapes, 1);
    return cost(0, 0, 2 * numel(node.outShape), inputShapes, node.outShape);
  },

  /** otherOps = comparisons: (valid taps - 1) per window, per (n, c). */
  maxpool(node, inputShapes) {
    expectInputs(node, inputShapes, 1, 4);
    const [n, ho, wo, c] = node.outShape as [number, number, number, number];
    const compares = n * c * (poolTaps(node, inputShapes[0]!) - ho * wo);
    return cost(0, 0, compares, inputShapes, node.outShape);
  },

  /** otherOps = valid taps per window: (taps - 1) adds + 1 multiply by the reciprocal divisor. */
  avgpool(node, inputShapes) {
    expectInputs(node, inputShapes, 1, 4);
    const [n, , , c] = node.outShape as [number, number, number, number];
    return cost(0, 0, n * c * poolTaps(node, inputShapes[0]!), inputShapes, node.outShape);
  },

  /** otherOps = H*W per (n, c): H*W - 1 adds + 1 multiply; i.e. one op per input element. */
  globalavgpool(node, inputShapes) {
    expectInputs(node, inputShapes, 1, 4);
    return cost(0, 0, numel(inputShapes[0]!), inputShapes, node.outShape);
  },

  /** otherOps = (inputs - 1) adds per output element. */
  add(node, inputShapes) {
    expectInputs(node, inputShapes, 'any');
    return cost(0, 0, (inputShapes.length - 1) * numel(node.outShape), inputShapes, node.outShape);
  },

  /**
   * No arithmetic. Counted as a copy (read every input, write the output), the graph-level
   * semantics; the runtime may elide the copy by having producers write into channel slices,
   * in which case a latency model can treat concat as free.
   */
  concat(node, inputShapes) {
    expectInputs(node, inputShapes, 'any');
    return cost(0, 0, 0, inputShapes, node.outShape);
  },

  /**
   * Across-channel LRN, b = a / (k + alpha/size * sum(a^2))^beta, per element: 1 square,
   * size - 1 adds for the window sum (PyTorch zero-pads the channel ends, so every window has
   * `size` taps), 1 multiply by alpha/size, 1 add of k, 1 pow, 1 divide = size + 4.
   */
  lrn(node, inputShapes) {
    expectInputs(node, inputShapes, 1);
    return cost(0, 0, (node.size + 4) * numel(node.outShape), inputShapes, node.outShape);
  },

  /**
   * Over the last axis, length C, per row: C - 1 compares (max), C subtracts, C exps,
   * C - 1 adds (sum), C divides = 5C - 2.
   */
  softmax(node, inputShapes) {
    expectInputs(node, inputShapes, 1);
    const c = node.outShape.at(-1)!;
    const rows = numel(node.outShape) / c;
    return cost(0, 0, rows * (5 * c - 2), inputShapes, node.outShape);
  },
} satisfies CostHandlers);

/** True if the table has a handler for `op` (own keys only: `toString` is not an op). */
export function hasCostHandler(op: string): op is OpName {
  return Object.prototype.hasOwnProperty.call(COST_HANDLERS, op);
}

/**
 * The cost of one node given its input shapes, through {@link COST_HANDLERS}.
 * @throws Error `layer "<name>" (<op>): no cost handler for op "<op>"` for an op not in the table.
 */
export function costOf(node: GraphNode, inputShapes: readonly Shape[]): OpCost {
  const op: string = node.op;
  if (!hasCostHandler(op)) {
    throw new Error(`layer "${node.name}" (${op}): no cost handler for op "${op}"; known ops: ` +
      `${Object.keys(COST_HANDLERS).join(', ')}`);
  }
  const handler = COST_HANDLERS[op] as unknown as CostHandler;
  return handler(node, inputShapes);
}
