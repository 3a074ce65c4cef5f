// Inception v3 — Szegedy, Vanhoucke, Ioffe, Shlens & Wojna 2016, "Rethinking the Inception
// Architecture for Computer Vision" (CVPR), as torchvision's `inception_v3` at 299x299 without
// the auxiliary head (AuxLogits after Mixed_6e): 23,834,568 parameters, against torchvision's
// 27,161,264 with it. BasicConv2d = conv (no bias) + BatchNorm (eps 0.001) + ReLU; the pool
// branches of InceptionA/C/E average with count_include_pad = true (F.avg_pool2d's default).
// The 1x3/3x1 pairs of InceptionE are concatenated first (`<block>.branch3x3`,
// `<block>.branch3x3dbl`) and then with the other branches, as torchvision does.
//   input 299x299x3 → Conv2d_1a_3x3 149x149x32 → Conv2d_2a_3x3 147x147x32
//   → Conv2d_2b_3x3 147x147x64 → maxpool1 73x73x64 → Conv2d_3b_1x1 73x73x80
//   → Conv2d_4a_3x3 71x71x192 → maxpool2 35x35x192
//   → Mixed_5b 35x35x256 → Mixed_5c/5d 35x35x288 → Mixed_6a 17x17x768 → Mixed_6b..6e 17x17x768
//   → Mixed_7a 8x8x1280 → Mixed_7b/7c 8x8x2048 → avgpool 1x1x2048 → fc 1000

import type { Conv2dOptions, GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, basicConv2d, start, type NetOptions } from './common.js';

const EPS = 0.001;

/** The mixed blocks in order: [name, block type, argument (pool_features or channels_7x7)]. */
export const INCEPTION_V3_BLOCKS: readonly [string, 'A' | 'B' | 'C' | 'D' | 'E', number][] = [
  ['Mixed_5b', 'A', 32], ['Mixed_5c', 'A', 64], ['Mixed_5d', 'A', 64],
  ['Mixed_6a', 'B', 0],
  ['Mixed_6b', 'C', 128], ['Mixed_6c', 'C', 160], ['Mixed_6d', 'C', 160], ['Mixed_6e', 'C', 192],
  ['Mixed_7a', 'D', 0],
  ['Mixed_7b', 'E', 0], ['Mixed_7c', 'E', 0],
];

/** torchvision Inception v3, no auxiliary head. */
export function inceptionV3(opts: NetOptions): Graph {
  const { b, x: input } = start('inception-v3', opts);
  const conv = convIn(b);
  let x = conv(input, 'Conv2d_1a_3x3', 32, 3, { stride: 2 });
  x = conv(x, 'Conv2d_2a_3x3', 32, 3);
  x = conv(x, 'Conv2d_2b_3x3', 64, 3, { padding: 1 });
  x = b.maxpool(x, { kernel: 3, stride: 2 }, 'maxpool1');
  x = conv(x, 'Conv2d_3b_1x1', 80, 1);
  x = conv(x, 'Conv2d_4a_3x3', 192, 3);
  x = b.maxpool(x, { kernel: 3, stride: 2 }, 'maxpool2');
  for (const [name, type, arg] of INCEPTION_V3_BLOCKS) x = BLOCKS[type](b, x, name, arg);
  x = b.globalAvgPool(x, 'avgpool');
  x = b.dropout(x, { p: 0.5 }, 'dropout');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'fc'));
}

type Conv = (x: string, name: string, c: number, k: number | [number, number], o?: Partial<Conv2dOptions>) => string;

/** BasicConv2d with "same" PyTorch padding unless given: 3 → 1, (1,7) → (0,3). */
function convIn(b: GraphBuilder, prefix = ''): Conv {
  return (x, name, c, k, o = {}) => basicConv2d(b, x, prefix + name, { outChannels: c, kernel: k, ...o }, EPS);
}

const same = (k: number | [number, number]): [number, number] =>
  typeof k === 'number' ? [(k - 1) / 2, (k - 1) / 2] : [(k[0] - 1) / 2, (k[1] - 1) / 2];

const BLOCKS: Record<'A' | 'B' | 'C' | 'D' | 'E', (b: GraphBuilder, x: string, p: string, arg: number) => string> = {
  // 35x35: 64 + 64 + 96 + pool_features channels.
  A(b, x, p, poolFeatures) {
    const conv = convIn(b, `${p}.`);
    const b1 = conv(x, 'branch1x1', 64, 1);
    const b5 = conv(conv(x, 'branch5x5_1', 48, 1), 'branch5x5_2', 64, 5, { padding: 2 });
    let b3 = conv(x, 'branch3x3dbl_1', 64, 1);
    b3 = conv(b3, 'branch3x3dbl_2', 96, 3, { padding: 1 });
    b3 = conv(b3, 'branch3x3dbl_3', 96, 3, { padding: 1 });
    const pool = b.avgpool(x, { kernel: 3, stride: 1, padding: 1 }, `${p}.avgpool`);
    const bp = conv(pool, 'branch_pool', poolFeatures, 1);
    return b.concat([b1, b5, b3, bp], p);
  },
  // 35x35 → 17x17: 384 + 96 + input channels.
  B(b, x, p) {
    const conv = convIn(b, `${p}.`);
    const b3 = conv(x, 'branch3x3', 384, 3, { stride: 2 });
    let bd = conv(x, 'branch3x3dbl_1', 64, 1);
    bd = conv(bd, 'branch3x3dbl_2', 96, 3, { padding: 1 });
    bd = conv(bd, 'branch3x3dbl_3', 96, 3, { stride: 2 });
    const pool = b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.maxpool`);
    return b.concat([b3, bd, pool], p);
  },
  // 17x17 with factorised 7x7s: 192 * 4 channels.
  C(b, x, p, c7) {
    const conv = convIn(b, `${p}.`);
    const f = (y: string, name: string, c: number, k: [number, number]) => conv(y, name, c, k, { padding: same(k) });
    const b1 = conv(x, 'branch1x1', 192, 1);
    let b7 = conv(x, 'branch7x7_1', c7, 1);
    b7 = f(b7, 'branch7x7_2', c7, [1, 7]);
    b7 = f(b7, 'branch7x7_3', 192, [7, 1]);
    let bd = conv(x, 'branch7x7dbl_1', c7, 1);
    bd = f(bd, 'branch7x7dbl_2', c7, [7, 1]);
    bd = f(bd, 'branch7x7dbl_3', c7, [1, 7]);
    bd = f(bd, 'branch7x7dbl_4', c7, [7, 1]);
    bd = f(bd, 'branch7x7dbl_5', 192, [1, 7]);
    const pool = b.avgpool(x, { kernel: 3, stride: 1, padding: 1 }, `${p}.avgpool`);
    const bp = conv(pool, 'branch_pool', 192, 1);
    return b.concat([b1, b7, bd, bp], p);
  },
  // 17x17 → 8x8: 320 + 192 + input channels.
  D(b, x, p) {
    const conv = convIn(b, `${p}.`);
    const b3 = conv(conv(x, 'branch3x3_1', 192, 1), 'branch3x3_2', 320, 3, { stride: 2 });
    let b7 = conv(x, 'branch7x7x3_1', 192, 1);
    b7 = conv(b7, 'branch7x7x3_2', 192, [1, 7], { padding: [0, 3] });
    b7 = conv(b7, 'branch7x7x3_3', 192, [7, 1], { padding: [3, 0] });
    b7 = conv(b7, 'branch7x7x3_4', 192, 3, { stride: 2 });
    const pool = b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.maxpool`);
    return b.concat([b3, b7, pool], p);
  },
  // 8x8, expanded filter banks: 320 + 768 + 768 + 192 = 2048 channels.
  E(b, x, p) {
    const conv = convIn(b, `${p}.`);
    const b1 = conv(x, 'branch1x1', 320, 1);
    const r3 = conv(x, 'branch3x3_1', 384, 1);
    const b3 = b.concat([
      conv(r3, 'branch3x3_2a', 384, [1, 3], { padding: [0, 1] }),
      conv(r3, 'branch3x3_2b', 384, [3, 1], { padding: [1, 0] }),
    ], `${p}.branch3x3`);
    let rd = conv(x, 'branch3x3dbl_1', 448, 1);
    rd = conv(rd, 'branch3x3dbl_2', 384, 3, { padding: 1 });
    const bd = b.concat([
      conv(rd, 'branch3x3dbl_3a', 384, [1, 3], { padding: [0, 1] }),
      conv(rd, 'branch3x3dbl_3b', 384, [3, 1], { padding: [1, 0] }),
    ], `${p}.branch3x3dbl`);
    const pool = b.avgpool(x, { kernel: 3, stride: 1, padding: 1 }, `${p}.avgpool`);
    const bp = conv(pool, 'branch_pool', 192, 1);
    return b.concat([b1, b3, bd, bp], p);
  },
};
