// Graph IR (NHWC) + weights -> a TensorFlow Lite flatbuffer, the file LiteRT (and the older
// TensorFlow Lite runtimes on Android, iOS and the web) load. TFLite is NHWC like the IR, so
// activations need no transposes. The operators are those of simdnet's own lowering, as the
// TFLite converter would leave them: batch norm folded into the conv before it, ReLU / ReLU6 as
// the fused activation of the conv, fc, add or scale-shift that produces it.
//
// Where TFLite's operators say less than PyTorch's:
// - Padding is SAME or VALID only. An IR pad equal to TensorFlow's SAME rule (the odd pixel at
//   the bottom / right) is SAME; any other becomes an explicit PAD and a VALID operator.
// - Max pool padding must never win: zeros when the input is known non-negative (behind a ReLU,
//   as in every classic network), else PADV2 with the lowest float32. The ceil-mode overhang is
//   extra bottom / right padding.
// - Average pool divides by the whole window after an explicit zero PAD; where PyTorch's divisor
//   differs (count_include_pad false at a border, or the ceil-mode overhang), a constant
//   [1, Ho, Wo, 1] map of window / divisor corrects it.
// - LRN: TFLite sums channels [c - r, c + r] with alpha per tap, PyTorch [c - floor(size/2),
//   c + floor((size-1)/2)] with alpha / size: the same op for odd sizes; even sizes are spelled
//   out (square, a 1x1 conv of 0/1 band weights, scale, add, pow, divide).

import { Builder } from 'flatbuffers';
import type { Graph, GraphNode, Shape } from '../graph/types.js';
import { ceilOverhang, type NodeOf } from '../graph/ops.js';
import type { BatchNormWeights, ConvWeights, FcWeights, LayerWeights, ScaleShiftWeights } from '../graph/weights.js';
import { littleEndianBytes } from '../graph/bytes.js';
import { checkLength, denseWeights } from '../graph/weight-checks.js';
import { lower, type Step } from '../lower/index.js';
import {
  Activation, FILE_IDENTIFIER, Op, Options, Padding, SCHEMA_VERSION, TensorType,
  intVector, offsetTable, offsetVector, writeBuffer, writeOperator, writeOperatorCode, writeTensor, writeTensorMap,
  type ActivationCode, type Field, type OpCode, type OptionsTable,
} from './schema.js';

/** Options of {@link toTFLite}. */
export interface ToTFLiteOptions {
  /** Model.description (default: the graph's name and where it came from). */
  description?: string;
}

/** The signature key of the exported model's one signature (input `input`, output `output`). */
export const TFLITE_SIGNATURE = 'serving_default';

/** The lowest float32: max pool padding that can never win. */
const F32_LOWEST = -3.4028234663852886e38;

interface TensorRec { shape: number[]; type: number; buffer: number; name: string }
interface OperatorRec { code: OpCode; inputs: number[]; outputs: number[]; options?: OptionsTable }

/**
 * Exports a graph with its weights as a TensorFlow Lite model (flatbuffer bytes, ready for
 * LiteRT.js `loadAndCompile(bytes)`, TFLite's interpreters, or writing to a `.tflite` file).
 *
 * - One subgraph and one signature ({@link TFLITE_SIGNATURE}): input `input` `[N, H, W, C]`
 *   float32 (NHWC, as simdnet takes it), output `output` as simdnet's.
 * - Operators: CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, MAX_POOL_2D, AVERAGE_POOL_2D, MEAN,
 *   REDUCE_MAX, ADD, MUL, CONCATENATION, RESHAPE, TRANSPOSE, SLICE, PAD, PADV2, SOFTMAX,
 *   LOGISTIC, LEAKY_RELU, RELU / RELU6 / RELU_N1_TO_1, MAXIMUM / MINIMUM,
 *   LOCAL_RESPONSE_NORMALIZATION (and POW / DIV for an even LRN size), with fused activations.
 * - Conv filters are OHWI (`[cout][kh][kw][cin / groups]`), depthwise `[1][kh][kw][cin * m]`,
 *   fc weights `[out][in]`, all float32. Batch norm is folded in float64.
 *
 * @param graph a graph from `buildModel`, `GraphBuilder` or an importer
 * @param weights per layer name, in simdnet's layouts (conv HWIO, fc IO; see `randomWeights`)
 * @returns the `.tflite` file's bytes
 * @throws TypeError / RangeError naming the layer (`layer "<name>" (<op>): ...`) for missing or
 *   mis-sized weights
 */
export function toTFLite(graph: Graph, weights: Map<string, LayerWeights>, opts: ToTFLiteOptions = {}): Uint8Array {
  if (!graph || !Array.isArray(graph.nodes)) throw new TypeError('toTFLite: graph must be a Graph (from the builder or buildModel)');
  if (!(weights instanceof Map)) throw new TypeError('toTFLite: weights must be a Map keyed by layer name (see randomWeights)');
  if (opts === null || typeof opts !== 'object') throw new TypeError('toTFLite: opts must be an object');
  if (opts.description !== undefined && typeof opts.description !== 'string') throw new TypeError('toTFLite: opts.description must be a string');
  const e = new Exporter(graph, weights);
  e.run();
  return e.serialize(opts.description ?? `${graph.name}, exported from simdnet's graph IR`);
}

class Exporter {
  private readonly tensors: TensorRec[] = [];
  private readonly buffers: (Uint8Array | null)[] = [null]; // buffer 0: the empty sentinel
  private readonly operators: OperatorRec[] = [];
  private readonly lowered;
  /** Lowered value id -> tensor index. */
  private readonly tensorOf = new Map<number, number>();
  /** Lowered value ids known to hold no negative number (so zero padding never wins a max). */
  private readonly nonNegative = new Set<number>();
  private readonly constCache = new Map<string, number>();
  private readonly usedNames = new Set<string>();
  private inputTensor = -1;
  private outputTensor = -1;

  constructor(private readonly graph: Graph, private readonly weights: Map<string, LayerWeights>) {
    this.lowered = lower(graph);
  }

  run(): void {
    const { steps, values, input, output } = this.lowered;
    this.inputTensor = this.tensor(values[input]!.shape, 'input');
    this.tensorOf.set(input, this.inputTensor);
    for (const s of steps) {
      try {
        this.step(s);
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg.startsWith('layer "')) throw err;
        const wrapped = `layer "${s.node.name}" (${s.node.op}): ${msg}`;
        throw err instanceof RangeError ? new RangeError(wrapped, { cause: err }) : new TypeError(wrapped, { cause: err });
      }
    }
    let out = this.value(output);
    // The signature's output must be an operator's own tensor named `output`.
    if (out === this.inputTensor || this.tensors[out]!.name !== 'output') {
      const t = this.tensor(values[output]!.shape, 'output');
      this.op(Op.RESHAPE, [out, this.i32Const([values[output]!.shape.length], values[output]!.shape)], [t], reshapeOptions(values[output]!.shape));
      out = t;
    }
    this.outputTensor = out;
  }

  // --- tensors ---------------------------------------------------------------------------------

  private tensor(shape: Shape, want: string, type: number = TensorType.FLOAT32, data: Uint8Array | null = null): number {
    let name = want;
    for (let k = 1; this.usedNames.has(name); k++) name = `${want}_${k}`;
    this.usedNames.add(name);
    let buffer = 0;
    if (data) { buffer = this.buffers.length; this.buffers.push(data); }
    this.tensors.push({ shape: [...shape], type, buffer, name });
    return this.tensors.length - 1;
  }

  private f32Const(shape: Shape, data: Float32Array, name: string): number {
    return this.tensor(shape, name, TensorType.FLOAT32, littleEndianBytes(data));
  }

  /** A constant, shared by every use of the same shape and values. */
  private cached(key: string, make: () => number): number {
    let t = this.constCache.get(key);
    if (t === undefined) { t = make(); this.constCache.set(key, t); }
    return t;
  }

  private i32Const(shape: Shape, values: readonly number[]): number {
    return this.cached(`i32 ${shape.join('x')} ${values.join(',')}`, () => this.tensor(shape, 'const_i32', TensorType.INT32, littleEndianBytes(Int32Array.from(values))));
  }

  private scalar(v: number): number {
    return this.cached(`f32 ${Object.is(v, -0) ? '-0' : v}`, () => this.f32Const([], Float32Array.of(v), `const_${v}`));
  }

  /** The tensor of a lowered value; an alias (flatten, dropout) is a RESHAPE of what it aliases when the shapes differ. */
  private value(id: number): number {
    const t = this.tensorOf.get(id);
    if (t !== undefined) return t;
    const v = this.lowered.values[id]!;
    if (v.aliasOf === undefined) throw new Error(`value ${id} is read before it is computed`);
    const src = this.value(v.aliasOf);
    if (this.nonNegative.has(v.aliasOf)) this.nonNegative.add(id);
    const same = sameShape(this.tensors[src]!.shape, v.shape);
    const owner = this.lowered.steps[v.def];
    const out = same ? src : this.tensor(v.shape, this.aliasName(id, owner));
    if (!same) this.op(Op.RESHAPE, [src, this.i32Const([v.shape.length], v.shape)], [out], reshapeOptions(v.shape));
    this.tensorOf.set(id, out);
    return out;
  }

  private aliasName(id: number, owner: Step | undefined): string {
    if (id === this.lowered.output) return 'output';
    for (const n of this.graph.nodes) {
      if (n.op === 'flatten' && n.inputs[0] && owner && owner.nodes.includes(n.inputs[0])) return n.name;
    }
    return 'reshape';
  }

  private outTensor(s: Step): number {
    const name = s.output === this.lowered.output ? 'output' : s.node.name;
    const t = this.tensor(s.outShape, name);
    this.tensorOf.set(s.output, t);
    return t;
  }

  private op(code: OpCode, inputs: number[], outputs: number[], options?: OptionsTable): void {
    this.operators.push({ code, inputs, outputs, options });
  }

  /** A float32 activation between two operators of one step. */
  private temp(shape: Shape, name: string): number {
    return this.tensor(shape, name);
  }

  // --- steps -----------------------------------------------------------------------------------

  private step(s: Step): void {
    const node = s.node;
    const ins = s.inputs.map((i) => this.value(i));
    const x = ins[0]!;
    const inShape = s.inputs.length > 0 ? this.lowered.values[s.inputs[0]!]!.shape : [];
    const act = activationOf(s.act);
    const nonNeg = (id: number | undefined) => id !== undefined && this.nonNegative.has(id);
    let keepsSign = false; // output non-negative whenever the (first) input is
    switch (s.kind) {
      case 'conv1x1': case 'im2col': case 'winograd2': case 'winograd4': case 'winograd1d':
      case 'dw3x3s1': case 'dw3x3s2': case 'dwgeneric':
        this.conv(s, node as NodeOf<'conv2d'>, x, inShape, act);
        break;
      case 'gemv': case 'gemm': {
        const n = node as NodeOf<'fc'>;
        const w = denseWeights<FcWeights>(this.weights, n, n.bias);
        const k = inShape.at(-1)!;
        checkLength(w.weight, k * n.outFeatures, `weight (IO [${k}][${n.outFeatures}])`, true);
        if (w.bias) checkLength(w.bias, n.outFeatures, 'bias', true);
        const filter = this.f32Const([n.outFeatures, k], transpose(w.weight, k, n.outFeatures), `${n.name}.weight`);
        const bias = w.bias ? this.f32Const([n.outFeatures], w.bias, `${n.name}.bias`) : -1;
        this.op(Op.FULLY_CONNECTED, [x, filter, bias], [this.outTensor(s)], { type: Options.FullyConnectedOptions, fields: [{ slot: 0, int8: act }] });
        break;
      }
      case 'scale_shift': {
        const c = s.outShape.at(-1)!;
        const { scale, shift } = scaleShiftOf(this.weights, node, c);
        const dims = [c];
        const mul = this.temp(s.outShape, `${node.name}.mul`);
        this.op(Op.MUL, [x, this.f32Const(dims, scale, `${node.name}.scale`)], [mul], mulOptions(Activation.NONE));
        this.op(Op.ADD, [mul, this.f32Const(dims, shift, `${node.name}.shift`)], [this.outTensor(s)], addOptions(act));
        break;
      }
      case 'clamp':
        this.clamp(s, node, x);
        break;
      case 'add': case 'add_relu': {
        let a = ins[0]!;
        if (s.alpha !== undefined && s.alpha !== 1) {
          const scaled = this.temp(s.outShape, `${node.name}.scaled`);
          this.op(Op.MUL, [a, this.scalar(s.alpha)], [scaled], mulOptions(Activation.NONE));
          a = scaled;
        }
        this.op(Op.ADD, [a, ins[1]!], [this.outTensor(s)], addOptions(s.kind === 'add_relu' ? Activation.RELU : Activation.NONE));
        break;
      }
      case 'channel_mul':
        this.op(Op.MUL, [x, ins[1]!], [this.outTensor(s)], mulOptions(Activation.NONE));
        break;
      case 'channel_mul_add': {
        const mul = this.temp(s.outShape, `${node.name}.mul`);
        this.op(Op.MUL, [ins[0]!, ins[1]!], [mul], mulOptions(Activation.NONE));
        this.op(Op.ADD, [mul, ins[2]!], [this.outTensor(s)], addOptions(act));
        break;
      }
      case 'scale':
        this.op(Op.MUL, [x, this.scalar((node as NodeOf<'scale'>).factor)], [this.outTensor(s)], mulOptions(Activation.NONE));
        break;
      case 'sigmoid':
        this.op(Op.LOGISTIC, [x], [this.outTensor(s)]);
        this.nonNegative.add(s.output);
        break;
      case 'leaky_relu':
        this.op(Op.LEAKY_RELU, [x], [this.outTensor(s)], { type: Options.LeakyReluOptions, fields: [{ slot: 0, float32: (node as NodeOf<'leakyrelu'>).alpha }] });
        break;
      case 'maxpool': case 'avgpool':
        this.pool(s, node as NodeOf<'maxpool' | 'avgpool'>, x, inShape, nonNeg(s.inputs[0]));
        keepsSign = true;
        break;
      case 'global_avgpool': case 'global_maxpool':
        this.op(s.kind === 'global_avgpool' ? Op.MEAN : Op.REDUCE_MAX, [x, this.i32Const([2], [1, 2])], [this.outTensor(s)], { type: Options.ReducerOptions, fields: [{ slot: 0, bool: true }] });
        keepsSign = true;
        break;
      case 'concat_copy': case 'concat_inplace':
        this.op(Op.CONCATENATION, ins, [this.outTensor(s)], { type: Options.ConcatenationOptions, fields: [{ slot: 0, int32: s.outShape.length - 1 }] });
        if (s.inputs.every((i) => nonNeg(i))) this.nonNegative.add(s.output);
        break;
      case 'lrn':
        this.lrn(s, node as NodeOf<'lrn'>, x, inShape);
        keepsSign = true;
        break;
      case 'softmax':
        this.op(Op.SOFTMAX, [x], [this.outTensor(s)], { type: Options.SoftmaxOptions, fields: [{ slot: 0, float32: 1 }] });
        this.nonNegative.add(s.output);
        break;
      case 'channel_shuffle': {
        const [n, h, w, c] = s.outShape as [number, number, number, number];
        const g = (node as NodeOf<'channelshuffle'>).groups;
        const split = [n, h, w, g, c / g];
        const a = this.temp(split, `${node.name}.split`);
        this.op(Op.RESHAPE, [x, this.i32Const([5], split)], [a], reshapeOptions(split));
        const swapped = [n, h, w, c / g, g];
        const t = this.temp(swapped, `${node.name}.transpose`);
        this.op(Op.TRANSPOSE, [a, this.i32Const([5], [0, 1, 2, 4, 3])], [t], { type: Options.TransposeOptions, fields: [] });
        this.op(Op.RESHAPE, [t, this.i32Const([4], s.outShape)], [this.outTensor(s)], reshapeOptions(s.outShape));
        keepsSign = true;
        break;
      }
      case 'channel_slice': {
        const n = node as NodeOf<'channelslice'>;
        const begin = s.outShape.map((_, i) => (i === s.outShape.length - 1 ? n.start : 0));
        this.op(Op.SLICE, [x, this.i32Const([begin.length], begin), this.i32Const([s.outShape.length], s.outShape)], [this.outTensor(s)], { type: Options.SliceOptions, fields: [] });
        keepsSign = true;
        break;
      }
      default: {
        // a new step kind fails to compile here until it has an export
        const missing: never = s.kind;
        throw new Error(`step kind "${String(missing)}" has no TFLite export`);
      }
    }
    if (s.act === 'relu' || s.act === 'relu6' || (keepsSign && nonNeg(s.inputs[0]))) this.nonNegative.add(s.output);
  }

  private conv(s: Step, node: NodeOf<'conv2d'>, x: number, inShape: Shape, act: ActivationCode): void {
    const w = denseWeights<ConvWeights>(this.weights, node, node.bias);
    const [kh, kw] = node.kernel;
    const cin = inShape[3]!;
    const cinG = cin / node.groups;
    const cout = node.outChannels;
    checkLength(w.weight, kh * kw * cinG * cout, `weight (HWIO [${kh}][${kw}][${cinG}][${cout}])`, true);
    if (w.bias) checkLength(w.bias, cout, 'bias', true);
    let filter: Float32Array = w.weight;
    let bias: Float32Array | undefined = w.bias;
    if (s.bn) ({ filter, bias } = foldBatchnorm(filter, bias, bnWeights(this.weights, s.bn, cout), s.bn.eps, cout));
    const src = this.padFor(node.name, x, inShape, node.outShape, node.kernel, node.stride, node.dilation, node.pad, 0);
    const geometry: Field[] = [
      { slot: 0, int8: src.padding }, { slot: 1, int32: node.stride[1] }, { slot: 2, int32: node.stride[0] },
    ];
    const depthwise = node.groups === cin && node.groups > 1;
    const b = this.f32Const([cout], bias ?? new Float32Array(cout), `${node.name}.bias`);
    if (depthwise) {
      // HWIO [kh][kw][1][cin * m] is the depthwise filter [1][kh][kw][cin * m], same memory
      const f = this.f32Const([1, kh, kw, cout], filter, `${node.name}.weight`);
      this.op(Op.DEPTHWISE_CONV_2D, [src.tensor, f, b], [this.outTensor(s)], {
        type: Options.DepthwiseConv2DOptions,
        fields: [...geometry, { slot: 3, int32: cout / cin }, { slot: 4, int8: act },
          { slot: 5, int32: node.dilation[1], dflt: 1 }, { slot: 6, int32: node.dilation[0], dflt: 1 }],
      });
      return;
    }
    // CONV_2D with cin / groups filter channels is a grouped convolution
    const f = this.f32Const([cout, kh, kw, cinG], hwioToOhwi(filter, kh, kw, cinG, cout), `${node.name}.weight`);
    this.op(Op.CONV_2D, [src.tensor, f, b], [this.outTensor(s)], {
      type: Options.Conv2DOptions,
      fields: [...geometry, { slot: 3, int8: act }, { slot: 4, int32: node.dilation[1], dflt: 1 }, { slot: 5, int32: node.dilation[0], dflt: 1 }],
    });
  }

  /**
   * The input and padding mode of a windowed operator: SAME where TensorFlow's SAME rule gives
   * exactly these pads, VALID on the input itself when there are none, else VALID on an
   * explicit PAD (PADV2 with `value` when it is not 0).
   */
  private padFor(layer: string, x: number, inShape: Shape, outShape: Shape, kernel: readonly number[], stride: readonly number[],
    dilation: readonly number[], [t, l, b, r]: readonly number[], value: number): { tensor: number; padding: number } {
    if (t === 0 && l === 0 && b === 0 && r === 0) return { tensor: x, padding: Padding.VALID };
    const same = [0, 1].every((a) => {
      const size = inShape[1 + a]!, k = (kernel[a]! - 1) * dilation[a]! + 1, s = stride[a]!;
      const out = Math.ceil(size / s);
      const total = Math.max(0, (out - 1) * s + k - size);
      const before = Math.floor(total / 2);
      const [pb, pa] = a === 0 ? [t, b] : [l, r];
      return out === outShape[1 + a] && pb === before && pa === total - before;
    });
    if (same) return { tensor: x, padding: Padding.SAME };
    return { tensor: this.explicitPad(layer, x, inShape, [t, l, b, r], value), padding: Padding.VALID };
  }

  /** H and W of an NHWC tensor padded by [top, left, bottom, right] with `value` (PAD for 0, else PADV2). */
  private explicitPad(layer: string, x: number, inShape: Shape, [t, l, b, r]: readonly number[], value: number): number {
    const [n, h, w, c] = inShape as [number, number, number, number];
    const padded = this.temp([n, h + t! + b!, w + l! + r!, c], `${layer}.pad`);
    const pads = this.i32Const([4, 2], [0, 0, t!, b!, l!, r!, 0, 0]);
    if (value === 0) this.op(Op.PAD, [x, pads], [padded], { type: Options.PadOptions, fields: [] });
    else this.op(Op.PADV2, [x, pads, this.scalar(value)], [padded], { type: Options.PadV2Options, fields: [] });
    return padded;
  }

  private pool(s: Step, node: NodeOf<'maxpool' | 'avgpool'>, x: number, inShape: Shape, nonNegIn: boolean): void {
    const [, H, W] = inShape as [number, number, number, number];
    const [, Ho, Wo] = s.outShape as [number, number, number, number];
    const [kh, kw] = node.kernel;
    const [sh, sw] = node.stride;
    const [pt, pl, pb, pr] = node.pad;
    const [eh, ew] = ceilOverhang(node, inShape, s.outShape);
    const pads = [pt, pl, pb + eh, pr + ew];
    const options = (padding: number): OptionsTable => ({
      type: Options.Pool2DOptions,
      fields: [{ slot: 0, int8: padding }, { slot: 1, int32: sw }, { slot: 2, int32: sh }, { slot: 3, int32: kw }, { slot: 4, int32: kh }],
    });
    if (node.op === 'maxpool') {
      const src = this.padFor(node.name, x, inShape, s.outShape, node.kernel, node.stride, [1, 1], pads, nonNegIn ? 0 : F32_LOWEST);
      this.op(Op.MAX_POOL_2D, [src.tensor], [this.outTensor(s)], options(src.padding));
      return;
    }
    // TFLite's SAME average divides by the taps inside the input: PyTorch's rule without
    // count_include_pad, even with the overhang.
    if (!node.countIncludePad) {
      const src = this.padFor(node.name, x, inShape, s.outShape, node.kernel, node.stride, [1, 1], pads, 0);
      if (src.padding === Padding.SAME || src.tensor === x) {
        this.op(Op.AVERAGE_POOL_2D, [src.tensor], [this.outTensor(s)], options(src.padding));
        return;
      }
      this.avgCorrected(s, node, src.tensor, options(Padding.VALID), H, W, Ho, Wo);
      return;
    }
    // PyTorch counts the real padding: never SAME, whose average does not
    const src = pads.every((p) => p === 0) ? x : this.explicitPad(node.name, x, inShape, pads, 0);
    if (src === x) {
      this.op(Op.AVERAGE_POOL_2D, [x], [this.outTensor(s)], options(Padding.VALID));
      return;
    }
    this.avgCorrected(s, node, src, options(Padding.VALID), H, W, Ho, Wo);
  }

  /** VALID average over a zero-padded input (divides by kh * kw), times window / PyTorch's divisor where they differ. */
  private avgCorrected(s: Step, node: NodeOf<'maxpool' | 'avgpool'>, padded: number, options: OptionsTable, H: number, W: number, Ho: number, Wo: number): void {
    const [kh, kw] = node.kernel;
    const [sh, sw] = node.stride;
    const [pt, pl, pb, pr] = node.pad;
    const map = new Float32Array(Ho * Wo);
    let ones = true;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const h0 = oh * sh - pt, w0 = ow * sw - pl;
        let div: number;
        if (node.countIncludePad) {
          // the window clipped to the padded extent (never the ceil overhang)
          div = (Math.min(h0 + kh, H + pb) - h0) * (Math.min(w0 + kw, W + pr) - w0);
        } else {
          div = (Math.min(h0 + kh, H) - Math.max(h0, 0)) * (Math.min(w0 + kw, W) - Math.max(w0, 0));
        }
        map[oh * Wo + ow] = (kh * kw) / div;
        if (div !== kh * kw) ones = false;
      }
    }
    if (ones) {
      this.op(Op.AVERAGE_POOL_2D, [padded], [this.outTensor(s)], options);
      return;
    }
    const avg = this.temp(s.outShape, `${node.name}.window_mean`);
    this.op(Op.AVERAGE_POOL_2D, [padded], [avg], options);
    this.op(Op.MUL, [avg, this.f32Const([1, Ho, Wo, 1], map, `${node.name}.divisor`)], [this.outTensor(s)], mulOptions(Activation.NONE));
  }

  private clamp(s: Step, node: GraphNode, x: number): void {
    const [lo, hi] = node.op === 'relu' ? [0, Infinity] : node.op === 'relu6' ? [0, 6]
      : node.op === 'clip' ? [node.min, node.max] : [Number.NaN, Number.NaN];
    if (Number.isNaN(lo)) throw new Error(`a clamp step on a ${node.op} node`);
    const out = () => this.outTensor(s);
    if (lo === 0 && hi === Infinity) this.op(Op.RELU, [x], [out()]);
    else if (lo === 0 && hi === 6) this.op(Op.RELU6, [x], [out()]);
    else if (lo === -1 && hi === 1) this.op(Op.RELU_N1_TO_1, [x], [out()]);
    else if (lo === -Infinity && hi === Infinity) this.op(Op.RESHAPE, [x, this.i32Const([s.outShape.length], s.outShape)], [out()], reshapeOptions(s.outShape));
    else if (lo === -Infinity) this.op(Op.MINIMUM, [x, this.scalar(hi)], [out()], { type: Options.MaximumMinimumOptions, fields: [] });
    else if (hi === Infinity) this.op(Op.MAXIMUM, [x, this.scalar(lo)], [out()], { type: Options.MaximumMinimumOptions, fields: [] });
    else {
      const t = this.temp(s.outShape, `${node.name}.max`);
      this.op(Op.MAXIMUM, [x, this.scalar(lo)], [t], { type: Options.MaximumMinimumOptions, fields: [] });
      this.op(Op.MINIMUM, [t, this.scalar(hi)], [out()], { type: Options.MaximumMinimumOptions, fields: [] });
    }
    if (lo >= 0) this.nonNegative.add(s.output);
  }

  private lrn(s: Step, node: NodeOf<'lrn'>, x: number, inShape: Shape): void {
    const { size, alpha, beta, k } = node;
    if (size % 2 === 1) {
      this.op(Op.LOCAL_RESPONSE_NORMALIZATION, [x], [this.outTensor(s)], {
        type: Options.LocalResponseNormalizationOptions,
        fields: [{ slot: 0, int32: (size - 1) / 2 }, { slot: 1, float32: k }, { slot: 2, float32: alpha / size }, { slot: 3, float32: beta }],
      });
      return;
    }
    const c = inShape[3]!;
    const band = new Float32Array(c * c); // OHWI [c][1][1][c]: input i feeds output o
    const before = Math.floor(size / 2), after = Math.floor((size - 1) / 2);
    for (let o = 0; o < c; o++) {
      for (let i = Math.max(0, o - before); i <= Math.min(c - 1, o + after); i++) band[o * c + i] = 1;
    }
    const p = `${node.name}.`;
    const sq = this.temp(s.outShape, `${p}square`);
    this.op(Op.MUL, [x, x], [sq], mulOptions(Activation.NONE));
    const sum = this.temp(s.outShape, `${p}sum`);
    this.op(Op.CONV_2D, [sq, this.f32Const([c, 1, 1, c], band, `${p}band`), this.f32Const([c], new Float32Array(c), `${p}band_bias`)], [sum], {
      type: Options.Conv2DOptions, fields: [{ slot: 0, int8: Padding.VALID }, { slot: 1, int32: 1 }, { slot: 2, int32: 1 }],
    });
    const scaled = this.temp(s.outShape, `${p}scaled`);
    this.op(Op.MUL, [sum, this.scalar(alpha / size)], [scaled], mulOptions(Activation.NONE));
    const base = this.temp(s.outShape, `${p}base`);
    this.op(Op.ADD, [scaled, this.scalar(k)], [base], addOptions(Activation.NONE));
    const den = this.temp(s.outShape, `${p}denominator`);
    this.op(Op.POW, [base, this.scalar(beta)], [den], { type: Options.PowOptions, fields: [] });
    this.op(Op.DIV, [x, den], [this.outTensor(s)], { type: Options.DivOptions, fields: [{ slot: 0, int8: Activation.NONE }] });
  }

  // --- the flatbuffer --------------------------------------------------------------------------

  serialize(description: string): Uint8Array {
    let bytes = 1 << 16;
    for (const d of this.buffers) if (d) bytes += d.length + 16;
    const b = new Builder(bytes + 64 * (this.tensors.length + this.operators.length));
    // largest first, so that the small tables sit together at the front of the file
    const bufferOffsets = this.buffers.map((d) => writeBuffer(b, d));
    const codes: OpCode[] = [];
    const codeIndex = new Map<OpCode, number>();
    for (const o of this.operators) if (!codeIndex.has(o.code)) { codeIndex.set(o.code, codes.length); codes.push(o.code); }
    const tensors = this.tensors.map((t) => writeTensor(b, t));
    const operators = this.operators.map((o) => writeOperator(b, { opcodeIndex: codeIndex.get(o.code)!, inputs: o.inputs, outputs: o.outputs, options: o.options }));
    const tensorsV = offsetVector(b, tensors);
    const inputsV = intVector(b, [this.inputTensor]);
    const outputsV = intVector(b, [this.outputTensor]);
    const operatorsV = offsetVector(b, operators);
    // SubGraph: tensors, inputs, outputs, operators, name
    const subgraph = offsetTable(b, 5, [tensorsV, inputsV, outputsV, operatorsV, b.createString(this.graph.name)]);
    // SignatureDef: inputs, outputs, signature_key (deprecated_tag, subgraph_index 0 left out)
    const sigIn = offsetVector(b, [writeTensorMap(b, 'input', this.inputTensor)]);
    const sigOut = offsetVector(b, [writeTensorMap(b, 'output', this.outputTensor)]);
    const signature = offsetTable(b, 5, [sigIn, sigOut, b.createString(TFLITE_SIGNATURE)]);

    const codesV = offsetVector(b, codes.map((c) => writeOperatorCode(b, c, opVersion(c, this.operators))));
    const subgraphsV = offsetVector(b, [subgraph]);
    const desc = b.createString(description);
    const buffersV = offsetVector(b, bufferOffsets);
    const signaturesV = offsetVector(b, [signature]);
    b.startObject(8);
    b.addFieldInt32(0, SCHEMA_VERSION, 0);
    b.addFieldOffset(1, codesV, 0);
    b.addFieldOffset(2, subgraphsV, 0);
    b.addFieldOffset(3, desc, 0);
    b.addFieldOffset(4, buffersV, 0);
    b.addFieldOffset(7, signaturesV, 0);
    const model = b.endObject();
    b.finish(model, FILE_IDENTIFIER);
    return b.asUint8Array();
  }
}

/**
 * OperatorCode.version: the lowest version of each operator that has every feature used
 * (dilation needs CONV_2D / DEPTHWISE_CONV_2D 2); everything else 1. LiteRT reads a grouped CONV_2D
 * from its filter shape at any version (checked on every grouped zoo layer).
 */
function opVersion(code: OpCode, ops: OperatorRec[]): number {
  let v = 1;
  for (const o of ops) {
    if (o.code !== code || !o.options) continue;
    const get = (slot: number) => {
      const f = o.options!.fields.find((x) => x.slot === slot);
      return f && 'int32' in f ? f.int32 : 1;
    };
    if (code === Op.CONV_2D || code === Op.DEPTHWISE_CONV_2D) {
      const dil = code === Op.CONV_2D ? [get(4), get(5)] : [get(5), get(6)];
      if (dil.some((d) => d !== 1)) v = Math.max(v, 2);
    }
  }
  return v;
}

function activationOf(a: string): ActivationCode {
  if (a === 'relu') return Activation.RELU;
  if (a === 'relu6') return Activation.RELU6;
  if (a === 'none') return Activation.NONE;
  throw new Error(`fused activation "${a}" has no TFLite equivalent`);
}

const addOptions = (act: ActivationCode): OptionsTable => ({ type: Options.AddOptions, fields: [{ slot: 0, int8: act }] });
const mulOptions = (act: ActivationCode): OptionsTable => ({ type: Options.MulOptions, fields: [{ slot: 0, int8: act }] });
const reshapeOptions = (shape: Shape): OptionsTable => ({ type: Options.ReshapeOptions, fields: [{ slot: 0, int32s: [...shape] }] });

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}


function bnWeights(weights: Map<string, LayerWeights>, bn: NodeOf<'batchnorm'>, c: number): BatchNormWeights {
  const w = weights.get(bn.name) as BatchNormWeights | undefined;
  if (!w) throw new TypeError(`layer "${bn.name}" (batchnorm): no weights: expected { gamma, beta, mean, variance }`);
  for (const key of ['gamma', 'beta', 'mean', 'variance'] as const) checkLength(w[key], c, `layer "${bn.name}" (batchnorm): ${key}`, true);
  for (let i = 0; i < c; i++) {
    if (!(w.variance[i]! + bn.eps > 0)) throw new RangeError(`layer "${bn.name}" (batchnorm): variance[${i}] + eps is ${w.variance[i]! + bn.eps}; it must be > 0`);
  }
  return w;
}

/** The per-channel scale and shift of a standalone batch norm or scaleshift node. */
function scaleShiftOf(weights: Map<string, LayerWeights>, node: GraphNode, c: number): { scale: Float32Array; shift: Float32Array } {
  if (node.op === 'batchnorm') {
    const w = bnWeights(weights, node, c);
    const scale = new Float32Array(c), shift = new Float32Array(c);
    for (let i = 0; i < c; i++) {
      const sc = w.gamma[i]! / Math.sqrt(w.variance[i]! + node.eps);
      scale[i] = sc;
      shift[i] = w.beta[i]! - w.mean[i]! * sc;
    }
    return { scale, shift };
  }
  const w = weights.get(node.name) as ScaleShiftWeights | undefined;
  if (!w) throw new TypeError(`no weights: expected { scale, shift } under "${node.name}"`);
  checkLength(w.scale, c, 'scale', true);
  checkLength(w.shift, c, 'shift', true);
  return { scale: w.scale, shift: w.shift };
}

/** BN(conv(x)) = conv'(x): the filter scaled per output channel (HWIO's last axis), the bias shifted; in float64. */
function foldBatchnorm(filter: Float32Array, bias: Float32Array | undefined, bn: BatchNormWeights, eps: number, cout: number): { filter: Float32Array; bias: Float32Array } {
  const s = new Float64Array(cout);
  for (let o = 0; o < cout; o++) s[o] = bn.gamma[o]! / Math.sqrt(bn.variance[o]! + eps);
  const f = new Float32Array(filter.length);
  for (let i = 0; i < filter.length; i++) f[i] = filter[i]! * s[i % cout]!;
  const b = new Float32Array(cout);
  for (let o = 0; o < cout; o++) b[o] = ((bias ? bias[o]! : 0) - bn.mean[o]!) * s[o]! + bn.beta[o]!;
  return { filter: f, bias: b };
}

/** HWIO [kh][kw][cin][cout] -> OHWI [cout][kh][kw][cin]. */
function hwioToOhwi(w: Float32Array, kh: number, kw: number, cin: number, cout: number): Float32Array {
  const out = new Float32Array(w.length);
  const taps = kh * kw;
  for (let p = 0; p < taps; p++) {
    for (let i = 0; i < cin; i++) {
      const src = (p * cin + i) * cout;
      for (let o = 0; o < cout; o++) out[(o * taps + p) * cin + i] = w[src + o]!;
    }
  }
  return out;
}

/** [rows][cols] -> [cols][rows]. */
function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!;
  return out;
}
