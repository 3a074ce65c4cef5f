// The graph layer: IR types, the builder with shape inference, weights and their counts.
export * from './types.js';
export * from './builder.js';
export * from './weights.js';
