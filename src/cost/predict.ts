// Latency and energy prediction: a per-layer model whose parameters are a device profile (JSON).
//
// Per kernel step (one node, or a fused group on devices that fuse):
//   computeMs  = work / rate                  work = 2 x MACs + other ops, rate = the class's GFLOP/s
//                or, where the profile has one, its kernel model: ns per shape feature of the kernel
//                the step runs (GEMM tile k-steps by M tail, N panels, K blocks, weight panels
//                streamed; im2col / Winograd data movement; depthwise and pooling taps; ...; plus the
//                layer's weights streamed once from DRAM), fitted by src/calibrate/host.ts
//   memoryMs   = weight bytes / bandwidth     weights are read once per batch (amortised over its
//              + activation bytes / (activation bandwidth, default the same)   images); activations
//                                               are read + written for every image
//   overheadMs = per-layer overhead           (launch / dispatch / call cost of one kernel)
//   ms         = max(computeMs, memoryMs) + overheadMs;  bound = the largest of the three terms.
// msPerBatch = sum of the steps' ms; msPerImage = msPerBatch / batch; energy per image (mJ) =
// watts x msPerImage when the profile has a published power figure.
//
// How a graph maps to kernel steps is the profile's `execution`:
// - 'eager': every node is one kernel: conv, batchnorm and relu run separately, concat copies;
//   input, flatten and dropout are free.
// - 'pytorch': the kernels PyTorch 0.4 eager mode with cuDNN launches (src/cost/framework.ts:
//   conv bias as its own kernel, LRN as seven, addmm's bias copy, views free), how Bianco et al.
//   2018 measured the Jetson TX1 and the Titan Xp.
//
// GPU profiles may add two physical refinements:
// - `gpu` (streaming multiprocessors and the convolution kernels' output tile): a convolution's
//   compute is priced on the tiles it occupies, in waves over the SMs, so a 7 x 7 map at batch 1
//   (49 output pixels in a 128-pixel tile, a few tiles for 30 SMs) runs far below the class rate;
// - `launch` (the host's CPU cost to issue one kernel): the steps form a launch queue, not a sum.
//   Kernel i is issued at i x issue cost and starts at max(end of kernel i - 1, its issue time), so
//   a network of many small kernels at batch 1 is bound by the CPU and a large one by the GPU, and
//   the per-kernel GPU cost (the class overhead) is only what the GPU itself spends.
//   A step's `ms` is then how far it moved the end of the timeline (sum of steps = total).
// - 'simdnet': this package's runtime (src/runtime/net.ts): batchnorm folded into the conv before
//   it, relu/relu6 fused into the producer's epilogue, add + relu fused, concat written in place
//   where the producer can write a channel slice; conv algorithm chosen as src/ops/conv2d.ts does.

import type { Conv2dNode, Graph, Shape } from '../graph/types.js';
import { GEMM_MR, GEMM_NR, GEMM_TAILS, gemmKBlock, gemmTileFor } from '../kernels/gemm-config.js';
import { im2colRows, winograd1dTiles, winogradBand, winogradBandOf, WINOGRAD1D_M } from '../kernels/select.js';
import { validateGraph } from '../graph/validate.js';
import { numel } from '../graph/ops.js';
import { lower, planEngineBytes, type Lowered, type Step as LoweredStep, type StepKind } from '../lower/index.js';
import { analyze, rebatch, OP_CLASSES, type LayerCost, type OpClass } from './analyze.js';
import { BUILTIN_PROFILES } from './devices/profiles.js';
import { ProfileError, validateProfile, type DeviceProfile } from './profile.js';
import { pytorchSteps } from './framework.js';
import { pytorchReservedBytes } from './gpu-memory.js';
import type { KernelFeatures, Step } from './step.js';

export { ProfileError, validateProfile, PROFILE_SCHEMA, type DeviceProfile, type ClassRoofline, type KernelModel } from './profile.js';

/** Options of {@link predict}. */
export interface PredictOptions {
  /** A profile, or the name of a built-in one (`tx1`, `titan-xp`). */
  device: DeviceProfile | string;
  /** Images per batch; default the graph's own batch. */
  batch?: number;
  /**
   * Kernel threads (simdnet devices whose profile was calibrated with threads): each step's time
   * divided by its class's measured speed-up, interpolated linearly between 1 and the calibrated
   * count. Default 1.
   */
  threads?: number;
}

/** Which term of a step's time dominates; `launch`: the GPU waited for the host to issue it. */
export type Bound = 'compute' | 'memory' | 'overhead' | 'launch';

/** One kernel step of a {@link Prediction}. */
export interface LayerPrediction {
  /** The step's first node. */
  name: string;
  /** Every graph node the step covers (more than one when the device fuses). */
  nodes: string[];
  opClass: OpClass;
  /** Kernel path, e.g. `im2col`, `winograd4`, `gemv`, `conv` (eager). */
  kind: string;
  /**
   * max(computeMs, memoryMs) + overheadMs; on a profile with a launch queue, how far the step moved
   * the end of the timeline (0 when it ran hidden behind an earlier one's wait, more when it waited).
   */
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
  /**
   * Memory the network needs at this batch, bytes: on a GPU profile with a memory model, the
   * framework floor + weights + what PyTorch's caching allocator holds for the activations (see
   * {@link predictMemoryBytes}); on a
   * simdnet profile, the wasm memory the planner sizes for it; null otherwise.
   */
  memoryBytes: number | null;
  layers: LayerPrediction[];
}

// --- steps ---------------------------------------------------------------------------------

export type { Step, KernelFeatures } from './step.js';

const FREE_OPS = new Set(['input', 'flatten', 'dropout']);

/**
 * The kernel steps `graph` runs as, at `batch`, under an execution mode. Node order is kept; in
 * 'simdnet' mode they are the runtime's own steps (the lowering, src/lower): a step covers a conv
 * with its folded batch norm and fused activation etc., and its kind is the kernel path.
 */
export function deviceSteps(graph: Graph, execution: DeviceProfile['execution'], batch?: number): Step[] {
  return plan(graph, execution, batch).steps();
}

/**
 * One graph at one batch, counted once: its steps under an execution and its memory, both from
 * the same re-batched graph, analysis and (for 'simdnet') lowering.
 */
function plan(graph: Graph, execution: DeviceProfile['execution'], batch?: number) {
  validateGraph(graph);
  const g = batch === undefined ? graph : rebatch(graph, batch);
  const a = analyze(g);
  let lowered: Lowered | undefined;
  const lowering = () => (lowered ??= lower(g));
  return {
    steps: (): Step[] => {
      if (execution === 'pytorch') return pytorchSteps(g, a.layers);
      return execution === 'eager' ? eagerSteps(g, a.layers) : simdnetSteps(lowering(), a.layers);
    },
    memoryBytes: (p: Pick<DeviceProfile, 'execution' | 'memory'>, threads: number): number | null => {
      if (p.execution === 'simdnet') return planEngineBytes(lowering(), threads);
      if (p.execution === 'pytorch' && p.memory) {
        const m = p.memory;
        return m.floorBytes + m.weightFactor * a.weightBytes + m.activationFactor * pytorchReservedBytes(g);
      }
      return null;
    },
  };
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

/** The lowering's steps priced: work and bytes from the nodes they cover, features by kernel path. */
function simdnetSteps(lowered: Lowered, layers: LayerCost[]): Step[] {
  const index = new Map(lowered.graph.nodes.map((n, i) => [n.name, i]));
  const layer = (name: string) => layers[index.get(name)!]!;
  return lowered.steps.map((st) => {
    const ls = st.nodes.map(layer);
    const first = ls[0]!, last = ls.at(-1)!;
    const copied = st.copies.reduce((sum, c) => sum + lowered.values[c.value]!.floats, 0);
    return {
      name: st.nodes[0]!, nodes: st.nodes, opClass: first.opClass, kind: st.kind,
      work: ls.reduce((sum, l) => sum + workOf(l), 0),
      weightBytes: ls.reduce((sum, l) => sum + l.weightBytes, 0),
      // a concat's inputs written in place cost their producers, not the concat
      actBytes: st.node.op === 'concat' ? 2 * 4 * copied : first.readBytes + last.writeBytes,
      features: STEP_FEATURES[st.kind](st, first, copied),
    };
  });
}

/** Shape features of each kernel path (the host model's units; see calibrate's fit). */
const STEP_FEATURES: { readonly [K in StepKind]: (s: LoweredStep, l: LayerCost, copied: number) => KernelFeatures } = {
  conv1x1: convStep, im2col: convStep, winograd2: convStep, winograd4: convStep, winograd1d: convStep,
  dw3x3s1: convStep, dw3x3s2: convStep, dwgeneric: convStep,
  gemv: fcStep, gemm: fcStep,
  scale_shift: (_s, l) => ({ scale_shift: { step: 1, float: numel(l.outShape) } }),
  clamp: (_s, l) => ({ clamp: { step: 1, float: numel(l.outShape) } }),
  add: (_s, l) => ({ add: { step: 1, float: numel(l.outShape) } }),
  add_relu: (_s, l) => ({ add_relu: { step: 1, float: numel(l.outShape) } }),
  maxpool: poolStep, avgpool: poolStep,
  global_avgpool: (_s, l) => ({ global_avgpool: globalPoolFeatures(l.inShapes[0]!) }),
  lrn: (_s, l) => ({ lrn: { step: 1, float: numel(l.outShape) } }),
  softmax: (_s, l) => ({ softmax: { step: 1, float: numel(l.outShape) } }),
  sigmoid: (_s, l) => ({ sigmoid: { step: 1, float: numel(l.outShape) } }),
  channel_mul: (_s, l) => ({ channel_mul: { step: 1, float: numel(l.outShape) } }),
  channel_mul_add: (_s, l) => ({ channel_mul_add: { step: 1, float: numel(l.outShape) } }),
  leaky_relu: (_s, l) => ({ leaky_relu: { step: 1, float: numel(l.outShape) } }),
  scale: (_s, l) => ({ scale: { step: 1, float: numel(l.outShape) } }),
  channel_shuffle: (_s, l) => ({ channel_shuffle: { step: 1, float: numel(l.outShape) } }),
  // the concat's strided copy kernel, a run per pixel out of a wider one: a cost per run, and per
  // float one rate while the map fits L2 (`float`), another beyond (`floatBig`)
  channel_slice: (_s, l) => ({
    channel_slice: { step: 1, pixel: numel(l.outShape) / l.outShape[3]!, [big(numel(l.inShapes[0]!)) ? 'floatBig' : 'float']: numel(l.outShape) },
  }),
  global_maxpool: (_s, l) => ({ global_maxpool: globalPoolFeatures(l.inShapes[0]!) }),
  // a copy streams at one rate while what it copies fits L2 and a slower one beyond it
  concat_copy: (_s, _l, copied) => ({ concat_copy: { step: 1, [big(copied) ? 'floatBig' : 'float']: copied } }),
  concat_inplace: () => ({ concat_inplace: { step: 1 } }),
};

function convStep(s: LoweredStep, l: LayerCost): KernelFeatures {
  return convFeatures(s.node as Conv2dNode, s.kind, l.inShapes[0]!, l.outShape);
}

function fcStep(s: LoweredStep, l: LayerCost): KernelFeatures {
  const [n, inF] = l.inShapes[0] as [number, number];
  const out = l.outShape[1]!;
  const f: KernelFeatures = {};
  if (s.kind === 'gemv') add(f, 'gemv', { step: 1, float: Math.ceil(out / GEMM_NR) * (inF + 1) * GEMM_NR });
  else {
    add(f, 'fcgemm', { step: 1 });
    gemmFeatures(f, n, out, inF, 1, packedBytes(inF, out));
    addCold(f, packedBytes(inF, out) / 4);
  }
  return f;
}

/**
 * A global pool reads its map once, 4 channels per vector: `vec` while the map fits L2, `vecBig`
 * beyond (measured here: a 112 x 112 x 64 map streams at a quarter of the rate of a 28 x 28 x 256
 * one), so one linear rate does not mispredict the small maps at the end of every network.
 */
function globalPoolFeatures(s: Shape): Record<string, number> {
  const vec = (numel(s) / s[3]!) * c4(s[3]!);
  return { step: 1, [big(numel(s)) ? 'vecBig' : 'vec']: vec };
}

function poolStep(s: LoweredStep, l: LayerCost): KernelFeatures {
  const [n, ho, wo, c] = l.outShape as [number, number, number, number];
  // taps x N x C from the handlers' counts: maxpool compares = taps - windows, avgpool = taps
  const taps = s.kind === 'maxpool' ? l.otherOps + n * ho * wo * c : l.otherOps;
  return { [s.kind]: { step: 1, tapVec: taps * c4(c) / c, pixel: n * ho * wo } };
}

// --- shape features of the kernel model ----------------------------------------------------

const c4 = (c: number) => Math.ceil(c / 4) * 4;

function add(f: KernelFeatures, group: string, counts: Record<string, number>): void {
  const g = (f[group] ??= {});
  for (const [k, v] of Object.entries(counts)) g[k] = (g[k] ?? 0) + v;
}

/**
 * Features of `times` calls of the packed GEMM (the generated driver, src/kernels/gemm-config.ts)
 * on an m x k by k x n product: NR-wide panels (N tail padded), GEMM_MR-row blocks on the main
 * tile and the M tail on the tile the configuration gives it, K in blocks (each re-enters the
 * tile). Units: `kStepMain` / `kStep<mr>` = tile k-steps of the main / each tail tile,
 * `tileCall` = tile entries, `call` = GEMM calls, `wFloat` = packed weight floats streamed (once
 * per call: what makes a 7x7-map layer with a big weight matrix slow), split by where they come
 * from: `wFloat` (the matrix fits L2), `wFloatBig` (it does not), `wFloatDram` (the step's whole
 * weight set, `setBytes`, exceeds a last-level cache).
 */
export function gemmFeatures(f: KernelFeatures, m: number, n: number, k: number, times = 1, setBytes = 0): void {
  if (m <= 0 || times <= 0) return;
  const panels = Math.ceil(n / GEMM_NR);
  const tail = m % GEMM_MR;
  const tiles = new Map<number, number>([[GEMM_MR, Math.floor(m / GEMM_MR)]]);
  if (tail) { const t = gemmTileFor(tail).mr; tiles.set(t, (tiles.get(t) ?? 0) + 1); }
  const kBlocks = Math.ceil(k / gemmKBlock(k));
  const counts: Record<string, number> = {};
  let entries = 0;
  for (const { mr } of GEMM_TAILS) {
    const c = tiles.get(mr) ?? 0;
    counts[mr === GEMM_MR ? 'kStepMain' : `kStep${mr}`] = times * c * panels * k;
    entries += c;
  }
  const packed = panels * (k + 1) * GEMM_NR;
  add(f, 'gemm', {
    ...counts, tileCall: times * entries * panels * kBlocks, call: times,
    [setBytes > LLC_BYTES ? 'wFloatDram' : packed * 4 > L2_BYTES ? 'wFloatBig' : 'wFloat']: times * packed,
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
const packedBytes = (k: number, n: number) => Math.ceil(n / GEMM_NR) * (k + 1) * GEMM_NR * 4;


/** Shape features of a conv step on kernel path `kind` (the lowering's choice). */
export function convFeatures(node: Conv2dNode, kind: StepKind, inShape: Shape, outShape: Shape): KernelFeatures {
  const [n, , , cin] = inShape as [number, number, number, number];
  const [, ho, wo, cout] = outShape as [number, number, number, number];
  const [kh, kw] = node.kernel;
  const g = node.groups;
  const f: KernelFeatures = {};
  if (kind === 'dw3x3s1' || kind === 'dw3x3s2' || kind === 'dwgeneric') {
    add(f, kind, { step: 1, tapVec: n * ho * wo * (c4(cin) / 4) * kh * kw, pixel: n * ho * wo });
    addCold(f, (kh * kw + 1) * c4(cin));
    return f;
  }
  if (kind === 'conv1x1') {
    const strided = node.stride[0] !== 1 || node.stride[1] !== 1;
    add(f, 'conv1x1', { step: 1, gatherFloat: strided ? n * ho * wo * cin : 0 });
    addCold(f, packedBytes(cin, cout) / 4);
    gemmFeatures(f, n * ho * wo, cout, cin, 1, packedBytes(cin, cout));
    return f;
  }
  if (kind === 'winograd2' || kind === 'winograd4') {
    const m = kind === 'winograd2' ? 2 : 4;
    const a = m + 2;
    const tiles = Math.ceil(ho / m) * Math.ceil(wo / m);
    // the kernel's bands run on across the images of a batch
    const band = winogradBand(m, cin, cout, n * tiles);
    const full = Math.floor((n * tiles) / band), rest = n * tiles - full * band;
    const inF = n * tiles * c4(cin) * a * a, outF = n * tiles * c4(cout) * a * a;
    add(f, kind, {
      step: 1, [big(numel(inShape) / n) ? 'inFloatBig' : 'inFloat']: inF, [big(numel(outShape) / n) ? 'outFloatBig' : 'outFloat']: outF,
    });
    addCold(f, a * a * packedBytes(cin, cout) / 4);
    gemmFeatures(f, band, cout, cin, full * a * a, a * a * packedBytes(cin, cout));
    gemmFeatures(f, rest, cout, cin, a * a, a * a * packedBytes(cin, cout));
    return f;
  }
  if (kind === 'winograd1d') {
    const axis = kw === 1 ? 1 : 0, pts = WINOGRAD1D_M + Math.max(kh, kw) - 1;
    const tiles = winograd1dTiles(axis, ho, wo);
    const band = winogradBandOf(pts, cin, cout, n * tiles);
    const full = Math.floor((n * tiles) / band), rest = n * tiles - full * band;
    const inF = n * tiles * c4(cin) * pts, outF = n * tiles * c4(cout) * pts;
    add(f, kind, {
      step: 1, [big(numel(inShape) / n) ? 'inFloatBig' : 'inFloat']: inF, [big(numel(outShape) / n) ? 'outFloatBig' : 'outFloat']: outF,
    });
    addCold(f, pts * packedBytes(cin, cout) / 4);
    gemmFeatures(f, band, cout, cin, full * pts, pts * packedBytes(cin, cout));
    gemmFeatures(f, rest, cout, cin, pts, pts * packedBytes(cin, cout));
    return f;
  }
  const cg = cin / g, og = cout / g, k = kh * kw * cg;
  const pixels = ho * wo;
  // blocks of rows run on across the images of a batch
  const rows = im2colRows(k, n * pixels);
  const full = Math.floor((n * pixels) / rows), rest = n * pixels - full * rows;
  add(f, 'im2col', { step: 1, [big(numel(inShape) / n) ? 'floatBig' : 'float']: n * g * pixels * k, run: n * g * pixels * kh * kw });
  addCold(f, g * packedBytes(k, og) / 4);
  gemmFeatures(f, rows, og, k, g * full, g * packedBytes(k, og));
  gemmFeatures(f, rest, og, k, g, g * packedBytes(k, og));
  return f;
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
  const cls = (p.kinds && Object.prototype.hasOwnProperty.call(p.kinds, s.kind) ? p.kinds[s.kind] : undefined) ?? p.classes[s.opClass];
  const memoryMs = s.weightBytes / (p.bandwidthGBs * 1e6) + s.actBytes / (activationGBs(s, p) * 1e6);
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
  const groupMs = s.gemm && s.gemm.groups > 1 && p.gpu?.groupUs ? (s.gemm.groups - 1) * p.gpu.groupUs * 1e-3 : 0;
  return { computeMs: tiledWork(s, p) / (cls.gflops * 1e6), memoryMs, overheadMs: cls.overheadUs * 1e-3 + groupMs };
}

/**
 * The rate a step's activations move at: a GPU's L2 rate when the step's tensors fit its L2 (the
 * previous kernel just wrote them there), else the profile's activation (or DRAM) bandwidth.
 */
export function activationGBs(s: Step, p: DeviceProfile): number {
  if (p.gpu?.l2Bytes && p.gpu.l2GBs && s.actBytes / 2 <= p.gpu.l2Bytes) return p.gpu.l2GBs;
  return p.activationBandwidthGBs ?? p.bandwidthGBs;
}

/**
 * A step's FLOPs as the GPU spends them: a convolution on a profile with `gpu` occupies whole
 * output tiles, scheduled in waves of one tile per SM, so its cost is waves x SMs x a tile's FLOPs
 * (at least its own FLOPs; fully connected layers run cuBLAS GEMV / small-tile kernels and pay no
 * quantisation). Every other step: its work.
 */
export function tiledWork(s: Step, p: Pick<DeviceProfile, 'gpu'>): number {
  const gm = s.gemm, gpu = p.gpu;
  if (!gm || !gpu || s.opClass === 'fc') return s.work;
  const tiles = gm.groups * Math.ceil(gm.m / gpu.tileM) * Math.ceil(gm.n / gpu.tileN);
  const waves = Math.ceil(tiles / gpu.sms);
  return Math.max(s.work, waves * gpu.sms * gpu.tileM * gpu.tileN * gm.k * 2);
}

/** Classes whose 'pytorch' kernels are cuDNN convolutions or cuBLAS GEMMs (GPU profiles give them their own per-kernel cost). */
export const GEMM_CLASSES: ReadonlySet<OpClass> = new Set<OpClass>(['conv', 'conv1x1', 'dwconv', 'fc']);

/**
 * The launch queue (see the file header): per step, how far it moves the end of the timeline,
 * and whether it waited for the host. `issueMs`: the host's cost per kernel.
 */
export function launchQueue(gpuMs: ArrayLike<number>, issueMs: number, out?: { ms: Float64Array; waited: Uint8Array }): number {
  let end = 0, issued = 0;
  for (let i = 0; i < gpuMs.length; i++) {
    issued += issueMs;
    const start = issued > end ? issued : end;
    const next = start + gpuMs[i]!;
    if (out) { out.ms[i] = next - end; out.waited[i] = issued > end ? 1 : 0; }
    end = next;
  }
  return end;
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
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
  if (threads > 1 && !p.threads) throw new RangeError(`threads: the ${p.name} profile has no thread scaling (calibrate with threads on this machine)`);
  if (threads > 1 && threads > p.threads!.count) throw new RangeError(`threads: the ${p.name} profile was calibrated up to ${p.threads!.count} threads, got ${threads}`);
  const scale = (c: OpClass) => (threads === 1 ? 1 : 1 + ((p.threads!.speedup[c] - 1) * (threads - 1)) / (p.threads!.count - 1));
  const planned = plan(graph, p.execution, options.batch);
  const steps = planned.steps();
  const batch = options.batch ?? graph.nodes.find((n) => n.name === graph.input)!.outShape[0]!;
  const layers = steps.map((s): LayerPrediction => {
    const t = stepTimes(s, p);
    const f = scale(s.opClass);
    if (f !== 1) { t.computeMs /= f; t.memoryMs /= f; t.overheadMs /= f; }
    const ms = Math.max(t.computeMs, t.memoryMs) + t.overheadMs;
    const bound: Bound = t.overheadMs > Math.max(t.computeMs, t.memoryMs) ? 'overhead'
      : t.memoryMs > t.computeMs ? 'memory' : 'compute';
    return { name: s.name, nodes: s.nodes, opClass: s.opClass, kind: s.kind, ms, bound, ...t };
  });
  if (p.launch) {
    const q = { ms: new Float64Array(layers.length), waited: new Uint8Array(layers.length) };
    launchQueue(layers.map((l) => l.ms), p.launch.issueUs * 1e-3, q);
    layers.forEach((l, i) => { l.ms = q.ms[i]!; if (q.waited[i]) l.bound = 'launch'; });
  }
  const msPerBatch = layers.reduce((a, l) => a + l.ms, 0);
  const msPerImage = msPerBatch / batch;
  return {
    model: graph.name, device: p.name, batch, msPerImage, msPerBatch,
    energyMjPerImage: p.power ? p.power.watts * msPerImage : null,
    memoryBytes: planned.memoryBytes(p, threads),
    layers,
  };
}

/**
 * Predicted memory of `graph` at `batch` on a device, bytes, or null when the profile cannot say.
 * - 'pytorch' profiles with `memory`: floorBytes (CUDA context, cuDNN / cuBLAS handles, the
 *   framework) + weightFactor x weight bytes + activationFactor x the activation bytes PyTorch
 *   0.4's caching allocator holds once a process runs the network in a loop with cuDNN's
 *   benchmark mode (src/cost/gpu-memory.ts: the allocator replayed over the forward's
 *   allocations); the activation factor absorbs cuDNN's workspaces, which the replay leaves out.
 *   Fitted where a device has a published memory table.
 * - 'simdnet' profiles: the wasm memory a compiled net needs on `threads` threads, from the
 *   lowering and the planner (src/lower/planner.ts planEngineBytes: the activation arena at this
 *   batch, every step's packed weights, the largest upload, a workspace per thread; what a
 *   threaded engine reserves up front).
 */
export function predictMemoryBytes(graph: Graph, p: Pick<DeviceProfile, 'execution' | 'memory'>, batch: number, threads = 1): number | null {
  return plan(graph, p.execution, batch).memoryBytes(p, threads);
}

/** The machine-readable report of the CLI's `predict --json`: fixed keys, in this order. */
export function predictionJson(r: Prediction) {
  return {
    model: r.model, device: r.device, batch: r.batch, msPerImage: r.msPerImage, msPerBatch: r.msPerBatch,
    energyMjPerImage: r.energyMjPerImage, memoryBytes: r.memoryBytes,
    layers: r.layers.map((l) => ({ name: l.name, nodes: l.nodes, opClass: l.opClass, kind: l.kind, ms: l.ms, bound: l.bound })),
  };
}

/** A text table of a prediction: the slowest steps, shares by class, totals. */
export function formatPrediction(r: Prediction, top = 15): string {
  const lines = [`${r.model} on ${r.device}, batch ${r.batch}: ${r.msPerImage.toFixed(3)} ms/image, ` +
    `${r.msPerBatch.toFixed(3)} ms/batch` +
    (r.energyMjPerImage === null ? ', no power figure for this device' : `, ${r.energyMjPerImage.toFixed(1)} mJ/image`) +
    (r.memoryBytes === null ? '' : `, ${(r.memoryBytes / 1e6).toFixed(0)} MB memory`)];
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

