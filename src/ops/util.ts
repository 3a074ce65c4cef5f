// Argument checks shared by the ops: every value is checked in JS before a pointer reaches
// WebAssembly, so bad input is a TypeError/RangeError naming the argument, never a trap.
import { SLACK, type Engine } from '../wasm/engine.js';

import type { Activation, Pad4, Pair } from '../kernels/types.js';
import { shares, SPLIT_MIN_FLOATS } from '../kernels/select.js';

export type { Activation, Pad4, Pair };

/** A dense NHWC (or [N, C]) tensor on the JS side. */
export interface Tensor {
  data: Float32Array;
  shape: number[];
}

export function int(name: string, v: unknown, min = 1): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be a number, got ${String(v)}`);
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${name} must be an integer >= ${min}, got ${v}`);
  if (v > 2 ** 31 - 1) throw new RangeError(`${name} is too large (${v})`);
  return v;
}

export function pair(name: string, v: unknown, min = 1, dflt?: number): Pair {
  if (v === undefined && dflt !== undefined) return [dflt, dflt];
  if (typeof v === 'number') { int(name, v, min); return [v, v]; }
  if (Array.isArray(v) && v.length === 2) return [int(`${name}[0]`, v[0], min), int(`${name}[1]`, v[1], min)];
  throw new TypeError(`${name} must be a number or [h, w], got ${JSON.stringify(v)}`);
}

/** Padding: p, [ph, pw] or [top, left, bottom, right]. */
export function pad4(name: string, v: unknown): Pad4 {
  if (v === undefined) return [0, 0, 0, 0];
  if (typeof v === 'number') { int(name, v, 0); return [v, v, v, v]; }
  if (Array.isArray(v) && v.length === 2) {
    const [a, b] = [int(`${name}[0]`, v[0], 0), int(`${name}[1]`, v[1], 0)];
    return [a, b, a, b];
  }
  if (Array.isArray(v) && v.length === 4) return v.map((x, i) => int(`${name}[${i}]`, x, 0)) as Pad4;
  throw new TypeError(`${name} must be a number, [ph, pw] or [top, left, bottom, right], got ${JSON.stringify(v)}`);
}

export function shape4(name: string, s: unknown): [number, number, number, number] {
  if (!Array.isArray(s) || s.length !== 4) throw new TypeError(`${name} must be [N, H, W, C], got ${JSON.stringify(s)}`);
  return [int(`${name}[0] (N)`, s[0]), int(`${name}[1] (H)`, s[1]), int(`${name}[2] (W)`, s[2]), int(`${name}[3] (C)`, s[3])];
}

export function f32array(name: string, v: unknown, length: number): Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array, got ${v === null ? 'null' : typeof v === 'object' ? (v as object).constructor?.name : typeof v}`);
  if (v.length !== length) throw new RangeError(`${name} must have ${length} elements, got ${v.length}`);
  return v;
}

export function optBias(name: string, v: unknown, length: number): Float32Array | null {
  if (v === undefined || v === null) return null;
  return f32array(name, v, length);
}

/** [lo, hi, clamp flag] for the kernels' fused epilogue. */
export function actRange(act: unknown = 'none'): [number, number, number] {
  switch (act) {
    case 'none': return [-Infinity, Infinity, 0];
    case 'relu': return [0, Infinity, 1];
    case 'relu6': return [0, 6, 1];
    default: throw new TypeError(`act must be 'none', 'relu' or 'relu6', got ${JSON.stringify(act)}`);
  }
}

/**
 * PyTorch's convolution / pooling output size (aten pooling_output_shape_pad_lr); throws when no
 * window fits. Ceil mode rounds up, so the last window may overhang the padded input by up to
 * stride - 1 (a 3x3 stride-2 ceil pool on 2x2 gives 1x1), but it must start inside the input or
 * the leading padding.
 */
export function outSize(name: string, inp: number, k: number, s: number, padBefore: number, padAfter: number,
  dilation = 1, ceil = false): number {
  const span = dilation * (k - 1) + 1;
  const padded = inp + padBefore + padAfter;
  let o = Math.floor((padded - span + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= inp + padBefore) o--;
  if (o < 1) {
    throw new RangeError(`${name}: kernel extent ${span} is larger than the padded input ${padded}`
      + (ceil && s > 1 ? ` even with the ceil-mode overhang of stride - 1 = ${s - 1}` : ''));
  }
  return o;
}

/**
 * Rejects keys an op does not know: a misspelt or unsupported option (`dilaton`, `dilation` on a
 * pool) would otherwise be ignored and the op would silently compute something else.
 */
export function knownKeys(name: string, p: object, keys: readonly string[]): void {
  for (const key of Object.keys(p)) {
    if (!keys.includes(key)) throw new TypeError(`${name}: unknown option ${JSON.stringify(key)}; known options are ${keys.join(', ')}`);
  }
}

/** Floats from the first to the last value of `pixels` pixels of `c` channels, `stride` floats apart. */
export function pixelSpan(pixels: number, stride: number, c: number): number {
  return (pixels - 1) * stride + c;
}

/**
 * Checks that `floats` values at byte pointer `ptr` lie inside the engine's heap before a kernel
 * touches them: past the memory a kernel traps, below the heap it overwrites the kernels' own
 * constants. Kernels may load a whole v128 past a channel tail, so the same slack the allocator
 * keeps above its last block must remain above the span. The run* entry points call this per
 * layer per run: a handful of comparisons, the message is built only on failure.
 */
export function checkSpan(engine: Engine, name: string, ptr: number, floats: number): void {
  if (typeof ptr === 'number' && ptr % 4 === 0 && ptr >= engine.heapBase && ptr + floats * 4 <= engine.spanLimit) return;
  spanError(engine, name, ptr, floats);
}

function spanError(engine: Engine, name: string, ptr: unknown, floats: number): void {
  if (engine.isDisposed) throw new Error('simdnet: this engine was disposed');
  if (typeof ptr !== 'number') throw new TypeError(`${name} must be a wasm byte pointer (a number), got ${typeof ptr}`);
  if (!Number.isInteger(ptr) || ptr % 4 !== 0) throw new RangeError(`${name} must be a 4-byte aligned integer byte pointer, got ${ptr}`);
  if (ptr < engine.heapBase) throw new RangeError(`${name} (${ptr}) lies below the engine's heap (${engine.heapBase})`);
  // spanLimit only follows growth by alloc(): memory grown from outside is measured here
  if (ptr + floats * 4 + SLACK <= engine.memoryBytes) return;
  throw new RangeError(`${name}: ${floats} floats at ${ptr} end past the engine's memory (${engine.memoryBytes} bytes, `
    + `of which the last ${SLACK} are reserved for vector over-reads)`);
}

/** Optional pixel strides for writing into / reading from channel slices of wider tensors. */
export interface Strides {
  /** Input pixel stride in floats (default: input channels). */
  inStride?: number;
  /** Output pixel stride in floats (default: output channels). */
  outStride?: number;
}

export function strides(s: Strides | undefined, cin: number, cout: number): [number, number] {
  const cx = s?.inStride === undefined ? cin : int('inStride', s.inStride);
  const ldo = s?.outStride === undefined ? cout : int('outStride', s.outStride);
  if (cx < cin) throw new RangeError(`inStride must be >= input channels (${cin}), got ${cx}`);
  if (ldo < cout) throw new RangeError(`outStride must be >= output channels (${cout}), got ${ldo}`);
  return [cx, ldo];
}

/** One kernel call of a thread's share of a step: export name, then its arguments. */
export type KernelCall = [fn: string, ...args: number[]];

/** Per thread, the calls of its share (index 0 = the calling thread). */
export type ThreadCalls = KernelCall[][];

/** Runs one kernel call (name and arguments) on the engine's instance. */
export function runCall(engine: Engine, [fn, ...args]: KernelCall): void {
  engine.k[fn](...args);
}

/** Everything on the calling thread (a step too small to split). */
export function onCaller(threads: number, call: KernelCall): ThreadCalls {
  return Array.from({ length: threads }, (_, t) => (t === 0 ? [call] : []));
}

/** Checks a thread count: an integer in 1 .. 64. */
export function threadCount(threads: unknown): number {
  const t = int('threads', threads);
  if (t > 64) throw new RangeError(`threads must be <= 64, got ${t}`);
  return t;
}

/**
 * A step over `count` independent items (floats, pixels or rows of `itemFloats` floats each),
 * shared among threads in runs of whole `quantum` items: `mk(first, n)` is the call over items
 * [first, first + n). Small steps stay on the calling thread.
 */
export function splitItems(threads: number, count: number, itemFloats: number, quantum: number,
  mk: (first: number, n: number) => KernelCall): ThreadCalls {
  const T = threadCount(threads);
  if (count * itemFloats < SPLIT_MIN_FLOATS || T === 1) return onCaller(T, mk(0, count));
  return shares(count, T, quantum).map(([a, b]) => (a >= b ? [] : [mk(a, b - a)]));
}
