// Feature probes: a few tiny modules that only validate where the runtime has the feature.
// WebAssembly.validate compiles nothing and runs nothing, so probing costs microseconds and is
// safe in every runtime (the approach of wasm-feature-detect and tfjs-backend-wasm).

/** A module with one function `() -> v128` whose body is `body` (without the final `end`). */
function v128Module(body: number[]): Uint8Array {
  const code = [0, ...body, 0x0b]; // no locals, body, end
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // type section: () -> v128
    0x03, 0x02, 0x01, 0x00, // function section: one function of type 0
    0x0a, code.length + 2, 0x01, code.length, ...code, // code section
  ]);
}

const V128_ZERO = [0xfd, 0x0c, ...new Array(16).fill(0)]; // v128.const i32x4 0 0 0 0

/** Fixed-width SIMD: `v128.const`. */
export const SIMD_PROBE = v128Module(V128_ZERO);

/** Relaxed SIMD: `f32x4.relaxed_madd` (opcode 0xfd 0x105), the one instruction simdnet uses. */
export const RELAXED_SIMD_PROBE = v128Module([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]);

/** Threads: a shared memory and `atomic.fence`. */
export const THREADS_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00, // type section: () -> ()
  0x03, 0x02, 0x01, 0x00, // function section
  0x05, 0x04, 0x01, 0x03, 0x01, 0x01, // memory section: 1 page, max 1, shared
  0x0a, 0x07, 0x01, 0x05, 0x00, 0xfe, 0x03, 0x00, 0x0b, // code: atomic.fence; end
]);

/** True when `bytes` validates here; false (never throws) where WebAssembly is missing. */
export function validates(bytes: Uint8Array): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes as BufferSource);
  } catch {
    return false;
  }
}

/**
 * True when WebAssembly threads could be used: the runtime validates shared memory and atomics,
 * and SharedArrayBuffer is available (in browsers only on cross-origin isolated pages, which is
 * what the COOP/COEP headers of examples/web/ are for).
 */
export function threadsUsable(): boolean {
  const g = globalThis as any;
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) return false;
  return validates(THREADS_PROBE);
}
