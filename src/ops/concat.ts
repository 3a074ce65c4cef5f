import type { Engine } from '../wasm/engine.js';
import { checkSpan, f32array, int, pixelSpan, shape4, runCall, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/**
 * Copies a [pixels x c] block into channels [offset, offset + c) of a tensor whose pixels are
 * `outStride` floats apart. The compiled runtime avoids even this by letting producers write their
 * channel slice directly; this is the path for inputs that cannot (e.g. the graph input).
 */
export function runCopyChannels(engine: Engine, pixels: number, c: number, src: number, srcStride: number,
  dst: number, outStride: number, offset: number): void {
  runCall(engine, copyCall(engine, pixels, c, src, srcStride, dst, outStride, offset)(0, pixels));
}

/** The checked f32_copy_strided over pixels [p, p + np). */
function copyCall(engine: Engine, pixels: number, c: number, src: number, srcStride: number,
  dst: number, outStride: number, offset: number): (p: number, np: number) => KernelCall {
  int('pixels', pixels); int('c', c); int('offset', offset, 0);
  if (int('srcStride', srcStride) < c) throw new RangeError(`srcStride must be >= c (${c}), got ${srcStride}`);
  if (int('outStride', outStride) < offset + c) throw new RangeError(`outStride must be >= offset + c (${offset + c}), got ${outStride}`);
  checkSpan(engine, 'src', src, pixelSpan(pixels, srcStride, c));
  checkSpan(engine, 'dst', dst, pixelSpan(pixels, outStride, offset + c));
  return (p, np) => ['f32_copy_strided', np, c, src + p * srcStride * 4, srcStride, dst + (p * outStride + offset) * 4, outStride];
}

/** runCopyChannels shared among `threads` kernel threads by pixels. Same bits. */
export function splitCopyChannels(engine: Engine, pixels: number, c: number, src: number, srcStride: number,
  dst: number, outStride: number, offset: number, threads: number): ThreadCalls {
  return splitItems(threads, pixels, c, 1, copyCall(engine, pixels, c, src, srcStride, dst, outStride, offset));
}

/** One-shot channel concat of NHWC tensors with equal N, H, W. */
export function concat(engine: Engine, inputs: Tensor[]): Tensor {
  if (!Array.isArray(inputs) || inputs.length === 0) throw new TypeError('inputs must be a non-empty array of { data, shape }');
  const shapes = inputs.map((t, i) => shape4(`inputs[${i}].shape`, t?.shape));
  const [n, h, w] = shapes[0];
  shapes.forEach((s, i) => {
    if (s[0] !== n || s[1] !== h || s[2] !== w) {
      throw new RangeError(`inputs[${i}].shape ${JSON.stringify(s)} must match N, H, W of inputs[0] ${JSON.stringify(shapes[0])}`);
    }
    f32array(`inputs[${i}].data`, inputs[i].data, s[0] * s[1] * s[2] * s[3]);
  });
  const ctot = shapes.reduce((a, s) => a + s[3], 0);
  const pixels = n * h * w;
  const out = engine.alloc(pixels * ctot);
  try {
    let off = 0;
    for (let i = 0; i < inputs.length; i++) {
      const src = engine.upload(inputs[i].data);
      try {
        runCopyChannels(engine, pixels, shapes[i][3], src, shapes[i][3], out, ctot, off);
      } finally {
        engine.release(src);
      }
      off += shapes[i][3];
    }
    return { data: engine.read(out, pixels * ctot), shape: [n, h, w, ctot] };
  } finally {
    engine.release(out);
  }
}
