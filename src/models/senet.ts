// Squeeze-and-excitation ResNets — Hu, Shen & Sun 2018, "Squeeze-and-Excitation Networks"
// (CVPR), as Bianco et al. 2018 ran them: Cadene's `pretrainedmodels` `se_resnet50/101/152` and
// `se_resnext50_32x4d / se_resnext101_32x4d` (ports of the authors' Caffe models).
//   layer0: conv1 7x7/2 64 (no bias), bn1, relu1, pool 3x3/2 ceil mode → 56x56x64
//   layer1..4: bottlenecks of planes 64, 128, 256, 512 (output 4x), the first of each stage with a
//   1x1 strided projection (`downsample.0/.1`), then avgpool 7 and the fc `last_linear`.
// SE-ResNet bottleneck: conv1 1x1 with the stage's stride (ResNet v1: the stride on the first 1x1),
// conv2 3x3, conv3 1x1, each with BN (eps 1e-5); SE-ResNeXt: conv1 1x1 to floor(planes x 4 / 64)
// x 32 channels, the stride on the grouped (32) conv2. Both: the SE module (`se_module`) — global
// average pool → fc1 1x1 conv with bias to C / 16 → ReLU → fc2 1x1 conv with bias back to C →
// sigmoid → per-channel multiply of bn3's output — then the residual add and ReLU.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Blocks per stage and the block type of each network (Cadene's `SENet(...)` calls). */
export const SENET_CONFIGS = {
  'se-resnet-50': { layers: [3, 4, 6, 3], groups: 1 },
  'se-resnet-101': { layers: [3, 4, 23, 3], groups: 1 },
  'se-resnet-152': { layers: [3, 8, 36, 3], groups: 1 },
  'se-resnext-50-32x4d': { layers: [3, 4, 6, 3], groups: 32 },
  'se-resnext-101-32x4d': { layers: [3, 4, 23, 3], groups: 32 },
} as const;

const EPS = 1e-5;
const REDUCTION = 16;

function seModule(b: GraphBuilder, x: string, p: string): string {
  const c = b.shape(x)[3]!;
  let s = b.globalAvgPool(x, `${p}.avg_pool`);
  s = b.relu(b.conv2d(s, { outChannels: Math.floor(c / REDUCTION), kernel: 1 }, `${p}.fc1`), `${p}.relu`);
  s = b.sigmoid(b.conv2d(s, { outChannels: c, kernel: 1 }, `${p}.fc2`), `${p}.sigmoid`);
  return b.channelMul(x, s, `${p}.scale`);
}

function bottleneck(b: GraphBuilder, x: string, p: string, planes: number, stride: number, groups: number, project: boolean): string {
  const width = groups === 1 ? planes : Math.floor((planes * 4) / 64) * groups;
  const cbr = (y: string, i: number, opts: Parameters<GraphBuilder['conv2d']>[1]) =>
    b.relu(b.batchnorm(b.conv2d(y, { ...opts, bias: false }, `${p}.conv${i}`), { eps: EPS }, `${p}.bn${i}`), `${p}.relu${i}`);
  let y = cbr(x, 1, { outChannels: width, kernel: 1, stride: groups === 1 ? stride : 1 });
  y = cbr(y, 2, { outChannels: width, kernel: 3, padding: 1, groups, stride: groups === 1 ? 1 : stride });
  y = b.batchnorm(b.conv2d(y, { outChannels: planes * 4, kernel: 1, bias: false }, `${p}.conv3`), { eps: EPS }, `${p}.bn3`);
  y = seModule(b, y, `${p}.se_module`);
  let shortcut = x;
  if (project) {
    shortcut = b.conv2d(x, { outChannels: planes * 4, kernel: 1, stride, bias: false }, `${p}.downsample.0`);
    shortcut = b.batchnorm(shortcut, { eps: EPS }, `${p}.downsample.1`);
  }
  return b.relu(b.add(y, shortcut, `${p}.add`), `${p}.relu`);
}

/** An SE-ResNet / SE-ResNeXt of Cadene's pretrainedmodels. */
export function senet(name: keyof typeof SENET_CONFIGS, opts: NetOptions): Graph {
  const { layers, groups } = SENET_CONFIGS[name];
  const { b, x: input } = start(name, opts);
  let x = b.conv2d(input, { outChannels: 64, kernel: 7, stride: 2, padding: 3, bias: false }, 'layer0.conv1');
  x = b.relu(b.batchnorm(x, { eps: EPS }, 'layer0.bn1'), 'layer0.relu1');
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'layer0.pool');
  let inplanes = 64;
  layers.forEach((blocks, s) => {
    const planes = 64 * 2 ** s;
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      x = bottleneck(b, x, `layer${s + 1}.${i}`, planes, stride, groups, i === 0 && (stride !== 1 || inplanes !== planes * 4));
      inplanes = planes * 4;
    }
  });
  x = b.globalAvgPool(x, 'avg_pool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}
