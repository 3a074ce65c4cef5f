import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, type Tensor } from './util.js';

function slope(alpha: unknown): number {
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new RangeError(`alpha must be a finite number, got ${String(alpha)}`);
  return alpha;
}

/** LeakyReLU x >= 0 ? x : alpha * x over `count` floats on wasm pointers (in place allowed). */
export function runLeakyRelu(engine: Engine, count: number, x: number, out: number, alpha: number): void {
  int('count', count);
  slope(alpha);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  engine.k.f32_leaky_relu(count, x, out, alpha);
}

/** One-shot LeakyReLU of a flat array. */
export function leakyRelu(engine: Engine, x: Float32Array, alpha: number): Tensor {
  if (!(x instanceof Float32Array)) throw new TypeError(`x must be a Float32Array, got ${x === null ? 'null' : typeof x}`);
  int('x.length', x.length);
  slope(alpha);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runLeakyRelu(engine, x.length, xp, yp, alpha));
}
