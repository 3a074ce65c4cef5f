// Dual Path Networks — Chen, Li, Xiao, Jin, Yan & Feng 2017, "Dual Path Networks" (NIPS), as
// Cadene's pretrainedmodels `dpn68 / dpn98 / dpn131` (Ross Wightman's port of the authors' MXNet
// models; what Bianco et al. 2018 measured). Every block is pre-activation (BatchNorm eps 0.001 →
// ReLU → conv without bias): 1x1 to r, grouped 3x3 (the stage's stride in its first block), 1x1
// to bw + inc channels, whose first bw channels add to the residual path and the last inc join the
// densely connected path. The first block of a stage projects its input with a 1x1 (stride 2 from
// stage 3 on) to bw + 2 inc channels, split the same way. The two paths travel as one map,
// [residual | dense], each block slicing it apart (`x_s1`, `x_s2`, `out1`, `out2`) and
// concatenating it again. The head: BN + ReLU (`conv5_bn_ac`), global average pool, the 1x1 conv
// `classifier` with bias. The port's test-time pooling (7x7 average pool, classifier, average +
// max pool) equals this at 224 x 224, where the last map is 7 x 7.
//   dpn68: 3x3 stem of 10, bw 64 / 128 / 256 / 512, r = 128 bw / 64; dpn98 / 131: 7x7 stem of
//   96 / 128, bw 256 / 512 / 1024 / 2048, r = 160 bw / 256 (see DPN_CONFIGS)

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

const EPS = 0.001;

/** The port's `DPN(...)` arguments per network. */
export const DPN_CONFIGS = {
  'dpn-68': { small: true, initFeatures: 10, kR: 128, groups: 32, kSec: [3, 4, 12, 3], incSec: [16, 32, 32, 64] },
  'dpn-98': { small: false, initFeatures: 96, kR: 160, groups: 40, kSec: [3, 6, 20, 3], incSec: [16, 32, 32, 128] },
  'dpn-131': { small: false, initFeatures: 128, kR: 160, groups: 40, kSec: [4, 8, 28, 3], incSec: [16, 32, 32, 128] },
} as const;

/** BnActConv2d: `<p>.bn`, `<p>.act`, `<p>.conv`. */
function bnActConv(b: GraphBuilder, x: string, p: string, c: number, k: number, s = 1, groups = 1): string {
  const y = b.relu(b.batchnorm(x, { eps: EPS }, `${p}.bn`), `${p}.act`);
  return b.conv2d(y, { outChannels: c, kernel: k, stride: s, padding: (k - 1) / 2, groups, bias: false }, `${p}.conv`);
}

/** A DualPathBlock on the map [residual (bw) | dense]; returns the next such map. */
function block(b: GraphBuilder, x: string, p: string, r: number, bw: number, inc: number, groups: number, type: 'proj' | 'down' | 'normal'): string {
  const cin = b.shape(x)[3]!;
  let s: string;
  if (type === 'normal') s = x;
  else s = bnActConv(b, x, `${p}.c1x1_w_s${type === 'down' ? 2 : 1}`, bw + 2 * inc, 1, type === 'down' ? 2 : 1);
  const sc = b.shape(s)[3]!;
  const xs1 = b.channelSlice(s, { start: 0, end: bw }, `${p}.x_s1`);
  const xs2 = b.channelSlice(s, { start: bw, end: type === 'normal' ? cin : sc }, `${p}.x_s2`);
  let y = bnActConv(b, x, `${p}.c1x1_a`, r, 1);
  y = bnActConv(b, y, `${p}.c3x3_b`, r, 3, type === 'down' ? 2 : 1, groups);
  y = bnActConv(b, y, `${p}.c1x1_c`, bw + inc, 1);
  const out1 = b.channelSlice(y, { start: 0, end: bw }, `${p}.out1`);
  const out2 = b.channelSlice(y, { start: bw, end: bw + inc }, `${p}.out2`);
  const resid = b.add(xs1, out1, `${p}.resid`);
  return b.concat([resid, xs2, out2], p);
}

/** A Dual Path Network of Cadene's pretrainedmodels. */
export function dpn(name: keyof typeof DPN_CONFIGS, opts: NetOptions): Graph {
  const cfg = DPN_CONFIGS[name];
  const { b, x: input } = start(name, opts);
  const k = cfg.small ? 3 : 7;
  let x = b.conv2d(input, { outChannels: cfg.initFeatures, kernel: k, stride: 2, padding: (k - 1) / 2, bias: false }, 'features.conv1_1.conv');
  x = b.relu(b.batchnorm(x, { eps: EPS }, 'features.conv1_1.bn'), 'features.conv1_1.act');
  x = b.maxpool(x, { kernel: 3, stride: 2, padding: 1 }, 'features.conv1_1.pool');
  const bwFactor = cfg.small ? 1 : 4;
  cfg.kSec.forEach((blocks, s) => {
    const bw = (64 << s) * bwFactor;
    const r = Math.floor((cfg.kR * bw) / (64 * bwFactor));
    for (let i = 1; i <= blocks; i++) {
      const type = i > 1 ? 'normal' : s === 0 ? 'proj' : 'down';
      x = block(b, x, `features.conv${s + 2}_${i}`, r, bw, cfg.incSec[s]!, cfg.groups, type);
    }
  });
  x = b.relu(b.batchnorm(x, { eps: EPS }, 'features.conv5_bn_ac.bn'), 'features.conv5_bn_ac.act');
  x = b.globalAvgPool(x, 'avgpool');
  x = b.conv2d(x, { outChannels: NUM_CLASSES, kernel: 1, bias: true }, 'classifier');
  return b.output(b.flatten(x, 'flatten'));
}
