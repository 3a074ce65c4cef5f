// The weight checks the exporters share: a layer's dense weights present, typed and matching its
// bias flag, and each array of the length its layer needs.

import type { GraphNode } from './types.js';
import type { ConvWeights, FcWeights, LayerWeights } from './weights.js';

/** A conv2d / fc layer's { weight, bias? }, as its `bias` flag says; TypeError naming what is wrong. */
export function denseWeights<T extends ConvWeights | FcWeights>(weights: Map<string, LayerWeights>, node: GraphNode, bias: boolean): T {
  const w = weights.get(node.name) as T | undefined;
  if (!w) throw new TypeError(`no weights: expected { weight, bias? } under "${node.name}"`);
  if (!(w.weight instanceof Float32Array)) throw new TypeError('weights have no Float32Array `weight`');
  if (bias && !(w.bias instanceof Float32Array)) throw new TypeError('the node has bias: true but its weights have no Float32Array `bias`');
  if (!bias && w.bias != null) throw new TypeError('the node has bias: false but its weights have a `bias`');
  return w;
}

/** `a` is a Float32Array of `n` elements (and, with `finite`, no NaN or infinity): TypeError / RangeError naming `what`. */
export function checkLength(a: unknown, n: number, what: string, finite = false): asserts a is Float32Array {
  if (!(a instanceof Float32Array)) throw new TypeError(`${what} must be a Float32Array`);
  if (a.length !== n) throw new RangeError(`${what} has ${a.length} elements, expected ${n}`);
  if (!finite) return;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]!)) throw new RangeError(`${what}[${i}] is ${a[i]}; weights must be finite`);
  }
}
