import type { Engine } from '../wasm/engine.js';
import { f32array, type Tensor } from './util.js';

/**
 * Runs `body` on wasm copies of `inputs` and an output block of `outFloats`, returning a copy of the
 * output; everything is released even when body throws. The one-shot op functions share it.
 */
export function withBuffers(engine: Engine, inputs: { name: string; data: unknown; length: number }[],
  outFloats: number, outShape: number[], body: (ptrs: number[], out: number) => void): Tensor {
  const arrays = inputs.map((i) => f32array(i.name, i.data, i.length));
  const ptrs: number[] = [];
  let out = 0;
  try {
    for (const a of arrays) ptrs.push(engine.upload(a));
    out = engine.alloc(outFloats);
    body(ptrs, out);
    return { data: engine.read(out, outFloats), shape: outShape };
  } finally {
    if (out) engine.release(out);
    for (const p of ptrs) engine.release(p);
  }
}
