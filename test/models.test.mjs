// The zoo against published figures: parameters exactly, conv + fc multiply-adds at the
// published rounding, and stage output shapes.
//
// Where the numbers come from:
// - torchvision: `num_params` and `_ops` ("GFLOPS", really GMACs, 3 decimals) of the weights
//   metadata. Every torchvision figure and every shape below was also reproduced with torch 1.13 /
//   torchvision 0.14 (parameters summed, conv/linear MACs counted by forward hooks, each leaf
//   module's output shape compared with the node of the same name): all equal.
// - Inception-v4: 42,679,816 parameters (Cadene pretrainedmodels / timm). BN-Inception: Cadene's
//   `bninception`, rebuilt in torch from its source: 11,295,240 parameters. Neither publishes
//   MACs; the exact figures here are the torch hook counts.
// - AlexNet 2012: by hand (see src/models/alexnet.ts), also rebuilt in torch: 60,965,224 / 724,406,816.
// - MobileNet v1: the paper's Tables 6-7 (millions, rounded as the paper does).
// - SqueezeNet, DenseNet, ResNeXt: torchvision 0.14 `num_params` equal the parameter sums; the
//   docs' GFLOPS (0.82, 0.35, ...) are these hook counts at two decimals.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MODELS, buildModel, modelInfo } from '../dist/models/index.js';
import { randomWeights } from '../dist/graph/index.js';
import { analyze } from '../dist/cost/index.js';

// params and multiply-adds through the cost model's per-op handlers (the one place they are counted)
const paramCount = (g) => analyze(g).params;
const macCount = (g) => analyze(g).macs;

/** [name, parameters, published GMACs (3 decimals) or null, exact conv + fc MACs]. */
const GOLDEN = [
  ['alexnet', 61_100_840, 0.714, 714_188_480],
  ['alexnet-2012', 60_965_224, null, 724_406_816],
  ['vgg-11', 132_863_336, 7.609, 7_609_090_048],
  ['vgg-11-bn', 132_868_840, 7.609, 7_609_090_048],
  ['vgg-13', 133_047_848, 11.308, 11_308_466_176],
  ['vgg-13-bn', 133_053_736, 11.308, 11_308_466_176],
  ['vgg-16', 138_357_544, 15.47, 15_470_264_320],
  ['vgg-16-bn', 138_365_992, 15.47, 15_470_264_320],
  ['vgg-19', 143_667_240, 19.632, 19_632_062_464],
  ['vgg-19-bn', 143_678_248, 19.632, 19_632_062_464],
  ['googlenet', 6_624_904, 1.498, 1_498_376_192],
  ['inception-v2', 11_295_240, null, 2_032_600_064],
  // torchvision's 27,161,264 includes the aux head: 98,560 + 2,459,136 + 769,000 = 3,326,696.
  ['inception-v3', 23_834_568, 5.713, 5_713_216_096],
  ['inception-v4', 42_679_816, null, 12_253_974_624],
  // Cadene's inceptionresnetv2 (1000 classes): 55,843,464 parameters (= timm's; Bianco et al. list 13.2 G operations)
  ['inception-resnet-v2', 55_843_464, null, 13_155_794_016],
  ['resnet-18', 11_689_512, 1.814, 1_814_073_344],
  ['resnet-34', 21_797_672, 3.664, 3_663_761_408],
  ['resnet-50', 25_557_032, 4.089, 4_089_184_256],
  ['resnet-101', 44_549_160, 7.801, 7_801_405_440],
  ['resnet-152', 60_192_808, 11.514, 11_513_626_624],
  ['mobilenet-v1', 4_231_976, null, 568_740_352],
  ['mobilenet-v2', 3_504_872, 0.301, 300_774_272],
  // ShuffleNet 1x g = 8: 140 M multiply-adds in the paper's Table 2 (138.4 M here: the paper
  // rounds); 2,454,304 parameters = the torch rebuild of the port Bianco et al. ran
  ['shufflenet-g8', 2_454_304, null, 138_365_952],
  ['squeezenet-1.0', 1_248_424, 0.819, 818_924_576],
  ['squeezenet-1.1', 1_235_496, 0.349, 349_151_936],
  ['densenet-121', 7_978_856, 2.834, 2_834_161_664],
  ['densenet-161', 28_681_000, 7.728, 7_727_907_072],
  ['densenet-169', 14_149_480, 3.36, 3_359_843_328],
  ['densenet-201', 20_013_928, 4.291, 4_291_365_888],
  ['resnext-50-32x4d', 25_028_904, 4.23, 4_230_479_872],
  ['resnext-101-32x8d', 88_791_336, 16.414, 16_414_015_488],
  // Cadene's ports Bianco measured: params = torch's count of the same graph (44.18 M / 83.46 M in
  // pretrainedmodels and timm); Bianco et al. list 8.0 and 15.5 G operations (one decimal)
  ['resnext-101-32x4d', 44_177_704, null, 7_969_996_800],
  ['resnext-101-64x4d', 83_455_272, null, 15_460_270_080],
  // Cadene's xception: 22,855,952 parameters in pretrainedmodels (and in test/pytorch/models.py's
  // rebuild of it); 8.36 G multiply-adds at 299 (Bianco et al. list 8.4 G operations)
  ['xception', 22_855_952, null, 8_357_403_496],
  // Cadene's senet.py models: params as pretrainedmodels has them (= test/pytorch/models.py's rebuild)
  ['se-resnet-50', 28_088_024, null, 3_860_488_192],
  ['se-resnet-101', 49_326_872, null, 7_574_937_600],
  ['se-resnet-152', 66_821_848, null, 11_288_993_792],
  ['se-resnext-50-32x4d', 27_559_896, null, 4_232_994_816],
  ['se-resnext-101-32x4d', 48_955_416, null, 7_974_739_968],
  // Cadene's dpn68 / dpn98 / dpn131: 12,611,602 / 61,570,728 / 79,254,504 parameters (= timm's;
  // Bianco et al. list 2.4, 11.7 and 16.0 G operations)
  ['dpn-68', 12_611_602, null, 2_326_163_456],
  ['dpn-98', 61_570_728, null, 11_671_217_152],
  ['dpn-131', 79_254_504, null, 16_013_648_896],
  // Cadene's senet154: 115,088,984 parameters (pretrainedmodels; Bianco et al. list 20.7 G operations)
  ['senet-154', 115_088_984, null, 20_688_363_520],
  // Cadene's cafferesnet101 = torchvision's resnet101 parameter for parameter (v1 strides cost
  // fewer MACs: the strided 1x1 reads a quarter of the map); fbresnet152 adds a bias to every conv
  ['caffe-resnet-101', 44_549_160, null, 7_570_194_432],
  ['fbresnet-152', 60_268_520, null, 11_513_626_624],
  // BVLC GoogLeNet without the aux heads: 6,998,552 parameters (the Caffe model's, = the torch rebuild)
  ['bvlc-googlenet', 6_998_552, null, 1_582_671_872],
];

test('every registered model has a golden row, and every golden row a model', () => {
  assert.equal(MODELS.map((m) => m.name).sort(), GOLDEN.map((g) => g[0]).sort());
});

for (const [name, params, gmacs, macs] of GOLDEN) {
  test(`${name}: ${params} params, ${macs} MACs`, () => {
    const g = buildModel(name);
    assert.is(paramCount(g), params);
    assert.is(macCount(g), macs);
    if (gmacs !== null) assert.is(Math.round(macCount(g) / 1e6) / 1e3, gmacs);
  });
}

test('MobileNet v1: the paper\'s Tables 6 and 7', () => {
  // [alpha, resolution, million mult-adds, million parameters] as printed in the paper.
  const paper = [
    [1, 224, 569, 4.2], [0.75, 224, 325, 2.6], [0.5, 224, 149, 1.3], [0.25, 224, 41, 0.5],
    [1, 192, 418, 4.2], [1, 160, 290, 4.2], [1, 128, 186, 4.2],
  ];
  for (const [alpha, resolution, mmacs, mparams] of paper) {
    const g = buildModel('mobilenet-v1', { alpha, resolution });
    const m = macCount(g) / 1e6;
    // The paper mostly rounds (568.7 -> 569, 149.497 -> 149) but prints 290 for 290.68 at
    // 160, so both rounding and truncation count as agreement.
    assert.ok(Math.round(m) === mmacs || Math.floor(m) === mmacs, `${alpha}-${resolution}: ${m}M vs ${mmacs}M`);
    assert.is(Math.round(paramCount(g) / 1e5) / 10, mparams, `${alpha}-${resolution} params`);
  }
  assert.is(macCount(buildModel('mobilenet-v1', { resolution: 160 })), 290_675_200);
  assert.is(paramCount(buildModel('mobilenet-v1', { alpha: 0.25 })), 470_072);
});

/** Output shapes [N, H, W, C] of named nodes at the default resolution, batch 1. */
const STAGES = {
  alexnet: { 'features.0': [55, 55, 64], 'features.2': [27, 27, 64], 'features.5': [13, 13, 192],
    'features.12': [6, 6, 256], flatten: [9216], 'classifier.6': [1000] },
  'alexnet-2012': { conv1: [55, 55, 96], norm1: [55, 55, 96], pool1: [27, 27, 96], conv2: [27, 27, 256],
    pool2: [13, 13, 256], conv4: [13, 13, 384], pool5: [6, 6, 256], fc6: [4096], fc8: [1000] },
  'vgg-16': { 'features.4': [112, 112, 64], 'features.9': [56, 56, 128], 'features.16': [28, 28, 256],
    'features.23': [14, 14, 512], 'features.30': [7, 7, 512], flatten: [25088], 'classifier.6': [1000] },
  'vgg-19-bn': { 'features.1': [224, 224, 64], 'features.51': [14, 14, 512], 'features.52': [7, 7, 512] },
  googlenet: { 'conv1.relu': [112, 112, 64], maxpool1: [56, 56, 64], 'conv3.relu': [56, 56, 192],
    maxpool2: [28, 28, 192], inception3a: [28, 28, 256], inception3b: [28, 28, 480], maxpool3: [14, 14, 480],
    'inception3a.branch3.1.conv': [28, 28, 32], inception4e: [14, 14, 832], maxpool4: [7, 7, 832],
    inception5b: [7, 7, 1024], avgpool: [1, 1, 1024], fc: [1000] },
  'inception-v2': { conv1_7x7_s2: [112, 112, 64], pool1_3x3_s2: [56, 56, 64], conv2_3x3: [56, 56, 192],
    pool2_3x3_s2: [28, 28, 192], inception_3a_output: [28, 28, 256], inception_3b_output: [28, 28, 320],
    inception_3c_output: [14, 14, 576], inception_4c_output: [14, 14, 608], inception_4e_output: [7, 7, 1056],
    inception_5b_output: [7, 7, 1024], global_pool: [1, 1, 1024], last_linear: [1000] },
  'inception-v3': { 'Conv2d_1a_3x3.conv': [149, 149, 32], 'Conv2d_2b_3x3.relu': [147, 147, 64], maxpool1: [73, 73, 64],
    'Conv2d_4a_3x3.relu': [71, 71, 192], maxpool2: [35, 35, 192], Mixed_5b: [35, 35, 256], Mixed_5d: [35, 35, 288],
    Mixed_6a: [17, 17, 768], Mixed_6e: [17, 17, 768], Mixed_7a: [8, 8, 1280], 'Mixed_7b.branch3x3': [8, 8, 768],
    Mixed_7c: [8, 8, 2048], fc: [1000] },
  'inception-v4': { 'features.0.relu': [149, 149, 32], 'features.2.relu': [147, 147, 64], 'features.3': [73, 73, 160],
    'features.4': [71, 71, 192], 'features.5': [35, 35, 384], 'features.9': [35, 35, 384], 'features.10': [17, 17, 1024],
    'features.17': [17, 17, 1024], 'features.18': [8, 8, 1536], 'features.21': [8, 8, 1536],
    'features.21.branch2': [8, 8, 512], avg_pool: [1, 1, 1536], last_linear: [1000] },
  'resnet-18': { conv1: [112, 112, 64], maxpool: [56, 56, 64], 'layer1.1.relu': [56, 56, 64],
    'layer2.0.downsample.1': [28, 28, 128], 'layer2.1.relu': [28, 28, 128], 'layer3.1.relu': [14, 14, 256],
    'layer4.1.relu': [7, 7, 512], avgpool: [1, 1, 512], fc: [1000] },
  'resnet-50': { 'layer1.0.downsample.0': [56, 56, 256], 'layer1.2.relu': [56, 56, 256], 'layer2.0.conv1': [56, 56, 128],
    'layer2.0.conv2': [28, 28, 128], 'layer2.3.relu': [28, 28, 512], 'layer3.5.relu': [14, 14, 1024],
    'layer4.2.relu': [7, 7, 2048], fc: [1000] },
  'resnet-152': { 'layer2.7.relu': [28, 28, 512], 'layer3.35.relu': [14, 14, 1024], 'layer4.2.relu': [7, 7, 2048] },
  'mobilenet-v1': { 'features.0.relu': [112, 112, 32], 'features.1.pw.relu': [112, 112, 64],
    'features.2.dw.relu': [56, 56, 64], 'features.3.pw.relu': [56, 56, 128], 'features.5.pw.relu': [28, 28, 256],
    'features.11.pw.relu': [14, 14, 512], 'features.12.dw.conv': [7, 7, 512], 'features.13.pw.relu': [7, 7, 1024],
    avgpool: [1, 1, 1024], fc: [1000] },
  'mobilenet-v2': { 'features.0.2': [112, 112, 32], 'features.1.conv.2': [112, 112, 16], 'features.3.add': [56, 56, 24],
    'features.6.add': [28, 28, 32], 'features.10.add': [14, 14, 64], 'features.13.add': [14, 14, 96],
    'features.16.add': [7, 7, 160], 'features.17.conv.3': [7, 7, 320], 'features.18.2': [7, 7, 1280],
    'classifier.1': [1000] },
  'squeezenet-1.0': { 'features.0': [109, 109, 96], 'features.2': [54, 54, 96], 'features.3.squeeze': [54, 54, 16],
    'features.3': [54, 54, 128], 'features.5': [54, 54, 256], 'features.6': [27, 27, 256], 'features.10': [27, 27, 512],
    'features.11': [13, 13, 512], 'features.12': [13, 13, 512], 'classifier.1': [13, 13, 1000], 'classifier.3': [1, 1, 1000],
    flatten: [1000] },
  'squeezenet-1.1': { 'features.0': [111, 111, 64], 'features.2': [55, 55, 64], 'features.4': [55, 55, 128],
    'features.5': [27, 27, 128], 'features.7': [27, 27, 256], 'features.8': [13, 13, 256], 'features.12': [13, 13, 512],
    'classifier.3': [1, 1, 1000] },
  'densenet-121': { 'features.conv0': [112, 112, 64], 'features.pool0': [56, 56, 64],
    'features.denseblock1.denselayer1.conv1': [56, 56, 128], 'features.denseblock1.denselayer1.cat': [56, 56, 96],
    'features.denseblock1.denselayer6.cat': [56, 56, 256], 'features.transition1.conv': [56, 56, 128],
    'features.transition1.pool': [28, 28, 128], 'features.denseblock2.denselayer12.cat': [28, 28, 512],
    'features.transition2.pool': [14, 14, 256], 'features.denseblock3.denselayer24.cat': [14, 14, 1024],
    'features.transition3.pool': [7, 7, 512], 'features.denseblock4.denselayer16.cat': [7, 7, 1024],
    'features.norm5': [7, 7, 1024], avgpool: [1, 1, 1024], classifier: [1000] },
  'densenet-161': { 'features.pool0': [56, 56, 96], 'features.denseblock1.denselayer1.conv1': [56, 56, 192],
    'features.denseblock1.denselayer6.cat': [56, 56, 384], 'features.denseblock3.denselayer36.cat': [14, 14, 2112],
    'features.norm5': [7, 7, 2208] },
  'densenet-169': { 'features.denseblock3.denselayer32.cat': [14, 14, 1280], 'features.norm5': [7, 7, 1664] },
  'resnext-50-32x4d': { 'layer1.0.conv1': [56, 56, 128], 'layer1.0.conv2': [56, 56, 128], 'layer1.2.relu': [56, 56, 256],
    'layer2.0.conv2': [28, 28, 256], 'layer3.0.conv1': [28, 28, 512], 'layer3.5.relu': [14, 14, 1024],
    'layer4.0.conv2': [7, 7, 1024], 'layer4.2.relu': [7, 7, 2048], fc: [1000] },
  'inception-resnet-v2': { 'conv2d_1a.relu': [149, 149, 32], maxpool_3a: [73, 73, 64], 'conv2d_4a.relu': [71, 71, 192],
    maxpool_5a: [35, 35, 192], mixed_5b: [35, 35, 320], 'repeat.9.relu': [35, 35, 320], mixed_6a: [17, 17, 1088],
    'repeat_1.0.branch1.1.conv': [17, 17, 160], 'repeat_1.19.relu': [17, 17, 1088], mixed_7a: [8, 8, 2080],
    'block8.add': [8, 8, 2080], 'conv2d_7b.relu': [8, 8, 1536], last_linear: [1000] },
  'shufflenet-g8': { conv1: [112, 112, 24], maxpool: [56, 56, 24],
    'stage2.ShuffleUnit_Stage2_0.g_conv_1x1_compress.conv1x1': [56, 56, 96], 'stage2.ShuffleUnit_Stage2_0.depthwise_conv3x3': [28, 28, 96],
    'stage2.ShuffleUnit_Stage2_0.g_conv_1x1_expand.conv1x1': [28, 28, 360], 'stage2.ShuffleUnit_Stage2_0.concat': [28, 28, 384],
    'stage2.ShuffleUnit_Stage2_3.relu': [28, 28, 384], 'stage3.ShuffleUnit_Stage3_7.relu': [14, 14, 768],
    'stage4.ShuffleUnit_Stage4_0.g_conv_1x1_compress.conv1x1': [14, 14, 384], 'stage4.ShuffleUnit_Stage4_3.relu': [7, 7, 1536], fc: [1000] },
  'dpn-68': { 'features.conv1_1.pool': [56, 56, 10], 'features.conv2_1.c1x1_w_s1.conv': [56, 56, 96],
    'features.conv2_1.x_s1': [56, 56, 64], 'features.conv2_1.x_s2': [56, 56, 32], 'features.conv2_1.c1x1_c.conv': [56, 56, 80],
    'features.conv2_1': [56, 56, 112], 'features.conv2_3': [56, 56, 144], 'features.conv3_1.c3x3_b.conv': [28, 28, 256],
    'features.conv3_1': [28, 28, 224], 'features.conv5_3': [7, 7, 832], classifier: [1, 1, 1000], flatten: [1000] },
  'senet-154': { 'layer0.relu3': [112, 112, 128], 'layer0.pool': [56, 56, 128], 'layer1.0.conv1': [56, 56, 128],
    'layer1.0.conv2': [56, 56, 256], 'layer1.0.downsample.0': [56, 56, 256], 'layer2.0.conv1': [56, 56, 256],
    'layer2.0.conv2': [28, 28, 512], 'layer2.0.downsample.0': [28, 28, 512], 'layer4.2.relu': [7, 7, 2048] },
  'caffe-resnet-101': { maxpool: [56, 56, 64], 'layer2.0.conv1': [28, 28, 128], 'layer2.0.conv2': [28, 28, 128],
    'layer3.22.relu': [14, 14, 1024], last_linear: [1000] },
  'bvlc-googlenet': { pool1_3x3_s2: [56, 56, 64], pool1_norm1: [56, 56, 64], conv2_3x3: [56, 56, 192],
    pool2_3x3_s2: [28, 28, 192], inception_3a_5x5: [28, 28, 32], inception_3a_output: [28, 28, 256],
    pool3_3x3_s2: [14, 14, 480], inception_4e_output: [14, 14, 832], pool4_3x3_s2: [7, 7, 832],
    inception_5b_output: [7, 7, 1024], loss3_classifier_1: [1000] },
  'resnext-101-32x8d': { 'layer1.0.conv2': [56, 56, 256], 'layer3.22.relu': [14, 14, 1024], 'layer4.0.conv2': [7, 7, 2048] },
  'densenet-201': { 'features.denseblock3.denselayer48.cat': [14, 14, 1792], 'features.norm5': [7, 7, 1920] },
};

for (const [name, stages] of Object.entries(STAGES)) {
  test(`${name}: stage output shapes`, () => {
    const g = buildModel(name);
    const shapes = new Map(g.nodes.map((n) => [n.name, n.outShape]));
    for (const [node, s] of Object.entries(stages)) assert.equal(shapes.get(node), [1, ...s], node);
  });
}

test('architecture details that the counts alone would not catch', () => {
  const node = (g, n) => g.nodes.find((x) => x.name === n);
  const a12 = buildModel('alexnet-2012');
  assert.equal([2, 3, 4, 5].map((l) => node(a12, `conv${l}`).groups), [2, 1, 2, 2]);
  const lrn = node(a12, 'norm1');
  assert.equal([lrn.size, lrn.beta, lrn.k], [5, 0.75, 2]);
  assert.ok(Math.abs(lrn.alpha / lrn.size - 1e-4) < 1e-12, 'paper alpha 1e-4 per summed square');
  // ResNet v1.5: the stride sits on the 3x3.
  const r50 = buildModel('resnet-50');
  assert.equal(node(r50, 'layer3.0.conv1').stride, [1, 1]);
  assert.equal(node(r50, 'layer3.0.conv2').stride, [2, 2]);
  // GoogLeNet's "5x5" branch is a 3x3; its BN eps is 1e-3; pools round up.
  const gn = buildModel('googlenet');
  assert.equal(node(gn, 'inception4a.branch3.1.conv').kernel, [3, 3]);
  assert.is(node(gn, 'inception4a.branch3.1.bn').eps, 0.001);
  assert.ok(node(gn, 'maxpool1').ceil);
  // MobileNet v1: TF SAME (stride 2 pads bottom/right only), depthwise, ReLU.
  const mb = buildModel('mobilenet-v1');
  assert.equal(node(mb, 'features.2.dw.conv').pad, [0, 0, 1, 1]);
  assert.is(node(mb, 'features.2.dw.conv').groups, 64);
  assert.is(node(mb, 'features.2.dw.relu').op, 'relu');
  assert.is(node(buildModel('mobilenet-v2'), 'features.0.2').op, 'relu6');
  // Inception-v4 pools exclude padding; Inception-v3 (F.avg_pool2d default) includes it.
  assert.is(node(buildModel('inception-v4'), 'features.6.branch3.0').countIncludePad, false);
  assert.is(node(buildModel('inception-v3'), 'Mixed_5b.avgpool').countIncludePad, true);
  // ResNeXt: the grouped 3x3 carries the stride; plain ResNet keeps groups 1.
  const rx = buildModel('resnext-50-32x4d');
  assert.equal([node(rx, 'layer2.0.conv2').groups, node(rx, 'layer2.0.conv2').stride], [32, [2, 2]]);
  assert.is(node(rx, 'layer2.0.conv1').groups, 1);
  assert.is(node(r50, 'layer2.0.conv2').groups, 1);
  // DenseNet: transitions average-pool 2x2 without padding; dense layers concatenate new channels last.
  const dn = buildModel('densenet-121');
  assert.equal([node(dn, 'features.transition1.pool').op, node(dn, 'features.transition1.pool').kernel], ['avgpool', [2, 2]]);
  assert.equal(node(dn, 'features.denseblock1.denselayer2.cat').inputs,
    ['features.denseblock1.denselayer1.cat', 'features.denseblock1.denselayer2.conv2']);
  assert.not.ok(node(dn, 'features.denseblock1.denselayer2.conv2').bias);
  // SqueezeNet: ceil-mode pools, biased convs, expand 1x1 before expand 3x3 in the concat.
  const sq = buildModel('squeezenet-1.1');
  assert.ok(node(sq, 'features.2').ceil);
  assert.ok(node(sq, 'features.3.expand3x3').bias);
  assert.equal(node(sq, 'features.3').inputs, ['features.3.expand1x1_activation', 'features.3.expand3x3_activation']);
});

// SqueezeNet has no fc: its logits are a 1x1 conv's, globally average-pooled and flattened.
const CONV_CLASSIFIER = new Set(['squeezenet-1.0', 'squeezenet-1.1', 'dpn-68', 'dpn-98', 'dpn-131']);

test('every model: NHWC input at its default resolution, 1000 logits out of an fc (or the 1x1 conv classifier of SqueezeNet and DPN)', () => {
  for (const m of MODELS) {
    const g = buildModel(m.name, { batch: 2 });
    assert.is(g.name, m.name);
    const input = g.nodes.find((n) => n.name === g.input);
    assert.equal(input.outShape, [2, m.defaultResolution, m.defaultResolution, 3], m.name);
    const out = g.nodes.at(-1);
    assert.is(out.name, g.output);
    assert.is(out.op, CONV_CLASSIFIER.has(m.name) ? 'flatten' : 'fc', m.name);
    assert.equal(out.outShape, [2, 1000], m.name);
    assert.is(new Set(g.nodes.map((n) => n.name)).size, g.nodes.length);
    assert.ok(m.paper.length > 0 && m.variant.length > 0 && m.family.length > 0);
  }
});

test('batch multiplies MACs, not parameters; resolution changes MACs', () => {
  const one = buildModel('resnet-18');
  const four = buildModel('resnet-18', { batch: 4 });
  assert.is(macCount(four), 4 * macCount(one));
  assert.is(paramCount(four), paramCount(one));
  const small = buildModel('resnet-18', { resolution: 112 });
  assert.equal(small.nodes.find((n) => n.name === 'layer4.1.relu').outShape, [1, 4, 4, 512]);
  assert.is(paramCount(small), 11_689_512);
  assert.is(buildModel('inception-v3', { resolution: 331 }).nodes.find((n) => n.name === 'Mixed_7c').outShape[1], 9);
});

test('names resolve ignoring case, "-" and "_"; Cadene\'s bninception is inception-v2', () => {
  assert.is(buildModel('resnet50').name, 'resnet-50');
  assert.is(buildModel('VGG16_BN').name, 'vgg-16-bn');
  assert.is(buildModel('inception_v3').name, 'inception-v3');
  assert.is(buildModel('bninception').name, 'inception-v2');
  assert.is(modelInfo('mobilenet_v1').defaultResolution, 224);
});

/** Asserts a RangeError whose message matches every pattern. */
function rangeError(fn, ...patterns) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.instance(err, RangeError);
  for (const p of patterns) assert.match(err.message, p);
}

test('bad names and options throw RangeError saying what is wrong', () => {
  rangeError(() => buildModel('resnet-51'), /unknown model "resnet-51"/, /known models: alexnet, alexnet-2012, vgg-11/, /mobilenet-v2/);
  rangeError(() => modelInfo('lenet'), /unknown model "lenet"/);
  for (const batch of [0, -1, 1.5, NaN]) rangeError(() => buildModel('alexnet', { batch }), /batch must be a positive integer/);
  rangeError(() => buildModel('alexnet', { resolution: 0 }), /resolution must be a positive integer/);
  rangeError(() => buildModel('resnet-50', { alpha: 0.5 }), /alpha is not an option of this model/);
  rangeError(() => buildModel('mobilenet-v1', { alpha: 0.6 }), /alpha must be one of 1, 0.75, 0.5, 0.25, got 0.6/);
  rangeError(() => buildModel('mobilenet-v1', { resolution: 200 }), /resolution must be one of 224, 192, 160, 128, got 200/);
  // Too small: the first layer that cannot produce an output is named.
  rangeError(() => buildModel('vgg-16', { resolution: 31 }),
    /resolution 31 is too small or unsupported \(default 224\)/, /layer "features.30" \(maxpool\): output height would be 0/);
  rangeError(() => buildModel('inception-v3', { resolution: 74 }), /layer "Mixed_7a.branch3x3_2.conv"/);
  // BN-Inception: a stride-2 conv and a ceil-mode pool disagree on odd maps, as in PyTorch.
  rangeError(() => buildModel('inception-v2', { resolution: 299 }),
    /layer "inception_3c_output" \(concat\): spatial size mismatch/);
});

/** Asserts that `fn` throws exactly `type` (not a subclass of another error) matching every pattern. */
function throwsExactly(type, fn, ...patterns) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err, 'did not throw');
  assert.is(err.constructor, type, `${err.constructor.name}: ${err.message}`);
  for (const p of patterns) assert.match(err.message, p);
}

test('buildModel options: null or a non-object is a TypeError naming the options argument', () => {
  for (const [opts, got] of [[null, 'null'], [5, '5'], ['batch=2', '"batch=2"'], [true, 'true'], [[], 'an array'], [() => ({}), 'a function']]) {
    throwsExactly(TypeError, () => buildModel('resnet-18', opts),
      /^buildModel\("resnet-18"\): options must be an object such as \{ batch: 1 \} or omitted, got /, new RegExp(`got ${got.replace(/[()[\]]/g, '\\$&')}$`));
  }
  // undefined is the same as omitted
  assert.is(buildModel('resnet-18', undefined).name, 'resnet-18');
  // the name is checked first, so an unknown model says so whatever the options are
  throwsExactly(RangeError, () => buildModel('resnet-51', null), /unknown model "resnet-51"/);
  throwsExactly(TypeError, () => buildModel(undefined), /^buildModel: name must be a string \(see MODELS\), got undefined$/);
  throwsExactly(TypeError, () => buildModel({ name: 'resnet-18' }), /name must be a string .*got an object$/);
});

test('buildModel options: unknown keys are a TypeError listing the known ones', () => {
  throwsExactly(TypeError, () => buildModel('resnet-18', { resolutions: 128 }),
    /^buildModel\("resnet-18"\): unknown option "resolutions"; known options: batch, resolution, alpha$/);
  throwsExactly(TypeError, () => buildModel('mobilenet-v1', { width: 0.5, batchSize: 2, alpha: 0.5 }),
    /unknown options "width", "batchSize"; known options: batch, resolution, alpha$/);
  // keys set to undefined are the defaults, as when a caller forwards optional fields
  const g = buildModel('mobilenet-v1', { batch: undefined, resolution: undefined, alpha: undefined });
  assert.equal(g.nodes[0].outShape, [1, 224, 224, 3]);
});

test('buildModel options: bad values are a RangeError naming the option and the value', () => {
  const cases = [
    [{ batch: 0 }, /batch must be a positive integer, got 0$/],
    [{ batch: '2' }, /batch must be a positive integer, got "2"$/],
    [{ batch: null }, /batch must be a positive integer, got null$/],
    [{ batch: Infinity }, /batch must be a positive integer, got Infinity$/],
    [{ resolution: -224 }, /resolution must be a positive integer, got -224$/],
    [{ resolution: '224' }, /resolution must be a positive integer, got "224"$/],
    [{ resolution: 100.5 }, /resolution must be a positive integer, got 100\.5$/],
  ];
  for (const [opts, re] of cases) throwsExactly(RangeError, () => buildModel('resnet-18', opts), /^buildModel\("resnet-18"\): /, re);
  throwsExactly(RangeError, () => buildModel('mobilenet-v1', { alpha: '0.5' }), /alpha must be one of 1, 0\.75, 0\.5, 0\.25, got "0\.5"$/);
  throwsExactly(RangeError, () => buildModel('mobilenet-v1', { alpha: NaN }), /alpha must be one of .*, got NaN$/);
  throwsExactly(RangeError, () => buildModel('mobilenet-v1', { alpha: null }), /alpha must be one of .*, got null$/);
  throwsExactly(RangeError, () => buildModel('mobilenet-v1', { resolution: null }), /resolution must be a positive integer, got null$/);
  throwsExactly(RangeError, () => buildModel('alexnet', { alpha: 1 }), /alpha is not an option of this model/);
});

test('randomWeights covers every weighted layer in the documented layouts', () => {
  for (const [name, opts] of [['googlenet', {}], ['mobilenet-v1', { alpha: 0.25, resolution: 128 }], ['alexnet-2012', {}]]) {
    const g = buildModel(name, opts);
    const w = randomWeights(g);
    let total = 0;
    for (const n of g.nodes) {
      if (n.op !== 'conv2d' && n.op !== 'fc' && n.op !== 'batchnorm') continue;
      const lw = w.get(n.name);
      assert.ok(lw, `${name}: ${n.name} has weights`);
      if (n.op === 'batchnorm') {
        total += lw.gamma.length + lw.beta.length;
        assert.ok(lw.variance.every((v) => v > 0));
      } else {
        total += lw.weight.length + (lw.bias ? lw.bias.length : 0);
        assert.is(lw.bias !== undefined, n.bias);
      }
    }
    assert.is(total, paramCount(g), name);
    assert.is(w.size, g.nodes.filter((n) => ['conv2d', 'fc', 'batchnorm'].includes(n.op)).length);
  }
});

test.run();
