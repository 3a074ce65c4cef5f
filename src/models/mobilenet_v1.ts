// MobileNet v1 — Howard et al. 2017, "MobileNets: Efficient Convolutional Neural Networks for
// Mobile Vision Applications" (arXiv:1704.04861), Table 1, with the width multiplier alpha
// (1, 0.75, 0.5, 0.25) and resolution (224, 192, 160, 128) of Tables 6-8.
// As the paper: every conv is followed by BatchNorm (eps 0.001, TF-slim's) and ReLU (TF-slim's
// release uses ReLU6), convs have no bias, and the 13th depthwise conv has stride 1 (Table 1's
// "s2" there is a typo: the map stays 7x7). Channels are floor(c * alpha), TF-slim's `depth_multiplier` rule (min 8
// never binds for these alphas). Padding is TensorFlow SAME, so stride-2 layers pad one pixel
// bottom/right only. The classifier is a 1024*alpha → 1000 fc with bias (slim's 1x1 conv).
// 1.0-224: 4,231,976 parameters (4.2M with BatchNorm gamma/beta) and 568,740,352 MACs (569M).
//   input 224x224x3 → features.0 112x112x32 → .1 112x112x64 → .2 56x56x128 → .3 56x56x128
//   → .4 28x28x256 → .5 28x28x256 → .6 14x14x512 → .7-.11 14x14x512 → .12 7x7x1024
//   → .13 7x7x1024 → avgpool 1x1x1024 → fc 1000                         (channels at alpha 1)
// Each `features.<i>` (i ≥ 1) is `.dw.{conv,bn,relu}` then `.pw.{conv,bn,relu}`.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** The paper's width multipliers (Table 6). */
export const MOBILENET_V1_ALPHAS = [1, 0.75, 0.5, 0.25] as const;
/** The paper's input resolutions (Table 7). */
export const MOBILENET_V1_RESOLUTIONS = [224, 192, 160, 128] as const;

/** Depthwise-separable blocks of Table 1: [pointwise output channels at alpha 1, depthwise stride]. */
export const MOBILENET_V1_BLOCKS: readonly (readonly [number, 1 | 2])[] = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1],
  [1024, 2], [1024, 1],
];

/** MobileNet v1 with width multiplier `alpha`. */
export function mobilenetV1(alpha: number, opts: NetOptions): Graph {
  const depth = (c: number) => Math.max(Math.floor(c * alpha), 8);
  const { b, x: input } = start('mobilenet-v1', opts);
  let x = convBnRelu(b, input, 'features.0', depth(32), 3, 2, false);
  MOBILENET_V1_BLOCKS.forEach(([c, s], i) => {
    x = convBnRelu(b, x, `features.${i + 1}.dw`, 0, 3, s, true);
    x = convBnRelu(b, x, `features.${i + 1}.pw`, depth(c), 1, 1, false);
  });
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc'));
}

function convBnRelu(
  b: GraphBuilder, x: string, p: string, c: number, k: number, stride: number, depthwise: boolean,
): string {
  x = depthwise
    ? b.dwconv(x, { kernel: k, stride, padding: 'same', bias: false }, `${p}.conv`)
    : b.conv2d(x, { outChannels: c, kernel: k, stride, padding: 'same', bias: false }, `${p}.conv`);
  x = b.batchnorm(x, { eps: 0.001 }, `${p}.bn`);
  return b.relu(x, `${p}.relu`);
}
