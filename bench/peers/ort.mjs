// Peer: ONNX Runtime Web, wasm execution provider, running our graph as exported by toONNX (NCHW;
// ORT's own graph optimizer folds batchnorm and fuses activations). onnxruntime-web 1.2x+ ships
// only SIMD builds (ort-wasm-simd-threaded.wasm); with numThreads = 1 (the default here) it starts
// no worker threads and runs on the calling thread; setThreads(n) asks for its pthreads.

import * as ort from 'onnxruntime-web';
import { toONNX } from '../../dist/onnx/index.js';

ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';
// in the Chromium page its .wasm and pthread script come from the repository's node_modules
if (typeof globalThis.document !== 'undefined') ort.env.wasm.wasmPaths = new URL('/node_modules/onnxruntime-web/dist/', location.href).href;

export const name = 'ort-web';

/** The runtime itself (bench/cold: a session from the exported bytes). */
export { ort };

/** ORT's numThreads: read when its wasm is first loaded (the first prepare). */
export function setThreads(n) { ort.env.wasm.numThreads = n; }

export async function describe() {
  return {
    'onnxruntime-web': ort.env.versions.web,
    binary: 'ort-wasm-simd-threaded.wasm',
    threads: ort.env.wasm.numThreads,
    executionProvider: 'wasm',
    graphOptimizationLevel: 'all',
    ...(ort.env.wasm.numThreads > 1 ? { 'session.intra_op.allow_spinning': '0' } : {}),
  };
}

/** NHWC [N, H, W, C] -> NCHW, once per input, outside the timed region. */
function toNchw(x, [n, h, w, c]) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let p = 0; p < h * w; p++) {
      for (let ch = 0; ch < c; ch++) out[(b * c + ch) * h * w + p] = x[(b * h * w + p) * c + ch];
    }
  }
  return out;
}

export async function prepare(graph, weights) {
  const session = await ort.InferenceSession.create(toONNX(graph, weights), {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    // ORT's pool threads spin between ops by default; in a run interleaved with other engines
    // that spin would take their cores. Off, as an application sharing the CPU would set it.
    ...(ort.env.wasm.numThreads > 1 ? { extra: { session: { intra_op: { allow_spinning: '0' } } } } : {}),
  });
  const shape = graph.nodes.find((n) => n.name === graph.input).outShape;
  const [n, h, w, c] = shape;
  let cached = null;
  return {
    /** The NCHW copy of the input is made once per distinct input array, not timed. */
    nativeInput(x) {
      if (cached?.x !== x) cached = { x, nchw: toNchw(x, shape) };
      return cached.nchw;
    },
    async run(x) {
      const feeds = { input: new ort.Tensor('float32', this.nativeInput(x), [n, c, h, w]) };
      const { output } = await session.run(feeds);
      const data = output.data;
      output.dispose?.();
      return data;
    },
    async dispose() { await session.release(); },
  };
}
