// The finite-value check over floats already in wasm memory (a run's input, once copied into its
// arena slot and before any kernel computes on it): one vector pass, where a JS loop of
// Number.isFinite took about 1% of a MobileNet run.
import type { Engine } from '../wasm/engine.js';
import { checkSpan, int } from './util.js';

/**
 * Index of the first NaN or ±Infinity among `count` floats at byte pointer `ptr`, or -1.
 * @throws RangeError when the span is not inside the engine's heap.
 */
export function findNonFinite(engine: Engine, ptr: number, count: number): number {
  int('count', count, 0);
  checkSpan(engine, 'ptr', ptr, count);
  return engine.k.f32_find_nonfinite(ptr, count) as number;
}

/** Index of the first non-finite value of `data` (checked in wasm), or -1. */
export function firstNonFinite(engine: Engine, data: Float32Array): number {
  if (!(data instanceof Float32Array)) throw new TypeError(`data must be a Float32Array, got ${data === null ? 'null' : typeof data}`);
  const p = engine.upload(data);
  try {
    return findNonFinite(engine, p, data.length);
  } finally {
    engine.release(p);
  }
}
