import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, knownKeys, shape4, splitItems, type Tensor, type ThreadCalls } from './util.js';

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

/** Across-channel LRN on wasm pointers (dense NHWC). */
export function runLrn(engine: Engine, cfg: Required<LrnParams>, x: number, inShape: number[], out: number): void {
  if (!checkedConfigs.has(cfg)) throw new TypeError('cfg must be a config from lrnConfig()');
  const [n, h, w, c] = shape4('inShape', inShape);
  const count = n * h * w * c;
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  engine.k.f32_lrn(n * h * w, c, x, out, cfg.size, cfg.alpha, cfg.beta, cfg.k);
}

/** runLrn shared among `threads` kernel threads by pixels. Same bits. */
export function splitLrn(engine: Engine, cfg: Required<LrnParams>, x: number, inShape: number[], out: number, threads: number): ThreadCalls {
  if (!checkedConfigs.has(cfg)) throw new TypeError('cfg must be a config from lrnConfig()');
  const [n, h, w, c] = shape4('inShape', inShape);
  checkSpan(engine, 'x', x, n * h * w * c);
  checkSpan(engine, 'out', out, n * h * w * c);
  return splitItems(threads, n * h * w, c, 1, (p, np) => ['f32_lrn', np, c, x + p * c * 4, out + p * c * 4, cfg.size, cfg.alpha, cfg.beta, cfg.k]);
}

/** One-shot LRN with PyTorch's LocalResponseNorm semantics (defaults alpha 1e-4, beta 0.75, k 1). */
export function lrn(engine: Engine, x: Float32Array, inShape: number[], params: LrnParams): Tensor {
  const cfg = lrnConfig(params);
  const s = shape4('inShape', inShape);
  const count = s[0] * s[1] * s[2] * s[3];
  return withBuffers(engine, [{ name: 'x', data: x, length: count }], count, s, ([xp], yp) => runLrn(engine, cfg, xp, s, yp));
}
