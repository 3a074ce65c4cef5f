// Xception — Chollet 2017, "Xception: Deep Learning with Depthwise Separable Convolutions"
// (CVPR), as Bianco et al. 2018 ran it: Cadene's `pretrainedmodels` `xception` (a port of the
// Keras model), 299x299 input. Entry flow: conv1 3x3/2 32 (no padding) → conv2 3x3 64 (no
// padding) → blocks 1-3 (128, 256, 728 channels, each ending in a 3x3/2 max pool, pad 1) ; middle
// flow: blocks 4-11, three separable convs of 728 each; exit flow: block 12 (728 → 1024, pool)
// → separable conv3 1536 → separable conv4 2048 → global average pool → fc 1000.
// A separable conv is a 3x3 depthwise (`.conv1`, pad 1) then a 1x1 (`.pointwise`), both without
// bias, each followed in the block by a BatchNorm (eps 1e-5; folded into the 1x1 here). Blocks
// are pre-activation: ReLU → separable → BN, repeated; the first block starts without the ReLU.
// A block whose shape changes adds a 1x1 strided conv + BN shortcut (`.skip`, `.skipbn`), else
// the identity. Names follow the port's state dict: `block<i>.rep.<j>` are the positions in its
// nn.Sequential (ReLUs count, so the first separable of block 1 is rep.0, of block 2 rep.1).
//   input 299 → conv1 149x149x32 → conv2 147x147x64 → block1 74x74x128 → block2 37x37x256
//   → block3 19x19x728 → blocks 4-11 19x19x728 → block12 10x10x1024 → conv3 10x10x1536
//   → conv4 10x10x2048 → avgpool → fc 1000

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Cadene's Block(in, out, reps, strides, start_with_relu, grow_first), blocks 1-12 in order. */
export const XCEPTION_BLOCKS: readonly [number, number, number, number, boolean, boolean][] = [
  [64, 128, 2, 2, false, true], [128, 256, 2, 2, true, true], [256, 728, 2, 2, true, true],
  ...Array.from({ length: 8 }, () => [728, 728, 3, 1, true, true] as [number, number, number, number, boolean, boolean]),
  [728, 1024, 2, 2, true, false],
];

const EPS = 1e-5;

function separable(b: GraphBuilder, x: string, out: number, name: string): string {
  const dw = b.dwconv(x, { kernel: 3, padding: 1, bias: false }, `${name}.conv1`);
  return b.conv2d(dw, { outChannels: out, kernel: 1, bias: false }, `${name}.pointwise`);
}

function block(b: GraphBuilder, x: string, i: number, [cin, cout, reps, stride, startWithRelu, growFirst]: typeof XCEPTION_BLOCKS[number]): string {
  const p = `block${i}`;
  // the port's nn.Sequential: [ReLU, Sep, BN] per separable, the first ReLU dropped when the
  // block does not start with one, then the pool
  const seps: number[] = [];
  if (growFirst) seps.push(cout);
  for (let r = 0; r < reps - 1; r++) seps.push(growFirst ? cout : cin);
  if (!growFirst) seps.push(cout);
  let j = startWithRelu ? 0 : -1;
  let y = x;
  seps.forEach((c, k) => {
    if (k > 0 || startWithRelu) y = b.relu(y, `${p}.rep.${j}`);
    y = separable(b, y, c, `${p}.rep.${j + 1}`);
    y = b.batchnorm(y, { eps: EPS }, `${p}.rep.${j + 2}`);
    j += 3;
  });
  if (stride !== 1) y = b.maxpool(y, { kernel: 3, stride, padding: 1 }, `${p}.rep.${j}`);
  let skip = x;
  if (cout !== cin || stride !== 1) {
    skip = b.conv2d(x, { outChannels: cout, kernel: 1, stride, bias: false }, `${p}.skip`);
    skip = b.batchnorm(skip, { eps: EPS }, `${p}.skipbn`);
  }
  return b.add(y, skip, `${p}.add`);
}

/** Xception (Cadene pretrainedmodels `xception`). */
export function xception(opts: NetOptions): Graph {
  const { b, x: input } = start('xception', opts);
  let x = b.conv2d(input, { outChannels: 32, kernel: 3, stride: 2, bias: false }, 'conv1');
  x = b.relu(b.batchnorm(x, { eps: EPS }, 'bn1'), 'relu1');
  x = b.conv2d(x, { outChannels: 64, kernel: 3, bias: false }, 'conv2');
  x = b.relu(b.batchnorm(x, { eps: EPS }, 'bn2'), 'relu2');
  XCEPTION_BLOCKS.forEach((cfg, i) => { x = block(b, x, i + 1, cfg); });
  x = b.relu(b.batchnorm(separable(b, x, 1536, 'conv3'), { eps: EPS }, 'bn3'), 'relu3');
  x = b.relu(b.batchnorm(separable(b, x, 2048, 'conv4'), { eps: EPS }, 'bn4'), 'relu4');
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, 'last_linear'));
}
