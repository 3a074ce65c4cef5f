import type { Engine } from '../wasm/engine.js';
import { Gemm, packedGemmFloats } from './gemm.js';
import { fcMemoryFloats } from '../kernels/select.js';
import { checkSpan, f32array, int, type Activation, type Tensor, type ThreadCalls } from './util.js';

/**
 * Fully connected layer y[N x out] = act(x[N x in] · W + bias), W in IO layout ([in][out]) packed
 * once. Batch 1 takes the GEMV kernel (bound by streaming W), larger batches the blocked GEMM.
 */
export class FullyConnected {
  readonly inFeatures: number;
  readonly outFeatures: number;
  private gemm: Gemm;

  private engine: Engine;

  constructor(engine: Engine, inFeatures: number, outFeatures: number, weight: Float32Array,
    bias: Float32Array | null = null, act: Activation = 'none') {
    this.inFeatures = int('inFeatures', inFeatures);
    this.outFeatures = int('outFeatures', outFeatures);
    this.engine = engine;
    this.gemm = new Gemm(engine, inFeatures, outFeatures, weight, bias, act, 'weight');
  }

  /** Floats a layer of this size keeps in wasm memory (packed W) and takes while packing (raw W, bias). */
  static memoryFloats(inFeatures: number, outFeatures: number): { kept: number; transient: number } {
    return fcMemoryFloats(inFeatures, outFeatures);
  }

  run(batch: number, x: number, out: number): void {
    // checked here too, so that a bad pointer is reported under this method's argument names
    int('batch', batch);
    checkSpan(this.engine, 'x', x, batch * this.inFeatures);
    checkSpan(this.engine, 'out', out, batch * this.outFeatures);
    this.gemm.run(batch, x, out);
  }

  /** run() shared among `threads` kernel threads (see Gemm.split). Same bits as run(). */
  split(batch: number, x: number, out: number, threads: number): ThreadCalls {
    int('batch', batch);
    checkSpan(this.engine, 'x', x, batch * this.inFeatures);
    checkSpan(this.engine, 'out', out, batch * this.outFeatures);
    return this.gemm.split(batch, x, out, threads);
  }

  dispose(): void { this.gemm.dispose(); }
}

/** One-shot fully connected layer. */
export function fc(engine: Engine, x: Float32Array, batch: number, weight: Float32Array, inFeatures: number,
  outFeatures: number, bias: Float32Array | null = null, act: Activation = 'none'): Tensor {
  int('batch', batch); int('inFeatures', inFeatures); int('outFeatures', outFeatures);
  f32array('x', x, batch * inFeatures);
  const op = new FullyConnected(engine, inFeatures, outFeatures, weight, bias, act);
  let xp = 0, yp = 0;
  try {
    xp = engine.upload(x);
    yp = engine.alloc(batch * outFeatures);
    op.run(batch, xp, yp);
    return { data: engine.read(yp, batch * outFeatures), shape: [batch, outFeatures] };
  } finally {
    if (yp) engine.release(yp);
    if (xp) engine.release(xp);
    op.dispose();
  }
}
