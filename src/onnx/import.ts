// ONNX model -> the graph IR (NHWC) + weights, the same IR the zoo builds, so compile, cost,
// predict and toONNX all work on an imported model. What torch.onnx.export of a CNN and other
// exporters write: the graph is walked in its (topological) order with every value either a
// tensor of the IR or a constant; shape arithmetic on constants (Shape -> Gather -> Unsqueeze ->
// Concat -> Reshape, as PyTorch emits for `x.view(x.size(0), -1)`) is folded, constant padding is
// folded into the convolution after it, a bias Add into the MatMul before it, identities removed.
// Anything the IR cannot express is collected, node by node, and reported in one error before
// anything is compiled.
//
// Layouts: ONNX rank-4 values are NCHW, the IR's are NHWC; conv weights go OIHW -> HWIO, Gemm /
// MatMul weights to IO, and a fully connected layer reading a flatten of a C x H x W map gets its
// rows re-ordered from ONNX's C,H,W flatten to the IR's H,W,C.

import { GraphBuilder } from '../graph/builder.js';
import type { Graph, Pad4 } from '../graph/types.js';
import type { LayerWeights } from '../graph/weights.js';
import { validateGraph } from '../graph/validate.js';
import { modelProto } from './schema.js';
import { decodeTensor, int64, typeName, type DecodedTensor } from './tensor.js';

/** Options of {@link importONNX}. */
export interface ImportOptions {
  /** Batch size for a symbolic batch dimension (default 1). */
  batch?: number;
  /** Resolves an external data file named by the model (its `location`) to its bytes. */
  externalData?: (location: string) => Uint8Array;
  /** Graph name in the IR (default: the ONNX graph's name, or `model`). */
  name?: string;
}

/** What an import gives: a graph for compile / cost, its weights, and how to feed it. */
export interface ImportedModel {
  graph: Graph;
  weights: Map<string, LayerWeights>;
  /**
   * The model's input: its name in the file, the IR shape (NHWC), and the layout the file declares
   * (ONNX: `nchw`; TF.js: `nhwc`, the IR's own; `nc` for a vector input).
   */
  input: { name: string; shape: number[]; layout: 'nchw' | 'nhwc' | 'nc'; fileShape: number[] };
  /** The model's outputs (ONNX names, IR shapes). */
  outputs: { name: string; shape: number[] }[];
  /** Where the model came from; `irVersion` and `opset` are ONNX's (0 for TF.js), `nodes` the file's nodes / layers. */
  meta: { format: 'onnx' | 'tfjs'; irVersion: number; opset: number; producer: string; nodes: number };
}

/** A model the importer cannot take: every problem it found, one per line, node by node. */
export class ModelImportError extends RangeError {
  override name = 'ModelImportError';
  constructor(readonly problems: string[], what = 'ONNX model') {
    super(`${what}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
  }
}

/** The opsets this importer implements (the default ONNX domain). */
export const SUPPORTED_OPSETS = [7, 21] as const;

type Tensor = {
  kind: 'tensor';
  /** IR node name. */
  ir: string;
  /** ONNX shape (NCHW for rank 4). */
  dims: number[];
  /** Constant zero padding not yet applied, [top, left, bottom, right] (from a Pad node). */
  pad?: Pad4;
  /** [C, H, W] of the map this rank-2 value is a flatten of (ONNX C,H,W order), when H*W > 1. */
  chw?: [number, number, number];
  /** A rank-4 value transposed to N,H,W,C: the IR's own memory order, only a flatten may read it. */
  nhwc?: boolean;
  /**
   * Part way through a channel shuffle (Reshape [N, C, H, W] to [N, g, C/g, H, W], then Transpose
   * of axes 1 and 2): the map it started from. Only the next step of the pattern may read it.
   */
  shuffle?: { groups: number; map: Tensor; transposed: boolean };
};
type Const = { kind: 'const'; t: DecodedTensor };
type Val = Tensor | Const;

/** Thrown by an op handler for what the IR cannot express; the message is for the user. */
class Unsupported extends Error {}

const nchwToIr = (d: number[]) => (d.length === 4 ? [d[0]!, d[2]!, d[3]!, d[1]!] : d.slice());

/**
 * Imports an ONNX model (the bytes of a `.onnx` file).
 * @throws ModelImportError listing every unsupported op, attribute or dynamic shape, each with
 *   its node; TypeError / RangeError for a file that is not a readable ONNX model.
 */
export function importONNX(bytes: Uint8Array | ArrayBuffer, opts: ImportOptions = {}): ImportedModel {
  const buf = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : undefined;
  if (!buf) throw new TypeError(`importONNX: bytes must be a Uint8Array or ArrayBuffer, got ${bytes === null ? 'null' : typeof bytes}`);
  if (opts === null || typeof opts !== 'object') throw new TypeError('importONNX: options must be an object');
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) throw new RangeError(`importONNX: batch must be an integer 1..4096, got ${opts.batch}`);
  let model: any;
  try {
    model = modelProto().decode(buf);
  } catch (e) {
    throw new TypeError(`not an ONNX model (protobuf decoding failed: ${(e as Error).message})`);
  }
  const g = model.graph;
  if (!g || !Array.isArray(g.node)) throw new TypeError('not an ONNX model: it has no graph');
  const opsetEntry = (model.opsetImport ?? []).find((o: any) => !o.domain || o.domain === 'ai.onnx');
  const opset = opsetEntry ? int64(opsetEntry.version, 'opset version') : 1;
  const problems: string[] = [];
  if (opset < SUPPORTED_OPSETS[0] || opset > SUPPORTED_OPSETS[1]) problems.push(`opset ${opset} is not supported (${SUPPORTED_OPSETS[0]}-${SUPPORTED_OPSETS[1]})`);

  const vals = new Map<string, Val>();
  for (const init of g.initializer ?? []) {
    try {
      vals.set(String(init.name), { kind: 'const', t: decodeTensor(init, opts.externalData) });
    } catch (e) {
      problems.push(`initializer "${init.name}": ${(e as Error).message}`);
    }
  }
  // consumers of every value, for the folds that need a sole reader
  const readers = new Map<string, number>();
  for (const n of g.node) for (const i of n.input ?? []) if (i) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const o of g.output ?? []) readers.set(o.name, (readers.get(o.name) ?? 0) + 1);

  const b = new GraphBuilder(opts.name ?? (g.name ? String(g.name) : 'model'));
  const weights = new Map<string, LayerWeights>();
  const used = new Set<string>();
  const irName = (want: string) => {
    let n = want || 'node';
    for (let k = 1; used.has(n); k++) n = `${want}_${k}`;
    used.add(n);
    return n;
  };

  // the input: the graph inputs that are not initializers
  const realInputs = (g.input ?? []).filter((v: any) => !vals.has(v.name));
  let inputInfo: ImportedModel['input'] | undefined;
  if (realInputs.length !== 1) problems.push(`the model has ${realInputs.length} inputs (${realInputs.map((v: any) => v.name).join(', ')}); one image input is supported`);
  else {
    const v = realInputs[0];
    const tt = v.type?.tensorType;
    if (!tt) problems.push(`input "${v.name}" is not a tensor`);
    else {
      if (tt.elemType !== 1) problems.push(`input "${v.name}" is ${typeName(tt.elemType)}; float32 is supported`);
      const dims: number[] = [];
      (tt.shape?.dim ?? []).forEach((d: any, i: number) => {
        if (d.dimValue !== undefined && d.dimValue !== null && int64(d.dimValue, 'input dim') > 0) dims.push(int64(d.dimValue, 'input dim'));
        else if (i === 0) dims.push(batch);
        else { dims.push(0); problems.push(`input "${v.name}" dimension ${i} is dynamic (${d.dimParam || '?'}); export with a fixed input size`); }
      });
      if (dims.length !== 4 && dims.length !== 2) problems.push(`input "${v.name}" has rank ${dims.length}; [N, C, H, W] or [N, F] is supported`);
      else if (dims.every((d) => d > 0)) {
        const shape = nchwToIr(dims);
        const name = irName('input');
        b.input(shape, name);
        vals.set(v.name, { kind: 'tensor', ir: name, dims });
        inputInfo = { name: String(v.name), shape, layout: dims.length === 4 ? 'nchw' : 'nc', fileShape: dims };
      }
    }
  }
  if (problems.length) throw new ModelImportError(problems);

  const bad = new Set<string>();
  const absorbed = new Set<any>();
  const producerOf = new Map<string, any>();
  for (const n of g.node) for (const o of n.output ?? []) producerOf.set(o, n);
  const soleReader = (value: string) => (readers.get(value) === 1 ? g.node.find((n: any) => (n.input ?? []).includes(value)) : undefined);

  for (const node of g.node) {
    if (absorbed.has(node)) continue;
    const op = String(node.opType);
    const label = `node "${node.name || node.output?.[0] || '?'}" (${op})`;
    const ins: string[] = (node.input ?? []).map(String);
    if (node.domain && node.domain !== 'ai.onnx') {
      problems.push(`${label}: operator domain "${node.domain}" is not supported`);
      for (const o of node.output ?? []) bad.add(o);
      continue;
    }
    if (ins.some((i) => bad.has(i))) { for (const o of node.output ?? []) bad.add(o); continue; }
    try {
      const missing = ins.find((i) => i !== '' && !vals.has(i));
      if (missing !== undefined) throw new Unsupported(`input "${missing}" is not produced before this node`);
      const handler = HANDLERS[op];
      if (!handler) throw new Unsupported(`operator ${op} is not supported`);
      const ctx: Ctx = {
        node, opset, b, weights, vals, irName, absorb: (n) => absorbed.add(n), soleReader, producerOf,
        get: (i) => vals.get(ins[i]!) , has: (i) => !!ins[i] && vals.has(ins[i]!),
        attr: attrsOf(node), name: node.name ? String(node.name) : String(node.output?.[0] ?? op),
      };
      const outs = handler(ctx);
      outs.forEach((v, i) => { const o = node.output?.[i]; if (o && v) vals.set(o, v); });
    } catch (e) {
      // the builder's own checks (shapes that do not fit) and the handlers' land here alike
      problems.push(`${label}: ${e instanceof Error ? e.message.replace(/^layer "[^"]*" \([a-z0-9]+\): /, '') : String(e)}`);
      for (const o of node.output ?? []) bad.add(o);
    }
  }

  const outs = (g.output ?? []).map((o: any) => String(o.name));
  if (outs.length !== 1) problems.push(`the model has ${outs.length} outputs (${outs.join(', ')}); one is supported`);
  const out = vals.get(outs[0] ?? '');
  if (outs.length === 1 && !bad.has(outs[0]!)) {
    if (!out) problems.push(`output "${outs[0]}" is never produced`);
    else if (out.kind !== 'tensor') problems.push(`output "${outs[0]}" is a constant`);
    else if (out.pad) problems.push(`output "${outs[0]}" is a Pad that nothing consumes`);
    else if (out.shuffle) problems.push(`output "${outs[0]}" is a rank-5 step of a channel shuffle (Reshape, Transpose, Reshape back), not a map`);
  }
  if (problems.length) throw new ModelImportError(problems);
  const t = out as Tensor;
  const graph = b.output(t.ir);
  validateGraph(graph);
  return {
    graph, weights, input: inputInfo!,
    outputs: [{ name: outs[0]!, shape: graph.nodes.find((n) => n.name === t.ir)!.outShape.slice() }],
    meta: {
      format: 'onnx', irVersion: model.irVersion ? int64(model.irVersion, 'ir version') : 0, opset,
      producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '), nodes: g.node.length,
    },
  };
}

// --- attributes ------------------------------------------------------------------------------

interface Attrs {
  int(name: string, dflt?: number): number | undefined;
  ints(name: string): number[] | undefined;
  float(name: string, dflt?: number): number | undefined;
  string(name: string): string | undefined;
  tensor(name: string): DecodedTensor | undefined;
  names(): string[];
}

function attrsOf(node: any): Attrs {
  const by = new Map<string, any>();
  for (const a of node.attribute ?? []) by.set(String(a.name), a);
  return {
    int: (n, d) => (by.has(n) ? int64(by.get(n).i ?? 0, `attribute ${n}`) : d),
    ints: (n) => (by.has(n) ? (by.get(n).ints ?? []).map((v: unknown) => int64(v, `attribute ${n}`)) : undefined),
    float: (n, d) => (by.has(n) ? Number(by.get(n).f ?? 0) : d),
    string: (n) => (by.has(n) ? new TextDecoder().decode(by.get(n).s ?? new Uint8Array()) : undefined),
    tensor: (n) => (by.has(n) && by.get(n).t ? decodeTensor(by.get(n).t) : undefined),
    names: () => [...by.keys()],
  };
}

// --- op handlers -----------------------------------------------------------------------------

interface Ctx {
  node: any;
  opset: number;
  b: GraphBuilder;
  weights: Map<string, LayerWeights>;
  vals: Map<string, Val>;
  irName: (want: string) => string;
  absorb: (node: any) => void;
  soleReader: (value: string) => any;
  producerOf: Map<string, any>;
  get: (i: number) => Val | undefined;
  has: (i: number) => boolean;
  attr: Attrs;
  name: string;
}

type Handler = (c: Ctx) => (Val | undefined)[];

function tensorIn(c: Ctx, i = 0, nhwcOk = false, shuffleOk = false): Tensor {
  const v = c.get(i);
  if (!v) throw new Unsupported(`input ${i} is missing`);
  if (v.kind !== 'tensor') throw new Unsupported(`input ${i} is a constant where a tensor is needed`);
  if (v.shuffle && !shuffleOk) {
    throw new Unsupported(`input ${i} is a rank-5 step of a channel shuffle, which only the shuffle's Transpose / Reshape back to [N, C, H, W] can read`);
  }
  if (v.nhwc && !nhwcOk) throw new Unsupported(`input ${i} is an N,H,W,C Transpose, which only a Flatten / Reshape to [N, H*W*C] can read`);
  return v;
}

function constIn(c: Ctx, i: number, what: string): DecodedTensor {
  const v = c.get(i);
  if (!v) throw new Unsupported(`${what} (input ${i}) is missing`);
  if (v.kind !== 'const') throw new Unsupported(`${what} (input ${i}) must be a constant (an initializer), not computed at run time`);
  return v.t;
}

function floats(t: DecodedTensor, what: string): Float32Array {
  if (t.float) {
    for (let i = 0; i < t.float.length; i++) if (!Number.isFinite(t.float[i])) throw new RangeError(`${what}[${i}] is ${t.float[i]}; weights must be finite`);
    return t.float;
  }
  if (t.int) return Float32Array.from(t.int);
  throw new Unsupported(`${what} has no data`);
}

function ints(t: DecodedTensor, what: string): number[] {
  if (t.int) return t.int;
  if (t.float) return Array.from(t.float, (v) => { if (!Number.isInteger(v)) throw new Unsupported(`${what} is not integers`); return v; });
  throw new Unsupported(`${what} has no data`);
}

function rejectPad(t: Tensor, what: string): void {
  if (t.pad) throw new Unsupported(`a Pad feeds this ${what}: only a convolution (or an average pool counting padding) can absorb one`);
}

function mapTensor(c: Ctx, ir: string, extra: Partial<Tensor> = {}): Tensor {
  const s = c.b.shape(ir);
  return { kind: 'tensor', ir, dims: s.length === 4 ? [s[0]!, s[3]!, s[1]!, s[2]!] : s.slice(), ...extra };
}

/** Padding [top, left, bottom, right] of a conv / pool window from pads or auto_pad. */
function windowPads(c: Ctx, inHW: [number, number], k: [number, number], s: [number, number], d: [number, number]): Pad4 {
  const auto = c.attr.string('auto_pad') ?? 'NOTSET';
  if (auto === 'NOTSET') {
    const p = c.attr.ints('pads') ?? [0, 0, 0, 0];
    if (p.length !== 4) throw new Unsupported(`pads ${JSON.stringify(p)} are not 2-D [top, left, bottom, right]`);
    if (p.some((v) => v < 0)) throw new Unsupported(`negative pads ${JSON.stringify(p)}`);
    return [p[0]!, p[1]!, p[2]!, p[3]!];
  }
  if (auto === 'VALID') return [0, 0, 0, 0];
  if (auto !== 'SAME_UPPER' && auto !== 'SAME_LOWER') throw new Unsupported(`auto_pad ${auto}`);
  const total = (i: 0 | 1) => Math.max((Math.ceil(inHW[i] / s[i]) - 1) * s[i] + (k[i] - 1) * d[i] + 1 - inHW[i], 0);
  const th = total(0), tw = total(1);
  const lowH = auto === 'SAME_UPPER' ? Math.floor(th / 2) : Math.ceil(th / 2);
  const lowW = auto === 'SAME_UPPER' ? Math.floor(tw / 2) : Math.ceil(tw / 2);
  return [lowH, lowW, th - lowH, tw - lowW];
}

const pair = (v: number[] | undefined, dflt: number, what: string): [number, number] => {
  if (v === undefined) return [dflt, dflt];
  if (v.length !== 2) throw new Unsupported(`${what} ${JSON.stringify(v)} is not 2-D`);
  return [v[0]!, v[1]!];
};

function conv(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  if (x.dims.length !== 4) throw new Unsupported(`input is rank ${x.dims.length}; 2-D convolution of [N, C, H, W] is supported`);
  const W = constIn(c, 1, 'weight');
  if (W.dims.length !== 4) throw new Unsupported(`weight has rank ${W.dims.length}; 2-D convolution is supported`);
  const [O, cg, kh, kw] = W.dims as [number, number, number, number];
  const groups = c.attr.int('group', 1)!;
  const cin = x.dims[1]!;
  if (groups < 1 || cin % groups || cg * groups !== cin) throw new Unsupported(`weight [${W.dims.join(', ')}] with group ${groups} does not fit ${cin} input channels`);
  const ks = c.attr.ints('kernel_shape');
  if (ks && (ks[0] !== kh || ks[1] !== kw)) throw new Unsupported(`kernel_shape ${JSON.stringify(ks)} disagrees with the weight`);
  const stride = pair(c.attr.ints('strides'), 1, 'strides');
  const dil = pair(c.attr.ints('dilations'), 1, 'dilations');
  let pad = windowPads(c, [x.dims[2]!, x.dims[3]!], [kh, kw], stride, dil);
  if (x.pad) pad = pad.map((p, i) => p + x.pad![i]!) as Pad4;
  const w = floats(W, 'weight');
  const hwio = new Float32Array(w.length);
  for (let o = 0; o < O; o++) for (let i = 0; i < cg; i++) for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) {
    hwio[((y * kw + xx) * cg + i) * O + o] = w[((o * cg + i) * kh + y) * kw + xx]!;
  }
  let bias: Float32Array | undefined;
  if (c.has(2)) {
    bias = floats(constIn(c, 2, 'bias'), 'bias');
    if (bias.length !== O) throw new Unsupported(`bias has ${bias.length} values for ${O} output channels`);
  }
  const name = c.irName(c.name);
  c.b.conv2d(x.ir, { outChannels: O, kernel: [kh, kw], stride, padding: pad, dilation: dil, groups, bias: !!bias }, name);
  c.weights.set(name, bias ? { weight: hwio, bias } : { weight: hwio });
  return [mapTensor(c, name)];
}

function batchNorm(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  rejectPad(x, 'batch norm');
  if (c.attr.int('training_mode', 0)) throw new Unsupported('training_mode = 1 (inference batch norm only)');
  if (c.opset < 9 && c.attr.int('spatial', 1) !== 1) throw new Unsupported('spatial = 0');
  const ch = x.dims[1]!;
  const get = (i: number, what: string) => {
    const a = floats(constIn(c, i, what), what);
    if (a.length !== ch) throw new Unsupported(`${what} has ${a.length} values for ${ch} channels`);
    return a;
  };
  const gamma = get(1, 'scale'), beta = get(2, 'B'), mean = get(3, 'mean'), variance = get(4, 'var');
  for (let i = 0; i < ch; i++) if (!(variance[i]! >= 0)) throw new RangeError(`var[${i}] is ${variance[i]}; a variance must be >= 0`);
  const name = c.irName(c.name);
  c.b.batchnorm(x.ir, { eps: c.attr.float('epsilon', 1e-5) }, name);
  c.weights.set(name, { gamma, beta, mean, variance });
  return [mapTensor(c, name, { chw: x.chw })];
}

const unary = (kind: 'relu' | 'relu6' | 'sigmoid') => (c: Ctx): (Val | undefined)[] => {
  const x = tensorIn(c);
  rejectPad(x, kind);
  const name = c.irName(c.name);
  c.b[kind](x.ir, name);
  return [mapTensor(c, name, { chw: x.chw })];
};

function clip(c: Ctx): (Val | undefined)[] {
  let lo: number, hi: number;
  if (c.opset < 11) {
    lo = c.attr.float('min', -Infinity)!; hi = c.attr.float('max', Infinity)!;
  } else {
    const scalar = (i: number, d: number) => (c.has(i) ? floats(constIn(c, i, i === 1 ? 'min' : 'max'), 'bound')[0] ?? d : d);
    lo = scalar(1, -Infinity); hi = scalar(2, Infinity);
  }
  if (lo === 0 && hi === 6) return unary('relu6')(c);
  if (lo === 0 && hi === Infinity) return unary('relu')(c);
  if (!(lo <= hi)) throw new Unsupported(`Clip(${lo}, ${hi}): min above max`);
  const x = tensorIn(c);
  rejectPad(x, 'clip');
  const name = c.irName(c.name);
  c.b.clip(x.ir, { min: lo, max: hi }, name);
  return [mapTensor(c, name, { chw: x.chw })];
}

function pool(kind: 'maxpool' | 'avgpool') {
  return (c: Ctx): (Val | undefined)[] => {
    const x = tensorIn(c);
    if (x.dims.length !== 4) throw new Unsupported(`input is rank ${x.dims.length}; 2-D pooling is supported`);
    if ((c.node.output ?? []).length > 1 && c.node.output[1]) throw new Unsupported('the Indices output is not supported');
    const k = pair(c.attr.ints('kernel_shape'), 0, 'kernel_shape');
    if (!k[0]) throw new Unsupported('kernel_shape is missing');
    const stride = pair(c.attr.ints('strides'), 1, 'strides');
    const dil = pair(c.attr.ints('dilations'), 1, 'dilations');
    if (dil[0] !== 1 || dil[1] !== 1) throw new Unsupported(`dilations ${JSON.stringify(dil)} (pooling windows are dense)`);
    if (c.attr.int('storage_order', 0)) throw new Unsupported('storage_order = 1');
    let pad = windowPads(c, [x.dims[2]!, x.dims[3]!], k, stride, [1, 1]);
    let countIncludePad = kind === 'avgpool' && c.attr.int('count_include_pad', 0) === 1;
    if (x.pad) {
      // zeros a Pad wrote are input cells: every window counts them, which is PyTorch's
      // count_include_pad over that padding (how torch.onnx exports a padded avg_pool2d) — exact
      // unless the pool adds padding of its own that it does not count
      if (kind === 'maxpool') rejectPad(x, 'max pool');
      if (!countIncludePad && pad.some((p) => p > 0)) rejectPad(x, 'average pool with uncounted padding of its own');
      countIncludePad = true;
      pad = pad.map((p, i) => p + x.pad![i]!) as Pad4;
    }
    let ceil = c.attr.int('ceil_mode', 0) === 1;
    // Before opset 10 exporters wrote ceil mode as extra bottom / right padding, often more than
    // half the window (which the IR, like PyTorch, refuses). Where that padding is never counted
    // (max, or an average over valid taps), ceil mode over the leading padding is the same windows.
    const over = [0, 1].some((i) => pad[i + 2]! > Math.floor(k[i]! / 2));
    if (over && !ceil && !countIncludePad) {
      const floorOut = (i: 0 | 1) => Math.floor((x.dims[2 + i]! + pad[i]! + pad[i + 2]! - k[i]!) / stride[i]!) + 1;
      const ceilOut = (i: 0 | 1, p: number) => {
        let o = Math.ceil((x.dims[2 + i]! + 2 * p - k[i]!) / stride[i]!) + 1;
        if ((o - 1) * stride[i]! >= x.dims[2 + i]! + p) o--;
        return o;
      };
      const even: Pad4 = [pad[0], pad[1], Math.min(pad[2], pad[0]), Math.min(pad[3], pad[1])];
      if (even.every((p, i) => p <= Math.floor(k[i % 2]! / 2)) && ceilOut(0, pad[0]) === floorOut(0) && ceilOut(1, pad[1]) === floorOut(1) &&
        pad[2] >= pad[0] && pad[3] >= pad[1]) {
        pad = even;
        ceil = true;
      }
    }
    const name = c.irName(c.name);
    const o = { kernel: k, stride, padding: pad, ceil, countIncludePad };
    if (kind === 'maxpool') c.b.maxpool(x.ir, o, name); else c.b.avgpool(x.ir, o, name);
    return [mapTensor(c, name)];
  };
}

function globalPool(kind: 'avg' | 'max') {
  return (c: Ctx): (Val | undefined)[] => {
    const x = tensorIn(c);
    rejectPad(x, 'global pool');
    if (x.dims.length !== 4) throw new Unsupported(`input is rank ${x.dims.length}`);
    const name = c.irName(c.name);
    if (kind === 'avg') c.b.globalAvgPool(x.ir, name); else c.b.globalMaxPool(x.ir, name);
    return [mapTensor(c, name)];
  };
}

function leakyRelu(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  rejectPad(x, 'LeakyRelu');
  const name = c.irName(c.name);
  c.b.leakyRelu(x.ir, { alpha: c.attr.float('alpha', 0.01) }, name);
  return [mapTensor(c, name, { chw: x.chw })];
}

/** An IR flatten of a rank-4 tensor, remembering the C x H x W order ONNX flattened in. */
function flattenMap(c: Ctx, x: Tensor): Tensor {
  rejectPad(x, 'flatten');
  const [, ch, h, w] = x.dims as [number, number, number, number];
  const name = c.irName(`${c.name}`);
  c.b.flatten(x.ir, name);
  // after a Transpose to N,H,W,C the flatten is already in the IR's order
  return mapTensor(c, name, h * w > 1 && !x.nhwc ? { chw: [ch, h, w] } : {});
}

function transpose(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c, 0, false, true);
  const perm = c.attr.ints('perm') ?? [...x.dims.keys()].reverse();
  if (perm.every((p, i) => p === i)) return [x];
  if (x.shuffle) {
    if (x.shuffle.transposed || perm.join() !== '0,2,1,3,4') throw new Unsupported(`Transpose perm ${JSON.stringify(perm)} of a channel shuffle's rank-5 step (expected [0, 2, 1, 3, 4])`);
    const d = x.dims;
    return [{ ...x, dims: [d[0]!, d[2]!, d[1]!, d[3]!, d[4]!], shuffle: { ...x.shuffle, transposed: true } }];
  }
  if (x.dims.length === 4 && perm.join() === '0,2,3,1' && !x.pad) {
    // dims stay the logical [N, C, H, W] of the map; the flag records the memory order
    return [{ ...x, nhwc: true }];
  }
  throw new Unsupported(`Transpose perm ${JSON.stringify(perm)} (only N,C,H,W -> N,H,W,C before a flatten folds away)`);
}

function flatten(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c, 0, true);
  const axis = c.attr.int('axis', 1)!;
  if (axis !== 1) throw new Unsupported(`axis ${axis} (axis 1, the batch kept, is supported)`);
  if (x.dims.length === 2) return [x];
  if (x.dims.length !== 4) throw new Unsupported(`input is rank ${x.dims.length}`);
  return [flattenMap(c, x)];
}

function reshape(c: Ctx): (Val | undefined)[] {
  const x = c.get(0);
  const target = ints(constIn(c, 1, 'shape'), 'shape');
  if (x?.kind === 'const') return [{ kind: 'const', t: { ...x.t, dims: resolveShape(x.t.dims, target, c.attr.int('allowzero', 0) === 1) } }];
  const t = tensorIn(c, 0, true, true);
  const dims = resolveShape(t.nhwc ? [t.dims[0]!, t.dims[2]!, t.dims[3]!, t.dims[1]!] : t.dims, target, c.attr.int('allowzero', 0) === 1);
  if (t.shuffle) {
    // the end of a channel shuffle: back to the map's own shape
    const { groups, map, transposed } = t.shuffle;
    if (!transposed || dims.join() !== map.dims.join()) {
      throw new Unsupported(`Reshape [${t.dims.join(', ')}] -> [${dims.join(', ')}] of a channel shuffle's rank-5 step (expected a Transpose, then [${map.dims.join(', ')}])`);
    }
    const name = c.irName(c.name);
    c.b.channelShuffle(map.ir, { groups }, name);
    return [mapTensor(c, name)];
  }
  if (!t.nhwc && t.dims.length === 4 && dims.length === 5 && !t.pad && dims[0] === t.dims[0] && dims[1]! * dims[2]! === t.dims[1]
    && dims[3] === t.dims[2] && dims[4] === t.dims[3] && dims[1]! > 1) {
    // the start of a channel shuffle: [N, C, H, W] as [N, g, C/g, H, W]
    return [{ kind: 'tensor', ir: t.ir, dims, shuffle: { groups: dims[1]!, map: t, transposed: false } }];
  }
  if (!t.nhwc && dims.length === t.dims.length && dims.every((d, i) => d === t.dims[i])) return [t];
  if (t.dims.length === 4 && dims.length === 2 && dims[0] === t.dims[0]) return [flattenMap(c, t)];
  throw new Unsupported(`Reshape [${t.dims.join(', ')}] -> [${dims.join(', ')}] (only a flatten to [N, C*H*W] is supported)`);
}

function resolveShape(from: number[], target: number[], allowZero: boolean): number[] {
  const total = from.reduce((a, b) => a * b, 1);
  const dims = target.map((d, i) => (d === 0 && !allowZero ? from[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const free = dims.filter((d) => d === -1).length;
  if (free > 1 || dims.some((d) => d < -1)) throw new Unsupported(`shape ${JSON.stringify(target)}`);
  const out = dims.map((d) => (d === -1 ? total / known : d));
  if (!out.every((d) => Number.isInteger(d) && d >= 0) || out.reduce((a, b) => a * b, 1) !== total) {
    throw new Unsupported(`cannot reshape [${from.join(', ')}] to ${JSON.stringify(target)}`);
  }
  return out;
}

function squeeze(c: Ctx): (Val | undefined)[] {
  const x = c.get(0)!;
  const axes = c.opset >= 13 && c.has(1) ? ints(constIn(c, 1, 'axes'), 'axes') : c.attr.ints('axes');
  const dims = x.kind === 'const' ? x.t.dims : x.dims;
  const ax = (axes ?? dims.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + dims.length : a));
  const out = dims.filter((_, i) => !ax.includes(i));
  if (x.kind === 'const') return [{ kind: 'const', t: { ...x.t, dims: out } }];
  if (x.dims.length === 4 && out.length === 2 && x.dims[2] === 1 && x.dims[3] === 1) return [flattenMap(c, x)];
  if (out.length === x.dims.length) return [x];
  throw new Unsupported(`Squeeze [${x.dims.join(', ')}] -> [${out.join(', ')}]`);
}

function unsqueeze(c: Ctx): (Val | undefined)[] {
  const x = c.get(0)!;
  if (x.kind !== 'const') throw new Unsupported('Unsqueeze of a tensor (only shape arithmetic on constants is folded)');
  const axes = (c.opset >= 13 && c.has(1) ? ints(constIn(c, 1, 'axes'), 'axes') : c.attr.ints('axes')) ?? [];
  const rank = x.t.dims.length + axes.length;
  const ax = axes.map((a) => (a < 0 ? a + rank : a));
  const dims: number[] = [];
  for (let i = 0, j = 0; i < rank; i++) dims.push(ax.includes(i) ? 1 : x.t.dims[j++]!);
  return [{ kind: 'const', t: { ...x.t, dims } }];
}

function fc(c: Ctx, x: Tensor, wio: Float32Array, k: number, n: number, bias: Float32Array | undefined): Tensor {
  rejectPad(x, 'fully connected layer');
  if (x.dims.length !== 2) throw new Unsupported(`input is rank ${x.dims.length}; [N, features] is supported (flatten first)`);
  if (x.dims[1] !== k) throw new Unsupported(`weight has ${k} rows for ${x.dims[1]} input features`);
  let w = wio;
  if (x.chw) {
    // ONNX flattened C,H,W; the IR flattens H,W,C: re-order the rows
    const [ch, h, wd] = x.chw;
    w = new Float32Array(wio.length);
    for (let cc = 0; cc < ch; cc++) for (let y = 0; y < h; y++) for (let xx = 0; xx < wd; xx++) {
      const src = (cc * h + y) * wd + xx, dst = (y * wd + xx) * ch + cc;
      w.set(wio.subarray(src * n, src * n + n), dst * n);
    }
  }
  const name = c.irName(c.name);
  c.b.fc(x.ir, { outFeatures: n, bias: !!bias }, name);
  c.weights.set(name, bias ? { weight: w, bias } : { weight: w });
  return mapTensor(c, name);
}

function gemm(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  if (c.attr.int('transA', 0)) throw new Unsupported('transA = 1');
  const B = constIn(c, 1, 'B');
  if (B.dims.length !== 2) throw new Unsupported(`B has rank ${B.dims.length}`);
  const transB = c.attr.int('transB', 0) === 1;
  const alpha = c.attr.float('alpha', 1)!, beta = c.attr.float('beta', 1)!;
  const [r, cc] = B.dims as [number, number];
  const k = transB ? cc : r, n = transB ? r : cc;
  const bw = floats(B, 'B');
  const wio = new Float32Array(k * n);
  for (let i = 0; i < k; i++) for (let j = 0; j < n; j++) wio[i * n + j] = alpha * (transB ? bw[j * k + i]! : bw[i * n + j]!);
  let bias: Float32Array | undefined;
  if (c.has(2) && beta !== 0) {
    const C = floats(constIn(c, 2, 'C'), 'C');
    if (C.length !== n && C.length !== 1) throw new Unsupported(`C has ${C.length} values for ${n} outputs (a per-output bias is supported)`);
    bias = Float32Array.from({ length: n }, (_, j) => beta * C[C.length === 1 ? 0 : j]!);
  }
  return [fc(c, x, wio, k, n, bias)];
}

function matmul(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  const B = constIn(c, 1, 'B');
  if (B.dims.length !== 2) throw new Unsupported(`B has rank ${B.dims.length}; a constant [K, N] matrix is supported`);
  const [k, n] = B.dims as [number, number];
  let bias: Float32Array | undefined;
  // MatMul + Add(bias): the bias folds into the fully connected layer
  const out = c.node.output?.[0];
  const next = out ? c.soleReader(out) : undefined;
  if (next && next.opType === 'Add') {
    const other = (next.input ?? []).find((i: string) => i !== out);
    const v = other ? c.vals.get(other) : undefined;
    if (v?.kind === 'const' && v.t.float && v.t.float.length === n) {
      bias = floats(v.t, 'bias');
      c.absorb(next);
      const r = fc(c, x, floats(B, 'B'), k, n, bias);
      c.vals.set(next.output[0], r);
      return [r];
    }
  }
  return [fc(c, x, floats(B, 'B'), k, n, bias)];
}

function add(c: Ctx): (Val | undefined)[] {
  const a = c.get(0), bb = c.get(1);
  if (a?.kind === 'tensor' && bb?.kind === 'tensor') {
    rejectPad(a, 'add'); rejectPad(bb, 'add');
    const name = c.irName(c.name);
    c.b.add(a.ir, bb.ir, name);
    return [mapTensor(c, name, { chw: a.chw })];
  }
  return broadcast('add')(c);
}

/**
 * A tensor and a constant that broadcasts per channel (a scalar, [1, C, 1, 1] / [C, 1, 1] against
 * NCHW, [C] / [1, C] against [N, C]): the per-channel scale-shift op. Other broadcasts (along H or
 * W, or of a tensor against a tensor) the IR does not express.
 */
function broadcast(kind: 'add' | 'sub' | 'mul' | 'div') {
  return (c: Ctx): (Val | undefined)[] => {
    const a = c.get(0), bb = c.get(1);
    if (a?.kind === 'const' && bb?.kind === 'const') throw new Unsupported('arithmetic on two constants outside shape arithmetic');
    if (a?.kind !== 'tensor' && bb?.kind !== 'tensor') throw new Unsupported('no tensor input');
    if (a?.kind === 'tensor' && bb?.kind === 'tensor') {
      // squeeze-excitation: a map times its per-channel gate, [N, C, H, W] x [N, C, 1, 1]
      const gate = (t: Tensor) => t.dims.length === 4 && t.dims[2] === 1 && t.dims[3] === 1;
      const [big, small] = gate(bb) && !gate(a) ? [a, bb] : gate(a) && !gate(bb) ? [bb, a] : [null, null];
      if (kind !== 'mul' || !big || !small || big.dims.length !== 4 || big.dims[0] !== small.dims[0] || big.dims[1] !== small.dims[1]) {
        throw new Unsupported(`${kind} of two tensors [${a.dims.join(', ')}] and [${bb.dims.join(', ')}] (supported: Add of equal shapes, Mul of a map by a per-channel [N, C, 1, 1] gate)`);
      }
      rejectPad(big, kind);
      if (big.nhwc || small.nhwc) throw new Unsupported('arithmetic on an N,H,W,C Transpose');
      const name = c.irName(c.name);
      c.b.channelMul(big.ir, small.ir, name);
      return [mapTensor(c, name, { chw: big.chw })];
    }
    const tensorFirst = a?.kind === 'tensor';
    if (!tensorFirst && (kind === 'sub' || kind === 'div')) throw new Unsupported(`a constant ${kind === 'sub' ? 'minus' : 'divided by'} a tensor`);
    const x = (tensorFirst ? a : bb) as Tensor;
    rejectPad(x, kind);
    if (x.nhwc) throw new Unsupported('arithmetic on an N,H,W,C Transpose');
    const k = (tensorFirst ? bb : a) as Const;
    const v = floats(k.t, 'constant');
    const ch = x.dims[1]!;
    const d = k.t.dims;
    const perChannel = v.length === 1 || (v.length === ch && (x.dims.length === 4
      ? (d.length === 3 && d[1] === 1 && d[2] === 1) || (d.length === 4 && d[0] === 1 && d[2] === 1 && d[3] === 1)
      : (d.length === 1) || (d.length === 2 && d[0] === 1)));
    if (!perChannel) throw new Unsupported(`a constant of shape [${d.join(', ')}] against [${x.dims.join(', ')}]: per-channel or scalar broadcasts are supported`);
    if (v.length === 1 && (kind === 'mul' || kind === 'div')) {
      // a constant multiply (Inception-ResNet's residual scaling): no learned constants
      const factor = kind === 'mul' ? v[0]! : 1 / v[0]!;
      if (!Number.isFinite(factor)) throw new RangeError(`${kind === 'mul' ? 'multiplying' : 'dividing'} by ${v[0]}`);
      const name = c.irName(c.name);
      c.b.scale(x.ir, { factor }, name);
      return [mapTensor(c, name, { chw: x.chw })];
    }
    const at = (i: number) => v[v.length === 1 ? 0 : i]!;
    const scale = new Float32Array(ch), shift = new Float32Array(ch);
    for (let i = 0; i < ch; i++) {
      scale[i] = kind === 'mul' ? at(i) : kind === 'div' ? 1 / at(i) : 1;
      shift[i] = kind === 'add' ? at(i) : kind === 'sub' ? -at(i) : 0;
      if (!Number.isFinite(scale[i]!)) throw new RangeError(`dividing by ${at(i)}`);
    }
    const name = c.irName(c.name);
    c.b.scaleShift(x.ir, name);
    c.weights.set(name, { scale, shift });
    return [mapTensor(c, name, { chw: x.chw })];
  };
}

/** Slice along channels (axis 1) of a map with step 1: a channel slice. Other slices are refused. */
function slice(c: Ctx): (Val | undefined)[] {
  const list = (i: number, attr: string, what: string) =>
    c.opset >= 10 ? (c.has(i) ? ints(constIn(c, i, what), what) : undefined) : c.attr.ints(attr);
  const starts = list(1, 'starts', 'starts'), ends = list(2, 'ends', 'ends');
  const axes = list(3, 'axes', 'axes') ?? starts?.map((_, i) => i);
  const steps = c.opset >= 10 && c.has(4) ? ints(constIn(c, 4, 'steps'), 'steps') : undefined;
  if (!starts || !ends || !axes || starts.length !== ends.length || axes.length !== starts.length) throw new Unsupported('starts, ends and axes must be constants of one length');
  if (steps && steps.some((v) => v !== 1)) throw new Unsupported(`steps ${JSON.stringify(steps)} (step 1 is supported)`);
  const k = c.get(0);
  if (k?.kind === 'const' && k.t.dims.length === 1 && axes.length === 1 && (axes[0] === 0 || axes[0] === -1)) {
    // shape arithmetic on a 1-D constant
    const vals = k.t.int ?? Array.from(k.t.float ?? []);
    const at = (v: number) => Math.min(Math.max(v < 0 ? v + vals.length : v, 0), vals.length);
    const out = vals.slice(at(starts[0]!), at(ends[0]!));
    return [{ kind: 'const', t: { dims: [out.length], int: out } }];
  }
  const x = tensorIn(c);
  rejectPad(x, 'Slice');
  const rank = x.dims.length;
  let start = 0, end = x.dims[1]!;
  for (let i = 0; i < axes.length; i++) {
    const ax = axes[i]! < 0 ? axes[i]! + rank : axes[i]!;
    const dim = x.dims[ax]!;
    const clampTo = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const s0 = clampTo(starts[i]!), e0 = clampTo(ends[i]!);
    if (ax !== 1) {
      if (s0 === 0 && e0 === dim) continue; // a no-op along that axis
      throw new Unsupported(`Slice along axis ${axes[i]} (channel slices, axis 1, are supported)`);
    }
    start = s0; end = e0;
  }
  if (rank !== 4) throw new Unsupported(`Slice of a rank-${rank} tensor (channel slices of an N,C,H,W map are supported)`);
  if (end <= start) throw new Unsupported(`an empty channel slice [${start}, ${end})`);
  if (start === 0 && end === x.dims[1]) return [x];
  const name = c.irName(c.name);
  c.b.channelSlice(x.ir, { start, end }, name);
  return [mapTensor(c, name)];
}

function sum(c: Ctx): (Val | undefined)[] {
  const ins = (c.node.input ?? []).map((_: unknown, i: number) => tensorIn(c, i));
  let acc = ins[0]!;
  for (let i = 1; i < ins.length; i++) {
    const name = c.irName(i === ins.length - 1 ? c.name : `${c.name}.${i}`);
    c.b.add(acc.ir, ins[i]!.ir, name);
    acc = mapTensor(c, name);
  }
  return [acc];
}

function concat(c: Ctx): (Val | undefined)[] {
  const vs = (c.node.input ?? []).map((_: unknown, i: number) => c.get(i)!);
  const axis = c.attr.int('axis', c.opset < 4 ? 1 : undefined);
  if (axis === undefined) throw new Unsupported('axis is missing');
  if (vs.every((v: Val) => v.kind === 'const')) {
    // shape arithmetic: concatenate integer vectors
    const data: number[] = [];
    for (const v of vs) data.push(...ints((v as Const).t, 'input'));
    return [{ kind: 'const', t: { dims: [data.length], int: data } }];
  }
  const ts: Tensor[] = vs.map((_: unknown, i: number) => tensorIn(c, i));
  const rank = ts[0]!.dims.length;
  const ax = axis < 0 ? axis + rank : axis;
  if (ax !== 1) throw new Unsupported(`axis ${axis}: concatenation along channels (axis 1) is supported`);
  for (const t of ts) rejectPad(t, 'concat');
  const name = c.irName(c.name);
  c.b.concat(ts.map((t) => t.ir), name);
  return [mapTensor(c, name)];
}

function lrn(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  rejectPad(x, 'LRN');
  const size = c.attr.int('size')!;
  // ONNX and PyTorch centre an even window differently; odd windows agree
  if (!size || size % 2 === 0) throw new Unsupported(`size ${size}: odd LRN sizes are supported`);
  const name = c.irName(c.name);
  c.b.lrn(x.ir, { size, alpha: c.attr.float('alpha', 1e-4), beta: c.attr.float('beta', 0.75), k: c.attr.float('bias', 1) }, name);
  return [mapTensor(c, name)];
}

function softmax(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  rejectPad(x, 'softmax');
  const rank = x.dims.length;
  const axis = c.attr.int('axis', c.opset < 13 ? 1 : -1)!;
  const ax = axis < 0 ? axis + rank : axis;
  const channels = rank === 2 ? ax === 1 : (ax === 1 && c.opset >= 13) || (x.dims[2] === 1 && x.dims[3] === 1 && ax >= 1);
  if (!channels) throw new Unsupported(`axis ${axis} of a rank-${rank} input: softmax over the channels is supported`);
  const name = c.irName(c.name);
  c.b.softmax(x.ir, name);
  return [mapTensor(c, name)];
}

function padOp(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  const mode = c.attr.string('mode') ?? 'constant';
  if (mode !== 'constant') throw new Unsupported(`mode ${mode}: constant padding is supported`);
  const pads = c.opset >= 11 ? ints(constIn(c, 1, 'pads'), 'pads') : c.attr.ints('pads') ?? [];
  const value = c.opset >= 11 ? (c.has(2) ? floats(constIn(c, 2, 'constant_value'), 'value')[0] ?? 0 : 0) : c.attr.float('value', 0)!;
  if (value !== 0) throw new Unsupported(`constant_value ${value}: zero padding is supported`);
  if (x.dims.length !== 4 || pads.length !== 8) throw new Unsupported('padding of a non-image tensor');
  const [n0, c0, t, l, n1, c1, bt, r] = pads as [number, number, number, number, number, number, number, number];
  if (n0 || c0 || n1 || c1) throw new Unsupported('padding along the batch or channels');
  if ([t, l, bt, r].some((p) => p < 0)) throw new Unsupported('negative padding (cropping)');
  if (t === 0 && l === 0 && bt === 0 && r === 0) return [x];
  const prev = x.pad ?? [0, 0, 0, 0];
  return [{ ...x, pad: [prev[0] + t, prev[1] + l, prev[2] + bt, prev[3] + r], dims: [x.dims[0]!, x.dims[1]!, x.dims[2]! + t + bt, x.dims[3]! + l + r] }];
}

const identity: Handler = (c) => [c.get(0)];

/** ReduceMean over H and W: a global average pool (and a flatten without keepdims). */
function reduceMean(c: Ctx): (Val | undefined)[] {
  const x = tensorIn(c);
  rejectPad(x, 'ReduceMean');
  const axes = (c.opset >= 18 && c.has(1) ? ints(constIn(c, 1, 'axes'), 'axes') : c.attr.ints('axes')) ?? [];
  const ax = axes.map((a) => (a < 0 ? a + x.dims.length : a)).sort();
  if (x.dims.length !== 4 || ax.join() !== '2,3') throw new Unsupported(`axes ${JSON.stringify(axes)}: the mean over H and W (axes 2, 3) is supported`);
  const gap = c.irName(c.name);
  c.b.globalAvgPool(x.ir, gap);
  const g = mapTensor(c, gap);
  if (c.attr.int('keepdims', 1)) return [g];
  const name = c.irName(`${c.name}.flatten`);
  c.b.flatten(gap, name);
  return [mapTensor(c, name)];
}

function constant(c: Ctx): (Val | undefined)[] {
  const t = c.attr.tensor('value');
  if (t) return [{ kind: 'const', t }];
  const f = c.attr.float('value_float');
  if (f !== undefined) return [{ kind: 'const', t: { dims: [], float: Float32Array.of(f) } }];
  const i = c.attr.int('value_int');
  if (i !== undefined) return [{ kind: 'const', t: { dims: [], int: [i] } }];
  const is = c.attr.ints('value_ints');
  if (is) return [{ kind: 'const', t: { dims: [is.length], int: is } }];
  throw new Unsupported(`a Constant with ${c.attr.names().join(', ') || 'no value'}`);
}

function shapeOp(c: Ctx): (Val | undefined)[] {
  const x = c.get(0)!;
  const dims = x.kind === 'const' ? x.t.dims : x.dims;
  const start = c.attr.int('start', 0)!, end = c.attr.int('end', dims.length)!;
  const s = dims.slice(start < 0 ? start + dims.length : start, end < 0 ? end + dims.length : end);
  return [{ kind: 'const', t: { dims: [s.length], int: s } }];
}

function gather(c: Ctx): (Val | undefined)[] {
  const data = constIn(c, 0, 'data'), idx = constIn(c, 1, 'indices');
  const axis = c.attr.int('axis', 0)!;
  if (data.dims.length !== 1 || axis !== 0) throw new Unsupported('Gather other than from a 1-D constant (shape arithmetic)');
  const vals = data.int ?? Array.from(data.float ?? []);
  const ix = ints(idx, 'indices').map((i) => (i < 0 ? i + vals.length : i));
  if (ix.some((i) => i < 0 || i >= vals.length)) throw new Unsupported('indices out of range');
  const out = ix.map((i) => vals[i]!);
  return [{ kind: 'const', t: { dims: idx.dims.slice(), int: out } }];
}

function cast(c: Ctx): (Val | undefined)[] {
  const x = c.get(0)!;
  if (x.kind === 'const') return [x];
  const to = c.attr.int('to', 1);
  if (to === 1) return [x];
  throw new Unsupported(`Cast of a tensor to ${typeName(to!)}`);
}

function dropout(c: Ctx): (Val | undefined)[] {
  if ((c.node.output ?? []).length > 1 && c.node.output[1]) {
    // the mask output: nothing reads it in an inference graph, or the model is not one
    if (c.soleReader(c.node.output[1])) throw new Unsupported('the mask output is used');
  }
  return [c.get(0)];
}

const HANDLERS: Record<string, Handler> = {
  Conv: conv, BatchNormalization: batchNorm, Relu: unary('relu'), Sigmoid: unary('sigmoid'), Clip: clip,
  MaxPool: pool('maxpool'), AveragePool: pool('avgpool'), GlobalAveragePool: globalPool('avg'), GlobalMaxPool: globalPool('max'),
  LeakyRelu: leakyRelu, Mul: broadcast('mul'), Sub: broadcast('sub'), Div: broadcast('div'),
  Flatten: flatten, Reshape: reshape, Squeeze: squeeze, Unsqueeze: unsqueeze,
  Gemm: gemm, MatMul: matmul, Transpose: transpose, Add: add, Sum: sum, Concat: concat, LRN: lrn, Softmax: softmax, Pad: padOp,
  Dropout: dropout, Identity: identity, Slice: slice, ReduceMean: reduceMean, Constant: constant, Shape: shapeOp, Gather: gather, Cast: cast,
};

/** The ONNX operators this importer understands (others are listed in its error). */
export const ONNX_IMPORT_OPS: readonly string[] = Object.freeze(Object.keys(HANDLERS).sort());
