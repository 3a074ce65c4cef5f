// Us: the compiled network (BN folded, fused epilogues, planned arena), from a JS Float32Array
// (NHWC) in to the logits out, like the peers.

import { createRequire } from 'node:module';
import { compile } from '../../dist/index.js';

export const name = 'simdnet';

export async function describe() {
  const require = createRequire(import.meta.url);
  const { version } = require('../../package.json');
  const info = { simdnet: version, threads: 1 };
  // The kernel binary (baseline or relaxed SIMD), where this build's loader reports it.
  try {
    const loader = await import('../../dist/wasm/loader.js');
    if (typeof loader.features === 'function') info.features = loader.features();
  } catch { /* older build: no feature report */ }
  return info;
}

export async function prepare(graph, weights) {
  const net = await compile(graph, { weights });
  return {
    async run(x) { return net.run(x); },
    dispose() { net.dispose(); },
  };
}
