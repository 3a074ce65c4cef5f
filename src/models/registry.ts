// The zoo by name: one row per public network, and one entry point that validates options.

import type { Graph } from '../graph/types.js';
import { alexnet, alexnet2012 } from './alexnet.js';
import type { NetOptions } from './common.js';
import { bvlcGooglenet, googlenet } from './googlenet.js';
import { densenet } from './densenet.js';
import { dpn } from './dpn.js';
import { bnInception } from './inception_v2.js';
import { inceptionV3 } from './inception_v3.js';
import { inceptionV4 } from './inception_v4.js';
import { inceptionResnetV2 } from './inception_resnet_v2.js';
import { MOBILENET_V1_ALPHAS, MOBILENET_V1_RESOLUTIONS, mobilenetV1 } from './mobilenet_v1.js';
import { mobilenetV2 } from './mobilenet_v2.js';
import { cadeneResnet, resnet, resnext } from './resnet.js';
import { squeezenet } from './squeezenet.js';
import { shufflenet } from './shufflenet.js';
import { xception } from './xception.js';
import { senet } from './senet.js';
import { vgg } from './vgg.js';

/** Which options a model accepts beyond `batch`. */
export interface ModelOptionSpec {
  /** Allowed input resolutions; absent = any the layers accept (too small throws). */
  readonly resolution?: readonly number[];
  /** Allowed width multipliers; absent = `alpha` is rejected. */
  readonly alpha?: readonly number[];
}

/** One network of the zoo. */
export interface ModelInfo {
  /** Canonical name, e.g. `resnet-50`; also the built graph's name. */
  readonly name: string;
  /** File in `src/models/`, e.g. `resnet`. */
  readonly family: string;
  /** The paper the architecture comes from. */
  readonly paper: string;
  /** Which implementation it reproduces and how that departs from the paper. */
  readonly variant: string;
  /** Input height = width in pixels when none is given. */
  readonly defaultResolution: number;
  readonly options: ModelOptionSpec;
}

/** Options of {@link buildModel}. */
export interface BuildModelOptions {
  /** Images per batch, a positive integer; default 1. */
  batch?: number;
  /** Input height = width in pixels; default the model's `defaultResolution`. */
  resolution?: number;
  /** Width multiplier (mobilenet-v1 only); default 1. */
  alpha?: number;
}

interface Entry extends ModelInfo {
  build(opts: NetOptions & { alpha: number }): Graph;
}

const PAPERS = {
  alexnet2014: 'Krizhevsky 2014, One weird trick for parallelizing convolutional neural networks (arXiv:1404.5997)',
  alexnet2012: 'Krizhevsky, Sutskever & Hinton 2012, ImageNet Classification with Deep Convolutional Neural Networks (NIPS)',
  vgg: 'Simonyan & Zisserman 2015, Very Deep Convolutional Networks for Large-Scale Image Recognition (ICLR)',
  googlenet: 'Szegedy et al. 2015, Going Deeper with Convolutions (CVPR)',
  bnInception: 'Ioffe & Szegedy 2015, Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift (ICML)',
  inceptionV3: 'Szegedy et al. 2016, Rethinking the Inception Architecture for Computer Vision (CVPR)',
  inceptionV4: 'Szegedy et al. 2017, Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning (AAAI)',
  resnet: 'He et al. 2016, Deep Residual Learning for Image Recognition (CVPR)',
  mobilenetV1: 'Howard et al. 2017, MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications (arXiv:1704.04861)',
  mobilenetV2: 'Sandler et al. 2018, MobileNetV2: Inverted Residuals and Linear Bottlenecks (CVPR)',
  dpn: 'Chen et al. 2017, Dual Path Networks (NIPS)',
  densenet: 'Huang et al. 2017, Densely Connected Convolutional Networks (CVPR)',
  resnext: 'Xie et al. 2017, Aggregated Residual Transformations for Deep Neural Networks (CVPR)',
  senet: 'Hu, Shen & Sun 2018, Squeeze-and-Excitation Networks (CVPR)',
  xception: 'Chollet 2017, Xception: Deep Learning with Depthwise Separable Convolutions (CVPR)',
  shufflenet: 'Zhang, Zhou, Lin & Sun 2018, ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile Devices (CVPR)',
  squeezenet: 'Iandola et al. 2016, SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model size (arXiv:1602.07360)',
};

const ENTRIES: Entry[] = [
  {
    name: 'alexnet', family: 'alexnet', paper: PAPERS.alexnet2014, defaultResolution: 224, options: {},
    variant: 'torchvision alexnet: single tower 64-192-384-256-256, no LRN, no groups',
    build: alexnet,
  },
  {
    name: 'alexnet-2012', family: 'alexnet', paper: PAPERS.alexnet2012, defaultResolution: 227, options: {},
    variant: 'two-tower original: groups = 2 in conv2/4/5, LRN (n 5, k 2, alpha 1e-4, beta 0.75) after conv1/2, 227x227 input',
    build: alexnet2012,
  },
  ...([11, 13, 16, 19] as const).flatMap((d) => [false, true].map((bn): Entry => ({
    name: `vgg-${d}${bn ? '-bn' : ''}`, family: 'vgg', paper: PAPERS.vgg, defaultResolution: 224, options: {},
    variant: `torchvision vgg${d}${bn ? '_bn' : ''}: configuration ${{ 11: 'A', 13: 'B', 16: 'D', 19: 'E' }[d]}` +
      (bn ? ', BatchNorm after every conv (convs keep their bias)' : ''),
    build: (o) => vgg(d, bn, o),
  }))),
  {
    name: 'googlenet', family: 'googlenet', paper: PAPERS.googlenet, defaultResolution: 224, options: {},
    variant: 'torchvision googlenet: conv+BN(eps 1e-3)+ReLU, 3x3 in the "5x5" branch, ceil-mode pools, no aux heads',
    build: googlenet,
  },
  {
    name: 'bvlc-googlenet', family: 'googlenet', paper: PAPERS.googlenet, defaultResolution: 224, options: {},
    variant: 'BVLC Caffe bvlc_googlenet (what Bianco et al. 2018 measured, as the MMdnn port): biased convs + ReLU, no BN, real 5x5 branches, LRN after pool1 and conv2, no aux heads',
    build: bvlcGooglenet,
  },
  {
    name: 'inception-v2', family: 'inception_v2', paper: PAPERS.bnInception, defaultResolution: 224, options: {},
    variant: "BN-Inception as Cadene's pretrainedmodels bninception (Caffe port: biased convs, ceil-mode pools)",
    build: bnInception,
  },
  {
    name: 'inception-v3', family: 'inception_v3', paper: PAPERS.inceptionV3, defaultResolution: 299, options: {},
    variant: 'torchvision inception_v3 without the auxiliary head',
    build: inceptionV3,
  },
  {
    name: 'inception-v4', family: 'inception_v4', paper: PAPERS.inceptionV4, defaultResolution: 299, options: {},
    variant: "Cadene's pretrainedmodels inceptionv4 (= timm inception_v4), 1000 classes",
    build: inceptionV4,
  },
  {
    name: 'inception-resnet-v2', family: 'inception_resnet_v2', paper: PAPERS.inceptionV4, defaultResolution: 299, options: {},
    variant: "Cadene's pretrainedmodels inceptionresnetv2 (the TF-slim model, what Bianco et al. 2018 measured): residual branches scaled by 0.17 / 0.10 / 0.20 before the add, 1000 classes",
    build: inceptionResnetV2,
  },
  ...([18, 34, 50, 101, 152] as const).map((d): Entry => ({
    name: `resnet-${d}`, family: 'resnet', paper: PAPERS.resnet, defaultResolution: 224, options: {},
    variant: `torchvision resnet${d}` + (d >= 50 ? ' (v1.5: stride 2 on the 3x3 conv of the bottleneck)' : ''),
    build: (o: NetOptions) => resnet(d, o),
  })),
  {
    name: 'caffe-resnet-101', family: 'resnet', paper: PAPERS.resnet, defaultResolution: 224, options: {},
    variant: "Cadene pretrainedmodels cafferesnet101 (the authors' Caffe ResNet-101, what Bianco et al. 2018 measured): v1, the stride on the first 1x1, unpadded ceil-mode stem pool",
    build: (o: NetOptions) => cadeneResnet('caffe-resnet-101', o),
  },
  {
    name: 'fbresnet-152', family: 'resnet', paper: PAPERS.resnet, defaultResolution: 224, options: {},
    variant: "Cadene pretrainedmodels fbresnet152 (Facebook's Torch ResNet-152, what Bianco et al. 2018 measured): v1.5 strides, every conv with a bias",
    build: (o: NetOptions) => cadeneResnet('fbresnet-152', o),
  },
  {
    name: 'mobilenet-v1', family: 'mobilenet_v1', paper: PAPERS.mobilenetV1, defaultResolution: 224,
    options: { alpha: MOBILENET_V1_ALPHAS, resolution: MOBILENET_V1_RESOLUTIONS },
    variant: 'paper Table 1: conv+BN+ReLU, TF SAME padding, channels floor(c * alpha)',
    build: (o) => mobilenetV1(o.alpha, o),
  },
  {
    name: 'mobilenet-v2', family: 'mobilenet_v2', paper: PAPERS.mobilenetV2, defaultResolution: 224, options: {},
    variant: 'torchvision mobilenet_v2, width 1.0, ReLU6',
    build: mobilenetV2,
  },
  {
    name: 'shufflenet-g8', family: 'shufflenet', paper: PAPERS.shufflenet, defaultResolution: 224, options: {},
    variant: "ShuffleNet v1 1x, g = 8 (Bianco et al. 2018's ShuffleNet: the ericsun99 ShuffleNet-1g8 port in their code): biased convs, stem without BN, logits (the port's log_softmax dropped)",
    build: (o) => shufflenet(8, o),
  },
  {
    name: 'squeezenet-1.0', family: 'squeezenet', paper: PAPERS.squeezenet, defaultResolution: 224, options: {},
    variant: 'torchvision squeezenet1_0: the paper\'s Table 1, ceil-mode pools, conv classifier + ReLU + global average pool (no fc)',
    build: (o) => squeezenet('1.0', o),
  },
  {
    name: 'squeezenet-1.1', family: 'squeezenet', paper: PAPERS.squeezenet, defaultResolution: 224, options: {},
    variant: 'torchvision squeezenet1_1: v1.1 of the authors\' repository (3x3 stem of 64, earlier pools), conv classifier (no fc)',
    build: (o) => squeezenet('1.1', o),
  },
  ...([121, 161, 169, 201] as const).map((d): Entry => ({
    name: `densenet-${d}`, family: 'densenet', paper: PAPERS.densenet, defaultResolution: 224, options: {},
    variant: `torchvision densenet${d}: DenseNet-BC, growth ${d === 161 ? 48 : 32}, bottleneck 4k, compression 0.5, no dropout`,
    build: (o: NetOptions) => densenet(d, o),
  })),
  ...(['50-32x4d', '101-32x8d'] as const).map((v): Entry => ({
    name: `resnext-${v}`, family: 'resnet', paper: PAPERS.resnext, defaultResolution: 224, options: {},
    variant: `torchvision resnext${v.replace('-', '_')}: ResNet v1.5 bottlenecks with a grouped 3x3 (cardinality 32, ${v.slice(-2, -1)} channels per group)`,
    build: (o: NetOptions) => resnext(v, o),
  })),
  ...(['101-32x4d', '101-64x4d'] as const).map((v): Entry => ({
    name: `resnext-${v}`, family: 'resnet', paper: PAPERS.resnext, defaultResolution: 224, options: {},
    variant: `Cadene pretrainedmodels resnext${v.replace('-', '_')} (Bianco et al. 2018's ResNeXt-101 (${v.slice(4)})): the authors' Torch model, ` +
      `stride on the grouped 3x3 (cardinality ${v.slice(4, 6)}, 4 channels per group)`,
    build: (o: NetOptions) => resnext(v, o),
  })),
  {
    name: 'xception', family: 'xception', paper: PAPERS.xception, defaultResolution: 299, options: {},
    variant: 'Cadene pretrainedmodels xception (the network Bianco et al. 2018 measured): entry / middle / exit flows of separable convs, pre-activation blocks with 1x1 strided shortcuts, fc last_linear',
    build: xception,
  },
  ...(['se-resnet-50', 'se-resnet-101', 'se-resnet-152', 'se-resnext-50-32x4d', 'se-resnext-101-32x4d'] as const).map((n): Entry => ({
    name: n, family: 'senet', paper: PAPERS.senet, defaultResolution: 224, options: {},
    variant: `Cadene pretrainedmodels ${n.replace(/-(\d+)/, '$1').replace(/-/g, '_')} (what Bianco et al. 2018 measured): ` +
      (n.startsWith('se-resnext') ? 'grouped (32) 3x3 with the stride, ' : 'the stride on the first 1x1 (ResNet v1), ') + 'SE module (reduction 16) before the residual add',
    build: (o: NetOptions) => senet(n, o),
  })),
  ...(['dpn-68', 'dpn-98', 'dpn-131'] as const).map((n): Entry => ({
    name: n, family: 'dpn', paper: PAPERS.dpn, defaultResolution: 224, options: {},
    variant: `Cadene pretrainedmodels ${n.replace('-', '')} (what Bianco et al. 2018 measured): pre-activation dual path blocks, grouped 3x3, ` +
      'global average pool then the 1x1 classifier (the port\'s test-time pooling, equal at 224)',
    build: (o: NetOptions) => dpn(n, o),
  })),
  {
    name: 'senet-154', family: 'senet', paper: PAPERS.senet, defaultResolution: 224, options: {},
    variant: 'Cadene pretrainedmodels senet154 (what Bianco et al. 2018 measured): three-conv stem, 64-group SE bottlenecks (2x then 4x planes), 3x3 strided projection shortcuts, dropout 0.2',
    build: (o: NetOptions) => senet('senet-154', o),
  },
];

/** Every network of the zoo, in a stable order. */
export const MODELS: readonly ModelInfo[] = ENTRIES.map(({ build: _build, ...info }) => Object.freeze(info));

const key = (name: string) => name.toLowerCase().replace(/[-_ .]/g, '');
const BY_KEY = new Map<string, Entry>(ENTRIES.map((e) => [key(e.name), e]));
BY_KEY.set('bninception', BY_KEY.get(key('inception-v2'))!);

/**
 * The registry row for `name`. Names match ignoring case, `-` and `_`, so torchvision's
 * (`resnet50`, `vgg16_bn`, `inception_v3`) and Cadene's `bninception` work too.
 * @throws RangeError for an unknown name, listing the known ones.
 */
export function modelInfo(name: string): ModelInfo {
  const { build: _build, ...info } = lookup(name);
  return info;
}

/**
 * Builds a zoo network as a {@link Graph} with input `[batch, resolution, resolution, 3]` and
 * 1000 logits as output (no softmax).
 * @throws RangeError for an unknown name, a batch that is not a positive integer, an option
 * the model does not take or a value outside its allowed set, or a resolution the network's
 * layers cannot process (too small, or one where its branches disagree in size).
 * @throws TypeError when `name` is not a string, `opts` is not an object (`null`, a number, an
 * array), or `opts` has a key other than `batch`, `resolution` and `alpha`.
 */
export function buildModel(name: string, opts: BuildModelOptions = {}): Graph {
  if (typeof name !== 'string') throw new TypeError(`buildModel: name must be a string (see MODELS), got ${describe(name)}`);
  const e = lookup(name);
  // Checked before any field is read: `null` or a number would otherwise fail deep inside with
  // a message about property access, and a misspelt key (`resolutions`) would silently build
  // the default network.
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) {
    throw new TypeError(`buildModel("${e.name}"): options must be an object such as { batch: 1 } or omitted, got ${describe(opts)}`);
  }
  const unknown = Object.keys(opts).filter((k) => !(OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length) {
    throw new TypeError(`buildModel("${e.name}"): unknown option${unknown.length > 1 ? 's' : ''} ` +
      `${unknown.map((k) => `"${k}"`).join(', ')}; known options: ${OPTION_KEYS.join(', ')}`);
  }
  const batch = opts.batch === undefined ? 1 : opts.batch; // null is a mistake, not the default
  if (!Number.isInteger(batch) || batch < 1) {
    throw new RangeError(`buildModel("${e.name}"): batch must be a positive integer, got ${describe(batch)}`);
  }
  const resolution = opts.resolution === undefined ? e.defaultResolution : opts.resolution;
  if (!Number.isInteger(resolution) || resolution < 1) {
    throw new RangeError(`buildModel("${e.name}"): resolution must be a positive integer, got ${describe(resolution)}`);
  }
  if (e.options.resolution && !e.options.resolution.includes(resolution)) {
    throw new RangeError(
      `buildModel("${e.name}"): resolution must be one of ${e.options.resolution.join(', ')}, got ${resolution}`);
  }
  if (opts.alpha !== undefined && !e.options.alpha) {
    throw new RangeError(`buildModel("${e.name}"): alpha is not an option of this model`);
  }
  const alpha = opts.alpha === undefined ? 1 : opts.alpha;
  if (e.options.alpha && !e.options.alpha.includes(alpha)) {
    throw new RangeError(`buildModel("${e.name}"): alpha must be one of ${e.options.alpha.join(', ')}, got ${describe(alpha)}`);
  }
  try {
    return e.build({ batch, resolution, alpha });
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new RangeError(
      `buildModel("${e.name}"): resolution ${resolution} is too small or unsupported` +
      ` (default ${e.defaultResolution}): ${msg}`, { cause: err });
  }
}

/** The keys of {@link BuildModelOptions}. */
const OPTION_KEYS = ['batch', 'resolution', 'alpha'] as const;

/** A value as it would be written in code: a string quoted, so `"2"` does not read as 2. */
function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'function') return 'a function';
  return String(v);
}

function lookup(name: string): Entry {
  const e = BY_KEY.get(key(String(name)));
  if (!e) {
    throw new RangeError(`unknown model "${name}"; known models: ${ENTRIES.map((m) => m.name).join(', ')}`);
  }
  return e;
}
