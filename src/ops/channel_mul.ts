import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, f32array, int, shape4, splitItems, type Tensor, type ThreadCalls } from './util.js';

function check(engine: Engine, inShape: number[], x: number, s: number, out: number): [number, number, number] {
  const [n, h, w, c] = shape4('inShape', inShape);
  checkSpan(engine, 'x', x, n * h * w * c);
  checkSpan(engine, 's', s, n * c);
  checkSpan(engine, 'out', out, n * h * w * c);
  return [n, h * w, c];
}

/**
 * out = x * s broadcast over pixels: x [N, H, W, C] (dense), s [N, 1, 1, C] (one scale per image
 * and channel: squeeze-excitation's rescale), on wasm pointers. In-place safe.
 */
export function runChannelMul(engine: Engine, inShape: number[], x: number, s: number, out: number): void {
  const [n, hw, c] = check(engine, inShape, x, s, out);
  engine.k.f32_channel_mul(n, hw, c, x, s, out);
}

/** runChannelMul shared among `threads` kernel threads: by pixels within each image (batch 1), by images otherwise. Same bits. */
export function splitChannelMul(engine: Engine, inShape: number[], x: number, s: number, out: number, threads: number): ThreadCalls {
  const [n, hw, c] = check(engine, inShape, x, s, out);
  if (n === 1) return splitItems(threads, hw, c, 1, (p, np) => ['f32_channel_mul', 1, np, c, x + p * c * 4, s, out + p * c * 4]);
  return splitItems(threads, n, hw * c, 1, (b, nb) => ['f32_channel_mul', nb, hw, c, x + b * hw * c * 4, s + b * c * 4, out + b * hw * c * 4]);
}

/** One-shot per-channel multiply: x [N, H, W, C] times s [N, 1, 1, C]. */
export function channelMul(engine: Engine, x: Float32Array, inShape: number[], s: Float32Array): Tensor {
  const sh = shape4('inShape', inShape);
  int('channels', sh[3]);
  f32array('s', s, sh[0] * sh[3]);
  const count = sh[0] * sh[1] * sh[2] * sh[3];
  return withBuffers(engine, [{ name: 'x', data: x, length: count }, { name: 's', data: s, length: sh[0] * sh[3] }], count, sh,
    ([xp, sp], yp) => runChannelMul(engine, sh, xp, sp, yp));
}

function checkAdd(engine: Engine, inShape: number[], x: number, s: number, r: number, out: number): [number, number, number] {
  const dims = check(engine, inShape, x, s, out);
  checkSpan(engine, 'r', r, dims[0] * dims[1] * dims[2]);
  return dims;
}

/**
 * out = x * s + r (then ReLU when relu is true): the per-channel multiply joined with the residual
 * add that reads it (squeeze-excitation before the join), one pass, the bits of the two ops run
 * apart. x and r [N, H, W, C] dense, s [N, 1, 1, C]. In-place safe.
 */
export function runChannelMulAdd(engine: Engine, inShape: number[], x: number, s: number, r: number, out: number, relu: boolean): void {
  const [n, hw, c] = checkAdd(engine, inShape, x, s, r, out);
  engine.k.f32_channel_mul_add(n, hw, c, x, s, r, out, relu ? 1 : 0);
}

/** runChannelMulAdd shared among `threads` kernel threads, as splitChannelMul splits. Same bits. */
export function splitChannelMulAdd(engine: Engine, inShape: number[], x: number, s: number, r: number, out: number, relu: boolean,
  threads: number): ThreadCalls {
  const [n, hw, c] = checkAdd(engine, inShape, x, s, r, out);
  const rl = relu ? 1 : 0;
  if (n === 1) return splitItems(threads, hw, c, 1, (p, np) => ['f32_channel_mul_add', 1, np, c, x + p * c * 4, s, r + p * c * 4, out + p * c * 4, rl]);
  return splitItems(threads, n, hw * c, 1, (b, nb) =>
    ['f32_channel_mul_add', nb, hw, c, x + b * hw * c * 4, s + b * c * 4, r + b * hw * c * 4, out + b * hw * c * 4, rl]);
}
