import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, knownKeys, shape4, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

export interface LrnParams { size: number; alpha?: number; beta?: number; k?: number }

function num(name: string, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`${name} must be a finite number, got ${String(v)}`);
  return v;
}

// Configs lrnConfig() made: frozen and checked, so runLrn can trust them with one lookup.
const checkedConfigs = new WeakSet<Required<LrnParams>>();

export function lrnConfig(p: LrnParams): Required<LrnParams> {
  if (!p || typeof p !== 'object') throw new TypeError('params must be an object');
  knownKeys('lrn', p, ['size', 'alpha', 'beta', 'k']);
  const k = num('k', p.k, 1);
  if (k <= 0) throw new RangeError(`k must be > 0, got ${k}`);
  const cfg = Object.freeze({ size: int('size', p.size), alpha: num('alpha', p.alpha, 1e-4), beta: num('beta', p.beta, 0.75), k });
  checkedConfigs.add(cfg);
  return cfg;
}

/** The checked f32_lrn over pixels [p, p + np): [pixels, channels, call]. */
function lrnCall(engine: Engine, cfg: Required<LrnParams>, x: number, inShape: number[], out: number): [number, number, (p: number, np: number) => KernelCall] {
  if (!checkedConfigs.has(cfg)) throw new TypeError('cfg must be a config from lrnConfig()');
  const [n, h, w, c] = shape4('inShape', inShape);
  const count = n * h * w * c;
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return [n * h * w, c, (p, np) => ['f32_lrn', np, c, x + p * c * 4, out + p * c * 4, cfg.size, cfg.alpha, cfg.beta, cfg.k]];
}

/** Across-channel LRN on wasm pointers (dense NHWC). */
export function runLrn(engine: Engine, cfg: Required<LrnParams>, x: number, inShape: number[], out: number): void {
  const [pixels, , call] = lrnCall(engine, cfg, x, inShape, out);
  runCall(engine, call(0, pixels));
}

/** runLrn shared among `threads` kernel threads by pixels. Same bits. */
export function splitLrn(engine: Engine, cfg: Required<LrnParams>, x: number, inShape: number[], out: number, threads: number): ThreadCalls {
  const [pixels, c, call] = lrnCall(engine, cfg, x, inShape, out);
  return splitItems(threads, pixels, c, 1, call);
}

/** One-shot LRN with PyTorch's LocalResponseNorm semantics (defaults alpha 1e-4, beta 0.75, k 1). */
export function lrn(engine: Engine, x: Float32Array, inShape: number[], params: LrnParams): Tensor {
  const cfg = lrnConfig(params);
  const s = shape4('inShape', inShape);
  const count = s[0] * s[1] * s[2] * s[3];
  return withBuffers(engine, [{ name: 'x', data: x, length: count }], count, s, ([xp], yp) => runLrn(engine, cfg, xp, s, yp));
}
