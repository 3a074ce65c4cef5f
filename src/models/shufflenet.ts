// ShuffleNet (v1) — Zhang, Zhou, Lin & Sun 2018, "ShuffleNet: An Extremely Efficient
// Convolutional Neural Network for Mobile Devices" (CVPR), 1x with g = 8 groups, as Bianco et al.
// 2018 measured it (the PyTorch port in their models-comparison code, ericsun99's
// ShuffleNet-1g8): stage widths 384 / 768 / 1536 (Table 1 of the paper), 3 / 7 / 3 repeats after
// each stage's first unit. A unit: grouped 1x1 "compress" to a quarter of the unit's width + BN +
// ReLU (stage 2's first unit ungrouped: its 24 input channels are too few), channel shuffle,
// 3x3 depthwise + BN (stride 2 in the first unit of a stage), grouped 1x1 "expand" + BN; the
// first unit concatenates a 3x3 stride-2 average pool of its input (counting padding), the others
// add their input; then ReLU. Every conv has a bias (the port's, BN eps 1e-5); the stem is a
// 3x3 stride-2 conv without BN or ReLU, then a 3x3 stride-2 max pool. The port ends in
// log_softmax; here the net ends in the logits of `fc`, as every zoo network does.
//   input 224x224x3 → conv1 112x112x24 → maxpool 56x56x24 → stage2 28x28x384
//   → stage3 14x14x768 → stage4 7x7x1536 → global average pool → fc 1000

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Output channels per stage (stem, stage 2, 3, 4) for each group count of the paper's Table 1. */
export const SHUFFLENET_CHANNELS = { 1: [24, 144, 288, 576], 2: [24, 200, 400, 800], 3: [24, 240, 480, 960], 4: [24, 272, 544, 1088], 8: [24, 384, 768, 1536] } as const;
/** Units after the first of stages 2, 3, 4. */
export const SHUFFLENET_REPEATS = [3, 7, 3] as const;

function unit(b: GraphBuilder, x: string, p: string, out: number, groups: number, firstGroups: number, concat: boolean): string {
  const cin = b.shape(x)[3]!;
  const bottleneck = Math.floor(out / 4);
  const branchOut = concat ? out - cin : out;
  const bn = (y: string, name: string) => b.batchnorm(y, {}, name);
  let y = b.conv2d(x, { outChannels: bottleneck, kernel: 1, groups: firstGroups, bias: true }, `${p}.g_conv_1x1_compress.conv1x1`);
  y = b.relu(bn(y, `${p}.g_conv_1x1_compress.batch_norm`), `${p}.g_conv_1x1_compress.relu`);
  y = b.channelShuffle(y, { groups }, `${p}.shuffle`);
  y = b.conv2d(y, { outChannels: bottleneck, kernel: 3, stride: concat ? 2 : 1, padding: 1, groups: bottleneck, bias: true }, `${p}.depthwise_conv3x3`);
  y = bn(y, `${p}.bn_after_depthwise`);
  y = b.conv2d(y, { outChannels: branchOut, kernel: 1, groups, bias: true }, `${p}.g_conv_1x1_expand.conv1x1`);
  y = bn(y, `${p}.g_conv_1x1_expand.batch_norm`);
  const joined = concat
    ? b.concat([b.avgpool(x, { kernel: 3, stride: 2, padding: 1 }, `${p}.avgpool`), y], `${p}.concat`)
    : b.add(x, y, `${p}.add`);
  return b.relu(joined, `${p}.relu`);
}

/** ShuffleNet v1 1x with `groups` groups (Bianco et al. measured g = 8). */
export function shufflenet(groups: keyof typeof SHUFFLENET_CHANNELS, opts: NetOptions): Graph {
  const channels = SHUFFLENET_CHANNELS[groups];
  const { b, x: input } = start(`shufflenet-g${groups}`, opts);
  let x = b.conv2d(input, { outChannels: channels[0], kernel: 3, stride: 2, padding: 1, bias: true }, 'conv1');
  x = b.maxpool(x, { kernel: 3, stride: 2, padding: 1 }, 'maxpool');
  SHUFFLENET_REPEATS.forEach((repeats, i) => {
    const stage = i + 2, p = `stage${stage}.ShuffleUnit_Stage${stage}`;
    x = unit(b, x, `${p}_0`, channels[stage - 1]!, groups, stage === 2 ? 1 : groups, true);
    for (let j = 1; j <= repeats; j++) x = unit(b, x, `${p}_${j}`, channels[stage - 1]!, groups, groups, false);
  });
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc'));
}
