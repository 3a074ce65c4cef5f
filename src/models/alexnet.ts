// AlexNet, two variants.
//
// `alexnet` — torchvision's `alexnet`: Krizhevsky 2014, "One weird trick for parallelizing
// convolutional neural networks" (arXiv:1404.5997). Single tower, 64-192-384-256-256 filters,
// no LRN, no groups. torchvision's AdaptiveAvgPool2d(6) is left out: at 224 it is the identity,
// and elsewhere the fc6 input follows the real feature map instead.
//   input 224x224x3 → features.0 55x55x64 → features.2 27x27x64 → features.3 27x27x192
//   → features.5 13x13x192 → features.6 13x13x384 → features.8/10 13x13x256
//   → features.12 6x6x256 → flatten 9216 → classifier.1/.4 4096 → classifier.6 1000
//
// `alexnet-2012` — Krizhevsky, Sutskever & Hinton 2012, "ImageNet Classification with Deep
// Convolutional Neural Networks" (NIPS). The two-GPU network: conv2, conv4, conv5 are grouped
// (groups = 2, each half reads only its own GPU's maps), ReLU → LRN → max pool after conv1 and
// conv2. Input is 227x227, not the paper's 224: with an 11x11 stride-4 unpadded conv1 only 227
// gives the paper's 55x55 (224 gives 54.25), which is why Caffe's reference model uses 227.
// LRN: the paper's n = 5, k = 2, alpha = 1e-4, beta = 0.75 with b = a / (k + alpha * sum a^2)^beta;
// our node follows PyTorch, which divides alpha by n, so the node stores alpha = 5e-4 to compute
// the paper's function. Layer names are Caffe's (conv1, norm1, pool1, ..., fc8).
// 60,965,224 parameters and 724,406,816 conv + fc MACs — the paper's "60 million parameters".
//   input 227x227x3 → conv1 55x55x96 → pool1 27x27x96 → conv2 27x27x256 → pool2 13x13x256
//   → conv3/conv4 13x13x384 → conv5 13x13x256 → pool5 6x6x256 → fc6/fc7 4096 → fc8 1000

import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** torchvision `alexnet` ("one weird trick" variant), 224x224 by default. */
export function alexnet(opts: NetOptions): Graph {
  const { b, x: input } = start('alexnet', opts);
  // [out channels, kernel, stride, padding, max pool after]; module indices advance as torchvision's.
  const convs: [number, number, number, number, boolean][] = [
    [64, 11, 4, 2, true], [192, 5, 1, 2, true], [384, 3, 1, 1, false], [256, 3, 1, 1, false], [256, 3, 1, 1, true],
  ];
  let x = input;
  let i = 0;
  for (const [c, k, s, p, pool] of convs) {
    x = b.conv2d(x, { outChannels: c, kernel: k, stride: s, padding: p }, `features.${i++}`);
    x = b.relu(x, `features.${i++}`);
    if (pool) x = b.maxpool(x, { kernel: 3, stride: 2 }, `features.${i++}`);
  }
  x = b.flatten(x, 'flatten');
  x = b.dropout(x, { p: 0.5 }, 'classifier.0');
  x = b.fc(x, { outFeatures: 4096 }, 'classifier.1');
  x = b.relu(x, 'classifier.2');
  x = b.dropout(x, { p: 0.5 }, 'classifier.3');
  x = b.fc(x, { outFeatures: 4096 }, 'classifier.4');
  x = b.relu(x, 'classifier.5');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'classifier.6'));
}

/** Krizhevsky et al. 2012 AlexNet with LRN and two-tower groups, 227x227 by default. */
export function alexnet2012(opts: NetOptions): Graph {
  const { b, x: input } = start('alexnet-2012', opts);
  // [layer, out channels, kernel, stride, padding, groups, LRN + pool after]
  const convs: [number, number, number, number, number, number, 'norm+pool' | 'pool' | ''][] = [
    [1, 96, 11, 4, 0, 1, 'norm+pool'],
    [2, 256, 5, 1, 2, 2, 'norm+pool'],
    [3, 384, 3, 1, 1, 1, ''],
    [4, 384, 3, 1, 1, 2, ''],
    [5, 256, 3, 1, 1, 2, 'pool'],
  ];
  let x = input;
  for (const [l, c, k, s, p, g, after] of convs) {
    x = b.conv2d(x, { outChannels: c, kernel: k, stride: s, padding: p, groups: g }, `conv${l}`);
    x = b.relu(x, `relu${l}`);
    if (after === 'norm+pool') x = b.lrn(x, { size: 5, alpha: 5 * 1e-4, beta: 0.75, k: 2 }, `norm${l}`);
    if (after !== '') x = b.maxpool(x, { kernel: 3, stride: 2 }, `pool${l}`);
  }
  x = b.flatten(x, 'flatten');
  for (const l of [6, 7]) {
    x = b.fc(x, { outFeatures: 4096 }, `fc${l}`);
    x = b.relu(x, `relu${l}`);
    x = b.dropout(x, { p: 0.5 }, `drop${l}`);
  }
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc8'));
}
