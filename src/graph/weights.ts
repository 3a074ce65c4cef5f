// Weight layouts and deterministic random weights. (Parameters and multiply-adds are counted once,
// by the op registry's cost handlers: cost.analyze.)

import type { Conv2dNode, FcNode, Graph, GraphNode } from './types.js';
import { OP_SPECS, type Moments, type OpSpec } from './ops.js';

/** conv2d weights: `weight` in HWIO = [kh][kw][cin / groups][cout]; `bias` = [cout]. */
export interface ConvWeights { weight: Float32Array; bias?: Float32Array }
/** fc weights: `weight` in IO = [in][out]; `bias` = [out]. */
export interface FcWeights { weight: Float32Array; bias?: Float32Array }
/** batchnorm parameters and running statistics, each [C]; `variance` is positive. */
export interface BatchNormWeights {
  gamma: Float32Array;
  beta: Float32Array;
  mean: Float32Array;
  variance: Float32Array;
}
/** scaleshift constants, each [C]: y = x * scale + shift. */
export interface ScaleShiftWeights { scale: Float32Array; shift: Float32Array }
/**
 * The weights of one layer, keyed by node name in a `Map`. In a grouped conv, output channel
 * `o` reads the input channels of group `floor(o / (cout / groups))`; its HWIO slice holds
 * only those `cin / groups` channels.
 */
export type LayerWeights = ConvWeights | FcWeights | BatchNormWeights | ScaleShiftWeights;

/**
 * Deterministic random weights for every conv2d, fc and batchnorm node of `graph`.
 *
 * Each layer draws from its own generator seeded by (`seed`, node name), so a layer's weights do
 * not change when other layers are added or renamed. Conv and fc weights are normal with
 * std = sqrt(1 / (fanIn * m)), where m is the input's mean square, estimated by propagating
 * (mean, mean square) through the graph with a unit-normal image as input; every conv/fc output
 * then has mean square ~1. Behind a ReLU of a zero-mean signal (m = 1/2) this is exactly
 * He-normal, sqrt(2 / fanIn). Where plain He drifts — a residual stream that is not zero-mean
 * and grows with every block (50 in ResNet-152; a ReLU-halving-only estimate let it reach RMS
 * 2e5), max pools that inflate, LRN that shrinks — the estimate pulls it back, so every
 * activation of every zoo network stays O(1) (RMS 0.14 to 7.5 at the default resolutions,
 * checked with a torch forward pass): no denormals, which make WASM f32 ~100x slower, and no
 * overflow. Biases are
 * uniform in ±0.01; batchnorm gets gamma in 1 ± 0.1, beta and mean in ±0.05, variance in 1 ± 0.1.
 */
export function randomWeights(graph: Graph, seed = 1): Map<string, LayerWeights> {
  const byName = indexNodes(graph);
  const stats = new Map<string, Moments>();
  const out = new Map<string, LayerWeights>();
  const st = (x: string) => stats.get(x)!;
  for (const node of graph.nodes) {
    const x = node.inputs.length > 0 ? st(node.inputs[0]!) : { mean: 0, ms: 1 };
    let y: Moments;
    switch (node.op) {
      case 'input': y = { mean: 0, ms: 1 }; break;
      case 'conv2d':
      case 'fc': {
        const rng = layerRng(seed, node.name);
        const fanIn = fanInOf(node, byName);
        const n = weightCount(node, byName);
        const std = Math.sqrt(1 / (fanIn * x.ms));
        const weight = normals(rng, n, std);
        const cout = node.op === 'fc' ? node.outFeatures : node.outChannels;
        const bias = node.bias ? uniform(rng, cout, 0, 0.01) : undefined;
        out.set(node.name, bias ? { weight, bias } : { weight });
        // Zero-mean weights: E[y^2] = fanIn * std^2 * E[x^2] = 1 whatever the input's mean.
        y = { mean: 0, ms: 1 };
        break;
      }
      case 'batchnorm': {
        const rng = layerRng(seed, node.name);
        const c = node.outShape.at(-1)!;
        const w: BatchNormWeights = {
          gamma: uniform(rng, c, 1, 0.1),
          beta: uniform(rng, c, 0, 0.05),
          mean: uniform(rng, c, 0, 0.05),
          variance: uniform(rng, c, 1, 0.1),
        };
        out.set(node.name, w);
        let mean = 0;
        let ms = 0;
        for (let i = 0; i < c; i++) {
          const s = w.gamma[i]! / Math.sqrt(w.variance[i]! + node.eps);
          const mu = w.mean[i]!;
          const b = w.beta[i]!;
          mean += s * (x.mean - mu) + b;
          ms += s * s * (x.ms - 2 * x.mean * mu + mu * mu) + 2 * b * s * (x.mean - mu) + b * b;
        }
        y = { mean: mean / c, ms: ms / c };
        break;
      }
      case 'scaleshift': {
        const rng = layerRng(seed, node.name);
        const c = node.outShape.at(-1)!;
        const w: ScaleShiftWeights = { scale: uniform(rng, c, 1, 0.1), shift: uniform(rng, c, 0, 0.05) };
        out.set(node.name, w);
        let mean = 0, ms = 0;
        for (let i = 0; i < c; i++) {
          const s = w.scale[i]!, b = w.shift[i]!;
          mean += s * x.mean + b;
          ms += s * s * x.ms + 2 * s * b * x.mean + b * b;
        }
        y = { mean: mean / c, ms: ms / c };
        break;
      }
      default: {
        // every op without weights: its registry entry's rule
        const rule = OP_SPECS[node.op].moments as Exclude<OpSpec<'relu'>['moments'], 'weights'> | 'weights';
        if (rule === 'weights') throw new Error(`randomWeights: op "${node.op}" has weights but no rule to draw them`);
        y = rule(node.inputs.map(st), node as never, node.inputs.map((i) => byName.get(i)!.outShape));
      }
    }
    stats.set(node.name, y);
  }
  return out;
}

type ConvNode = Conv2dNode & GraphNode;
type DenseNode = FcNode & GraphNode;

function indexNodes(graph: Graph): Map<string, GraphNode> {
  return new Map(graph.nodes.map((n) => [n.name, n]));
}

function inChannels(node: GraphNode, byName: Map<string, GraphNode>): number {
  const src = byName.get(node.inputs[0]!);
  if (!src) throw new Error(`layer "${node.name}" (${node.op}): unknown input "${node.inputs[0]}"`);
  return src.outShape.at(-1)!;
}

/** Inputs feeding one output value: kh * kw * cin / groups for conv, in-features for fc. */
function fanInOf(node: ConvNode | DenseNode, byName: Map<string, GraphNode>): number {
  const cin = inChannels(node, byName);
  return node.op === 'fc' ? cin : node.kernel[0] * node.kernel[1] * (cin / node.groups);
}

function weightCount(node: ConvNode | DenseNode, byName: Map<string, GraphNode>): number {
  return fanInOf(node, byName) * (node.op === 'fc' ? node.outFeatures : node.outChannels);
}

// --- deterministic random numbers -----------------------------------------------------------

/** A deterministic generator of uniforms in [0, 1). */
export interface Rng { uniform(): number }

/** mulberry32: 32-bit state, passes the usual statistical batteries, tiny and fast. The package's one generator. */
export function mulberry32(state: number): Rng {
  let a = state >>> 0;
  const uniform = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { uniform };
}

/** n values normal(0, std^2), Box-Muller in pairs. */
function normals(rng: Rng, n: number, std: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = std * Math.sqrt(-2 * Math.log(1 - rng.uniform())); // 1 - u in (0, 1]: no log(0)
    const th = 2 * Math.PI * rng.uniform();
    a[i] = r * Math.cos(th);
    if (i + 1 < n) a[i + 1] = r * Math.sin(th);
  }
  return a;
}

/** A generator for one layer, from the global seed and the layer's name (FNV-1a). */
function layerRng(seed: number, name: string): Rng {
  let h = 0x811c9dc5 ^ Math.imul(seed | 0, 0x9e3779b1);
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return mulberry32(h);
}

/** n values uniform in [center - halfWidth, center + halfWidth). */
export function uniform(rng: Rng, n: number, center: number, halfWidth: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = center + halfWidth * (2 * rng.uniform() - 1);
  return a;
}
