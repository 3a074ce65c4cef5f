import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** The checked f32_scale over items [i, i + n) of `count` floats. */
function scaleCall(engine: Engine, count: number, x: number, out: number, factor: number): (i: number, n: number) => KernelCall {
  int('count', count);
  if (typeof factor !== 'number') throw new TypeError(`factor must be a number, got ${factor === null ? 'null' : typeof factor}`);
  if (!Number.isFinite(factor)) throw new RangeError(`factor must be finite, got ${factor}`);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return (i, n) => ['f32_scale', n, x + i * 4, out + i * 4, factor];
}

/** out = factor * x over `count` floats on wasm pointers (in place allowed). */
export function runScale(engine: Engine, count: number, x: number, out: number, factor: number): void {
  runCall(engine, scaleCall(engine, count, x, out, factor)(0, count));
}

/** runScale shared among `threads` kernel threads. Same bits. */
export function splitScale(engine: Engine, count: number, x: number, out: number, factor: number, threads: number): ThreadCalls {
  return splitItems(threads, count, 1, 16, scaleCall(engine, count, x, out, factor));
}

/** One-shot constant multiply of a flat array. */
export function scale(engine: Engine, x: Float32Array, factor: number): Tensor {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${x === null ? 'null' : typeof x}`);
  int('x.length', x.length);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runScale(engine, x.length, xp, yp, factor));
}
