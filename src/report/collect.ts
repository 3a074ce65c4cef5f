// Runs the measurements behind the report: per model, count (cost), predict (latency model),
// benchmark (compile with random weights, time batch-1 runs here), then assemble the row.

import { analyze } from '../cost/analyze.js';
import { benchModel } from '../calibrate/bench-model.js';
import type { Graph } from '../graph/types.js';
import { buildModel, modelInfo } from '../models/index.js';
import { isModelPath, loadModel } from '../import/index.js';
import type { LayerWeights } from '../graph/weights.js';
import { assembleRow, CURVE_BATCHES, type Accuracy, type BatchPoint, type GpuPoint, type MemoryPoint, type ReportRow } from './data.js';
import type { Predictor } from './predict-adapter.js';
import { formatDuration, type Progress } from './progress.js';

export type Mode = 'quick' | 'full';

/**
 * How many timed runs at batch 1, from the expected ms of one run. `quick` spends about 1.5 s of
 * timed runs per model, 3 to 10 runs, so the whole zoo (~160 GMAC, 1.4 G weights to compile)
 * fits in 5 minutes on a 2-core machine (measured: VGG-19 ~0.5 s a run and ~10 s to compile
 * with its 144 M random weights, under load from other jobs); `full` spends about 10 s, 10 to 50
 * runs. benchModel adds 3 untimed runs (a first run and 2 warm-ups) either way.
 */
export function runsFor(mode: Mode, expectedMs: number): number {
  const [budget, min, max] = mode === 'quick' ? [1500, 3, 10] : [10_000, 10, 50];
  const n = Math.floor(budget / Math.max(expectedMs, 1e-3));
  return Math.max(min, Math.min(max, n));
}

/**
 * Rough ms of one batch-1 run here when there is no host profile: MACs at 15 GMAC/s, what
 * ResNet-50 and Inception-v4 reach on the 2-core AMD EPYC this was written on (VGG goes faster,
 * MobileNet slower). Only steers run counts and the ETA.
 */
export function roughRunMs(macs: number): number {
  return macs / 15e6;
}

/** Rough ms to build and compile: random He-init weights + packing, ~70 ns a parameter (same machine). */
export function roughCompileMs(params: number): number {
  return 200 + params * 7e-5;
}

export interface CollectOptions {
  models: readonly string[];
  mode: Mode;
  progress: Progress;
  predictor: Predictor | null;
  accuracy: ReadonlyMap<string, Accuracy>;
  tx1Measured: ReadonlyMap<string, { network: string; points: BatchPoint[] }>;
  /** Published Titan Xp GPU memory by zoo name (Bianco et al. 2018 Table 2). */
  memoryMeasured?: ReadonlyMap<string, MemoryPoint[]>;
  /** Fraction of the progress bar already used (e.g. by calibration), 0..1. */
  progressStart?: number;
  /** Override the benchmark (tests). */
  bench?: typeof benchModel;
  /** Kernel threads for the measurements (default 1). */
  threads?: number;
}

interface Planned {
  name: string;
  graph: Graph;
  /** A model file's own weights (zoo models run with random ones). */
  weights?: Map<string, LayerWeights>;
  expectedMs: number;
  runs: number;
  /** Expected ms of the whole step: compile + (runs + 3) runs. */
  weight: number;
}

/** Measures and assembles one row per model, in the order given. */
export async function collectRows(opts: CollectOptions): Promise<ReportRow[]> {
  const { progress, predictor } = opts;
  const bench = opts.bench ?? benchModel;
  const start = opts.progressStart ?? 0;

  // Plan first: the ETA needs every model's expected work up front. A model file is loaded here,
  // so an unsupported one fails the report before anything is measured.
  const plans: Planned[] = [];
  for (const name of opts.models) {
    let graph: Graph, weights: Map<string, LayerWeights> | undefined, label = name;
    if (isModelPath(name)) {
      const m = await loadModel(name);
      graph = m.graph; weights = m.weights; label = name.replace(/^.*[\\/]/, '');
    } else graph = buildModel(name);
    const cost = analyze(graph);
    let expectedMs = roughRunMs(cost.macs);
    if (predictor?.hostMsPerImage) {
      try { expectedMs = predictor.hostMsPerImage(graph); } catch { /* rough estimate stands */ }
    }
    const runs = runsFor(opts.mode, expectedMs);
    plans.push({ name: label, graph, weights, expectedMs, runs, weight: roughCompileMs(cost.params) + (runs + 3) * expectedMs });
  }
  const total = plans.reduce((a, p) => a + p.weight, 0);
  let doneWeight = 0;
  const frac = (within: number) => start + (1 - start) * (doneWeight + within) / total;

  const rows: ReportRow[] = [];
  for (const [i, p] of plans.entries()) {
    const tag = `${p.name} (${i + 1}/${plans.length})`;
    const t0 = performance.now();
    const info = p.weights ? { family: 'your model' } : modelInfo(p.name);
    const notes: string[] = [];
    progress.update(frac(0), `${tag}: counting`);
    const cost = analyze(p.graph);

    let hostPredictedMs: number | null = null;
    const tx1Predicted: BatchPoint[] = [];
    const { hostMsPerImage, tx1MsPerImage } = predictor ?? {};
    if (hostMsPerImage) {
      try { hostPredictedMs = hostMsPerImage(p.graph); } catch (e) { notes.push(`host prediction failed: ${msg(e)}`); }
    }
    const gpuPredicted: Record<string, GpuPoint[]> = {};
    if (predictor?.gpu) {
      for (const d of predictor.gpuDevices ?? []) {
        try { gpuPredicted[d.name] = CURVE_BATCHES.map((b) => predictor.gpu!(p.graph, d.name, b)); } catch (e) { notes.push(`${d.name} prediction failed: ${msg(e)}`); }
      }
    }
    // the TX1 curve is one of the GPU curves when there are any; predicted once
    if (gpuPredicted.tx1) tx1Predicted.push(...gpuPredicted.tx1.map(({ batch, msPerImage }) => ({ batch, msPerImage })));
    else if (tx1MsPerImage) {
      try {
        for (const batch of CURVE_BATCHES) tx1Predicted.push({ batch, msPerImage: tx1MsPerImage(p.graph, batch) });
      } catch (e) { notes.push(`TX1 prediction failed: ${msg(e)}`); tx1Predicted.length = 0; }
    }
    const hostMemory: MemoryPoint[] = [];
    if (predictor?.hostMemoryBytes) {
      try { for (const b of CURVE_BATCHES) hostMemory.push({ batch: b, bytes: predictor.hostMemoryBytes(p.graph, b) }); } catch (e) { notes.push(`memory plan failed: ${msg(e)}`); hostMemory.length = 0; }
    }

    progress.update(frac(0), `${tag}: compiling`);
    const compileShare = roughCompileMs(cost.params) / p.weight;
    let result = null;
    try {
      result = await bench(p.name, {
        runs: p.runs, weights: p.weights, ...(opts.threads && opts.threads > 1 ? { threads: opts.threads } : {}),
        // benchModel reports 0 through compile and warm-up, and tinybench may time a run or two extra.
        onProgress: (done, n) => {
          const d = Math.min(done, n);
          progress.update(frac(p.weight * (compileShare + (1 - compileShare) * d / n)), d ? `${tag}: run ${d}/${n}` : `${tag}: warming up`);
        },
      }, p.graph);
    } catch (e) {
      notes.push(`benchmark failed: ${msg(e)}`);
    }

    const tx1 = opts.tx1Measured.get(p.name);
    const row = assembleRow({
      model: p.name, family: info.family, resolution: p.graph.nodes.find((n) => n.op === 'input')!.outShape[1]!,
      cost: { params: cost.params, macs: cost.macs, peakBytes: cost.activationBytes.peak, byOp: cost.byOp },
      bench: result && { medianMs: result.medianMs, minMs: result.minMs, maxMs: result.maxMs, runs: result.runs },
      hostPredictedMs, tx1Predicted,
      tx1Measured: tx1?.points ?? [], tx1Network: tx1?.network ?? null,
      gpuPredicted, memoryMeasured: opts.memoryMeasured?.get(p.name) ?? [], hostMemory,
      accuracy: opts.accuracy.get(p.name) ?? null,
      notes,
    });
    rows.push(row);
    doneWeight += p.weight;
    progress.update(frac(0), `${tag}: done`);
    progress.line(progressLine(row, i, plans.length, performance.now() - t0));
  }
  return rows;
}

function msg(e: unknown): string { return e instanceof Error ? e.message : String(e); }

/** The one line a finished model leaves on stderr. */
export function progressLine(r: ReportRow, i: number, n: number, ms: number): string {
  const m = r.measured;
  const meas = m ? `${m.medianMs.toFixed(1)} ms median of ${m.runs}` : 'not measured';
  const pred = r.hostPredictedMs !== null ? `, predicted ${r.hostPredictedMs.toFixed(1)} ms` : '';
  return `[${String(i + 1).padStart(String(n).length)}/${n}] ${r.model}: ${(r.macs / 1e9).toFixed(2)} GMAC, ` +
    `${(r.params / 1e6).toFixed(1)} M params, ${meas}${pred} (${formatDuration(ms)})`;
}
