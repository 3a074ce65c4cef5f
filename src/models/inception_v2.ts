// Inception v2 = BN-Inception — Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep
// Network Training by Reducing Internal Covariate Shift" (ICML), as Cadene's pretrainedmodels
// `bninception` (Yuanjun Xiong's Caffe port). Not the "Inception-v2" of Szegedy et al. 2016 nor
// TF-slim's `inception_v2`, which differ in the stem.
// Faithful to the port rather than to the paper where they differ: every conv keeps a bias
// although a BatchNorm (eps 1e-5) follows it, pools use ceil mode, and the global pool is
// written as a 7x7 average (identical at 224). The paper's 5x5s are two 3x3s ("double_3x3").
// Names are the port's, e.g. `inception_3a_double_3x3_1`, `inception_3a_double_3x3_1_bn`,
// `inception_3a_relu_double_3x3_1`, and the module output `inception_3a_output`.
//   input 224x224x3 → conv1_7x7_s2 112x112x64 → pool1_3x3_s2 56x56x64 → conv2_3x3 56x56x192
//   → pool2_3x3_s2 28x28x192 → 3a 28x28x256 → 3b 28x28x320 → 3c 14x14x576
//   → 4a/4b 14x14x576 → 4c/4d 14x14x608 → 4e 7x7x1056 → 5a/5b 7x7x1024
//   → global_pool 1x1x1024 → last_linear 1000
// Only some resolutions work: where a stride-2 conv (floor) and a ceil-mode pool meet in a
// concat (3c, 4e), odd feature maps disagree by one pixel, as they do in PyTorch.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/**
 * A module of the paper's Table 1 / the port: [name, #1x1, #3x3 reduce, #3x3, double #3x3
 * reduce, double #3x3, pool, pool projection, stride]. #1x1 = 0: no 1x1 branch; projection 0:
 * the pool passes through (reduction modules).
 */
export type BnInceptionModule = readonly [string, number, number, number, number, number, 'avg' | 'max', number, 1 | 2];

export const BN_INCEPTION_MODULES: readonly BnInceptionModule[] = [
  ['3a', 64, 64, 64, 64, 96, 'avg', 32, 1],
  ['3b', 64, 64, 96, 64, 96, 'avg', 64, 1],
  ['3c', 0, 128, 160, 64, 96, 'max', 0, 2],
  ['4a', 224, 64, 96, 96, 128, 'avg', 128, 1],
  ['4b', 192, 96, 128, 96, 128, 'avg', 128, 1],
  ['4c', 160, 128, 160, 128, 160, 'avg', 128, 1],
  ['4d', 96, 128, 192, 160, 192, 'avg', 128, 1],
  ['4e', 0, 128, 192, 192, 256, 'max', 0, 2],
  ['5a', 352, 192, 320, 160, 224, 'avg', 128, 1],
  ['5b', 352, 192, 320, 192, 224, 'max', 128, 1],
];

/** Cadene's `bninception`. */
export function bnInception(opts: NetOptions): Graph {
  const { b, x: input } = start('inception-v2', opts);
  let x = convBnRelu(b, input, 'conv1_7x7_s2', 'conv1_relu_7x7', 64, 7, 2);
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'pool1_3x3_s2');
  x = convBnRelu(b, x, 'conv2_3x3_reduce', 'conv2_relu_3x3_reduce', 64, 1, 1);
  x = convBnRelu(b, x, 'conv2_3x3', 'conv2_relu_3x3', 192, 3, 1);
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'pool2_3x3_s2');
  for (const m of BN_INCEPTION_MODULES) x = inception(b, x, m);
  x = b.globalAvgPool(x, 'global_pool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}

/** conv (with bias, "same" padding) → `<conv>_bn` → relu. */
function convBnRelu(b: GraphBuilder, x: string, conv: string, relu: string, c: number, k: number, s: number): string {
  x = b.conv2d(x, { outChannels: c, kernel: k, stride: s, padding: (k - 1) >> 1 }, conv);
  x = b.batchnorm(x, {}, `${conv}_bn`);
  return b.relu(x, relu);
}

function inception(b: GraphBuilder, x: string, [id, c1, c3r, c3, cdr, cd, pool, proj, s]: BnInceptionModule): string {
  const p = `inception_${id}`;
  const unit = (y: string, what: string, c: number, k: number, stride = 1) =>
    convBnRelu(b, y, `${p}_${what}`, `${p}_relu_${what}`, c, k, stride);
  const branches: string[] = [];
  if (c1 > 0) branches.push(unit(x, '1x1', c1, 1));
  branches.push(unit(unit(x, '3x3_reduce', c3r, 1), '3x3', c3, 3, s));
  let d = unit(x, 'double_3x3_reduce', cdr, 1);
  d = unit(d, 'double_3x3_1', cd, 3);
  branches.push(unit(d, 'double_3x3_2', cd, 3, s));
  const poolOpts = { kernel: 3, stride: s, padding: s === 1 ? 1 : 0, ceil: true };
  const pooled = pool === 'avg' ? b.avgpool(x, poolOpts, `${p}_pool`) : b.maxpool(x, poolOpts, `${p}_pool`);
  branches.push(proj > 0 ? unit(pooled, 'pool_proj', proj, 1) : pooled);
  return b.concat(branches, `${p}_output`);
}
