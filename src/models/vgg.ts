// VGG — Simonyan & Zisserman 2015, "Very Deep Convolutional Networks for Large-Scale Image
// Recognition" (ICLR). Configurations A, B, D, E = VGG-11/13/16/19, as torchvision's `vgg*` and
// `vgg*_bn`: 3x3 pad-1 convs with bias (kept in the -bn variants too, as torchvision does),
// optional BatchNorm (eps 1e-5) between conv and ReLU, 2x2 stride-2 max pools, and the
// 4096-4096-1000 classifier with dropout. torchvision's AdaptiveAvgPool2d(7) is left out: at 224
// it is the identity, and elsewhere fc6's input follows the real feature map.
//   input 224x224x3 → block1 112x112x64 → block2 56x56x128 → block3 28x28x256
//   → block4 14x14x512 → block5 7x7x512 → flatten 25088 → 4096 → 4096 → 1000

import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Conv widths, 'M' = 2x2 max pool; the rows of torchvision's `cfgs`. */
export const VGG_CONFIGS = {
  11: [64, 'M', 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  13: [64, 64, 'M', 128, 128, 'M', 256, 256, 'M', 512, 512, 'M', 512, 512, 'M'],
  16: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'],
  19: [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512, 512, 512, 512, 'M'],
} as const satisfies Record<number, readonly (number | 'M')[]>;

/** VGG-`depth`, with BatchNorm when `bn`. Names follow torchvision (`features.<i>`, `classifier.<i>`). */
export function vgg(depth: keyof typeof VGG_CONFIGS, bn: boolean, opts: NetOptions): Graph {
  const { b, x: input } = start(`vgg-${depth}${bn ? '-bn' : ''}`, opts);
  let x = input;
  let i = 0;
  for (const v of VGG_CONFIGS[depth]) {
    if (v === 'M') {
      x = b.maxpool(x, { kernel: 2, stride: 2 }, `features.${i++}`);
      continue;
    }
    x = b.conv2d(x, { outChannels: v, kernel: 3, padding: 1 }, `features.${i++}`);
    if (bn) x = b.batchnorm(x, {}, `features.${i++}`);
    x = b.relu(x, `features.${i++}`);
  }
  x = b.flatten(x, 'flatten');
  x = b.fc(x, { outFeatures: 4096 }, 'classifier.0');
  x = b.relu(x, 'classifier.1');
  x = b.dropout(x, { p: 0.5 }, 'classifier.2');
  x = b.fc(x, { outFeatures: 4096 }, 'classifier.3');
  x = b.relu(x, 'classifier.4');
  x = b.dropout(x, { p: 0.5 }, 'classifier.5');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'classifier.6'));
}
