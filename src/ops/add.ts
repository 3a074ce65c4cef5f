import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** The checked f32_add over items [i, i + n) of `count` floats. */
function addCall(engine: Engine, count: number, a: number, b: number, out: number, relu: boolean): (i: number, n: number) => KernelCall {
  int('count', count);
  checkSpan(engine, 'a', a, count);
  checkSpan(engine, 'b', b, count);
  checkSpan(engine, 'out', out, count);
  return (i, n) => ['f32_add', n, a + i * 4, b + i * 4, out + i * 4, relu ? 1 : 0];
}

/** out = a + b (then ReLU when relu is true) over `count` floats at wasm pointers. In-place safe. */
export function runAdd(engine: Engine, count: number, a: number, b: number, out: number, relu = false): void {
  runCall(engine, addCall(engine, count, a, b, out, relu)(0, count));
}

/** runAdd shared among `threads` kernel threads. Same bits. */
export function splitAdd(engine: Engine, count: number, a: number, b: number, out: number, relu: boolean, threads: number): ThreadCalls {
  return splitItems(threads, count, 1, 16, addCall(engine, count, a, b, out, relu));
}

/** One-shot residual add with optional fused ReLU; a and b must have the same shape. */
export function add(engine: Engine, a: Float32Array, b: Float32Array, shape: number[], relu = false): Tensor {
  if (!Array.isArray(shape) || shape.length === 0) throw new TypeError(`shape must be a non-empty array, got ${JSON.stringify(shape)}`);
  const count = shape.reduce((p, v, i) => p * int(`shape[${i}]`, v), 1);
  return withBuffers(engine, [{ name: 'a', data: a, length: count }, { name: 'b', data: b, length: count }], count, shape.slice(),
    ([ap, bp], out) => runAdd(engine, count, ap, bp, out, relu));
}
