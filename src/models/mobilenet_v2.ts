// MobileNet v2 — Sandler, Howard, Zhu, Zhmoginov & Chen 2018, "MobileNetV2: Inverted Residuals
// and Linear Bottlenecks" (CVPR), as torchvision's `mobilenet_v2` at width 1.0: Conv-BN-ReLU6
// units with PyTorch padding (k - 1) / 2, no conv bias, BatchNorm eps 1e-5, linear (no
// activation) projection, a residual add where stride is 1 and channels are kept, and
// dropout 0.2 before the classifier.
//   input 224x224x3 → features.0 112x112x32 → .1 112x112x16 → .2-.3 56x56x24 → .4-.6 28x28x32
//   → .7-.10 14x14x64 → .11-.13 14x14x96 → .14-.16 7x7x160 → .17 7x7x320 → .18 7x7x1280
//   → avgpool 1x1x1280 → classifier.1 1000
// Names are torchvision's: `features.<i>.conv.<j>.<k>`; a residual block's output is
// `features.<i>.add`.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** The paper's Table 2 rows: [expansion t, output channels c, repeats n, first stride s]. */
export const MOBILENET_V2_SETTINGS: readonly (readonly [number, number, number, 1 | 2])[] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** torchvision MobileNet v2, width multiplier 1. */
export function mobilenetV2(opts: NetOptions): Graph {
  const { b, x: input } = start('mobilenet-v2', opts);
  let x = convBnRelu6(b, input, 'features.0', 32, 3, 2, 1);
  let i = 1;
  for (const [t, c, n, s] of MOBILENET_V2_SETTINGS) {
    for (let j = 0; j < n; j++) x = invertedResidual(b, x, `features.${i++}`, c, j === 0 ? s : 1, t);
  }
  x = convBnRelu6(b, x, `features.${i}`, 1280, 1, 1, 1);
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  x = b.dropout(x, { p: 0.2 }, 'classifier.0');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'classifier.1'));
}

/** torchvision `Conv2dNormActivation`: `<p>.0` conv, `<p>.1` BN, `<p>.2` ReLU6. */
function convBnRelu6(b: GraphBuilder, x: string, p: string, c: number, k: number, stride: number, groups: number): string {
  x = b.conv2d(x, { outChannels: c, kernel: k, stride, padding: (k - 1) / 2, groups, bias: false }, `${p}.0`);
  x = b.batchnorm(x, {}, `${p}.1`);
  return b.relu6(x, `${p}.2`);
}

function invertedResidual(b: GraphBuilder, x: string, p: string, out: number, stride: number, t: number): string {
  const inp = b.shape(x)[3]!;
  const hidden = inp * t;
  let y = x;
  let j = 0;
  if (t !== 1) y = convBnRelu6(b, y, `${p}.conv.${j++}`, hidden, 1, 1, 1);
  y = convBnRelu6(b, y, `${p}.conv.${j++}`, hidden, 3, stride, hidden);
  y = b.conv2d(y, { outChannels: out, kernel: 1, bias: false }, `${p}.conv.${j++}`);
  y = b.batchnorm(y, {}, `${p}.conv.${j}`);
  return stride === 1 && inp === out ? b.add(x, y, `${p}.add`) : y;
}
