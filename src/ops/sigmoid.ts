import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, type Tensor } from './util.js';

/** Logistic sigmoid 1 / (1 + exp(-x)) over `count` floats on wasm pointers (in place allowed). */
export function runSigmoid(engine: Engine, count: number, x: number, out: number): void {
  int('count', count);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  engine.k.f32_sigmoid(count, x, out);
}

/** One-shot sigmoid of a flat array. */
export function sigmoid(engine: Engine, x: Float32Array): Tensor {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${x === null ? 'null' : typeof x}`);
  int('x.length', x.length);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runSigmoid(engine, x.length, xp, yp));
}
