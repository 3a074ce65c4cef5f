// Inception-ResNet-v2 — Szegedy, Ioffe, Vanhoucke & Alemi 2017, "Inception-v4, Inception-ResNet
// and the Impact of Residual Connections on Learning" (AAAI), as Cadene's pretrainedmodels
// `inceptionresnetv2` (the TF-slim model; what Bianco et al. 2018 measured): 299x299, BasicConv2d
// = conv (no bias) + BatchNorm (eps 0.001) + ReLU, unpadded stem convs and pools, 1000-way
// `last_linear` (the 1001-way checkpoint minus the background class). Each residual block
// concatenates its branches, projects them back with a biased 1x1 `conv2d`, scales that by a
// constant (0.17, 0.10, 0.20: the paper's residual scaling, which kept training stable) and adds
// the block's input, then ReLU; the last Block8 has scale 1 and no ReLU.
//   input 299x299x3 → conv2d_1a 149x149x32 → 2a 147x147x32 → 2b 147x147x64 → maxpool_3a 73x73x64
//   → conv2d_3b 73x73x80 → 4a 71x71x192 → maxpool_5a 35x35x192 → mixed_5b 35x35x320
//   → repeat (10 x Block35) → mixed_6a 17x17x1088 → repeat_1 (20 x Block17) → mixed_7a 8x8x2080
//   → repeat_2 (9 x Block8) → block8 → conv2d_7b 8x8x1536 → avgpool_1a 1x1x1536 → last_linear 1000

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, basicConv2d, start, type NetOptions } from './common.js';

const EPS = 0.001;

type K = number | [number, number];
/** One BasicConv2d: [out channels, kernel, stride, padding]. */
type ConvRow = readonly [number, K, number, K];

/** The residual stages: module name, block type, blocks, residual scale. */
export const INCEPTION_RESNET_V2_REPEATS = [
  ['repeat', 'block35', 10, 0.17], ['repeat_1', 'block17', 20, 0.1], ['repeat_2', 'block8', 9, 0.2],
] as const;

/** Branches of each residual block (a branch is a sequence of BasicConv2d) and its 1x1 projection's width. */
const BLOCKS: Record<'block35' | 'block17' | 'block8', { branches: ConvRow[][]; out: number }> = {
  block35: { branches: [[[32, 1, 1, 0]], [[32, 1, 1, 0], [32, 3, 1, 1]], [[32, 1, 1, 0], [48, 3, 1, 1], [64, 3, 1, 1]]], out: 320 },
  block17: { branches: [[[192, 1, 1, 0]], [[128, 1, 1, 0], [160, [1, 7], 1, [0, 3]], [192, [7, 1], 1, [3, 0]]]], out: 1088 },
  block8: { branches: [[[192, 1, 1, 0]], [[192, 1, 1, 0], [224, [1, 3], 1, [0, 1]], [256, [3, 1], 1, [1, 0]]]], out: 2080 },
};

function conv(b: GraphBuilder, x: string, name: string, [c, k, s, p]: ConvRow): string {
  return basicConv2d(b, x, name, { outChannels: c, kernel: k, stride: s, padding: p }, EPS);
}

/** Branch `<p>.branch<i>`: one BasicConv2d as the module itself, several as `<p>.branch<i>.<j>`. */
function branch(b: GraphBuilder, x: string, p: string, rows: ConvRow[]): string {
  if (rows.length === 1) return conv(b, x, p, rows[0]!);
  return rows.reduce((y, row, j) => conv(b, y, `${p}.${j}`, row), x);
}

function residual(b: GraphBuilder, x: string, p: string, type: keyof typeof BLOCKS, scale: number, relu: boolean): string {
  const { branches, out } = BLOCKS[type];
  const cat = b.concat(branches.map((rows, i) => branch(b, x, `${p}.branch${i}`, rows)), `${p}.cat`);
  let y = b.conv2d(cat, { outChannels: out, kernel: 1, bias: true }, `${p}.conv2d`);
  if (scale !== 1) y = b.scale(y, { factor: scale }, `${p}.scale`);
  y = b.add(y, x, `${p}.add`);
  return relu ? b.relu(y, `${p}.relu`) : y;
}

/** Cadene's pretrainedmodels Inception-ResNet-v2. */
export function inceptionResnetV2(opts: NetOptions): Graph {
  const { b, x: input } = start('inception-resnet-v2', opts);
  let x = conv(b, input, 'conv2d_1a', [32, 3, 2, 0]);
  x = conv(b, x, 'conv2d_2a', [32, 3, 1, 0]);
  x = conv(b, x, 'conv2d_2b', [64, 3, 1, 1]);
  x = b.maxpool(x, { kernel: 3, stride: 2 }, 'maxpool_3a');
  x = conv(b, x, 'conv2d_3b', [80, 1, 1, 0]);
  x = conv(b, x, 'conv2d_4a', [192, 3, 1, 0]);
  x = b.maxpool(x, { kernel: 3, stride: 2 }, 'maxpool_5a');
  const m5b = x;
  x = b.concat([
    branch(b, m5b, 'mixed_5b.branch0', [[96, 1, 1, 0]]),
    branch(b, m5b, 'mixed_5b.branch1', [[48, 1, 1, 0], [64, 5, 1, 2]]),
    branch(b, m5b, 'mixed_5b.branch2', [[64, 1, 1, 0], [96, 3, 1, 1], [96, 3, 1, 1]]),
    conv(b, b.avgpool(m5b, { kernel: 3, stride: 1, padding: 1, countIncludePad: false }, 'mixed_5b.branch3.0'), 'mixed_5b.branch3.1', [64, 1, 1, 0]),
  ], 'mixed_5b');
  const stage = (i: number) => {
    const [name, type, blocks, scale] = INCEPTION_RESNET_V2_REPEATS[i]!;
    for (let j = 0; j < blocks; j++) x = residual(b, x, `${name}.${j}`, type, scale, true);
  };
  stage(0);
  const m6a = x;
  x = b.concat([
    branch(b, m6a, 'mixed_6a.branch0', [[384, 3, 2, 0]]),
    branch(b, m6a, 'mixed_6a.branch1', [[256, 1, 1, 0], [256, 3, 1, 1], [384, 3, 2, 0]]),
    b.maxpool(m6a, { kernel: 3, stride: 2 }, 'mixed_6a.branch2'),
  ], 'mixed_6a');
  stage(1);
  const m7a = x;
  x = b.concat([
    branch(b, m7a, 'mixed_7a.branch0', [[256, 1, 1, 0], [384, 3, 2, 0]]),
    branch(b, m7a, 'mixed_7a.branch1', [[256, 1, 1, 0], [288, 3, 2, 0]]),
    branch(b, m7a, 'mixed_7a.branch2', [[256, 1, 1, 0], [288, 3, 1, 1], [320, 3, 2, 0]]),
    b.maxpool(m7a, { kernel: 3, stride: 2 }, 'mixed_7a.branch3'),
  ], 'mixed_7a');
  stage(2);
  x = residual(b, x, 'block8', 'block8', 1, false);
  x = conv(b, x, 'conv2d_7b', [1536, 1, 1, 0]);
  x = b.globalAvgPool(x, 'avgpool_1a');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}
