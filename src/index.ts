/**
 * simdnet: classic ImageNet CNNs on WebAssembly SIMD, in any JavaScript runtime.
 *
 * Layers: kernels (dist/simdnet.wasm) -> ops (validated, weights packed once) -> graph/runtime.
 */
export { Engine } from './wasm/engine.js';
export { hasSimd, compileKernels } from './wasm/loader.js';
export * as ops from './ops/index.js';
export type { Activation, Tensor, Pad4, Pair } from './ops/util.js';

/** Creates an engine: one kernel instance with its own memory. Call dispose() when done. */
export { createEngine } from './wasm/create.js';
