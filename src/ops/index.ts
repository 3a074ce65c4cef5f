export * from './util.js';
export { Gemm, gemm, packGemm, packedGemmFloats, GEMM_NR } from './gemm.js';
export { Conv2d, conv2d, type Conv2dParams } from './conv2d.js';
export { DepthwiseConv2d, dwconv2d, type DepthwiseConv2dParams } from './dwconv2d.js';
export {
  maxPool2d, avgPool2d, globalAvgPool, globalMaxPool, runPool2d, runGlobalAvgPool, runGlobalMaxPool, poolConfig, poolOutShape,
  type Pool2dParams, type Pool2dConfig,
} from './pool2d.js';
export { add, runAdd, splitAdd } from './add.js';
export { concat, runCopyChannels } from './concat.js';
export { lrn, runLrn, lrnConfig, type LrnParams } from './lrn.js';
export { FullyConnected, fc } from './fc.js';
export { findNonFinite, firstNonFinite } from './finite.js';
export { softmax, runSoftmax } from './softmax.js';
export { activation, runActivation, runClamp } from './activation.js';
export { leakyRelu, runLeakyRelu } from './leaky_relu.js';
export { batchNorm, bnScaleShift, runScaleShift, type BatchNormParams } from './batchnorm.js';
export { sigmoid, runSigmoid } from './sigmoid.js';
export { channelMul, runChannelMul, splitChannelMul, runChannelMulAdd, splitChannelMulAdd } from './channel_mul.js';
export { scale, runScale, splitScale } from './scale.js';
export { channelShuffle, runChannelShuffle, splitChannelShuffle } from './channel_shuffle.js';
