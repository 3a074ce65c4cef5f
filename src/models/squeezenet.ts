// SqueezeNet — Iandola, Han, Moskewicz, Ashraf, Dally & Keutzer 2016, "SqueezeNet: AlexNet-level
// accuracy with 50x fewer parameters and <0.5MB model size" (arXiv:1602.07360), as torchvision's
// `squeezenet1_0` (the paper's Table 1) and `squeezenet1_1` (the SqueezeNet v1.1 of the authors'
// repository: 3x3 stem with 64 channels, pools moved earlier, 2.4x fewer MACs, same accuracy).
// Biased convs, no batch norm; a fire module is squeeze 1x1 + ReLU, then expand 1x1 and expand
// 3x3 (padding 1), each + ReLU, concatenated (1x1 channels first). Max pools 3x3 s2 in ceil mode.
// There is no fc: the classifier is dropout 0.5, a 1x1 conv to 1000 channels, ReLU and a global
// average pool, so the logits are non-negative.
//   1.0: input 224x224x3 → features.0 109x109x96 → features.2 54x54x96 → features.5 54x54x256
//        → features.6 27x27x256 → features.10 27x27x512 → features.11 13x13x512 → features.12 13x13x512
//   1.1: input 224x224x3 → features.0 111x111x64 → features.2 55x55x64 → features.5 27x27x128
//        → features.8 13x13x256 → features.12 13x13x512
//   → classifier.1 13x13x1000 → classifier.3 1x1x1000 → flatten 1000
// Names are torchvision's: `features.<i>` for the stem conv / pools, `features.<i>.squeeze`,
// `.expand1x1`, `.expand3x3` (and their `_activation`s) in a fire module, `classifier.1`.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** One entry of `features`: the stem conv [channels, kernel], a max pool, or fire [squeeze, expand1x1, expand3x3]. */
export type SqueezeNetLayer =
  | readonly ['conv', number, number]
  | readonly ['pool']
  | readonly ['fire', number, number, number];

/**
 * torchvision's `features` sequences; the stem conv's ReLU takes index 1, which is why the
 * first pool is `features.2`.
 */
export const SQUEEZENET_CONFIGS: Readonly<Record<'1.0' | '1.1', readonly SqueezeNetLayer[]>> = {
  '1.0': [
    ['conv', 96, 7], ['pool'],
    ['fire', 16, 64, 64], ['fire', 16, 64, 64], ['fire', 32, 128, 128], ['pool'],
    ['fire', 32, 128, 128], ['fire', 48, 192, 192], ['fire', 48, 192, 192], ['fire', 64, 256, 256], ['pool'],
    ['fire', 64, 256, 256],
  ],
  '1.1': [
    ['conv', 64, 3], ['pool'],
    ['fire', 16, 64, 64], ['fire', 16, 64, 64], ['pool'],
    ['fire', 32, 128, 128], ['fire', 32, 128, 128], ['pool'],
    ['fire', 48, 192, 192], ['fire', 48, 192, 192], ['fire', 64, 256, 256], ['fire', 64, 256, 256],
  ],
};

/** torchvision SqueezeNet `version` 1.0 or 1.1. */
export function squeezenet(version: keyof typeof SQUEEZENET_CONFIGS, opts: NetOptions): Graph {
  const { b, x: input } = start(`squeezenet-${version}`, opts);
  let x = input;
  let i = 0;
  for (const layer of SQUEEZENET_CONFIGS[version]) {
    const p = `features.${i}`;
    if (layer[0] === 'conv') {
      x = b.conv2d(x, { outChannels: layer[1], kernel: layer[2], stride: 2 }, p);
      x = b.relu(x, `features.${++i}`);
    } else if (layer[0] === 'pool') {
      x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, p);
    } else {
      x = fire(b, x, p, layer[1], layer[2], layer[3]);
    }
    i++;
  }
  x = b.dropout(x, { p: 0.5 }, 'classifier.0');
  x = b.conv2d(x, { outChannels: NUM_CLASSES, kernel: 1 }, 'classifier.1');
  x = b.relu(x, 'classifier.2');
  x = b.globalAvgPool(x, 'classifier.3');
  return b.output(b.flatten(x, 'flatten'));
}

function fire(b: GraphBuilder, x: string, p: string, squeeze: number, e1: number, e3: number): string {
  const s = b.relu(b.conv2d(x, { outChannels: squeeze, kernel: 1 }, `${p}.squeeze`), `${p}.squeeze_activation`);
  const y1 = b.relu(b.conv2d(s, { outChannels: e1, kernel: 1 }, `${p}.expand1x1`), `${p}.expand1x1_activation`);
  const y3 = b.relu(b.conv2d(s, { outChannels: e3, kernel: 3, padding: 1 }, `${p}.expand3x3`), `${p}.expand3x3_activation`);
  return b.concat([y1, y3], p);
}
