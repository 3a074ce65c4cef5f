import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** The checked f32_sigmoid over items [i, i + n) of `count` floats. */
function sigmoidCall(engine: Engine, count: number, x: number, out: number): (i: number, n: number) => KernelCall {
  int('count', count);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return (i, n) => ['f32_sigmoid', n, x + i * 4, out + i * 4];
}

/** Logistic sigmoid 1 / (1 + exp(-x)) over `count` floats on wasm pointers (in place allowed). */
export function runSigmoid(engine: Engine, count: number, x: number, out: number): void {
  runCall(engine, sigmoidCall(engine, count, x, out)(0, count));
}

/** runSigmoid shared among `threads` kernel threads. Same bits. */
export function splitSigmoid(engine: Engine, count: number, x: number, out: number, threads: number): ThreadCalls {
  return splitItems(threads, count, 1, 16, sigmoidCall(engine, count, x, out));
}

/** One-shot sigmoid of a flat array. */
export function sigmoid(engine: Engine, x: Float32Array): Tensor {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${x === null ? 'null' : typeof x}`);
  int('x.length', x.length);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runSigmoid(engine, x.length, xp, yp));
}
