// Where the two kernel binaries are found. This module is the one place that differs between
// builds: for dist/ (tsc, used by Node, Deno, Bun and by app bundlers such as Vite or webpack,
// which understand `new URL('literal', import.meta.url)` as an asset) the .wasm files sit one
// folder up; rollup.config.mjs swaps this module for the bundles in dist/bundle/ (the .wasm next
// to the bundle, or inlined as base64).

/** The two builds of assembly/ (asconfig.json targets `release` and `relaxed`). */
export type Binary = 'baseline' | 'relaxed';

/**
 * A URL to fetch or read, or the bytes themselves (the inlined bundle). `threaded`: the build on
 * imported shared memory (asconfig.json targets `threads` and `threads-relaxed`).
 */
export function binarySource(binary: Binary, threaded = false): URL | Uint8Array {
  if (threaded) {
    return binary === 'relaxed'
      ? new URL('../simdnet-mt-relaxed.wasm', import.meta.url)
      : new URL('../simdnet-mt.wasm', import.meta.url);
  }
  return binary === 'relaxed'
    ? new URL('../simdnet-relaxed.wasm', import.meta.url)
    : new URL('../simdnet.wasm', import.meta.url);
}

/** The kernel threads' script (worker.ts, which imports nothing). */
export function workerSource(): URL {
  return new URL('./worker.js', import.meta.url);
}

/** Reads a file: URL (Node, Deno, Bun). Browsers never see file: URLs from binarySource. */
export async function readFileUrl(url: URL): Promise<Uint8Array> {
  const g = globalThis as any;
  if (g.Deno?.readFile) return g.Deno.readFile(url);
  // A computed specifier: browser bundlers must not try to resolve a Node built-in.
  const fs = await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:fs', 'promises'].join('/'));
  return fs.readFile(url);
}
