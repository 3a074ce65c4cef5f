// Peer: LiteRT.js (@litertjs/core), accelerator 'wasm' = the TFLite interpreter with the current
// XNNPACK delegate, running our graph as exported by toTFLite (NHWC like us; batch norm folded,
// activations fused, as the TFLite converter leaves a model). LiteRT.js picks its binary by
// feature: litert_wasm_internal.wasm (relaxed SIMD) where relaxed SIMD validates, else
// litert_wasm_compat_internal.wasm; with threads > 1, litert_wasm_threaded_internal.wasm (relaxed
// SIMD + pthreads, cross-origin isolated pages only).
//
// LiteRT.js is written for pages and workers: its loader injects the Emscripten script with a
// <script> tag (or importScripts in a worker). In Node the loader gets a worker-like global scope
// (self, importScripts evaluating the script in this context, require, __dirname): the
// Emscripten code itself runs under Node.

import * as litert from '@litertjs/core';
import { toTFLite } from '../../dist/tflite/index.js';

export const name = 'litert-wasm';

let threads = 1;
let ready;
const page = typeof globalThis.document !== 'undefined';

/** Threads for the XNNPACK delegate (read at the first prepare; a page loads the threaded binary for > 1). */
export function setThreads(n) { threads = n; }

async function nodeScope() {
  const [{ readFileSync }, vm, { fileURLToPath }, { createRequire }] = await Promise.all(
    ['node:fs', 'node:vm', 'node:url', 'node:module'].map((m) => import(m)),
  );
  const dir = fileURLToPath(new URL('../../node_modules/@litertjs/core/wasm/', import.meta.url));
  globalThis.self ??= globalThis;
  globalThis.require ??= createRequire(import.meta.url);
  globalThis.__dirname ??= dir;
  globalThis.importScripts ??= (u) => {
    const p = String(u).startsWith('file:') ? fileURLToPath(u) : String(u);
    vm.runInThisContext(readFileSync(p, 'utf8'), { filename: p });
  };
  return dir;
}

async function init() {
  ready ??= (async () => {
    const dir = page ? new URL('/node_modules/@litertjs/core/wasm/', location.href).href : await nodeScope();
    const relaxed = await litert.supportsFeature('relaxedSimd');
    await quiet(() => litert.loadLiteRt(dir, threads > 1 ? { threads: true } : {}));
    const binary = threads > 1 ? 'litert_wasm_threaded_internal.wasm' : relaxed ? 'litert_wasm_internal.wasm' : 'litert_wasm_compat_internal.wasm';
    return { binary };
  })();
  return ready;
}

/** Versions and settings for the report. */
export async function describe() {
  const { binary } = await init();
  let version;
  if (page) {
    version = (await (await fetch(new URL('/node_modules/@litertjs/core/package.json', location.href))).json()).version;
  } else {
    const { createRequire } = await import('node:module');
    version = createRequire(import.meta.url)('@litertjs/core/package.json').version;
  }
  return { '@litertjs/core': version, binary, threads, accelerator: 'wasm' };
}

export async function prepare(graph, weights) {
  return compileTFLite(toTFLite(graph, weights), graph.nodes.find((n) => n.name === graph.input).outShape);
}

/**
 * A .tflite file compiled by LiteRT.js for `accelerator: 'wasm'`: `run(x)` (x NHWC, `shape`)
 * resolves to the first output as a Float32Array; `dispose()` frees the model. Also the tests'
 * way in (test/tflite.test.mjs).
 */
export async function compileTFLite(bytes, shape) {
  await init();
  const model = await quiet(() => litert.loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: threads } }));
  return {
    async run(x) {
      const input = new litert.Tensor(x, shape);
      try {
        const [out, ...rest] = await model.run(input);
        const data = out.toTypedArray().slice();
        out.delete();
        for (const t of rest) t.delete();
        return data;
      } finally {
        input.delete();
      }
    },
    dispose() { model.delete(); },
  };
}

/**
 * Runs `f` with LiteRT's chatter dropped: an INFO / WARNING line per compile, and (outside a
 * page) that it found no WebGPU, which the 'wasm' accelerator does not use. Other errors show.
 */
async function quiet(f) {
  const { log, info, warn, error } = console;
  const noise = /^(INFO|WARNING): |^Failed to create default WebGPU device/;
  const drop = (orig) => (...a) => { if (!noise.test(String(a[0]))) orig(...a); };
  Object.assign(console, { log: drop(log), info: drop(info), warn: drop(warn), error: drop(error) });
  try { return await f(); } finally { Object.assign(console, { log, info, warn, error }); }
}
