// Graph IR (NHWC) + weights -> an ONNX model (NCHW, opset 13), so that any ONNX engine can run
// exactly the network simdnet runs. One emitter per op; everything else (value names,
// initializers, the NHWC -> NCHW bookkeeping) is shared.
//
// Layouts: every rank-4 value becomes NCHW; rank-2 values ([N, F] after flatten / fc) are the
// same in both. Conv weights go from HWIO [kh][kw][cin/groups][cout] to OIHW; fc weights stay IO
// [in][out], which is exactly Gemm's B with transB = 0.

import type { Graph, GraphNode, Shape } from '../graph/types.js';
import type { BatchNormWeights, ConvWeights, FcWeights, LayerWeights, ScaleShiftWeights } from '../graph/weights.js';
import { littleEndianBytes } from '../graph/bytes.js';
import { ceilOverhang } from '../graph/ops.js';
import { checkLength, denseWeights } from '../graph/weight-checks.js';
import { AttributeType, DataType, modelProto } from './schema.js';

/** Options of {@link toONNX}. */
export interface ToONNXOptions {
  /**
   * Declare the batch dimension of the input and output as the symbol `N` instead of the
   * graph's batch size, so one model serves any batch (default false: the graph's own size).
   */
  dynamicBatch?: boolean;
}

/** The ONNX opset the exported nodes are written against (Clip's min/max are inputs since 11). */
export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
const IR_VERSION = 7;

type Node = GraphNode;
type Attr = Record<string, unknown>;
interface NodeProtoObj { input: string[]; output: string[]; name: string; opType: string; attribute: Attr[] }
interface TensorProtoObj { name: string; dims: number[]; dataType: number; rawData: Uint8Array }

/**
 * Exports a graph with its weights as an ONNX model (protobuf bytes, ready for
 * `InferenceSession.create(bytes)` in ONNX Runtime or for writing to a `.onnx` file).
 *
 * - Input `input`, output `output`, both float32. Rank-4 tensors are NCHW, as ONNX requires:
 *   the model takes `[N, C, H, W]` where simdnet takes `[N, H, W, C]`; an `[N, classes]` output
 *   is the same in both.
 * - Opset 13, IR version 7. conv2d → Conv (groups, dilations, asymmetric pads), batchnorm →
 *   BatchNormalization, relu → Relu, relu6 → Clip(0, 6), pooling → MaxPool / AveragePool with
 *   PyTorch's ceil mode and count_include_pad reproduced exactly (see `pool`), globalavgpool →
 *   GlobalAveragePool, add → Add, concat → Concat on channels, lrn → LRN (odd sizes) or an
 *   exact decomposition (even sizes, where ONNX centres the window differently from PyTorch),
 *   flatten → Transpose to NHWC + Flatten (simdnet flattens in H, W, C order), fc → Gemm,
 *   dropout → nothing (identity at inference), softmax → Softmax.
 * - Initializers are named after PyTorch's state-dict keys: `<layer>.weight`, `<layer>.bias`,
 *   `<layer>.running_mean`, `<layer>.running_var`.
 *
 * @param graph a graph from `buildModel` or `GraphBuilder`
 * @param weights per layer name, in simdnet's layouts (conv HWIO, fc IO; see `randomWeights`)
 * @returns the serialized `onnx.ModelProto`
 * @throws Error naming the layer (`layer "<name>" (<op>): ...`) for missing or mis-sized
 *   weights or an op ONNX cannot express
 */
export function toONNX(graph: Graph, weights: Map<string, LayerWeights>, opts: ToONNXOptions = {}): Uint8Array {
  if (!graph || !Array.isArray(graph.nodes)) throw new TypeError('toONNX: graph must be a Graph (from the builder or buildModel)');
  if (!(weights instanceof Map)) throw new TypeError('toONNX: weights must be a Map keyed by layer name (see randomWeights)');
  const e = new Exporter(graph, weights);
  for (const node of graph.nodes) {
    try {
      e.emit(node);
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new Error(msg.startsWith('layer "') ? msg : `layer "${node.name}" (${node.op}): ${msg}`, { cause: err });
    }
  }
  const inNode = e.node(graph.input);
  const outNode = e.node(graph.output);
  // A graph whose output is an alias (dropout, or the input itself) needs a node to name it.
  if (e.valueOf(graph.output) !== 'output') e.op('Identity', [e.valueOf(graph.output)], 'output', {}, 'output');
  const batchDim = opts.dynamicBatch ? 'N' : undefined;
  const model = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'simdnet',
    docString: `${graph.name}, exported from simdnet's graph IR (NHWC) to ONNX (NCHW)`,
    graph: {
      name: graph.name,
      node: e.nodes,
      initializer: e.initializers,
      input: [valueInfo('input', nchw(inNode.outShape), batchDim)],
      output: [valueInfo('output', nchw(outNode.outShape), batchDim)],
    },
  };
  const type = modelProto();
  return type.encode(type.fromObject(model)).finish();
}

class Exporter {
  readonly nodes: NodeProtoObj[] = [];
  readonly initializers: TensorProtoObj[] = [];
  private readonly byName = new Map<string, Node>();
  /** IR node name -> ONNX value holding its output. */
  private readonly values = new Map<string, string>();
  private readonly used = new Set<string>(['input', 'output']);
  private readonly consts = new Map<string, string>();

  constructor(private readonly graph: Graph, private readonly weights: Map<string, LayerWeights>) {
    for (const n of graph.nodes) this.byName.set(n.name, n);
  }

  node(name: string): Node {
    const n = this.byName.get(name);
    if (!n) throw new Error(`graph "${this.graph.name}": no node named "${name}"`);
    return n;
  }

  valueOf(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`input "${name}" is unknown or comes later (nodes must be in topological order)`);
    return v;
  }

  /** A fresh ONNX value name, `want` if it is still free. */
  private fresh(want: string): string {
    let name = want;
    for (let k = 1; this.used.has(name); k++) name = `${want}_${k}`;
    this.used.add(name);
    return name;
  }

  /** The name the node's own output gets: `output` for the graph's output, else its IR name. */
  private outName(node: Node): string {
    return node.name === this.graph.output ? 'output' : this.fresh(node.name);
  }

  op(opType: string, input: string[], output: string, attrs: Attr, name: string): string {
    const attribute = Object.entries(attrs).map(([key, v]) => attr(key, v));
    this.nodes.push({ input, output: [output], name, opType, attribute });
    return output;
  }

  private init(name: string, dims: number[], data: Float32Array | BigInt64Array): string {
    const n = this.fresh(name);
    const dataType = data instanceof Float32Array ? DataType.FLOAT : DataType.INT64;
    this.initializers.push({ name: n, dims, dataType, rawData: littleEndianBytes(data) });
    return n;
  }

  /** A float32 scalar initializer, shared by every use of the same value. */
  private scalar(v: number): string {
    const key = `f${v}`;
    let n = this.consts.get(key);
    if (n === undefined) {
      n = this.init(`const_${v}`, [], new Float32Array([v]));
      this.consts.set(key, n);
    }
    return n;
  }

  emit(node: Node): void {
    if (node.op === 'input') {
      if (node.name !== this.graph.input) throw new Error('a second input node; graphs have one input');
      this.values.set(node.name, 'input');
      return;
    }
    const xs = node.inputs.map((i) => this.valueOf(i));
    const x = xs[0]!;
    const inShape = node.inputs.length > 0 ? this.node(node.inputs[0]!).outShape : [];
    const rank = node.outShape.length;
    const set = (v: string) => { this.values.set(node.name, v); };
    switch (node.op) {
      case 'conv2d': {
        const w = denseWeights<ConvWeights>(this.weights, node, node.bias);
        const [kh, kw] = node.kernel;
        const cinG = inShape[3]! / node.groups;
        const cout = node.outChannels;
        checkLength(w.weight, kh * kw * cinG * cout, `weight (HWIO [${kh}][${kw}][${cinG}][${cout}])`);
        if (w.bias) checkLength(w.bias, cout, 'bias');
        const ins = [x, this.init(`${node.name}.weight`, [cout, cinG, kh, kw], hwioToOihw(w.weight, kh, kw, cinG, cout))];
        if (w.bias) ins.push(this.init(`${node.name}.bias`, [cout], w.bias));
        set(this.op('Conv', ins, this.outName(node), {
          kernel_shape: [kh, kw], strides: node.stride, pads: node.pad, dilations: node.dilation, group: node.groups,
        }, node.name));
        return;
      }
      case 'batchnorm': {
        const w = this.weights.get(node.name) as BatchNormWeights | undefined;
        if (!w) throw new Error(`no weights: expected { gamma, beta, mean, variance } under "${node.name}"`);
        const c = node.outShape.at(-1)!;
        const names = { gamma: 'weight', beta: 'bias', mean: 'running_mean', variance: 'running_var' } as const;
        const ins = [x];
        for (const key of ['gamma', 'beta', 'mean', 'variance'] as const) {
          if (!(w[key] instanceof Float32Array)) throw new TypeError(`weights have no Float32Array \`${key}\``);
          checkLength(w[key], c, key);
          ins.push(this.init(`${node.name}.${names[key]}`, [c], w[key]));
        }
        set(this.op('BatchNormalization', ins, this.outName(node), { epsilon: { f: node.eps } }, node.name));
        return;
      }
      case 'relu':
        set(this.op('Relu', [x], this.outName(node), {}, node.name));
        return;
      case 'relu6':
        set(this.op('Clip', [x, this.scalar(0), this.scalar(6)], this.outName(node), {}, node.name));
        return;
      case 'maxpool':
      case 'avgpool':
        set(this.pool(node, x, inShape));
        return;
      case 'globalavgpool':
        set(this.op('GlobalAveragePool', [x], this.outName(node), {}, node.name));
        return;
      case 'add':
        set(this.op('Add', xs, this.outName(node), {}, node.name));
        return;
      case 'concat':
        // Channels: axis 1 of NCHW; otherwise the last axis, as in the IR.
        set(this.op('Concat', xs, this.outName(node), { axis: rank === 4 ? 1 : rank - 1 }, node.name));
        return;
      case 'lrn':
        set(this.lrn(node, x, inShape));
        return;
      case 'flatten': {
        // simdnet flattens NHWC memory (c fastest). Going back to NHWC first keeps the features
        // in that order, so the fc weights need no permutation; with a 1x1 map both orders agree.
        let src = x;
        if (inShape.length === 4 && inShape[1]! * inShape[2]! > 1) {
          src = this.op('Transpose', [x], this.fresh(`${node.name}.nhwc`), { perm: [0, 2, 3, 1] }, `${node.name}.nhwc`);
        } else if (inShape.length !== 4 && inShape.length !== 2) {
          throw new Error(`flatten of a rank-${inShape.length} value is not supported (rank 2 or 4)`);
        }
        set(this.op('Flatten', [src], this.outName(node), { axis: 1 }, node.name));
        return;
      }
      case 'fc': {
        const w = denseWeights<FcWeights>(this.weights, node, node.bias);
        const k = inShape.at(-1)!;
        checkLength(w.weight, k * node.outFeatures, `weight (IO [${k}][${node.outFeatures}])`);
        const ins = [x, this.init(`${node.name}.weight`, [k, node.outFeatures], w.weight)];
        if (w.bias) {
          checkLength(w.bias, node.outFeatures, 'bias');
          ins.push(this.init(`${node.name}.bias`, [node.outFeatures], w.bias));
        }
        set(this.op('Gemm', ins, this.outName(node), {}, node.name));
        return;
      }
      case 'dropout':
        // Identity at inference: the node's value is its input's.
        set(x);
        return;
      case 'leakyrelu':
        set(this.op('LeakyRelu', [x], this.outName(node), { alpha: { f: node.alpha } }, node.name));
        return;
      case 'clip': {
        const ins = [x, Number.isFinite(node.min) ? this.scalar(node.min) : '', Number.isFinite(node.max) ? this.scalar(node.max) : ''];
        while (ins.at(-1) === '') ins.pop();
        set(this.op('Clip', ins, this.outName(node), {}, node.name));
        return;
      }
      case 'globalmaxpool':
        set(this.op('GlobalMaxPool', [x], this.outName(node), {}, node.name));
        return;
      case 'scaleshift': {
        const w = this.weights.get(node.name) as ScaleShiftWeights | undefined;
        if (!w || !(w.scale instanceof Float32Array) || !(w.shift instanceof Float32Array)) throw new TypeError(`no weights: expected { scale, shift } under "${node.name}"`);
        const c = node.outShape.at(-1)!;
        checkLength(w.scale, c, 'scale');
        checkLength(w.shift, c, 'shift');
        // broadcast over N, H, W: [C, 1, 1] against NCHW, [C] against [N, C]
        const dims = rank === 4 ? [c, 1, 1] : [c];
        const mul = this.op('Mul', [x, this.init(`${node.name}.scale`, dims, w.scale)], this.fresh(`${node.name}.mul`), {}, `${node.name}.mul`);
        set(this.op('Add', [mul, this.init(`${node.name}.shift`, dims, w.shift)], this.outName(node), {}, node.name));
        return;
      }
      case 'sigmoid':
        set(this.op('Sigmoid', [x], this.outName(node), {}, node.name));
        return;
      case 'channelmul':
        // [N, C, H, W] x [N, C, 1, 1]: ONNX broadcasting does the rest
        set(this.op('Mul', xs, this.outName(node), {}, node.name));
        return;
      case 'scale':
        set(this.op('Mul', [x, this.scalar(node.factor)], this.outName(node), {}, node.name));
        return;
      case 'channelslice': {
        const i64 = (what: string, v: number) => this.init(`${node.name}.${what}`, [1], BigInt64Array.of(BigInt(v)));
        set(this.op('Slice', [x, i64('starts', node.start), i64('ends', node.end), i64('axes', 1)], this.outName(node), {}, node.name));
        return;
      }
      case 'channelshuffle': {
        // PyTorch's own export of view -> transpose -> view: [N, g, C/g, H, W], swap axes 1 and 2
        const [n, h, w, c] = node.outShape as [number, number, number, number];
        const g = node.groups;
        const dims = (v: number[]) => this.init(`${node.name}.shape`, [v.length], BigInt64Array.from(v, BigInt));
        const split = this.op('Reshape', [x, dims([n, g, c / g, h, w])], this.fresh(`${node.name}.split`), {}, `${node.name}.split`);
        const t = this.op('Transpose', [split], this.fresh(`${node.name}.transpose`), { perm: [0, 2, 1, 3, 4] }, `${node.name}.transpose`);
        set(this.op('Reshape', [t, dims([n, c, h, w])], this.outName(node), {}, node.name));
        return;
      }
      case 'softmax':
        // Over channels = the IR's last axis: axis 1 of an NCHW map, else the last axis.
        set(this.op('Softmax', [x], this.outName(node), { axis: rank === 4 ? 1 : -1 }, node.name));
        return;
      default: {
        // a new op of the IR fails to compile here until it has an export
        const missing: never = node;
        throw new Error(`op "${(missing as { op: string }).op}" has no ONNX export`);
      }
    }
  }

  /**
   * MaxPool / AveragePool with PyTorch's semantics, never ONNX's `ceil_mode` (whose last-window
   * rule differs between runtimes and versions): a ceil-mode pool becomes a floor-mode pool
   * with just enough extra padding at the bottom / right to produce the IR's output size.
   * - max: padding never wins, so extra padding is exact. PyTorch drops a last window that
   *   would start in the bottom / right padding, so padding + extra stays below the kernel
   *   size, as ONNX Runtime requires.
   * - avg, countIncludePad false: ONNX's count_include_pad = 0 divides by the taps inside the
   *   input, extra padding included or not: exact.
   * - avg, countIncludePad true: PyTorch counts the real padding but not the ceil overhang.
   *   Without overhang that is ONNX's count_include_pad = 1. With it, an explicit zero Pad
   *   makes the real padding part of the input, and count_include_pad = 0 on the overhang.
   */
  private pool(node: Node & { op: 'maxpool' | 'avgpool' }, x: string, inShape: Shape): string {
    const [kh, kw] = node.kernel;
    const [sh, sw] = node.stride;
    const [pt, pl, pb, pr] = node.pad;
    const [eh, ew] = ceilOverhang(node, inShape, node.outShape);
    const attrs = (pads: number[]) => ({ kernel_shape: [kh, kw], strides: [sh, sw], pads });
    const out = this.outName(node);
    if (node.op === 'maxpool') return this.op('MaxPool', [x], out, attrs([pt, pl, pb + eh, pr + ew]), node.name);
    if (!node.countIncludePad) {
      return this.op('AveragePool', [x], out, { ...attrs([pt, pl, pb + eh, pr + ew]), count_include_pad: 0 }, node.name);
    }
    if (eh === 0 && ew === 0) {
      return this.op('AveragePool', [x], out, { ...attrs([pt, pl, pb, pr]), count_include_pad: 1 }, node.name);
    }
    const padded = pt + pl + pb + pr > 0 ? this.padOp(node.name, x, [pt, pl, pb, pr], 0) : x;
    return this.op('AveragePool', [padded], out, { ...attrs([0, 0, eh, ew]), count_include_pad: 0 }, node.name);
  }

  /** Pad H and W of an NCHW value by [top, left, bottom, right] with a constant. */
  private padOp(layer: string, x: string, [t, l, b, r]: number[], value: number): string {
    const pads = this.init(`${layer}.pads`, [8], BigInt64Array.from([0, 0, t, l, 0, 0, b, r].map(BigInt)));
    const name = this.fresh(`${layer}.pad`);
    return this.op('Pad', [x, pads, this.scalar(value)], name, { mode: { s: 'constant' } }, name);
  }

  /**
   * PyTorch's LRN sums channels [c - floor(size/2), c + floor((size-1)/2)]; ONNX's LRN sums
   * [c - floor((size-1)/2), c + ceil((size-1)/2)]. Same window for odd sizes, so LRN; for even
   * sizes, x / (k + alpha/size * band(x^2))^beta with the band as a 1x1 Conv of 0/1 weights.
   */
  private lrn(node: Node & { op: 'lrn' }, x: string, inShape: Shape): string {
    const out = this.outName(node);
    const { size, alpha, beta, k } = node;
    if (size % 2 === 1) return this.op('LRN', [x], out, { size, alpha: { f: alpha }, beta: { f: beta }, bias: { f: k } }, node.name);
    if (inShape.length !== 4) throw new Error(`lrn needs an [N, H, W, C] input, got [${inShape.join(', ')}]`);
    const c = inShape[3]!;
    const band = new Float32Array(c * c);
    const before = Math.floor(size / 2);
    const after = Math.floor((size - 1) / 2);
    for (let o = 0; o < c; o++) {
      for (let i = Math.max(0, o - before); i <= Math.min(c - 1, o + after); i++) band[o * c + i] = 1;
    }
    const p = `${node.name}.`;
    const sq = this.op('Mul', [x, x], this.fresh(`${p}square`), {}, `${p}square`);
    const sum = this.op('Conv', [sq, this.init(`${p}band`, [c, c, 1, 1], band)], this.fresh(`${p}sum`), { kernel_shape: [1, 1] }, `${p}sum`);
    const scaled = this.op('Mul', [sum, this.scalar(alpha / size)], this.fresh(`${p}scaled`), {}, `${p}scaled`);
    const base = this.op('Add', [scaled, this.scalar(k)], this.fresh(`${p}base`), {}, `${p}base`);
    const den = this.op('Pow', [base, this.scalar(beta)], this.fresh(`${p}denominator`), {}, `${p}denominator`);
    return this.op('Div', [x, den], out, {}, node.name);
  }
}

/** An AttributeProto: integers and integer lists as such, `{ f }` for a float, `{ s }` for a string. */
function attr(name: string, v: unknown): Attr {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: ${v} is not an integer (wrap floats as { f })`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  if (v && typeof v === 'object' && 'f' in v) return { name, type: AttributeType.FLOAT, f: (v as { f: number }).f };
  if (v && typeof v === 'object' && 's' in v) {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode((v as { s: string }).s) };
  }
  throw new Error(`attribute ${name}: unsupported value ${String(v)}`);
}

/** An IR shape as ONNX sees it: [N, H, W, C] -> [N, C, H, W]; other ranks unchanged. */
function nchw(s: Shape): Shape {
  return s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : s.slice();
}

function valueInfo(name: string, shape: Shape, batchDim: string | undefined) {
  const dim = shape.map((d, i) => (i === 0 && batchDim ? { dimParam: batchDim } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}

/** [kh][kw][cin/groups][cout] -> [cout][cin/groups][kh][kw]. */
function hwioToOihw(w: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < cin; i++) {
        const src = ((y * kw + x) * cin + i) * cout;
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = w[src + o]!;
      }
    }
  }
  return out;
}
