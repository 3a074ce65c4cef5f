// DenseNet — Huang, Liu, van der Maaten & Weinberger 2017, "Densely Connected Convolutional
// Networks" (CVPR), the DenseNet-BC ImageNet models of the paper's Table 1 as torchvision's
// `densenet121/161/169/201`: bottleneck dense layers (BN → ReLU → 1x1 conv to bn_size 4 x growth
// → BN → ReLU → 3x3 conv to growth), each concatenated onto everything before it; transitions
// BN → ReLU → 1x1 conv halving the channels (compression 0.5) → 2x2 average pool; convs without
// bias, BatchNorm eps 1e-5, no dropout (torchvision's drop_rate 0). After the last block a BN
// (`features.norm5`), ReLU, global average pool and the fc `classifier`.
//   input 224x224x3 → conv0 112x112xC0 → pool0 56x56xC0 → denseblock1 56x56 → transition1 28x28
//   → denseblock2 28x28 → transition2 14x14 → denseblock3 14x14 → transition3 7x7
//   → denseblock4 7x7xF → norm5 → avgpool 1x1xF → classifier 1000
//   (DenseNet-121: C0 64, blocks end at 256, 512, 1024, 1024 channels, F = 1024.)
// Growth by concat is a chain: layer i's output is `<block>.denselayer<i>.cat`, the previous
// one's with the new growth channels appended, which holds the same channels in the same order
// as torchvision's `torch.cat(features, 1)` over all earlier outputs. Pre-activation batch
// norms (not after a conv) run as standalone scale-shifts.
// Names are torchvision's state-dict prefixes: `features.denseblock<b>.denselayer<i>.norm1`,
// `.conv1`, `.norm2`, `.conv2`, `features.transition<b>.norm/.conv/.pool`, `features.norm5`.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** torchvision's `_densenet` arguments: growth rate k, layers per block, stem channels C0. */
export const DENSENET_CONFIGS = {
  121: { growth: 32, blocks: [6, 12, 24, 16], stem: 64 },
  161: { growth: 48, blocks: [6, 12, 36, 24], stem: 96 },
  169: { growth: 32, blocks: [6, 12, 32, 32], stem: 64 },
  201: { growth: 32, blocks: [6, 12, 48, 32], stem: 64 },
} as const;

/** Bottleneck width = BN_SIZE x growth (torchvision `bn_size`). */
const BN_SIZE = 4;

/** torchvision DenseNet-`depth` (BC: bottleneck layers, compression 0.5). */
export function densenet(depth: keyof typeof DENSENET_CONFIGS, opts: NetOptions): Graph {
  const { growth, blocks, stem } = DENSENET_CONFIGS[depth];
  const { b, x: input } = start(`densenet-${depth}`, opts);
  let x = b.conv2d(input, { outChannels: stem, kernel: 7, stride: 2, padding: 3, bias: false }, 'features.conv0');
  x = b.batchnorm(x, {}, 'features.norm0');
  x = b.relu(x, 'features.relu0');
  x = b.maxpool(x, { kernel: 3, stride: 2, padding: 1 }, 'features.pool0');
  blocks.forEach((layers, i) => {
    for (let l = 1; l <= layers; l++) x = denseLayer(b, x, `features.denseblock${i + 1}.denselayer${l}`, growth);
    if (i < blocks.length - 1) {
      const p = `features.transition${i + 1}`;
      x = b.relu(b.batchnorm(x, {}, `${p}.norm`), `${p}.relu`);
      x = b.conv2d(x, { outChannels: b.shape(x)[3]! / 2, kernel: 1, bias: false }, `${p}.conv`);
      x = b.avgpool(x, { kernel: 2, stride: 2 }, `${p}.pool`);
    }
  });
  x = b.relu(b.batchnorm(x, {}, 'features.norm5'), 'features.relu5');
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'classifier'));
}

function denseLayer(b: GraphBuilder, x: string, p: string, growth: number): string {
  let y = b.relu(b.batchnorm(x, {}, `${p}.norm1`), `${p}.relu1`);
  y = b.conv2d(y, { outChannels: BN_SIZE * growth, kernel: 1, bias: false }, `${p}.conv1`);
  y = b.relu(b.batchnorm(y, {}, `${p}.norm2`), `${p}.relu2`);
  y = b.conv2d(y, { outChannels: growth, kernel: 3, padding: 1, bias: false }, `${p}.conv2`);
  return b.concat([x, y], `${p}.cat`);
}
