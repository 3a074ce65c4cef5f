import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, splitItems, type Tensor, type ThreadCalls } from './util.js';

/** out = a + b (then ReLU when relu is true) over `count` floats at wasm pointers. In-place safe. */
export function runAdd(engine: Engine, count: number, a: number, b: number, out: number, relu = false): void {
  int('count', count);
  checkSpan(engine, 'a', a, count);
  checkSpan(engine, 'b', b, count);
  checkSpan(engine, 'out', out, count);
  engine.k.f32_add(count, a, b, out, relu ? 1 : 0);
}

/** runAdd shared among `threads` kernel threads. Same bits. */
export function splitAdd(engine: Engine, count: number, a: number, b: number, out: number, relu: boolean, threads: number): ThreadCalls {
  int('count', count);
  checkSpan(engine, 'a', a, count);
  checkSpan(engine, 'b', b, count);
  checkSpan(engine, 'out', out, count);
  return splitItems(threads, count, 1, 16, (i, n) => ['f32_add', n, a + i * 4, b + i * 4, out + i * 4, relu ? 1 : 0]);
}

/** One-shot residual add with optional fused ReLU; a and b must have the same shape. */
export function add(engine: Engine, a: Float32Array, b: Float32Array, shape: number[], relu = false): Tensor {
  if (!Array.isArray(shape) || shape.length === 0) throw new TypeError(`shape must be a non-empty array, got ${JSON.stringify(shape)}`);
  const count = shape.reduce((p, v, i) => p * int(`shape[${i}]`, v), 1);
  return withBuffers(engine, [{ name: 'a', data: a, length: count }, { name: 'b', data: b, length: count }], count, shape.slice(),
    ([ap, bp], out) => runAdd(engine, count, ap, bp, out, relu));
}
