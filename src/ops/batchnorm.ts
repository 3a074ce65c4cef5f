import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { actRange, checkSpan, f32array, int, knownKeys, shape4, type Activation, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

export interface BatchNormParams {
  gamma: Float32Array; beta: Float32Array; mean: Float32Array; variance: Float32Array; eps?: number;
}

/**
 * Inference batch norm as a per-channel scale and shift: scale = gamma/sqrt(var+eps), shift =
 * beta - mean*scale. The runtime folds these into conv weights, where a NaN or infinity would
 * spread silently to every output, so every statistic is checked here.
 */
export function bnScaleShift(p: BatchNormParams, c: number): { scale: Float32Array; shift: Float32Array } {
  if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
  const eps = p.eps ?? 1e-5;
  if (typeof eps !== 'number' || !(eps > 0) || eps === Infinity) throw new RangeError(`eps must be a finite number > 0, got ${eps}`);
  const g = f32array('gamma', p.gamma, c), b = f32array('beta', p.beta, c);
  const m = f32array('mean', p.mean, c), v = f32array('variance', p.variance, c);
  const scale = new Float32Array(c), shift = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    if (!(v[i] >= 0) || v[i] === Infinity) throw new RangeError(`variance[${i}] (channel ${i}) must be finite and >= 0, got ${v[i]}`);
    if (!Number.isFinite(g[i])) throw new RangeError(`gamma[${i}] (channel ${i}) must be finite, got ${g[i]}`);
    if (!Number.isFinite(b[i])) throw new RangeError(`beta[${i}] (channel ${i}) must be finite, got ${b[i]}`);
    if (!Number.isFinite(m[i])) throw new RangeError(`mean[${i}] (channel ${i}) must be finite, got ${m[i]}`);
    const s = g[i] / Math.sqrt(v[i] + eps);
    scale[i] = s;
    shift[i] = b[i] - m[i] * s;
    // finite statistics can still overflow float32 (a tiny variance under a huge gamma)
    if (!Number.isFinite(scale[i]) || !Number.isFinite(shift[i])) {
      throw new RangeError(`channel ${i}: scale ${s} or shift ${b[i] - m[i] * s} overflows float32 (gamma ${g[i]}, variance ${v[i]}, eps ${eps})`);
    }
  }
  return { scale, shift };
}

/** Per-channel affine on wasm pointers (scale/shift pointers hold c floats each). */
export function runScaleShift(engine: Engine, pixels: number, c: number, x: number, scale: number, shift: number,
  out: number, act: Activation = 'none'): void {
  runCall(engine, scaleShiftCall(engine, pixels, c, x, scale, shift, out, act)(0, pixels));
}

/** runScaleShift shared among `threads` kernel threads by pixels. Same bits. */
export function splitScaleShift(engine: Engine, pixels: number, c: number, x: number, scale: number, shift: number,
  out: number, act: Activation, threads: number): ThreadCalls {
  return splitItems(threads, pixels, c, 1, scaleShiftCall(engine, pixels, c, x, scale, shift, out, act));
}

/** The checked f32_scale_shift over pixels [p, p + np). */
function scaleShiftCall(engine: Engine, pixels: number, c: number, x: number, scale: number, shift: number,
  out: number, act: Activation): (p: number, np: number) => KernelCall {
  const [lo, hi] = actRange(act);
  int('pixels', pixels); int('c', c);
  checkSpan(engine, 'x', x, pixels * c);
  checkSpan(engine, 'scale', scale, c);
  checkSpan(engine, 'shift', shift, c);
  checkSpan(engine, 'out', out, pixels * c);
  return (p, np) => ['f32_scale_shift', np, c, x + p * c * 4, c, scale, shift, out + p * c * 4, c, lo, hi];
}

/** One-shot batch norm (inference) with optional fused activation. */
export function batchNorm(engine: Engine, x: Float32Array, inShape: number[], p: BatchNormParams, act: Activation = 'none'): Tensor {
  const s = shape4('inShape', inShape);
  if (p && typeof p === 'object') knownKeys('batchNorm', p, ['gamma', 'beta', 'mean', 'variance', 'eps']);
  const { scale, shift } = bnScaleShift(p, s[3]);
  const count = s[0] * s[1] * s[2] * s[3];
  return withBuffers(engine, [
    { name: 'x', data: x, length: count }, { name: 'scale', data: scale, length: s[3] }, { name: 'shift', data: shift, length: s[3] },
  ], count, s, ([xp, sp, bp], yp) => runScaleShift(engine, s[0] * s[1] * s[2], s[3], xp, sp, bp, yp, act));
}
