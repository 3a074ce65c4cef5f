// The report's data set: one row per zoo model, assembled by pure functions from what the cost
// model counted, what the benchmark measured, what the latency model predicted and what papers
// published. Nothing here runs a network or reads a file, so the unit tests feed fixed inputs.
// Units: ms, bytes, MACs (1 MAC = one multiply-add; FLOPs = 2 x MACs), top-1 in percent.

import { OP_CLASSES, type OpClass } from '../cost/analyze.js';

/** Batch sizes of the predicted TX1 curves (Bianco et al. measured 1..64 in powers of two). */
export const CURVE_BATCHES: readonly number[] = Object.freeze([1, 2, 4, 8, 16, 32, 64]);

/** Relative band within which a host prediction counts as right (the host model's stated accuracy target). */
export const HOST_BAND = 0.15;

/** One point of a latency-vs-batch curve. */
export interface BatchPoint {
  batch: number;
  msPerImage: number;
}

/** One point of a GPU device's predicted curves (the built-in tx1 / titan-xp profiles). */
export interface GpuPoint {
  batch: number;
  msPerImage: number;
  /** Board power x ms per image; null when the profile has no power figure. */
  energyMjPerImage: number | null;
  /** Predicted GPU memory in use, bytes; null when the profile has no memory model. */
  memoryBytes: number | null;
}

/** Memory at one batch size, bytes. */
export interface MemoryPoint {
  batch: number;
  bytes: number;
}

/** A built-in GPU device as the report uses it. */
export interface DeviceInfo {
  name: string;
  description: string;
  /** Board power the profile uses, W, and where it comes from; null when none. */
  watts: number | null;
  powerSource: string | null;
}

/** A published top-1 accuracy, as in `data/accuracy/top1.csv`. */
export interface Accuracy {
  /** Percent, single crop, ImageNet-1k validation. */
  percent: number;
  /** The network's name where it was published. */
  network: string;
  source: string;
}

/** The cost model's totals that the report uses (a subset of `CostAnalysis`). */
export interface CostInput {
  params: number;
  macs: number;
  /** Planned peak activation bytes (the runtime's arena), null when not planned. */
  peakBytes: number | null;
  byOp: Record<OpClass, { params: number; macs: number }>;
}

/** A batch-1 benchmark here (a subset of `ModelBenchResult`). */
export interface BenchInput {
  medianMs: number;
  minMs: number;
  maxMs: number;
  runs: number;
}

/** Everything known about one model before assembly. */
export interface RowInput {
  model: string;
  family: string;
  resolution: number;
  cost: CostInput;
  /** Null when not measured (e.g. the benchmark failed). */
  bench: BenchInput | null;
  /** Predicted ms per image here at batch 1 (host profile), null without a predictor. */
  hostPredictedMs: number | null;
  /** Predicted TX1 ms per image at {@link CURVE_BATCHES}; empty without a predictor. */
  tx1Predicted: BatchPoint[];
  /** Published TX1 measurements (Bianco et al. 2018 Table 1b); empty when the paper has none. */
  tx1Measured: BatchPoint[];
  /** Predicted curves per built-in GPU device at {@link CURVE_BATCHES}; absent or empty without a predictor. */
  gpuPredicted?: Record<string, GpuPoint[]>;
  /** Published Titan Xp GPU memory (Bianco et al. 2018 Table 2); empty when the paper has none. */
  memoryMeasured?: MemoryPoint[];
  /** simdnet's own wasm memory at {@link CURVE_BATCHES}, from the planner. */
  hostMemory?: MemoryPoint[];
  /** The published network name of `tx1Measured`, null when none. */
  tx1Network: string | null;
  accuracy: Accuracy | null;
  /** Why the benchmark or a prediction is missing, if one is. */
  notes?: string[];
}

/** One row of the report. */
export interface ReportRow {
  model: string;
  family: string;
  resolution: number;
  params: number;
  macs: number;
  peakActivationBytes: number | null;
  /** Per layer class, in {@link OP_CLASSES} order, with shares of the model's totals (0..1). */
  byOp: { opClass: OpClass; params: number; macs: number; paramsShare: number; macsShare: number }[];
  top1: Accuracy | null;
  /** Top-1 percent per million parameters ("information density", Canziani et al. 2016). */
  top1PerMParams: number | null;
  /** Measured here, batch 1. */
  measured: BenchInput | null;
  /** Predicted here, batch 1 (host profile). */
  hostPredictedMs: number | null;
  /** (predicted - measured median) / measured median; null unless both exist. */
  hostError: number | null;
  /**
   * The error judged against the measured spread: 0 when the prediction lies between the fastest
   * and the slowest run, else relative to the nearer end (a noisy machine widens the spread, not
   * the error). Null unless both exist.
   */
  hostSpreadError: number | null;
  /** |hostSpreadError| <= HOST_BAND; null unless both exist. */
  hostWithinBand: boolean | null;
  tx1: {
    network: string | null;
    predictedB1: number | null;
    predictedB16: number | null;
    measuredB1: number | null;
    measuredB16: number | null;
    predicted: BatchPoint[];
    measured: BatchPoint[];
  };
  /** Predicted curves per built-in GPU device (latency, energy, memory vs batch). */
  gpu: Record<string, GpuPoint[]>;
  memory: {
    /** Titan Xp GPU memory published by Bianco et al. 2018 (Table 2). */
    titanXpMeasured: MemoryPoint[];
    /** simdnet's wasm memory from the planner. */
    host: MemoryPoint[];
  };
  notes: string[];
}

/** Least-squares line y = intercept + slope * x over n points, with r². */
export interface LinearFit {
  slope: number;
  intercept: number;
  r2: number;
  n: number;
}

/** Time vs operations (Canziani et al. 2016, Fig. 7): ms at batch 1 against GMACs. */
export interface TimeFit {
  /** Published TX1 batch-1 ms against GMACs of the models that have one. */
  tx1: LinearFit | null;
  /** Measured ms here against GMACs. */
  here: LinearFit | null;
}

/** A side-by-side table from BENCHMARKS.md (written by `npm run bench:peers`). */
export interface PeerTable {
  /** Where it was read from (a file name) or that it was measured now. */
  source: string;
  /** The heading it sits under in that file (when and how it was recorded), or the versions measured. */
  section: string | null;
  /** True when this run measured it (report --peers), false when it was recorded earlier. */
  measuredInRun: boolean;
  /** Engine names in column order, simdnet first when present. */
  engines: string[];
  rows: { model: string; batch: number; ms: Record<string, number | null> }[];
}

/** The host this ran on. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  platform: string;
  node: string;
  /** The wasm binary simdnet chose ('baseline' | 'relaxed'). */
  binary: string | null;
}

/** The whole data set: what `--json` prints and what report.html embeds. */
export interface ReportData {
  generated: string;
  simdnet: string;
  machine: MachineInfo;
  settings: { mode: 'quick' | 'full'; models: string[]; threads?: number };
  /** The built-in GPU devices of the predicted curves, with their power figures. */
  devices: DeviceInfo[];
  /** Which predictions this run has, and per half where they come from or why they are missing. */
  prediction: { tx1: boolean; host: boolean; notes: string[] };
  rows: ReportRow[];
  fits: TimeFit;
  peers: PeerTable | null;
  /** Elapsed wall time of the whole run, ms. */
  elapsedMs: number;
  /**
   * 1-minute load average before and after the run: above the core count, other jobs shared the
   * CPU and wall-clock measurements (here ms) ran slow against the predictions.
   */
  load: { before: number; after: number };
}

/** Assembles one report row; pure. */
export function assembleRow(input: RowInput): ReportRow {
  const { cost } = input;
  const byOp = OP_CLASSES.map((opClass) => {
    const t = cost.byOp[opClass] ?? { params: 0, macs: 0 };
    return {
      opClass, params: t.params, macs: t.macs,
      paramsShare: cost.params > 0 ? t.params / cost.params : 0,
      macsShare: cost.macs > 0 ? t.macs / cost.macs : 0,
    };
  });
  const top1PerMParams = input.accuracy && cost.params > 0 ? input.accuracy.percent / (cost.params / 1e6) : null;
  const meas = input.bench?.medianMs ?? null;
  const pred = input.hostPredictedMs;
  const hostError = meas !== null && pred !== null && meas > 0 ? (pred - meas) / meas : null;
  let hostSpreadError: number | null = null;
  if (hostError !== null && input.bench && pred !== null) {
    const lo = Math.min(input.bench.minMs, meas!), hi = Math.max(input.bench.maxMs, meas!);
    const near = Math.min(hi, Math.max(lo, pred));
    hostSpreadError = near > 0 ? (pred - near) / near : hostError;
  }
  const at = (pts: BatchPoint[], b: number) => pts.find((p) => p.batch === b)?.msPerImage ?? null;
  const sort = (pts: BatchPoint[]) => [...pts].sort((p, q) => p.batch - q.batch);
  return {
    model: input.model,
    family: input.family,
    resolution: input.resolution,
    params: cost.params,
    macs: cost.macs,
    peakActivationBytes: cost.peakBytes,
    byOp,
    top1: input.accuracy,
    top1PerMParams,
    measured: input.bench,
    hostPredictedMs: pred,
    hostError,
    hostSpreadError,
    hostWithinBand: hostSpreadError === null ? null : Math.abs(hostSpreadError) <= HOST_BAND + 1e-12,
    tx1: {
      network: input.tx1Network,
      predictedB1: at(input.tx1Predicted, 1),
      predictedB16: at(input.tx1Predicted, 16),
      measuredB1: at(input.tx1Measured, 1),
      measuredB16: at(input.tx1Measured, 16),
      predicted: sort(input.tx1Predicted),
      measured: sort(input.tx1Measured),
    },
    gpu: Object.fromEntries(Object.entries(input.gpuPredicted ?? {}).map(([d, pts]) => [d, [...pts].sort((p, q) => p.batch - q.batch)])),
    memory: {
      titanXpMeasured: [...(input.memoryMeasured ?? [])].sort((p, q) => p.batch - q.batch),
      host: [...(input.hostMemory ?? [])].sort((p, q) => p.batch - q.batch),
    },
    notes: input.notes ? [...input.notes] : [],
  };
}

/** Ordinary least squares; null below two points or when every x is equal. */
export function linearFit(points: readonly { x: number; y: number }[]): LinearFit | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  let sxx = 0, sxy = 0, syy = 0;
  for (const p of points) {
    sxx += (p.x - mx) ** 2;
    sxy += (p.x - mx) * (p.y - my);
    syy += (p.y - my) ** 2;
  }
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  // r² = 1 - SSres / SStot; a perfect fit of constant y has SStot = 0: call it 1.
  const ssRes = points.reduce((a, p) => a + (p.y - intercept - slope * p.x) ** 2, 0);
  const r2 = syy === 0 ? 1 : 1 - ssRes / syy;
  return { slope, intercept, r2, n };
}

/** Fig. 7 fits over assembled rows: batch-1 ms against GMACs, TX1 (published) and here (measured). */
export function timeFits(rows: readonly ReportRow[]): TimeFit {
  const tx1 = rows.filter((r) => r.tx1.measuredB1 !== null).map((r) => ({ x: r.macs / 1e9, y: r.tx1.measuredB1! }));
  const here = rows.filter((r) => r.measured !== null).map((r) => ({ x: r.macs / 1e9, y: r.measured!.medianMs }));
  return { tx1: linearFit(tx1), here: linearFit(here) };
}

/** Summary of host predictions against measurements: how many rows inside the band, worst error. */
export function hostAgreement(rows: readonly ReportRow[]): { n: number; within: number; worst: number | null } {
  const errs = rows.map((r) => r.hostError).filter((e): e is number => e !== null);
  return {
    n: errs.length,
    within: rows.filter((r) => r.hostWithinBand === true).length,
    worst: errs.length ? errs.reduce((a, e) => (Math.abs(e) > Math.abs(a) ? e : a)) : null,
  };
}
