// ResNet — He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition" (CVPR),
// as torchvision's `resnet18/34/50/101/152`, i.e. "ResNet v1.5": in a downsampling bottleneck
// the stride sits on the 3x3 conv (conv2), not on the first 1x1 as in the paper and Caffe's
// v1. Convs have no bias; BatchNorm eps 1e-5; projection shortcuts (1x1 conv + BN,
// `downsample.0/.1`) only where the shape changes (option B of the paper).
//   input 224x224x3 → conv1 112x112x64 → maxpool 56x56x64
//   → layer1 56x56x(64 | 256) → layer2 28x28x(128 | 512) → layer3 14x14x(256 | 1024)
//   → layer4 7x7x(512 | 2048) → avgpool 1x1 → fc 1000          (basic | bottleneck)
// Block outputs are `layer<s>.<i>.relu` (after the residual add `layer<s>.<i>.add`).

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Blocks per stage and block type for each depth (torchvision's `_resnet` calls). */
export const RESNET_CONFIGS = {
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  34: { block: 'basic', layers: [3, 4, 6, 3] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
} as const;

/** ResNet-`depth` v1.5 (torchvision). */
export function resnet(depth: keyof typeof RESNET_CONFIGS, opts: NetOptions): Graph {
  const { block, layers } = RESNET_CONFIGS[depth];
  const expansion = block === 'basic' ? 1 : 4;
  const { b, x: input } = start(`resnet-${depth}`, opts);
  let x = b.conv2d(input, { outChannels: 64, kernel: 7, stride: 2, padding: 3, bias: false }, 'conv1');
  x = b.batchnorm(x, {}, 'bn1');
  x = b.relu(x, 'relu');
  x = b.maxpool(x, { kernel: 3, stride: 2, padding: 1 }, 'maxpool');
  layers.forEach((blocks, s) => {
    const width = 64 << s;
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      x = residualBlock(b, x, `layer${s + 1}.${i}`, block, width, stride, expansion);
    }
  });
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc'));
}

function residualBlock(
  b: GraphBuilder, x: string, p: string, block: 'basic' | 'bottleneck', width: number, stride: number,
  expansion: number,
): string {
  const out = width * expansion;
  const conv = (y: string, c: number, k: number, s: number, n: number) => {
    y = b.conv2d(y, { outChannels: c, kernel: k, stride: s, padding: (k - 1) / 2, bias: false }, `${p}.conv${n}`);
    return b.batchnorm(y, {}, `${p}.bn${n}`);
  };
  let y: string;
  if (block === 'basic') {
    y = b.relu(conv(x, width, 3, stride, 1), `${p}.relu1`);
    y = conv(y, width, 3, 1, 2);
  } else {
    y = b.relu(conv(x, width, 1, 1, 1), `${p}.relu1`);
    y = b.relu(conv(y, width, 3, stride, 2), `${p}.relu2`);
    y = conv(y, out, 1, 1, 3);
  }
  let shortcut = x;
  if (stride !== 1 || b.shape(x)[3] !== out) {
    shortcut = b.conv2d(x, { outChannels: out, kernel: 1, stride, bias: false }, `${p}.downsample.0`);
    shortcut = b.batchnorm(shortcut, {}, `${p}.downsample.1`);
  }
  return b.relu(b.add(y, shortcut, `${p}.add`), `${p}.relu`);
}
