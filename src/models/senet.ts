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
// SENet-154 (`senet154`, the ILSVRC 2017 winner): a stem of three 3x3 convs (64, 64, 128, the
// first strided) before the pool, SEBottleneck blocks — conv1 1x1 to 2 x planes, grouped (64)
// conv2 3x3 to 4 x planes with the stride, conv3 1x1 — projection shortcuts that are 3x3 stride-2
// convs from stage 2 on, and dropout (p 0.2) before the fc.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Blocks per stage and the block type of each network (Cadene's `SENet(...)` calls). */
export const SENET_CONFIGS = {
  'se-resnet-50': { layers: [3, 4, 6, 3], block: 'se-resnet', groups: 1 },
  'se-resnet-101': { layers: [3, 4, 23, 3], block: 'se-resnet', groups: 1 },
  'se-resnet-152': { layers: [3, 8, 36, 3], block: 'se-resnet', groups: 1 },
  'se-resnext-50-32x4d': { layers: [3, 4, 6, 3], block: 'se-resnext', groups: 32 },
  'se-resnext-101-32x4d': { layers: [3, 4, 23, 3], block: 'se-resnext', groups: 32 },
  'senet-154': { layers: [3, 8, 36, 3], block: 'senet', groups: 64 },
} as const;

type Block = (typeof SENET_CONFIGS)[keyof typeof SENET_CONFIGS]['block'];

const EPS = 1e-5;
const REDUCTION = 16;

function seModule(b: GraphBuilder, x: string, p: string): string {
  const c = b.shape(x)[3]!;
  let s = b.globalAvgPool(x, `${p}.avg_pool`);
  s = b.relu(b.conv2d(s, { outChannels: Math.floor(c / REDUCTION), kernel: 1 }, `${p}.fc1`), `${p}.relu`);
  s = b.sigmoid(b.conv2d(s, { outChannels: c, kernel: 1 }, `${p}.fc2`), `${p}.sigmoid`);
  return b.channelMul(x, s, `${p}.scale`);
}

function bottleneck(b: GraphBuilder, x: string, p: string, block: Block, planes: number, stride: number, groups: number,
  project: 0 | 1 | 3): string {
  // [conv1 width, conv2 width]: SE-ResNet planes / planes, SE-ResNeXt floor(planes x 4 / 64) x
  // groups for both, SENet-154 2 x planes then 4 x planes
  const [w1, w2] = block === 'se-resnet' ? [planes, planes]
    : block === 'se-resnext' ? [Math.floor((planes * 4) / 64) * groups, Math.floor((planes * 4) / 64) * groups]
      : [planes * 2, planes * 4];
  const strideFirst = block === 'se-resnet';
  const cbr = (y: string, i: number, opts: Parameters<GraphBuilder['conv2d']>[1]) =>
    b.relu(b.batchnorm(b.conv2d(y, { ...opts, bias: false }, `${p}.conv${i}`), { eps: EPS }, `${p}.bn${i}`), `${p}.relu${i}`);
  let y = cbr(x, 1, { outChannels: w1, kernel: 1, stride: strideFirst ? stride : 1 });
  y = cbr(y, 2, { outChannels: w2, kernel: 3, padding: 1, groups, stride: strideFirst ? 1 : stride });
  y = b.batchnorm(b.conv2d(y, { outChannels: planes * 4, kernel: 1, bias: false }, `${p}.conv3`), { eps: EPS }, `${p}.bn3`);
  // the shortcut before the SE module, so that the rescale and the add run as one step
  let shortcut = x;
  if (project) {
    shortcut = b.conv2d(x, { outChannels: planes * 4, kernel: project, stride, padding: (project - 1) / 2, bias: false }, `${p}.downsample.0`);
    shortcut = b.batchnorm(shortcut, { eps: EPS }, `${p}.downsample.1`);
  }
  y = seModule(b, y, `${p}.se_module`);
  return b.relu(b.add(y, shortcut, `${p}.add`), `${p}.relu`);
}

/** An SE-ResNet / SE-ResNeXt / SENet-154 of Cadene's pretrainedmodels. */
export function senet(name: keyof typeof SENET_CONFIGS, opts: NetOptions): Graph {
  const { layers, block, groups } = SENET_CONFIGS[name];
  const { b, x: input } = start(name, opts);
  const stemConv = (x: string, i: number, c: number, k: number, s: number) => {
    x = b.conv2d(x, { outChannels: c, kernel: k, stride: s, padding: (k - 1) / 2, bias: false }, `layer0.conv${i}`);
    return b.relu(b.batchnorm(x, { eps: EPS }, `layer0.bn${i}`), `layer0.relu${i}`);
  };
  let x = block === 'senet'
    ? stemConv(stemConv(stemConv(input, 1, 64, 3, 2), 2, 64, 3, 1), 3, 128, 3, 1)
    : stemConv(input, 1, 64, 7, 2);
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'layer0.pool');
  let inplanes = b.shape(x)[3]!;
  layers.forEach((blocks, s) => {
    const planes = 64 * 2 ** s;
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      const project = i === 0 && (stride !== 1 || inplanes !== planes * 4) ? (block === 'senet' && s > 0 ? 3 : 1) : 0;
      x = bottleneck(b, x, `layer${s + 1}.${i}`, block, planes, stride, groups, project);
      inplanes = planes * 4;
    }
  });
  x = b.globalAvgPool(x, 'avg_pool');
  if (block === 'senet') x = b.dropout(x, { p: 0.2 }, 'dropout');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}
