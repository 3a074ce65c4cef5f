// toTFLite (src/tflite/): the bytes read back, with flatbuffers' own reader and the field slots of
// TFLite's schema.fbs written out here, into the model we meant; and LiteRT.js (TFLite + XNNPACK,
// an engine we did not write) runs them to the naive reference executor's result (max |litert -
// ref| / max |ref| <= 1e-4) on small graphs that reach every op and every padding / pooling /
// LRN special case, and to simdnet's compiled result on every zoo network at reduced resolution.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteBuffer } from 'flatbuffers';
import { GraphBuilder, MODELS, buildModel, compile, randomWeights } from '../dist/index.js';
import { toTFLite, TFLITE_SIGNATURE } from '../dist/tflite/index.js';
import { runGraph } from './reference/graph.mjs';
import { relDiff } from './reference/close.mjs';
import { mulberry32, randomArray } from './reference/rng.mjs';
// @litertjs/core is a devDependency: if it does not load, the install is broken and this file
// must fail rather than pass without the comparisons that give it its point.
import { compileTFLite } from '../bench/peers/litert.mjs';
import { POOLS, opsNet, poolNet, smallNet } from './reference/nets.mjs';

// --- a reader for the parts of the schema the checks look at (slot = field position) --------
const table = (bb, pos) => ({
  field(slot) { const o = bb.__offset(pos, 4 + 2 * slot); return o ? pos + o : 0; },
  int(slot, d = 0) { const o = this.field(slot); return o ? bb.readInt32(o) : d; },
  byte(slot, d = 0) { const o = this.field(slot); return o ? bb.readInt8(o) : d; },
  float(slot, d = 0) { const o = this.field(slot); return o ? bb.readFloat32(o) : d; },
  str(slot) { const o = this.field(slot); return o ? bb.__string(o) : null; },
  sub(slot) { const o = this.field(slot); return o ? table(bb, bb.__indirect(o)) : null; },
  tables(slot) {
    const o = this.field(slot);
    if (!o) return [];
    const at = bb.__vector(o), n = bb.__vector_len(o);
    return Array.from({ length: n }, (_, i) => table(bb, bb.__indirect(at + 4 * i)));
  },
  ints(slot) {
    const o = this.field(slot);
    if (!o) return [];
    const at = bb.__vector(o), n = bb.__vector_len(o);
    return Array.from({ length: n }, (_, i) => bb.readInt32(at + 4 * i));
  },
  bytes(slot) {
    const o = this.field(slot);
    if (!o) return null;
    return { start: bb.__vector(o), length: bb.__vector_len(o) };
  },
});

function read(bytes) {
  const bb = new ByteBuffer(bytes);
  const model = table(bb, bb.readInt32(bb.position()) + bb.position());
  const sg = model.tables(2)[0];
  const codes = model.tables(1).map((c) => c.int(3));
  const ops = sg.tables(3).map((o) => ({ code: codes[o.int(0)], inputs: o.ints(1), outputs: o.ints(2), optionsType: o.byte(3), options: o.sub(4) }));
  const tensors = sg.tables(0).map((t) => ({ shape: t.ints(0), type: t.byte(1), buffer: t.int(2), name: t.str(3) }));
  return { bb, model, sg, codes, ops, tensors, buffers: model.tables(4).map((b) => b.bytes(0)) };
}

const OP = { ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 9, MAX_POOL_2D: 17, MUL: 18, RELU6: 21, RESHAPE: 22, SOFTMAX: 25, PAD: 34, MEAN: 40, PADV2: 60 };
const opName = (c) => Object.entries(OP).find(([, v]) => v === c)?.[0] ?? `op${c}`;


test('tflite: header, signature, operators with batch norm folded and ReLU6 fused, SAME where it is TF SAME', () => {
  const g = smallNet();
  const bytes = toTFLite(g, randomWeights(g, 1));
  assert.is(new TextDecoder().decode(bytes.subarray(4, 8)), 'TFL3', 'file identifier');
  const m = read(bytes);
  assert.is(m.model.int(0), 3, 'schema version');
  assert.equal(m.ops.map((o) => opName(o.code)), ['CONV_2D', 'MAX_POOL_2D', 'RESHAPE', 'FULLY_CONNECTED', 'SOFTMAX']);
  const [conv, pool] = m.ops;
  // 'same' on 9 at stride 2 is TensorFlow's SAME (odd pixel after): no PAD before the conv
  assert.is(conv.options.byte(0), 0, 'SAME');
  assert.equal([conv.options.int(1), conv.options.int(2)], [2, 2], 'strides w, h');
  assert.is(conv.options.byte(3), 3, 'fused RELU6');
  // ceil mode 5x5 -> 3x3 is one window more at the bottom / right: TensorFlow's SAME, which
  // never counts padding in a max
  assert.is(pool.options.byte(0), 0, 'SAME');
  assert.equal(m.tensors[conv.inputs[1]].shape, [4, 3, 2, 3], 'filter OHWI');
  const sig = m.model.tables(7)[0];
  assert.is(sig.str(2), TFLITE_SIGNATURE);
  assert.equal(sig.tables(0).map((t) => [t.str(0), t.int(1)]), [['input', m.sg.ints(1)[0]]]);
  assert.equal(sig.tables(1).map((t) => t.str(0)), ['output']);
  assert.equal(m.tensors[m.sg.ints(1)[0]].shape, [1, 9, 9, 3]);
  assert.equal(m.tensors[m.sg.ints(2)[0]].shape, [1, 5]);
  assert.is(m.tensors[m.sg.ints(2)[0]].name, 'output');
});

test('tflite: constant data starts on 16-byte boundaries; every operator input exists before it is read', () => {
  const g = buildModel('googlenet', { resolution: 64 });
  const m = read(toTFLite(g, randomWeights(g, 1)));
  assert.is(m.buffers[0], null, 'buffer 0 is the empty sentinel');
  let n = 0;
  for (const b of m.buffers) if (b) { assert.is(b.start % 16, 0, `buffer at ${b.start}`); n++; }
  assert.ok(n > 100);
  const known = new Set([m.sg.ints(1)[0], ...m.tensors.flatMap((t, i) => (t.buffer ? [i] : []))]);
  for (const [k, o] of m.ops.entries()) {
    for (const i of o.inputs) assert.ok(i === -1 || known.has(i), `operator ${k} (${opName(o.code)}) reads tensor ${i} before it is written`);
    for (const t of o.outputs) { assert.not.ok(known.has(t), `tensor ${t} written twice`); known.add(t); }
  }
  const names = m.tensors.map((t) => t.name);
  assert.is(new Set(names).size, names.length, 'tensor names are unique');
});

test('tflite: weights go in as OHWI / depthwise [1][kh][kw][C] / fc [out][in]', () => {
  const b = new GraphBuilder('layouts');
  let x = b.input([1, 6, 6, 3]);
  x = b.conv2d(x, { outChannels: 4, kernel: [3, 2] }, 'conv');
  x = b.dwconv(x, { kernel: 3 }, 'dw');
  x = b.fc(b.flatten(x, 'flat'), { outFeatures: 5 }, 'fc');
  const g = b.output(x);
  const w = randomWeights(g, 3);
  const m = read(toTFLite(g, w));
  const floats = (t) => {
    const buf = m.buffers[m.tensors[t].buffer];
    return new Float32Array(m.bb.bytes().slice(buf.start, buf.start + buf.length).buffer);
  };
  const [conv, dw, , fc] = m.ops;
  const got = floats(conv.inputs[1]), hwio = w.get('conv').weight; // [3][2][3][4]
  for (let o = 0; o < 4; o++) for (let y = 0; y < 3; y++) for (let xx = 0; xx < 2; xx++) for (let i = 0; i < 3; i++) {
    assert.is(got[((o * 3 + y) * 2 + xx) * 3 + i], hwio[((y * 2 + xx) * 3 + i) * 4 + o]);
  }
  assert.equal(m.tensors[dw.inputs[1]].shape, [1, 3, 3, 4]);
  assert.equal(floats(dw.inputs[1]), w.get('dw').weight);
  const k = 2 * 3 * 4;
  assert.equal(m.tensors[fc.inputs[1]].shape, [5, k]);
  const fw = floats(fc.inputs[1]), io = w.get('fc').weight;
  for (let o = 0; o < 5; o++) for (let i = 0; i < k; i++) assert.is(fw[o * k + i], io[i * 5 + o]);
});

test('tflite: bad weights and arguments are errors that name the layer', () => {
  const g = smallNet();
  const w = randomWeights(g, 1);
  const without = new Map(w);
  without.delete('fc');
  assert.throws(() => toTFLite(g, without), (e) => e instanceof TypeError && /layer "fc" \(fc\): no weights/.test(e.message));
  const short = new Map(w);
  short.set('conv', { weight: new Float32Array(5), bias: w.get('conv').bias });
  assert.throws(() => toTFLite(g, short), (e) => e instanceof RangeError && /layer "conv" \(conv2d\): weight .* has 5 elements, expected 72/.test(e.message));
  const nan = new Map(w);
  const bad = Float32Array.from(w.get('fc').weight);
  bad[7] = Number.NaN;
  nan.set('fc', { ...w.get('fc'), weight: bad });
  assert.throws(() => toTFLite(g, nan), (e) => e instanceof RangeError && /layer "fc" \(fc\): .*\[7\] is NaN/.test(e.message));
  const negVar = new Map(w);
  negVar.set('bn', { ...w.get('bn'), variance: new Float32Array(4).fill(-1) });
  assert.throws(() => toTFLite(g, negVar), (e) => e instanceof RangeError && /layer "bn" \(batchnorm\): variance\[0\]/.test(e.message));
  assert.throws(() => toTFLite(g, {}), (e) => e instanceof TypeError && /weights must be a Map/.test(e.message));
  assert.throws(() => toTFLite(null, w), (e) => e instanceof TypeError && /graph must be a Graph/.test(e.message));
  assert.throws(() => toTFLite(g, w, { description: 3 }), (e) => e instanceof TypeError && /description/.test(e.message));
});

// ---------------------------------------------------------------------------------------------
// LiteRT.js against the reference executor

async function litertVsReference(g, w) {
  const shape = g.nodes.find((n) => n.name === g.input).outShape;
  const x = randomArray(mulberry32(11), shape.reduce((a, b) => a * b, 1));
  const want = runGraph(g, w, x).data;
  assert.ok(want.some((v) => v !== 0), 'reference output is all zeros: the test would prove nothing');
  const m = await compileTFLite(toTFLite(g, w), shape);
  try {
    return relDiff(await m.run(x), want);
  } finally {
    m.dispose();
  }
}

for (const [op, hw, opts] of POOLS) {
  for (const signed of op === 'maxpool' ? [true, false] : [true]) {
    test(`tflite/litert: ${op} ${hw}x${hw} ${JSON.stringify(opts)}${signed ? ' on signed input' : ' behind a ReLU'} matches the reference`, async () => {
      const g = poolNet(op, hw, opts, signed);
      const d = await litertVsReference(g, randomWeights(g, 2));
      assert.ok(d <= 1e-4, `relative difference ${d}`);
    });
  }
}

test('tflite: a max pool on signed input pads with the lowest float (PADV2), behind a ReLU with zeros (PAD)', () => {
  const codes = (signed) => {
    const g = poolNet('maxpool', 8, { kernel: 3, stride: 2, padding: 1 }, signed);
    return read(toTFLite(g, randomWeights(g, 2))).ops.map((o) => opName(o.code));
  };
  assert.ok(codes(true).includes('PADV2'));
  assert.not.ok(codes(false).includes('PADV2'));
  assert.ok(codes(false).includes('PAD'));
});

test('tflite/litert: grouped, depthwise x2, dilated + strided conv, LRN 5 and 4, sigmoid, leaky ReLU, clips, scale, scale-shift, global pools, rank-2 batch norm, concat, softmax', async () => {
  const g = opsNet();
  const d = await litertVsReference(g, randomWeights(g, 4));
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

test('tflite/litert: channel shuffle, channel slices, squeeze-excitation multiply into the residual add, a rank-4 output', async () => {
  const b = new GraphBuilder('shuffle');
  let x = b.input([1, 7, 7, 12]);
  x = b.relu(b.conv2d(x, { outChannels: 12, kernel: 1, groups: 3 }, 'g1'), 'g1.relu');
  x = b.channelShuffle(x, { groups: 3 }, 'shuffle');
  const a = b.channelSlice(x, { start: 0, end: 8 }, 'a');
  const c = b.channelSlice(x, { start: 8, end: 12 }, 'c');
  const gate = b.sigmoid(b.conv2d(b.globalAvgPool(a, 'se.pool'), { outChannels: 8, kernel: 1 }, 'se.fc'), 'se.gate');
  const se = b.channelMul(a, gate, 'se.mul');
  const r = b.relu(b.add(se, b.conv2d(c, { outChannels: 8, kernel: 1 }, 'proj'), 'res'), 'res.relu');
  const g = b.output(b.concat([r, c], 'out'));
  const d = await litertVsReference(g, randomWeights(g, 5));
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

test('tflite/litert: batch 3 of resnet-18 at 32x32 matches the reference', async () => {
  const g = buildModel('resnet-18', { resolution: 32, batch: 3 });
  const d = await litertVsReference(g, randomWeights(g, 6));
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

// ---------------------------------------------------------------------------------------------
// Zoo networks, one or two of every family: LiteRT.js on the export against simdnet's compiled
// network. (All 46 at their full resolution: `npm run check:tflite`, minutes, not part of the
// tests; their weights, not their resolution, set the time.)

const ZOO = [
  'alexnet-2012', 'vgg-11-bn', 'googlenet', 'bvlc-googlenet', 'inception-v2', 'inception-v3', 'inception-v4', 'inception-resnet-v2',
  'resnet-18', 'mobilenet-v1', 'mobilenet-v2', 'shufflenet-g8', 'squeezenet-1.0', 'densenet-121', 'resnext-50-32x4d',
  'xception', 'se-resnext-50-32x4d', 'dpn-68',
];

test('tflite: the zoo list covers every family of the zoo', () => {
  const families = new Set(MODELS.map((m) => m.family));
  const covered = new Set(MODELS.filter((m) => ZOO.includes(m.name)).map((m) => m.family));
  assert.equal([...families].filter((f) => !covered.has(f)), []);
});

/** The smallest of a few resolutions the network builds at (its stem and pools allow). */
function smallest(name) {
  for (const r of [32, 64, 75, 96, 128]) {
    try { return buildModel(name, { resolution: r }); } catch { /* too small for this network */ }
  }
  return buildModel(name);
}

for (const name of ZOO) {
  test(`tflite/litert: ${name} at reduced resolution matches simdnet within 1e-4`, async () => {
    const g = smallest(name);
    const w = randomWeights(g, 7);
    const shape = g.nodes.find((n) => n.name === g.input).outShape;
    const x = randomArray(mulberry32(12), shape.reduce((a, b) => a * b, 1));
    const net = await compile(g, { weights: w });
    const m = await compileTFLite(toTFLite(g, w), shape);
    try {
      const want = net.run(x);
      assert.ok(want.some((v) => v !== 0));
      const d = relDiff(await m.run(x), want);
      assert.ok(d <= 1e-4, `${name} (${shape.join('x')}): relative difference ${d}`);
    } finally {
      net.dispose();
      m.dispose();
    }
  });
}

test.run();
