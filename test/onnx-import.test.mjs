// ONNX import: zoo networks covering every kind of layer in the zoo round-trip through toONNX -> importONNX; real torch.onnx.export
// files of the torchvision families (random weights, reduced resolution where the model allows, opsets 9, 13, the
// exporter's default 14, and 17) import and match both PyTorch's own output and ONNX Runtime's;
// unsupported models get one error listing every problem; malformed and hostile files get clear
// errors, fast. Tolerance: max |diff| / max |reference| <= 1e-4 (measured 3e-7 .. 3e-6).
// PyTorch is a test dependency (.ci/run installs it): without it this file fails.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, compile, randomWeights, MODELS, GraphBuilder, cost } from '../dist/index.js';
import { toONNX, importONNX, ModelImportError } from '../dist/onnx/index.js';
import { modelProto } from '../dist/onnx/schema.js';
import { mulberry32, randomArray } from './reference/rng.mjs';

const PYTHON = process.env.SIMDNET_PYTHON ?? '/usr/bin/python3';
const EXPORT = fileURLToPath(new URL('./pytorch/export_onnx.py', import.meta.url));
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

const rel = (y, ref) => {
  let d = 0, m = 0;
  for (let i = 0; i < ref.length; i++) { d = Math.max(d, Math.abs(y[i] - ref[i])); m = Math.max(m, Math.abs(ref[i])); }
  assert.ok(m > 1e-6, 'reference is not all zeros');
  return d / m;
};

const roundTripResolution = (name) => (name === 'inception-v2' ? 128 : name.startsWith('inception') || name.startsWith('alexnet') ? 75
  : name === 'mobilenet-v1' ? 128 : 64);

/**
 * What the exporter and importer see of a layer: its op and attributes, widths left out (so a
 * deeper sibling of a network, the same layers repeated, adds nothing), groups as dense /
 * depthwise / grouped, and whether its input is a map or a vector.
 */
function layerKinds(g) {
  const byName = new Map(g.nodes.map((n) => [n.name, n]));
  return new Set(g.nodes.map(({ name: _n, inputs, outShape: _o, outChannels: _c, outFeatures: _f, start, end, groups, ...attrs }) => {
    const cin = byName.get(inputs[0])?.outShape.at(-1);
    const grouping = groups === undefined ? undefined : groups === 1 ? 'dense' : groups === cin ? 'depthwise' : 'grouped';
    const rank = byName.get(inputs[0])?.outShape.length;
    return JSON.stringify({ ...attrs, grouping, rank, slice: start === undefined ? undefined : start === 0 ? 'head' : 'tail', inputs: inputs.length });
  }));
}

test('the zoo round-trips: toONNX -> importONNX -> compile gives the zoo net\'s output, for networks covering every kind of layer in the zoo', async () => {
  // smallest first, each network kept when it has a kind of layer the kept ones lack: every
  // op, attribute combination and grouping of the whole zoo goes through the exporter and the
  // importer, without serialising SENet-154's 115 M weights to prove what ResNeXt-50's prove
  const all = MODELS.map((m) => {
    const g = buildModel(m.name, { resolution: roundTripResolution(m.name) });
    return { name: m.name, g, kinds: layerKinds(g), size: cost.analyze(g).params };
  }).sort((a, b) => a.size - b.size);
  const seen = new Set(), kept = [];
  for (const m of all) if ([...m.kinds].some((k) => !seen.has(k))) { kept.push(m); m.kinds.forEach((k) => seen.add(k)); }
  const everyKind = new Set(all.flatMap((m) => [...m.kinds]));
  assert.is(seen.size, everyKind.size);
  assert.ok(kept.length >= 15, `${kept.length} networks kept: ${kept.map((m) => m.name)}`);
  for (const { name, g } of kept) {
    const w = randomWeights(g, 3);
    const imp = importONNX(toONNX(g, w));
    assert.equal(imp.input.shape, g.nodes[0].outShape, name);
    assert.is(imp.input.layout, 'nchw');
    const a = await compile(g, { weights: w }), b = await compile(imp.graph, { weights: imp.weights });
    const x = randomArray(mulberry32(2), a.inputShape.reduce((p, q) => p * q, 1));
    const d = rel(b.run(x), a.run(x));
    a.dispose(); b.dispose();
    assert.ok(d <= 1e-5, `${name}: ${d}`);
  }
});

/** Exports torchvision models with PyTorch; returns { dir, read(name) -> { bytes, x, y, xShape } }. */
function torchExport(opset, specs) {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-onnx-'));
  const r = spawnSync(PYTHON, [EXPORT, dir, String(opset), ...specs], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`torch.onnx.export failed (${PYTHON}; install python3-torch python3-torchvision): ${r.error?.message ?? r.stderr.slice(-2000)}`);
  }
  return {
    dir,
    read(name) {
      const io = readFileSync(join(dir, `${name}.io.bin`));
      const nl = io.indexOf(10);
      const h = JSON.parse(io.subarray(0, nl).toString());
      const f = new Float32Array(io.buffer.slice(io.byteOffset + nl + 1));
      const n = h.input.reduce((a, b) => a * b, 1);
      return { bytes: readFileSync(join(dir, `${name}.onnx`)), x: f.subarray(0, n), y: f.subarray(n), xShape: h.input };
    },
    done() { rmSync(dir, { recursive: true, force: true }); },
  };
}

async function checkTorch(opset, specs) {
  const ex = torchExport(opset, specs);
  try {
    for (const spec of specs) {
      const name = spec.split(':')[0];
      const { bytes, x, y, xShape } = ex.read(name);
      const imp = importONNX(bytes);
      assert.equal(imp.input.fileShape, xShape, name);
      const net = await compile(imp.graph, { weights: imp.weights });
      const ours = net.run(x, { layout: 'nchw' });
      net.dispose();
      const vsTorch = rel(ours, y);
      const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const r = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x, xShape) });
      const theirs = r[session.outputNames[0]].data;
      await session.release();
      const vsOrt = rel(ours, theirs);
      assert.ok(vsTorch <= 1e-4 && vsOrt <= 1e-4, `${name} (opset ${opset}): vs PyTorch ${vsTorch.toExponential(2)}, vs ONNX Runtime ${vsOrt.toExponential(2)}`);
      assert.is(imp.meta.opset, opset === 'default' ? imp.meta.opset : opset);
    }
  } finally {
    ex.done();
  }
}

test('torch.onnx.export, opset 13: alexnet, resnet18, googlenet, inception_v3, resnext50_32x4d, wide_resnet50_2', async () => {
  await checkTorch(13, ['alexnet:224', 'resnet18:64', 'googlenet:64', 'inception_v3:80', 'resnext50_32x4d:64', 'wide_resnet50_2:32']);
});

test('torch.onnx.export, opset 13: mobilenet_v2, squeezenet1_0, squeezenet1_1, densenet121, mnasnet0_5', async () => {
  await checkTorch(13, ['mobilenet_v2:64', 'squeezenet1_0:64', 'squeezenet1_1:64', 'densenet121:64', 'mnasnet0_5:64']);
});

test('torch.onnx.export at the exporter\'s default opset (14), opset 9 (Clip bounds as attributes) and 17', async () => {
  await checkTorch('default', ['resnet18:64', 'mobilenet_v2:64', 'densenet121:64']);
  await checkTorch(9, ['mobilenet_v2:64', 'squeezenet1_1:64', 'googlenet:64']);
  await checkTorch(17, ['mobilenet_v2:64', 'inception_v3:80']);
});

// --- hand-made models: what the importer refuses, and how ---------------------------------------

/** An ONNX model from plain objects: nodes, initializers { name, dims, data (Float32Array) }, input dims. */
function onnxModel({ nodes, inits = [], input = [1, 3, 8, 8], output = 'y', opset = 13, raw } = {}) {
  const type = modelProto();
  const tensor = (t) => ({ name: t.name, dims: t.dims, dataType: 1, rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength) });
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } });
  const model = raw ?? {
    irVersion: 7, opsetImport: [{ domain: '', version: opset }], producerName: 'test',
    graph: {
      name: 'g', node: nodes.map((n) => ({ attribute: [], ...n })), initializer: inits.map(tensor),
      input: [vi('x', input)], output: [vi(output, [1])],
    },
  };
  return type.encode(type.fromObject(model)).finish();
}

const w = (name, dims) => ({ name, dims, data: randomArray(mulberry32(3), dims.reduce((a, b) => a * b, 1)) });

test('unsupported ops and attributes: one error listing every problem with its node', () => {
  const bytes = onnxModel({
    nodes: [
      { name: 'c', opType: 'Conv', input: ['x', 'W'], output: ['a'] },
      { name: 'erf', opType: 'Erf', input: ['a'], output: ['b'] },
      { name: 'up', opType: 'Resize', input: ['a'], output: ['p'] },
      { name: 'after', opType: 'Relu', input: ['b'], output: ['q'] }, // downstream of a problem: not reported again
      { name: 'pool', opType: 'MaxPool', input: ['a'], output: ['m'], attribute: [{ name: 'kernel_shape', type: 7, ints: [2, 2] }, { name: 'dilations', type: 7, ints: [2, 2] }] },
      { name: 'sm', opType: 'Softmax', input: ['a'], output: ['y'], attribute: [{ name: 'axis', type: 2, i: 3 }] },
    ],
    inits: [w('W', [4, 3, 3, 3])],
  });
  let err;
  try { importONNX(bytes); } catch (e) { err = e; }
  assert.ok(err instanceof ModelImportError && err instanceof RangeError, String(err));
  assert.is(err.problems.length, 4, err.message);
  assert.match(err.message, /node "erf" \(Erf\): operator Erf is not supported/);
  assert.match(err.message, /node "up" \(Resize\): operator Resize is not supported/);
  assert.match(err.message, /node "pool" \(MaxPool\): dilations \[2,2\]/);
  assert.match(err.message, /node "sm" \(Softmax\): axis 3 of a rank-4 input/);
  assert.not.match(err.message, /"after"/);
});

test('dynamic shapes, several inputs or outputs, other opsets: named errors', () => {
  const relu = [{ name: 'r', opType: 'Relu', input: ['x'], output: ['y'] }];
  const cases = [
    [{ nodes: relu, input: [1, 3, 'H', 'W'] }, /input "x" dimension 2 is dynamic \(H\)/],
    [{ nodes: relu, opset: 5 }, /opset 5 is not supported \(7-21\)/],
    [{ nodes: relu, opset: 22 }, /opset 22 is not supported/],
    [{ nodes: relu, input: [1, 3, 8] }, /input "x" has rank 3/],
    [{ nodes: [{ name: 'r', opType: 'Relu', input: ['nope'], output: ['y'] }] }, /node "r" \(Relu\): input "nope" is not produced before this node/],
    [{ nodes: relu, output: 'z' }, /output "z" is never produced/],
  ];
  for (const [m, pattern] of cases) {
    assert.throws(() => importONNX(onnxModel(m)), (e) => e instanceof RangeError && pattern.test(e.message), String(pattern));
  }
  // a symbolic batch takes options.batch
  const imp = importONNX(onnxModel({ nodes: relu, input: ['N', 3, 8, 8] }), { batch: 4 });
  assert.equal(imp.input.shape, [4, 8, 8, 3]);
});

test('malformed and hostile files: clear errors, fast, nothing half-built', () => {
  const good = toONNX(smallNet(), randomWeights(smallNet(), 1));
  const t0 = performance.now();
  const rejects = (bytes, pattern) => assert.throws(() => importONNX(bytes), (e) => (e instanceof TypeError || e instanceof RangeError) && pattern.test(e.message), String(pattern));
  rejects(new Uint8Array(0), /no graph/);
  rejects(new TextEncoder().encode('{"modelTopology": {}}'), /not an ONNX model/);
  rejects(good.subarray(0, good.length >> 1), /not an ONNX model|problem|bytes|values/);
  rejects(new Uint8Array([0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f]), /not an ONNX model/); // graph field claiming 4 GB
  assert.throws(() => importONNX(null), TypeError);
  assert.throws(() => importONNX(good, { batch: 0 }), RangeError);
  // a tensor whose dims claim 10 GB in a tiny file, one that overflows, NaN weights, negative dims
  const conv = [{ name: 'c', opType: 'Conv', input: ['x', 'W'], output: ['y'] }];
  const claim = (dims, data = new Float32Array(4)) => onnxModel({ nodes: conv, inits: [{ name: 'W', dims, data }] });
  rejects(claim([50000, 50000, 1, 1]), /more than this importer accepts/);
  rejects(claim([2 ** 40, 2 ** 40, 3, 3]), /more than this importer accepts|safe integer/);
  rejects(claim([1, 3, 3, 3]), /needs 108 bytes, the file has 16/);
  const nan = w('W', [2, 3, 3, 3]); nan.data[5] = NaN;
  rejects(onnxModel({ nodes: conv, inits: [nan] }), /weight\[5\] is NaN; weights must be finite/);
  rejects(onnxModel({ nodes: conv, inits: [{ name: 'W', dims: [-2, 3, 3, 3], data: new Float32Array(0) }] }), /negative|integer/);
  assert.ok(performance.now() - t0 < 2000, 'all of it in well under a second or two');
});

test('float16 and double initializers, and external data next to the file (loadModel from a path)', async () => {
  const { loadModel } = await import('../dist/import/index.js');
  const { writeFileSync } = await import('node:fs');
  const type = modelProto();
  const W = randomArray(mulberry32(5), 4 * 3 * 3 * 3);
  const half = new Uint16Array(W.length);
  const f16 = (v) => { // float32 -> float16 bits, round to nearest (values here are normal and small)
    const f = new Float32Array([v]), u = new Uint32Array(f.buffer)[0];
    const sign = (u >>> 16) & 0x8000, e = ((u >>> 23) & 0xff) - 127 + 15, m = u & 0x7fffff;
    if (e <= 0) return sign;
    return sign | (e << 10) | ((m + 0x1000) >> 13);
  };
  for (let i = 0; i < W.length; i++) half[i] = f16(W[i]);
  const bias = Float64Array.from([0.1, -0.2, 0.3, -0.4]);
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = (init) => type.encode(type.fromObject({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'ext', input: [vi('x', [1, 3, 6, 6])], output: [vi('y', [1, 4, 4, 4])], initializer: init,
      node: [{ name: 'c', opType: 'Conv', input: ['x', 'W', 'B'], output: ['y'], attribute: [] }],
    },
  })).finish();
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-ext-'));
  try {
    const wBytes = new Uint8Array(half.buffer), bBytes = new Uint8Array(bias.buffer);
    const blob = new Uint8Array(wBytes.length + bBytes.length);
    blob.set(wBytes, 0); blob.set(bBytes, wBytes.length);
    writeFileSync(join(dir, 'weights.onnx.data'), blob);
    const ext = (name, dims, dataType, offset, length) => ({ name, dims, dataType, dataLocation: 1,
      externalData: [{ key: 'location', value: 'weights.onnx.data' }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }] });
    writeFileSync(join(dir, 'm.onnx'), model([ext('W', [4, 3, 3, 3], 10, 0, wBytes.length), ext('B', [4], 11, wBytes.length, bBytes.length)]));
    const imp = await loadModel(join(dir, 'm.onnx'));
    const conv = imp.weights.get('c');
    // float16 keeps ~3 decimal digits; the double bias converts exactly to float32 here
    let maxErr = 0;
    for (let o = 0; o < 4; o++) for (let c = 0; c < 3; c++) for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) {
      const oihw = ((o * 3 + c) * 3 + y) * 3 + x, hwio = ((y * 3 + x) * 3 + c) * 4 + o;
      maxErr = Math.max(maxErr, Math.abs(conv.weight[hwio] - W[oihw]));
    }
    assert.ok(maxErr < 2e-3, `float16 weights within 2e-3, got ${maxErr}`);
    assert.equal(Array.from(conv.bias), Array.from(Float32Array.from(bias)));
    // bytes without a resolver, a location outside the folder, a range past the file: named errors
    assert.throws(() => importONNX(readFileSync(join(dir, 'm.onnx'))), /external file "weights.onnx.data"/);
    writeFileSync(join(dir, 'evil.onnx'), model([{ ...ext('W', [4, 3, 3, 3], 10, 0, wBytes.length), externalData: [{ key: 'location', value: '../../etc/passwd' }] }, ext('B', [4], 11, wBytes.length, bBytes.length)]));
    let err;
    try { await loadModel(join(dir, 'evil.onnx')); } catch (e) { err = e; }
    assert.ok(err && /must be a file next to the model/.test(err.message), String(err));
    writeFileSync(join(dir, 'long.onnx'), model([ext('W', [4, 3, 3, 3], 10, 100, wBytes.length), ext('B', [4], 11, wBytes.length, bBytes.length)]));
    err = undefined;
    try { await loadModel(join(dir, 'long.onnx')); } catch (e) { err = e; }
    assert.ok(err && /lies outside "weights.onnx.data"/.test(err.message), String(err));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function smallNet() {
  const b = new GraphBuilder('small');
  let x = b.input([1, 9, 9, 3]);
  x = b.relu(b.batchnorm(b.conv2d(x, { outChannels: 4, kernel: 3, padding: 1 }, 'c1'), {}, 'bn'), 'r1');
  x = b.maxpool(x, { kernel: 3, stride: 2, ceil: true }, 'mp');
  const y = b.avgpool(x, { kernel: 3, stride: 1, padding: 1 }, 'ap');
  x = b.concat([x, b.sigmoid(y, 'gate')], 'cat');
  x = b.flatten(x, 'flat');
  return b.output(b.softmax(b.fc(x, { outFeatures: 5 }, 'fc'), 'prob'));
}

test('fuzz: 4,000 mutated models (flipped, inserted, deleted bytes, truncations) never crash, hang or trap', () => {
  const g = smallNet();
  const good = toONNX(g, randomWeights(g, 2));
  const rng = mulberry32(99);
  const rnd = (n) => Math.floor(rng() * n);
  let accepted = 0, rejected = 0;
  const t0 = performance.now();
  for (let i = 0; i < 4000; i++) {
    const b = Array.from(good);
    const edits = 1 + rnd(4);
    for (let e = 0; e < edits; e++) {
      const at = rnd(b.length);
      const kind = rnd(4);
      if (kind === 0) b[at] = rnd(256);
      else if (kind === 1) b.splice(at, 0, rnd(256));
      else if (kind === 2) b.splice(at, 1 + rnd(8));
      else b.length = Math.max(1, at);
    }
    try {
      const m = importONNX(Uint8Array.from(b));
      accepted++;
      assert.ok(m.graph.nodes.length > 0);
    } catch (e) {
      assert.ok(e instanceof TypeError || e instanceof RangeError, `mutation ${i}: ${e?.constructor?.name}: ${e?.message}`);
      rejected++;
    }
  }
  assert.ok(rejected > 1000 && performance.now() - t0 < 60000, `${accepted} accepted, ${rejected} rejected in ${(performance.now() - t0).toFixed(0)} ms`);
});

test.run();
