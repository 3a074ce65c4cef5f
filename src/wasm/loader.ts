// Loads dist/simdnet.wasm with plain WebAssembly APIs in any runtime: Node, Deno and Bun read the
// file next to this module; browsers fetch it. The module is compiled once per process and each
// Engine gets its own instance (so dispose() can hand a whole memory back to the GC).

/** The raw kernel exports: pointers are byte offsets into `memory`, counts are elements. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  [name: string]: any;
}

// (module (func (result v128) v128.const i32x4 0 0 0 0)) — valid only where SIMD is supported.
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

/** True when this runtime validates WebAssembly fixed-width SIMD. */
export function hasSimd(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}

let compiled: Promise<WebAssembly.Module> | undefined;

async function readWasm(url: URL): Promise<ArrayBuffer | Uint8Array> {
  if (url.protocol === 'file:') {
    const g = globalThis as any;
    if (g.Deno?.readFile) return g.Deno.readFile(url);
    const fs = await import(/* @vite-ignore */ 'node:fs/promises' as string);
    return fs.readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`simdnet: could not fetch ${url} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

/** Compiles the kernel module once per process; later calls share the same promise. */
export function compileKernels(source?: URL | ArrayBuffer | Uint8Array): Promise<WebAssembly.Module> {
  if (!hasSimd()) {
    return Promise.reject(new Error('simdnet: this JavaScript runtime does not support WebAssembly SIMD (fixed-width, 128-bit); simdnet has no scalar fallback.'));
  }
  if (source instanceof ArrayBuffer || source instanceof Uint8Array) return WebAssembly.compile(source as BufferSource);
  if (!compiled) {
    const url = source ?? new URL('../simdnet.wasm', import.meta.url);
    compiled = readWasm(url).then((bytes) => WebAssembly.compile(bytes as BufferSource));
    compiled.catch(() => { compiled = undefined; });
  }
  return compiled;
}

/** A fresh instance of the kernel module (own linear memory). */
export async function instantiateKernels(source?: URL | ArrayBuffer | Uint8Array): Promise<KernelExports> {
  const module = await compileKernels(source);
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`simdnet: kernel abort at ${line}:${col}`);
      },
    },
  });
  return instance.exports as unknown as KernelExports;
}
