import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { actRange, checkSpan, int, runCall, splitItems, type Activation, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** The checked f32_clamp over items [i, i + n) of `count` floats. */
function clampCall(engine: Engine, count: number, x: number, out: number, lo: number, hi: number): (i: number, n: number) => KernelCall {
  int('count', count);
  if (typeof lo !== 'number' || typeof hi !== 'number' || Number.isNaN(lo) || Number.isNaN(hi) || lo > hi) {
    throw new RangeError(`clamp bounds must be numbers with lo <= hi, got [${lo}, ${hi}]`);
  }
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return (i, n) => ['f32_clamp', n, x + i * 4, out + i * 4, lo, hi];
}

/** Stand-alone ReLU / ReLU6 over `count` floats (used only where no producer can fuse it). */
export function runActivation(engine: Engine, act: Activation, count: number, x: number, out: number): void {
  const [lo, hi] = actRange(act);
  runCall(engine, clampCall(engine, count, x, out, lo, hi)(0, count));
}

/** f32_clamp over `count` floats shared among `threads` kernel threads (checked as runClamp). Same bits. */
export function splitClamp(engine: Engine, count: number, x: number, out: number, lo: number, hi: number, threads: number): ThreadCalls {
  return splitItems(threads, count, 1, 16, clampCall(engine, count, x, out, lo, hi));
}

/** One-shot activation of a flat array. */
export function activation(engine: Engine, x: Float32Array, act: Activation): Tensor {
  actRange(act);
  if (!(x instanceof Float32Array)) throw new TypeError('x must be a Float32Array');
  int('x.length', x.length);
  return withBuffers(engine, [{ name: 'x', data: x, length: x.length }], x.length, [x.length],
    ([xp], yp) => runActivation(engine, act, x.length, xp, yp));
}

/** Clamp to [lo, hi] over `count` floats on wasm pointers (ONNX Clip with other bounds than ReLU's). */
export function runClamp(engine: Engine, count: number, x: number, out: number, lo: number, hi: number): void {
  runCall(engine, clampCall(engine, count, x, out, lo, hi)(0, count));
}
