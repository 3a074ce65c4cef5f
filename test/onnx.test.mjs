// toONNX (src/onnx/): the bytes decode back, against a schema parsed here from onnx.proto's own
// text (not the JSON descriptor the exporter encodes with), into the model we meant; and ONNX
// Runtime Web, an engine we did not write, runs them to the naive reference executor's result
// (max |ort - ref| / max |ref| <= 1e-4) on small graphs that reach every op and every pooling /
// LRN special case, and on zoo networks at reduced resolution.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import protobuf from 'protobufjs';
import { GraphBuilder, buildModel, randomWeights } from '../dist/index.js';
import { toONNX } from '../dist/onnx/index.js';
import { runGraph } from './reference/graph.mjs';
import { relDiff } from './reference/close.mjs';
import { nhwcToNchw } from './reference/ops.mjs';
import { mulberry32, randomArray } from './reference/rng.mjs';
import { POOLS, opsNet, poolNet, smallNet } from './reference/nets.mjs';

// The messages of onnx/onnx.proto (proto2, package onnx) that an exported CNN uses, copied from
// that file; unknown fields would be skipped, so a wrong number here shows up as a missing value.
const ONNX_PROTO = `
syntax = "proto2";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; TENSORS = 9; GRAPHS = 10; }
  optional string name = 1;
  optional AttributeType type = 20;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  repeated float floats = 7;
  repeated int64 ints = 8;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  optional string domain = 7;
  repeated AttributeProto attribute = 5;
}
message ModelProto {
  optional int64 ir_version = 1;
  repeated OperatorSetIdProto opset_import = 8;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string doc_string = 6;
  optional GraphProto graph = 7;
}
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
}
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
}
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
`;
const ModelProto = protobuf.parse(ONNX_PROTO).root.lookupType('onnx.ModelProto');

/** Decoded model as plain objects: int64 as numbers, bytes as Uint8Array. */
function decode(bytes) {
  return ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, enums: String, defaults: false, oneofs: true });
}

const attrs = (node) => Object.fromEntries(node.attribute.map((a) => [a.name, a.ints ?? a.f ?? a.i ?? a.s]));
const floats = (t) => new Float32Array(t.rawData.buffer.slice(t.rawData.byteOffset, t.rawData.byteOffset + t.rawData.byteLength));
const dims = (vi) => vi.type.tensorType.shape.dim.map((d) => d.dimValue ?? d.dimParam);

test('onnx: the bytes decode back to the model: header, input/output, nodes, attributes', () => {
  const g = smallNet();
  const m = decode(toONNX(g, randomWeights(g, 1)));
  assert.is(m.irVersion, 7);
  assert.equal(m.opsetImport.map((o) => [o.domain ?? '', o.version]), [['', 13]]);
  assert.is(m.producerName, 'simdnet');
  assert.is(m.graph.name, 'small');
  assert.equal(m.graph.input.map((v) => v.name), ['input']);
  assert.equal(dims(m.graph.input[0]), [1, 3, 9, 9], 'input is NCHW');
  assert.is(m.graph.input[0].type.tensorType.elemType, 1);
  assert.equal(m.graph.output.map((v) => v.name), ['output']);
  assert.equal(dims(m.graph.output[0]), [1, 5]);
  assert.equal(m.graph.node.map((n) => n.opType),
    ['Conv', 'BatchNormalization', 'Clip', 'MaxPool', 'Transpose', 'Flatten', 'Gemm', 'Softmax']);
  const [conv, bn, clip, pool, tr, , gemm, sm] = m.graph.node;
  // 'same' on 9 with stride 2: ceil(9/2) = 5 outputs; kernel 3 rows → 2 padding rows (1 + 1),
  // kernel 2 columns → 1 padding column, the odd one after.
  assert.equal(attrs(conv), { kernel_shape: [3, 2], strides: [2, 2], pads: [1, 0, 1, 1], dilations: [1, 1], group: 1 });
  assert.equal(conv.input.slice(1), ['conv.weight', 'conv.bias']);
  assert.ok(Math.abs(attrs(bn).epsilon - 1e-3) < 1e-9);
  assert.equal(bn.input.slice(1), ['bn.weight', 'bn.bias', 'bn.running_mean', 'bn.running_var']);
  assert.is(clip.input.length, 3);
  // Ceil mode as padding: 5x5 → 3x3 needs one extra row and column at the bottom / right.
  assert.equal(attrs(pool), { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] });
  assert.equal(attrs(tr), { perm: [0, 2, 3, 1] });
  assert.is(gemm.input.length, 3);
  assert.equal(attrs(sm), { axis: -1 });
  assert.equal(sm.output, ['output']);
});

test('onnx: the graph is well formed: every input is produced earlier, names are unique', () => {
  const g = buildModel('googlenet', { resolution: 64 });
  const m = decode(toONNX(g, randomWeights(g, 1)));
  const known = new Set(['input', ...m.graph.initializer.map((t) => t.name)]);
  assert.is(known.size, m.graph.initializer.length + 1, 'initializer names are unique');
  for (const n of m.graph.node) {
    for (const i of n.input) assert.ok(known.has(i), `${n.name}: input "${i}" not produced before`);
    for (const o of n.output) {
      assert.not.ok(known.has(o), `${n.name}: output "${o}" produced twice`);
      known.add(o);
    }
  }
  assert.ok(known.has('output'));
});

test('onnx: conv weights HWIO → OIHW, fc weights stay IO, batchnorm as given', () => {
  const g = smallNet();
  const w = randomWeights(g, 3);
  const m = decode(toONNX(g, w));
  const init = new Map(m.graph.initializer.map((t) => [t.name, t]));
  const cw = init.get('conv.weight');
  assert.equal(cw.dims, [4, 3, 3, 2]);
  assert.is(cw.dataType, 1);
  const got = floats(cw);
  const hwio = w.get('conv').weight; // [3][2][3][4]
  for (let o = 0; o < 4; o++) {
    for (let i = 0; i < 3; i++) {
      for (let y = 0; y < 3; y++) {
        for (let x = 0; x < 2; x++) {
          assert.is(got[((o * 3 + i) * 3 + y) * 2 + x], hwio[((y * 2 + x) * 3 + i) * 4 + o], `conv.weight[${o}][${i}][${y}][${x}]`);
        }
      }
    }
  }
  assert.equal(init.get('fc.weight').dims, [36, 5]);
  assert.equal(floats(init.get('fc.weight')), w.get('fc').weight);
  assert.equal(floats(init.get('fc.bias')), w.get('fc').bias);
  assert.equal(floats(init.get('bn.running_var')), w.get('bn').variance);
});

test('onnx: dynamicBatch declares the batch as the symbol N', () => {
  const g = smallNet();
  const m = decode(toONNX(g, randomWeights(g, 1), { dynamicBatch: true }));
  assert.equal(dims(m.graph.input[0]), ['N', 3, 9, 9]);
  assert.equal(dims(m.graph.output[0]), ['N', 5]);
});

test('onnx: bad weights are errors that name the layer', () => {
  const g = smallNet();
  const w = randomWeights(g, 1);
  const without = new Map(w);
  without.delete('fc');
  assert.throws(() => toONNX(g, without), /layer "fc" \(fc\): no weights/);
  const short = new Map(w);
  short.set('conv', { weight: new Float32Array(5), bias: w.get('conv').bias });
  assert.throws(() => toONNX(g, short), /layer "conv" \(conv2d\): weight .* has 5 elements, expected 72/);
  const noBias = new Map(w);
  noBias.set('fc', { weight: w.get('fc').weight });
  assert.throws(() => toONNX(g, noBias), /layer "fc" \(fc\): .*bias/);
  assert.throws(() => toONNX(g, {}), /weights must be a Map/);
});

// ---------------------------------------------------------------------------------------------
// ONNX Runtime Web against the reference executor

// onnxruntime-web is a devDependency: if it does not load, the install is broken and this file
// must fail rather than report a green run without the comparisons that give it its point.
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

/** ORT's output on the exported model vs the reference executor, same weights and input. */
async function ortVsReference(g, w, { runShape, refGraph = g, opts } = {}) {
  const shape = (refGraph.nodes.find((n) => n.name === refGraph.input)).outShape;
  const x = randomArray(mulberry32(11), shape.reduce((a, b) => a * b, 1));
  const want = runGraph(refGraph, w, x).data;
  const session = await ort.InferenceSession.create(toONNX(g, w, opts), { executionProviders: ['wasm'] });
  try {
    const feedShape = runShape ?? (shape.length === 4 ? [shape[0], shape[3], shape[1], shape[2]] : shape);
    const data = shape.length === 4 ? nhwcToNchw(x, shape).data : x;
    const { output } = await session.run({ input: new ort.Tensor('float32', data, feedShape) });
    const out = refGraph.nodes.find((n) => n.name === refGraph.output).outShape;
    // A rank-4 output comes back NCHW; compare in NHWC.
    const got = out.length === 4 ? nchwToNhwc4(output.data, out) : output.data;
    assert.ok(want.some((v) => v !== 0), 'reference output is all zeros: the test would prove nothing');
    return relDiff(got, want);
  } finally {
    await session.release();
  }
}

function nchwToNhwc4(x, [n, h, w, c]) {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      for (let p = 0; p < h * w; p++) out[(b * h * w + p) * c + ch] = x[(b * c + ch) * h * w + p];
    }
  }
  return out;
}

const ZOO = [
  ['resnet-18', { resolution: 64, batch: 2 }], ['googlenet', { resolution: 64 }], ['mobilenet-v1', { resolution: 128 }],
  ['mobilenet-v2', { resolution: 64 }], ['inception-v3', { resolution: 75 }], ['alexnet-2012', { resolution: 75 }],
  ['vgg-11-bn', { resolution: 32 }],
];

for (const [op, hw, opts] of POOLS) {
  test(`onnx/ort: ${op} ${hw}x${hw} ${JSON.stringify(opts)} matches the reference`, async () => {
    const g = poolNet(op, hw, opts);
    const d = await ortVsReference(g, randomWeights(g, 2));
    assert.ok(d <= 1e-4, `relative difference ${d}`);
  });
}

test('onnx/ort: grouped, depthwise x2, dilated + strided conv, LRN 5 and 4, sigmoid, leaky ReLU, clips, scale, scale-shift, global pools, rank-2 batchnorm, concat, dropout, softmax', async () => {
  const g = opsNet();
  const d = await ortVsReference(g, randomWeights(g, 4));
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

test('onnx/ort: a rank-4 output comes back NCHW; dropout as the output gets an Identity', async () => {
  const b = new GraphBuilder('tail');
  let x = b.input([1, 5, 5, 3]);
  x = b.conv2d(x, { outChannels: 6, kernel: 3, padding: 1 }, 'conv');
  const g = b.output(b.dropout(b.relu(x, 'relu'), {}, 'drop'));
  const d = await ortVsReference(g, randomWeights(g, 5));
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

test('onnx/ort: dynamicBatch runs a batch-1 export at batch 3', async () => {
  const g1 = buildModel('resnet-18', { resolution: 32 });
  const g3 = buildModel('resnet-18', { resolution: 32, batch: 3 });
  const d = await ortVsReference(g1, randomWeights(g1, 6), { refGraph: g3, runShape: [3, 3, 32, 32], opts: { dynamicBatch: true } });
  assert.ok(d <= 1e-4, `relative difference ${d}`);
});

for (const [name, opts] of ZOO) {
  test(`onnx/ort: ${name} ${JSON.stringify(opts)} matches the reference within 1e-4`, async () => {
    const g = buildModel(name, opts);
    const d = await ortVsReference(g, randomWeights(g, 7));
    assert.ok(d <= 1e-4, `${name}: relative difference ${d}`);
  });
}

test.run();
