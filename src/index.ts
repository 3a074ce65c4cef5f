/**
 * simdnet: classic ImageNet CNNs on WebAssembly SIMD, in any JavaScript runtime, and what they
 * cost before you run them.
 *
 * Layers, data flowing one way: models -> graph -> lowering -> runtime -> ops -> kernels
 * (dist/simdnet.wasm); the cost model reads the graph and the lowering's steps, never ops or wasm.
 * Units: 1 MAC = one multiply-add; FLOPs = 2 x MACs.
 */
export { Engine, createEngine } from './wasm/engine.js';
export { hasSimd, compileKernels, hasRelaxedSimd, init, features, relaxedPaysOff, type Features, type InitOptions, type RelaxedSimdMode, type Binary } from './wasm/loader.js';
export * as ops from './ops/index.js';
export type { Activation, Tensor, Pad4, Pair } from './ops/util.js';
export * from './graph/index.js';
export { buildModel, modelInfo, MODELS, type ModelInfo, type BuildModelOptions } from './models/index.js';
export { compile, Net, type CompileOptions, type RunOptions, type PlanSummary, type PlanStep } from './runtime/index.js';
export { lower, planActivations, type Lowered, type LowerOptions, type Step, type StepKind, type Value } from './lower/index.js';
export type { WinogradMode, ConvPath, DwPath } from './kernels/select.js';
export * as cost from './cost-api.js';
// toONNX lives at 'simdnet/onnx': it brings protobufjs (~29 KB gzip) that running networks never needs.
