// Small graphs the exporter tests share.
import { GraphBuilder } from '../../dist/index.js';

/**
 * conv (a 3x2 kernel, TF 'same' padding at stride 2, bias) + batchnorm + relu6, a ceil-mode max pool,
 * flatten, fc, softmax: one of each of the common ops, 9x9x3 in, 5 classes out.
 */
export function smallNet() {
  const b = new GraphBuilder('small');
  let x = b.input([1, 9, 9, 3]);
  x = b.conv2d(x, { outChannels: 4, kernel: [3, 2], stride: 2, padding: 'same' }, 'conv');
  x = b.batchnorm(x, { eps: 1e-3 }, 'bn');
  x = b.relu6(x, 'act');
  x = b.maxpool(x, { kernel: 2, stride: 2, ceil: true }, 'pool');
  x = b.flatten(x, 'flatten');
  x = b.fc(x, { outFeatures: 5 }, 'fc');
  return b.output(b.softmax(x, 'prob'));
}

/** One pooling layer between two convs; `signed` leaves the pool's input signed (no ReLU). */
export function poolNet(op, hw, opts, signed = true) {
  const b = new GraphBuilder(`${op}-${JSON.stringify(opts)}`);
  let x = b.input([2, hw, hw, 3]);
  x = b.conv2d(x, { outChannels: 5, kernel: 1 }, 'c1');
  if (!signed) x = b.relu(x, 'c1.relu');
  x = b[op](x, opts, 'pool');
  return b.output(b.conv2d(x, { outChannels: 4, kernel: 1 }, 'c2'));
}

/** Pooling cases: ceil mode, padding, count_include_pad, each edge of the window rules. */
export const POOLS = [
  ['maxpool', 8, { kernel: 3, stride: 2, ceil: true }],
  ['maxpool', 8, { kernel: 3, stride: 2, padding: 1, ceil: true }],
  ['maxpool', 9, { kernel: 3, stride: 3, padding: 1, ceil: true }],
  ['maxpool', 7, { kernel: 3, stride: 2, padding: 1, ceil: true }],
  ['maxpool', 8, { kernel: 3, stride: 1, padding: [1, 0, 0, 1] }],
  ['maxpool', 8, { kernel: 3, stride: 1, padding: 1 }], // TF SAME exactly
  ['avgpool', 8, { kernel: 3, stride: 1, padding: 1 }],
  ['avgpool', 8, { kernel: 3, stride: 1, padding: 1, countIncludePad: false }],
  ['avgpool', 8, { kernel: 3, stride: 2, ceil: true }],
  ['avgpool', 8, { kernel: 3, stride: 2, padding: 1, ceil: true }],
  ['avgpool', 9, { kernel: 3, stride: 3, padding: 1, ceil: true }],
  ['avgpool', 8, { kernel: 3, stride: 2, padding: 1, ceil: true, countIncludePad: false }],
  ['avgpool', 9, { kernel: 2, stride: 2, ceil: true, countIncludePad: false }],
  ['avgpool', 8, { kernel: 2, stride: 2 }],
];

/** Every other op: grouped / depthwise (multiplier 2) / dilated + strided convs, LRN odd and even, clips, rank-2 tail ops. */
export function opsNet() {
  const b = new GraphBuilder('ops');
  let x = b.input([2, 11, 11, 4]);
  x = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 'same', groups: 2 }, 'grouped');
  x = b.lrn(x, { size: 5, alpha: 1e-2, beta: 0.75, k: 2 }, 'lrn5');
  const d = b.dwconv(x, { kernel: 3, multiplier: 2, stride: 2, padding: 'same' }, 'dw');
  const d6 = b.relu6(d, 'dw.relu6');
  const e = b.conv2d(x, { outChannels: 16, kernel: 3, stride: 2, dilation: 2, padding: 2, bias: false }, 'dilated');
  const e1 = b.relu(b.batchnorm(e, {}, 'dilated.bn'), 'dilated.relu');
  x = b.add(d6, b.sigmoid(e1, 'gate'), 'add');
  x = b.lrn(x, { size: 4, alpha: 1e-1, beta: 0.5, k: 1 }, 'lrn4');
  x = b.leakyRelu(x, { alpha: 0.1 }, 'leaky');
  x = b.clip(x, { min: -0.5, max: 0.75 }, 'clip');
  x = b.add(b.scale(x, { factor: 0.3 }, 'scaled'), b.clip(x, { min: -Infinity, max: 0.2 }, 'clip.max'), 'scaled.add');
  x = b.scaleShift(x, 'affine');
  const gap = b.flatten(b.globalAvgPool(x, 'gap'), 'gap.flatten');
  const gmp = b.flatten(b.globalMaxPool(x, 'gmp'), 'gmp.flatten');
  const flat = b.flatten(x, 'flatten');
  let y = b.fc(flat, { outFeatures: 6 }, 'fc1');
  y = b.batchnorm(y, {}, 'fc1.bn');
  y = b.dropout(b.relu(y, 'fc1.relu'), {}, 'drop');
  y = b.concat([y, gap, gmp], 'cat');
  return b.output(b.softmax(b.fc(y, { outFeatures: 7, bias: false }, 'fc2'), 'prob'));
}

