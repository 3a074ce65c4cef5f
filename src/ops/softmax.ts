import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** Row-wise softmax over the last axis on wasm pointers. In-place safe. */
export function runSoftmax(engine: Engine, rows: number, cols: number, x: number, out: number): void {
  runCall(engine, softmaxCall(engine, rows, cols, x, out)(0, rows));
}

/** The checked f32_softmax over rows [r, r + nr). */
function softmaxCall(engine: Engine, rows: number, cols: number, x: number, out: number): (r: number, nr: number) => KernelCall {
  const count = int('rows', rows) * int('cols', cols);
  checkSpan(engine, 'x', x, count);
  checkSpan(engine, 'out', out, count);
  return (r, nr) => ['f32_softmax', nr, cols, x + r * cols * 4, out + r * cols * 4];
}

/** runSoftmax shared among `threads` kernel threads by rows. Same bits. */
export function splitSoftmax(engine: Engine, rows: number, cols: number, x: number, out: number, threads: number): ThreadCalls {
  return splitItems(threads, rows, cols, 1, softmaxCall(engine, rows, cols, x, out));
}

/** One-shot softmax of a [rows x cols] matrix (e.g. [N, 1000] logits). */
export function softmax(engine: Engine, x: Float32Array, rows: number, cols: number): Tensor {
  int('rows', rows); int('cols', cols);
  return withBuffers(engine, [{ name: 'x', data: x, length: rows * cols }], rows * cols, [rows, cols],
    ([xp], yp) => runSoftmax(engine, rows, cols, xp, yp));
}
