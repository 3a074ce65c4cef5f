// GoogLeNet (Inception v1) — Szegedy et al. 2015, "Going Deeper with Convolutions" (CVPR), as
// torchvision's `googlenet`, which differs from the paper in ways that matter here:
// - every conv is torchvision's BasicConv2d = conv (no bias) + BatchNorm (eps 0.001) + ReLU,
//   i.e. the net is batch-normalised although the paper's is not;
// - the "5x5" branch uses a 3x3 conv (a known slip in the reference port, kept for its weights);
// - max pools use ceil mode, and there is no LRN;
// - no auxiliary classifiers (torchvision drops them from the exported model: 6,624,904 params).
//   input 224x224x3 → conv1 112x112x64 → maxpool1 56x56x64 → conv3 56x56x192
//   → maxpool2 28x28x192 → inception3a 28x28x256 → inception3b 28x28x480 → maxpool3 14x14x480
//   → inception4a..4e 14x14x(512, 512, 512, 528, 832) → maxpool4 7x7x832
//   → inception5a 7x7x832 → inception5b 7x7x1024 → avgpool 1x1x1024 → fc 1000

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, basicConv2d, start, type NetOptions } from './common.js';

const EPS = 0.001;

/** An inception module: [name, 1x1, 3x3 reduce, 3x3, "5x5" reduce, "5x5" (a 3x3), pool proj]. */
export type GoogLeNetInception = readonly [string, number, number, number, number, number, number];

/** torchvision's `Inception(...)` arguments, in order. */
export const GOOGLENET_INCEPTIONS: readonly GoogLeNetInception[] = [
  ['inception3a', 64, 96, 128, 16, 32, 32],
  ['inception3b', 128, 128, 192, 32, 96, 64],
  ['inception4a', 192, 96, 208, 16, 48, 64],
  ['inception4b', 160, 112, 224, 24, 64, 64],
  ['inception4c', 128, 128, 256, 24, 64, 64],
  ['inception4d', 112, 144, 288, 32, 64, 64],
  ['inception4e', 256, 160, 320, 32, 128, 128],
  ['inception5a', 256, 160, 320, 32, 128, 128],
  ['inception5b', 384, 192, 384, 48, 128, 128],
];

/** Max pools (3x3 s2, 2x2 s2 for the last, ceil mode) that precede these modules. */
const POOL_BEFORE: Record<string, [string, number]> = {
  inception4a: ['maxpool3', 3],
  inception5a: ['maxpool4', 2],
};

/** torchvision GoogLeNet without auxiliary heads. */
export function googlenet(opts: NetOptions): Graph {
  const { b, x: input } = start('googlenet', opts);
  let x = basicConv2d(b, input, 'conv1', { outChannels: 64, kernel: 7, stride: 2, padding: 3 }, EPS);
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'maxpool1');
  x = basicConv2d(b, x, 'conv2', { outChannels: 64, kernel: 1 }, EPS);
  x = basicConv2d(b, x, 'conv3', { outChannels: 192, kernel: 3, padding: 1 }, EPS);
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'maxpool2');
  for (const row of GOOGLENET_INCEPTIONS) {
    const pool = POOL_BEFORE[row[0]];
    if (pool) x = b.maxpool(x, { kernel: pool[1], stride: 2, ceil: true }, pool[0]);
    x = inception(b, x, row);
  }
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  x = b.dropout(x, { p: 0.2 }, 'dropout');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc'));
}

function inception(b: GraphBuilder, x: string, [p, c1, c3r, c3, c5r, c5, proj]: GoogLeNetInception): string {
  const conv = (y: string, name: string, c: number, k: number) =>
    basicConv2d(b, y, `${p}.${name}`, { outChannels: c, kernel: k, padding: (k - 1) / 2 }, EPS);
  const b1 = conv(x, 'branch1', c1, 1);
  const b2 = conv(conv(x, 'branch2.0', c3r, 1), 'branch2.1', c3, 3);
  const b3 = conv(conv(x, 'branch3.0', c5r, 1), 'branch3.1', c5, 3);
  const pooled = b.maxpool(x, { kernel: 3, stride: 1, padding: 1, ceil: true }, `${p}.branch4.0`);
  const b4 = conv(pooled, 'branch4.1', proj, 1);
  return b.concat([b1, b2, b3, b4], p);
}

// BVLC GoogLeNet — the same paper's network as Caffe's `bvlc_googlenet` trained it, which is what
// Bianco et al. 2018 measured (the MMdnn port of the Caffe model in their models-comparison
// code): convs with bias and no batch norm, each followed by ReLU; real 5x5 convs (padding 2);
// LRN (size 5, alpha 1e-4, beta 0.75, k 1) after the first pool and after conv2/3x3; ceil-mode
// stride-2 max pools between stages; the pool branch's 3x3 max pool padded, not in ceil mode;
// 7x7 average pool, dropout, the 1000-way `loss3_classifier_1`; no auxiliary heads. Node names
// are the port's, i.e. Caffe's with `/` as `_`.

/** The rows of GOOGLENET_INCEPTIONS, named as Caffe names them. */
const BVLC_INCEPTIONS = GOOGLENET_INCEPTIONS.map(([name, ...rest]) => [name.replace('inception', 'inception_'), ...rest] as const);

/** BVLC GoogLeNet (Caffe), without auxiliary heads. */
export function bvlcGooglenet(opts: NetOptions): Graph {
  const { b, x: input } = start('bvlc-googlenet', opts);
  const conv = (y: string, name: string, relu: string, c: number, k: number, s = 1) =>
    b.relu(b.conv2d(y, { outChannels: c, kernel: k, stride: s, padding: (k - 1) / 2, bias: true }, name), relu);
  const lrn = (y: string, name: string) => b.lrn(y, { size: 5, alpha: 1e-4, beta: 0.75, k: 1 }, name);
  const pool = (y: string, name: string) => b.maxpool(y, { kernel: 3, stride: 2, ceil: true }, name);
  let x = conv(input, 'conv1_7x7_s2', 'conv1_relu_7x7', 64, 7, 2);
  x = lrn(pool(x, 'pool1_3x3_s2'), 'pool1_norm1');
  x = conv(x, 'conv2_3x3_reduce', 'conv2_relu_3x3_reduce', 64, 1);
  x = conv(x, 'conv2_3x3', 'conv2_relu_3x3', 192, 3);
  x = pool(lrn(x, 'conv2_norm2'), 'pool2_3x3_s2');
  for (const [p, c1, c3r, c3, c5r, c5, proj] of BVLC_INCEPTIONS) {
    if (p === 'inception_4a') x = pool(x, 'pool3_3x3_s2');
    if (p === 'inception_5a') x = pool(x, 'pool4_3x3_s2');
    const branch = (y: string, what: string, c: number, k: number) => conv(y, `${p}_${what}`, `${p}_relu_${what}`, c, k);
    const b1 = branch(x, '1x1', c1, 1);
    const b2 = branch(branch(x, '3x3_reduce', c3r, 1), '3x3', c3, 3);
    const b3 = branch(branch(x, '5x5_reduce', c5r, 1), '5x5', c5, 5);
    const b4 = branch(b.maxpool(x, { kernel: 3, stride: 1, padding: 1 }, `${p}_pool`), 'pool_proj', proj, 1);
    x = b.concat([b1, b2, b3, b4], `${p}_output`);
  }
  x = b.globalAvgPool(x, 'pool5_7x7_s1');
  x = b.dropout(x, { p: 0.4 }, 'pool5_drop_7x7_s1');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'loss3_classifier_1'));
}
