import type { Graph, GraphNode, Conv2dNode, FcNode, PoolNode, LrnNode, Shape } from '../graph/types.js';
import type { LayerWeights, ConvWeights, FcWeights, BatchNormWeights } from '../graph/weights.js';
import { randomWeights } from '../graph/weights.js';
import { Engine } from '../wasm/engine.js';
import { Conv2d } from '../ops/conv2d.js';
import { DepthwiseConv2d } from '../ops/dwconv2d.js';
import { FullyConnected } from '../ops/fc.js';
import { poolConfig, runPool2d, runGlobalAvgPool } from '../ops/pool2d.js';
import { runAdd } from '../ops/add.js';
import { runCopyChannels } from '../ops/concat.js';
import { lrnConfig, runLrn } from '../ops/lrn.js';
import { runSoftmax } from '../ops/softmax.js';
import { runActivation } from '../ops/activation.js';
import { bnScaleShift, runScaleShift } from '../ops/batchnorm.js';
import type { Activation } from '../ops/util.js';
import { planMemory } from './planner.js';

/** A tensor value of the plan. Slices live inside a concat's buffer; aliases share a buffer. */
export interface Value {
  id: number;
  shape: Shape;
  floats: number;
  /** producing step index (-1 for the graph input) */
  def: number;
  /** last step index reading it */
  lastUse: number;
  /** channel slice of another value: [parent value, channel offset] */
  sliceOf?: [Value, number];
  /** same memory as another value (flatten, dropout) */
  aliasOf?: Value;
  /** whether the producer can write with a pixel stride (so it may become a concat slice) */
  strided: boolean;
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
  winograd?: 'auto' | 'off' | 2 | 4;
}

export interface RunOptions {
  /** Layout of the input array: 'nhwc' (default) or 'nchw' (PyTorch order). */
  layout?: 'nhwc' | 'nchw';
}

type Exec = () => void;

interface InternalStep extends PlanStep {
  inputs: Value[];
  output: Value;
  /** builds the op objects (packing weights) and returns the run closure; called after planning */
  build: () => Exec;
  exec?: Exec;
  dispose: () => void;
}

function prod(s: Shape): number { return s.reduce((a, b) => a * b, 1); }

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
  private steps: InternalStep[];
  private values: Value[];
  private input: Value;
  private output: Value;
  private arena = 0;
  private workspace = 0;
  private validate: boolean;
  private weights: Map<string, LayerWeights>;
  private disposed = false;
  /** @internal */
  readonly winograd: 'auto' | 'off' | 2 | 4;

  /** @internal use compile() */
  constructor(engine: Engine, graph: Graph, weights: Map<string, LayerWeights>, validate: boolean, winograd: 'auto' | 'off' | 2 | 4 = 'auto') {
    this.winograd = winograd;
    this.engine = engine;
    this.graph = graph;
    this.weights = weights;
    this.validate = validate;
    const { steps, values, input, output } = lower(graph, this);
    this.steps = steps;
    this.values = values;
    this.input = input;
    this.output = output;
    this.inputShape = input.shape.slice();
    this.outputShape = output.shape.slice();

    const mem = planValues(values, steps.length, output);
    let wsFloats = 0;
    try {
      this.arena = engine.alloc(mem.arenaFloats);
      const ptr = (v: Value): number => {
        if (v.sliceOf) return ptr(v.sliceOf[0]) + v.sliceOf[1] * 4;
        if (v.aliasOf) return ptr(v.aliasOf);
        return this.arena + mem.offsets.get(v.id)! * 4;
      };
      this.ptrOf = ptr;
      for (const s of steps) s.exec = s.build();
      wsFloats = this.wsFloats;
      this.workspace = wsFloats ? engine.alloc(wsFloats) : 0;
    } catch (e) {
      this.dispose();
      throw e;
    }
    this.plan = {
      steps: steps.map(({ nodes, kind, outShape }) => ({ nodes, kind, outShape })),
      peakBytes: mem.arenaFloats * 4,
      naiveBytes: values.filter((v) => !v.aliasOf).reduce((s, v) => s + v.floats, 0) * 4,
      workspaceBytes: wsFloats * 4,
      weightBytes: engine.allocatedBytes - mem.arenaFloats * 4 - wsFloats * 4,
    };
  }

  /** @internal pointer of a value, valid after planning */
  ptrOf: (v: Value) => number = () => { throw new Error('simdnet: plan not finalised'); };
  /** @internal pixel stride (floats) a value is written with */
  strideOf(v: Value): number {
    if (v.sliceOf) return this.strideOf(v.sliceOf[0]);
    return v.shape[v.shape.length - 1];
  }
  /** @internal largest im2col scratch of any step, in floats */
  wsFloats = 0;
  /** @internal current workspace pointer */
  get workspacePtr(): number { return this.workspace; }
  /** @internal */
  get eng(): Engine { return this.engine; }
  /** @internal weights of a layer */
  layerWeights<T extends LayerWeights>(name: string): T {
    const w = this.weights.get(name);
    if (!w) throw new Error(`layer "${name}": no weights given`);
    return w as T;
  }
  /**
   * @internal Drops a layer's raw weights once they are packed in wasm memory: only a conv with a
   * folded batch norm keeps its own (a later setWeights on the batch norm re-folds from them), so a
   * compiled VGG-16 does not hold a second 550 MB copy on the JS heap.
   */
  dropWeights(name: string): void {
    this.weights.delete(name);
  }

  /**
   * Runs the network on one batch. `input` is NHWC Float32Array of inputShape (or NCHW with
   * { layout: 'nchw' }). Returns a new Float32Array of the output (the logits), outputShape.
   */
  run(input: Float32Array, opts: RunOptions = {}): Float32Array {
    if (this.disposed) throw new Error('simdnet: this network was disposed');
    if (!(input instanceof Float32Array)) throw new TypeError(`input must be a Float32Array, got ${input === null ? 'null' : typeof input}`);
    const layout = opts?.layout ?? 'nhwc';
    if (layout !== 'nhwc' && layout !== 'nchw') throw new TypeError(`layout must be 'nhwc' or 'nchw', got ${JSON.stringify(layout)}`);
    const count = this.input.floats;
    if (input.length !== count) {
      const [n, h, w, c] = this.inputShape;
      const s = layout === 'nchw' ? `[${n}, ${c}, ${h}, ${w}] (NCHW)` : `[${this.inputShape.join(', ')}] (NHWC)`;
      throw new RangeError(`input must have ${count} elements for shape ${s}, got ${input.length}`);
    }
    if (this.validate) {
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(input[i])) throw new RangeError(`input[${i}] is ${input[i]}: inputs must be finite (pass { validate: false } to compile to skip this check)`);
      }
    }
    const f32 = this.engine.f32;
    const base = this.ptrOf(this.input) >> 2;
    if (layout === 'nhwc') f32.set(input, base);
    else {
      const [n, h, w, c] = this.inputShape;
      const hw = h * w;
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          const src = (b * c + ch) * hw;
          let dst = base + b * hw * c + ch;
          for (let p = 0; p < hw; p++, dst += c) f32[dst] = input[src + p];
        }
      }
    }
    for (const s of this.steps) s.exec!();
    return this.engine.read(this.ptrOf(this.output), this.output.floats);
  }

  /**
   * Times every step over `runs` runs (after one warm-up) and returns the median ms per step,
   * slowest first — where the time goes, with the kernel path each step took.
   */
  profile(input: Float32Array, runs = 5): { nodes: string[]; kind: string; outShape: Shape; ms: number }[] {
    this.run(input);
    const times = this.steps.map(() => [] as number[]);
    for (let r = 0; r < runs; r++) {
      this.run(input);
      for (let i = 0; i < this.steps.length; i++) {
        const t = performance.now();
        this.steps[i].exec!();
        times[i].push(performance.now() - t);
      }
    }
    return this.steps
      .map((s, i) => ({ nodes: s.nodes, kind: s.kind, outShape: s.outShape, ms: times[i].sort((a, b) => a - b)[times[i].length >> 1] }))
      .sort((a, b) => b.ms - a.ms);
  }

  /**
   * Replaces one layer's weights (conv2d, fc or batchnorm node name) and re-packs what depends on
   * them. layout 'hwio' (default: conv HWIO, fc IO) or 'pytorch' (conv OIHW, fc [out][in]; an fc
   * after a flatten of an H x W x C map is re-ordered from PyTorch's C,H,W flatten to our H,W,C).
   */
  setWeights(name: string, w: Partial<ConvWeights & BatchNormWeights>, layout: 'hwio' | 'pytorch' = 'hwio'): void {
    if (this.disposed) throw new Error('simdnet: this network was disposed');
    const node = this.graph.nodes.find((n) => n.name === name);
    if (!node) throw new RangeError(`setWeights: no layer named "${name}"`);
    if (layout !== 'hwio' && layout !== 'pytorch') throw new TypeError(`layout must be 'hwio' or 'pytorch', got ${JSON.stringify(layout)}`);
    this.weights.set(name, convertWeights(this.graph, node, w, layout));
    for (const s of this.steps) {
      if (!s.nodes.includes(name)) continue;
      s.dispose();
      s.exec = s.build();
    }
  }

  /** Frees all wasm memory of this network (its instance goes to the GC). */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.steps ?? []) s.dispose();
    this.engine.dispose();
  }

  get isDisposed(): boolean { return this.disposed; }
  /** Bytes of wasm linear memory this network's instance holds. */
  get memoryBytes(): number { return this.disposed ? 0 : this.engine.memoryBytes; }
}

/** Compiles a graph into a runnable Net with its own wasm instance. */
export async function compile(graph: Graph, opts: CompileOptions = {}): Promise<Net> {
  if (!graph || !Array.isArray(graph.nodes)) throw new TypeError('graph must be a Graph (from the builder or buildModel)');
  const weights = opts.weights ? new Map(opts.weights) : randomWeights(graph, opts.seed ?? 1);
  const engine = await Engine.create();
  try {
    return new Net(engine, graph, weights, opts.validate ?? true, opts.winograd ?? 'auto');
  } catch (e) {
    engine.dispose();
    throw e;
  }
}

function convertWeights(graph: Graph, node: GraphNode, w: any, layout: 'hwio' | 'pytorch'): LayerWeights {
  const f32 = (k: string, v: unknown, n: number): Float32Array => {
    if (!(v instanceof Float32Array)) throw new TypeError(`setWeights("${node.name}"): ${k} must be a Float32Array`);
    if (v.length !== n) throw new RangeError(`setWeights("${node.name}"): ${k} must have ${n} elements, got ${v.length}`);
    return v;
  };
  const inShape = graph.nodes.find((n) => n.name === node.inputs[0])?.outShape ?? [];
  if (node.op === 'conv2d') {
    const [kh, kw] = node.kernel;
    const cg = inShape[3] / node.groups, o = node.outChannels;
    let weight = f32('weight', w.weight, kh * kw * cg * o);
    if (layout === 'pytorch') {
      const t = new Float32Array(weight.length);
      for (let oc = 0; oc < o; oc++) for (let i = 0; i < cg; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) {
        t[((y * kw + x) * cg + i) * o + oc] = weight[((oc * cg + i) * kh + y) * kw + x];
      }
      weight = t;
    }
    const bias = node.bias ? f32('bias', w.bias, o) : undefined;
    return bias ? { weight, bias } : { weight };
  }
  if (node.op === 'fc') {
    const inF = inShape.slice(1).reduce((a, b) => a * b, 1), o = node.outFeatures;
    let weight = f32('weight', w.weight, inF * o);
    if (layout === 'pytorch') {
      // PyTorch flattens C,H,W; our NHWC flatten is H,W,C: find the map behind the flatten
      const src = graph.nodes.find((n) => n.name === node.inputs[0]);
      const map = src?.op === 'flatten' ? graph.nodes.find((n) => n.name === src.inputs[0])?.outShape : undefined;
      const [h, wd, c] = map && map.length === 4 ? map.slice(1) : [1, 1, inF];
      const t = new Float32Array(weight.length);
      for (let oc = 0; oc < o; oc++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < wd; x++) {
        t[((y * wd + x) * c + ch) * o + oc] = weight[oc * inF + (ch * h + y) * wd + x];
      }
      weight = t;
    }
    const bias = node.bias ? f32('bias', w.bias, o) : undefined;
    return bias ? { weight, bias } : { weight };
  }
  if (node.op === 'batchnorm') {
    const c = inShape[inShape.length - 1];
    return { gamma: f32('gamma', w.gamma, c), beta: f32('beta', w.beta, c), mean: f32('mean', w.mean, c), variance: f32('variance', w.variance, c) };
  }
  throw new RangeError(`setWeights: layer "${node.name}" (${node.op}) has no weights`);
}

/** Liveness over root buffers (slices and aliases extend their root's lifetime), then the arena plan. */
export function planValues(values: Value[], nsteps: number, output: Value) {
  const root = (v: Value): Value => (v.sliceOf ? root(v.sliceOf[0]) : v.aliasOf ? root(v.aliasOf) : v);
  const life = new Map<Value, [number, number]>();
  for (const v of values) {
    const r = root(v);
    const cur = life.get(r) ?? [Infinity, -Infinity];
    cur[0] = Math.min(cur[0], v.def);
    cur[1] = Math.max(cur[1], v.lastUse, v.def);
    life.set(r, cur);
  }
  life.get(root(output))![1] = nsteps;
  return planMemory([...life.entries()].map(([v, [first, last]]) => ({ id: v.id, floats: v.floats, first, last })));
}

/**
 * The compiler's activation plan without compiling: arena bytes and naive bytes for a graph.
 * Same lowering and planner as compile(), no weights, no wasm.
 */
export function planActivations(graph: Graph): { peakBytes: number; naiveBytes: number } {
  const { steps, values, output } = lower(graph, { eng: undefined } as unknown as Net);
  const mem = planValues(values, steps.length, output);
  return { peakBytes: mem.arenaFloats * 4, naiveBytes: values.filter((v) => !v.aliasOf).reduce((s, v) => s + v.floats, 0) * 4 };
}

/** Folds an inference batch norm into HWIO conv weights and bias (per output channel). */
function foldBn(w: ConvWeights, bn: BatchNormWeights, eps: number, cout: number): { weight: Float32Array; bias: Float32Array } {
  const { scale, shift } = bnScaleShift({ ...bn, eps }, cout);
  const weight = new Float32Array(w.weight.length);
  for (let i = 0; i < weight.length; i++) weight[i] = w.weight[i] * scale[i % cout];
  const bias = new Float32Array(cout);
  for (let o = 0; o < cout; o++) bias[o] = (w.bias ? w.bias[o] : 0) * scale[o] + shift[o];
  return { weight, bias };
}

/** Lowers the graph to steps: fusion, folding, concat slicing. */
function lower(graph: Graph, net: Net): { steps: InternalStep[]; values: Value[]; input: Value; output: Value } {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) {
    if (!consumers.has(i)) consumers.set(i, []);
    consumers.get(i)!.push(n);
  }
  const only = (name: string): GraphNode | undefined => {
    const c = consumers.get(name);
    return c && c.length === 1 && name !== graph.output ? c[0] : undefined;
  };
  const values: Value[] = [];
  const valueOf = new Map<string, Value>();
  const steps: InternalStep[] = [];
  const newValue = (shape: Shape, strided: boolean): Value => {
    const v: Value = { id: values.length, shape, floats: prod(shape), def: steps.length, lastUse: -1, strided };
    values.push(v);
    return v;
  };
  const use = (name: string): Value => {
    const v = valueOf.get(name);
    if (!v) throw new Error(`layer "${name}": used before it is computed`);
    v.lastUse = steps.length;
    let a = v.aliasOf;
    while (a) { a.lastUse = steps.length; a = a.aliasOf; }
    return v;
  };
  const absorbed = new Set<string>();
  const e = net.eng;
  const ptr = (v: Value) => net.ptrOf(v);
  const stride = (v: Value) => net.strideOf(v);

  // trailing activation that can be fused into the producer's epilogue
  const fuseAct = (name: string): [Activation, string] => {
    const c = only(name);
    if (c && (c.op === 'relu' || c.op === 'relu6')) { absorbed.add(c.name); return [c.op, c.name]; }
    return ['none', name];
  };

  let input: Value | undefined;
  for (const node of graph.nodes) {
    if (absorbed.has(node.name)) continue;
    const inShape = node.inputs.length ? byName.get(node.inputs[0])!.outShape : [];
    switch (node.op) {
      case 'input': {
        input = newValue(node.outShape, false);
        input.def = -1;
        valueOf.set(node.name, input);
        break;
      }
      case 'conv2d': {
        const n = node as Conv2dNode & GraphNode;
        const x = use(n.inputs[0]);
        const names = [n.name];
        let last = n.name;
        let bnNode: GraphNode | undefined;
        const c1 = only(n.name);
        if (c1 && c1.op === 'batchnorm') { bnNode = c1; absorbed.add(c1.name); names.push(c1.name); last = c1.name; }
        const [act, lastName] = fuseAct(last);
        if (lastName !== last) names.push(lastName);
        const y = newValue(n.outShape, true);
        const cin = inShape[3];
        const depthwise = n.groups === cin && n.outChannels === cin && n.groups > 1;
        let op: Conv2d | DepthwiseConv2d | undefined;
        const step: InternalStep = {
          nodes: names, kind: '', outShape: n.outShape, inputs: [x], output: y,
          build: () => {
            let w = net.layerWeights<ConvWeights>(n.name);
            let bias = w.bias ?? null;
            let weight = w.weight;
            if (bnNode) {
              const f = foldBn(w, net.layerWeights<BatchNormWeights>(bnNode.name), (bnNode as any).eps, n.outChannels);
              weight = f.weight; bias = f.bias;
            }
            if (depthwise) {
              op = new DepthwiseConv2d(e, { channels: cin, kernel: n.kernel, stride: n.stride, pad: n.pad, dilation: n.dilation, act }, weight, bias);
            } else {
              const c = new Conv2d(e, {
                inChannels: cin, outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, pad: n.pad, dilation: n.dilation,
                groups: n.groups, act, inputSize: [inShape[1], inShape[2]], winograd: net.winograd,
              }, weight, bias);
              net.wsFloats = Math.max(net.wsFloats, c.workspaceFloats(x.shape));
              op = c;
            }
            step.kind = op.path;
            if (!bnNode) net.dropWeights(n.name);
            const xs = x.shape, xp = ptr(x), yp = ptr(y), opts = { inStride: stride(x), outStride: stride(y) };
            if (op instanceof Conv2d) {
              const conv = op;
              return () => conv.run(xp, xs, yp, { ...opts, workspace: net.workspacePtr });
            }
            const dw = op;
            return () => dw.run(xp, xs, yp, opts);
          },
          dispose: () => { op?.dispose(); op = undefined; },
        };
        steps.push(step);
        valueOf.set(lastName, y);
        break;
      }
      case 'fc': {
        const n = node as FcNode & GraphNode;
        const x = use(n.inputs[0]);
        const [act, lastName] = fuseAct(n.name);
        const y = newValue(n.outShape, false);
        const batch = n.outShape[0];
        const inF = x.floats / batch;
        let op: FullyConnected | undefined;
        const step: InternalStep = {
          nodes: lastName === n.name ? [n.name] : [n.name, lastName], kind: batch === 1 ? 'gemv' : 'gemm', outShape: n.outShape, inputs: [x], output: y,
          build: () => {
            const w = net.layerWeights<FcWeights>(n.name);
            op = new FullyConnected(e, inF, n.outFeatures, w.weight, w.bias ?? null, act);
            net.dropWeights(n.name);
            const f = op, xp = ptr(x), yp = ptr(y);
            return () => f.run(batch, xp, yp);
          },
          dispose: () => { op?.dispose(); op = undefined; },
        };
        steps.push(step);
        valueOf.set(lastName, y);
        break;
      }
      case 'batchnorm': {
        const x = use(node.inputs[0]);
        const [act, lastName] = fuseAct(node.name);
        const y = newValue(node.outShape, false);
        const c = inShape[inShape.length - 1];
        let blocks: number[] = [];
        const step: InternalStep = {
          nodes: lastName === node.name ? [node.name] : [node.name, lastName], kind: 'scale_shift', outShape: node.outShape, inputs: [x], output: y,
          build: () => {
            const { scale, shift } = bnScaleShift({ ...net.layerWeights<BatchNormWeights>(node.name), eps: (node as any).eps }, c);
            blocks = [e.upload(scale), e.upload(shift)];
            const [sp, bp] = blocks, xp = ptr(x), yp = ptr(y), pixels = x.floats / c;
            return () => runScaleShift(e, pixels, c, xp, sp, bp, yp, act);
          },
          dispose: () => { for (const b of blocks) if (!e.isDisposed) e.release(b); blocks = []; },
        };
        steps.push(step);
        valueOf.set(lastName, y);
        break;
      }
      case 'relu': case 'relu6': {
        const x = use(node.inputs[0]);
        const y = newValue(node.outShape, false);
        const act = node.op;
        steps.push({
          nodes: [node.name], kind: 'clamp', outShape: node.outShape, inputs: [x], output: y,
          build: () => { const xp = ptr(x), yp = ptr(y), n = x.floats; return () => runActivation(e, act, n, xp, yp); },
          dispose: () => {},
        });
        valueOf.set(node.name, y);
        break;
      }
      case 'add': {
        const a = use(node.inputs[0]), b = use(node.inputs[1]);
        const c = only(node.name);
        const relu = !!c && c.op === 'relu';
        if (relu) absorbed.add(c!.name);
        const y = newValue(node.outShape, false);
        steps.push({
          nodes: relu ? [node.name, c!.name] : [node.name], kind: relu ? 'add_relu' : 'add', outShape: node.outShape, inputs: [a, b], output: y,
          build: () => { const ap = ptr(a), bp = ptr(b), yp = ptr(y), n = y.floats; return () => runAdd(e, n, ap, bp, yp, relu); },
          dispose: () => {},
        });
        valueOf.set(relu ? c!.name : node.name, y);
        break;
      }
      case 'maxpool': case 'avgpool': {
        const n = node as PoolNode & GraphNode;
        const x = use(n.inputs[0]);
        const y = newValue(n.outShape, true);
        const cfg = poolConfig({ kernel: n.kernel, stride: n.stride, pad: n.pad, ceil: n.ceil, countIncludePad: n.countIncludePad });
        const kind = n.op === 'maxpool' ? 'max' : 'avg';
        steps.push({
          nodes: [n.name], kind: `${kind}pool`, outShape: n.outShape, inputs: [x], output: y,
          build: () => {
            const xp = ptr(x), yp = ptr(y), xs = x.shape, opts = { inStride: stride(x), outStride: stride(y) };
            return () => runPool2d(e, kind, cfg, xp, xs, yp, opts);
          },
          dispose: () => {},
        });
        valueOf.set(n.name, y);
        break;
      }
      case 'globalavgpool': {
        const x = use(node.inputs[0]);
        const y = newValue(node.outShape, true);
        steps.push({
          nodes: [node.name], kind: 'global_avgpool', outShape: node.outShape, inputs: [x], output: y,
          build: () => {
            const xp = ptr(x), yp = ptr(y), xs = x.shape, opts = { inStride: stride(x), outStride: stride(y) };
            return () => runGlobalAvgPool(e, xp, xs, yp, opts);
          },
          dispose: () => {},
        });
        valueOf.set(node.name, y);
        break;
      }
      case 'lrn': {
        const n = node as LrnNode & GraphNode;
        const x = use(n.inputs[0]);
        const y = newValue(n.outShape, false);
        const cfg = lrnConfig({ size: n.size, alpha: n.alpha, beta: n.beta, k: n.k });
        steps.push({
          nodes: [n.name], kind: 'lrn', outShape: n.outShape, inputs: [x], output: y,
          build: () => { const xp = ptr(x), yp = ptr(y), xs = x.shape; return () => runLrn(e, cfg, xp, xs, yp); },
          dispose: () => {},
        });
        valueOf.set(n.name, y);
        break;
      }
      case 'softmax': {
        const x = use(node.inputs[0]);
        const y = newValue(node.outShape, false);
        const cols = node.outShape[node.outShape.length - 1];
        steps.push({
          nodes: [node.name], kind: 'softmax', outShape: node.outShape, inputs: [x], output: y,
          build: () => { const xp = ptr(x), yp = ptr(y), rows = x.floats / cols; return () => runSoftmax(e, rows, cols, xp, yp); },
          dispose: () => {},
        });
        valueOf.set(node.name, y);
        break;
      }
      case 'flatten': case 'dropout': {
        const x = use(node.inputs[0]);
        const y = newValue(node.outShape, false);
        y.aliasOf = x;
        y.def = x.def;
        valueOf.set(node.name, y);
        break;
      }
      case 'concat': {
        const ins = node.inputs.map((i) => use(i));
        const y = newValue(node.outShape, true);
        const copies: [Value, number][] = [];
        let off = 0;
        for (let i = 0; i < ins.length; i++) {
          const v = ins[i];
          const name = node.inputs[i];
          const sole = (consumers.get(name)?.length ?? 0) === 1 && name !== graph.output;
          if (sole && v.strided && !v.sliceOf && !v.aliasOf && v.def >= 0 && !ins.slice(0, i).includes(v)) {
            v.sliceOf = [y, off];
            y.def = Math.min(y.def, v.def);
          } else copies.push([v, off]);
          off += v.shape[3];
        }
        steps.push({
          nodes: [node.name], kind: copies.length ? 'concat_copy' : 'concat_inplace', outShape: node.outShape, inputs: ins, output: y,
          build: () => {
            const yp = ptr(y), ys = stride(y);
            const jobs = copies.map(([v, o]) => [v.floats / v.shape[3], v.shape[3], ptr(v), stride(v), o]);
            return () => { for (const [px, c, src, ss, o] of jobs) runCopyChannels(e, px, c, src, ss, yp, ys, o); };
          },
          dispose: () => {},
        });
        valueOf.set(node.name, y);
        break;
      }
      default:
        throw new Error(`layer "${(node as GraphNode).name}": op "${(node as GraphNode).op}" is not supported by the runtime`);
    }
  }
  if (!input) throw new Error(`graph "${graph.name}" has no input node`);
  const output = valueOf.get(graph.output);
  if (!output) throw new Error(`graph "${graph.name}": output "${graph.output}" is not computed`);
  return { steps, values, input, output };
}
