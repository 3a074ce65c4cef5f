// The architecture zoo: one builder per family and the registry over them.
export * from './registry.js';
export { NUM_CLASSES, type NetOptions } from './common.js';
export { alexnet, alexnet2012 } from './alexnet.js';
export { VGG_CONFIGS, vgg } from './vgg.js';
export { GOOGLENET_INCEPTIONS, type GoogLeNetInception, bvlcGooglenet, googlenet } from './googlenet.js';
export { BN_INCEPTION_MODULES, type BnInceptionModule, bnInception } from './inception_v2.js';
export { INCEPTION_V3_BLOCKS, inceptionV3 } from './inception_v3.js';
export { INCEPTION_V4_FEATURES, inceptionV4 } from './inception_v4.js';
export { INCEPTION_RESNET_V2_REPEATS, inceptionResnetV2 } from './inception_resnet_v2.js';
export { CADENE_RESNET_CONFIGS, RESNET_CONFIGS, RESNEXT_CONFIGS, cadeneResnet, resnet, resnext } from './resnet.js';
export { MOBILENET_V1_ALPHAS, MOBILENET_V1_BLOCKS, MOBILENET_V1_RESOLUTIONS, mobilenetV1 } from './mobilenet_v1.js';
export { MOBILENET_V2_SETTINGS, mobilenetV2 } from './mobilenet_v2.js';
export { SHUFFLENET_CHANNELS, SHUFFLENET_REPEATS, shufflenet } from './shufflenet.js';
export { SQUEEZENET_CONFIGS, type SqueezeNetLayer, squeezenet } from './squeezenet.js';
export { XCEPTION_BLOCKS, xception } from './xception.js';
export { SENET_CONFIGS, senet } from './senet.js';
export { DENSENET_CONFIGS, densenet } from './densenet.js';
export { DPN_CONFIGS, dpn } from './dpn.js';
