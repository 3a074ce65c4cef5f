import { compileThreadedKernels, instantiateKernels, kernelImports, type KernelExports } from './loader.js';
import { ThreadPool, programWords, writeProgram } from './pool.js';
import { workerSource } from './binaries.js';

const ALIGN = 64; // one cache line: v128 loads never straddle, panels start on a line
const PAGE = 65536;
// Kernels on channel tails load a whole v128 and store only the valid lanes: keep a cache line
// of readable memory past the last allocation so such a load never leaves linear memory. The ops'
// pointer checks demand the same margin of caller-made pointers.
export const SLACK = 64;

interface Block { ptr: number; size: number }

/** Pages the threaded build declares as its minimum (asconfig.json initialMemory). */
export const THREADED_INITIAL_PAGES = 16;

/** Options of Engine.createThreaded. */
export interface ThreadedEngineOptions {
  /** Threads including the caller (2 .. 64). */
  threads: number;
  /**
   * Bytes of shared memory to reserve (its maximum: shared memory cannot move, so engines reserve
   * its whole size up front); allocations past it fail with a RangeError.
   */
  reserveBytes: number;
  /** Bound on starting the threads, ms. */
  startTimeoutMs?: number;
  /** Bound on one step, ms. */
  stepTimeoutMs?: number;
}

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

  /** Kernel threads (a threaded engine), else null. */
  private pool: ThreadPool | null = null;
  private fnIndex = new Map<string, number>();
  private reserved = 0;
  /** The region lend() gave allocTransient, and the blocks taken from it (start, end), in order. */
  private lent: { base: number; end: number; blocks: [number, number][] } | null = null;

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

  /**
   * An engine on shared memory with `threads - 1` kernel threads (workers instantiating the
   * threaded build on the same memory). @throws Error when threads cannot start here.
   */
  static async createThreaded(o: ThreadedEngineOptions): Promise<Engine> {
    const module = await compileThreadedKernels();
    const pages = Math.min(65536, Math.max(THREADED_INITIAL_PAGES, Math.ceil(o.reserveBytes / PAGE)));
    const memory = new WebAssembly.Memory({ initial: THREADED_INITIAL_PAGES, maximum: pages, shared: true } as WebAssembly.MemoryDescriptor);
    const instance = await WebAssembly.instantiate(module, kernelImports(memory));
    const e = new Engine(instance.exports as unknown as KernelExports);
    e.reserved = pages * PAGE;
    try {
      const fns = Object.keys(e.k).filter((n) => n.startsWith('f32_') && typeof e.k[n] === 'function').sort();
      fns.forEach((n, i) => e.fnIndex.set(n, i));
      const bytes = e.k.scratch_bytes() as number;
      const scratch = Array.from({ length: o.threads }, () => e.alloc(bytes / 4));
      // the caller stages tiles in a block of its own as well: static data is rewritten by every
      // instantiation on this memory
      e.k.set_scratch(scratch[0]);
      e.pool = await ThreadPool.start({
        module, memory, threads: o.threads, scratch, fns, exports: e.k, url: workerSource(),
        startTimeoutMs: o.startTimeoutMs, stepTimeoutMs: o.stepTimeoutMs,
      });
    } catch (err) {
      e.dispose();
      throw err;
    }
    return e;
  }

  /** Threads running this engine's kernels (1 unless threaded and its threads are up). */
  get threads(): number { return this.pool && !this.pool.isStopped ? this.pool.threads : 1; }

  /** Why the kernel threads stopped (a thread failed or exited), else null. */
  get threadFailure(): string | null { return this.pool?.failure ?? null; }

  /**
   * Writes a step program (per thread, its kernel calls) into this engine's memory and returns its
   * pointer for runProgram; release() it with the step. Only for a threaded engine.
   */
  writeProgram(lists: [string, ...number[]][][]): number {
    this.check();
    if (!this.pool) throw new Error('simdnet: writeProgram needs a threaded engine');
    const encoded = lists.map((calls) => calls.map(([fn, ...args]) => {
      const i = this.fnIndex.get(fn);
      if (i === undefined) throw new Error(`simdnet: no kernel ${fn}`);
      return [i, ...args];
    }));
    const words = programWords(encoded);
    const ptr = this.alloc(words * 2);
    writeProgram(this.k.memory, ptr, encoded);
    return ptr;
  }

  /** Runs a program from writeProgram on every thread (the caller takes share 0). */
  runProgram(ptr: number): void {
    this.check();
    this.pool!.run(ptr);
  }

  /** A Float32Array over the whole memory; valid until the next alloc() that grows memory. */
  get f32(): Float32Array {
    if (this.view.buffer !== this.k.memory.buffer) this.view = new Float32Array(this.k.memory.buffer);
    return this.view;
  }

  /** Bytes of linear memory the instance holds now. */
  get memoryBytes(): number { return this.disposed ? 0 : this.k.memory.buffer.byteLength; }

  /**
   * Bytes of address space reserved: a threaded engine's whole shared memory (its maximum), else
   * the memory it holds now.
   */
  get reservedBytes(): number { return this.disposed ? 0 : this.reserved || this.memoryBytes; }

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
        if (this.reserved) throw new RangeError(`alloc: ${(end / 2 ** 20).toFixed(0)} MiB is past the ${(this.reserved / 2 ** 20).toFixed(0)} MiB of shared memory this threaded engine reserved`);
        throw new RangeError(`alloc: cannot grow WebAssembly memory to ${(end / 2 ** 20).toFixed(0)} MiB (4 GiB is the wasm32 limit)`);
      }
    }
    this.top = end;
    this.used.set(ptr, size);
    return ptr;
  }

  /**
   * Grows the memory to at least `bytes` now, in one step, when it is smaller: a network's whole
   * planned size at compile instead of a growth per packed layer.
   */
  reserve(bytes: number): void {
    this.check();
    const have = this.k.memory.buffer.byteLength;
    if (!(bytes > have) || this.reserved) return;
    const pages = Math.ceil((bytes - have) / PAGE);
    try {
      this.k.memory.grow(pages);
      this.bytes = this.k.memory.buffer.byteLength;
    } catch {
      // alloc() grows as it goes and reports what cannot be had
    }
  }

  /** Allocates and fills from a Float32Array. */
  upload(data: ArrayLike<number>): number {
    const p = this.alloc(data.length);
    this.f32.set(data, p >> 2);
    return p;
  }

  /**
   * Lends an allocated block that holds nothing yet (a network's activation arena while its
   * weights are packed) to allocTransient. The raw weights are then staged in pages the first
   * run touches anyway, instead of fresh ones past the packed weights: on a VM a first touch of
   * a page costs ~2.5 us, ~3 ms over mobilenet-v1's arena. unlend() ends it.
   */
  lend(ptr: number, floats: number): void {
    this.check();
    if (this.used.get(ptr) === undefined || this.used.get(ptr)! < floats * 4) throw new RangeError(`lend: ${ptr} is not a live allocation of ${floats} floats`);
    this.lent = { base: ptr, end: ptr + floats * 4, blocks: [] };
  }

  /** Ends a lend(); blocks still out in the lent region are forgotten (they were transient). */
  unlend(): void { this.lent = null; }

  /**
   * A block for the duration of one call (a staging copy, a scratch matrix), from the lent region
   * when one is lent and it fits, else alloc(). Free it with release().
   */
  allocTransient(floats: number): number {
    const l = this.lent;
    if (l && Number.isInteger(floats) && floats >= 0) {
      const top = l.blocks.length ? l.blocks[l.blocks.length - 1]![1] : l.base;
      const end = top + Math.max(ALIGN, align(floats * 4));
      if (end <= l.end) {
        l.blocks.push([top, end]);
        return top;
      }
    }
    return this.alloc(floats);
  }

  /** allocTransient, filled from `data`. */
  uploadTransient(data: ArrayLike<number>): number {
    const p = this.allocTransient(data.length);
    this.f32.set(data, p >> 2);
    return p;
  }

  /** Returns a block to the free list (coalescing neighbours). */
  release(ptr: number): void {
    if (this.disposed) return;
    if (this.lent) {
      const i = this.lent.blocks.findIndex(([p]) => p === ptr);
      if (i >= 0) { this.lent.blocks.splice(i, 1); return; }
    }
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
    this.pool?.dispose();
    this.pool = null;
    this.disposed = true;
    this.free = [];
    this.lent = null;
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
