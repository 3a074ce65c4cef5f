import type { Engine } from '../wasm/engine.js';
import { GEMM_MR, GEMM_NR, packedGemmFloats } from '../kernels/gemm-config.js';
import { gemmSplit, shares } from '../kernels/select.js';
import { actRange, checkSpan, f32array, int, optBias, pixelSpan, threadCount, type Activation, type ThreadCalls } from './util.js';

export { GEMM_NR, packedGemmFloats };

/**
 * Packs W (k rows x n columns, row stride ldw floats, starting at column col0 of `w`) and its
 * bias into `dst` (or a new block), the layout every GEMM call then streams. Done once per layer.
 * @throws RangeError naming `name`[i], the first weight that is NaN or infinite.
 */
export function packGemm(engine: Engine, w: Float32Array, k: number, n: number, bias: Float32Array | null,
  ldw = n, col0 = 0, dst?: number, name = 'w'): number {
  int('k', k); int('n', n); int('ldw', ldw); int('col0', col0, 0);
  if (col0 + n > ldw) throw new RangeError(`col0 + n (${col0 + n}) must be <= ldw (${ldw})`);
  f32array('w', w, w?.length);
  if (w.length < (k - 1) * ldw + col0 + n) throw new RangeError(`w must hold ${(k - 1) * ldw + col0 + n} floats for ${k} rows of stride ${ldw}, got ${w.length}`);
  if (bias !== null && f32array('bias', bias, bias?.length).length < col0 + n) throw new RangeError(`bias must have at least ${col0 + n} elements, got ${bias.length}`);
  if (dst !== undefined) checkSpan(engine, 'dst', dst, packedGemmFloats(k, n));
  // a failed upload (memory cannot grow) must not strand the blocks already taken
  const taken: number[] = [];
  try {
    const out = dst ?? engine.alloc(packedGemmFloats(k, n));
    if (dst === undefined) taken.push(out);
    const wp = engine.uploadTransient(w);
    taken.push(wp);
    // checked on this copy rather than before it: one pass over the weights fewer
    const bad = engine.k.f32_find_nonfinite(wp, w.length) as number;
    if (bad >= 0) throw new RangeError(`${name}[${bad}] is ${w[bad]}; weights must be finite`);
    const bp = bias ? engine.uploadTransient(bias.subarray(col0, col0 + n)) : 0;
    if (bp) taken.push(bp);
    engine.k.f32_gemm_pack(GEMM_NR, n, k, wp + col0 * 4, ldw, bp, out, 0);
    if (bp) engine.release(bp);
    engine.release(wp);
    return out;
  } catch (e) {
    for (const p of taken) engine.release(p);
    throw e;
  }
}

/** A weight matrix packed once, multiplied many times: C = act(A · W + bias). */
export class Gemm {
  readonly k: number;
  readonly n: number;
  readonly act: Activation;
  private engine: Engine;
  private packed: number;

  /**
   * w is k x n row-major (the [in][out] layout); bias has n values or is null. `name` is what
   * errors call w. @throws RangeError when a weight is NaN or infinite (checked in wasm).
   */
  constructor(engine: Engine, k: number, n: number, w: Float32Array, bias: Float32Array | null = null, act: Activation = 'none', name = 'w') {
    int('k', k); int('n', n);
    f32array(name, w, k * n);
    optBias('bias', bias, n);
    actRange(act);
    this.engine = engine;
    this.k = k; this.n = n; this.act = act;
    this.packed = packGemm(engine, w, k, n, bias, n, 0, undefined, name);
  }

  /**
   * C (m rows, stride ldc floats) = act(A (m rows, stride lda floats) · W + bias), pointers in wasm
   * memory. A single dense row takes the GEMV kernel; `blocked` forces the tiled GEMM.
   */
  run(m: number, a: number, c: number, lda = this.k, ldc = this.n, blocked = false): void {
    int('m', m);
    if (int('lda', lda) < this.k) throw new RangeError(`lda must be >= k (${this.k}), got ${lda}`);
    if (int('ldc', ldc) < this.n) throw new RangeError(`ldc must be >= n (${this.n}), got ${ldc}`);
    if (!this.packed) throw new Error('Gemm: run after dispose');
    checkSpan(this.engine, 'a', a, pixelSpan(m, lda, this.k));
    checkSpan(this.engine, 'c', c, pixelSpan(m, ldc, this.n));
    const [lo, hi, clamp] = actRange(this.act);
    if (m === 1 && !blocked && ldc === this.n) this.engine.k.f32_gemv(this.n, this.k, a, this.packed, c, lo, hi, clamp);
    else this.engine.k.f32_gemm(m, this.n, this.k, a, lda * 4, this.packed, c, ldc * 4, lo, hi, clamp);
  }

  /**
   * run() (dense rows, lda = k, ldc = n) shared among `threads` kernel threads: by rows or by
   * column panels (kernels/select.ts gemmSplit; a single row always by panels, on the GEMV
   * kernel). Same bits as run().
   */
  split(m: number, a: number, c: number, threads: number): ThreadCalls {
    const T = threadCount(threads);
    int('m', m);
    if (!this.packed) throw new Error('Gemm: split after dispose');
    checkSpan(this.engine, 'a', a, m * this.k);
    checkSpan(this.engine, 'c', c, m * this.n);
    const [lo, hi, clamp] = actRange(this.act);
    const k = this.k, n = this.n, panelBytes = (k + 1) * GEMM_NR * 4;
    if (m === 1) {
      return shares(n, T, GEMM_NR).map(([n0, n1]) => n0 >= n1 ? [] : [[
        'f32_gemv', n1 - n0, k, a, this.packed + (n0 / GEMM_NR) * panelBytes, c + n0 * 4, lo, hi, clamp]]);
    }
    if (gemmSplit(m, n, T, GEMM_MR, GEMM_NR) === 'm') {
      return shares(m, T, GEMM_MR).map(([m0, m1]) => m0 >= m1 ? [] : [[
        'f32_gemm', m1 - m0, n, k, a + m0 * k * 4, k * 4, this.packed, c + m0 * n * 4, n * 4, lo, hi, clamp]]);
    }
    return shares(n, T, GEMM_NR).map(([n0, n1]) => n0 >= n1 ? [] : [[
      'f32_gemm', m, n1 - n0, k, a, k * 4, this.packed + (n0 / GEMM_NR) * panelBytes, c + n0 * 4, n * 4, lo, hi, clamp]]);
  }

  dispose(): void {
    if (this.packed) this.engine.release(this.packed);
    this.packed = 0;
  }
}

/** One-shot C[m x n] = act(A[m x k] · B[k x n] + bias), copying through wasm memory. */
export function gemm(engine: Engine, a: Float32Array, m: number, k: number, b: Float32Array, n: number,
  bias: Float32Array | null = null, act: Activation = 'none'): Float32Array {
  int('m', m); int('k', k); int('n', n);
  f32array('a', a, m * k);
  const op = new Gemm(engine, k, n, b, bias, act);
  let ap = 0, cp = 0;
  try {
    ap = engine.upload(a);
    cp = engine.alloc(m * n);
    // Always the blocked GEMM here (the gemv path is FullyConnected's): tests reach every tile.
    op.run(m, ap, cp, k, n, true);
    return engine.read(cp, m * n);
  } finally {
    if (cp) engine.release(cp);
    if (ap) engine.release(ap);
    op.dispose();
  }
}
