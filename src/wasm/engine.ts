import { instantiateKernels, type KernelExports } from './loader.js';

const ALIGN = 64; // one cache line: v128 loads never straddle, panels start on a line
const PAGE = 65536;
// Kernels on channel tails load a whole v128 and store only the valid lanes: keep a cache line
// of readable memory past the last allocation so such a load never leaves linear memory. The ops'
// pointer checks demand the same margin of caller-made pointers.
export const SLACK = 64;

interface Block { ptr: number; size: number }

/**
 * One kernel instance and the allocator over its linear memory. Kernels never allocate: every
 * buffer they touch comes from here. Typed-array views are re-made after the memory grows.
 */
export class Engine {
  /** Raw kernel exports; pointers are byte offsets. */
  readonly k: KernelExports;
  /** First byte pointer alloc() can return: below it are the kernels' own constants. */
  readonly heapBase: number;
  private free: Block[] = [];
  private used = new Map<number, number>();
  private top: number;
  private view: Float32Array;
  private disposed = false;
  // Only alloc() grows the memory (kernels never do), so its size is tracked here: reading
  // memory.buffer.byteLength costs more than the pointer checks the ops make per layer with it.
  private bytes: number;

  private constructor(k: KernelExports) {
    this.k = k;
    this.heapBase = align(k.heap_base());
    this.top = this.heapBase;
    this.view = new Float32Array(k.memory.buffer);
    this.bytes = k.memory.buffer.byteLength;
  }

  /** Instantiates the kernels (compiled once per process) in a memory of their own. */
  static async create(source?: URL | ArrayBuffer | Uint8Array): Promise<Engine> {
    return new Engine(await instantiateKernels(source));
  }

  /** A Float32Array over the whole memory; valid until the next alloc() that grows memory. */
  get f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }

  /** Bytes of linear memory the instance holds now. */
  get memoryBytes(): number { return this.disposed ? 0 : this.k.memory.buffer.byteLength; }

  /**
   * Where a span a kernel touches may end at most (memory size less SLACK), as of the last growth
   * by alloc(); 0 once disposed. Cheap, for the ops' per-call pointer checks.
   */
  get spanLimit(): number { return this.disposed ? 0 : this.bytes - SLACK; }

  /** Bytes currently handed out by alloc() (rounded up to 64-byte blocks). */
  get allocatedBytes(): number {
    let s = 0;
    for (const v of this.used.values()) s += v;
    return s;
  }

  /** Allocates room for `floats` f32 values, 64-byte aligned; returns a byte pointer. */
  alloc(floats: number): number {
    this.check();
    if (!Number.isInteger(floats) || floats < 0) throw new RangeError(`alloc: floats must be a non-negative integer, got ${floats}`);
    const size = Math.max(ALIGN, align(floats * 4));
    for (let i = 0; i < this.free.length; i++) {
      const b = this.free[i];
      if (b.size >= size) {
        const ptr = b.ptr;
        if (b.size === size) this.free.splice(i, 1);
        else { b.ptr += size; b.size -= size; }
        this.used.set(ptr, size);
        return ptr;
      }
    }
    const ptr = this.top;
    const end = ptr + size;
    const have = this.k.memory.buffer.byteLength;
    if (end + SLACK > have) {
      const pages = Math.ceil((end + SLACK - have) / PAGE);
      try {
        this.k.memory.grow(pages);
        this.bytes = this.k.memory.buffer.byteLength;
      } catch {
        throw new RangeError(`alloc: cannot grow WebAssembly memory to ${(end / 2 ** 20).toFixed(0)} MiB (4 GiB is the wasm32 limit)`);
      }
    }
    this.top = end;
    this.used.set(ptr, size);
    return ptr;
  }

  /** Allocates and fills from a Float32Array. */
  upload(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    this.f32.set(data, p >> 2);
    return p;
  }

  /** Returns a block to the free list (coalescing neighbours). */
  release(ptr: number): void {
    if (this.disposed) return;
    const size = this.used.get(ptr);
    if (size === undefined) throw new RangeError(`release: ${ptr} is not a live allocation`);
    this.used.delete(ptr);
    let lo = 0, hi = this.free.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.free[mid].ptr < ptr) lo = mid + 1; else hi = mid; }
    this.free.splice(lo, 0, { ptr, size });
    // merge with next, then previous
    if (lo + 1 < this.free.length && this.free[lo].ptr + this.free[lo].size === this.free[lo + 1].ptr) {
      this.free[lo].size += this.free[lo + 1].size;
      this.free.splice(lo + 1, 1);
    }
    if (lo > 0 && this.free[lo - 1].ptr + this.free[lo - 1].size === this.free[lo].ptr) {
      this.free[lo - 1].size += this.free[lo].size;
      this.free.splice(lo, 1);
      lo--;
    }
    // a free block at the top goes back to the bump pointer
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.size === this.top) { this.top = last.ptr; this.free.pop(); }
  }

  /** Copies `floats` values out of wasm memory into a new Float32Array. */
  read(ptr: number, floats: number): Float32Array {
    return this.f32.slice(ptr >> 2, (ptr >> 2) + floats);
  }

  /** Drops the instance; its memory goes to the GC. Further use throws. */
  dispose(): void {
    this.disposed = true;
    this.free = [];
    this.used.clear();
    (this as any).k = undefined;
    this.view = new Float32Array(0);
  }

  get isDisposed(): boolean { return this.disposed; }

  private check(): void {
    if (this.disposed) throw new Error('simdnet: this engine was disposed');
  }
}

function align(n: number): number { return Math.ceil(n / ALIGN) * ALIGN; }

/** Instantiates the kernels in a fresh memory (the module is compiled once per process). */
export function createEngine(source?: URL | ArrayBuffer | Uint8Array): Promise<Engine> {
  return Engine.create(source);
}
