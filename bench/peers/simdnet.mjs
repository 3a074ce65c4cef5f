// Us: the compiled network (BN folded, fused epilogues, planned arena), from a JS Float32Array
// (NHWC) in to the logits out, like the peers. Runs in Node and in the Chromium page.

import { compile, features } from '../../dist/index.js';

export const name = 'simdnet';

let threads = 1;

/** Kernel threads of the networks prepared from now on. */
export function setThreads(n) { threads = n; }

export async function describe() {
  let version = 'this checkout';
  if (globalThis.process?.versions?.node && !globalThis.Deno) {
    const { createRequire } = await import(['node:module'][0]);
    version = createRequire(import.meta.url)('../../package.json').version;
  }
  return { simdnet: version, threads, features: features() };
}

export async function prepare(graph, weights) {
  const net = await compile(graph, { weights, threads });
  if (net.threads !== threads) throw new Error(`simdnet: ${threads} threads asked, ${net.threads} running (${net.threadsReason})`);
  return {
    async run(x) { return net.run(x); },
    dispose() { net.dispose(); },
  };
}
