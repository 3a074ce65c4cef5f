// The vocabulary of per-op cost: what one node costs and which class it belongs to, and the
// helpers the registry's cost handlers share. Units, once: 1 MAC = one multiply-add;
// FLOPs = 2 x MACs; f32 = 4 bytes.
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

import type { GraphNode, Shape } from './types.js';

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

/**
 * Layer classes for breakdowns:
 * - `conv`: k x k conv2d (k > 1 in either axis), dense or grouped;
 * - `conv1x1`: 1 x 1 conv2d (pointwise), dense or grouped;
 * - `dwconv`: conv2d with groups = input channels (any kernel, any multiplier);
 * - `fc`: fully connected;
 * - `pool`: max / average / global average pooling;
 * - `eltwise`: add, relu, relu6, batchnorm;
 * - `other`: concat, lrn, softmax, flatten, dropout, input.
 *
 * Batchnorm is `eltwise`: at inference it is a per-element multiply-add with per-channel
 * constants, the same memory-bound shape of work as relu or add (and usually folded into the
 * preceding conv by the runtime); its 2C parameters are small next to any conv's.
 */
export type OpClass = 'conv' | 'conv1x1' | 'dwconv' | 'fc' | 'pool' | 'eltwise' | 'other';

/** Every class, in report order. */
export const OP_CLASSES: readonly OpClass[] = Object.freeze(
  ['conv', 'conv1x1', 'dwconv', 'fc', 'pool', 'eltwise', 'other'] as const);

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** An OpCost from params, MACs and other ops, with the compulsory bytes of the shapes. */
export function opCost(params: number, macs: number, otherOps: number, inputShapes: readonly Shape[], outShape: Shape): OpCost {
  let read = 0;
  for (const s of inputShapes) read += numelOf(s);
  return {
    params, macs, otherOps,
    weightBytes: params * F32_BYTES,
    readBytes: read * F32_BYTES,
    writeBytes: numelOf(outShape) * F32_BYTES,
  };
}

/** The cost of an op that moves nothing (input, and the aliases flatten / dropout). */
export const zeroCost = (): OpCost => ({ params: 0, macs: 0, otherOps: 0, weightBytes: 0, readBytes: 0, writeBytes: 0 });

/** Throws unless there are exactly `count` inputs, each of rank `rank` (if given). */
export function expectInputs(node: GraphNode, inputShapes: readonly Shape[], count: number | 'any', rank?: number): void {
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
export function poolTaps(node: { kernel: [number, number]; stride: [number, number]; pad: [number, number, number, number]; outShape: Shape }, inShape: Shape): number {
  const [, h, w] = inShape as [number, number, number, number];
  const [, ho, wo] = node.outShape as [number, number, number, number];
  return validTaps(h, ho, node.kernel[0], node.stride[0], node.pad[0]) *
    validTaps(w, wo, node.kernel[1], node.stride[1], node.pad[1]);
}
