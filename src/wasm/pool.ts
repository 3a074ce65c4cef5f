// The kernel threads of one engine: started once, each instantiating the same compiled threaded
// module on the engine's shared memory. A step runs as a program (per thread, a list of kernel
// calls over that thread's share of the work, see runProgram) written once into the shared memory
// when the step is built; running it is a store and a notify in the control block, the caller
// taking share 0, and a wait for the others. The split depends only on shapes and the thread
// count, and every kernel computes each output value the same way whichever share it is in, so
// results are bit-identical to one thread.
import { argArrays, CMD_EXIT, CMD_RUN, CTRL, runProgram, WORKER_NAME, type WorkerInit } from './worker.js';

export interface PoolOptions {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** Threads including the caller (>= 2). */
  threads: number;
  /** Scratch block per thread (index 0 = the caller's). */
  scratch: number[];
  /** Kernel export names programs refer to by index. */
  fns: string[];
  /** The caller's own kernel exports. */
  exports: Record<string, unknown>;
  /** The worker script. */
  url: URL;
  /** Bound on starting all threads, ms (default 20000). */
  startTimeoutMs?: number;
  /** Bound on one step, ms (default 120000): a thread that never reports is an error, not a hang. */
  stepTimeoutMs?: number;
}

/** Microseconds a waiting thread spins before it sleeps: a step's gap is shorter than a wake-up. */
const SPIN_US = 2000;

type Fn = (...a: number[]) => unknown;

interface Handle { post(m: unknown): void; terminate(): void }

/** A started pool; `run` executes one step's program on every thread. */
export class ThreadPool {
  readonly threads: number;
  private ctrl: Int32Array;
  private memory: WebAssembly.Memory;
  private fns: Fn[];
  private argv = argArrays();
  private f64: Float64Array;
  private handles: Handle[];
  private stepTimeoutMs: number;
  private canBlock = true;
  private closed = false;
  /** Why the pool stopped, once a thread failed or exited: runs then take every share here. */
  failure: string | null = null;

  private constructor(o: PoolOptions, ctrl: Int32Array, handles: Handle[]) {
    this.threads = o.threads;
    this.ctrl = ctrl;
    this.memory = o.memory;
    this.fns = o.fns.map((n) => o.exports[n] as Fn);
    this.f64 = new Float64Array(o.memory.buffer);
    this.handles = handles;
    this.stepTimeoutMs = o.stepTimeoutMs ?? 120_000;
  }

  /** Starts threads-1 workers and resolves when every one has instantiated the kernels. */
  static async start(o: PoolOptions): Promise<ThreadPool> {
    const ctrl = new Int32Array(new SharedArrayBuffer(CTRL.SIZE * 4));
    const handles: Handle[] = [];
    let pool: ThreadPool | undefined;
    let fail: (e: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => { fail = reject; });
    failed.catch(() => {});
    const onGone = (i: number, why: string) => {
      const msg = `simdnet: kernel thread ${i} ${why}`;
      if (pool) pool.fail(msg);
      fail(new Error(msg));
    };
    const readies: Promise<void>[] = [];
    try {
      for (let i = 1; i < o.threads; i++) {
        const init: WorkerInit = {
          simdnet: 'kernel-thread', module: o.module, memory: o.memory, ctrl: ctrl.buffer as SharedArrayBuffer,
          index: i, scratch: o.scratch[i]!, fns: o.fns, spinUs: SPIN_US,
        };
        let ready: () => void = () => {};
        readies.push(new Promise<void>((r) => { ready = r; }));
        const onMessage = (m: any) => {
          if (m?.simdnet === 'ready') ready();
          else if (m?.simdnet === 'failed') onGone(i, `could not start: ${m.message}`);
        };
        handles.push(await spawn(o.url, onMessage, (why) => onGone(i, why)));
        handles[handles.length - 1]!.post(init);
      }
      const ms = o.startTimeoutMs ?? 20_000;
      let timer: any;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`simdnet: kernel threads did not start within ${ms} ms`)), ms);
      });
      try {
        await Promise.race([Promise.all(readies), failed, timeout]);
      } finally {
        clearTimeout(timer);
      }
    } catch (e) {
      for (const h of handles) h.terminate();
      throw e;
    }
    pool = new ThreadPool(o, ctrl, handles);
    return pool;
  }

  /**
   * Runs the step program at byte pointer `prog` (written by writeProgram) on every thread and
   * returns when all are done. @throws Error when a thread's share threw or a thread is gone; the
   * pool is then stopped and later runs take every share on the calling thread (same bits).
   */
  run(prog: number): void {
    if (this.closed) throw new Error('simdnet: the kernel threads were stopped (disposed)');
    if (this.f64.buffer.byteLength !== this.memory.buffer.byteLength) this.f64 = new Float64Array(this.memory.buffer);
    if (this.failure !== null) {
      for (let t = 0; t < this.threads; t++) runProgram(this.f64, prog, t, this.fns, this.argv);
      return;
    }
    const c = this.ctrl;
    Atomics.store(c, CTRL.DONE, 0);
    Atomics.store(c, CTRL.PROG, prog);
    Atomics.store(c, CTRL.CMD, CMD_RUN);
    Atomics.add(c, CTRL.GEN, 1);
    Atomics.notify(c, CTRL.GEN);
    let mine: unknown = null;
    try {
      runProgram(this.f64, prog, 0, this.fns, this.argv);
    } catch (e) {
      mine = e;
    }
    this.waitDone();
    const bad = Atomics.load(c, CTRL.ERR);
    if (bad) {
      const len = Atomics.load(c, CTRL.ERR_LEN);
      let text = '';
      for (let i = 0; i < len; i++) text += String.fromCharCode(c[CTRL.ERR_TEXT + i]!);
      const msg = `simdnet: kernel thread ${bad - 1} failed: ${text}`;
      this.fail(msg);
      throw new Error(msg);
    }
    if (mine) throw mine;
  }

  private waitDone(): void {
    const c = this.ctrl, want = this.threads - 1;
    const t0 = performance.now();
    let n = 0;
    for (;;) {
      const done = Atomics.load(c, CTRL.DONE);
      if (done >= want) return;
      if ((++n & 255) !== 0) continue;
      const waited = performance.now() - t0;
      if (waited > this.stepTimeoutMs) {
        const msg = `simdnet: kernel threads did not finish a step within ${this.stepTimeoutMs} ms (${done} of ${want} reported)`;
        this.fail(msg);
        throw new Error(msg);
      }
      if (waited * 1000 > SPIN_US && this.canBlock) {
        try {
          Atomics.wait(c, CTRL.DONE, done, 50);
        } catch {
          this.canBlock = false; // a browser's main thread may not block: spin instead
        }
      }
    }
  }

  /** Stops the threads for good: after a failure (see run) or on dispose. */
  private fail(why: string): void {
    if (this.failure === null) this.failure = why;
    this.stopThreads();
  }

  private stopThreads(): void {
    Atomics.store(this.ctrl, CTRL.CMD, CMD_EXIT);
    Atomics.add(this.ctrl, CTRL.GEN, 1);
    Atomics.notify(this.ctrl, CTRL.GEN);
    for (const h of this.handles.splice(0)) h.terminate();
  }

  /** Ends every worker; the pool cannot run again. */
  dispose(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopThreads();
  }

  get isStopped(): boolean { return this.closed || this.failure !== null; }
}

/**
 * Writes a step program into the shared memory at byte pointer `at` (8-byte aligned, room for
 * programWords(lists) f64): per thread a list of [fn index, ...args] calls.
 */
export function writeProgram(memory: WebAssembly.Memory, at: number, lists: number[][][]): void {
  const f64 = new Float64Array(memory.buffer);
  const base = at >> 3;
  const T = lists.length;
  f64[base] = T;
  let o = 1 + T;
  for (let t = 0; t < T; t++) {
    f64[base + 1 + t] = o;
    const calls = lists[t]!;
    f64[base + o++] = calls.length;
    for (const [fn, ...args] of calls) {
      f64[base + o++] = fn!;
      f64[base + o++] = args.length;
      for (const a of args) f64[base + o++] = a;
    }
  }
}

/** f64 words a program of these lists takes. */
export function programWords(lists: number[][][]): number {
  let n = 1 + lists.length;
  for (const calls of lists) {
    n += 1;
    for (const c of calls) n += 1 + c.length; // fn, nargs, args (c = [fn, ...args])
  }
  return n;
}

async function spawn(url: URL, onMessage: (m: unknown) => void, onGone: (why: string) => void): Promise<Handle> {
  const g = globalThis as any;
  // Node: worker_threads, even when a global Worker exists (Emscripten-built libraries such as
  // onnxruntime-web install a worker_threads-based polyfill of it in Node)
  const node = !!g.process?.versions?.node && !g.Deno && !g.Bun;
  if (!node && typeof g.Worker === 'function') {
    const w = new g.Worker(url, { type: 'module', name: WORKER_NAME });
    w.onmessage = (e: MessageEvent) => onMessage(e.data);
    w.onerror = (e: ErrorEvent) => { e.preventDefault?.(); onGone(`failed: ${e.message ?? 'error'}`); };
    w.unref?.(); // Bun: a parked kernel thread must not keep the process alive
    return { post: (m) => w.postMessage(m), terminate: () => w.terminate() };
  }
  const wt = await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:worker_threads'][0]!);
  // No options from the caller's command line: Node refuses per-process ones in a worker
  // (--input-type, --expose-gc, V8 flags such as --experimental-wasm-relaxed-simd), and the
  // thread needs none (V8 flags are process-wide; the module arrives compiled).
  const w = new wt.Worker(url, { workerData: { simdnet: 'kernel-thread' }, execArgv: [] });
  w.on('message', onMessage);
  w.on('error', (e: Error) => onGone(`failed: ${e.message}`));
  w.on('exit', (code: number) => onGone(`exited (code ${code})`));
  w.unref();
  return { post: (m) => w.postMessage(m), terminate: () => { w.removeAllListeners('exit'); void w.terminate(); } };
}
