import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/**
 * The checked add over items [i, i + n) of `count` floats: f32_add, or f32_add_scaled when `a`
 * is scaled (alpha !== 1).
 */
function addCall(engine: Engine, count: number, a: number, b: number, out: number, relu: boolean, alpha: number): (i: number, n: number) => KernelCall {
  int('count', count);
  checkAlpha(alpha);
  checkSpan(engine, 'a', a, count);
  checkSpan(engine, 'b', b, count);
  checkSpan(engine, 'out', out, count);
  if (alpha === 1) return (i, n) => ['f32_add', n, a + i * 4, b + i * 4, out + i * 4, relu ? 1 : 0];
  return (i, n) => ['f32_add_scaled', n, a + i * 4, alpha, b + i * 4, out + i * 4, relu ? 1 : 0];
}

function checkAlpha(alpha: number): void {
  if (typeof alpha !== 'number') throw new TypeError(`alpha must be a number, got ${alpha === null ? 'null' : typeof alpha}`);
  if (!Number.isFinite(alpha)) throw new RangeError(`alpha must be finite, got ${alpha}`);
}

/**
 * out = alpha * a + b (then ReLU when relu is true) over `count` floats at wasm pointers; alpha 1
 * is the plain residual add. In-place safe.
 */
export function runAdd(engine: Engine, count: number, a: number, b: number, out: number, relu = false, alpha = 1): void {
  runCall(engine, addCall(engine, count, a, b, out, relu, alpha)(0, count));
}

/** runAdd shared among `threads` kernel threads. Same bits. */
export function splitAdd(engine: Engine, count: number, a: number, b: number, out: number, relu: boolean, threads: number, alpha = 1): ThreadCalls {
  return splitItems(threads, count, 1, 16, addCall(engine, count, a, b, out, relu, alpha));
}

/**
 * One-shot residual add alpha * a + b (alpha default 1) with optional fused ReLU; a and b must
 * have the same shape.
 */
export function add(engine: Engine, a: Float32Array, b: Float32Array, shape: number[], relu = false, alpha = 1): Tensor {
  if (!Array.isArray(shape) || shape.length === 0) throw new TypeError(`shape must be a non-empty array, got ${JSON.stringify(shape)}`);
  const count = shape.reduce((p, v, i) => p * int(`shape[${i}]`, v), 1);
  checkAlpha(alpha);
  return withBuffers(engine, [{ name: 'a', data: a, length: count }, { name: 'b', data: b, length: count }], count, shape.slice(),
    ([ap, bp], out) => runAdd(engine, count, ap, bp, out, relu, alpha));
}
