// Whole-graph cost: runs every node through its handler, classifies it, and totals by class.
// Reads the graph and the lowering (for the planned activation arena), never ops or wasm.

import type { Graph, GraphNode, OpName, Shape } from '../graph/types.js';
import { numel, OP_SPECS, isOpName } from '../graph/ops.js';
import { OP_CLASSES, type OpClass } from '../graph/op-cost.js';
import { validateGraph } from '../graph/validate.js';
import { planActivations } from '../lower/index.js';
import { costOf, F32_BYTES, type OpCost } from './handlers.js';

export { OP_CLASSES, type OpClass };

/**
 * The class of a node (see OpClass), from the op registry: conv2d by shape (groups === input
 * channels → `dwconv`, the runtime's own rule for the depthwise kernels; else 1 x 1 → `conv1x1`;
 * else `conv`), every other op by its entry.
 */
export function opClassOf(node: GraphNode, inputShapes: readonly Shape[]): OpClass {
  if (!isOpName(node.op)) throw new Error(`layer "${node.name}" (${node.op}): no op class for op "${node.op}"`);
  const c = OP_SPECS[node.op].opClass as OpClass | ((n: GraphNode, s: readonly Shape[]) => OpClass);
  return typeof c === 'function' ? c(node, inputShapes) : c;
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
