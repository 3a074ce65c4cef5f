// The "framework lowering" of a GPU device: the kernels PyTorch 0.4 eager mode with cuDNN
// launches for a graph (how Bianco et al. 2018 measured the Jetson TX1 and the Titan Xp), beside
// simdnet's own lowering (src/lower). Nothing is folded or fused:
// - conv2d: one cuDNN convolution, and when it has a bias a second kernel that adds it
//   (cudnnAddTensor over the whole output);
// - batchnorm, relu / relu6, every elementwise op: one kernel each, reading and writing the map;
// - LRN: PyTorch's LocalResponseNorm is seven elementwise kernels (square, pad, average over the
//   channel window, scale, shift, power, divide), each a pass over the map;
// - fc: addmm, a copy of the bias into the output, then one GEMM;
// - concat: one copy kernel (torch.cat); channel shuffle: a transposed copy (view, transpose,
//   contiguous); flatten, dropout and channel slices are views and launch nothing.
// Each step carries its GEMM shape (implicit GEMM for convolutions: M = N x Ho x Wo output pixels,
// N = output channels per group, K = taps x input channels per group) so the model can price the
// tile quantisation cuDNN's kernels pay on small maps.

import type { Conv2dNode, Graph } from '../graph/types.js';
import { numel } from '../graph/ops.js';
import type { LayerCost } from './analyze.js';
import type { Step } from './step.js';

/** Elementwise passes of PyTorch's LocalResponseNorm (see the file header). */
export const LRN_KERNELS = 7;

const VIEWS = new Set(['input', 'flatten', 'dropout', 'channelslice']);

/** A memory-bound elementwise kernel over `floats` outputs reading `reads` maps of that size. */
function eltwise(name: string, node: string, kind: string, floats: number, reads = 1): Step {
  return { name, nodes: [node], opClass: 'eltwise', kind, work: floats, weightBytes: 0, actBytes: 4 * floats * (reads + 1), features: {} };
}

/**
 * Which cuDNN algorithm family a convolution can use, as the step's kind: `conv3x3` (dense 3 x 3,
 * stride 1, no dilation: Winograd-eligible, so it may run above the direct-convolution FLOP rate),
 * `gconv` (grouped, neither dense nor depthwise: cuDNN 7's grouped kernels, much slower per FLOP),
 * else the class (`conv`, `conv1x1`, `dwconv`).
 */
export function convKind(c: Conv2dNode, opClass: string): string {
  if (opClass === 'dwconv') return opClass;
  if (c.groups > 1) return 'gconv';
  const [kh, kw] = c.kernel;
  if (kh === 3 && kw === 3 && c.stride[0] === 1 && c.stride[1] === 1 && c.dilation[0] === 1 && c.dilation[1] === 1) return 'conv3x3';
  return opClass;
}

/** The kernels PyTorch eager mode launches for `graph` (already at the batch to price). */
export function pytorchSteps(graph: Graph, layers: LayerCost[]): Step[] {
  const steps: Step[] = [];
  graph.nodes.forEach((node, i) => {
    if (VIEWS.has(node.op)) return;
    const l = layers[i]!;
    const work = 2 * l.macs + l.otherOps;
    const out = numel(l.outShape);
    if (node.op === 'conv2d') {
      const c = node as unknown as Conv2dNode;
      const [n, ho, wo, cout] = l.outShape as [number, number, number, number];
      const cin = l.inShapes[0]![3]!;
      const g = c.groups;
      const biasBytes = c.bias ? 4 * cout : 0;
      steps.push({
        name: node.name, nodes: [node.name], opClass: l.opClass, kind: convKind(c, l.opClass), work,
        weightBytes: l.weightBytes - biasBytes, actBytes: l.readBytes + l.writeBytes, features: {},
        // depthwise runs PyTorch's own direct kernel, not a GEMM
        gemm: l.opClass === 'dwconv' ? undefined : { m: n * ho * wo, n: cout / g, k: c.kernel[0] * c.kernel[1] * (cin / g), groups: g },
      });
      if (c.bias) steps.push({ ...eltwise(`${node.name}:bias`, node.name, 'bias', out), weightBytes: biasBytes });
      return;
    }
    if (node.op === 'fc') {
      const [n, k] = l.inShapes[0] as [number, number];
      const bias = (node as { bias?: boolean }).bias;
      if (bias) steps.push(eltwise(`${node.name}:bias`, node.name, 'bias', out, 0));
      steps.push({
        name: node.name, nodes: [node.name], opClass: 'fc', kind: n === 1 ? 'gemv' : 'gemm', work,
        weightBytes: l.weightBytes, actBytes: l.readBytes + l.writeBytes, features: {},
        gemm: { m: n, n: l.outShape[1]!, k, groups: 1 },
      });
      return;
    }
    if (node.op === 'lrn') {
      for (let j = 0; j < LRN_KERNELS; j++) steps.push({ ...eltwise(`${node.name}:${j}`, node.name, 'lrn', out), opClass: l.opClass });
      return;
    }
    steps.push({
      name: node.name, nodes: [node.name], opClass: l.opClass, kind: node.op, work,
      weightBytes: l.weightBytes, actBytes: l.readBytes + l.writeBytes, features: {},
    });
  });
  return steps;
}
