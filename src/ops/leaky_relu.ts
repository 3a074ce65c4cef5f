import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

function slope(alpha: unknown): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new RangeError(`alpha must be a finite number, got ${String(alpha)}`);
  return alpha;
}

/** The checked f32_leaky_relu over items [i, i + n) of `count` floats. */
function leakyReluCall(engine: Engine, count: number, x: number, out: number, alpha: number): (i: number, n: number) => KernelCall {
  int('count', count);
  slope(alpha);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return (i, n) => ['f32_leaky_relu', n, x + i * 4, out + i * 4, alpha];
}

/** LeakyReLU x >= 0 ? x : alpha * x over `count` floats on wasm pointers (in place allowed). */
export function runLeakyRelu(engine: Engine, count: number, x: number, out: number, alpha: number): void {
  runCall(engine, leakyReluCall(engine, count, x, out, alpha)(0, count));
}

/** runLeakyRelu shared among `threads` kernel threads. Same bits. */
export function splitLeakyRelu(engine: Engine, count: number, x: number, out: number, alpha: number, threads: number): ThreadCalls {
  return splitItems(threads, count, 1, 16, leakyReluCall(engine, count, x, out, alpha));
}

/** One-shot LeakyReLU of a flat array. */
export function leakyRelu(engine: Engine, x: Float32Array, alpha: number): Tensor {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${x === null ? 'null' : typeof x}`);
  int('x.length', x.length);
  slope(alpha);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runLeakyRelu(engine, x.length, xp, yp, alpha));
}
