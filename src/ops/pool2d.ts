import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { shares, SPLIT_MIN_FLOATS } from '../kernels/select.js';
import {
  checkSpan, int, knownKeys, onCaller, outSize, pad4, pair, pixelSpan, runCall, shape4, strides, threadCount,
  type KernelCall, type Pad4, type Pair, type Strides, type Tensor, type ThreadCalls,
} from './util.js';

export interface Pool2dParams {
  kernel: number | Pair;
  /** default: the kernel size (PyTorch) */
  stride?: number | Pair;
  pad?: number | Pair | Pad4;
  ceil?: boolean;
  /** average pooling only; default true (PyTorch) */
  countIncludePad?: boolean;
  /** only 1 (the kernels have no dilated windows) */
  dilation?: number | Pair;
}

const POOL_KEYS = ['kernel', 'stride', 'pad', 'ceil', 'countIncludePad', 'dilation'] as const;

export interface Pool2dConfig {
  kernel: Pair; stride: Pair; pad: Pad4; ceil: boolean; countIncludePad: boolean;
}

// Configs poolConfig() made: frozen and checked, so runPool2d can trust them with one lookup.
const checkedConfigs = new WeakSet<Pool2dConfig>();

export function poolConfig(p: Pool2dParams): Pool2dConfig {
  if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
  knownKeys('pool2d', p, POOL_KEYS);
  const kernel = pair('kernel', p.kernel);
  const stride = p.stride === undefined ? kernel : pair('stride', p.stride);
  const pad = pad4('pad', p.pad);
  const dilation = pair('dilation', p.dilation, 1, 1);
  if (dilation[0] !== 1 || dilation[1] !== 1) throw new RangeError(`dilation is not supported by pooling (only 1), got ${JSON.stringify(p.dilation)}`);
  if (pad[0] > kernel[0] / 2 || pad[2] > kernel[0] / 2 || pad[1] > kernel[1] / 2 || pad[3] > kernel[1] / 2) {
    throw new RangeError(`pad ${JSON.stringify(pad)} must be at most half the kernel ${JSON.stringify(kernel)}`);
  }
  for (const key of ['ceil', 'countIncludePad'] as const) {
    if (p[key] !== undefined && typeof p[key] !== 'boolean') throw new TypeError(`${key} must be a boolean, got ${JSON.stringify(p[key])}`);
  }
  const cfg: Pool2dConfig = Object.freeze({
    kernel: Object.freeze(kernel) as Pair, stride: Object.freeze(stride.slice()) as Pair, pad: Object.freeze(pad) as Pad4,
    ceil: p.ceil ?? false, countIncludePad: p.countIncludePad ?? true,
  });
  checkedConfigs.add(cfg);
  return cfg;
}

export function poolOutShape(cfg: Pool2dConfig, inShape: number[]): [number, number, number, number] {
  const [n, h, w, c] = shape4('inShape', inShape);
  return [n,
    outSize('pool (height)', h, cfg.kernel[0], cfg.stride[0], cfg.pad[0], cfg.pad[2], 1, cfg.ceil),
    outSize('pool (width)', w, cfg.kernel[1], cfg.stride[1], cfg.pad[1], cfg.pad[3], 1, cfg.ceil),
    c];
}

/** Runs max or average pooling on wasm pointers (input/output may be channel slices). */
export function runPool2d(engine: Engine, kind: 'max' | 'avg', cfg: Pool2dConfig, x: number, inShape: number[],
  out: number, opts: Strides = {}): void {
  runCall(engine, [...poolCall(engine, kind, cfg, x, inShape, out, opts), 0, poolOutShape(cfg, inShape)[1]!]);
}

/** runPool2d shared among `threads` kernel threads by output rows. Same bits. */
export function splitPool2d(engine: Engine, kind: 'max' | 'avg', cfg: Pool2dConfig, x: number, inShape: number[],
  out: number, opts: Strides, threads: number): ThreadCalls {
  const T = threadCount(threads);
  const call = poolCall(engine, kind, cfg, x, inShape, out, opts);
  return shares(poolOutShape(cfg, inShape)[1], T).map(([a, b]) => (a >= b ? [] : [[...call, a, b]]));
}

function poolCall(engine: Engine, kind: 'max' | 'avg', cfg: Pool2dConfig, x: number, inShape: number[],
  out: number, opts: Strides): KernelCall {
  if (!checkedConfigs.has(cfg)) throw new TypeError('cfg must be a config from poolConfig()');
  const [n, h, w, c] = shape4('inShape', inShape);
  const [, ho, wo] = poolOutShape(cfg, inShape);
  const [cx, ldo] = strides(opts, c, c);
  checkSpan(engine, 'x', x, pixelSpan(n * h * w, cx, c));
  checkSpan(engine, 'out', out, pixelSpan(n * ho * wo, ldo, c));
  if (kind !== 'max' && kind !== 'avg') throw new TypeError(`kind must be 'max' or 'avg', got ${JSON.stringify(kind)}`);
  const { kernel: [kh, kw], stride: [sh, sw], pad: [pt, pl, pb, pr] } = cfg;
  if (kind === 'max') return ['f32_maxpool', x, n, h, w, cx, c, kh, kw, sh, sw, pt, pl, ho, wo, out, ldo];
  return ['f32_avgpool', x, n, h, w, cx, c, kh, kw, sh, sw, pt, pl, h + pb, w + pr, ho, wo, cfg.countIncludePad ? 1 : 0, out, ldo];
}

function oneShot(kind: 'max' | 'avg', engine: Engine, x: Float32Array, inShape: number[], params: Pool2dParams): Tensor {
  const cfg = poolConfig(params);
  const s = shape4('inShape', inShape);
  const os = poolOutShape(cfg, s);
  return withBuffers(engine, [{ name: 'x', data: x, length: s[0] * s[1] * s[2] * s[3] }], os[0] * os[1] * os[2] * os[3], os,
    ([xp], yp) => runPool2d(engine, kind, cfg, xp, s, yp));
}

/** Max pooling, NHWC, PyTorch semantics (ceil mode included). */
export function maxPool2d(engine: Engine, x: Float32Array, inShape: number[], params: Pool2dParams): Tensor {
  return oneShot('max', engine, x, inShape, params);
}

/** Average pooling, NHWC, PyTorch semantics (ceil mode, countIncludePad). */
export function avgPool2d(engine: Engine, x: Float32Array, inShape: number[], params: Pool2dParams): Tensor {
  return oneShot('avg', engine, x, inShape, params);
}

/** Global average pooling [N,H,W,C] -> [N,1,1,C] on wasm pointers. */
export function runGlobalAvgPool(engine: Engine, x: number, inShape: number[], out: number, opts: Strides = {}): void {
  const [, c, call] = globalPoolCall(engine, 'avg', x, inShape, out, opts);
  runCall(engine, call(0, c));
}

/** The checked global pool over channels [c0, c0 + nc): [input floats, channels, call]. */
function globalPoolCall(engine: Engine, kind: 'max' | 'avg', x: number, inShape: number[], out: number,
  opts: Strides): [number, number, (c0: number, nc: number) => KernelCall] {
  const [n, h, w, c] = shape4('inShape', inShape);
  const [cx, ldo] = strides(opts, c, c);
  checkSpan(engine, 'x', x, pixelSpan(n * h * w, cx, c));
  checkSpan(engine, 'out', out, pixelSpan(n, ldo, c));
  const fn = kind === 'max' ? 'f32_global_maxpool' : 'f32_global_avgpool';
  return [n * h * w * c, c, (c0, nc) => [fn, x + c0 * 4, n, h * w, cx, nc, out + c0 * 4, ldo]];
}

/** runGlobalAvgPool / runGlobalMaxPool shared among `threads` kernel threads by channels. Same bits. */
export function splitGlobalPool(engine: Engine, kind: 'max' | 'avg', x: number, inShape: number[], out: number,
  opts: Strides, threads: number): ThreadCalls {
  const T = threadCount(threads);
  const [floats, c, call] = globalPoolCall(engine, kind, x, inShape, out, opts);
  if (floats < SPLIT_MIN_FLOATS) return onCaller(T, call(0, c));
  return shares(c, T, 4).map(([a, b]) => (a >= b ? [] : [call(a, b - a)]));
}

/** One-shot global average pooling. */
export function globalAvgPool(engine: Engine, x: Float32Array, inShape: number[]): Tensor {
  const s = shape4('inShape', inShape);
  int('channels', s[3]);
  return withBuffers(engine, [{ name: 'x', data: x, length: s[0] * s[1] * s[2] * s[3] }], s[0] * s[3], [s[0], 1, 1, s[3]],
    ([xp], yp) => runGlobalAvgPool(engine, xp, s, yp));
}

/** Global max pooling [N,H,W,C] -> [N,1,1,C] on wasm pointers. */
export function runGlobalMaxPool(engine: Engine, x: number, inShape: number[], out: number, opts: Strides = {}): void {
  const [, c, call] = globalPoolCall(engine, 'max', x, inShape, out, opts);
  runCall(engine, call(0, c));
}

/** One-shot global max pooling. */
export function globalMaxPool(engine: Engine, x: Float32Array, inShape: number[]): Tensor {
  const s = shape4('inShape', inShape);
  return withBuffers(engine, [{ name: 'x', data: x, length: s[0] * s[1] * s[2] * s[3] }], s[0] * s[3], [s[0], 1, 1, s[3]],
    ([xp], yp) => runGlobalMaxPool(engine, xp, s, yp));
}
