// The graph IR: NHWC tensors, one node per layer, every node named (`layer3.1.conv2` style).
// Shapes are [N, H, W, C] for feature maps and [N, C] after flatten / fully connected.

import type { Activation, Pad4 } from '../kernels/types.js';

export type { Activation, Pad4 };
export type Shape = number[];

export interface InputNode { op: 'input' }
export interface Conv2dNode {
  op: 'conv2d';
  outChannels: number;
  kernel: [number, number];
  stride: [number, number];
  pad: Pad4;
  dilation: [number, number];
  /** 1 = dense; inChannels = depthwise (outChannels = multiplier x inChannels); else grouped. */
  groups: number;
  bias: boolean;
}
export interface BatchNormNode { op: 'batchnorm'; eps: number }
export interface ActNode { op: 'relu' | 'relu6' }
export interface PoolNode {
  op: 'maxpool' | 'avgpool';
  kernel: [number, number];
  stride: [number, number];
  pad: Pad4;
  ceil: boolean;
  /** avgpool only: divide by the full window (true, PyTorch default) or by the valid taps. */
  countIncludePad: boolean;
}
export interface GlobalAvgPoolNode { op: 'globalavgpool' }
export interface AddNode { op: 'add' }
export interface ConcatNode { op: 'concat' }
/** Across-channel LRN, PyTorch semantics: b = a / (k + alpha/size * sum(a^2 over size channels))^beta. */
export interface LrnNode { op: 'lrn'; size: number; alpha: number; beta: number; k: number }
export interface FlattenNode { op: 'flatten' }
export interface FcNode { op: 'fc'; outFeatures: number; bias: boolean }
export interface DropoutNode { op: 'dropout'; p: number }
export interface SoftmaxNode { op: 'softmax' }
/** Logistic sigmoid, elementwise: 1 / (1 + exp(-x)). */
export interface SigmoidNode { op: 'sigmoid' }
/** LeakyReLU, elementwise: x >= 0 ? x : alpha * x. */
export interface LeakyReluNode { op: 'leakyrelu'; alpha: number }
/** Clamp to [min, max], elementwise (a bound may be -Infinity / Infinity). */
export interface ClipNode { op: 'clip'; min: number; max: number }
/** Max over H and W: [N, H, W, C] -> [N, 1, 1, C]. */
export interface GlobalMaxPoolNode { op: 'globalmaxpool' }
/** Per-channel affine with learned constants: y = x * scale[c] + shift[c] (a broadcast Mul / Add). */
export interface ScaleShiftNode { op: 'scaleshift' }
/** Per-channel multiply with broadcast: [N, H, W, C] x [N, 1, 1, C] (squeeze-excitation's rescale). */
export interface ChannelMulNode { op: 'channelmul' }
/** Multiply by a constant, elementwise: y = factor * x (Inception-ResNet's residual scaling). */
export interface ScaleNode { op: 'scale'; factor: number }
/** ShuffleNet's channel shuffle: the channels as a [groups, C / groups] matrix, transposed. */
export interface ChannelShuffleNode { op: 'channelshuffle'; groups: number }
/** Channels [start, end) of a map (Dual Path Networks split their residual and dense paths). */
export interface ChannelSliceNode { op: 'channelslice'; start: number; end: number }

export type NodeAttrs =
  | InputNode | Conv2dNode | BatchNormNode | ActNode | PoolNode | GlobalAvgPoolNode | AddNode
  | ConcatNode | LrnNode | FlattenNode | FcNode | DropoutNode | SoftmaxNode | SigmoidNode
  | LeakyReluNode | ClipNode | GlobalMaxPoolNode | ScaleShiftNode | ChannelMulNode | ScaleNode | ChannelShuffleNode | ChannelSliceNode;

export type OpName = NodeAttrs['op'];

/** A node: its attributes plus name, input node names and inferred output shape. */
export type GraphNode = NodeAttrs & {
  name: string;
  inputs: string[];
  outShape: Shape;
};

/** A finished graph: nodes in topological order, one input, one output. */
export interface Graph {
  /** Canonical model name, e.g. `resnet-50`. */
  name: string;
  nodes: GraphNode[];
  input: string;
  output: string;
}
