// Latency and energy prediction: a per-layer model whose parameters are a device profile (JSON).
//
// Per kernel step (one node, or a fused group on devices that fuse):
//   computeMs  = work / rate                  work = 2 x MACs + other ops, rate = the class's GFLOP/s
//                or, where the profile has one, its kernel model: ns per shape feature of the kernel
//                the step runs (GEMM tile k-steps by M tail, N panels, K blocks, weight panels
//                streamed; im2col / Winograd data movement; depthwise and pooling taps; ...; plus the
//                layer's weights streamed once from DRAM), fitted by calibrate-host.ts
//   memoryMs   = weight bytes / bandwidth     weights are read once per batch (amortised over its
//              + activation bytes / (activation bandwidth, default the same)   images); activations
//                                               are read + written for every image
//   overheadMs = per-layer overhead           (launch / dispatch / call cost of one kernel)
//   ms         = max(computeMs, memoryMs) + overheadMs;  bound = the largest of the three terms.
// msPerBatch = sum of the steps' ms; msPerImage = msPerBatch / batch; energy per image (mJ) =
// watts x msPerImage when the profile has a published power figure.
//
// How a graph maps to kernel steps is the profile's `execution`:
// - 'eager': every node is one kernel (PyTorch eager mode, how Bianco et al. 2018 measured):
//   conv, batchnorm and relu run separately, concat copies; input, flatten and dropout are free.
// - 'simdnet': this package's runtime (src/runtime/net.ts): batchnorm folded into the conv before
//   it, relu/relu6 fused into the producer's epilogue, add + relu fused, concat written in place
//   where the producer can write a channel slice; conv algorithm chosen as src/ops/conv2d.ts does.

import type { Conv2dNode, Graph, GraphNode, Shape } from '../graph/types.js';
import { GEMM_MR, im2colRows, winogradBand, winogradTile } from '../ops/tuning.js';
import { analyze, OP_CLASSES, type LayerCost, type OpClass } from './analyze.js';
import { BUILTIN_PROFILES } from './devices/profiles.js';

/** The `schema` value every profile carries. */
export const PROFILE_SCHEMA = 'simdnet-device/1';

/** Roofline of one op class. */
export interface ClassRoofline {
  /** Effective compute rate, GFLOP/s (1e9 FLOP/s; FLOPs = 2 x MACs + other ops). */
  gflops: number;
  /** Fixed cost of every kernel step of this class, microseconds. */
  overheadUs: number;
}

/**
 * Shape-aware kernel model (host profiles): per feature group, nanoseconds per unit of each
 * feature (see {@link kernelFeatures}); a group's `step` entry is that kernel's per-call overhead.
 */
export type KernelModel = Record<string, Record<string, number>>;

/** A device profile: the parameters of the latency model, as plain JSON data. */
export interface DeviceProfile {
  schema: typeof PROFILE_SCHEMA;
  /** Short name, e.g. `tx1`. */
  name: string;
  description: string;
  /** How graph nodes become kernel steps: see the file header. */
  execution: 'eager' | 'simdnet';
  /** Memory roofline, GB/s (1e9 bytes/s), over weight + activation bytes. */
  bandwidthGBs: number;
  /**
   * Optional separate rate for activation bytes, GB/s: on a CPU with a large last-level cache the
   * activations of a batch-1 network stay in cache while the weights stream from DRAM.
   * Absent: activations move at `bandwidthGBs` too.
   */
  activationBandwidthGBs?: number;
  /** One roofline per op class; every class present. */
  classes: Record<OpClass, ClassRoofline>;
  /** Optional shape-aware compute model; steps whose kind it covers use it instead of `classes`. */
  kernels?: KernelModel;
  /** Board power while running inference, W, with where the figure comes from; null when none. */
  power: { watts: number; source: string } | null;
  /** Where the parameters come from (data, script, machine). */
  source: string;
  /** Free-form record of the fit or calibration (errors, dates, samples). */
  fit?: unknown;
}

/** Options of {@link predict}. */
export interface PredictOptions {
  /** A profile, or the name of a built-in one (`tx1`, `titan-xp`). */
  device: DeviceProfile | string;
  /** Images per batch; default the graph's own batch. */
  batch?: number;
}

/** Which term of a step's time dominates. */
export type Bound = 'compute' | 'memory' | 'overhead';

/** One kernel step of a {@link Prediction}. */
export interface LayerPrediction {
  /** The step's first node. */
  name: string;
  /** Every graph node the step covers (more than one when the device fuses). */
  nodes: string[];
  opClass: OpClass;
  /** Kernel path, e.g. `im2col`, `winograd4`, `gemv`, `conv` (eager). */
  kind: string;
  /** max(computeMs, memoryMs) + overheadMs. */
  ms: number;
  bound: Bound;
  computeMs: number;
  memoryMs: number;
  overheadMs: number;
}

/** The result of {@link predict}. */
export interface Prediction {
  model: string;
  device: string;
  batch: number;
  msPerImage: number;
  /** Sum of `layers[].ms`. */
  msPerBatch: number;
  /** watts x msPerImage (W x ms = mJ); null when the profile has no power figure. */
  energyMjPerImage: number | null;
  layers: LayerPrediction[];
}

/** A malformed profile: the message names the file (or object) and the offending field. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

// --- steps ---------------------------------------------------------------------------------

/** One kernel step: what the latency model needs to know about it. */
export interface Step {
  name: string;
  nodes: string[];
  opClass: OpClass;
  kind: string;
  /** FLOPs = 2 x MACs + other ops, over the batch. */
  work: number;
  /** Parameter bytes (read once per batch). */
  weightBytes: number;
  /** Activation bytes read + written, over the batch. */
  actBytes: number;
  /** Shape features of the kernel model, by group (empty for eager steps). */
  features: KernelFeatures;
}

/** Feature counts by group: `{ gemm: { kStepMain: 1.2e6, ... }, im2col: { step: 1, float: 3e5 } }`. */
export type KernelFeatures = Record<string, Record<string, number>>;

const FREE_OPS = new Set(['input', 'flatten', 'dropout']);

/**
 * The kernel steps `graph` runs as, at `batch`, under an execution mode. Node order is kept; in
 * 'simdnet' mode a step covers a conv with its folded batchnorm and fused activation etc.
 */
export function deviceSteps(graph: Graph, execution: DeviceProfile['execution'], batch?: number): Step[] {
  const a = analyze(graph, batch === undefined ? {} : { batch });
  return execution === 'eager' ? eagerSteps(graph, a.layers) : simdnetSteps(graph, a.layers);
}

const workOf = (l: LayerCost) => 2 * l.macs + l.otherOps;

function eagerSteps(graph: Graph, layers: LayerCost[]): Step[] {
  const steps: Step[] = [];
  graph.nodes.forEach((node, i) => {
    if (FREE_OPS.has(node.op)) return;
    const l = layers[i]!;
    steps.push({
      name: node.name, nodes: [node.name], opClass: l.opClass, kind: node.op === 'conv2d' ? l.opClass : node.op,
      work: workOf(l), weightBytes: l.weightBytes, actBytes: l.readBytes + l.writeBytes, features: {},
    });
  });
  return steps;
}

/**
 * Mirrors the lowering of src/runtime/net.ts (`lower`): which nodes fuse, which concat inputs
 * are written in place, which kernel path each conv takes. test/predict.test.mjs checks it
 * against compiled networks' `plan.steps`, so a change there shows up as a failing test.
 */
function simdnetSteps(graph: Graph, layers: LayerCost[]): Step[] {
  const index = new Map(graph.nodes.map((n, i) => [n.name, i]));
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const x of n.inputs) {
    if (!consumers.has(x)) consumers.set(x, []);
    consumers.get(x)!.push(n);
  }
  const only = (name: string): GraphNode | undefined => {
    const c = consumers.get(name);
    return c && c.length === 1 && name !== graph.output ? c[0] : undefined;
  };
  const absorbed = new Set<string>();
  // Values by the node name they are published under: can the producer write a channel slice?
  const value = new Map<string, { strided: boolean; slice: boolean; input: boolean; alias: boolean }>();
  const steps: Step[] = [];
  const layer = (name: string) => layers[index.get(name)!]!;
  const fuseAct = (name: string, ops: readonly string[] = ['relu', 'relu6']): string => {
    const c = only(name);
    if (c && ops.includes(c.op)) { absorbed.add(c.name); return c.name; }
    return name;
  };
  const push = (nodes: string[], kind: string, features: KernelFeatures, extra?: Partial<Step>) => {
    const ls = nodes.map(layer);
    const first = ls[0]!, last = ls.at(-1)!;
    steps.push({
      name: nodes[0]!, nodes, opClass: first.opClass, kind,
      work: ls.reduce((s, l) => s + workOf(l), 0),
      weightBytes: ls.reduce((s, l) => s + l.weightBytes, 0),
      actBytes: first.readBytes + last.writeBytes,
      features, ...extra,
    });
  };
  const publish = (name: string, strided: boolean) => value.set(name, { strided, slice: false, input: false, alias: false });

  for (const node of graph.nodes) {
    if (absorbed.has(node.name)) continue;
    const l = layer(node.name);
    switch (node.op) {
      case 'input':
        value.set(node.name, { strided: false, slice: false, input: true, alias: false });
        break;
      case 'flatten': case 'dropout':
        value.set(node.name, { strided: false, slice: false, input: false, alias: true });
        break;
      case 'conv2d': {
        const nodes = [node.name];
        let last = node.name;
        const c1 = only(node.name);
        if (c1 && c1.op === 'batchnorm') { absorbed.add(c1.name); nodes.push(c1.name); last = c1.name; }
        const act = fuseAct(last);
        if (act !== last) nodes.push(act);
        const { kind, features } = convFeatures(node as Conv2dNode & GraphNode, l.inShapes[0]!, l.outShape);
        push(nodes, kind, features);
        publish(act, true);
        break;
      }
      case 'fc': {
        const act = fuseAct(node.name);
        const nodes = act === node.name ? [node.name] : [node.name, act];
        const [n, inF] = l.inShapes[0] as [number, number];
        const out = l.outShape[1]!;
        const f: KernelFeatures = {};
        if (n === 1) add(f, 'gemv', { step: 1, float: Math.ceil(out / 8) * (inF + 1) * 8 });
        else {
          add(f, 'fcgemm', { step: 1 });
          gemmFeatures(f, n, out, inF, 1, packedBytes(inF, out));
          addCold(f, packedBytes(inF, out) / 4);
        }
        push(nodes, n === 1 ? 'gemv' : 'gemm', f);
        publish(act, false);
        break;
      }
      case 'batchnorm': {
        const act = fuseAct(node.name);
        push(act === node.name ? [node.name] : [node.name, act], 'scale_shift',
          { scale_shift: { step: 1, float: elems(l.outShape) } });
        publish(act, false);
        break;
      }
      case 'relu': case 'relu6':
        push([node.name], 'clamp', { clamp: { step: 1, float: elems(l.outShape) } });
        publish(node.name, false);
        break;
      case 'add': {
        const act = fuseAct(node.name, ['relu']);
        const kind = act === node.name ? 'add' : 'add_relu';
        push(act === node.name ? [node.name] : [node.name, act], kind, { [kind]: { step: 1, float: elems(l.outShape) } });
        publish(act, false);
        break;
      }
      case 'maxpool': case 'avgpool': {
        const [n, ho, wo, c] = l.outShape as [number, number, number, number];
        // taps x N x C from the handlers' counts: maxpool compares = taps - windows, avgpool = taps
        const taps = node.op === 'maxpool' ? l.otherOps + n * ho * wo * c : l.otherOps;
        const kind = node.op;
        push([node.name], kind, { [kind]: { step: 1, tapVec: taps * c4(c) / c, pixel: n * ho * wo } });
        publish(node.name, true);
        break;
      }
      case 'globalavgpool': {
        const s = l.inShapes[0]!;
        push([node.name], 'global_avgpool', { global_avgpool: { step: 1, vec: (elems(s) / s[3]!) * c4(s[3]!) } });
        publish(node.name, true);
        break;
      }
      case 'lrn':
        push([node.name], 'lrn', { lrn: { step: 1, float: elems(l.outShape) } });
        publish(node.name, false);
        break;
      case 'softmax':
        push([node.name], 'softmax', { softmax: { step: 1, float: elems(l.outShape) } });
        publish(node.name, false);
        break;
      case 'concat': {
        let copied = 0;
        node.inputs.forEach((x, i) => {
          const v = value.get(x);
          const sole = (consumers.get(x)?.length ?? 0) === 1 && x !== graph.output;
          if (v && sole && v.strided && !v.slice && !v.alias && !v.input && !node.inputs.slice(0, i).includes(x)) v.slice = true;
          else copied += elems(l.inShapes[i]!);
        });
        const kind = copied ? 'concat_copy' : 'concat_inplace';
        push([node.name], kind, { [kind]: copied ? { step: 1, float: copied } : { step: 1 } },
          { actBytes: 2 * 4 * copied });
        publish(node.name, true);
        break;
      }
      default: {
        const bad = node as { name: string; op: string };
        throw new Error(`layer "${bad.name}" (${bad.op}): no simdnet kernel step for op "${bad.op}"`);
      }
    }
  }
  return steps;
}

// --- shape features of the kernel model ----------------------------------------------------

const elems = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const c4 = (c: number) => Math.ceil(c / 4) * 4;

function add(f: KernelFeatures, group: string, counts: Record<string, number>): void {
  const g = (f[group] ??= {});
  for (const [k, v] of Object.entries(counts)) g[k] = (g[k] ?? 0) + v;
}

/** Rows of the GEMM's main tile, from the kernels' tuning table (test/predict.test.mjs checks it against the assembly). */
export { GEMM_MR };

/**
 * Features of `times` calls of the packed GEMM (assembly/gemm/f32_gemm.ts) on an m x k by k x n
 * product: NR = 8 panels (N tail padded), GEMM_MR x 8 main tiles with 4x8 and 1x8 for M tails
 * (tails of 5 or more rows run the main tile), K blocked above 512 (each block re-enters the
 * tile). Units: `kStepMain` / `kStep4` / `kStep1` = tile k-steps of each tile, `tileCall` = tile
 * entries, `call` = GEMM calls, `wFloat` = packed weight floats streamed (once per call: what
 * makes a 7x7-map layer with a big weight matrix slow), split by where they come from: `wFloat`
 * (the matrix fits L2), `wFloatBig` (it does not), `wFloatDram` (the step's whole weight set,
 * `setBytes`, exceeds a last-level cache).
 */
export function gemmFeatures(f: KernelFeatures, m: number, n: number, k: number, times = 1, setBytes = 0): void {
  if (m <= 0 || times <= 0) return;
  const panels = Math.ceil(n / 8);
  const tail = m % GEMM_MR;
  const tMain = Math.floor(m / GEMM_MR) + (tail > 4 ? 1 : 0);
  const t4 = tail >= 2 && tail <= 4 ? 1 : 0;
  const t1 = tail === 1 ? 1 : 0;
  const kBlocks = k <= 512 ? 1 : Math.floor((k + 383) / 384);
  add(f, 'gemm', {
    kStepMain: times * tMain * panels * k, kStep4: times * t4 * panels * k, kStep1: times * t1 * panels * k,
    tileCall: times * (tMain + t4 + t1) * panels * kBlocks, call: times,
    [setBytes > LLC_BYTES ? 'wFloatDram' : panels * (k + 1) * 32 > L2_BYTES ? 'wFloatBig' : 'wFloat']: times * panels * (k + 1) * 8,
  });
}

/**
 * Data that no longer fits a typical per-core L2 (1 MiB) streams from the last-level cache or DRAM:
 * the streaming features are split at this size so the two rates are fitted separately.
 */
const L2_BYTES = 1 << 20;
/** Weight sets above a typical last-level cache (16 MiB) are re-read from DRAM: a third rate. */
const LLC_BYTES = 16 << 20;
const big = (floats: number) => floats * 4 > L2_BYTES;
/** Bytes of a k x n weight matrix packed into 8-wide panels with its bias row. */
const packedBytes = (k: number, n: number) => Math.ceil(n / 8) * (k + 1) * 32;


/** The conv algorithm the runtime picks for a node (src/ops/conv2d.ts) and its shape features. */
export function convFeatures(node: Conv2dNode, inShape: Shape, outShape: Shape): { kind: string; features: KernelFeatures } {
  const [n, , , cin] = inShape as [number, number, number, number];
  const [, ho, wo, cout] = outShape as [number, number, number, number];
  const [kh, kw] = node.kernel;
  const g = node.groups;
  const f: KernelFeatures = {};
  if (g === cin && cout === cin && g > 1) {
    const plain3 = kh === 3 && kw === 3 && node.dilation[0] === 1 && node.dilation[1] === 1;
    const kind = plain3 && node.stride[0] === 1 && node.stride[1] === 1 ? 'dw3x3s1'
      : plain3 && node.stride[0] === 2 && node.stride[1] === 2 ? 'dw3x3s2' : 'dwgeneric';
    add(f, kind, { step: 1, tapVec: n * ho * wo * (c4(cin) / 4) * kh * kw, pixel: n * ho * wo });
    addCold(f, (kh * kw + 1) * c4(cin));
    return { kind, features: f };
  }
  if (kh === 1 && kw === 1 && g === 1 && node.pad.every((p) => p === 0)) {
    const strided = node.stride[0] !== 1 || node.stride[1] !== 1;
    add(f, 'conv1x1', { step: 1, gatherFloat: strided ? n * ho * wo * cin : 0 });
    addCold(f, packedBytes(cin, cout) / 4);
    gemmFeatures(f, n * ho * wo, cout, cin, 1, packedBytes(cin, cout));
    return { kind: 'conv1x1', features: f };
  }
  const winograd = kh === 3 && kw === 3 && node.stride[0] === 1 && node.stride[1] === 1 &&
    node.dilation[0] === 1 && node.dilation[1] === 1 && g === 1;
  const m = winograd ? winogradTile(cin, cout, ho, wo) : 0;
  if (m) {
    const a = m + 2;
    const tiles = Math.ceil(ho / m) * Math.ceil(wo / m);
    const band = winogradBand(m, cin, cout, tiles);
    const full = Math.floor(tiles / band), rest = tiles - full * band;
    const kind = `winograd${m}`;
    const inF = n * tiles * c4(cin) * a * a, outF = n * tiles * c4(cout) * a * a;
    add(f, kind, {
      step: 1, [big(elems(inShape) / n) ? 'inFloatBig' : 'inFloat']: inF, [big(elems(outShape) / n) ? 'outFloatBig' : 'outFloat']: outF,
    });
    addCold(f, a * a * packedBytes(cin, cout) / 4);
    gemmFeatures(f, band, cout, cin, n * full * a * a, a * a * packedBytes(cin, cout));
    gemmFeatures(f, rest, cout, cin, n * a * a, a * a * packedBytes(cin, cout));
    return { kind, features: f };
  }
  const cg = cin / g, og = cout / g, k = kh * kw * cg;
  const pixels = ho * wo;
  const rows = im2colRows(k, pixels);
  const full = Math.floor(pixels / rows), rest = pixels - full * rows;
  add(f, 'im2col', { step: 1, [big(elems(inShape) / n) ? 'floatBig' : 'float']: n * g * pixels * k, run: n * g * pixels * kh * kw });
  addCold(f, g * packedBytes(k, og) / 4);
  gemmFeatures(f, rows, og, k, n * g * full, g * packedBytes(k, og));
  gemmFeatures(f, rest, og, k, n * g, g * packedBytes(k, og));
  return { kind: 'im2col', features: f };
}

/**
 * Feature group of the weights a step streams on first touch, in floats as the kernel stores them
 * (packed panels; Winograd's transformed U is 16/9 or 4x the 3x3 weights). A microbenchmark runs
 * with its weights in cache; inside a network each layer's weights were last used a whole run ago,
 * so they come from DRAM. Calibration sets `kernels.coldWeights.float` from the measured DRAM
 * bandwidth (ns per float = 4 / GB/s) instead of fitting it; a profile without it adds nothing.
 */
export const COLD = 'coldWeights';

/**
 * Adds a step's cold-weight floats. Only sets up to the last-level cache count: a microbenchmark of
 * a bigger set (Winograd's U of a 512 -> 512 layer is 38 MB) already streams it from DRAM every run,
 * and its GEMM features price that (wFloatDram), so adding it again counted it twice.
 */
function addCold(f: KernelFeatures, floats: number): void {
  if (floats * 4 <= LLC_BYTES) add(f, COLD, { float: floats });
}

/** The feature group whose `step` is a step's overhead (the step kind, except fc at batch > 1). */
function overheadGroup(s: Step): string | undefined {
  return Object.keys(s.features).find((g) => g !== 'gemm' && g !== COLD);
}

// --- the model -----------------------------------------------------------------------------

/** The three terms of one step's time under a profile, ms. */
export function stepTimes(s: Step, p: DeviceProfile): { computeMs: number; memoryMs: number; overheadMs: number } {
  const cls = p.classes[s.opClass];
  const memoryMs = s.weightBytes / (p.bandwidthGBs * 1e6) + s.actBytes / ((p.activationBandwidthGBs ?? p.bandwidthGBs) * 1e6);
  const og = overheadGroup(s);
  const km = p.kernels;
  if (km && og && km[og] && Object.keys(s.features).every((g) => km[g] || g === COLD)) {
    let ns = 0, over = 0;
    for (const [g, counts] of Object.entries(s.features)) {
      for (const [k, v] of Object.entries(counts)) {
        if (k === 'step') over += (km[g]?.[k] ?? 0) * v;
        else ns += (km[g]?.[k] ?? 0) * v;
      }
    }
    return { computeMs: ns * 1e-6, memoryMs, overheadMs: over * 1e-6 };
  }
  return { computeMs: s.work / (cls.gflops * 1e6), memoryMs, overheadMs: cls.overheadUs * 1e-3 };
}

/**
 * Predicted latency (and energy) of `graph` on a device. Every step's time is
 * max(compute, memory) + overhead (see the file header); the totals are sums over steps.
 * @throws RangeError for an unknown built-in device name or a batch that is not a positive integer;
 *   {@link ProfileError} for a malformed profile object.
 */
export function predict(graph: Graph, options: PredictOptions): Prediction {
  const p = resolveDevice(options.device);
  if (options.batch !== undefined && (!Number.isInteger(options.batch) || options.batch <= 0)) {
    throw new RangeError(`batch must be a positive integer, got ${options.batch}`);
  }
  const steps = deviceSteps(graph, p.execution, options.batch);
  const batch = options.batch ?? graph.nodes.find((n) => n.name === graph.input)!.outShape[0]!;
  const layers = steps.map((s): LayerPrediction => {
    const t = stepTimes(s, p);
    const ms = Math.max(t.computeMs, t.memoryMs) + t.overheadMs;
    const bound: Bound = t.overheadMs > Math.max(t.computeMs, t.memoryMs) ? 'overhead'
      : t.memoryMs > t.computeMs ? 'memory' : 'compute';
    return { name: s.name, nodes: s.nodes, opClass: s.opClass, kind: s.kind, ms, bound, ...t };
  });
  const msPerBatch = layers.reduce((a, l) => a + l.ms, 0);
  const msPerImage = msPerBatch / batch;
  return {
    model: graph.name, device: p.name, batch, msPerImage, msPerBatch,
    energyMjPerImage: p.power ? p.power.watts * msPerImage : null,
    layers,
  };
}

/** The machine-readable report of the CLI's `predict --json`: fixed keys, in this order. */
export function predictionJson(r: Prediction) {
  return {
    model: r.model, device: r.device, batch: r.batch, msPerImage: r.msPerImage, msPerBatch: r.msPerBatch,
    energyMjPerImage: r.energyMjPerImage,
    layers: r.layers.map((l) => ({ name: l.name, nodes: l.nodes, opClass: l.opClass, kind: l.kind, ms: l.ms, bound: l.bound })),
  };
}

/** A text table of a prediction: the slowest steps, shares by class, totals. */
export function formatPrediction(r: Prediction, top = 15): string {
  const lines = [`${r.model} on ${r.device}, batch ${r.batch}: ${r.msPerImage.toFixed(3)} ms/image, ` +
    `${r.msPerBatch.toFixed(3)} ms/batch` +
    (r.energyMjPerImage === null ? ', no power figure for this device' : `, ${r.energyMjPerImage.toFixed(1)} mJ/image`)];
  lines.push('', `slowest ${Math.min(top, r.layers.length)} of ${r.layers.length} steps:`);
  const rows = [...r.layers].sort((a, b) => b.ms - a.ms).slice(0, top);
  const w = Math.max(5, ...rows.map((l) => l.name.length));
  lines.push(`  ${'layer'.padEnd(w)}  ${'class'.padEnd(8)} ${'kind'.padEnd(14)} ${'ms'.padStart(9)}  bound`);
  for (const l of rows) {
    lines.push(`  ${l.name.padEnd(w)}  ${l.opClass.padEnd(8)} ${l.kind.padEnd(14)} ${l.ms.toFixed(3).padStart(9)}  ${l.bound}`);
  }
  lines.push('', 'by class:');
  for (const c of OP_CLASSES) {
    const ls = r.layers.filter((l) => l.opClass === c);
    if (!ls.length) continue;
    const ms = ls.reduce((a, l) => a + l.ms, 0);
    lines.push(`  ${c.padEnd(8)} ${String(ls.length).padStart(4)} steps ${ms.toFixed(3).padStart(10)} ms  ${(100 * ms / r.msPerBatch).toFixed(1).padStart(5)}%`);
  }
  return lines.join('\n');
}

// --- profiles ------------------------------------------------------------------------------

/** Names of the built-in profiles. */
export const BUILTIN_DEVICES: readonly string[] = Object.freeze(Object.keys(BUILTIN_PROFILES));

/** A built-in profile by name (`tx1`, `titan-xp`). @throws RangeError for an unknown name. */
export function deviceProfile(name: string): DeviceProfile {
  if (!Object.prototype.hasOwnProperty.call(BUILTIN_PROFILES, name)) {
    throw new RangeError(`unknown device "${name}"; built-in devices: ${BUILTIN_DEVICES.join(', ')}`);
  }
  return BUILTIN_PROFILES[name]!;
}

function resolveDevice(d: DeviceProfile | string): DeviceProfile {
  if (typeof d === 'string') return deviceProfile(d);
  return validateProfile(d);
}

/**
 * Checks that `x` is a well-formed profile and returns it typed. `where` names it in errors
 * (e.g. the file it was read from).
 * @throws ProfileError naming the field and what was expected.
 */
export function validateProfile(x: unknown, where = 'device profile'): DeviceProfile {
  const fail = (msg: string): never => { throw new ProfileError(`${where}: ${msg}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  const pos = (v: unknown, path: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(`${path} must be a positive number, got ${show(v)}`);
  const nonneg = (v: unknown, path: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(`${path} must be a number >= 0, got ${show(v)}`);
  const str = (v: unknown, path: string): string => (typeof v === 'string' ? v : fail(`${path} must be a string, got ${show(v)}`));

  if (!isObj(x)) fail(`expected a JSON object, got ${Array.isArray(x) ? 'an array' : show(x)}`);
  const o = x as Record<string, unknown>;
  if (o.schema !== PROFILE_SCHEMA) fail(`schema must be "${PROFILE_SCHEMA}", got ${show(o.schema)}`);
  if (!str(o.name, 'name')) fail('name must not be empty');
  str(o.description, 'description');
  str(o.source, 'source');
  if (o.execution !== 'eager' && o.execution !== 'simdnet') fail(`execution must be "eager" or "simdnet", got ${show(o.execution)}`);
  pos(o.bandwidthGBs, 'bandwidthGBs');
  if (o.activationBandwidthGBs !== undefined) pos(o.activationBandwidthGBs, 'activationBandwidthGBs');
  if (!isObj(o.classes)) fail(`classes must be an object with ${OP_CLASSES.join(', ')}, got ${show(o.classes)}`);
  const classes = o.classes as Record<string, unknown>;
  for (const c of OP_CLASSES) {
    const r = classes[c];
    if (!isObj(r)) fail(`classes.${c} must be an object { gflops, overheadUs }, got ${show(r)}`);
    pos((r as any).gflops, `classes.${c}.gflops`);
    nonneg((r as any).overheadUs, `classes.${c}.overheadUs`);
  }
  for (const c of Object.keys(classes)) {
    if (!(OP_CLASSES as readonly string[]).includes(c)) fail(`classes.${c}: unknown op class (known: ${OP_CLASSES.join(', ')})`);
  }
  if (o.kernels !== undefined) {
    if (!isObj(o.kernels)) fail(`kernels must be an object of feature groups, got ${show(o.kernels)}`);
    for (const [g, coefs] of Object.entries(o.kernels as Record<string, unknown>)) {
      if (!isObj(coefs)) fail(`kernels.${g} must be an object of ns per feature, got ${show(coefs)}`);
      for (const [k, v] of Object.entries(coefs as Record<string, unknown>)) nonneg(v, `kernels.${g}.${k}`);
    }
  }
  if (o.power !== null) {
    if (!isObj(o.power)) fail(`power must be null or { watts, source }, got ${show(o.power)}`);
    pos((o.power as any).watts, 'power.watts');
    str((o.power as any).source, 'power.source');
  }
  return o as unknown as DeviceProfile;
}
