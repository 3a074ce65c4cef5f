// TF.js LayersModel import: models built and saved by @tensorflow/tfjs-layers itself (MobileNet,
// Inception, ResNet and separable-conv styles, random weights and batch-norm statistics, odd
// sizes for TF's asymmetric 'same' padding) import and match tfjs's own predict; so do their
// Keras 3 config shapes and uint8 / float16 quantized shards (against tfjs on the dequantized
// weights); loadModel reads model.json + shard from a folder and from bytes; unsupported layers
// come back in one error; bad shards and hostile JSON get clear TypeError / RangeError, fast.
// Tolerance: max |diff| / max |reference| <= 1e-4.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compile } from '../dist/index.js';
import { importTfjsLayers, loadModel, ModelImportError, TFJS_IMPORT_LAYERS } from '../dist/import/index.js';
import { decodeWeights } from '../dist/tfjs/weights.js';
import { mulberry32 } from './reference/rng.mjs';

// tfjs greets Node users on import; keep the test output clean
const log = console.log, warn = console.warn;
console.log = console.warn = () => {};
const tf = await import('@tensorflow/tfjs-core');
await import('@tensorflow/tfjs-backend-cpu');
const tfl = await import('@tensorflow/tfjs-layers');
await tf.setBackend('cpu');
console.log = log; console.warn = warn;

const rel = (y, ref) => {
  let d = 0, m = 0;
  for (let i = 0; i < ref.length; i++) { d = Math.max(d, Math.abs(y[i] - ref[i])); m = Math.max(m, Math.abs(ref[i])); }
  assert.ok(m > 1e-6, 'reference is not all zeros');
  return d / m;
};

/** Random weights (fan-in scaled) and batch-norm statistics, so no layer is an identity. */
function randomize(model, seed) {
  const ws = model.weights.map((w, i) => {
    const shape = w.shape;
    const n = w.originalName ?? w.name;
    if (/moving_variance/.test(n)) return tf.randomUniform(shape, 0.5, 1.5, 'float32', seed + i);
    if (/moving_mean|beta|bias/.test(n)) return tf.randomUniform(shape, -0.3, 0.3, 'float32', seed + i);
    if (/gamma/.test(n)) return tf.randomUniform(shape, 0.6, 1.4, 'float32', seed + i);
    const fanIn = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    return tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn), 'float32', seed + i);
  });
  model.setWeights(ws);
}

/** model.save through an in-memory handler: { modelJson, data } as a model.json and its one shard. */
async function save(model) {
  let art;
  await model.save(tf.io.withSaveHandler(async (a) => { art = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const parts = Array.isArray(art.weightData) ? art.weightData : [art.weightData];
  const data = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let off = 0;
  for (const p of parts) { data.set(new Uint8Array(p), off); off += p.byteLength; }
  return {
    modelJson: {
      format: 'layers-model', generatedBy: 'TensorFlow.js tfjs-layers v4.22.0', convertedBy: null,
      modelTopology: art.modelTopology,
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: art.weightSpecs }],
    },
    data: data.buffer,
  };
}

function inputFor(model, seed) {
  const shape = [1, ...model.inputs[0].shape.slice(1)];
  const rng = mulberry32(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, x: Float32Array.from({ length: n }, () => 2 * rng() - 1) };
}

async function ours(imported, x) {
  const net = await compile(imported.graph, { weights: imported.weights });
  try { return net.run(x); } finally { net.dispose(); }
}

/** Imports `saved`, runs it and tfjs `model` on one input, returns the relative difference. */
async function compare(model, saved, seed = 7) {
  const { shape, x } = inputFor(model, seed);
  const ref = model.predict(tf.tensor(x, shape)).dataSync();
  const imp = importTfjsLayers(saved.modelJson, saved.data);
  assert.equal(imp.input.shape, shape);
  assert.is(imp.input.layout, shape.length === 4 ? 'nhwc' : 'nc');
  assert.is(imp.meta.format, 'tfjs');
  const y = await ours(imp, x);
  assert.is(y.length, ref.length);
  return rel(y, ref);
}

// --- the four model styles ---------------------------------------------------------------------

function mobilenetStyle() {
  const inp = tfl.input({ shape: [17, 17, 3] });
  let x = tfl.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: 'conv1_pad' }).apply(inp);
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, name: 'conv1' }).apply(x);
  x = tfl.layers.batchNormalization({ name: 'conv1_bn' }).apply(x);
  x = tfl.layers.reLU({ maxValue: 6, name: 'conv1_relu' }).apply(x);
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'dw1' }).apply(x);
  x = tfl.layers.batchNormalization({ name: 'dw1_bn' }).apply(x);
  x = tfl.layers.reLU({ maxValue: 6, name: 'dw1_relu' }).apply(x);
  x = tfl.layers.conv2d({ filters: 16, kernelSize: 1, useBias: false, name: 'pw1' }).apply(x);
  x = tfl.layers.batchNormalization({ name: 'pw1_bn' }).apply(x);
  x = tfl.layers.reLU({ maxValue: 6, name: 'pw1_relu' }).apply(x);
  // depth multiplier 2, stride 2 'same' on an odd map: the odd padding pixel bottom / right
  x = tfl.layers.zeroPadding2d({ padding: 1, name: 'dw2_pad' }).apply(x);
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, padding: 'valid', activation: 'relu6', name: 'dw2' }).apply(x);
  x = tfl.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', name: 'dw3' }).apply(x);
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x);
  x = tfl.layers.dense({ units: 5, activation: 'softmax', name: 'predictions' }).apply(x);
  return tfl.model({ inputs: inp, outputs: x, name: 'mobilenet_style' });
}

function inceptionStyle() {
  const inp = tfl.input({ shape: [15, 15, 8] });
  const b1 = tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu', name: 'b1' }).apply(inp);
  const b2 = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'b2' }).apply(inp);
  const b2d = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', dilationRate: 2, name: 'b2_dilated' }).apply(b2);
  let b3 = tfl.layers.averagePooling2d({ poolSize: 3, strides: 1, padding: 'same', name: 'b3_pool' }).apply(inp);
  b3 = tfl.layers.conv2d({ filters: 5, kernelSize: 1, name: 'b3' }).apply(b3);
  const m1 = tfl.layers.concatenate({ axis: -1, name: 'mixed1' }).apply([b1, b2d, b3]);
  const p = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'pool_same' }).apply(m1);
  const c = tfl.layers.conv2d({ filters: 4, kernelSize: [3, 2], strides: 2, padding: 'same', activation: 'sigmoid', name: 'c_s2' }).apply(m1);
  let x = tfl.layers.concatenate({ axis: 3, name: 'mixed2' }).apply([p, c]);
  x = tfl.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same', name: 'avg_same_odd' }).apply(x);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'max_valid' }).apply(x);
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x);
  x = tfl.layers.dense({ units: 6, name: 'logits' }).apply(x);
  return tfl.model({ inputs: inp, outputs: x, name: 'inception_style' });
}

function resnetStyle() {
  const inp = tfl.input({ shape: [12, 12, 8] });
  let x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', name: 'res_conv1' }).apply(inp);
  x = tfl.layers.batchNormalization({ epsilon: 1e-5, name: 'res_bn1' }).apply(x);
  x = tfl.layers.activation({ activation: 'relu', name: 'res_relu1' }).apply(x);
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'res_conv2' }).apply(x);
  x = tfl.layers.batchNormalization({ center: false, scale: false, name: 'res_bn2' }).apply(x);
  const side = tfl.layers.conv2d({ filters: 8, kernelSize: 1, name: 'side' }).apply(inp);
  x = tfl.layers.add({ name: 'res_add' }).apply([x, inp, side]);
  x = tfl.layers.activation({ activation: 'relu', name: 'res_out' }).apply(x);
  x = tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }).apply(x);
  x = tfl.layers.flatten({ name: 'flatten' }).apply(x);
  x = tfl.layers.dense({ units: 10, name: 'fc' }).apply(x);
  x = tfl.layers.batchNormalization({ name: 'fc_bn' }).apply(x);
  return tfl.model({ inputs: inp, outputs: x, name: 'resnet_style' });
}

function separableStyle() {
  const m = tfl.sequential({ name: 'separable_style' });
  m.add(tfl.layers.separableConv2d({ inputShape: [10, 10, 4], filters: 8, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu', name: 'sep1' }));
  m.add(tfl.layers.dropout({ rate: 0.3, name: 'drop' }));
  m.add(tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'valid', name: 'sep2' }));
  m.add(tfl.layers.reshape({ targetShape: [4 * 4 * 6], name: 'as_flatten' }));
  m.add(tfl.layers.dense({ units: 4, activation: 'sigmoid', name: 'out' }));
  return m;
}

/** Keras MobileNet's head: GAP -> Reshape (1, 1, C) -> Dropout -> 1x1 conv -> Reshape (classes) -> softmax. */
function kerasHead() {
  const inp = tfl.input({ shape: [6, 6, 5] });
  let x = tfl.layers.conv2d({ filters: 7, kernelSize: 3, padding: 'same', activation: 'relu', name: 'body' }).apply(inp);
  x = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(x);
  x = tfl.layers.reshape({ targetShape: [1, 1, 7], name: 'reshape_1' }).apply(x);
  x = tfl.layers.dropout({ rate: 0.1, name: 'dropout' }).apply(x);
  x = tfl.layers.conv2d({ filters: 9, kernelSize: 1, padding: 'same', name: 'conv_preds' }).apply(x);
  x = tfl.layers.reshape({ targetShape: [9], name: 'reshape_2' }).apply(x);
  x = tfl.layers.activation({ activation: 'softmax', name: 'predictions' }).apply(x);
  return tfl.model({ inputs: inp, outputs: x, name: 'keras_head' });
}

const STYLES = { mobilenetStyle, inceptionStyle, resnetStyle, separableStyle, kerasHead };
const built = {};
async function get(name) {
  if (!built[name]) {
    const model = STYLES[name]();
    randomize(model, 100 + Object.keys(built).length * 50);
    built[name] = { model, saved: await save(model) };
  }
  return built[name];
}

for (const name of Object.keys(STYLES)) {
  test(`${name}: imports and matches tfjs predict`, async () => {
    const { model, saved } = await get(name);
    const d = await compare(model, saved);
    assert.ok(d <= 1e-4, `${name}: ${d}`);
  });
}

test('the IR mirrors the layers: padding folded into the conv, fused activations, NHWC flatten', async () => {
  const { saved } = await get('mobilenetStyle');
  const imp = importTfjsLayers(saved.modelJson, saved.data);
  const byName = new Map(imp.graph.nodes.map((n) => [n.name, n]));
  assert.equal(byName.get('conv1').pad, [0, 0, 1, 1]);
  assert.is(byName.get('dw2').groups, 16);
  assert.is(byName.get('dw2').outChannels, 32);
  assert.is(byName.get('dw2.relu6').op, 'relu6');
  assert.is(byName.get('conv1_relu').op, 'relu6');
  assert.equal(byName.get('dw3').pad, [0, 0, 1, 1]); // 5x5, stride 2, 'same': the odd pixel at the bottom / right
  assert.ok(!imp.graph.nodes.some((n) => /pad/.test(n.name)), 'no node for a ZeroPadding2D');
  assert.equal(imp.outputs, [{ name: 'predictions', shape: [1, 5] }]);
  const inc = await get('inceptionStyle');
  const p = importTfjsLayers(inc.saved.modelJson, inc.saved.data).graph.nodes.find((n) => n.name === 'b3_pool');
  assert.is(p.countIncludePad, false);
  assert.ok(TFJS_IMPORT_LAYERS.includes('SeparableConv2D') && TFJS_IMPORT_LAYERS.includes('GlobalMaxPooling2D') && !TFJS_IMPORT_LAYERS.includes('PReLU'));
});

test('batch option: a null batch dimension takes the requested size', async () => {
  const { model, saved } = await get('resnetStyle');
  const imp = importTfjsLayers(saved.modelJson, saved.data, { batch: 3 });
  assert.equal(imp.input.shape, [3, 12, 12, 8]);
  const { x } = inputFor(model, 1);
  const x3 = new Float32Array(x.length * 3);
  for (let i = 0; i < 3; i++) x3.set(x, i * x.length);
  const y = await ours(imp, x3);
  const ref = model.predict(tf.tensor(x, [1, 12, 12, 8])).dataSync();
  for (let i = 0; i < 3; i++) assert.ok(rel(y.subarray(i * ref.length, (i + 1) * ref.length), ref) <= 1e-4);
});

// --- Keras 3 config shapes -----------------------------------------------------------------------

/** A Keras 2 (TF.js) Functional topology rewritten the way Keras 3 serializes it. */
function toKeras3(topology) {
  const t = structuredClone(topology);
  const shapes = new Map();
  const cfg = t.config;
  const tensor = ([layer, node, index]) => ({ class_name: '__keras_tensor__', config: { shape: shapes.get(layer) ?? null, dtype: 'float32', keras_history: [layer, node, index] } });
  cfg.layers = cfg.layers.map((l) => {
    const config = { ...l.config };
    if (l.class_name === 'InputLayer') {
      config.batch_shape = config.batch_input_shape;
      delete config.batch_input_shape;
      shapes.set(l.name, config.batch_shape);
    }
    config.dtype = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const inbound = l.inbound_nodes.map((node) => {
      const ts = node.map(tensor);
      return { args: ts.length === 1 ? ts : [ts], kwargs: {} };
    });
    return { module: 'keras.layers', class_name: l.class_name, config, registered_name: null, name: l.name, inbound_nodes: inbound };
  });
  cfg.input_layers = cfg.input_layers.length === 1 ? cfg.input_layers[0] : cfg.input_layers;
  t.class_name = 'Functional';
  return { keras_version: '3.4.1', backend: 'tensorflow', model_config: { module: 'keras.src.models.functional', ...t, registered_name: 'Functional' } };
}

test('Keras 3 config shapes (wrapped inbound nodes, batch_shape, dtype policies) import the same', async () => {
  for (const name of ['mobilenetStyle', 'inceptionStyle', 'resnetStyle']) {
    const { model, saved } = await get(name);
    const k3 = { ...saved, modelJson: { ...saved.modelJson, modelTopology: toKeras3(saved.modelJson.modelTopology) } };
    const d = await compare(model, k3);
    assert.ok(d <= 1e-4, `${name}: ${d}`);
  }
});

test('a Keras 2 Sequential without an InputLayer and with layers out of order imports', async () => {
  const { model, saved } = await get('separableStyle');
  const topo = saved.modelJson.modelTopology;
  assert.is(topo.class_name, 'Sequential');
  assert.ok(topo.config.layers[0].config.batch_input_shape, 'first layer declares the input');
  const inc = await get('inceptionStyle');
  const shuffled = structuredClone(inc.saved.modelJson);
  shuffled.modelTopology.config.layers.reverse();
  const { shape, x } = inputFor(inc.model, 3);
  const y = await ours(importTfjsLayers(shuffled, inc.saved.data), x);
  assert.ok(rel(y, inc.model.predict(tf.tensor(x, shape)).dataSync()) <= 1e-4);
  void model;
});

// --- quantized shards ----------------------------------------------------------------------------

function toHalf(v) {
  const u = new Uint32Array(Float32Array.of(v).buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  let e = ((u >>> 23) & 0xff) - 112;
  let m = u & 0x7fffff;
  if (e <= 0) {
    if (e < -10) return sign;
    m |= 0x800000;
    const shift = 14 - e;
    let hm = m >>> shift;
    const rem = m & ((1 << shift) - 1), half = 1 << (shift - 1);
    if (rem > half || (rem === half && (hm & 1))) hm++;
    return sign | hm;
  }
  if (e >= 31) return sign | 0x7c00;
  let hm = m >>> 13;
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (hm & 1))) { hm++; if (hm === 0x400) { hm = 0; e++; if (e >= 31) return sign | 0x7c00; } }
  return sign | (e << 10) | hm;
}

/** Quantizes every float32 weight as tfjs-converter does (affine uint8 / uint16 per tensor, or float16). */
function quantize(saved, dtype) {
  const specs = saved.modelJson.weightsManifest[0].weights;
  const src = new Uint8Array(saved.data);
  const chunks = [];
  let off = 0;
  const out = specs.map((s) => {
    const n = s.shape.reduce((a, b) => a * b, 1);
    const v = new Float32Array(src.slice(off, off + 4 * n).buffer);
    off += 4 * n;
    if (dtype === 'float16') {
      chunks.push(new Uint8Array(Uint16Array.from(v, toHalf).buffer));
      return { ...s, quantization: { dtype } };
    }
    const qmax = dtype === 'uint8' ? 255 : 65535;
    const min = Math.min(...v), max = Math.max(...v);
    const scale = max > min ? (max - min) / qmax : 1;
    const q = (dtype === 'uint8' ? Uint8Array : Uint16Array).from(v, (x) => Math.min(qmax, Math.max(0, Math.round((x - min) / scale))));
    chunks.push(new Uint8Array(q.buffer));
    return { ...s, quantization: { dtype, scale, min } };
  });
  const data = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
  off = 0;
  for (const c of chunks) { data.set(c, off); off += c.length; }
  const modelJson = structuredClone(saved.modelJson);
  modelJson.weightsManifest[0].weights = out;
  return { modelJson, data: data.buffer };
}

for (const dtype of ['uint8', 'uint16', 'float16']) {
  test(`${dtype}-quantized shards decode as tf.io.decodeWeights and match tfjs on the dequantized weights`, async () => {
    for (const name of ['mobilenetStyle', 'resnetStyle']) {
      const { model, saved } = await get(name);
      const q = quantize(saved, dtype);
      const specs = q.modelJson.weightsManifest[0].weights;
      const theirs = tf.io.decodeWeights(q.data, specs);
      const mine = decodeWeights(q.modelJson.weightsManifest, new Uint8Array(q.data));
      for (const s of specs) {
        const a = mine.get(s.name).data, b = theirs[s.name].dataSync();
        assert.is(a.length, b.length);
        for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) assert.unreachable(`${name} ${s.name}[${i}]: ${a[i]} vs tfjs ${b[i]}`);
      }
      const clone = STYLES[name]();
      clone.setWeights(model.weights.map((w) => theirs[w.originalName ?? w.name] ?? theirs[w.name]));
      const d = await compare(clone, q);
      assert.ok(d <= 1e-4, `${name} ${dtype}: ${d}`);
    }
  });
}

// --- loadModel -----------------------------------------------------------------------------------

test('loadModel: a model.json path (shard next to it), its bytes with shards, and a parsed object', async () => {
  const { model, saved } = await get('inceptionStyle');
  const { shape, x } = inputFor(model, 5);
  const ref = model.predict(tf.tensor(x, shape)).dataSync();
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-tfjs-'));
  try {
    writeFileSync(join(dir, 'model.json'), JSON.stringify(saved.modelJson));
    writeFileSync(join(dir, 'group1-shard1of1.bin'), new Uint8Array(saved.data));
    const a = await loadModel(join(dir, 'model.json'));
    assert.ok(rel(await ours(a, x), ref) <= 1e-4);
    assert.is(a.graph.name, 'model');
    const b = await loadModel({ modelJson: new TextEncoder().encode(JSON.stringify(saved.modelJson)), weights: [saved.data] });
    assert.ok(rel(await ours(b, x), ref) <= 1e-4);
    const c = await loadModel({ modelJson: saved.modelJson, weights: saved.data });
    assert.ok(rel(await ours(c, x), ref) <= 1e-4);
    // bytes of a model.json alone: its shards cannot be found
    await loadModel(new TextEncoder().encode(JSON.stringify(saved.modelJson))).then(() => assert.unreachable(), (e) => {
      assert.instance(e, TypeError);
      assert.match(e.message, /weight shards/);
    });
    // a shard path that climbs out of the folder, or is absolute
    for (const p of ['../secret.bin', '/etc/passwd', 'http://example.com/x.bin', 'sub/../../x.bin']) {
      const evil = structuredClone(saved.modelJson);
      evil.weightsManifest[0].paths = [p];
      writeFileSync(join(dir, 'evil.json'), JSON.stringify(evil));
      await loadModel(join(dir, 'evil.json')).then(() => assert.unreachable(p), (e) => {
        assert.instance(e, RangeError, p);
        assert.match(e.message, /next to the model/);
      });
    }
    const missing = structuredClone(saved.modelJson);
    missing.weightsManifest[0].paths = ['nope.bin'];
    writeFileSync(join(dir, 'missing.json'), JSON.stringify(missing));
    await loadModel(join(dir, 'missing.json')).then(() => assert.unreachable(), (e) => assert.match(e.message, /nope\.bin/));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- errors --------------------------------------------------------------------------------------

test('LeakyReLU, ReLU with negative_slope, GlobalMaxPooling2D: imported and equal to tfjs', async () => {
  const inp = tfl.input({ shape: [9, 9, 3] });
  let x = tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', name: 'c1' }).apply(inp);
  x = tfl.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }).apply(x);
  const r = tfl.layers.reLU({ name: 'neg' }).apply(tfl.layers.conv2d({ filters: 6, kernelSize: 1, name: 'c2' }).apply(x));
  const a = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(x);
  const b = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(r);
  const out = tfl.layers.dense({ units: 4, name: 'fc' }).apply(tfl.layers.concatenate({ name: 'cat' }).apply([a, b]));
  const m = tfl.model({ inputs: inp, outputs: out });
  randomize(m, 5);
  const saved = await save(m);
  assert.ok((await compare(m, saved)) <= 1e-4);
  // tfjs-layers saves only max_value of a ReLU; Keras also writes negative_slope: a leaky ReLU then
  saved.modelJson.modelTopology.config.layers.find((l) => l.name === 'neg').config.negative_slope = 0.1;
  const imp = importTfjsLayers(saved.modelJson, saved.data);
  assert.ok(imp.graph.nodes.some((n) => n.name === 'neg' && n.op === 'leakyrelu' && Math.abs(n.alpha - 0.1) < 1e-9));
});

test('unsupported layers: one ModelImportError naming every one', async () => {
  const inp = tfl.input({ shape: [8, 8, 3] });
  const ok = tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'ok_conv' }).apply(inp);
  const x = tfl.layers.prelu({ name: 'leaky' }).apply(ok);
  const y = tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'cf_conv' }).apply(x);
  const z = tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'tanh', name: 'tanh_conv' }).apply(inp);
  const r = tfl.layers.reLU({ name: 'leaky_relu' }).apply(inp);
  const g1 = tfl.layers.globalMaxPooling2d({ name: 'gmp' }).apply(ok);
  const g4 = tfl.layers.globalAveragePooling2d({ name: 'gap4' }).apply(y);
  const g2 = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(z);
  const g3 = tfl.layers.globalAveragePooling2d({ name: 'gap3' }).apply(r);
  const out = tfl.layers.concatenate({ name: 'cat' }).apply([g1, g2, g3, g4]);
  const m = tfl.model({ inputs: inp, outputs: out });
  const saved = await save(m);
  const layer = saved.modelJson.modelTopology.config.layers.find((l) => l.name === 'cf_conv');
  layer.config.data_format = 'channels_first';
  // tfjs-layers saves only max_value of a ReLU; Keras saves threshold too
  saved.modelJson.modelTopology.config.layers.find((l) => l.name === 'leaky_relu').config.threshold = 0.5;
  try {
    importTfjsLayers(saved.modelJson, saved.data);
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, ModelImportError);
    assert.instance(e, RangeError);
    for (const want of ['"leaky" (PReLU)', '"tanh_conv" (Conv2D): activation "tanh"', '"leaky_relu" (ReLU): threshold']) {
      assert.ok(e.message.includes(want), `${want} in ${e.message}`);
    }
    // cf_conv reads the unsupported PReLU: reported once its input is fixed
    assert.is(e.problems.length, 3, e.message);
  }
  // with the PReLU gone the layers behind it are reported too
  const fixed = structuredClone(saved.modelJson);
  fixed.modelTopology.config.layers.find((l) => l.name === 'leaky').class_name = 'Dropout';
  const fixedCfg = fixed.modelTopology.config.layers.find((l) => l.name === 'tanh_conv').config;
  fixedCfg.activation = 'relu';
  fixed.modelTopology.config.layers.find((l) => l.name === 'leaky_relu').config.threshold = 0;
  try {
    importTfjsLayers(fixed, saved.data);
    assert.unreachable('imported');
  } catch (e) {
    assert.instance(e, ModelImportError);
    assert.ok(e.message.includes('"cf_conv" (Conv2D): data_format "channels_first"'), e.message);
    assert.is(e.problems.length, 1, e.message);
  }
});

test('a zero padding before a max pool, a Reshape that is not a flatten, axis-1 concat: refused by name', async () => {
  const m = tfl.sequential();
  m.add(tfl.layers.zeroPadding2d({ inputShape: [6, 6, 2], padding: 1, name: 'zp' }));
  m.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'mp' }));
  m.add(tfl.layers.reshape({ targetShape: [4, 16], name: 'rs' }));
  const saved = await save(m);
  assert.throws(() => importTfjsLayers(saved.modelJson, saved.data), (e) => e instanceof ModelImportError && /"mp" \(MaxPooling2D\): a ZeroPadding2D/.test(e.message));
  const inp = tfl.input({ shape: [4, 4, 2] });
  const cat = tfl.layers.concatenate({ axis: 1, name: 'cat_h' }).apply([inp, inp]);
  const s2 = await save(tfl.model({ inputs: inp, outputs: cat }));
  assert.throws(() => importTfjsLayers(s2.modelJson, s2.data), (e) => e instanceof ModelImportError && /"cat_h" \(Concatenate\): axis 1/.test(e.message));
});

test('a GraphModel gets a clear error from importTfjsLayers and loadModel', async () => {
  const gm = { format: 'graph-model', modelTopology: { node: [{ name: 'x', op: 'Placeholder' }], library: {}, versions: {} }, weightsManifest: [] };
  assert.throws(() => importTfjsLayers(gm, []), (e) => e instanceof ModelImportError && /GraphModel/.test(e.message));
  await loadModel({ modelJson: JSON.stringify(gm), weights: [] }).then(() => assert.unreachable(), (e) => {
    assert.instance(e, ModelImportError);
    assert.match(e.message, /GraphModel .*not supported yet/);
  });
  await loadModel(new TextEncoder().encode(JSON.stringify(gm))).then(() => assert.unreachable(), (e) => assert.match(e.message, /GraphModel/));
});

test('bad weight data: truncated, extra bytes, NaN, wrong shapes, hostile shapes — clear errors, fast', async () => {
  const { saved } = await get('resnetStyle');
  const bytes = new Uint8Array(saved.data);
  const t0 = performance.now();
  const expect = (json, data, re, cls = RangeError) => {
    try { importTfjsLayers(json, data); assert.unreachable(`imported (${re})`); } catch (e) {
      if (e.name === 'Assertion') throw e;
      assert.instance(e, cls, e.message);
      assert.match(e.message, re);
    }
  };
  expect(saved.modelJson, bytes.slice(0, bytes.length - 3), /truncated/);
  expect(saved.modelJson, [bytes.slice(0, 100)], /truncated/);
  const extra = new Uint8Array(bytes.length + 8); extra.set(bytes);
  expect(saved.modelJson, extra, /extra/);
  const nan = bytes.slice(); new DataView(nan.buffer).setFloat32(8, NaN, true);
  expect(saved.modelJson, nan, /NaN; weights must be finite/);
  const inf = bytes.slice(); new DataView(inf.buffer).setFloat32(0, -Infinity, true);
  expect(saved.modelJson, inf, /-Infinity/);
  // two shards joined in manifest order are the same as one
  const split = importTfjsLayers(saved.modelJson, [bytes.slice(0, 1000).buffer, bytes.slice(1000).buffer]);
  assert.ok(split.weights.size > 0);
  const wrong = structuredClone(saved.modelJson);
  const spec = wrong.weightsManifest[0].weights.find((w) => w.name === 'res_conv1/kernel');
  const other = wrong.weightsManifest[0].weights.find((w) => w.name === 'res_conv2/kernel');
  spec.shape = [3, 3, 8, 4]; other.shape = [3, 3, 8, 12]; // same byte count, wrong shapes
  expect(wrong, bytes, /"res_conv1" \(Conv2D\): weight kernel has shape \[3, 3, 8, 4\], the layer needs \[3, 3, 8, 8\]/, ModelImportError);
  const missing = structuredClone(saved.modelJson);
  missing.weightsManifest[0].weights.find((w) => w.name === 'res_bn1/moving_variance').name = 'elsewhere/moving_variance';
  expect(missing, bytes, /"res_bn1" \(BatchNormalization\): weight "res_bn1\/moving_variance" is not in the weights manifest/, ModelImportError);
  for (const shape of [[1e9, 1e9], [2 ** 31, 2 ** 31, 2 ** 31], [-1, 3], [1.5], 'big', Array(100).fill(2)]) {
    const h = structuredClone(saved.modelJson);
    h.weightsManifest[0].weights[0].shape = shape;
    try { importTfjsLayers(h, bytes); assert.unreachable(JSON.stringify(shape)); } catch (e) {
      assert.ok(e instanceof TypeError || e instanceof RangeError, `${JSON.stringify(shape)}: ${e}`);
      assert.match(e.message, /res_conv1\/kernel/);
    }
  }
  for (const q of [{ dtype: 'uint8' }, { dtype: 'uint8', scale: NaN, min: 0 }, { dtype: 'int4', scale: 1, min: 0 }, 'x']) {
    const h = structuredClone(saved.modelJson);
    h.weightsManifest[0].weights[0].quantization = q;
    assert.throws(() => importTfjsLayers(h, bytes), (e) => (e instanceof TypeError || e instanceof RangeError) && /res_conv1\/kernel/.test(e.message));
  }
  const hugeInput = structuredClone(saved.modelJson);
  hugeInput.modelTopology.config.layers[0].config.batch_input_shape = [null, 1e6, 1e6, 8];
  expect(hugeInput, bytes, /input shape/, ModelImportError);
  const dyn = structuredClone(saved.modelJson);
  dyn.modelTopology.config.layers[0].config.batch_input_shape = [null, null, null, 8];
  expect(dyn, bytes, /dynamic dimension/, ModelImportError);
  expect('{"modelTopology": ', bytes, /not valid JSON/, TypeError);
  expect({ modelTopology: { class_name: 'Nope', config: {} } }, [], /class_name/, TypeError);
  expect(null, [], /must be an object/, TypeError);
  expect(saved.modelJson, 'bytes', /ArrayBuffer/, TypeError);
  assert.ok(performance.now() - t0 < 5000, `${(performance.now() - t0).toFixed(0)} ms`);
});

test('fuzz: 1,000 mutated model.json texts, structures and shards never crash or hang', async () => {
  const { saved } = await get('inceptionStyle');
  const text = JSON.stringify(saved.modelJson);
  const bytes = new Uint8Array(saved.data);
  const rng = mulberry32(1234);
  const rnd = (n) => Math.floor(rng() * n);
  const junk = [null, 0, -1, 1e308, 2 ** 31, 1.5, '', 'same', 'channels_first', [], [0], [[1, 2], [3]], {}, { class_name: '__keras_tensor__' }, true, NaN];
  /** Every [object, key] of a parsed value. */
  const slots = (v, out = []) => {
    if (v && typeof v === 'object') for (const k of Object.keys(v)) { out.push([v, k]); slots(v[k], out); }
    return out;
  };
  let accepted = 0, rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    let json, data = bytes;
    const kind = i % 4;
    if (kind === 0) {
      const s = text.split('');
      for (let e = 1 + rnd(3); e > 0; e--) {
        const at = rnd(s.length);
        const k = rnd(3);
        if (k === 0) s[at] = '{}[],:"0-9aeE.'[rnd(15)];
        else if (k === 1) s.splice(at, 1 + rnd(6));
        else s.splice(at, 0, '0123456789-,'[rnd(12)]);
      }
      json = s.join('');
    } else if (kind === 1 || kind === 2) {
      json = JSON.parse(text);
      const all = slots(json);
      for (let e = 1 + rnd(3); e > 0; e--) {
        const [o, k] = all[rnd(all.length)];
        o[k] = structuredClone(junk[rnd(junk.length)]);
      }
    } else {
      json = text;
      const b = bytes.slice(0, rnd(3) === 0 ? rnd(bytes.length) : bytes.length);
      for (let e = rnd(4); e > 0; e--) new DataView(b.buffer).setFloat32(4 * rnd(b.length >> 2), [NaN, Infinity, 1e38, -0][rnd(4)], true);
      data = b;
    }
    try {
      const m = importTfjsLayers(json, data);
      accepted++;
      assert.ok(m.graph.nodes.length > 1);
    } catch (e) {
      assert.ok(e instanceof TypeError || e instanceof RangeError, `mutation ${i}: ${e?.constructor?.name}: ${e?.message}`);
      rejected++;
    }
  }
  const ms = performance.now() - t0;
  assert.ok(rejected > 300 && ms < 30000, `${accepted} accepted, ${rejected} rejected in ${ms.toFixed(0)} ms`);
});

test.run();
