// The graph layer: IR types, the op registry (attributes, shape inference), validation, the
// builder, weights and their counts.
export * from './types.js';
export * from './builder.js';
export * from './weights.js';
export { OP_SPECS, OP_NAMES, isOpName, opSpec, numel, windowOutSize, type NodeOf, type OpSpec, type OpSpecs, type Arity } from './ops.js';
export { validateGraph } from './validate.js';
