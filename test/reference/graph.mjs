// The whole-network oracle: runs a graph straight from the builder's IR (src/graph/types.ts),
// one node at a time, with the naive reference ops of ops.mjs. No batchnorm folding, no
// activation fusion, no memory planning: each node is the textbook op on its inputs, so the
// compiled runtime (src/runtime/) can be judged against it layer by layer.
//
// Tensors are NHWC Float32Arrays with an explicit shape, as in ops.mjs; rank-2 [N, F] after
// flatten / fc. Weights are a Map keyed by node name, in the layouts of src/graph/weights.ts:
// conv2d { weight: HWIO [kh][kw][cin/groups][cout], bias? }, fc { weight: IO [in][out], bias? },
// batchnorm { gamma, beta, mean, variance } (eps comes from the node).

import {
  conv2d, batchnorm, relu, relu6, maxpool2d, avgpool2d, globalAvgPool, add, concat, lrn, fc,
  softmax, sigmoid, nchwToNhwc,
} from './ops.mjs';

/** @typedef {{ data: Float32Array, shape: number[] }} Tensor */
/**
 * A node of the IR as a plain object: name, op, input names, inferred output shape and the
 * op's attributes (see src/graph/types.ts).
 * @typedef {{ name: string, op: string, inputs: string[], outShape: number[], [attr: string]: any }} GraphNode
 */
/** @typedef {{ name: string, nodes: GraphNode[], input: string, output: string }} Graph */
/**
 * @typedef {{ weight: Float32Array, bias?: Float32Array }
 *         | { gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array }} LayerWeights
 */

/** @param {number[]} shape */
function product(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** @param {number[]} a @param {number[]} b */
function sameShape(a, b) {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** @param {number[]} shape */
const fmt = (shape) => `[${shape.join(', ')}]`;

/**
 * Run `graph` on one input and return the output node's value.
 *
 * Nodes run in the order of `graph.nodes` (topological, as the builder emits them). A value is
 * dropped as soon as the last node that reads it has run, so a full-resolution network holds
 * only its live tensors; `keep: true` keeps them all instead. Values may share their data
 * (flatten and dropout pass their input's Float32Array through); nothing here writes to a
 * value after it is made, so treat them as read-only.
 *
 * Every error names the node, as `layer "<name>" (<op>): ...` (the builder's convention).
 * After each node the computed shape is checked against the node's `outShape`, so a graph whose
 * shape inference disagrees with the reference ops fails loudly at the first wrong node.
 *
 * @param {Graph} graph
 * @param {Map<string, LayerWeights>} weights per node name; needed by every conv2d, fc, batchnorm
 * @param {Float32Array} input the input node's tensor: NHWC in its outShape [N, H, W, C], or
 *   NCHW [N, C, H, W] when `layout` is 'nchw' (converted to NHWC first)
 * @param {{ layout?: 'nhwc' | 'nchw', keep?: boolean }} [options]
 * @returns {Tensor & { values?: Map<string, Tensor> }} the output node's { data, shape }; with
 *   `keep`, also `values`, the { data, shape } of every node by name (including the input)
 */
export function runGraph(graph, weights, input, { layout = 'nhwc', keep = false } = {}) {
  if (layout !== 'nhwc' && layout !== 'nchw') {
    throw new TypeError(`runGraph: layout must be 'nhwc' or 'nchw', got ${JSON.stringify(layout)}`);
  }
  if (!(weights instanceof Map)) throw new TypeError('runGraph: weights must be a Map keyed by node name');
  if (!(input instanceof Float32Array)) throw new TypeError('runGraph: input must be a Float32Array');

  // Position of every node, and the last position at which each value is read.
  /** @type {Map<string, number>} */
  const position = new Map();
  graph.nodes.forEach((node, i) => {
    if (position.has(node.name)) throw new Error(`${where(node)}: duplicate node name`);
    position.set(node.name, i);
  });
  const inputNode = graph.nodes.find((node) => node.name === graph.input);
  if (inputNode === undefined || inputNode.op !== 'input') {
    throw new Error(`graph "${graph.name}": input "${graph.input}" is not an input node in nodes`);
  }
  if (!position.has(graph.output)) throw new Error(`graph "${graph.name}": output node "${graph.output}" is not in nodes`);
  /** @type {Map<string, number>} */
  const lastUse = new Map();
  graph.nodes.forEach((node, i) => {
    for (const x of node.inputs) {
      const at = position.get(x);
      if (at === undefined) throw new Error(`${where(node)}: unknown input "${x}"`);
      if (at >= i) throw new Error(`${where(node)}: input "${x}" comes later in nodes (not topological order)`);
      lastUse.set(x, i);
    }
  });

  /** @type {Map<string, Tensor>} */
  const values = new Map();
  for (const [i, node] of graph.nodes.entries()) {
    let value;
    try {
      value = node.op === 'input'
        ? readInput(graph, node, input, layout)
        : evalNode(node, node.inputs.map((x) => /** @type {Tensor} */ (values.get(x))), weights);
      if (!sameShape(value.shape, node.outShape)) {
        throw new Error(`computed shape ${fmt(value.shape)} but the graph says ${fmt(node.outShape)}`);
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${where(node)}: ${message}`, { cause: err });
    }
    values.set(node.name, value);
    if (keep) continue;
    // Drop what no later node reads: each input whose last reader is this node, and this
    // node's own value if nothing reads it (a dead branch). The output is never dropped.
    for (const x of node.inputs) {
      if (lastUse.get(x) === i && x !== graph.output) values.delete(x);
    }
    if (!lastUse.has(node.name) && node.name !== graph.output) values.delete(node.name);
  }

  const out = /** @type {Tensor} */ (values.get(graph.output));
  return keep ? { data: out.data, shape: out.shape, values } : { data: out.data, shape: out.shape };
}

/** @param {GraphNode} node */
function where(node) {
  return `layer "${node.name}" (${node.op})`;
}

/**
 * @param {Graph} graph
 * @param {GraphNode} node
 * @param {Float32Array} input
 * @param {'nhwc' | 'nchw'} layout
 * @returns {Tensor}
 */
function readInput(graph, node, input, layout) {
  if (node.name !== graph.input) throw new Error(`a second input node (the graph's input is "${graph.input}")`);
  if (node.inputs.length !== 0) throw new Error(`an input node takes no inputs, got ${node.inputs.length}`);
  const shape = node.outShape;
  if (input.length !== product(shape)) {
    throw new RangeError(`input has ${input.length} elements but shape ${fmt(shape)} needs ${product(shape)}`);
  }
  if (layout === 'nhwc') return { data: input, shape: [...shape] };
  if (shape.length !== 4) throw new Error(`layout 'nchw' needs an [N, H, W, C] input node, got ${fmt(shape)}`);
  const [N, H, W, C] = shape;
  return nchwToNhwc(input, [N, C, H, W]);
}

/**
 * @param {GraphNode} node
 * @param {number} count
 */
function expectInputs(node, count) {
  if (node.inputs.length !== count) {
    throw new Error(`expects ${count} input${count === 1 ? '' : 's'}, got ${node.inputs.length}`);
  }
}

/**
 * The weights of a conv2d or fc node; `bias` must be present exactly when the node says so.
 * @param {GraphNode} node
 * @param {Map<string, LayerWeights>} weights
 * @returns {{ weight: Float32Array, bias: Float32Array | null }}
 */
function denseWeights(node, weights) {
  const w = /** @type {any} */ (weights.get(node.name));
  if (w === undefined) throw new Error(`no weights: expected { weight, bias? } under "${node.name}" in the weights map`);
  if (!(w.weight instanceof Float32Array)) throw new TypeError('weights have no Float32Array `weight`');
  if (node.bias && !(w.bias instanceof Float32Array)) throw new TypeError('the node has bias: true but its weights have no Float32Array `bias`');
  if (!node.bias && w.bias != null) throw new TypeError('the node has bias: false but its weights have a `bias`');
  return { weight: w.weight, bias: node.bias ? w.bias : null };
}

/**
 * One node on its already computed inputs (in node.inputs order).
 * @param {GraphNode} node
 * @param {Tensor[]} xs
 * @param {Map<string, LayerWeights>} weights
 * @returns {Tensor}
 */
function evalNode(node, xs, weights) {
  const x = xs[0];
  switch (node.op) {
    case 'conv2d': {
      expectInputs(node, 1);
      const { weight, bias } = denseWeights(node, weights);
      const { data, shape } = conv2d(x.data, x.shape, weight, bias, {
        outChannels: node.outChannels, kernel: node.kernel, stride: node.stride, pad: node.pad,
        dilation: node.dilation, groups: node.groups,
      });
      return { data, shape }; // drop `mag`: a Float64Array twice the output's size
    }
    case 'fc': {
      expectInputs(node, 1);
      const { weight, bias } = denseWeights(node, weights);
      const K = x.shape[x.shape.length - 1];
      if (weight.length !== K * node.outFeatures) {
        throw new RangeError(`weights have ${weight.length} elements, expected ${K}·${node.outFeatures} (IO layout)`);
      }
      const { data, shape } = fc(x.data, x.shape, weight, bias);
      return { data, shape };
    }
    case 'batchnorm': {
      expectInputs(node, 1);
      const w = /** @type {any} */ (weights.get(node.name));
      if (w === undefined) {
        throw new Error(`no weights: expected { gamma, beta, mean, variance } under "${node.name}" in the weights map`);
      }
      for (const key of ['gamma', 'beta', 'mean', 'variance']) {
        if (!(w[key] instanceof Float32Array)) throw new TypeError(`weights have no Float32Array \`${key}\``);
      }
      return batchnorm(x.data, x.shape, { gamma: w.gamma, beta: w.beta, mean: w.mean, variance: w.variance, eps: node.eps });
    }
    case 'relu':
      expectInputs(node, 1);
      return { data: relu(x.data), shape: [...x.shape] };
    case 'relu6':
      expectInputs(node, 1);
      return { data: relu6(x.data), shape: [...x.shape] };
    case 'maxpool':
      expectInputs(node, 1);
      return maxpool2d(x.data, x.shape, { kernel: node.kernel, stride: node.stride, pad: node.pad, ceil: node.ceil });
    case 'avgpool':
      expectInputs(node, 1);
      return avgpool2d(x.data, x.shape, {
        kernel: node.kernel, stride: node.stride, pad: node.pad, ceil: node.ceil,
        countIncludePad: node.countIncludePad,
      });
    case 'globalavgpool':
      expectInputs(node, 1);
      return globalAvgPool(x.data, x.shape);
    case 'add':
      expectInputs(node, 2);
      if (!sameShape(x.shape, xs[1].shape)) throw new RangeError(`shapes ${fmt(x.shape)} and ${fmt(xs[1].shape)} differ`);
      return add(x.data, xs[1].data, x.shape);
    case 'concat':
      return concatLastAxis(node, xs);
    case 'lrn':
      expectInputs(node, 1);
      return lrn(x.data, x.shape, { size: node.size, alpha: node.alpha, beta: node.beta, k: node.k });
    case 'flatten':
      // [N, H, W, C] → [N, H·W·C]: NHWC memory is already in that order, so the data is shared.
      expectInputs(node, 1);
      if (x.shape.length < 2) throw new RangeError(`needs rank >= 2, got ${fmt(x.shape)}`);
      return { data: x.data, shape: [x.shape[0], product(x.shape.slice(1))] };
    case 'dropout':
      // Identity at inference.
      expectInputs(node, 1);
      return { data: x.data, shape: [...x.shape] };
    case 'softmax': {
      // Over the last axis: every leading index is one row.
      expectInputs(node, 1);
      const C = x.shape[x.shape.length - 1];
      const { data } = softmax(x.data, [x.data.length / C, C]);
      return { data, shape: [...x.shape] };
    }
    case 'sigmoid':
      expectInputs(node, 1);
      return { data: sigmoid(x.data), shape: [...x.shape] };
    case 'channelmul': {
      expectInputs(node, 2);
      const s = xs[1];
      const [N, H, W, C] = x.shape;
      if (s.shape.length !== 4 || s.shape[0] !== N || s.shape[1] !== 1 || s.shape[2] !== 1 || s.shape[3] !== C) throw new Error(`channelmul: scale [${s.shape}] against [${x.shape}]`);
      const data = new Float32Array(x.data.length);
      for (let n = 0; n < N; n++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) {
        const i = (n * H * W + p) * C + c;
        data[i] = x.data[i] * s.data[n * C + c];
      }
      return { data, shape: [...x.shape] };
    }
    case 'channelslice': {
      expectInputs(node, 1);
      const C = x.shape[3], w = node.end - node.start;
      if (x.shape.length !== 4 || node.end > C) throw new Error(`channelslice [${node.start}, ${node.end}) of [${x.shape}]`);
      const data = new Float32Array((x.data.length / C) * w);
      for (let p = 0; p < x.data.length / C; p++) for (let j = 0; j < w; j++) data[p * w + j] = x.data[p * C + node.start + j];
      return { data, shape: [x.shape[0], x.shape[1], x.shape[2], w] };
    }
    case 'channelshuffle': {
      expectInputs(node, 1);
      const C = x.shape[3], g = node.groups, cpg = C / g;
      if (x.shape.length !== 4 || !Number.isInteger(cpg)) throw new Error(`channelshuffle: groups ${g} against [${x.shape}]`);
      const data = new Float32Array(x.data.length);
      for (let p = 0; p < x.data.length / C; p++) for (let i = 0; i < g; i++) for (let j = 0; j < cpg; j++) data[p * C + j * g + i] = x.data[p * C + i * cpg + j];
      return { data, shape: [...x.shape] };
    }
    case 'scale':
      expectInputs(node, 1);
      return { data: x.data.map((v) => Math.fround(v * node.factor)), shape: [...x.shape] };
    case 'leakyrelu':
      expectInputs(node, 1);
      return { data: x.data.map((v) => (v >= 0 ? v : node.alpha * v)), shape: [...x.shape] };
    case 'clip':
      expectInputs(node, 1);
      return { data: x.data.map((v) => Math.min(Math.max(v, node.min), node.max)), shape: [...x.shape] };
    case 'globalmaxpool': {
      // max over H and W, per (n, c)
      expectInputs(node, 1);
      const [N, H, W, C] = x.shape;
      const data = new Float32Array(N * C).fill(-Infinity);
      for (let n = 0; n < N; n++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) {
        data[n * C + c] = Math.max(data[n * C + c], x.data[(n * H * W + p) * C + c]);
      }
      return { data, shape: [N, 1, 1, C] };
    }
    case 'scaleshift': {
      expectInputs(node, 1);
      const w = /** @type {any} */ (weights.get(node.name));
      if (!w || !(w.scale instanceof Float32Array) || !(w.shift instanceof Float32Array)) throw new Error(`no weights: expected { scale, shift } under "${node.name}"`);
      const C = x.shape[x.shape.length - 1];
      const data = new Float32Array(x.data.length);
      for (let i = 0; i < data.length; i++) data[i] = Math.fround(x.data[i] * w.scale[i % C]) + w.shift[i % C];
      return { data, shape: [...x.shape] };
    }
    case 'input':
      throw new Error('an input node cannot be evaluated'); // handled by readInput
    default:
      throw new Error(`unknown op "${node.op}"`);
  }
}

/**
 * Concatenation along the last axis of tensors of any equal rank. Each input is viewed as
 * [P, 1, 1, C_i] (P = product of the leading dimensions), which is the same memory, so the
 * 4-D reference concat does the work.
 * @param {GraphNode} node
 * @param {Tensor[]} xs
 * @returns {Tensor}
 */
function concatLastAxis(node, xs) {
  if (xs.length === 0) throw new Error('expects at least one input, got 0');
  const lead = xs[0].shape.slice(0, -1);
  for (const [i, t] of xs.entries()) {
    if (!sameShape(t.shape.slice(0, -1), lead)) {
      throw new RangeError(
        `"${node.inputs[0]}" is ${fmt(xs[0].shape)} and "${node.inputs[i]}" is ${fmt(t.shape)}; all but the last axis must agree`);
    }
  }
  const P = product(lead);
  const { data, shape } = concat(xs.map((t) => ({ data: t.data, shape: [P, 1, 1, t.shape[t.shape.length - 1]] })));
  return { data, shape: [...lead, shape[3]] };
}
