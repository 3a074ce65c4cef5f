// One loader for every runtime. At init a few tiny probe modules (probe.ts) tell what the runtime
// validates; the binary is chosen once (baseline SIMD or relaxed SIMD, built from the same
// sources) and compiled once per process; each Engine then gets its own instance and memory.
// Node, Deno and Bun read the .wasm next to the module (file: URL); browsers fetch it with
// WebAssembly.compileStreaming (falling back to compile() on a server that does not send
// application/wasm), or take it from the bundle that has it inlined (binaries.ts).

import { RELAXED_SIMD_PROBE, SIMD_PROBE, threadsUsable, validates } from './probe.js';
import { autoThreadCount, learnCoreCount, threadsUnavailableReason } from './threads.js';
import { binarySource, readFileUrl, type Binary } from './binaries.js';

export type { Binary } from './binaries.js';

/** The raw kernel exports: pointers are byte offsets into `memory`, counts are elements. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  heap_base(): number;
  [name: string]: any;
}

/**
 * How to choose between the two binaries:
 * - `'auto'` (default): the relaxed-SIMD binary only where the runtime validates it *and* it was
 *   measured faster there: V8 (see {@link relaxedPaysOff}); otherwise baseline SIMD. On Node 20
 *   relaxed SIMD validates only under `--experimental-wasm-relaxed-simd`, so 'auto' is baseline
 *   there unless Node was started with that flag.
 * - `'force'`: the relaxed-SIMD binary, or an error if the runtime cannot run it. On Node 20 this
 *   turns relaxed SIMD on with `v8.setFlagsFromString('--experimental-wasm-relaxed-simd')`
 *   first (see {@link init} for the caveats).
 * - `'off'`: always the baseline SIMD binary.
 */
export type RelaxedSimdMode = 'auto' | 'force' | 'off';

export interface InitOptions {
  /** Binary choice; default `'auto'`. */
  relaxedSimd?: RelaxedSimdMode;
}

/** What this runtime supports and which binary simdnet runs. */
export interface Features {
  /** WebAssembly fixed-width SIMD validates (required). */
  simd: boolean;
  /** Relaxed SIMD (`f32x4.relaxed_madd`) validates. */
  relaxedSimd: boolean;
  /** Shared memory + atomics validate and SharedArrayBuffer is usable: compile({ threads }) can run kernel threads. */
  threads: boolean;
  /** Why threads are unavailable (null when they are). */
  threadsReason: string | null;
  /** What `threads: 'auto'` means here: the core count, capped (1 without threads). */
  autoThreads: number;
  /** The binary that init() chose, or that it would choose with the default options; null without SIMD. */
  binary: Binary | null;
}

const NO_SIMD = 'simdnet: this JavaScript runtime does not support WebAssembly SIMD (fixed-width 128-bit; '
  + 'Chrome/Edge 91+, Firefox 89+, Safari 16.4+, Node 16.4+, Deno 1.9+, Bun 1.0+); simdnet has no scalar fallback.';

/** True when this runtime validates WebAssembly fixed-width SIMD. */
export function hasSimd(): boolean {
  return validates(SIMD_PROBE);
}

/** True when this runtime validates relaxed SIMD (`f32x4.relaxed_madd`) right now. */
export function hasRelaxedSimd(): boolean {
  return validates(RELAXED_SIMD_PROBE);
}

/**
 * Whether 'auto' takes the relaxed binary on this engine, given that it validates there: on V8
 * (Node, Deno, Chromium-based browsers) yes, elsewhere no.
 *
 * Measured with scripts/bench-runtimes.mjs on this project's 2-core x86-64 machine (AVX2 + FMA3):
 * both binaries in one process, calls alternated and compared pair by pair, 7 fresh processes per
 * runtime. Relaxed vs baseline, median per-pair speed ratio:
 * - Node 20.20 (V8 11.3, with the flag): GEMM 512³ 1.07, mobilenet-v1 224 1.09;
 * - Deno 2.9 (V8 15.0): GEMM 512³ 1.12, mobilenet-v1 1.08;
 * - Chromium 156: GEMM 512³ 1.10, mobilenet-v1 1.07;
 * - Bun 1.4 (JavaScriptCore, relaxed_madd not fused): GEMM 512³ 0.88, mobilenet-v1 0.88: slower.
 * Firefox (SpiderMonkey) and Safari (JavaScriptCore) are not measured: baseline there.
 * Results of the two binaries differ in the last bits (fused vs unfused multiply-add); use
 * `relaxedSimd: 'off'` where bit-identical results across machines matter.
 */
export function relaxedPaysOff(): boolean {
  const g = globalThis as any;
  if (g.Bun) return false;
  if (g.Deno?.version?.v8 || g.process?.versions?.v8) return true;
  const brands: { brand: string }[] | undefined = g.navigator?.userAgentData?.brands;
  if (brands) return brands.some((b) => b.brand === 'Chromium');
  return /\bChrome\/\d/.test(g.navigator?.userAgent ?? ''); // Chrome, Edge, Opera; not iOS (CriOS is WebKit)
}

interface Loaded { binary: Binary; module: Promise<WebAssembly.Module>; threaded?: Promise<WebAssembly.Module> }

let current: Loaded | undefined;
const byUrl = new Map<string, Promise<WebAssembly.Module>>();

/** What this runtime supports and which binary runs (or would run after a default init()). */
export function features(): Features {
  const simd = hasSimd();
  const relaxedSimd = hasRelaxedSimd();
  const threads = threadsUsable() && threadsUnavailableReason() === null;
  return {
    simd, relaxedSimd, threads, threadsReason: threads ? null : threadsUnavailableReason(), autoThreads: threads ? autoThreadCount() : 1,
    binary: current?.binary ?? (!simd ? null : relaxedSimd && relaxedPaysOff() ? 'relaxed' : 'baseline'),
  };
}

/**
 * Chooses the binary and compiles it (once per process; calling init() again with another choice
 * compiles that one for engines created afterwards, existing engines keep theirs). Engine.create()
 * and compile() call init() with the defaults when it has not been called.
 *
 * `relaxedSimd: 'force'` on Node 20 (V8 11.3), where relaxed SIMD is still behind
 * `--experimental-wasm-relaxed-simd`, sets that flag at run time with `v8.setFlagsFromString`
 * before compiling. Caveats: V8 flags are process-wide and Node documents changing them after
 * start-up as unsupported ("may result in unpredictable behavior"); the flag only affects modules
 * compiled after it is set. The safer route is to start Node with
 * `node --experimental-wasm-relaxed-simd`, which 'auto' then honours. Deno, Chromium and Bun
 * validate relaxed SIMD without flags (on Bun it is slower: 'auto' keeps baseline there); a
 * runtime that cannot run it gets an error.
 *
 * @throws Error when the runtime has no WebAssembly SIMD, or 'force' finds no relaxed SIMD.
 */
export async function init(opts: InitOptions = {}): Promise<Features> {
  const mode = opts.relaxedSimd ?? 'auto';
  if (mode !== 'auto' && mode !== 'force' && mode !== 'off') {
    throw new TypeError(`init: relaxedSimd must be 'auto', 'force' or 'off', got ${JSON.stringify(mode)}`);
  }
  if (!hasSimd()) throw new Error(NO_SIMD);
  let binary: Binary = 'baseline';
  if (mode === 'force') {
    if (!hasRelaxedSimd()) await enableRelaxedSimdFlag();
    if (!hasRelaxedSimd()) {
      throw new Error(`simdnet: relaxedSimd 'force': this runtime (${runtimeLabel()}) does not support WebAssembly relaxed SIMD; use 'auto' or 'off'.`);
    }
    binary = 'relaxed';
  } else if (mode === 'auto' && hasRelaxedSimd() && relaxedPaysOff()) {
    binary = 'relaxed';
  }
  if (!current || current.binary !== binary) {
    const loaded: Loaded = { binary, module: loadBinary(binary) };
    current = loaded;
    loaded.module.catch(() => { if (current === loaded) current = undefined; });
  }
  await current.module;
  await learnCoreCount();
  return features();
}

/**
 * The compiled kernel module: the one init() chose (calling init() with the defaults if needed),
 * or, given `source` (a URL, or the bytes of a simdnet binary), that one instead.
 */
export function compileKernels(source?: URL | ArrayBuffer | Uint8Array): Promise<WebAssembly.Module> {
  if (!hasSimd()) return Promise.reject(new Error(NO_SIMD));
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source as BufferSource);
  if (source) {
    let m = byUrl.get(source.href);
    if (!m) {
      m = compileUrl(source);
      byUrl.set(source.href, m);
      m.catch(() => byUrl.delete(source.href));
    }
    return m;
  }
  if (current) return current.module;
  return init().then(() => current!.module);
}

/**
 * The compiled threaded build (imported shared memory) of the binary init() chose, compiled on
 * first use and kept with that choice.
 */
export async function compileThreadedKernels(): Promise<WebAssembly.Module> {
  if (!current) await init();
  const loaded = current!;
  await loaded.module;
  if (!loaded.threaded) {
    loaded.threaded = loadBinary(loaded.binary, true);
    loaded.threaded.catch(() => { loaded.threaded = undefined; });
  }
  return loaded.threaded;
}

/** Imports every kernel instance gets; `memory` for the threaded build. */
export function kernelImports(memory?: WebAssembly.Memory): WebAssembly.Imports {
  return {
    env: {
      ...(memory ? { memory } : {}),
      abort(_msg: number, _file: number, line: number, col: number) {
        throw new Error(`simdnet: kernel abort at ${line}:${col}`);
      },
    },
  };
}

/** A fresh instance of the kernel module (own linear memory). */
export async function instantiateKernels(source?: URL | ArrayBuffer | Uint8Array): Promise<KernelExports> {
  const module = await compileKernels(source);
  const instance = await WebAssembly.instantiate(module, kernelImports());
  return instance.exports as unknown as KernelExports;
}

function loadBinary(binary: Binary, threaded = false): Promise<WebAssembly.Module> {
  const src = binarySource(binary, threaded);
  return src instanceof Uint8Array ? WebAssembly.compile(src as BufferSource) : compileUrl(src);
}

async function compileUrl(url: URL): Promise<WebAssembly.Module> {
  if (url.protocol === 'file:') return WebAssembly.compile(await readFileUrl(url) as BufferSource);
  const res = await fetch(url);
  if (!res.ok) throw new Error(`simdnet: could not fetch ${url} (HTTP ${res.status})`);
  // compileStreaming compiles while the bytes arrive, but insists on the application/wasm type.
  if (typeof WebAssembly.compileStreaming === 'function' && res.headers.get('content-type')?.startsWith('application/wasm')) {
    return WebAssembly.compileStreaming(res);
  }
  return WebAssembly.compile(await res.arrayBuffer());
}

/** Node 20 only: turn on relaxed SIMD for modules compiled from now on (see init()). */
async function enableRelaxedSimdFlag(): Promise<void> {
  const g = globalThis as any;
  if (!g.process?.versions?.node || g.Deno || g.Bun) return;
  try {
    const v8 = await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:v8'][0]);
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  } catch {
    // not Node after all: the check after this reports the missing feature
  }
}

function runtimeLabel(): string {
  const g = globalThis as any;
  if (g.Deno) return `Deno ${g.Deno.version.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node}, V8 ${g.process.versions.v8}`;
  return g.navigator?.userAgent ?? 'unknown runtime';
}
