import { buildModel, MODELS } from '../models/index.js';
import { compile } from '../runtime/index.js';
import { sampleInput, type ModelArgs } from '../calibrate/bench-model.js';
import type { Graph } from '../graph/types.js';
import type { LayerWeights } from '../graph/weights.js';

/** `list`: the zoo. */
export function listModels(): { name: string; family: string; paper: string; variant: string; input: number[] }[] {
  return MODELS.map((m) => ({ name: m.name, family: m.family, paper: m.paper, variant: m.variant, input: [1, m.defaultResolution, m.defaultResolution, 3] }));
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
export async function runModel(name: string, args: ModelArgs, graph: Graph = buildModel(name, args),
  weights?: Map<string, LayerWeights>, input?: { data: Float32Array; layout: 'nhwc' | 'nchw' }, threads?: number | 'auto') {
  const t0 = performance.now();
  const net = await compile(graph, { ...(weights ? { weights } : {}), ...(threads !== undefined ? { threads } : {}) });
  const compileMs = performance.now() - t0;
  try {
    const x = input?.data ?? sampleInput(net);
    const t1 = performance.now();
    const y = net.run(x, { layout: input?.layout ?? 'nhwc' });
    const runMs = performance.now() - t1;
    const classes = net.outputShape[net.outputShape.length - 1];
    return {
      model: name, batch: net.inputShape[0], input: net.inputShape, outputShape: net.outputShape, top5: top5(y, classes), compileMs, runMs,
      threads: net.threads, threadsReason: net.threadsReason, output: y,
    };
  } finally {
    net.dispose();
  }
}
