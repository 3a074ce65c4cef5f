// TensorFlow.js LayersModel (model.json + weight shards) -> the graph IR + weights. Keras and
// TF.js are NHWC like the IR, and Keras kernels are already HWIO (Conv2D), [kh, kw, C, M]
// (DepthwiseConv2D: the IR's grouped HWIO in the same memory) and IO (Dense), so weights are used
// as decoded and a Flatten needs no row permutation. The layer graph is walked in dependency order
// (a Keras config lists layers by depth, but a shared layer's later calls may come before their
// inputs); a ZeroPadding2D is carried as pending padding and folded into the convolution (or the
// average pool counting it) that reads it; fused activations become their own IR node, which the
// lowering fuses back. Every layer the IR cannot express is collected and reported in one error.

import { GraphBuilder } from '../graph/builder.js';
import type { Pad4 } from '../graph/types.js';
import type { LayerWeights } from '../graph/weights.js';
import { validateGraph } from '../graph/validate.js';
import { ModelImportError, type ImportedModel } from '../onnx/import.js';
import { decodeWeights, joinShards, type TfjsWeight } from './weights.js';

/** Options of {@link importTfjsLayers}. */
export interface TfjsImportOptions {
  /** Batch size for the model's unspecified (null) batch dimension (default 1). */
  batch?: number;
  /** Graph name in the IR (default: the Keras model's name, or `model`). */
  name?: string;
}

/** Weight data of a model.json: one buffer (every shard joined), or the shards in manifest order. */
export type TfjsWeightData = ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[];

/** A value of the layer graph: an IR node, with padding a ZeroPadding2D left for its reader. */
interface Val {
  ir: string;
  /** IR shape of `ir` (NHWC), without `pad`. */
  shape: number[];
  /** Zero padding not yet applied, [top, left, bottom, right]. */
  pad?: Pad4;
  /** For a rank-2 value: the IR node of shape [N, 1, 1, C] it flattens (a Reshape can go back). */
  unflat?: string;
}

/** Thrown by a layer handler for what the IR cannot express; the message is for the user. */
class Unsupported extends Error {}

const isObj = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => {
  try { return v === undefined ? 'undefined' : (JSON.stringify(v) ?? String(v)).slice(0, 80); } catch { return typeof v; }
};
const MAX_LAYERS = 100_000;

/** A layer call: layer `layer` applied (its `node`-th inbound node) to the tensors `inputs`. */
interface Call { layer: Layer; node: number; inputs: Ref[] }
interface Ref { layer: string; node: number; tensor: number }
interface Layer { name: string; cls: string; config: Record<string, any> }
const key = (r: Ref) => `${r.layer}\u0000${r.node}\u0000${r.tensor}`;

/**
 * Imports a TensorFlow.js LayersModel: the parsed (or text of a) `model.json` of format
 * `layers-model` — a Sequential, Functional or Model of Keras 2 or Keras 3 config shape — and its
 * weight shards.
 * @throws ModelImportError listing every unsupported layer, activation or attribute, each with
 *   its layer name (also for a GraphModel, which is not supported); TypeError / RangeError for
 *   JSON that is not a model, or weight data that does not match its manifest.
 */
export function importTfjsLayers(modelJson: unknown, weightData: TfjsWeightData = [], opts: TfjsImportOptions = {}): ImportedModel {
  if (opts === null || typeof opts !== 'object') throw new TypeError('importTfjsLayers: options must be an object');
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1 || batch > 4096) throw new RangeError(`importTfjsLayers: batch must be an integer 1..4096, got ${show(opts.batch)}`);
  let json: unknown = modelJson;
  if (json instanceof Uint8Array || json instanceof ArrayBuffer) json = new TextDecoder().decode(json);
  if (typeof json === 'string') {
    try { json = JSON.parse(json); } catch (e) { throw new TypeError(`model.json is not valid JSON (${(e as Error).message})`); }
  }
  if (!isObj(json)) throw new TypeError(`model.json must be an object, got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}`);
  let topo: unknown = json.modelTopology;
  if (isObj(topo) && (Array.isArray(topo.node) || json.format === 'graph-model')) {
    throw new ModelImportError(['a TensorFlow.js GraphModel (modelTopology.node) is not supported yet; a LayersModel (tf.LayersModel.save, or tensorflowjs_converter --output_format tfjs_layers_model) or an ONNX export is'], 'TF.js model');
  }
  if (json.format !== undefined && json.format !== 'layers-model') throw new TypeError(`model.json format ${show(json.format)} is not a TF.js LayersModel ('layers-model')`);
  if (!isObj(topo)) throw new TypeError(`model.json has no modelTopology object, got ${show(topo)}`);
  const kerasVersion = typeof topo.keras_version === 'string' ? topo.keras_version : '';
  if (isObj(topo.model_config)) topo = topo.model_config;
  const model = topo as Record<string, any>;
  const weights = indexWeights(decodeWeights(json.weightsManifest, joinShards(weightData)));

  const problems: string[] = [];
  const { layers, calls, inputs, outputs } = parseTopology(model, problems);
  if (problems.length) throw new ModelImportError(problems, 'TF.js model');

  const name = opts.name ?? (isObj(model.config) && typeof model.config.name === 'string' && model.config.name ? model.config.name : 'model');
  const b = new GraphBuilder(name);
  const irWeights = new Map<string, LayerWeights>();
  const used = new Set<string>();
  const irName = (want: string) => {
    let n = want || 'layer';
    for (let k = 1; used.has(n); k++) n = `${want}_${k}`;
    used.add(n);
    return n;
  };

  // the input
  const vals = new Map<string, Val>();
  let inputInfo: ImportedModel['input'] | undefined;
  if (inputs.length !== 1) problems.push(`the model has ${inputs.length} inputs (${inputs.map((r) => r.layer).join(', ')}); one image input is supported`);
  else {
    const layer = layers.get(inputs[0]!.layer);
    const label = `layer "${inputs[0]!.layer}" (${layer?.cls ?? '?'})`;
    const shape = layer ? inputShapeOf(layer.config) : undefined;
    if (!layer) problems.push(`input layer "${inputs[0]!.layer}" is not in the layer list`);
    else if (!shape) problems.push(`${label}: no batch_input_shape / batch_shape`);
    else {
      const dims = shape.map((d, i) => (d === null && i === 0 ? batch : d));
      const dt = typeof layer.config.dtype === 'string' ? layer.config.dtype : isObj(layer.config.dtype) ? layer.config.dtype.config?.name : undefined;
      if (dt !== undefined && dt !== 'float32') problems.push(`${label}: input dtype ${show(dt)}; float32 is supported`);
      if (dims.length !== 4 && dims.length !== 2) problems.push(`${label}: input shape ${show(shape)} has rank ${dims.length}; [N, H, W, C] or [N, F] is supported`);
      else if (dims.some((d) => d === null)) problems.push(`${label}: input shape ${show(shape)} has a dynamic dimension; save the model with a fixed input size`);
      else if (!dims.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0 && d < 2 ** 31) || dims.reduce((a: number, d) => a * (d as number), 1) > 2 ** 31) {
        problems.push(`${label}: input shape ${show(shape)} must be positive integers of at most 2^31 elements`);
      } else {
        const ir = irName(layer.name);
        b.input(dims as number[], ir);
        vals.set(key(inputs[0]!), { ir, shape: dims as number[] });
        inputInfo = { name: layer.name, shape: dims as number[], layout: dims.length === 4 ? 'nhwc' : 'nc', fileShape: shape.map((d) => d ?? -1) };
      }
    }
  }
  if (problems.length) throw new ModelImportError(problems, 'TF.js model');

  // calls in dependency order (Kahn): a call runs once every tensor it reads exists
  const waiting = new Map<string, Call[]>();
  const missing = new Map<Call, number>();
  const ready: Call[] = [];
  const producedKeys = new Set<string>(vals.keys());
  for (const c of calls) {
    if (c.layer.cls === 'InputLayer') continue;
    const need = new Set(c.inputs.map(key).filter((k) => !producedKeys.has(k)));
    missing.set(c, need.size);
    if (need.size === 0) ready.push(c);
    for (const k of need) (waiting.get(k) ?? waiting.set(k, []).get(k)!).push(c);
  }
  const bad = new Set<string>();
  const done = new Set<Call>();
  const finish = (k: string) => {
    for (const c of waiting.get(k) ?? []) {
      const m = missing.get(c)! - 1;
      missing.set(c, m);
      if (m === 0) ready.push(c);
    }
  };
  for (let next = 0; next < ready.length; next++) {
    const call = ready[next]!;
    done.add(call);
    const { layer } = call;
    const outKey = key({ layer: layer.name, node: call.node, tensor: 0 });
    const label = `layer "${layer.name}" (${layer.cls})`;
    if (call.inputs.some((r) => bad.has(key(r)))) { bad.add(outKey); finish(outKey); continue; }
    try {
      const badRef = call.inputs.find((r) => r.tensor !== 0);
      if (badRef) throw new Unsupported(`reads output ${badRef.tensor} of "${badRef.layer}"; every supported layer has one output`);
      const handler = HANDLERS[layer.cls];
      if (!handler) throw new Unsupported(`layer class ${layer.cls} is not supported`);
      if (layer.config.data_format !== undefined && layer.config.data_format !== null && layer.config.data_format !== 'channels_last') {
        throw new Unsupported(`data_format ${show(layer.config.data_format)}; channels_last is supported`);
      }
      const ctx: Ctx = {
        b, cfg: layer.config, name: layer.name, irName,
        ins: call.inputs.map((r) => vals.get(key(r))!),
        weight: (param, want) => weightOf(weights, layer.name, param, want),
        shapeOf: (param) => { try { return findWeight(weights, layer.name, param)?.shape; } catch { return undefined; } },
        setWeights: (ir, w) => irWeights.set(ir, w),
      };
      vals.set(outKey, handler(ctx));
    } catch (e) {
      // the builder's own shape checks land here too: strip its node prefix, ours is the layer
      problems.push(`${label}: ${e instanceof Error ? e.message.replace(/^layer "[^"]*" \([a-z0-9]+\): /, '') : String(e)}`);
      bad.add(outKey);
    }
    finish(outKey);
  }
  for (const c of calls) {
    if (c.layer.cls !== 'InputLayer' && !done.has(c)) {
      const r = c.inputs.find((i) => !vals.has(key(i)) && !bad.has(key(i)));
      problems.push(`layer "${c.layer.name}" (${c.layer.cls}): its input ${r ? `"${r.layer}" (node ${r.node}, tensor ${r.tensor})` : ''} is never produced (a missing layer or a cycle)`);
    }
  }
  if (outputs.length !== 1) problems.push(`the model has ${outputs.length} outputs (${outputs.map((r) => r.layer).join(', ')}); one is supported`);
  const out = outputs.length === 1 ? vals.get(key(outputs[0]!)) : undefined;
  if (outputs.length === 1 && !bad.has(key(outputs[0]!)) && !problems.length) {
    if (!out) problems.push(`output "${outputs[0]!.layer}" is never produced`);
    else if (out.pad) problems.push(`output "${outputs[0]!.layer}" is a ZeroPadding2D that nothing consumes`);
  }
  if (problems.length) throw new ModelImportError(problems, 'TF.js model');
  const graph = b.output(out!.ir);
  if (graph.nodes.length < 2) throw new ModelImportError(['the model has no layers besides its input'], 'TF.js model');
  validateGraph(graph);
  const producer = [json.generatedBy, json.convertedBy, kerasVersion && `keras ${kerasVersion}`].filter((s) => typeof s === 'string' && s).join(', ');
  return {
    graph, weights: irWeights, input: inputInfo!,
    outputs: [{ name: outputs[0]!.layer, shape: b.shape(out!.ir) }],
    meta: { format: 'tfjs', irVersion: 0, opset: 0, producer, nodes: layers.size },
  };
}

// --- topology ----------------------------------------------------------------------------------

/** The batch input shape a layer config declares, null for unknown dimensions. */
function inputShapeOf(cfg: Record<string, any>): (number | null)[] | undefined {
  const s = cfg.batch_input_shape ?? cfg.batch_shape ?? (Array.isArray(cfg.input_shape) ? [null, ...cfg.input_shape] : undefined);
  if (!Array.isArray(s) || s.length > 8) return undefined;
  return s.map((d) => (d === null ? null : d));
}

function refOf(v: unknown, where: string): Ref {
  // Keras 2: [layer, node, tensor, kwargs]; Keras 3: a keras_history [layer, node, tensor]
  if (!Array.isArray(v) || v.length < 3 || typeof v[0] !== 'string' || !Number.isInteger(v[1]) || !Number.isInteger(v[2]) || v[1] < 0 || v[2] < 0) {
    throw new TypeError(`${where}: a tensor reference must be [layer, node, tensor], got ${show(v)}`);
  }
  return { layer: v[0], node: v[1], tensor: v[2] };
}

/** The tensors a Keras 3 inbound node's args name (keras tensors, possibly inside lists). */
function kerasTensors(v: unknown, where: string, out: Ref[], depth = 0): void {
  if (depth > 8 || out.length > 4096) throw new RangeError(`${where}: inbound node arguments nest too deep`);
  if (Array.isArray(v)) { for (const x of v) kerasTensors(x, where, out, depth + 1); return; }
  if (isObj(v) && v.class_name === '__keras_tensor__') {
    if (!isObj(v.config)) throw new TypeError(`${where}: a keras tensor without config`);
    out.push(refOf(v.config.keras_history, where));
  }
}

function inboundOf(node: unknown, where: string): Ref[] {
  if (Array.isArray(node)) {
    if (node.length > 4096) throw new RangeError(`${where}: ${node.length} inputs`);
    return node.map((r, i) => refOf(r, `${where}[${i}]`));
  }
  if (isObj(node) && 'args' in node) {
    const out: Ref[] = [];
    kerasTensors(node.args, where, out);
    return out;
  }
  throw new TypeError(`${where}: an inbound node must be a list of tensor references or { args, kwargs }, got ${show(node)}`);
}

/** Endpoints of input_layers / output_layers: [[name, node, tensor], ...] or one [name, node, tensor]. */
function endpoints(v: unknown, what: string): Ref[] {
  if (!Array.isArray(v)) throw new TypeError(`model config ${what} must be a list, got ${show(v)}`);
  if (v.length === 3 && typeof v[0] === 'string') return [refOf(v, what)];
  if (v.length > 4096) throw new RangeError(`model config ${what}: ${v.length} entries`);
  return v.map((r, i) => refOf(r, `${what}[${i}]`));
}

function layerOf(raw: unknown, i: number): Layer {
  if (!isObj(raw)) throw new TypeError(`layers[${i}] must be an object, got ${show(raw)}`);
  const cls = raw.class_name;
  if (typeof cls !== 'string' || !cls) throw new TypeError(`layers[${i}].class_name must be a string, got ${show(cls)}`);
  const config = raw.config;
  if (!isObj(config)) throw new TypeError(`layers[${i}] (${cls}): config must be an object, got ${show(config)}`);
  const name = raw.name ?? config.name;
  if (typeof name !== 'string' || !name) throw new TypeError(`layers[${i}] (${cls}): name must be a non-empty string, got ${show(name)}`);
  return { name, cls, config };
}

function parseTopology(model: Record<string, any>, problems: string[]) {
  const cls = model.class_name;
  if (cls !== 'Sequential' && cls !== 'Functional' && cls !== 'Model') {
    throw new TypeError(`modelTopology class_name ${show(cls)} is not Sequential, Functional or Model`);
  }
  // old Keras wrote a Sequential's config as the bare layer list
  const cfg = Array.isArray(model.config) ? { layers: model.config } : model.config;
  if (!isObj(cfg) || !Array.isArray(cfg.layers)) throw new TypeError(`modelTopology.config.layers must be a list, got ${show(isObj(cfg) ? cfg.layers : cfg)}`);
  if (cfg.layers.length > MAX_LAYERS) throw new RangeError(`the model has ${cfg.layers.length} layers (at most ${MAX_LAYERS})`);
  const list = cfg.layers.map(layerOf);
  const layers = new Map<string, Layer>();
  for (const l of list) {
    if (layers.has(l.name)) throw new RangeError(`two layers are named "${l.name}"`);
    layers.set(l.name, l);
  }
  const calls: Call[] = [];
  let inputs: Ref[], outputs: Ref[];
  if (cls === 'Sequential') {
    if (list.length === 0) throw new RangeError('the Sequential model has no layers');
    let prev: Ref;
    let rest = list;
    if (list[0]!.cls === 'InputLayer') { prev = { layer: list[0]!.name, node: 0, tensor: 0 }; rest = list.slice(1); }
    else {
      // a Sequential without an InputLayer: the first layer declares the input shape
      const shape = inputShapeOf(list[0]!.config) ?? (Array.isArray(cfg.build_input_shape) ? cfg.build_input_shape : undefined);
      const inName = `${list[0]!.name}_input`;
      if (layers.has(inName)) throw new RangeError(`two layers are named "${inName}"`);
      const input: Layer = { name: inName, cls: 'InputLayer', config: { batch_input_shape: shape ?? null, dtype: list[0]!.config.dtype } };
      layers.set(inName, input);
      prev = { layer: inName, node: 0, tensor: 0 };
    }
    inputs = [prev];
    for (const l of rest) {
      calls.push({ layer: l, node: 0, inputs: [prev] });
      prev = { layer: l.name, node: 0, tensor: 0 };
    }
    outputs = [prev];
  } else {
    for (const [i, raw] of (cfg.layers as unknown[]).entries()) {
      const l = list[i]!;
      const nodes = (raw as Record<string, any>).inbound_nodes ?? [];
      if (!Array.isArray(nodes)) throw new TypeError(`layer "${l.name}": inbound_nodes must be a list, got ${show(nodes)}`);
      if (nodes.length > 4096) throw new RangeError(`layer "${l.name}": ${nodes.length} inbound nodes`);
      if (l.cls === 'InputLayer') {
        if (nodes.length) problems.push(`layer "${l.name}" (InputLayer): an input layer with inbound nodes`);
        calls.push({ layer: l, node: 0, inputs: [] });
        continue;
      }
      if (nodes.length === 0) problems.push(`layer "${l.name}" (${l.cls}): has no inbound nodes (is never called)`);
      nodes.forEach((n: unknown, k: number) => {
        const ins = inboundOf(n, `layer "${l.name}" inbound node ${k}`);
        for (const r of ins) if (!layers.has(r.layer)) problems.push(`layer "${l.name}" (${l.cls}): reads unknown layer "${r.layer}"`);
        calls.push({ layer: l, node: k, inputs: ins });
      });
    }
    inputs = endpoints(cfg.input_layers, 'input_layers');
    outputs = endpoints(cfg.output_layers, 'output_layers');
    for (const r of inputs) if (layers.get(r.layer)?.cls !== 'InputLayer') problems.push(`input_layers names "${r.layer}", which is not an InputLayer`);
    for (const r of outputs) if (!layers.has(r.layer)) problems.push(`output_layers names unknown layer "${r.layer}"`);
  }
  for (const l of layers.values()) {
    if (l.cls === 'InputLayer' && !inputs.some((r) => r.layer === l.name)) problems.push(`layer "${l.name}" (InputLayer) is not the model's input`);
  }
  return { layers, calls, inputs, outputs };
}

/** Decoded weights, with an index by their last two name components for prefixed names. */
type Weights = { all: Map<string, TfjsWeight>; byTail: Map<string, string[]> };

function indexWeights(all: Map<string, TfjsWeight>): Weights {
  const byTail = new Map<string, string[]>();
  for (const k of all.keys()) {
    const parts = k.replace(/:0$/, '').split('/');
    if (parts.length < 3) continue;
    const tail = parts.slice(-2).join('/');
    (byTail.get(tail) ?? byTail.set(tail, []).get(tail)!).push(k);
  }
  return { all, byTail };
}

function findWeight(w: Weights, layer: string, param: string): TfjsWeight | undefined {
  // TF.js saves `layer/param`; converted Keras files may add `:0` or a model-name prefix
  const exact = w.all.get(`${layer}/${param}`) ?? w.all.get(`${layer}/${param}:0`);
  if (exact) return exact;
  const hits = w.byTail.get(`${layer}/${param}`) ?? [];
  if (hits.length > 1) throw new Unsupported(`weight ${param}: several weights match (${hits.slice(0, 4).join(', ')})`);
  return hits.length === 1 ? w.all.get(hits[0]!) : undefined;
}

function weightOf(all: Weights, layer: string, param: string, want: number[]): Float32Array {
  const w = findWeight(all, layer, param);
  if (!w) throw new Unsupported(`weight "${layer}/${param}" is not in the weights manifest`);
  if (w.shape.length !== want.length || w.shape.some((d, i) => d !== want[i])) {
    throw new Unsupported(`weight ${param} has shape [${w.shape.join(', ')}], the layer needs [${want.join(', ')}]`);
  }
  return w.data;
}

// --- layer handlers ------------------------------------------------------------------------------

interface Ctx {
  b: GraphBuilder;
  cfg: Record<string, any>;
  name: string;
  irName: (want: string) => string;
  ins: Val[];
  weight: (param: string, want: number[]) => Float32Array;
  /** The manifest shape of a weight of this layer, if it has one. */
  shapeOf: (param: string) => number[] | undefined;
  setWeights: (ir: string, w: LayerWeights) => void;
}
type Handler = (c: Ctx) => Val;

function one(c: Ctx, padOk = false): Val {
  if (c.ins.length !== 1) throw new Unsupported(`takes one input, got ${c.ins.length}`);
  const x = c.ins[0]!;
  if (x.pad && !padOk) throw new Unsupported('a ZeroPadding2D feeds this layer: only a convolution (or an average pool without padding of its own) can absorb one');
  return x;
}

function plain(c: Ctx, ir: string, extra: Partial<Val> = {}): Val {
  return { ir, shape: c.b.shape(ir), ...extra };
}

/**
 * A fused `activation`: an IR node after the layer's (the lowering fuses it back), named after the
 * layer when it is the layer itself (Activation, ReLU, Softmax).
 */
function activate(c: Ctx, x: Val, act: unknown, own = false): Val {
  const a = isObj(act) && typeof act.class_name === 'string' ? (act.config?.name ?? act.class_name) : act;
  const kind = typeof a === 'string' ? a.toLowerCase() : a;
  if (kind === undefined || kind === null || kind === 'linear') return x;
  if (kind === 'relu' || kind === 'relu6' || kind === 'sigmoid' || kind === 'softmax') {
    const op = kind as 'relu' | 'relu6' | 'sigmoid' | 'softmax';
    const name = c.irName(own ? c.name : `${c.name}.${op}`);
    c.b[op](x.ir, name);
    return plain(c, name);
  }
  throw new Unsupported(`activation ${show(a)} (relu, relu6, sigmoid, softmax and linear are supported)`);
}

function pair(v: unknown, what: string, dflt?: number): [number, number] {
  if ((v === undefined || v === null) && dflt !== undefined) return [dflt, dflt];
  const p = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : Array.isArray(v) && v.length === 2 ? v : undefined;
  if (!p || !p.every((d) => typeof d === 'number' && Number.isInteger(d) && d > 0 && d < 2 ** 16)) throw new Unsupported(`${what} ${show(v)} is not two positive integers`);
  return [p[0], p[1]];
}

/** TensorFlow padding of a window: 'valid' none, 'same' for ceil(in / stride) outputs, odd pixel last. */
function windowPad(pad: unknown, hw: [number, number], k: [number, number], s: [number, number], d: [number, number]): Pad4 {
  const mode = typeof pad === 'string' ? pad.toLowerCase() : pad;
  if (mode === 'valid') return [0, 0, 0, 0];
  if (mode !== 'same') throw new Unsupported(`padding ${show(pad)} ('same' and 'valid' are supported)`);
  const total = (i: 0 | 1) => Math.max((Math.ceil(hw[i] / s[i]) - 1) * s[i] + d[i] * (k[i] - 1) + 1 - hw[i], 0);
  const th = total(0), tw = total(1);
  return [th >> 1, tw >> 1, th - (th >> 1), tw - (tw >> 1)];
}

function feature(x: Val): [number, number, number, number] {
  if (x.shape.length !== 4) throw new Unsupported(`needs an [N, H, W, C] input, got [${x.shape.join(', ')}]`);
  return x.shape as [number, number, number, number];
}

/** A conv2d over `x` with its pending padding folded into the window's. */
function convNode(c: Ctx, x: Val, name: string, o: { filters: number; k: [number, number]; s: [number, number]; d: [number, number]; groups: number; padding: unknown },
  weight: Float32Array, bias: Float32Array | undefined): string {
  const [, h, w] = feature(x);
  const p = x.pad ?? [0, 0, 0, 0];
  const own = windowPad(o.padding, [h + p[0] + p[2], w + p[1] + p[3]], o.k, o.s, o.d);
  const pad = own.map((v, i) => v + p[i]!) as Pad4;
  c.b.conv2d(x.ir, { outChannels: o.filters, kernel: o.k, stride: o.s, padding: pad, dilation: o.d, groups: o.groups, bias: !!bias }, name);
  c.setWeights(name, bias ? { weight, bias } : { weight });
  return name;
}

function posIntCfg(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v >= 2 ** 24) throw new Unsupported(`${what} ${show(v)} is not a positive integer`);
  return v;
}

function strideDilation(c: Ctx): { s: [number, number]; d: [number, number] } {
  const s = pair(c.cfg.strides, 'strides', 1), d = pair(c.cfg.dilation_rate, 'dilation_rate', 1);
  if ((s[0] > 1 || s[1] > 1) && (d[0] > 1 || d[1] > 1)) throw new Unsupported('strides > 1 together with dilation_rate > 1 (Keras refuses it too)');
  return { s, d };
}

function conv2d(c: Ctx): Val {
  const x = one(c, true);
  const [, , , cin] = feature(x);
  const filters = posIntCfg(c.cfg.filters, 'filters');
  const k = pair(c.cfg.kernel_size, 'kernel_size');
  const { s, d } = strideDilation(c);
  const groups = c.cfg.groups === undefined || c.cfg.groups === null ? 1 : posIntCfg(c.cfg.groups, 'groups');
  if (cin % groups || filters % groups) throw new Unsupported(`groups ${groups} does not divide ${cin} input and ${filters} output channels`);
  const weight = c.weight('kernel', [k[0], k[1], cin / groups, filters]);
  const bias = c.cfg.use_bias === false ? undefined : c.weight('bias', [filters]);
  const name = convNode(c, x, c.irName(c.name), { filters, k, s, d, groups, padding: c.cfg.padding }, weight, bias);
  return activate(c, plain(c, name), c.cfg.activation);
}

function depthwise(c: Ctx): Val {
  const x = one(c, true);
  const [, , , ch] = feature(x);
  const m = c.cfg.depth_multiplier === undefined ? 1 : posIntCfg(c.cfg.depth_multiplier, 'depth_multiplier');
  const k = pair(c.cfg.kernel_size, 'kernel_size');
  const { s, d } = strideDilation(c);
  // [kh, kw, C, M] is the IR's [kh][kw][1][C * M] with output channel c * M + m, as TF orders it
  const weight = c.weight('depthwise_kernel', [k[0], k[1], ch, m]);
  const bias = c.cfg.use_bias === false ? undefined : c.weight('bias', [ch * m]);
  const name = convNode(c, x, c.irName(c.name), { filters: ch * m, k, s, d, groups: ch, padding: c.cfg.padding }, weight, bias);
  return activate(c, plain(c, name), c.cfg.activation);
}

function separable(c: Ctx): Val {
  const x = one(c, true);
  const [, , , ch] = feature(x);
  // tfjs-layers leaves depth_multiplier out of a SeparableConv2D's config: the kernel has it
  const ks = c.shapeOf('depthwise_kernel');
  const m = c.cfg.depth_multiplier === undefined ? (ks?.length === 4 ? posIntCfg(ks[3], 'depthwise_kernel multiplier') : 1)
    : posIntCfg(c.cfg.depth_multiplier, 'depth_multiplier');
  const filters = posIntCfg(c.cfg.filters, 'filters');
  const k = pair(c.cfg.kernel_size, 'kernel_size');
  const { s, d } = strideDilation(c);
  const dw = c.weight('depthwise_kernel', [k[0], k[1], ch, m]);
  const pw = c.weight('pointwise_kernel', [1, 1, ch * m, filters]);
  const bias = c.cfg.use_bias === false ? undefined : c.weight('bias', [filters]);
  const dn = convNode(c, x, c.irName(`${c.name}.depthwise`), { filters: ch * m, k, s, d, groups: ch, padding: c.cfg.padding }, dw, undefined);
  const pn = convNode(c, plain(c, dn), c.irName(c.name), { filters, k: [1, 1], s: [1, 1], d: [1, 1], groups: 1, padding: 'valid' }, pw, bias);
  return activate(c, plain(c, pn), c.cfg.activation);
}

function batchNorm(c: Ctx): Val {
  const x = one(c);
  const r = x.shape.length;
  const axis = Array.isArray(c.cfg.axis) && c.cfg.axis.length === 1 ? c.cfg.axis[0] : c.cfg.axis ?? -1;
  if (axis !== -1 && axis !== r - 1) throw new Unsupported(`axis ${show(c.cfg.axis)}: batch norm over the last (channel) axis is supported`);
  if (c.cfg.renorm === true) throw new Unsupported('renorm = true');
  const eps = c.cfg.epsilon ?? 1e-3;
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) throw new Unsupported(`epsilon ${show(eps)} must be a positive number`);
  const ch = x.shape[r - 1]!;
  const gamma = c.cfg.scale === false ? new Float32Array(ch).fill(1) : c.weight('gamma', [ch]);
  const beta = c.cfg.center === false ? new Float32Array(ch) : c.weight('beta', [ch]);
  const mean = c.weight('moving_mean', [ch]);
  const variance = c.weight('moving_variance', [ch]);
  for (let i = 0; i < ch; i++) if (!(variance[i]! >= 0)) throw new RangeError(`moving_variance[${i}] is ${variance[i]}; a variance must be >= 0`);
  const name = c.irName(c.name);
  c.b.batchnorm(x.ir, { eps }, name);
  c.setWeights(name, { gamma, beta, mean, variance });
  return plain(c, name);
}

function activation(c: Ctx): Val {
  const x = one(c);
  return activate(c, x, c.cfg.activation, true);
}

function relu(c: Ctx): Val {
  const x = one(c);
  const slope = c.cfg.negative_slope ?? c.cfg.alpha ?? 0, threshold = c.cfg.threshold ?? 0, max = c.cfg.max_value ?? null;
  if (threshold !== 0) throw new Unsupported(`threshold ${show(threshold)} (a thresholded ReLU is not supported)`);
  if (slope !== 0) {
    if (typeof slope !== 'number' || !Number.isFinite(slope)) throw new Unsupported(`negative_slope ${show(slope)}`);
    if (max !== null) throw new Unsupported(`negative_slope with max_value ${show(max)}`);
    return leaky(c, x, slope);
  }
  if (max !== null && max !== 6) throw new Unsupported(`max_value ${show(max)} (none and 6 are supported)`);
  return activate(c, x, max === 6 ? 'relu6' : 'relu', true);
}

function leaky(c: Ctx, x: Val, alpha: number): Val {
  if (x.pad) throw new Unsupported('a ZeroPadding2D feeds this layer');
  const name = c.irName(c.name);
  c.b.leakyRelu(x.ir, { alpha }, name);
  return plain(c, name);
}

/** Keras LeakyReLU: `alpha` (Keras 2, default 0.3) or `negative_slope` (Keras 3, default 0.3). */
function leakyReluLayer(c: Ctx): Val {
  const alpha = c.cfg.negative_slope ?? c.cfg.alpha ?? 0.3;
  if (typeof alpha !== 'number' || !Number.isFinite(alpha)) throw new Unsupported(`alpha ${show(alpha)}`);
  return leaky(c, one(c), alpha);
}

function softmaxLayer(c: Ctx): Val {
  const x = one(c);
  const axis = Array.isArray(c.cfg.axis) && c.cfg.axis.length === 1 ? c.cfg.axis[0] : c.cfg.axis ?? -1;
  if (axis !== -1 && axis !== x.shape.length - 1) throw new Unsupported(`axis ${show(c.cfg.axis)}: softmax over the last axis is supported`);
  return activate(c, x, 'softmax', true);
}

function zeroPad(c: Ctx): Val {
  const x = one(c, true);
  feature(x);
  const p = c.cfg.padding ?? 1;
  const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < 2 ** 16;
  let t: number, bt: number, l: number, r: number;
  if (int(p)) t = bt = l = r = p;
  else if (Array.isArray(p) && p.length === 2 && int(p[0]) && int(p[1])) { t = bt = p[0]; l = r = p[1]; }
  else if (Array.isArray(p) && p.length === 2 && Array.isArray(p[0]) && Array.isArray(p[1]) && p[0].length === 2 && p[1].length === 2 && [...p[0], ...p[1]].every(int)) {
    [t, bt] = p[0]; [l, r] = p[1];
  } else throw new Unsupported(`padding ${show(p)} (an integer, [rows, cols] or [[top, bottom], [left, right]])`);
  const prev = x.pad ?? [0, 0, 0, 0];
  return { ...x, pad: [prev[0] + t!, prev[1] + l!, prev[2] + bt!, prev[3] + r!] };
}

function pool(kind: 'maxpool' | 'avgpool'): Handler {
  return (c) => {
    const x = one(c, kind === 'avgpool');
    const [, h, w] = feature(x);
    const k = pair(c.cfg.pool_size, 'pool_size', 2);
    const s = c.cfg.strides === undefined || c.cfg.strides === null ? k : pair(c.cfg.strides, 'strides');
    let pad = windowPad(c.cfg.padding ?? 'valid', [h, w], k, s, [1, 1]);
    // TF's average excludes the cells its own 'same' padding adds
    let countIncludePad = false;
    if (x.pad) {
      // zeros a ZeroPadding2D wrote are real cells every window counts: exact only when the pool
      // adds no (uncounted) padding of its own; the window is then laid over the padded map
      const p = x.pad;
      pad = windowPad(c.cfg.padding ?? 'valid', [h + p[0] + p[2], w + p[1] + p[3]], k, s, [1, 1]);
      if (pad.some((v) => v > 0)) throw new Unsupported("a ZeroPadding2D feeds this average pool, whose own 'same' padding is not counted: the two cannot be combined");
      pad = p;
      countIncludePad = true;
    }
    const name = c.irName(c.name);
    const o = { kernel: k, stride: s, padding: pad, ceil: false, countIncludePad };
    if (kind === 'maxpool') c.b.maxpool(x.ir, o, name); else c.b.avgpool(x.ir, o, name);
    return plain(c, name);
  };
}

function globalMaxPool(c: Ctx): Val {
  return globalPool(c, 'max');
}

function globalAvgPool(c: Ctx): Val {
  return globalPool(c, 'avg');
}

function globalPool(c: Ctx, kind: 'avg' | 'max'): Val {
  const x = one(c);
  feature(x);
  const gap = c.irName(c.name);
  if (kind === 'avg') c.b.globalAvgPool(x.ir, gap); else c.b.globalMaxPool(x.ir, gap);
  if (c.cfg.keepdims === true) return plain(c, gap);
  const name = c.irName(`${c.name}.flatten`);
  c.b.flatten(gap, name);
  return plain(c, name, { unflat: gap });
}

function add(c: Ctx): Val {
  if (c.ins.length < 2) throw new Unsupported(`needs at least two inputs, got ${c.ins.length}`);
  if (c.ins.some((v) => v.pad)) throw new Unsupported('a ZeroPadding2D feeds this Add');
  let acc = c.ins[0]!;
  for (let i = 1; i < c.ins.length; i++) {
    const name = c.irName(i === c.ins.length - 1 ? c.name : `${c.name}.${i}`);
    c.b.add(acc.ir, c.ins[i]!.ir, name);
    acc = plain(c, name);
  }
  return acc;
}

function concat(c: Ctx): Val {
  if (c.ins.length < 1) throw new Unsupported('has no inputs');
  if (c.ins.some((v) => v.pad)) throw new Unsupported('a ZeroPadding2D feeds this Concatenate');
  const r = c.ins[0]!.shape.length;
  const axis = c.cfg.axis ?? -1;
  if (axis !== -1 && axis !== r - 1) throw new Unsupported(`axis ${show(axis)}: concatenation along the last (channel) axis is supported`);
  const name = c.irName(c.name);
  c.b.concat(c.ins.map((v) => v.ir), name);
  return plain(c, name);
}

function dense(c: Ctx): Val {
  const x = one(c);
  if (x.shape.length !== 2) throw new Unsupported(`input is [${x.shape.join(', ')}]; Dense on [N, features] is supported (Flatten first)`);
  const units = posIntCfg(c.cfg.units, 'units');
  const weight = c.weight('kernel', [x.shape[1]!, units]);
  const bias = c.cfg.use_bias === false ? undefined : c.weight('bias', [units]);
  const name = c.irName(c.name);
  c.b.fc(x.ir, { outFeatures: units, bias: !!bias }, name);
  c.setWeights(name, bias ? { weight, bias } : { weight });
  return activate(c, plain(c, name), c.cfg.activation);
}

function flattenTo2(c: Ctx, x: Val): Val {
  if (x.shape.length === 2) return x;
  const [, h, w] = feature(x);
  const name = c.irName(c.name);
  c.b.flatten(x.ir, name);
  // NHWC flatten, as Keras's: no permutation of the Dense rows after it
  return plain(c, name, h === 1 && w === 1 ? { unflat: x.ir } : {});
}

function flatten(c: Ctx): Val { return flattenTo2(c, one(c)); }

function reshape(c: Ctx): Val {
  const x = one(c);
  const t = c.cfg.target_shape;
  if (!Array.isArray(t) || t.length > 8 || !t.every((d) => d === -1 || d === null || (typeof d === 'number' && Number.isInteger(d) && d > 0))) {
    throw new Unsupported(`target_shape ${show(t)} is not a list of positive sizes (one may be -1)`);
  }
  const per = x.shape.slice(1).reduce((a, d) => a * d, 1);
  const free = t.filter((d) => d === -1 || d === null).length;
  const known = t.reduce((a: number, d) => (d === -1 || d === null ? a : a * d), 1);
  if (free > 1 || (free === 1 ? per % known !== 0 : known !== per)) throw new Unsupported(`cannot reshape [${x.shape.slice(1).join(', ')}] to ${show(t)}`);
  const dims: number[] = t.map((d) => (d === -1 || d === null ? per / known : d));
  if (dims.length === x.shape.length - 1 && dims.every((d, i) => d === x.shape[i + 1])) return x;
  if (dims.length === 1) return flattenTo2(c, x);
  // [N, C] back to [N, 1, 1, C] (Keras MobileNet's head): the map the flatten came from
  if (x.unflat !== undefined && dims.length === 3 && dims[0] === 1 && dims[1] === 1) return plain(c, x.unflat);
  throw new Unsupported(`Reshape [${x.shape.slice(1).join(', ')}] -> [${dims.join(', ')}] (only a flatten or an identity is supported)`);
}

const identity: Handler = (c) => one(c, true);

const HANDLERS: Record<string, Handler> = {
  Conv2D: conv2d, Convolution2D: conv2d, DepthwiseConv2D: depthwise, SeparableConv2D: separable, SeparableConvolution2D: separable,
  BatchNormalization: batchNorm, Activation: activation, ReLU: relu, Softmax: softmaxLayer, ZeroPadding2D: zeroPad,
  MaxPooling2D: pool('maxpool'), MaxPool2D: pool('maxpool'), AveragePooling2D: pool('avgpool'), AvgPool2D: pool('avgpool'),
  GlobalAveragePooling2D: globalAvgPool, GlobalAvgPool2D: globalAvgPool, GlobalMaxPooling2D: globalMaxPool, GlobalMaxPool2D: globalMaxPool,
  LeakyReLU: leakyReluLayer, Add: add, Concatenate: concat, Dense: dense,
  Flatten: flatten, Reshape: reshape, Dropout: identity, SpatialDropout2D: identity,
};

/** The Keras layer classes this importer understands (others are listed in its error). */
export const TFJS_IMPORT_LAYERS: readonly string[] = Object.freeze(['InputLayer', ...Object.keys(HANDLERS)].sort());
