// Whole-graph cost: runs every node through its handler, classifies it, and totals by class.
// Reads the graph and the lowering (for the planned activation arena), never ops or wasm.

import type { Graph, GraphNode, OpName, Shape } from '../graph/types.js';
import { numel } from '../graph/ops.js';
import { validateGraph } from '../graph/validate.js';
import { planActivations } from '../lower/index.js';
import { costOf, F32_BYTES, type OpCost } from './handlers.js';

/**
 * Layer classes for breakdowns:
 * - `conv`: k x k conv2d (k > 1 in either axis), dense or grouped;
 * - `conv1x1`: 1 x 1 conv2d (pointwise), dense or grouped;
 * - `dwconv`: conv2d with groups = input channels (any kernel, any multiplier);
 * - `fc`: fully connected;
 * - `pool`: max / average / global average pooling;
 * - `eltwise`: add, relu, relu6, batchnorm;
 * - `other`: concat, lrn, softmax, flatten, dropout, input.
 *
 * Batchnorm is `eltwise`: at inference it is a per-element multiply-add with per-channel
 * constants, the same memory-bound shape of work as relu or add (and usually folded into the
 * preceding conv by the runtime); its 2C parameters are small next to any conv's.
 */
export type OpClass = 'conv' | 'conv1x1' | 'dwconv' | 'fc' | 'pool' | 'eltwise' | 'other';

/** Every class, in report order. */
export const OP_CLASSES: readonly OpClass[] = Object.freeze(
  ['conv', 'conv1x1', 'dwconv', 'fc', 'pool', 'eltwise', 'other'] as const);

const CLASS_OF_OP: Readonly<Record<Exclude<OpName, 'conv2d'>, OpClass>> = Object.freeze({
  fc: 'fc',
  maxpool: 'pool', avgpool: 'pool', globalavgpool: 'pool',
  add: 'eltwise', relu: 'eltwise', relu6: 'eltwise', batchnorm: 'eltwise',
  concat: 'other', lrn: 'other', softmax: 'other', flatten: 'other', dropout: 'other', input: 'other',
});

/**
 * The class of a node. conv2d: groups === input channels → `dwconv` (checked first, so a 1x1
 * depthwise conv is `dwconv`; this is the runtime's own rule for picking the depthwise kernel,
 * which also sends a 1-channel dense conv there), else 1 x 1 kernel → `conv1x1`, else `conv`.
 */
export function opClassOf(node: GraphNode, inputShapes: readonly Shape[]): OpClass {
  if (node.op === 'conv2d') {
    const cin = inputShapes[0]?.at(-1);
    if (node.groups === cin) return 'dwconv';
    if (node.kernel[0] === 1 && node.kernel[1] === 1) return 'conv1x1';
    return 'conv';
  }
  const cls = (CLASS_OF_OP as Record<string, OpClass | undefined>)[node.op];
  if (cls === undefined || !Object.prototype.hasOwnProperty.call(CLASS_OF_OP, node.op)) {
    throw new Error(`layer "${node.name}" (${node.op}): no op class for op "${node.op}"`);
  }
  return cls;
}

/** One row of {@link CostAnalysis.layers}. */
export interface LayerCost extends OpCost {
  name: string;
  op: OpName;
  opClass: OpClass;
  /** Output shapes of the node's inputs, in order (empty for the graph input). */
  inShapes: Shape[];
  outShape: Shape;
  /** Arithmetic intensity, FLOPs / (weightBytes + readBytes + writeBytes); 0 when no bytes move. */
  intensity: number;
}

/** Totals of one class. */
export interface ClassTotals {
  params: number;
  macs: number;
  /** Number of nodes in the class. */
  layers: number;
}

/** Options of {@link analyze}. */
export interface AnalyzeOptions {
  /**
   * Re-batch: count as if the graph had been built with N = `batch` (every shape's leading
   * dimension replaced; all costs here are linear in N, params do not depend on it).
   * Default: the graph's own N, read from its input node.
   */
  batch?: number;
}

/** The result of {@link analyze}. 1 MAC = one multiply-add; FLOPs = 2 x MACs; f32 = 4 bytes. */
export interface CostAnalysis {
  /** The graph's name, e.g. `resnet-50`. */
  model: string;
  /** Images per batch, N: all counts below are for the whole batch. */
  batch: number;
  /** The input shape, `[N, H, W, C]`. */
  input: Shape;
  params: number;
  macs: number;
  /** 2 x macs. */
  flops: number;
  /** Non-MAC elementary operations summed over layers (see the handlers for what each counts). */
  otherOps: number;
  /** params x 4. */
  weightBytes: number;
  /** One row per node, in graph order. */
  layers: LayerCost[];
  /** Totals per class; every class present, and each sum equals the grand total. */
  byOp: Record<OpClass, ClassTotals>;
  activationBytes: {
    /**
     * Every node output allocated separately, x 4 bytes, the graph input included. flatten and
     * dropout outputs alias their input (a reshape and an identity) and are not counted twice.
     */
    naive: number;
    /** The runtime's planned activation arena (same lowering and planner as compile()). */
    peak: number;
  };
}

/**
 * Counts params, MACs, other ops and bytes of every node of `graph`, totalled overall and per
 * {@link OpClass}.
 *
 * @throws Error naming the node and op for an op without a cost handler, an input that is not
 *   an earlier node, or (with `batch`) a shape whose leading dimension is not the batch.
 */
export function analyze(graph: Graph, options: AnalyzeOptions = {}): CostAnalysis {
  validateGraph(graph);
  if (options === null || typeof options !== 'object') throw new TypeError(`analyze options must be an object, got ${options === null ? 'null' : typeof options}`);
  const inputNode = graph.nodes.find((n) => n.name === graph.input);
  if (!inputNode || inputNode.op !== 'input') {
    throw new Error(`graph "${graph.name}": input "${graph.input}" is not an input node of the graph`);
  }
  if (options.batch !== undefined) graph = rebatch(graph, options.batch, inputNode.outShape[0]!);
  const input = graph.nodes.find((n) => n.name === graph.input)!.outShape.slice();

  const shapes = new Map<string, Shape>();
  const layers: LayerCost[] = [];
  const byOp = Object.fromEntries(OP_CLASSES.map((c) => [c, { params: 0, macs: 0, layers: 0 }])) as
    Record<OpClass, ClassTotals>;
  let params = 0, macs = 0, otherOps = 0, naive = 0;

  for (const node of graph.nodes) {
    const inShapes = node.inputs.map((x) => {
      const s = shapes.get(x);
      if (!s) throw new Error(`layer "${node.name}" (${node.op}): input "${x}" is not an earlier node`);
      return s.slice();
    });
    const c = costOf(node, inShapes);
    const opClass = opClassOf(node, inShapes);
    const bytes = c.weightBytes + c.readBytes + c.writeBytes;
    layers.push({
      name: node.name, op: node.op, opClass, inShapes, outShape: node.outShape.slice(),
      params: c.params, macs: c.macs, otherOps: c.otherOps,
      weightBytes: c.weightBytes, readBytes: c.readBytes, writeBytes: c.writeBytes,
      intensity: bytes > 0 ? (2 * c.macs) / bytes : 0,
    });
    const t = byOp[opClass];
    t.params += c.params;
    t.macs += c.macs;
    t.layers++;
    params += c.params;
    macs += c.macs;
    otherOps += c.otherOps;
    if (node.op !== 'flatten' && node.op !== 'dropout') naive += numel(node.outShape) * F32_BYTES;
    shapes.set(node.name, node.outShape);
  }

  return {
    model: graph.name,
    batch: input[0]!,
    input,
    params,
    macs,
    flops: 2 * macs,
    otherOps,
    weightBytes: params * F32_BYTES,
    layers,
    byOp,
    activationBytes: { naive, peak: planActivations(graph).peakBytes },
  };
}

/** A copy of `graph` with every shape's leading dimension changed from `from` to `to`. */
/** A copy of `graph` re-batched to `to` images (see AnalyzeOptions.batch). */
export function rebatch(graph: Graph, to: number, from = graph.nodes.find((n) => n.name === graph.input)?.outShape[0] ?? 1): Graph {
  if (!Number.isInteger(to) || to <= 0) {
    throw new Error(`graph "${graph.name}": batch must be a positive integer, got ${to}`);
  }
  return {
    ...graph,
    nodes: graph.nodes.map((n) => {
      if (n.outShape[0] !== from) {
        throw new Error(`layer "${n.name}" (${n.op}): cannot re-batch, output [${n.outShape.join(', ')}] ` +
          `does not lead with the graph's batch ${from}`);
      }
      return { ...n, inputs: n.inputs.slice(), outShape: [to, ...n.outShape.slice(1)] };
    }),
  };
}
