// LeakyReLU, clip, global max pooling and the per-channel scale-shift: kernels against the
// reference (tails, extremes), each op in a compiled network against the reference executor,
// exported to ONNX and run by ONNX Runtime, and imported from ONNX (LeakyRelu, Clip, GlobalMaxPool,
// broadcast Mul / Add / Sub / Div) — the ops ONNX models need beyond the zoo's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, createEngine, ops, randomWeights, cost, lower } from '../../dist/index.js';
import { toONNX, importONNX } from '../../dist/onnx/index.js';
import { modelProto } from '../../dist/onnx/schema.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { nhwcToNchw } from '../reference/ops.mjs';

const engine = await createEngine();
const rng = mulberry32(77);
const ort = await import('onnxruntime-web');
ort.env.wasm.numThreads = 1;
ort.env.logLevel = 'error';

test('kernels: leaky ReLU, clamp to any bounds and global max pool, every tail', () => {
  for (let n = 1; n <= 19; n++) {
    const x = randomArray(rng, n).map((v) => v * 4);
    const y = ops.leakyRelu(engine, x, 0.1).data;
    x.forEach((v, i) => assert.is(y[i], v >= 0 ? v : Math.fround(Math.fround(0.1) * v), `leaky n=${n} i=${i}`)); // alpha is a float32 in the kernel
  }
  assert.throws(() => ops.leakyRelu(engine, new Float32Array(3), NaN), RangeError);
  const p = engine.upload(Float32Array.of(-3, -0.5, 0, 0.7, 9));
  ops.runClamp(engine, 5, p, p, -1, 1);
  assert.equal(Array.from(engine.read(p, 5)), [-1, -0.5, 0, Math.fround(0.7), 1]);
  assert.throws(() => ops.runClamp(engine, 5, p, p, 1, -1), /lo <= hi/);
  engine.release(p);
  for (const [h, w, c] of [[1, 1, 1], [3, 5, 7], [7, 7, 16], [2, 9, 3]]) {
    const shape = [2, h, w, c];
    const x = randomArray(rng, 2 * h * w * c);
    const got = ops.globalMaxPool(engine, x, shape);
    const b = new GraphBuilder('g');
    const g = b.output(b.globalMaxPool(b.input(shape)));
    assert.equal(Array.from(got.data), Array.from(runGraph(g, new Map(), x).data), `${shape}`);
  }
});

/** A net with every new op, the scale-shift fused with a ReLU. */
function net() {
  const b = new GraphBuilder('new-ops');
  let x = b.input([2, 7, 7, 6]);
  x = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }, 'conv');
  x = b.leakyRelu(x, { alpha: 0.2 }, 'leaky');
  const s = b.relu(b.scaleShift(x, 'affine'), 'affine.relu');
  const c = b.clip(s, { min: -0.25, max: 0.75 }, 'clip');
  const m = b.flatten(b.globalMaxPool(c, 'gmp'), 'flat');
  return b.output(b.fc(m, { outFeatures: 5 }, 'fc'));
}

test('in a network: lowered, compiled = reference executor, costed, exported = ONNX Runtime', async () => {
  const g = net();
  assert.equal(lower(g).steps.map((s) => s.kind), ['im2col', 'leaky_relu', 'scale_shift', 'clamp', 'global_maxpool', 'gemm']);
  const w = randomWeights(g, 4);
  assert.equal(Object.keys(w.get('affine')).sort(), ['scale', 'shift']);
  const n = await compile(g, { weights: w });
  const x = randomArray(rng, 2 * 7 * 7 * 6);
  const want = runGraph(g, w, x).data;
  assert.ok(relDiff(n.run(x), want) < 1e-5);
  n.setWeights('affine', { scale: new Float32Array(8).fill(2), shift: new Float32Array(8) });
  const w2 = new Map(w); w2.set('affine', { scale: new Float32Array(8).fill(2), shift: new Float32Array(8) });
  assert.ok(relDiff(n.run(x), runGraph(g, w2, x).data) < 1e-5);
  n.dispose();
  const a = cost.analyze(g);
  assert.is(a.layers.find((l) => l.name === 'affine').params, 16);
  assert.is(a.layers.find((l) => l.name === 'gmp').otherOps, 2 * 8 * 48);
  const bytes = toONNX(g, w);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const r = await session.run({ input: new ort.Tensor('float32', nhwcToNchw(x, [2, 7, 7, 6]).data, [2, 6, 7, 7]) });
  assert.ok(relDiff(r.output.data, want) < 1e-5);
  await session.release();
  // and back: the export imports to the same network
  const imp = importONNX(bytes);
  const n2 = await compile(imp.graph, { weights: imp.weights });
  assert.ok(relDiff(n2.run(x), want) < 1e-5);
  n2.dispose();
});

test('ONNX import: LeakyRelu, Clip(-1, 1), GlobalMaxPool, broadcast Mul / Add / Sub / Div of per-channel constants', async () => {
  const type = modelProto();
  const t = (name, dims, data) => ({ name, dims, dataType: 1, rawData: new Uint8Array(Float32Array.from(data).buffer) });
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const f = (name, v) => ({ name, type: 1, f: v });
  const model = {
    irVersion: 7, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g', input: [vi('x', [1, 3, 5, 5])], output: [vi('y', [1, 3])],
      initializer: [t('s', [1, 3, 1, 1], [2, -1, 0.5]), t('b', [3, 1, 1], [0.1, 0.2, 0.3]), t('k', [], [4]), t('lo', [], [-1]), t('hi', [], [1])],
      node: [
        { name: 'lr', opType: 'LeakyRelu', input: ['x'], output: ['a'], attribute: [f('alpha', 0.3)] },
        { name: 'mul', opType: 'Mul', input: ['s', 'a'], output: ['m'] },
        { name: 'add', opType: 'Add', input: ['m', 'b'], output: ['p'] },
        { name: 'sub', opType: 'Sub', input: ['p', 'b'], output: ['q'] },
        { name: 'div', opType: 'Div', input: ['q', 'k'], output: ['d'] },
        { name: 'clip', opType: 'Clip', input: ['d', 'lo', 'hi'], output: ['c'] },
        { name: 'gmp', opType: 'GlobalMaxPool', input: ['c'], output: ['g'] },
        { name: 'flat', opType: 'Flatten', input: ['g'], output: ['y'] },
      ],
    },
  };
  const bytes = type.encode(type.fromObject(model)).finish();
  const imp = importONNX(bytes);
  const net = await compile(imp.graph, { weights: imp.weights });
  const x = randomArray(rng, 75).map((v) => v * 3);
  const ours = net.run(x, { layout: 'nchw' });
  net.dispose();
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
  const r = await session.run({ x: new ort.Tensor('float32', x, [1, 3, 5, 5]) });
  await session.release();
  assert.ok(relDiff(ours, r.y.data) < 1e-6, `${Array.from(ours)} vs ${Array.from(r.y.data)}`);
  // a constant that broadcasts along W, not channels, is refused by name
  model.graph.node[1] = { name: 'mul', opType: 'Mul', input: ['a', 'k5'], output: ['m'] };
  model.graph.initializer.push(t('k5', [5], [1, 2, 3, 4, 5]));
  assert.throws(() => importONNX(type.encode(type.fromObject(model)).finish()), /node "mul" \(Mul\): a constant of shape \[5\] against \[1, 3, 5, 5\]/);
});

test('concat of [N, F] values (fc outputs, flattened pools) in a compiled network = reference', async () => {
  const b = new GraphBuilder('cat2');
  const x = b.input([3, 5, 5, 4]);
  const a = b.flatten(b.globalMaxPool(x, 'gmp'), 'fa');
  const f = b.fc(b.flatten(x, 'fx'), { outFeatures: 6 }, 'fc');
  const g = b.output(b.fc(b.concat([a, f, a], 'cat'), { outFeatures: 3 }, 'head'));
  const w = randomWeights(g, 8);
  const n = await compile(g, { weights: w });
  const input = randomArray(rng, 3 * 5 * 5 * 4);
  assert.ok(relDiff(n.run(input), runGraph(g, w, input).data) < 1e-5);
  n.dispose();
});

test.run();
