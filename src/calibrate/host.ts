// Host calibration: microbenchmarks of this package's own kernels (through src/ops, on a fresh
// Engine) at the layer shapes of the zoo, then a least-squares fit of the kernel model's
// coefficients (ns per shape feature; see predict.ts `convFeatures` / `gemmFeatures`).
//
// Why per shape and not one GFLOP/s per class: measured here, a layer's efficiency depends on
// its shape (GEMM M tails at 7x7 maps, N tails, K blocking, im2col's gather for C = 3, Winograd's
// transforms against its 4x fewer multiplies, depthwise rows, fc weight streaming), so a single
// rate per class misses by 2x in both directions. The model is linear in its coefficients, so the
// fit is non-negative least squares on relative error (each sample's row divided by its time):
// no starting point, no tuning, same answer for the same measurements.

import type { Graph, GraphNode, ChannelShuffleNode, Conv2dNode, PoolNode, LrnNode, Shape } from '../graph/types.js';
import { GraphBuilder } from '../graph/builder.js';
import { numel } from '../graph/ops.js';
import { mulberry32, uniform } from '../graph/weights.js';
import { buildModel, MODELS } from '../models/index.js';
import { Engine } from '../wasm/engine.js';
import { features, init } from '../wasm/loader.js';
import { compile } from '../runtime/index.js';
import { Conv2d } from '../ops/conv2d.js';
import { DepthwiseConv2d } from '../ops/dwconv2d.js';
import { FullyConnected } from '../ops/fc.js';
import { poolConfig, runPool2d, runGlobalAvgPool, runGlobalMaxPool } from '../ops/pool2d.js';
import { runAdd } from '../ops/add.js';
import { runActivation } from '../ops/activation.js';
import { runSigmoid } from '../ops/sigmoid.js';
import { runChannelMul, runChannelMulAdd } from '../ops/channel_mul.js';
import { runScale } from '../ops/scale.js';
import { runChannelShuffle } from '../ops/channel_shuffle.js';
import { runLeakyRelu } from '../ops/leaky_relu.js';
import { runScaleShift } from '../ops/batchnorm.js';
import { lrnConfig, runLrn } from '../ops/lrn.js';
import { runSoftmax } from '../ops/softmax.js';
import { runCopyChannels } from '../ops/concat.js';
import type { Activation } from '../ops/util.js';
import { analyze, OP_CLASSES, type OpClass } from '../cost/analyze.js';
import { COLD, deviceSteps, stepTimes, type Step } from '../cost/predict.js';
import type { StepKind } from '../kernels/select.js';
import { PROFILE_SCHEMA, type DeviceProfile, type KernelModel, type ThreadScaling } from '../cost/profile.js';
import * as files from '../cost/host-profile.js';

/** Options of {@link calibrateHost}. */
export interface CalibrateOptions {
  /** Stop measuring after this many ms (the fit uses what was measured). Default 45000. */
  budgetMs?: number;
  /** Called after every measured shape. */
  onProgress?: (done: number, total: number, label: string) => void;
  /** Zoo models whose layer shapes are measured; default every model of the zoo. */
  models?: string[];
  /** Names the machine in the profile's description, e.g. the CPU model. */
  machine?: string;
  /** Keep every sample (shape, measured and fitted ms) in the profile's `fit.samples`. */
  details?: boolean;
  /**
   * Also measure kernel-thread scaling with this many threads (>= 2; 'auto': the core count when
   * threads run here, else none). Default 'auto'; 1 = do not measure.
   */
  threads?: number | 'auto';
}

/** Networks whose per-class thread speed-ups are measured: every class but LRN and concat in two. */
const THREAD_MODELS: [string, { resolution: number }][] = [['mobilenet-v1', { resolution: 224 }], ['resnet-18', { resolution: 224 }], ['googlenet', { resolution: 224 }]];

/**
 * Per op class, the speed-up of `threads` kernel threads over one: the networks above compiled
 * both ways in one process, every step timed by Net.profile (interleaved, medians), summed by
 * class. A class none of them has takes the overall ratio.
 */
export async function measureThreadScaling(threads: number): Promise<ThreadScaling> {
  const one = new Map<OpClass, number>(), many = new Map<OpClass, number>();
  let t1 = 0, tn = 0;
  for (const [name, args] of THREAD_MODELS) {
    const graph = buildModel(name, args);
    const classOf = new Map(deviceSteps(graph, 'simdnet').map((s) => [s.nodes.join('+'), s.opClass]));
    const a = await compile(graph, { seed: 1 }), b = await compile(graph, { seed: 1, threads });
    try {
      if (b.threads !== threads) throw new Error(`calibrate: ${threads} kernel threads did not start: ${b.threadsReason}`);
      const x = fill(numel(a.inputShape), 1, 3);
      const pa: number[][] = [], pb: number[][] = [];
      let steps: { nodes: string[] }[] = [];
      for (let r = 0; r < 3; r++) {
        const one = a.profile(x, 3).sort(byNodes);
        steps = one;
        pa.push(one.map((p) => p.ms));
        pb.push(b.profile(x, 3).sort(byNodes).map((p) => p.ms));
      }
      steps.forEach((s, i) => {
        const c = classOf.get(s.nodes.join('+')) ?? 'other' as OpClass;
        const ma = median(pa.map((r) => r[i]!)), mb = median(pb.map((r) => r[i]!));
        one.set(c, (one.get(c) ?? 0) + ma); many.set(c, (many.get(c) ?? 0) + mb);
        t1 += ma; tn += mb;
      });
    } finally {
      a.dispose(); b.dispose();
    }
  }
  const overall = t1 / tn;
  const speedup = Object.fromEntries(OP_CLASSES.map((c) => {
    const a = one.get(c), b = many.get(c);
    return [c, round(a && b ? Math.max(0.25, a / b) : overall, 3)];
  })) as Record<OpClass, number>;
  return {
    count: threads, speedup,
    source: `simdnet calibrate on ${new Date().toISOString()}: ${THREAD_MODELS.map(([n]) => n).join(', ')} at 224x224 ` +
      `on 1 and ${threads} threads in one run, per-step medians of Net.profile summed by op class (overall ${overall.toFixed(2)}x)`,
  };
}

function byNodes(a: { nodes: string[] }, b: { nodes: string[] }): number {
  const x = a.nodes.join('+'), y = b.nodes.join('+');
  return x < y ? -1 : x > y ? 1 : 0;
}

function median(a: number[]): number {
  const s = [...a].sort((p, q) => p - q);
  return s[s.length >> 1]!;
}

/** One measured layer shape. */
interface Sample {
  step: Step;
  node: GraphNode;
  inShapes: Shape[];
  act: Activation;
  /** Sum over the zoo of the step's FLOPs (floats moved, for a copy): measurement order, most important first. */
  importance: number;
  ms?: number;
}

/** Weight matrices above this are not allocated for a microbenchmark: their gemv is DRAM-bound. */
const MAX_WEIGHT_BYTES = 128 * 2 ** 20;
/** Per shape: at least MIN_RUNS timed runs, more while under TARGET_MS in total. */
const MIN_RUNS = 5, MAX_RUNS = 25, TARGET_MS = 100;
/** Passes over all shapes (see calibrateHost). */
const PASSES = 2;

/**
 * Measures the kernels at every distinct layer shape of the zoo at batch 1 (plus a few shapes
 * for paths the zoo does not use) and fits a host profile. Runs single-threaded like the
 * runtime: about 25 s on a 2-core EPYC VM, never much more than `budgetMs`. The profile's `fit`
 * records how well the kernel model reproduces the samples.
 */
export async function calibrateHost(opts: CalibrateOptions = {}): Promise<DeviceProfile> {
  const t0 = performance.now();
  const budget = opts.budgetMs ?? 45000;
  const samples = collectSamples(opts.models ?? MODELS.map((m) => m.name));
  const engine = await Engine.create();
  const total = 2 + PASSES * samples.length;
  let done = 0;
  try {
    // DRAM: a 64 MiB fc weight matrix (more than the last-level cache of most machines) streamed by gemv.
    let bw = bandwidthProbe(engine, 4096, 4096);
    opts.onProgress?.(++done, total, `weight stream ${bw.toFixed(1)} GB/s`);
    // Activations: the fastest a residual add streams, over tensors that stay in L2 and over 4 MiB
    // ones. The memory term is a lower bound (max(compute, memory)), so it takes the best rate;
    // what big maps cost beyond it, the kernels' own features price (`floatBig`, `vecBig`). With
    // the 4 MiB rate alone (L3 on a Xeon here, a third of L2's), a 400 KiB copy was bounded at
    // three times what it takes.
    let actBw = activationProbe(engine);
    opts.onProgress?.(++done, total, `activation stream ${actBw.toFixed(1)} GB/s`);
    // Two passes over every shape, far apart in time, keeping the faster median of the two: on a
    // machine shared with other jobs a burst of contention rarely hits the same shape twice.
    // The second pass only runs while the budget allows (shapes it does not reach keep pass one).
    let skipped = 0;
    for (let pass = 0; pass < PASSES; pass++) {
      for (const s of samples) {
        if (performance.now() - t0 > budget) { if (pass === 0) skipped++; continue; }
        const ms = measure(engine, s);
        s.ms = s.ms === undefined ? ms : Math.min(s.ms, ms);
        opts.onProgress?.(++done, total, `pass ${pass + 1}: ${s.step.kind} ${s.step.name}`);
      }
      if (pass === 0) {
        bw = Math.max(bw, bandwidthProbe(engine, 4096, 4096));
        actBw = Math.max(actBw, activationProbe(engine));
      }
    }
    opts.onProgress?.(total, total, 'fitting');
    const measured = samples.filter((s) => s.ms !== undefined && s.ms > 0);
    const kernels = fitKernels(measured);
    // first touch of a layer's weights inside a network: from DRAM at the measured rate
    kernels[COLD] = { float: round(4 / bw, 5) };
    const profile: DeviceProfile = {
      schema: PROFILE_SCHEMA,
      name: 'host',
      description: `this machine running simdnet's WebAssembly SIMD kernels, single-threaded ` +
        `(${opts.machine ?? 'unknown machine'}, ${runtimeName()})`,
      execution: 'simdnet',
      bandwidthGBs: round(bw, 4),
      activationBandwidthGBs: round(actBw, 4),
      classes: classRooflines(measured, kernels),
      kernels,
      power: null,
      source: `simdnet calibrate on ${new Date().toISOString()}: ${measured.length} layer shapes of the zoo ` +
        `and synthetic ones, the faster of ${PASSES} passes' medians of ${MIN_RUNS}-${MAX_RUNS} runs each, ` +
        `non-negative least squares on relative error`,
    };
    profile.fit = fitReport(profile, measured, skipped, performance.now() - t0, opts.details ?? false);
    const f = await init().then(() => features());
    const threads = opts.threads === 'auto' || opts.threads === undefined ? (f.threads ? f.autoThreads : 1) : opts.threads;
    if (threads >= 2) {
      opts.onProgress?.(total, total, `thread scaling (${threads} threads)`);
      profile.threads = await measureThreadScaling(threads);
    }
    return profile;
  } finally {
    engine.dispose();
  }
}

// --- the saved profile ----------------------------------------------------------------------

/** node:fs, node:os and node:path where the runtime offers `process.getBuiltinModule`, else null. */
function builtinIo(): files.NodeIo | null {
  const get = (globalThis as any).process?.getBuiltinModule;
  if (typeof get !== 'function') return null;
  return { fs: get('node:fs'), os: get('node:os'), path: get('node:path') };
}

/**
 * This machine's saved profile (what `simdnet calibrate` wrote: `$SIMDNET_HOST_PROFILE` or
 * `~/.simdnet/host.json`), or null when there is none or the runtime has no file access here.
 * @throws ProfileError when the saved file is malformed.
 */
export function loadHostProfile(): DeviceProfile | null {
  const io = builtinIo();
  return io ? files.loadHostProfile(io) : null;
}

/** Saves a profile where {@link loadHostProfile} finds it; returns the path, or null without file access. */
export function saveHostProfile(profile: DeviceProfile): string | null {
  const io = builtinIo();
  return io ? files.saveHostProfile(io, profile) : null;
}

// --- which shapes ----------------------------------------------------------------------------

function collectSamples(models: string[]): Sample[] {
  const byKey = new Map<string, Sample>();
  const addGraph = (g: Graph, synthetic: boolean) => {
    const a = analyze(g);
    const byName = new Map(g.nodes.map((n, i) => [n.name, { node: n, layer: a.layers[i]! }]));
    for (const step of deviceSteps(g, 'simdnet')) {
      if (step.kind === 'concat_inplace') continue; // no kernel runs
      const key = step.kind + JSON.stringify(step.features);
      const seen = byKey.get(key);
      // a copy's importance is the floats it moves, a kernel's the FLOPs it does
      const weight = step.work > 0 ? step.work : step.actBytes / 4;
      if (seen) { seen.importance += weight; continue; }
      const { node, layer } = byName.get(step.name)!;
      const lastOp = byName.get(step.nodes.at(-1)!)!.node.op;
      const act: Activation = lastOp === 'relu' || lastOp === 'relu6' ? lastOp : 'none';
      if ((step.kind === 'gemv' || step.kind === 'gemm') && step.weightBytes > MAX_WEIGHT_BYTES) continue;
      byKey.set(key, { step, node, inShapes: layer.inShapes, act, importance: synthetic ? 0 : weight });
    }
  };
  for (const m of models) addGraph(buildModel(m), false);
  for (const g of syntheticGraphs()) addGraph(g, true);
  // Most important first, so a budget cut drops the shapes that matter least; but the first
  // SAMPLES_PER_KIND of every kernel kind go ahead of all the rest. Copies (concat, slice,
  // shuffle) do no FLOPs, so by importance alone a budget cut dropped every one of them, and
  // a network made of them (DenseNet, DPN) was priced by the fallback class rates.
  const sorted = [...byKey.values()].sort((p, q) => q.importance - p.importance);
  const perKind = new Map<string, number>();
  const first = sorted.filter((s) => {
    const n = perKind.get(s.step.kind) ?? 0;
    perKind.set(s.step.kind, n + 1);
    return n < SAMPLES_PER_KIND;
  });
  const taken = new Set(first);
  return [...first, ...sorted.filter((s) => !taken.has(s))];
}

/** Samples of each kernel kind measured before any budget cut (two: a rate and an overhead). */
const SAMPLES_PER_KIND = 2;

/** Paths the zoo at batch 1 does not take, so the profile still covers them. */
function syntheticGraphs(): Graph[] {
  const gs: Graph[] = [];
  const g = (name: string, f: (b: GraphBuilder) => string) => { const b = new GraphBuilder(name); gs.push(b.output(f(b))); };
  for (const [h, c, k, s] of [[28, 128, 5, 1], [56, 64, 5, 2], [14, 256, 7, 1]] as const) {
    g('dw', (b) => b.dwconv(b.input([1, h, h, c]), { kernel: k, stride: s, padding: Math.floor(k / 2) }));
  }
  for (const [h, c] of [[3, 256], [2, 512], [3, 64]] as const) {
    g('wino2', (b) => b.conv2d(b.input([1, h, h, c]), { outChannels: c, kernel: 3, padding: 1 }));
  }
  for (const [n, i, o] of [[4, 2048, 1000], [8, 1024, 1000], [16, 512, 1000], [2, 4096, 4096]] as const) {
    g('fc', (b) => b.fc(b.input([n, i]), { outFeatures: o }));
  }
  for (const [h, c] of [[112, 64], [28, 256], [7, 1024]] as const) {
    g('relu', (b) => b.relu(b.input([1, h, h, c])));
    g('sigmoid', (b) => b.sigmoid(b.input([1, h, h, c])));
    g('channelmul', (b) => { const x = b.input([1, h, h, c]); return b.channelMul(x, b.sigmoid(b.globalAvgPool(x))); });
    g('se-add', (b) => { const x = b.input([1, h, h, c]); return b.relu(b.add(b.channelMul(x, b.sigmoid(b.globalAvgPool(x))), x)); });
    g('leakyrelu', (b) => b.leakyRelu(b.input([1, h, h, c]), { alpha: 0.1 }));
    g('scale', (b) => b.scale(b.input([1, h, h, c]), { factor: 0.17 }));
    g('shuffle', (b) => b.channelShuffle(b.input([1, h, h, c]), { groups: 8 }));
    g('gmp', (b) => b.globalMaxPool(b.input([1, h, h, c])));
    g('bn', (b) => b.batchnorm(b.input([1, h, h, c])));
    g('concat', (b) => { const x = b.input([1, h, h, c]); return b.concat([x, b.conv2d(x, { outChannels: 8, kernel: 1 })]); });
  }
  for (const n of [1, 8, 64]) g('softmax', (b) => b.softmax(b.input([n, 1000])));
  return gs;
}

// --- measuring -------------------------------------------------------------------------------

/** Uniform in [-a, a] from the package's generator: deterministic, never denormal. */
function fill(n: number, a: number, seed = 1): Float32Array {
  return uniform(mulberry32(seed), n, 0, a);
}


/** Process CPU time in ms where the runtime has it (Node, Bun, Deno's Node compat), else null. */
const cpuMs: (() => number) | null = (() => {
  const p = (globalThis as any).process;
  if (typeof p?.cpuUsage !== 'function') return null;
  return () => { const u = p.cpuUsage(); return (u.user + u.system) / 1000; };
})();

/**
 * ms of one call of `run`: median over runs, after one warm-up call. Each run counts the smaller
 * of wall-clock and process CPU time: on a machine shared with other jobs the wall clock includes
 * time the kernel spent descheduled, the CPU clock does not (and where background threads add CPU
 * time, the wall clock is the smaller).
 */
function time(run: () => void): number {
  const w0 = performance.now();
  run();
  const first = performance.now() - w0;
  const runs = Math.max(MIN_RUNS, Math.min(MAX_RUNS, Math.ceil(TARGET_MS / Math.max(first, 1e-3))));
  const t: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c = cpuMs?.() ?? 0;
    const a = performance.now();
    run();
    const wall = performance.now() - a;
    t.push(cpuMs ? Math.min(wall, cpuMs() - c) : wall);
  }
  t.sort((p, q) => p - q);
  return t[t.length >> 1]!;
}

/** Builds the op of one sample on `e`, times it, frees everything. */
function measure(e: Engine, s: Sample): number {
  const blocks: number[] = [];
  const buf = (floats: number, a = 1, seed = 7) => { const p = e.upload(fill(floats, a, seed)); blocks.push(p); return p; };
  const free: (() => void)[] = [];
  try {
    const node = s.node, inShape = s.inShapes[0]!, out = s.step;
    const x = buf(numel(inShape));
    const outShape = s.node.outShape.slice();
    const y = buf(numel(outShape), 0);
    const kind = out.kind as StepKind;
    switch (kind) {
      case 'conv1x1': case 'im2col': case 'winograd2': case 'winograd4': case 'winograd1d': {
        const n = node as Conv2dNode;
        const cin = inShape[3]!;
        const fanIn = n.kernel[0] * n.kernel[1] * (cin / n.groups);
        const op = new Conv2d(e, {
          inChannels: cin, outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, pad: n.pad,
          dilation: n.dilation, groups: n.groups, act: s.act, path: kind,
        }, fill(fanIn * n.outChannels, Math.sqrt(3 / fanIn), 3), fill(n.outChannels, 0.01, 5));
        free.push(() => op.dispose());
        const wsF = op.workspaceFloats(inShape);
        const ws = wsF ? buf(wsF, 0) : undefined;
        return time(() => op.run(x, inShape, y, ws === undefined ? {} : { workspace: ws }));
      }
      case 'dw3x3s1': case 'dw3x3s2': case 'dwgeneric': {
        const n = node as Conv2dNode;
        const c = inShape[3]!, taps = n.kernel[0] * n.kernel[1];
        const op = new DepthwiseConv2d(e, { channels: c, kernel: n.kernel, stride: n.stride, pad: n.pad, dilation: n.dilation, act: s.act },
          fill(taps * c, Math.sqrt(3 / taps), 3), fill(c, 0.01, 5));
        free.push(() => op.dispose());
        return time(() => op.run(x, inShape, y));
      }
      case 'gemv': case 'gemm': {
        const [batch, inF] = inShape as [number, number];
        const o = outShape[1]!;
        const op = new FullyConnected(e, inF, o, fill(inF * o, Math.sqrt(3 / inF), 3), fill(o, 0.01, 5), s.act);
        free.push(() => op.dispose());
        return time(() => op.run(batch, x, y));
      }
      case 'maxpool': case 'avgpool': {
        const n = node as PoolNode;
        const cfg = poolConfig({ kernel: n.kernel, stride: n.stride, pad: n.pad, ceil: n.ceil, countIncludePad: n.countIncludePad });
        const kind = out.kind === 'maxpool' ? 'max' : 'avg';
        return time(() => runPool2d(e, kind, cfg, x, inShape, y));
      }
      case 'global_avgpool':
        return time(() => runGlobalAvgPool(e, x, inShape, y));
      case 'add': case 'add_relu': {
        const b = buf(numel(inShape), 1, 11);
        const count = numel(outShape);
        return time(() => runAdd(e, count, x, b, y, out.kind === 'add_relu'));
      }
      case 'clamp': {
        const count = numel(outShape);
        const act = node.op === 'relu6' ? 'relu6' : 'relu';
        return time(() => runActivation(e, act, count, x, y));
      }
      case 'scale_shift': {
        const c = inShape.at(-1)!;
        const sc = buf(c, 1, 13), sh = buf(c, 1, 17);
        const pixels = numel(inShape) / c;
        return time(() => runScaleShift(e, pixels, c, x, sc, sh, y, s.act));
      }
      case 'lrn': {
        const n = node as LrnNode;
        const cfg = lrnConfig({ size: n.size, alpha: n.alpha, beta: n.beta, k: n.k });
        return time(() => runLrn(e, cfg, x, inShape, y));
      }
      case 'softmax': {
        const cols = inShape.at(-1)!;
        const rows = numel(inShape) / cols;
        return time(() => runSoftmax(e, rows, cols, x, y));
      }
      case 'concat_copy': {
        const copied = out.features.concat_copy!.float ?? out.features.concat_copy!.floatBig!;
        const c = inShape.at(-1)!, ctot = outShape.at(-1)!;
        const pixels = copied / c;
        return time(() => runCopyChannels(e, pixels, c, x, c, y, ctot, 0));
      }
      case 'leaky_relu': {
        const count = numel(outShape);
        return time(() => runLeakyRelu(e, count, x, y, 0.1));
      }
      case 'global_maxpool':
        return time(() => runGlobalMaxPool(e, x, inShape, y));
      case 'sigmoid': {
        const count = numel(outShape);
        return time(() => runSigmoid(e, count, x, y));
      }
      case 'channel_mul': {
        const s = buf(inShape[0]! * inShape[3]!, 1, 13);
        return time(() => runChannelMul(e, inShape, x, s, y));
      }
      case 'channel_mul_add': {
        const s = buf(inShape[0]! * inShape[3]!, 1, 13), r = buf(numel(inShape), 1, 11);
        return time(() => runChannelMulAdd(e, inShape, x, s, r, y, true));
      }
      case 'scale': {
        const count = numel(outShape);
        return time(() => runScale(e, count, x, y, 0.17));
      }
      case 'channel_shuffle': {
        const c = inShape[3]!;
        return time(() => runChannelShuffle(e, numel(inShape) / c, c, (node as ChannelShuffleNode).groups, x, y));
      }
      case 'channel_slice': {
        const c = outShape[3]!;
        return time(() => runCopyChannels(e, numel(outShape) / c, c, x, inShape[3]!, y, c, 0));
      }
      case 'concat_inplace':
        throw new Error('concat_inplace runs no kernel: nothing to measure');
      default: {
        // a new kernel path fails to compile here until it has a microbenchmark
        const missing: never = kind;
        throw new Error(`no microbenchmark for kernel kind "${missing}"`);
      }
    }
  } finally {
    for (const f of free) f();
    for (const p of blocks) e.release(p);
  }
}

/** GB/s of gemv streaming a k x n packed weight matrix (DRAM-bound when it exceeds the cache). */
function bandwidthProbe(e: Engine, k: number, n: number): number {
  const op = new FullyConnected(e, k, n, fill(k * n, Math.sqrt(3 / k), 3), null);
  const x = e.upload(fill(k, 1)), y = e.alloc(n);
  try {
    const ms = time(() => op.run(1, x, y));
    return (Math.ceil(n / 8) * (k + 1) * 8 * 4) / (ms * 1e6);
  } finally {
    e.release(y); e.release(x); op.dispose();
  }
}

/** GB/s of the faster of a residual add over three 256 KiB tensors and over three 4 MiB ones. */
function activationProbe(e: Engine): number {
  return Math.max(addProbe(e, 1 << 16), addProbe(e, 1 << 20));
}

/** GB/s of a residual add over three tensors of `count` floats (read 2, write 1). */
function addProbe(e: Engine, count: number): number {
  const a = e.upload(fill(count, 1, 3)), b = e.upload(fill(count, 1, 5)), y = e.alloc(count);
  try {
    const ms = time(() => runAdd(e, count, a, b, y, false));
    return (3 * count * 4) / (ms * 1e6);
  } finally {
    e.release(y); e.release(b); e.release(a);
  }
}

// --- fitting ---------------------------------------------------------------------------------

/** Kernel kinds whose time includes the shared GEMM: fitted together so they share its coefficients. */
const GEMM_KINDS = new Set(['conv1x1', 'im2col', 'winograd2', 'winograd4', 'winograd1d', 'gemm']);

/**
 * Coefficients of the kernel model: one NNLS over the GEMM-based kinds (shared `gemm.*` columns
 * plus each kind's own), one per other kind. Each sample's row is its feature counts divided by
 * its measured time, target 1: minimises the sum of squared relative errors; then one scale per
 * family so its total over the samples equals the measured total.
 */
export function fitKernels(samples: { step: Step; ms?: number }[]): KernelModel {
  const groups = new Map<string, { step: Step; ms?: number }[]>();
  for (const s of samples) {
    const g = GEMM_KINDS.has(s.step.kind) ? 'gemm-family' : s.step.kind;
    if (!groups.has(g)) groups.set(g, []);
    groups.get(g)!.push(s);
  }
  const km: KernelModel = {};
  for (const list of groups.values()) {
    const cols: [string, string][] = [];
    const colKey = new Map<string, number>();
    for (const s of list) for (const [g, fs] of Object.entries(s.step.features)) for (const f of Object.keys(fs)) {
      if (g === COLD) continue; // not seen by a microbenchmark (weights hot): set from the bandwidth
      const key = `${g}.${f}`;
      if (!colKey.has(key)) { colKey.set(key, cols.length); cols.push([g, f]); }
    }
    const A = list.map((s) => {
      const row = new Array<number>(cols.length).fill(0);
      for (const [g, fs] of Object.entries(s.step.features)) for (const [f, v] of Object.entries(fs)) {
        if (g !== COLD) row[colKey.get(`${g}.${f}`)!] = v / (s.ms! * 1e6); // ns per unit x units / ns
      }
      return row;
    });
    const x = nnls(A, A.map(() => 1));
    // Least squares on relative error fits the shape of the cost but lands low on totals (an
    // over-estimate by 2x costs more than an under-estimate by 2x); one scale per family makes the
    // family's summed time match the measured sum, which is what a whole network adds up.
    let pred = 0, meas = 0;
    list.forEach((s, i) => { pred += A[i]!.reduce((a, v, j) => a + v * x[j]!, 0) * s.ms!; meas += s.ms!; });
    const scale = pred > 0 ? meas / pred : 1;
    cols.forEach(([g, f], j) => { (km[g] ??= {})[f] = round(x[j]! * scale, 5); });
  }
  return km;
}

/**
 * Non-negative least squares, min ||A x - b|| subject to x >= 0 (Lawson & Hanson 1974), on
 * column-normalised A. Small dense problems only (tens of columns).
 */
export function nnls(A: number[][], b: number[]): number[] {
  const m = A.length, n = A[0]?.length ?? 0;
  const scale = Array.from({ length: n }, (_, j) => Math.sqrt(A.reduce((s, r) => s + r[j]! ** 2, 0)) || 1);
  const As = A.map((r) => r.map((v, j) => v / scale[j]!));
  const x = new Array<number>(n).fill(0);
  const passive = new Array<boolean>(n).fill(false);
  const grad = () => Array.from({ length: n }, (_, j) => {
    let g = 0;
    for (let i = 0; i < m; i++) {
      let r = b[i]!;
      for (let k = 0; k < n; k++) r -= As[i]![k]! * x[k]!;
      g += As[i]![j]! * r;
    }
    return g;
  });
  const solvePassive = (): number[] => {
    const idx = passive.map((p, j) => (p ? j : -1)).filter((j) => j >= 0);
    const z = new Array<number>(n).fill(0);
    if (!idx.length) return z;
    const M = idx.map((p) => idx.map((q) => As.reduce((s, r) => s + r[p]! * r[q]!, 0) + (p === q ? 1e-12 : 0)));
    const v = idx.map((p) => As.reduce((s, r, i) => s + r[p]! * b[i]!, 0));
    const sol = solveLinear(M, v);
    idx.forEach((j, k) => { z[j] = sol[k]!; });
    return z;
  };
  for (let outer = 0; outer < 3 * n + 10; outer++) {
    const w = grad();
    let jmax = -1, wmax = 1e-12;
    for (let j = 0; j < n; j++) if (!passive[j] && w[j]! > wmax) { wmax = w[j]!; jmax = j; }
    if (jmax < 0) break;
    passive[jmax] = true;
    for (let inner = 0; inner < 3 * n + 10; inner++) {
      const z = solvePassive();
      if (z.every((v, j) => !passive[j] || v > 0)) { for (let j = 0; j < n; j++) x[j] = z[j]!; break; }
      let alpha = Infinity;
      for (let j = 0; j < n; j++) if (passive[j] && z[j]! <= 0) alpha = Math.min(alpha, x[j]! / (x[j]! - z[j]!));
      for (let j = 0; j < n; j++) {
        x[j] = x[j]! + alpha * (z[j]! - x[j]!);
        if (passive[j] && x[j]! <= 1e-15) { passive[j] = false; x[j] = 0; }
      }
    }
  }
  return x.map((v, j) => v / scale[j]!);
}

/** Gaussian elimination with partial pivoting. */
function solveLinear(M: number[][], v: number[]): number[] {
  const n = v.length;
  const a = M.map((r, i) => [...r, v[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const d = a[c]![c]! || 1e-300;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / d;
      if (f) for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((r, i) => r[n]! / (r[i]! || 1e-300));
}

/** Per-class roofline (the fallback for kinds the kernel model does not cover): measured totals. */
function classRooflines(samples: Sample[], km: KernelModel): DeviceProfile['classes'] {
  const all = { work: 0, ms: 0 };
  const by = new Map<OpClass, { work: number; ms: number; steps: number[] }>();
  for (const s of samples) {
    const c = by.get(s.step.opClass) ?? { work: 0, ms: 0, steps: [] };
    c.work += s.step.work; c.ms += s.ms!;
    const og = Object.keys(s.step.features).find((g) => g !== 'gemm');
    if (og && km[og]?.step !== undefined) c.steps.push(km[og]!.step!);
    by.set(s.step.opClass, c);
    all.work += s.step.work; all.ms += s.ms!;
  }
  const out = {} as DeviceProfile['classes'];
  for (const cls of OP_CLASSES) {
    const c = by.get(cls);
    const rate = c && c.work > 0 ? c.work / c.ms : all.work / all.ms;
    const steps = (c?.steps ?? []).sort((p, q) => p - q);
    out[cls] = { gflops: round(rate / 1e6, 4), overheadUs: round(steps.length ? steps[steps.length >> 1]! / 1000 : 1, 4) };
  }
  return out;
}

function fitReport(profile: DeviceProfile, samples: Sample[], skipped: number, elapsedMs: number, details: boolean) {
  // microbenchmarks run with hot weights: compare them with the model minus the cold-weights term
  const { [COLD]: _cold, ...hot } = profile.kernels!;
  const p = { ...profile, kernels: hot };
  const rel = (s: Sample) => {
    const t = stepTimes(s.step, p);
    return (Math.max(t.computeMs, t.memoryMs) + t.overheadMs) / s.ms! - 1;
  };
  const stats = (xs: number[]) => {
    const a = xs.map(Math.abs).sort((u, v) => u - v);
    const q = (f: number) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(f * a.length) - 1))] ?? 0;
    return { n: a.length, median: round(q(0.5), 4), p90: round(q(0.9), 4), max: round(a.at(-1) ?? 0, 4) };
  };
  const row = (s: Sample) => ({
    step: s.step.name, kind: s.step.kind, in: s.inShapes[0], out: s.node.outShape,
    measuredMs: round(s.ms!, 4), predictedMs: round(s.ms! * (1 + rel(s)), 4),
  });
  const byKind: Record<string, ReturnType<typeof stats>> = {};
  const kinds = [...new Set(samples.map((s) => s.step.kind))];
  for (const k of kinds) byKind[k] = stats(samples.filter((s) => s.step.kind === k).map(rel));
  return {
    method: 'NNLS on relative error over measured layer shapes (src/calibrate/host.ts); ' +
      'errors below are against the microbenchmarks, without the cold-weights term',
    samples: samples.length, skippedForTime: skipped, seconds: round(elapsedMs / 1000, 3),
    relativeError: stats(samples.map(rel)),
    /** sum |predicted - measured| / sum measured: the error a network of these shapes would see. */
    timeWeightedError: round(samples.reduce((a, s) => a + Math.abs(rel(s)) * s.ms!, 0) / samples.reduce((a, s) => a + s.ms!, 0), 4),
    byKind,
    worst: [...samples].sort((a, b) => Math.abs(rel(b)) - Math.abs(rel(a))).slice(0, 12).map(row),
    ...(details ? { samples: samples.map(row) } : {}),
  };
}

function round(v: number, digits: number): number { return Number(v.toPrecision(digits + 2)); }

function runtimeName(): string {
  const g = globalThis as any;
  if (g.Deno) return `Deno ${g.Deno.version?.deno}`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node}, V8 ${g.process.versions.v8}`;
  return 'unknown runtime';
}
