// The lowering, once: graph -> kernel steps. Fusion (batch norm folded into the conv before it,
// ReLU / ReLU6 into the producer's epilogue, add + ReLU, a constant or per-channel multiply
// joined with the add that reads it), concat written in place (a producer
// writes its channel slice of the concat's buffer), flatten / dropout as aliases, and the kernel
// path of every step. Pure data: no engine, no weights. The executor (runtime/net.ts) builds ops
// from these steps, the memory planner sizes their values, and the cost model prices them.

import type { Activation, Graph, GraphNode, OpName, Shape } from '../graph/types.js';
import { numel, OP_SPECS, type NodeOf } from '../graph/ops.js';
import { validateGraph } from '../graph/validate.js';
import type { StepKind, WinogradMode } from '../kernels/select.js';

export type { StepKind };

/** A tensor of the lowered program. Slices live inside a concat's buffer; aliases share one. */
export interface Value {
  id: number;
  shape: Shape;
  floats: number;
  /** Producing step index (-1 for the graph input). */
  def: number;
  /** Last step index reading it (-1: none). */
  lastUse: number;
  /** Channel slice of another value: [parent value id, channel offset]. */
  sliceOf?: [number, number];
  /** Same memory as another value (flatten, dropout). */
  aliasOf?: number;
  /** Whether the producer writes with a pixel stride (so it may become a concat slice). */
  strided: boolean;
}

/** One kernel step. */
export interface Step {
  kind: StepKind;
  /** Graph nodes the step covers, the main node first (conv + folded batch norm + fused ReLU). */
  nodes: string[];
  /** The main node (for a concat, the concat; for a standalone batch norm, the batch norm). */
  node: GraphNode;
  /** A batch norm folded into this conv (a standalone batch norm is `node` itself). */
  bn?: NodeOf<'batchnorm'>;
  /** Activation fused into the epilogue. */
  act: Activation;
  /** An add that absorbed a constant multiply of its first input: out = alpha * in0 + in1. */
  alpha?: number;
  /** Value ids read, in the node's input order. */
  inputs: number[];
  output: number;
  outShape: Shape;
  /** concat: the inputs that are copied (not written in place), with their channel offsets. */
  copies: { value: number; offset: number }[];
}

/** The lowered program. */
export interface Lowered {
  graph: Graph;
  steps: Step[];
  values: Value[];
  input: number;
  output: number;
}

/** Options of {@link lower}. */
export interface LowerOptions {
  /** Winograd for 3x3 stride-1 layers: by shape (default), off, or a forced tile. */
  winograd?: WinogradMode;
}

interface Ctx {
  graph: Graph;
  byName: Map<string, GraphNode>;
  consumers: Map<string, GraphNode[]>;
  values: Value[];
  valueOf: Map<string, number>;
  steps: Step[];
  absorbed: Set<string>;
  winograd: WinogradMode;
}

/** The sole consumer of a node's output, unless it has several or is the graph output. */
function only(ctx: Ctx, name: string): GraphNode | undefined {
  const c = ctx.consumers.get(name);
  return c && c.length === 1 && name !== ctx.graph.output ? c[0] : undefined;
}

function newValue(ctx: Ctx, shape: Shape, strided: boolean): Value {
  const v: Value = { id: ctx.values.length, shape, floats: numel(shape), def: ctx.steps.length, lastUse: -1, strided };
  ctx.values.push(v);
  return v;
}

function use(ctx: Ctx, name: string): number {
  const id = ctx.valueOf.get(name);
  if (id === undefined) throw new Error(`layer "${name}": used before it is computed`);
  let v: Value | undefined = ctx.values[id];
  while (v) { v.lastUse = ctx.steps.length; v = v.aliasOf === undefined ? undefined : ctx.values[v.aliasOf]; }
  return id;
}

function push(ctx: Ctx, s: Omit<Step, 'copies' | 'act' | 'outShape'> & Partial<Pick<Step, 'copies' | 'act'>>, publishAs: string): void {
  ctx.steps.push({ act: 'none', copies: [], outShape: ctx.values[s.output]!.shape, ...s });
  ctx.valueOf.set(publishAs, s.output);
}

/** A node lowered by its registry rule (graph/ops.ts `lower`). */
function lowerNode(ctx: Ctx, node: GraphNode): void {
  const rule = OP_SPECS[node.op].lower;
  switch (rule.as) {
    case 'input': {
      const v = newValue(ctx, node.outShape, false);
      v.def = -1;
      ctx.valueOf.set(node.name, v.id);
      return;
    }
    case 'alias': {
      const x = use(ctx, node.inputs[0]!);
      const y = newValue(ctx, node.outShape, false);
      y.aliasOf = x;
      y.def = ctx.values[x]!.def;
      ctx.valueOf.set(node.name, y.id);
      return;
    }
    case 'concat': {
      const ins = node.inputs.map((i) => use(ctx, i));
      const y = newValue(ctx, node.outShape, true);
      const copies: { value: number; offset: number }[] = [];
      let off = 0;
      ins.forEach((id, i) => {
        const v = ctx.values[id]!;
        const name = node.inputs[i]!;
        const sole = (ctx.consumers.get(name)?.length ?? 0) === 1 && name !== ctx.graph.output;
        if (sole && v.strided && !v.sliceOf && v.aliasOf === undefined && v.def >= 0 && !ins.slice(0, i).includes(id)) {
          v.sliceOf = [y.id, off];
          y.def = Math.min(y.def, v.def);
        } else copies.push({ value: id, offset: off });
        off += v.shape[v.shape.length - 1]!; // channels: the last axis, of a map or of [N, F]
      });
      push(ctx, { kind: copies.length ? 'concat_copy' : 'concat_inplace', nodes: [node.name], node, inputs: ins, output: y.id, copies }, node.name);
      return;
    }
    case 'step': {
      if (rule.intoAdd && multiplyAdd(ctx, node)) return;
      const ins = node.inputs.map((i) => use(ctx, i));
      const inShapes = ins.map((id) => ctx.values[id]!.shape);
      const nodes = [node.name];
      let last = node.name;
      let bn: NodeOf<'batchnorm'> | undefined;
      if (rule.foldBatchnorm) {
        const c1 = only(ctx, node.name);
        if (c1 && c1.op === 'batchnorm') { bn = c1 as NodeOf<'batchnorm'>; ctx.absorbed.add(c1.name); nodes.push(c1.name); last = c1.name; }
      }
      let act: Activation = rule.act ?? 'none';
      if (rule.fuse) {
        const c = only(ctx, last);
        if (c && (rule.fuse as readonly string[]).includes(c.op)) {
          ctx.absorbed.add(c.name);
          nodes.push(c.name);
          last = c.name;
          act = c.op as Activation;
        }
      }
      const base = typeof rule.kind === 'function' ? rule.kind(node, inShapes, ctx.winograd) : rule.kind;
      const kind = act !== 'none' && rule.fusedKind && !rule.act ? rule.fusedKind : base;
      const y = newValue(ctx, node.outShape, rule.strided ?? false);
      push(ctx, { kind, nodes, node, bn, act, inputs: ins, output: y.id }, last);
      return;
    }
  }
}

/**
 * A multiply whose sole reader is an add, lowered with that add as one step (and the ReLU after
 * it, when that is the add's sole reader): a constant multiply as `alpha * x + other` (kind add),
 * a per-channel multiply as `x * gate + other` (kind channel_mul_add; inputs x, gate, other).
 * Only when the add's other input is already computed, so the step can run here; false leaves the
 * multiply to stand alone.
 */
function multiplyAdd(ctx: Ctx, node: GraphNode): boolean {
  const addNode = only(ctx, node.name);
  if (addNode?.op !== 'add') return false;
  const other = addNode.inputs[0] === node.name ? addNode.inputs[1]! : addNode.inputs[0]!;
  if (!ctx.valueOf.has(other)) return false;
  const ins = [...node.inputs.map((i) => use(ctx, i)), use(ctx, other)];
  ctx.absorbed.add(addNode.name);
  const nodes = [addNode.name, node.name];
  let last = addNode.name;
  const after = only(ctx, addNode.name);
  const relu = after?.op === 'relu' ? after : undefined;
  if (relu) { ctx.absorbed.add(relu.name); nodes.push(relu.name); last = relu.name; }
  const y = newValue(ctx, addNode.outShape, false);
  const act: Activation = relu ? 'relu' : 'none';
  if (node.op === 'scale') {
    push(ctx, { kind: relu ? 'add_relu' : 'add', nodes, node: addNode, act, inputs: ins, output: y.id, alpha: (node as NodeOf<'scale'>).factor }, last);
  } else {
    push(ctx, { kind: 'channel_mul_add', nodes, node: addNode, act, inputs: ins, output: y.id }, last);
  }
  return true;
}

/**
 * Lowers a graph to kernel steps (validating it first: see validateGraph). Deterministic: the
 * same graph and options give the same steps.
 * @throws TypeError / RangeError naming the node for a malformed graph.
 */
export function lower(graph: Graph, opts: LowerOptions = {}): Lowered {
  validateGraph(graph);
  const winograd = opts.winograd ?? 'auto';
  if (!(['auto', 'off', 2, 4] as unknown[]).includes(winograd)) {
    throw new TypeError(`winograd must be 'auto', 'off', 2 or 4, got ${JSON.stringify(winograd)}`);
  }
  const consumers = new Map<string, GraphNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) {
    if (!consumers.has(i)) consumers.set(i, []);
    consumers.get(i)!.push(n);
  }
  const ctx: Ctx = {
    graph, byName: new Map(graph.nodes.map((n) => [n.name, n])), consumers, values: [], valueOf: new Map(),
    steps: [], absorbed: new Set(), winograd,
  };
  for (const node of graph.nodes) {
    if (ctx.absorbed.has(node.name)) continue;
    lowerNode(ctx, node);
  }
  return { graph, steps: ctx.steps, values: ctx.values, input: ctx.valueOf.get(graph.input)!, output: ctx.valueOf.get(graph.output)! };
}

/** The value a value's memory belongs to (following slices and aliases). */
export function rootOf(values: readonly Value[], id: number): Value {
  let v = values[id]!;
  for (;;) {
    if (v.sliceOf) v = values[v.sliceOf[0]]!;
    else if (v.aliasOf !== undefined) v = values[v.aliasOf]!;
    else return v;
  }
}

/**
 * The input feature map behind an fc's flatten, following shape-preserving nodes (dropout, ReLU,
 * ...) between them: PyTorch flattens C,H,W and this IR flattens H,W,C, so fc weights from
 * PyTorch must be re-ordered with that map's [H, W, C]. Undefined when the fc does not read a
 * flatten of a feature map.
 */
export function flattenedMap(graph: Graph, fcName: string): Shape | undefined {
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  let n = byName.get(byName.get(fcName)?.inputs[0] ?? '');
  const passThrough: readonly OpName[] = ['dropout', 'relu', 'relu6'];
  while (n && passThrough.includes(n.op)) n = byName.get(n.inputs[0]!);
  if (n?.op !== 'flatten') return undefined;
  const map = byName.get(n.inputs[0]!)?.outShape;
  return map && map.length === 4 ? map.slice() : undefined;
}
