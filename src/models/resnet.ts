// ResNet — He, Zhang, Ren & Sun 2016, "Deep Residual Learning for Image Recognition" (CVPR),
// as torchvision's `resnet18/34/50/101/152`, i.e. "ResNet v1.5": in a downsampling bottleneck
// the stride sits on the 3x3 conv (conv2), not on the first 1x1 as in the paper and Caffe's
// v1. Convs have no bias; BatchNorm eps 1e-5; projection shortcuts (1x1 conv + BN,
// `downsample.0/.1`) only where the shape changes (option B of the paper).
//   input 224x224x3 → conv1 112x112x64 → maxpool 56x56x64
//   → layer1 56x56x(64 | 256) → layer2 28x28x(128 | 512) → layer3 14x14x(256 | 1024)
//   → layer4 7x7x(512 | 2048) → avgpool 1x1 → fc 1000          (basic | bottleneck)
// Block outputs are `layer<s>.<i>.relu` (after the residual add `layer<s>.<i>.add`).
//
// ResNeXt — Xie, Girshick, Dollár, Tu & He 2017, "Aggregated Residual Transformations for Deep
// Neural Networks" (CVPR), as torchvision's `resnext50_32x4d` / `resnext101_32x8d`: the same
// v1.5 bottleneck with its 3x3 grouped (cardinality C = 32) and the bottleneck width
// floor(planes * d / 64) * C for d channels per group (form (c) of the paper's Fig. 3), so
// 32x4d stage 1 is 1x1 256→128, grouped 3x3 128→128, 1x1 128→256; block outputs as ResNet's.
//
// Cadene's pretrainedmodels ResNets that Bianco et al. 2018 measured, the same builder:
// - CaffeResNet-101 (`cafferesnet101`, the authors' Caffe model): ResNet v1 — the stride on the
//   first 1x1 of a downsampling bottleneck — and a 3x3 stride-2 max pool without padding, ceil mode;
// - FBResNet-152 (`fbresnet152`, Facebook's Torch model): v1.5 strides, every conv with a bias.
// Both name the classifier `last_linear`.

import type { GraphBuilder } from '../graph/builder.js';
import type { Graph } from '../graph/types.js';
import { NUM_CLASSES, start, type NetOptions } from './common.js';

/** Blocks per stage and block type for each depth (torchvision's `_resnet` calls). */
export const RESNET_CONFIGS = {
  18: { block: 'basic', layers: [2, 2, 2, 2] },
  34: { block: 'basic', layers: [3, 4, 6, 3] },
  50: { block: 'bottleneck', layers: [3, 4, 6, 3] },
  101: { block: 'bottleneck', layers: [3, 4, 23, 3] },
  152: { block: 'bottleneck', layers: [3, 8, 36, 3] },
} as const;

/**
 * ResNeXt rows: bottleneck stages, `groups` (cardinality) and `width_per_group`. 50-32x4d and
 * 101-32x8d are torchvision's; 101-32x4d and 101-64x4d are the networks Bianco et al. 2018
 * measured, Cadene's `pretrainedmodels` ports of the authors' Torch models (`resnext101_32x4d`,
 * `resnext101_64x4d`): the same graph (stride on the grouped 3x3, projection shortcuts, 7x7
 * average pool, fc), so the same builder.
 */
export const RESNEXT_CONFIGS = {
  '50-32x4d': { block: 'bottleneck', layers: [3, 4, 6, 3], groups: 32, widthPerGroup: 4 },
  '101-32x4d': { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 4 },
  '101-32x8d': { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 32, widthPerGroup: 8 },
  '101-64x4d': { block: 'bottleneck', layers: [3, 4, 23, 3], groups: 64, widthPerGroup: 4 },
} as const;

/** Cadene's ports (see the header): torchvision's layout with these departures. */
export const CADENE_RESNET_CONFIGS = {
  'caffe-resnet-101': { block: 'bottleneck', layers: [3, 4, 23, 3], strideOnFirst: true, caffePool: true, head: 'last_linear' },
  'fbresnet-152': { block: 'bottleneck', layers: [3, 8, 36, 3], bias: true, head: 'last_linear' },
} as const;

interface ResNetConfig {
  readonly block: 'basic' | 'bottleneck';
  readonly layers: readonly number[];
  /** Grouped 3x3 of the bottleneck; absent = 1 with width per group 64 (plain ResNet). */
  readonly groups?: number;
  readonly widthPerGroup?: number;
  /** ResNet v1: the stride on the bottleneck's first 1x1 (default: on the 3x3, v1.5). */
  readonly strideOnFirst?: boolean;
  /** Biases on every conv (default none). */
  readonly bias?: boolean;
  /** Stem max pool 3x3/2 unpadded in ceil mode (Caffe) instead of padded by 1. */
  readonly caffePool?: boolean;
  /** Name of the classifier (default `fc`). */
  readonly head?: string;
}

/** ResNet-`depth` v1.5 (torchvision). */
export function resnet(depth: keyof typeof RESNET_CONFIGS, opts: NetOptions): Graph {
  return build(`resnet-${depth}`, RESNET_CONFIGS[depth], opts);
}

/** ResNeXt-`variant` (torchvision `resnext<variant>`, v1.5 strides). */
export function resnext(variant: keyof typeof RESNEXT_CONFIGS, opts: NetOptions): Graph {
  return build(`resnext-${variant}`, RESNEXT_CONFIGS[variant], opts);
}

/** One of Cadene's ResNet ports (see CADENE_RESNET_CONFIGS). */
export function cadeneResnet(name: keyof typeof CADENE_RESNET_CONFIGS, opts: NetOptions): Graph {
  return build(name, CADENE_RESNET_CONFIGS[name], opts);
}

function build(name: string, cfg: ResNetConfig, opts: NetOptions): Graph {
  const { b, x: input } = start(name, opts);
  let x = b.conv2d(input, { outChannels: 64, kernel: 7, stride: 2, padding: 3, bias: cfg.bias ?? false }, 'conv1');
  x = b.batchnorm(x, {}, 'bn1');
  x = b.relu(x, 'relu');
  x = b.maxpool(x, cfg.caffePool ? { kernel: 3, stride: 2, ceil: true } : { kernel: 3, stride: 2, padding: 1 }, 'maxpool');
  cfg.layers.forEach((blocks, s) => {
    const planes = 64 << s;
    for (let i = 0; i < blocks; i++) {
      const stride = i === 0 && s > 0 ? 2 : 1;
      x = residualBlock(b, x, `layer${s + 1}.${i}`, cfg, planes, stride);
    }
  });
  x = b.globalAvgPool(x, 'avgpool');
  x = b.flatten(x, 'flatten');
  return b.output(b.fc(x, { outFeatures: NUM_CLASSES }, cfg.head ?? 'fc'));
}

function residualBlock(b: GraphBuilder, x: string, p: string, cfg: ResNetConfig, planes: number, stride: number): string {
  const { block, groups = 1, widthPerGroup = 64, strideOnFirst = false, bias = false } = cfg;
  const out = planes * (block === 'basic' ? 1 : 4);
  // torchvision Bottleneck: int(planes * (base_width / 64.)) * groups; = planes for plain ResNet.
  const width = Math.floor(planes * widthPerGroup / 64) * groups;
  const conv = (y: string, c: number, k: number, s: number, n: number, g = 1) => {
    y = b.conv2d(y, { outChannels: c, kernel: k, stride: s, padding: (k - 1) / 2, groups: g, bias }, `${p}.conv${n}`);
    return b.batchnorm(y, {}, `${p}.bn${n}`);
  };
  let y: string;
  if (block === 'basic') {
    y = b.relu(conv(x, width, 3, stride, 1), `${p}.relu1`);
    y = conv(y, width, 3, 1, 2);
  } else {
    y = b.relu(conv(x, width, 1, strideOnFirst ? stride : 1, 1), `${p}.relu1`);
    y = b.relu(conv(y, width, 3, strideOnFirst ? 1 : stride, 2, groups), `${p}.relu2`);
    y = conv(y, out, 1, 1, 3);
  }
  let shortcut = x;
  if (stride !== 1 || b.shape(x)[3] !== out) {
    shortcut = b.conv2d(x, { outChannels: out, kernel: 1, stride, bias }, `${p}.downsample.0`);
    shortcut = b.batchnorm(shortcut, {}, `${p}.downsample.1`);
  }
  return b.relu(b.add(y, shortcut, `${p}.add`), `${p}.relu`);
}
