import { Bench } from 'tinybench';
import { buildModel, MODELS } from '../models/index.js';
import { compile, type Net } from '../runtime/index.js';
import { macCount } from '../graph/weights.js';
import type { Graph } from '../graph/types.js';

export interface ModelArgs { batch?: number; alpha?: number; resolution?: number }

/** `list`: the zoo. */
export function listModels(): { name: string; family: string; paper: string; variant: string; input: number[] }[] {
  return MODELS.map((m) => ({ name: m.name, family: m.family, paper: m.paper, variant: m.variant, input: [1, m.defaultResolution, m.defaultResolution, 3] }));
}

/** A deterministic input in a normal range (like a normalised image). */
export function sampleInput(net: Net): Float32Array {
  const n = net.inputShape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) { s = (s * 1103515245 + 12345) >>> 0; x[i] = (s / 2 ** 32) * 2 - 1; }
  return x;
}

export function top5(logits: Float32Array, classes: number): number[][] {
  const out: number[][] = [];
  for (let b = 0; b < logits.length / classes; b++) {
    const row = Array.from(logits.subarray(b * classes, (b + 1) * classes));
    out.push(row.map((v, i) => [v, i]).sort((p, q) => q[0] - p[0]).slice(0, 5).map((p) => p[1]));
  }
  return out;
}

/** `run`: compile with random weights, run once. */
export async function runModel(name: string, args: ModelArgs, graph: Graph = buildModel(name, args)) {
  const t0 = performance.now();
  const net = await compile(graph);
  const compileMs = performance.now() - t0;
  try {
    const x = sampleInput(net);
    const t1 = performance.now();
    const y = net.run(x);
    const runMs = performance.now() - t1;
    const classes = net.outputShape[net.outputShape.length - 1];
    return { model: name, batch: net.inputShape[0], input: net.inputShape, outputShape: net.outputShape, top5: top5(y, classes), compileMs, runMs };
  } finally {
    net.dispose();
  }
}

export interface ModelBenchResult {
  model: string; batch: number; runs: number; medianMs: number; minMs: number; maxMs: number; gflops: number;
  input: number[]; macs: number; peakBytes: number;
}

/** `bench`: tinybench, warm-up then `runs` timed runs (median reported); FLOPs = 2 x conv/fc MACs. */
export async function benchModel(name: string, args: ModelArgs & { runs?: number; onProgress?: (done: number, total: number) => void },
  graph: Graph = buildModel(name, args)): Promise<ModelBenchResult> {
  const net = await compile(graph);
  try {
    const x = sampleInput(net);
    const macs = macCount(graph);
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
      input: net.inputShape, macs, peakBytes: net.plan.peakBytes,
    };
  } finally {
    net.dispose();
  }
}
