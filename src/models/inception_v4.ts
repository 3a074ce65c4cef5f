// Inception v4 — Szegedy, Ioffe, Vanhoucke & Alemi 2017, "Inception-v4, Inception-ResNet and
// the Impact of Residual Connections on Learning" (AAAI), as Cadene's pretrainedmodels
// `inceptionv4` (timm's `inception_v4` is the same network): 299x299, BasicConv2d = conv (no
// bias) + BatchNorm (eps 0.001) + ReLU, pool branches average with count_include_pad = false,
// 1000-way `last_linear` (Cadene's 1001-way checkpoint minus the background class), no dropout.
// 42,679,816 parameters. Names follow Cadene: `features.<i>` are the 22 stem/inception/reduction
// modules, so `features.6.branch1.0.conv` is the first conv of branch 1 of the first Inception-A.
//   input 299x299x3 → features.0 149x149x32 → .1 147x147x32 → .2 147x147x64
//   → .3 Mixed_3a 73x73x160 → .4 Mixed_4a 71x71x192 → .5 Mixed_5a 35x35x384
//   → .6-.9 Inception-A 35x35x384 → .10 Reduction-A 17x17x1024 → .11-.17 Inception-B 17x17x1024
//   → .18 Reduction-B 8x8x1536 → .19-.21 Inception-C 8x8x1536 → avg_pool 1x1x1536 → last_linear 1000

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, basicConv2d, start, type NetOptions } from './common.js';

const EPS = 0.001;

type K = number | [number, number];
/** One BasicConv2d of a branch: [out channels, kernel, stride, padding]. */
type ConvRow = readonly [number, K, number, K];

/** Each module of `features`, in order, with its type. */
export const INCEPTION_V4_FEATURES: readonly ('stem' | '3a' | '4a' | '5a' | 'A' | 'RA' | 'B' | 'RB' | 'C')[] = [
  'stem', 'stem', 'stem', '3a', '4a', '5a', 'A', 'A', 'A', 'A', 'RA',
  'B', 'B', 'B', 'B', 'B', 'B', 'B', 'RB', 'C', 'C', 'C',
];

const STEM: ConvRow[] = [[32, 3, 2, 0], [32, 3, 1, 0], [64, 3, 1, 1]];

/** Cadene / timm Inception v4. */
export function inceptionV4(opts: NetOptions): Graph {
  const { b, x: input } = start('inception-v4', opts);
  let x = input;
  INCEPTION_V4_FEATURES.forEach((type, i) => {
    const p = `features.${i}`;
    x = type === 'stem' ? conv(b, x, p, STEM[i]!) : MODULES[type](b, x, p);
  });
  x = b.globalAvgPool(x, 'avg_pool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}

function conv(b: GraphBuilder, x: string, name: string, [c, k, s, p]: ConvRow): string {
  return basicConv2d(b, x, name, { outChannels: c, kernel: k, stride: s, padding: p }, EPS);
}

/** A `nn.Sequential` of BasicConv2d: `<p>.0`, `<p>.1`, ... */
function seq(b: GraphBuilder, x: string, p: string, rows: ConvRow[]): string {
  return rows.reduce((y, row, i) => conv(b, y, `${p}.${i}`, row), x);
}

function avgBranch(b: GraphBuilder, x: string, p: string, c: number): string {
  const pool = b.avgpool(x, { kernel: 3, stride: 1, padding: 1, countIncludePad: false }, `${p}.0`);
  return conv(b, pool, `${p}.1`, [c, 1, 1, 0]);
}

const MODULES: Record<'3a' | '4a' | '5a' | 'A' | 'RA' | 'B' | 'RB' | 'C', (b: GraphBuilder, x: string, p: string) => string> = {
  '3a': (b, x, p) => b.concat([
    b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.maxpool`),
    conv(b, x, `${p}.conv`, [96, 3, 2, 0]),
  ], p),
  '4a': (b, x, p) => b.concat([
    seq(b, x, `${p}.branch0`, [[64, 1, 1, 0], [96, 3, 1, 0]]),
    seq(b, x, `${p}.branch1`, [[64, 1, 1, 0], [64, [1, 7], 1, [0, 3]], [64, [7, 1], 1, [3, 0]], [96, 3, 1, 0]]),
  ], p),
  '5a': (b, x, p) => b.concat([
    conv(b, x, `${p}.conv`, [192, 3, 2, 0]),
    b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.maxpool`),
  ], p),
  A: (b, x, p) => b.concat([
    conv(b, x, `${p}.branch0`, [96, 1, 1, 0]),
    seq(b, x, `${p}.branch1`, [[64, 1, 1, 0], [96, 3, 1, 1]]),
    seq(b, x, `${p}.branch2`, [[64, 1, 1, 0], [96, 3, 1, 1], [96, 3, 1, 1]]),
    avgBranch(b, x, `${p}.branch3`, 96),
  ], p),
  RA: (b, x, p) => b.concat([
    conv(b, x, `${p}.branch0`, [384, 3, 2, 0]),
    seq(b, x, `${p}.branch1`, [[192, 1, 1, 0], [224, 3, 1, 1], [256, 3, 2, 0]]),
    b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.branch2`),
  ], p),
  B: (b, x, p) => b.concat([
    conv(b, x, `${p}.branch0`, [384, 1, 1, 0]),
    seq(b, x, `${p}.branch1`, [[192, 1, 1, 0], [224, [1, 7], 1, [0, 3]], [256, [7, 1], 1, [3, 0]]]),
    seq(b, x, `${p}.branch2`, [
      [192, 1, 1, 0], [192, [7, 1], 1, [3, 0]], [224, [1, 7], 1, [0, 3]], [224, [7, 1], 1, [3, 0]],
      [256, [1, 7], 1, [0, 3]],
    ]),
    avgBranch(b, x, `${p}.branch3`, 128),
  ], p),
  RB: (b, x, p) => b.concat([
    seq(b, x, `${p}.branch0`, [[192, 1, 1, 0], [192, 3, 2, 0]]),
    seq(b, x, `${p}.branch1`, [[256, 1, 1, 0], [256, [1, 7], 1, [0, 3]], [320, [7, 1], 1, [3, 0]], [320, 3, 2, 0]]),
    b.maxpool(x, { kernel: 3, stride: 2 }, `${p}.branch2`),
  ], p),
  C(b, x, p) {
    const x0 = conv(b, x, `${p}.branch0`, [256, 1, 1, 0]);
    const x1 = conv(b, x, `${p}.branch1_0`, [384, 1, 1, 0]);
    const x1ab = b.concat([
      conv(b, x1, `${p}.branch1_1a`, [256, [1, 3], 1, [0, 1]]),
      conv(b, x1, `${p}.branch1_1b`, [256, [3, 1], 1, [1, 0]]),
    ], `${p}.branch1`);
    let x2 = conv(b, x, `${p}.branch2_0`, [384, 1, 1, 0]);
    x2 = conv(b, x2, `${p}.branch2_1`, [448, [3, 1], 1, [1, 0]]);
    x2 = conv(b, x2, `${p}.branch2_2`, [512, [1, 3], 1, [0, 1]]);
    const x2ab = b.concat([
      conv(b, x2, `${p}.branch2_3a`, [256, [1, 3], 1, [0, 1]]),
      conv(b, x2, `${p}.branch2_3b`, [256, [3, 1], 1, [1, 0]]),
    ], `${p}.branch2`);
    return b.concat([x0, x1ab, x2ab, avgBranch(b, x, `${p}.branch3`, 256)], p);
  },
};
