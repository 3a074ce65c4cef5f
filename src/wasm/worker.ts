// A kernel thread. The pool (pool.ts) starts it with the compiled threaded module, the shared
// memory and a control block; the thread instantiates the module on that memory, then loops:
// wait for the next generation in the control block, run its share of the step's program, count
// itself done. No message per step: everything after start-up goes through shared memory.
//
// This file has no imports so that it can be the worker's whole script: dist/wasm/worker.js for
// Node (worker_threads), Deno and Bun (Web Workers), and inside the inline browser bundle, which
// starts its workers from its own URL (no blob: URLs, which strict CSPs block).

/** Slots of the control block (an Int32Array over a SharedArrayBuffer). */
export const CTRL = {
  /** Generation: the caller bumps it to start a step. */
  GEN: 0,
  /** 0 = run the program at PROG, 1 = exit. */
  CMD: 1,
  /** Byte pointer of the step's program in the shared memory. */
  PROG: 2,
  /** Kernel threads done with this generation (on its own cache line). */
  DONE: 16,
  /** 0, or 1 + the index of a thread whose share threw. */
  ERR: 32,
  /** Length and UTF-16 codes of that thread's error message. */
  ERR_LEN: 33,
  ERR_TEXT: 34,
  /** Int32 slots in the block. */
  SIZE: 256,
} as const;

/** The name the pool gives its Web Workers. */
export const WORKER_NAME = 'simdnet-worker';

export const CMD_RUN = 0;
export const CMD_EXIT = 1;

/** What the pool sends a new thread. */
export interface WorkerInit {
  simdnet: 'kernel-thread';
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  ctrl: SharedArrayBuffer;
  /** This thread's index (1 .. threads-1; the caller is 0). */
  index: number;
  /** This thread's scratch block (set_scratch). */
  scratch: number;
  /** Kernel export names, by the function index programs use. */
  fns: string[];
  /** Microseconds to spin on the control block before sleeping in Atomics.wait. */
  spinUs: number;
}

type Fn = (...args: number[]) => unknown;

/**
 * Runs list `t` of the program at byte pointer `prog`: f64 words [threads, offset_0 .. offset_T-1,
 * lists...], each list [calls, (fn, nargs, args...) x calls], offsets relative to `prog`.
 */
export function runProgram(f64: Float64Array, prog: number, t: number, fns: Fn[], argv: number[][]): void {
  const base = prog >> 3;
  let i = base + f64[base + 1 + t]!;
  const calls = f64[i++]!;
  for (let c = 0; c < calls; c++) {
    const fn = fns[f64[i++]!]!;
    const n = f64[i++]!;
    const a = argv[n]!;
    for (let j = 0; j < n; j++) a[j] = f64[i + j]!;
    i += n;
    fn.apply(null, a);
  }
}

/** Argument arrays by length, reused so a call allocates nothing. */
export function argArrays(): number[][] {
  return Array.from({ length: 40 }, (_, n) => new Array<number>(n).fill(0));
}

function serve(init: WorkerInit, ready: (msg: unknown) => void): void {
  const instance = new WebAssembly.Instance(init.module, {
    env: {
      memory: init.memory,
      abort(_m: number, _f: number, line: number, col: number) { throw new Error(`simdnet: kernel abort at ${line}:${col}`); },
    },
  });
  const k = instance.exports as Record<string, Fn>;
  k.set_scratch!(init.scratch);
  const fns = init.fns.map((name) => {
    const f = k[name];
    if (typeof f !== 'function') throw new Error(`simdnet worker: the kernel module has no export ${name}`);
    return f;
  });
  const ctrl = new Int32Array(init.ctrl);
  const argv = argArrays();
  let f64 = new Float64Array(init.memory.buffer);
  let gen = Atomics.load(ctrl, CTRL.GEN);
  ready({ simdnet: 'ready', index: init.index });
  const spinMs = init.spinUs / 1000;
  for (;;) {
    if (Atomics.load(ctrl, CTRL.GEN) === gen) {
      const t0 = performance.now();
      let n = 0;
      while (Atomics.load(ctrl, CTRL.GEN) === gen) {
        if ((++n & 255) === 0 && performance.now() - t0 > spinMs) Atomics.wait(ctrl, CTRL.GEN, gen);
      }
    }
    gen = Atomics.load(ctrl, CTRL.GEN);
    if (Atomics.load(ctrl, CTRL.CMD) === CMD_EXIT) break;
    try {
      const prog = Atomics.load(ctrl, CTRL.PROG);
      // the memory may have grown since (compile and setWeights allocate): view its new length
      if (f64.buffer.byteLength !== init.memory.buffer.byteLength) f64 = new Float64Array(init.memory.buffer);
      runProgram(f64, prog, init.index, fns, argv);
    } catch (e) {
      if (Atomics.compareExchange(ctrl, CTRL.ERR, 0, init.index + 1) === 0) {
        const text = String((e as Error)?.message ?? e).slice(0, CTRL.SIZE - CTRL.ERR_TEXT - 1);
        for (let i = 0; i < text.length; i++) ctrl[CTRL.ERR_TEXT + i] = text.charCodeAt(i);
        Atomics.store(ctrl, CTRL.ERR_LEN, text.length);
      }
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  }
}

function isInit(d: unknown): d is WorkerInit {
  return typeof d === 'object' && d !== null && (d as WorkerInit).simdnet === 'kernel-thread';
}

/** Starts serving when this module runs as a kernel thread; a no-op anywhere else. */
async function boot(): Promise<void> {
  const g = globalThis as any;
  // A Web Worker: browsers and Deno define WorkerGlobalScope there; Bun says Bun.isMainThread.
  const webWorker = typeof g.WorkerGlobalScope !== 'undefined' || (g.Bun && g.Bun.isMainThread === false);
  if (webWorker) {
    // Only a worker the pool named serves (Bun has no names): the inline bundle, which is also
    // this script, may be loaded by an application's own workers.
    if (typeof g.name === 'string' && g.name !== '' && g.name !== WORKER_NAME) return;
    const onMessage = (e: MessageEvent) => {
      if (!isInit(e.data)) return;
      g.removeEventListener('message', onMessage);
      try {
        serve(e.data, (m) => g.postMessage(m));
      } catch (err) {
        g.postMessage({ simdnet: 'failed', message: String((err as Error)?.message ?? err) });
      }
      g.close?.();
    };
    g.addEventListener('message', onMessage);
    return;
  }
  if (!g.process?.versions?.node || g.Bun || g.Deno) return;
  const wt = await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:worker_threads'][0]!);
  if (wt.isMainThread || !wt.workerData || wt.workerData.simdnet !== 'kernel-thread') return;
  const port = wt.parentPort!;
  port.once('message', (init: unknown) => {
    if (!isInit(init)) return;
    try {
      serve(init, (m) => port.postMessage(m));
    } catch (err) {
      port.postMessage({ simdnet: 'failed', message: String((err as Error)?.message ?? err) });
    }
    port.close();
  });
}

void boot();
