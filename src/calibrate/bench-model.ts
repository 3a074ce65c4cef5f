// Whole-model benchmark (tinybench): what `simdnet bench` and the report measure.
import { Bench } from 'tinybench';
import { buildModel } from '../models/index.js';
import { compile, type Net } from '../runtime/index.js';
import { analyze } from '../cost/analyze.js';
import { numel } from '../graph/ops.js';
import { mulberry32, uniform } from '../graph/weights.js';
import type { Graph } from '../graph/types.js';
import type { LayerWeights } from '../graph/weights.js';

export interface ModelArgs { batch?: number; alpha?: number; resolution?: number }

/** Kernel threads to bench with (compile's `threads`). */
export interface ThreadArgs { threads?: number | 'auto' }

/** A deterministic input in a normal range (like a normalised image). */
export function sampleInput(net: Net): Float32Array {
  return uniform(mulberry32(12345), numel(net.inputShape), 0, 1);
}

export interface ModelBenchResult {
  model: string; batch: number; runs: number; medianMs: number; minMs: number; maxMs: number; gflops: number;
  input: number[]; macs: number; peakBytes: number;
  /** Threads the network ran on, and why fewer than asked (null when as many). */
  threads: number; threadsReason: string | null;
}

/** `bench`: tinybench, warm-up then `runs` timed runs (median reported); FLOPs = 2 x conv/fc MACs. */
export async function benchModel(name: string, args: ModelArgs & ThreadArgs & { runs?: number; weights?: Map<string, LayerWeights>; onProgress?: (done: number, total: number) => void },
  graph: Graph = buildModel(name, args)): Promise<ModelBenchResult> {
  const net = await compile(graph, { ...(args.weights ? { weights: args.weights } : {}), ...(args.threads !== undefined ? { threads: args.threads } : {}) });
  try {
    const x = sampleInput(net);
    const macs = analyze(graph).macs;
    net.run(x);
    const runs = args.runs ?? 10;
    let done = 0;
    const bench = new Bench({ iterations: runs, time: 0, warmup: true, warmupIterations: 2, warmupTime: 0 });
    bench.add(name, () => { net.run(x); done++; args.onProgress?.(Math.max(0, done - 2), runs); });
    await bench.run();
    const lat = (bench.tasks[0].result as any).latency;
    return {
      model: name, batch: net.inputShape[0], runs: lat.samplesCount ?? lat.samples?.length ?? runs,
      medianMs: lat.p50, minMs: lat.min, maxMs: lat.max, gflops: (2 * macs) / lat.p50 / 1e6,
      input: net.inputShape, macs, peakBytes: net.plan.peakBytes, threads: net.threads, threadsReason: net.threadsReason,
    };
  } finally {
    net.dispose();
  }
}
