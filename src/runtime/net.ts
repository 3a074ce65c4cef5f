import type { Graph, GraphNode, Shape, Activation } from '../graph/types.js';
import { numel, OP_SPECS, type NodeOf } from '../graph/ops.js';
import type { LayerWeights, ConvWeights, FcWeights, BatchNormWeights, ScaleShiftWeights } from '../graph/weights.js';
import { randomWeights } from '../graph/weights.js';
import { lower, flattenedMap, planEngineBytes, planValues, type Step, type StepKind, type Value } from '../lower/index.js';
import type { ConvPath, WinogradMode } from '../kernels/select.js';
import { Engine } from '../wasm/engine.js';
import { features, init } from '../wasm/loader.js';
import { MAX_THREADS } from '../wasm/threads.js';
import { Conv2d } from '../ops/conv2d.js';
import { DepthwiseConv2d } from '../ops/dwconv2d.js';
import { FullyConnected } from '../ops/fc.js';
import { poolConfig, runPool2d, runGlobalAvgPool, runGlobalMaxPool, splitPool2d, splitGlobalPool } from '../ops/pool2d.js';
import { runAdd, splitAdd } from '../ops/add.js';
import { runCopyChannels, splitCopyChannels } from '../ops/concat.js';
import { lrnConfig, runLrn, splitLrn } from '../ops/lrn.js';
import { runSoftmax, splitSoftmax } from '../ops/softmax.js';
import { runActivation, runClamp, splitClamp } from '../ops/activation.js';
import { runLeakyRelu, splitLeakyRelu } from '../ops/leaky_relu.js';
import { runSigmoid, splitSigmoid } from '../ops/sigmoid.js';
import { runChannelMul, runChannelMulAdd, splitChannelMul, splitChannelMulAdd } from '../ops/channel_mul.js';
import { runScale, splitScale } from '../ops/scale.js';
import { runChannelShuffle, splitChannelShuffle } from '../ops/channel_shuffle.js';
import { bnScaleShift, runScaleShift, splitScaleShift } from '../ops/batchnorm.js';
import { findNonFinite, firstNonFinite } from '../ops/finite.js';
import { actRange, type ThreadCalls } from '../ops/util.js';

/** Weight arrays from this many floats on are checked for finite values in wasm. */
const FINITE_IN_WASM = 4096;

/**
 * Builds a layer's op; a weight the op refuses as it packs (NaN or infinite: compile leaves large
 * conv / fc weight arrays to the op's check of its own copy) is reported under the layer's name.
 */
function packing<T>(node: GraphNode, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof RangeError && e.message.endsWith('weights must be finite')) throw new RangeError(`weights of "${node.name}" (${node.op}): ${e.message}`);
    throw e;
  }
}

/** One executable step of the plan. */
export interface PlanStep {
  /** graph node names this step covers (e.g. conv + its folded batch norm + fused ReLU) */
  nodes: string[];
  /** kernel path: conv1x1, im2col, dw3x3s1, dw3x3s2, dwgeneric, gemv/gemm (fc), pool, add, ... */
  kind: string;
  outShape: Shape;
}

/** What the compiler decided: steps, fusions and memory. */
export interface PlanSummary {
  steps: PlanStep[];
  /** activation arena size (liveness-based reuse), bytes */
  peakBytes: number;
  /** sum of all activation buffers if none were reused, bytes */
  naiveBytes: number;
  /** im2col scratch, bytes */
  workspaceBytes: number;
  /** packed weights, bytes */
  weightBytes: number;
}

export interface CompileOptions {
  /** Layer weights by node name (HWIO conv, IO fc); default: randomWeights(graph, seed). */
  weights?: Map<string, LayerWeights>;
  /** Seed of the default random weights (default 1). */
  seed?: number;
  /** Check run() inputs for NaN/Infinity (default true; costs one pass over the input). */
  validate?: boolean;
  /**
   * Winograd for 3x3 stride-1 convolutions: 'auto' (default, F(4x4) or F(2x2) by layer shape),
   * 'off' (im2col + GEMM everywhere), or a forced tile 2 / 4 on every eligible layer.
   */
  winograd?: WinogradMode;
  /**
   * Kernel threads, the calling thread included: 1 (default), a count up to 64, or 'auto' (the
   * core count, capped at 8). Where threads cannot run (no SharedArrayBuffer, a page that is not
   * cross-origin isolated, a worker that cannot start) the network runs on one thread and
   * `threadsReason` says why. Results are bit-identical to one thread.
   */
  threads?: number | 'auto';
}

export interface RunOptions {
  /** Layout of the input array: 'nhwc' (default) or 'nchw' (PyTorch order). */
  layout?: 'nhwc' | 'nchw';
}

type Exec = () => void;

/** A lowered step with its ops: `build` packs the weights and returns the run closure. */
interface ExecStep {
  step: Step;
  exec?: Exec;
  dispose: () => void;
}

/** What a step builder gets: the engine, pointers and strides of values, the weights. */
interface BuildCtx {
  e: Engine;
  ptr: (id: number) => number;
  stride: (id: number) => number;
  shape: (id: number) => Shape;
  weights: <T extends LayerWeights>(name: string) => T;
  workspace: () => number;
  /** Raises the shared scratch size to at least `floats`. */
  needWorkspace: (floats: number) => void;
  /** Drops a layer's raw weights once packed (see Net.dropWeights). */
  drop: (name: string) => void;
  /** Registers something to free when the step is rebuilt or the net disposed. */
  own: (free: () => void) => void;
  /** Kernel threads of this net (1: build the plain closure). */
  threads: number;
  /**
   * The step as per-thread kernel calls: `make` runs once the workspace exists (its blocks are
   * in `workspaces()`), and the returned closure runs the program on every thread.
   */
  parallel: (make: () => ThreadCalls) => Exec;
  /** One workspace block per thread (valid inside parallel's `make`). */
  workspaces: () => number[];
}

type Builder = (c: BuildCtx, s: Step) => Exec;

const convBuilder: Builder = (c, s) => {
  const n = s.node as NodeOf<'conv2d'>;
  const w = c.weights<ConvWeights>(n.name);
  let weight = w.weight, bias = w.bias ?? null;
  const x = s.inputs[0]!, y = s.output, xs = c.shape(x);
  const depthwise = s.kind === 'dw3x3s1' || s.kind === 'dw3x3s2' || s.kind === 'dwgeneric';
  let scale: Float32Array | undefined;
  // A folded batch norm: the depthwise taps (9 per channel) scaled here, a dense layer's weights
  // by the op in wasm (a JS loop over millions of weights runs before V8 has optimised it)
  if (s.bn && depthwise) ({ weight, bias } = foldBn(w, c.weights<BatchNormWeights>(s.bn.name), s.bn.eps, n.outChannels));
  else if (s.bn) ({ scale, bias } = foldBnBias(w, c.weights<BatchNormWeights>(s.bn.name), s.bn.eps, n.outChannels));
  const opts = { inStride: c.stride(x), outStride: c.stride(y) };
  const xp = c.ptr(x), yp = c.ptr(y);
  if (depthwise) {
    const op = packing(n, () => new DepthwiseConv2d(c.e, { channels: xs[3]!, kernel: n.kernel, stride: n.stride, pad: n.pad, dilation: n.dilation, act: s.act }, weight, bias));
    c.own(() => op.dispose());
    if (!s.bn) c.drop(n.name);
    if (c.threads > 1) return c.parallel(() => op.split(xp, xs, yp, opts, c.threads));
    return () => op.run(xp, xs, yp, opts);
  }
  const op = packing(n, () => new Conv2d(c.e, {
    inChannels: xs[3]!, outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, pad: n.pad, dilation: n.dilation,
    groups: n.groups, act: s.act, path: s.kind as ConvPath, scale,
  }, weight, bias));
  c.own(() => op.dispose());
  c.needWorkspace(op.workspaceFloats(xs));
  if (!s.bn) c.drop(n.name);
  if (c.threads > 1) return c.parallel(() => op.split(xp, xs, yp, { ...opts, workspaces: c.workspaces() }, c.threads));
  return () => op.run(xp, xs, yp, { ...opts, workspace: c.workspace() });
};

const fcBuilder: Builder = (c, s) => {
  const n = s.node as NodeOf<'fc'>;
  const w = c.weights<FcWeights>(n.name);
  const batch = s.outShape[0]!, inF = numel(c.shape(s.inputs[0]!).slice(1));
  const op = packing(n, () => new FullyConnected(c.e, inF, n.outFeatures, w.weight, w.bias ?? null, s.act));
  c.own(() => op.dispose());
  c.drop(n.name);
  const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output);
  if (c.threads > 1) return c.parallel(() => op.split(batch, xp, yp, c.threads));
  return () => op.run(batch, xp, yp);
};

const stepBuilders: { readonly [K in StepKind]: Builder } = {
  conv1x1: convBuilder, im2col: convBuilder, winograd2: convBuilder, winograd4: convBuilder, winograd1d: convBuilder,
  dw3x3s1: convBuilder, dw3x3s2: convBuilder, dwgeneric: convBuilder,
  gemv: fcBuilder, gemm: fcBuilder,
  scale_shift(c, s) {
    const xs = c.shape(s.inputs[0]!), ch = xs[xs.length - 1]!;
    // a batch norm that could not be folded, or a broadcast multiply-add with its own constants
    const bn = s.node as NodeOf<'batchnorm'>;
    const { scale, shift } = s.node.op === 'scaleshift' ? c.weights<ScaleShiftWeights>(s.node.name)
      : bnScaleShift({ ...c.weights<BatchNormWeights>(bn.name), eps: bn.eps }, ch);
    const sp = c.e.upload(scale);
    c.own(() => c.e.release(sp));
    const bp = c.e.upload(shift);
    c.own(() => c.e.release(bp));
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output), pixels = numel(xs) / ch, act = s.act;
    if (c.threads > 1) return c.parallel(() => splitScaleShift(c.e, pixels, ch, xp, sp, bp, yp, act, c.threads));
    return () => runScaleShift(c.e, pixels, ch, xp, sp, bp, yp, act);
  },
  clamp(c, s) {
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output), n = numel(s.outShape);
    if (s.node.op === 'clip') {
      const { min, max } = s.node as NodeOf<'clip'>;
      if (c.threads > 1) return c.parallel(() => splitClamp(c.e, n, xp, yp, min, max, c.threads));
      return () => runClamp(c.e, n, xp, yp, min, max);
    }
    const act = s.act as 'relu' | 'relu6';
    if (c.threads > 1) {
      const [lo, hi] = actRange(act);
      return c.parallel(() => splitClamp(c.e, n, xp, yp, lo, hi, c.threads));
    }
    return () => runActivation(c.e, act, n, xp, yp);
  },
  add: addBuilder, add_relu: addBuilder,
  maxpool: poolBuilder, avgpool: poolBuilder,
  global_avgpool(c, s) {
    const x = s.inputs[0]!, xp = c.ptr(x), yp = c.ptr(s.output), xs = c.shape(x);
    const opts = { inStride: c.stride(x), outStride: c.stride(s.output) };
    if (c.threads > 1) return c.parallel(() => splitGlobalPool(c.e, 'avg', xp, xs, yp, opts, c.threads));
    return () => runGlobalAvgPool(c.e, xp, xs, yp, opts);
  },
  lrn(c, s) {
    const n = s.node as NodeOf<'lrn'>;
    const cfg = lrnConfig({ size: n.size, alpha: n.alpha, beta: n.beta, k: n.k });
    const x = s.inputs[0]!, xp = c.ptr(x), yp = c.ptr(s.output), xs = c.shape(x);
    if (c.threads > 1) return c.parallel(() => splitLrn(c.e, cfg, xp, xs, yp, c.threads));
    return () => runLrn(c.e, cfg, xp, xs, yp);
  },
  softmax(c, s) {
    const cols = s.outShape[s.outShape.length - 1]!, rows = numel(s.outShape) / cols;
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output);
    if (c.threads > 1) return c.parallel(() => splitSoftmax(c.e, rows, cols, xp, yp, c.threads));
    return () => runSoftmax(c.e, rows, cols, xp, yp);
  },
  leaky_relu(c, s) {
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output), n = numel(s.outShape), alpha = (s.node as NodeOf<'leakyrelu'>).alpha;
    if (c.threads > 1) return c.parallel(() => splitLeakyRelu(c.e, n, xp, yp, alpha, c.threads));
    return () => runLeakyRelu(c.e, n, xp, yp, alpha);
  },
  global_maxpool(c, s) {
    const x = s.inputs[0]!, xp = c.ptr(x), yp = c.ptr(s.output), xs = c.shape(x);
    const opts = { inStride: c.stride(x), outStride: c.stride(s.output) };
    if (c.threads > 1) return c.parallel(() => splitGlobalPool(c.e, 'max', xp, xs, yp, opts, c.threads));
    return () => runGlobalMaxPool(c.e, xp, xs, yp, opts);
  },
  sigmoid(c, s) {
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output), n = numel(s.outShape);
    if (c.threads > 1) return c.parallel(() => splitSigmoid(c.e, n, xp, yp, c.threads));
    return () => runSigmoid(c.e, n, xp, yp);
  },
  channel_mul(c, s) {
    const x = s.inputs[0]!, xp = c.ptr(x), sp = c.ptr(s.inputs[1]!), yp = c.ptr(s.output), xs = c.shape(x);
    if (c.threads > 1) return c.parallel(() => splitChannelMul(c.e, xs, xp, sp, yp, c.threads));
    return () => runChannelMul(c.e, xs, xp, sp, yp);
  },
  channel_mul_add(c, s) {
    const [x, g, r] = s.inputs as [number, number, number];
    const xp = c.ptr(x), gp = c.ptr(g), rp = c.ptr(r), yp = c.ptr(s.output), xs = c.shape(x), relu = s.act === 'relu';
    if (c.threads > 1) return c.parallel(() => splitChannelMulAdd(c.e, xs, xp, gp, rp, yp, relu, c.threads));
    return () => runChannelMulAdd(c.e, xs, xp, gp, rp, yp, relu);
  },
  scale(c, s) {
    const xp = c.ptr(s.inputs[0]!), yp = c.ptr(s.output), n = numel(s.outShape), factor = (s.node as NodeOf<'scale'>).factor;
    if (c.threads > 1) return c.parallel(() => splitScale(c.e, n, xp, yp, factor, c.threads));
    return () => runScale(c.e, n, xp, yp, factor);
  },
  channel_shuffle(c, s) {
    const x = s.inputs[0]!, xp = c.ptr(x), yp = c.ptr(s.output), xs = c.shape(x);
    const groups = (s.node as NodeOf<'channelshuffle'>).groups, ch = xs[3]!, pixels = numel(xs) / ch;
    if (c.threads > 1) return c.parallel(() => splitChannelShuffle(c.e, pixels, ch, groups, xp, yp, c.threads));
    return () => runChannelShuffle(c.e, pixels, ch, groups, xp, yp);
  },
  channel_slice(c, s) {
    // a strided copy: the slice's channels of every pixel, into a dense map or a concat's slice
    const x = s.inputs[0]!, n = s.node as NodeOf<'channelslice'>, ch = n.end - n.start, pixels = numel(s.outShape) / ch;
    const xp = c.ptr(x) + n.start * 4, xs = c.stride(x), yp = c.ptr(s.output), ys = c.stride(s.output);
    if (c.threads > 1) return c.parallel(() => splitCopyChannels(c.e, pixels, ch, xp, xs, yp, ys, 0, c.threads));
    return () => runCopyChannels(c.e, pixels, ch, xp, xs, yp, ys, 0);
  },
  concat_copy: concatBuilder, concat_inplace: concatBuilder,
};

function addBuilder(c: BuildCtx, s: Step): Exec {
  const ap = c.ptr(s.inputs[0]!), bp = c.ptr(s.inputs[1]!), yp = c.ptr(s.output), n = numel(s.outShape);
  const relu = s.kind === 'add_relu', alpha = s.alpha ?? 1;
  if (c.threads > 1) return c.parallel(() => splitAdd(c.e, n, ap, bp, yp, relu, c.threads, alpha));
  return () => runAdd(c.e, n, ap, bp, yp, relu, alpha);
}

function poolBuilder(c: BuildCtx, s: Step): Exec {
  const n = s.node as NodeOf<'maxpool' | 'avgpool'>;
  const cfg = poolConfig({ kernel: n.kernel, stride: n.stride, pad: n.pad, ceil: n.ceil, countIncludePad: n.countIncludePad });
  const kind = s.kind === 'maxpool' ? 'max' : 'avg';
  const x = s.inputs[0]!, xp = c.ptr(x), yp = c.ptr(s.output), xs = c.shape(x);
  const opts = { inStride: c.stride(x), outStride: c.stride(s.output) };
  if (c.threads > 1) return c.parallel(() => splitPool2d(c.e, kind, cfg, xp, xs, yp, opts, c.threads));
  return () => runPool2d(c.e, kind, cfg, xp, xs, yp, opts);
}

function concatBuilder(c: BuildCtx, s: Step): Exec {
  const yp = c.ptr(s.output), ys = c.stride(s.output);
  const jobs = s.copies.map(({ value, offset }) => {
    const sh = c.shape(value), ch = sh[sh.length - 1]!;
    return [numel(sh) / ch, ch, c.ptr(value), c.stride(value), offset] as const;
  });
  if (c.threads > 1) {
    return c.parallel(() => {
      const lists: ThreadCalls = Array.from({ length: c.threads }, () => []);
      for (const [px, ch, src, ss, o] of jobs) {
        splitCopyChannels(c.e, px, ch, src, ss, yp, ys, o, c.threads).forEach((l, t) => lists[t]!.push(...l));
      }
      return lists;
    });
  }
  return () => { for (const [px, ch, src, ss, o] of jobs) runCopyChannels(c.e, px, ch, src, ss, yp, ys, o); };
}

/**
 * A compiled network: NHWC throughout, batch norm folded into convolutions, bias and activations
 * fused into the kernels' epilogues, residual add + ReLU fused, concat written in place, weights
 * packed once, activations in one liveness-planned arena. Owns its own wasm instance.
 */
export class Net {
  readonly graph: Graph;
  readonly inputShape: Shape;
  readonly outputShape: Shape;
  readonly plan: PlanSummary;
  private engine: Engine;
  private steps: ExecStep[] = [];
  private values: Value[];
  private input: Value;
  private output: Value;
  private arena = 0;
  private workspace = 0;
  private wsFloats = 0;
  private validate: boolean;
  private weights: Map<string, LayerWeights>;
  private disposed = false;
  private offsets: Map<number, number>;
  /** Programs waiting for the workspace (parallel steps built before it was allocated). */
  private pending: (() => void)[] | null = [];
  private programBytes = 0;
  /** Why this net runs on fewer threads than asked (null when it runs on as many). */
  readonly threadsReason: string | null;

  /** @internal use compile() */
  constructor(engine: Engine, graph: Graph, weights: Map<string, LayerWeights>, validate: boolean, winograd: WinogradMode = 'auto',
    threadsReason: string | null = null) {
    this.engine = engine;
    this.threadsReason = threadsReason;
    this.graph = graph;
    this.validate = validate;
    const lowered = lower(graph, { winograd });
    this.weights = checkWeights(engine, graph, weights);
    this.values = lowered.values;
    this.input = lowered.values[lowered.input]!;
    this.output = lowered.values[lowered.output]!;
    this.inputShape = this.input.shape.slice();
    this.outputShape = this.output.shape.slice();
    const mem = planValues(lowered);
    this.offsets = mem.offsets;
    try {
      this.arena = engine.alloc(mem.arenaFloats);
      this.steps = lowered.steps.map((step) => ({ step, dispose: () => {} }));
      // the arena holds nothing before the first run: the raw weights are staged in it
      if (mem.arenaFloats) engine.lend(this.arena, mem.arenaFloats);
      try {
        for (const s of this.steps) this.build(s);
      } finally {
        engine.unlend();
      }
      // one block per thread: each thread's share stages its own im2col rows / Winograd tiles
      this.workspace = this.wsFloats ? engine.alloc(this.wsFloats * engine.threads) : 0;
      const pending = this.pending!;
      this.pending = null;
      for (const finish of pending) finish();
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.plan = {
      steps: lowered.steps.map(({ nodes, kind, outShape }) => ({ nodes, kind, outShape })),
      peakBytes: mem.arenaFloats * 4,
      naiveBytes: this.values.filter((v) => v.aliasOf === undefined).reduce((s, v) => s + v.floats, 0) * 4,
      workspaceBytes: this.wsFloats * 4 * engine.threads,
      weightBytes: engine.allocatedBytes - mem.arenaFloats * 4 - this.wsFloats * 4 * engine.threads - this.programBytes,
    };
  }

  private ptrOf(id: number): number {
    const v = this.values[id]!;
    if (v.sliceOf) return this.ptrOf(v.sliceOf[0]) + v.sliceOf[1] * 4;
    if (v.aliasOf !== undefined) return this.ptrOf(v.aliasOf);
    return this.arena + this.offsets.get(v.id)! * 4;
  }

  /** Pixel stride (floats) a value is written with: its concat's when it is a slice. */
  private strideOf(id: number): number {
    const v = this.values[id]!;
    if (v.sliceOf) return this.strideOf(v.sliceOf[0]);
    return v.shape[v.shape.length - 1]!;
  }

  private build(s: ExecStep): void {
    const frees: (() => void)[] = [];
    s.dispose = () => { for (const f of frees.splice(0).reverse()) if (!this.engine.isDisposed) f(); };
    const ctx: BuildCtx = {
      e: this.engine,
      ptr: (id) => this.ptrOf(id),
      stride: (id) => this.strideOf(id),
      shape: (id) => this.values[id]!.shape,
      weights: <T extends LayerWeights>(name: string) => {
        const w = this.weights.get(name);
        if (!w) throw new Error(`layer "${name}": no weights given`);
        return w as T;
      },
      workspace: () => this.workspace,
      needWorkspace: (floats) => {
        if (floats <= this.wsFloats) return;
        // a rebuilt step (setWeights) never needs more than at compile time: same shapes
        if (this.workspace) throw new Error('simdnet: workspace cannot grow after compile');
        this.wsFloats = floats;
      },
      // Only a conv with a folded batch norm keeps its raw weights (a later setWeights on the
      // batch norm re-folds from them), so a compiled VGG-16 does not hold a second 550 MB copy.
      drop: (name) => { this.weights.delete(name); },
      own: (f) => { frees.push(f); },
      threads: this.engine.threads,
      workspaces: () => Array.from({ length: this.engine.threads }, (_, t) => this.workspace + t * this.wsFloats * 4),
      parallel: (make) => {
        let exec: Exec = () => { throw new Error('simdnet: step run before its program was written'); };
        const finish = () => {
          const lists = make();
          const busy = lists.filter((l) => l.length > 0).length;
          if (busy <= 1) {
            // too small to split: straight calls on this thread
            const calls = lists.flat(), k = this.engine.k;
            exec = () => { for (const [fn, ...args] of calls) k[fn](...args); };
            return;
          }
          const e = this.engine, before = e.allocatedBytes;
          const prog = e.writeProgram(lists);
          const bytes = e.allocatedBytes - before;
          this.programBytes += bytes;
          frees.push(() => { e.release(prog); this.programBytes -= bytes; });
          exec = () => e.runProgram(prog);
        };
        if (this.pending) this.pending.push(finish); else finish();
        return () => exec();
      },
    };
    try {
      s.exec = stepBuilders[s.step.kind](ctx, s.step);
    } catch (e) {
      s.dispose();
      throw e;
    }
  }

  /**
   * Runs the network on one batch. `input` is NHWC Float32Array of inputShape (or NCHW with
   * { layout: 'nchw' }). Returns a new Float32Array of the output (the logits), outputShape.
   */
  run(input: Float32Array, opts: RunOptions = {}): Float32Array {
    if (this.disposed) throw new Error('simdnet: this network was disposed');
    if (!(input instanceof Float32Array)) throw new TypeError(`input must be a Float32Array, got ${input === null ? 'null' : typeof input}`);
    if (opts !== undefined && (typeof opts !== 'object' || opts === null)) throw new TypeError(`options must be an object, got ${opts === null ? 'null' : typeof opts}`);
    const layout = opts?.layout ?? 'nhwc';
    if (layout !== 'nhwc' && layout !== 'nchw') throw new TypeError(`layout must be 'nhwc' or 'nchw', got ${JSON.stringify(layout)}`);
    const count = this.input.floats;
    if (input.length !== count) {
      const [n, h, w, c] = this.inputShape;
      const s = layout === 'nchw' ? `[${n}, ${c}, ${h}, ${w}] (NCHW)` : `[${this.inputShape.join(', ')}] (NHWC)`;
      throw new RangeError(`input must have ${count} elements for shape ${s}, got ${input.length}`);
    }
    if (layout === 'nchw' && this.inputShape.length !== 4) throw new RangeError(`layout 'nchw' needs a 4-D input; this network's input is [${this.inputShape.join(', ')}]`);
    const f32 = this.engine.f32;
    const base = this.ptrOf(this.input.id) >> 2;
    if (layout === 'nhwc') f32.set(input, base);
    else {
      const [n, h, w, c] = this.inputShape as [number, number, number, number];
      const hw = h * w;
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          const src = (b * c + ch) * hw;
          let dst = base + b * hw * c + ch;
          for (let p = 0; p < hw; p++, dst += c) f32[dst] = input[src + p]!;
        }
      }
    }
    // checked once copied into the input's slot, before any step reads it: a rejected input
    // leaves only that slot written, which the next run overwrites
    if (this.validate && findNonFinite(this.engine, base << 2, count) >= 0) {
      const i = input.findIndex((v) => !Number.isFinite(v));
      throw new RangeError(`input[${i}] is ${input[i]}: inputs must be finite (pass { validate: false } to compile to skip this check)`);
    }
    for (const s of this.steps) s.exec!();
    return this.engine.read(this.ptrOf(this.output.id), this.output.floats);
  }

  /**
   * Times every step over `runs` runs (after one warm-up) and returns the median ms per step,
   * slowest first — where the time goes, with the kernel path each step took.
   * @throws RangeError unless runs is a positive integer.
   */
  profile(input: Float32Array, runs = 5): { nodes: string[]; kind: string; outShape: Shape; ms: number }[] {
    if (typeof runs !== 'number' || !Number.isInteger(runs) || runs < 1 || runs > 1e6) {
      throw new RangeError(`runs must be a positive integer, got ${JSON.stringify(runs)}`);
    }
    this.run(input);
    const times = this.steps.map(() => [] as number[]);
    for (let r = 0; r < runs; r++) {
      this.run(input);
      for (let i = 0; i < this.steps.length; i++) {
        const t = performance.now();
        this.steps[i]!.exec!();
        times[i]!.push(performance.now() - t);
      }
    }
    return this.steps
      .map(({ step: s }, i) => ({ nodes: s.nodes, kind: s.kind, outShape: s.outShape, ms: times[i]!.sort((a, b) => a - b)[times[i]!.length >> 1]! }))
      .sort((a, b) => b.ms - a.ms);
  }

  /**
   * Replaces one layer's weights (conv2d, fc or batchnorm node name) and re-packs what depends on
   * them. layout 'hwio' (default: conv HWIO, fc IO) or 'pytorch' (conv OIHW, fc [out][in]; an fc
   * reading a flatten of an H x W x C map — through dropout / ReLU between them — is re-ordered
   * from PyTorch's C,H,W flatten to this IR's H,W,C). Everything is checked before anything
   * changes: on an error the network keeps its old weights and stays usable.
   */
  setWeights(name: string, w: Partial<ConvWeights & BatchNormWeights & ScaleShiftWeights>, layout: 'hwio' | 'pytorch' = 'hwio'): void {
    if (this.disposed) throw new Error('simdnet: this network was disposed');
    if (typeof name !== 'string') throw new TypeError(`setWeights: name must be a layer name (string), got ${name === null ? 'null' : typeof name}`);
    const node = this.graph.nodes.find((n) => n.name === name);
    if (!node) throw new RangeError(`setWeights: no layer named "${name}"`);
    if (layout !== 'hwio' && layout !== 'pytorch') throw new TypeError(`layout must be 'hwio' or 'pytorch', got ${JSON.stringify(layout)}`);
    if (typeof w !== 'object' || w === null) throw new TypeError(`setWeights("${name}"): weights must be an object of Float32Arrays, got ${w === null ? 'null' : typeof w}`);
    const converted = convertWeights(this.engine, this.graph, node, w, layout);
    const affected = this.steps.filter((s) => s.step.nodes.includes(name));
    // A conv whose batch norm is folded needs its raw weights to re-fold; they are kept for it.
    for (const s of affected) {
      if (s.step.bn && s.step.bn.name === name && !this.weights.has(s.step.node.name)) {
        throw new Error(`setWeights("${name}"): the conv it is folded into lost its raw weights`);
      }
    }
    const old = this.weights.get(name);
    this.weights.set(name, converted);
    for (const s of affected) {
      s.dispose();
      try {
        this.build(s);
      } catch (e) {
        // put the old weights back so the network stays what it was
        if (old) this.weights.set(name, old); else this.weights.delete(name);
        this.build(s);
        throw e;
      }
    }
  }

  /** Frees all wasm memory of this network (its instance goes to the GC). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.steps) s.dispose();
    this.engine.dispose();
  }

  /**
   * run() for any thread, as a promise. In a browser's main thread, where Atomics.wait is not
   * allowed, the calling thread spins while the kernel threads finish each step.
   */
  async runAsync(input: Float32Array, opts: RunOptions = {}): Promise<Float32Array> {
    return this.run(input, opts);
  }

  get isDisposed(): boolean { return this.disposed; }
  /** Bytes of wasm linear memory this network's instance holds. */
  get memoryBytes(): number { return this.disposed ? 0 : this.engine.memoryBytes; }
  /**
   * Bytes of address space reserved for this network: with kernel threads, the whole shared
   * memory (sized from the plan at compile); else memoryBytes.
   */
  get reservedBytes(): number { return this.disposed ? 0 : this.engine.reservedBytes; }
  /** Threads running this network's kernels (the calling thread included). */
  get threads(): number { return this.disposed ? 0 : this.engine.threads; }
}

/**
 * Compiles a graph into a runnable Net with its own wasm instance. The graph is validated first
 * (see validateGraph) and every given weight checked against its layer.
 * @throws TypeError / RangeError naming the node or option.
 */
export async function compile(graph: Graph, opts: CompileOptions = {}): Promise<Net> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`compile options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  const known = ['weights', 'seed', 'validate', 'winograd', 'threads'];
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  if (unknown.length) throw new TypeError(`compile: unknown option(s) ${unknown.join(', ')}; known: ${known.join(', ')}`);
  if (opts.weights !== undefined && !(opts.weights instanceof Map)) throw new TypeError('compile: weights must be a Map of layer name -> weights');
  if (opts.seed !== undefined && !Number.isInteger(opts.seed)) throw new TypeError(`compile: seed must be an integer, got ${JSON.stringify(opts.seed)}`);
  if (opts.validate !== undefined && typeof opts.validate !== 'boolean') throw new TypeError(`compile: validate must be true or false, got ${JSON.stringify(opts.validate)}`);
  const asked = opts.threads === undefined ? 1 : opts.threads;
  if (asked !== 'auto' && (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 1 || asked > MAX_THREADS)) {
    throw new TypeError(`compile: threads must be an integer 1..${MAX_THREADS} or 'auto', got ${JSON.stringify(asked)}`);
  }
  // validate before random weights are drawn for a graph that may be malformed
  const lowered = lower(graph, { winograd: opts.winograd });
  const weights = opts.weights ? new Map(opts.weights) : randomWeights(graph, opts.seed ?? 1);
  const f = await init().then(() => features(), () => features());
  const threads = asked === 'auto' ? f.autoThreads : asked;
  let reason: string | null = null;
  let engine: Engine | undefined;
  if (threads > 1 && !f.threads) reason = f.threadsReason;
  else if (threads > 1) {
    try {
      engine = await Engine.createThreaded({ threads, reserveBytes: reserveBytes(lowered, threads) });
    } catch (e) {
      reason = `kernel threads could not start: ${(e as Error).message}`;
    }
  }
  engine ??= await Engine.create();
  try {
    // one growth to the planned size: growing per packed layer made a new ArrayBuffer each time,
    // and the external-memory accounting of those started full GCs during compile and first run
    // (in whole pages below the plan, which is an upper bound: the cost model reports it as what
    // a compiled net holds at most; alloc grows the last few pages if they are needed)
    if (engine.threads === 1) engine.reserve(Math.floor(planEngineBytes(lowered, 1) / 65536) * 65536);
    return new Net(engine, graph, weights, opts.validate ?? true, opts.winograd ?? 'auto', reason);
  } catch (e) {
    engine.dispose();
    throw e;
  }
}

/** Shared memory a threaded engine reserves for a lowered network: see planEngineBytes. */
export const reserveBytes = planEngineBytes;

/** Checks every weight set against its layer (HWIO / IO layouts) before any of it is packed. */
function checkWeights(engine: Engine, graph: Graph, weights: Map<string, LayerWeights>): Map<string, LayerWeights> {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  for (const [name, w] of weights) {
    const node = byName.get(name);
    if (!node) throw new RangeError(`weights: no layer named "${name}"`);
    if (typeof w !== 'object' || w === null) throw new TypeError(`weights of "${name}" must be an object of Float32Arrays, got ${w === null ? 'null' : typeof w}`);
    weights.set(name, convertWeights(engine, graph, node, w, 'hwio', false));
  }
  for (const n of graph.nodes) {
    if (OP_SPECS[n.op].moments === 'weights' && !weights.has(n.name)) {
      throw new RangeError(`weights: layer "${n.name}" (${n.op}) has no weights`);
    }
  }
  return weights;
}

/**
 * Checks one layer's weights and brings them to HWIO / IO. `scanLarge` false leaves the finite
 * check of a large conv / fc weight array to the op that packs it (compile: a refusal there
 * discards the whole network anyway); setWeights scans first, so a refusal changes nothing.
 */
function convertWeights(engine: Engine, graph: Graph, node: GraphNode, w: any, layout: 'hwio' | 'pytorch', scanLarge = true): LayerWeights {
  const where = `weights of "${node.name}" (${node.op})`;
  const f32 = (k: string, v: unknown, n: number): Float32Array => {
    if (!(v instanceof Float32Array)) throw new TypeError(`${where}: ${k} must be a Float32Array, got ${v === undefined ? 'nothing' : v === null ? 'null' : (v as object).constructor?.name ?? typeof v}`);
    if (v.length !== n) throw new RangeError(`${where}: ${k} must have ${n} elements, got ${v.length}`);
    if (!scanLarge && k === 'weight' && n >= FINITE_IN_WASM) return v;
    // large arrays are scanned in wasm (a copy into a block the allocator hands out again for the
    // next one, then one vector pass): 4.2M floats of MobileNet in ~3 ms instead of ~10 in JS
    const i = n < FINITE_IN_WASM ? v.findIndex((x) => !Number.isFinite(x)) : firstNonFinite(engine, v);
    if (i >= 0) throw new RangeError(`${where}: ${k}[${i}] is ${v[i]}; weights must be finite`);
    return v;
  };
  const allow = (keys: string[]) => {
    const extra = Object.keys(w).filter((k) => !keys.includes(k) && w[k] !== undefined);
    if (extra.length) {
      const hint = extra.includes('bias') ? ` (the layer was built with bias: false)` : '';
      throw new TypeError(`${where}: unexpected ${extra.join(', ')}${hint}; expected ${keys.join(', ')}`);
    }
  };
  const inShape = graph.nodes.find((n) => n.name === node.inputs[0])?.outShape ?? [];
  if (node.op === 'conv2d') {
    allow(node.bias ? ['weight', 'bias'] : ['weight']);
    const [kh, kw] = node.kernel;
    const cg = inShape[3]! / node.groups, o = node.outChannels;
    let weight = f32('weight', w.weight, kh * kw * cg * o);
    if (layout === 'pytorch') {
      const t = new Float32Array(weight.length);
      for (let oc = 0; oc < o; oc++) for (let i = 0; i < cg; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
        t[((y * kw + x) * cg + i) * o + oc] = weight[((oc * cg + i) * kh + y) * kw + x]!;
      }
      weight = t;
    }
    const bias = node.bias ? f32('bias', w.bias, o) : undefined;
    return bias ? { weight, bias } : { weight };
  }
  if (node.op === 'fc') {
    allow(node.bias ? ['weight', 'bias'] : ['weight']);
    const inF = numel(inShape.slice(1)), o = node.outFeatures;
    let weight = f32('weight', w.weight, inF * o);
    if (layout === 'pytorch') {
      // PyTorch flattens C,H,W; this IR's NHWC flatten is H,W,C
      const map = flattenedMap(graph, node.name);
      const [h, wd, c] = map ? map.slice(1) as [number, number, number] : [1, 1, inF];
      const t = new Float32Array(weight.length);
      for (let oc = 0; oc < o; oc++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) {
        t[((y * wd + x) * c + ch) * o + oc] = weight[oc * inF + (ch * h + y) * wd + x]!;
      }
      weight = t;
    }
    const bias = node.bias ? f32('bias', w.bias, o) : undefined;
    return bias ? { weight, bias } : { weight };
  }
  if (node.op === 'batchnorm') {
    allow(['gamma', 'beta', 'mean', 'variance']);
    const c = inShape[inShape.length - 1]!;
    const bn = { gamma: f32('gamma', w.gamma, c), beta: f32('beta', w.beta, c), mean: f32('mean', w.mean, c), variance: f32('variance', w.variance, c) };
    for (let i = 0; i < c; i++) {
      if (!(bn.variance[i]! >= 0)) throw new RangeError(`${where}: variance[${i}] is ${bn.variance[i]}; a variance must be >= 0`);
    }
    return bn;
  }
  if (node.op === 'scaleshift') {
    allow(['scale', 'shift']);
    const c = inShape[inShape.length - 1]!;
    return { scale: f32('scale', w.scale, c), shift: f32('shift', w.shift, c) };
  }
  throw new RangeError(`setWeights: layer "${node.name}" (${node.op}) has no weights`);
}

/** Folds an inference batch norm into HWIO conv weights and bias (per output channel). */
function foldBn(w: ConvWeights, bn: BatchNormWeights, eps: number, cout: number): { weight: Float32Array; bias: Float32Array } {
  const { scale, bias } = foldBnBias(w, bn, eps, cout);
  const weight = new Float32Array(w.weight.length);
  for (let i = 0; i < weight.length; i++) weight[i] = w.weight[i]! * scale[i % cout]!;
  return { weight, bias };
}

/** A batch norm after a conv as the weights' per-channel scale and the folded bias. */
function foldBnBias(w: ConvWeights, bn: BatchNormWeights, eps: number, cout: number): { scale: Float32Array; bias: Float32Array } {
  const { scale, shift } = bnScaleShift({ ...bn, eps }, cout);
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) bias[o] = (w.bias ? w.bias[o]! : 0) * scale[o]! + shift[o]!;
  return { scale, bias };
}
