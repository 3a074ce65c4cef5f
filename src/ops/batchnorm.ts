import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { actRange, f32array, shape4, type Activation, type Tensor } from './util.js';

export interface BatchNormParams {
  gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; eps?: number;
}

/** Inference batch norm as a per-channel scale and shift: scale = gamma/sqrt(var+eps), shift = beta - mean*scale. */
export function bnScaleShift(p: BatchNormParams, c: number): { scale: Float32Array; shift: Float32Array } {
  const eps = p.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(eps >= 0)) throw new RangeError(`eps must be a number >= 0, got ${eps}`);
  const g = f32array('gamma', p.gamma, c), b = f32array('beta', p.beta, c);
  const m = f32array('mean', p.mean, c), v = f32array('variance', p.variance, c);
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    const s = g[i] / Math.sqrt(v[i] + eps);
    scale[i] = s;
    shift[i] = b[i] - m[i] * s;
  }
  return { scale, shift };
}

/** Per-channel affine on wasm pointers (scale/shift pointers hold c floats each). */
export function runScaleShift(engine: Engine, pixels: number, c: number, x: number, scale: number, shift: number,
  out: number, act: Activation = 'none'): void {
  const [lo, hi] = actRange(act);
  engine.k.f32_scale_shift(pixels, c, x, c, scale, shift, out, c, lo, hi);
}

/** One-shot batch norm (inference) with optional fused activation. */
export function batchNorm(engine: Engine, x: Float32Array, inShape: number[], p: BatchNormParams, act: Activation = 'none'): Tensor {
  const s = shape4('inShape', inShape);
  const { scale, shift } = bnScaleShift(p, s[3]);
  const count = s[0] * s[1] * s[2] * s[3];
  return withBuffers(engine, [
    { name: 'x', data: x, length: count }, { name: 'scale', data: scale, length: s[3] }, { name: 'shift', data: shift, length: s[3] },
  ], count, s, ([xp, sp, bp], yp) => runScaleShift(engine, s[0] * s[1] * s[2], s[3], xp, sp, bp, yp, act));
}
