// Sigmoid, the first op added through the registry: the kernel against the float64 reference
// (tails, extremes, in place), the op in a compiled network against the reference executor, its
// cost and lowering — and every op of the IR covered by the reference executor and the ONNX export.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, OP_NAMES, compile, createEngine, lower, ops, randomWeights, cost } from '../../dist/index.js';
import { toONNX } from '../../dist/onnx/index.js';
import { runGraph } from '../reference/graph.mjs';
import { sigmoid as refSigmoid } from '../reference/ops.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const engine = await createEngine();
const rng = mulberry32(41);

test('f32_sigmoid: every length 1..37 and the extremes, within 4e-7 of float64 (about 6 float32 ulps at 1)', () => {
  for (let n = 1; n <= 37; n++) {
    const x = randomArray(rng, n).map((v) => v * 12);
    const y = ops.sigmoid(engine, x).data;
    const r = refSigmoid(x);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(y[i] - r[i]) <= 4e-7, `n=${n} i=${i}: ${y[i]} vs ${r[i]}`);
  }
  const ext = new Float32Array([-1e30, -104, -88, -20, -0, 0, 20, 88, 104, 1e30, 3.4e38, -3.4e38]);
  const y = ops.sigmoid(engine, ext).data;
  assert.ok(Array.from(y).every((v) => Number.isFinite(v) && v >= 0 && v <= 1), 'no overflow, no NaN');
  assert.is(y[0], 0);
  assert.is(y[9], 1);
  assert.is(y[4], 0.5);
  // in place on wasm pointers
  const p = engine.upload(new Float32Array([0, 2, -2]));
  ops.runSigmoid(engine, 3, p, p);
  const back = engine.read(p, 3);
  engine.release(p);
  assert.ok(Math.abs(back[1] - 1 / (1 + Math.exp(-2))) < 1e-7 && Math.abs(back[1] + back[2] - 1) < 1e-7);
});

test('sigmoid: bad input is a clear error', () => {
  assert.throws(() => ops.sigmoid(engine, [1, 2]), (e) => e instanceof TypeError && /x must be a Float32Array/.test(e.message));
  assert.throws(() => ops.runSigmoid(engine, 4, engine.memoryBytes + 64, 0), (e) => e instanceof RangeError);
  assert.throws(() => ops.runSigmoid(engine, 0, 0, 0), RangeError);
});

test('sigmoid in a network: lowered to its own kernel step, compiled result = reference executor, costed', async () => {
  const b = new GraphBuilder('se-ish');
  const x = b.input([2, 6, 6, 8]);
  const c = b.relu(b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }, 'conv'), 'relu');
  const gate = b.sigmoid(b.conv2d(c, { outChannels: 8, kernel: 1 }, 'squeeze'), 'gate');
  const g = b.output(b.add(c, gate, 'sum'));
  assert.equal(lower(g).steps.map((s) => s.kind), ['im2col', 'conv1x1', 'sigmoid', 'add']);
  const w = randomWeights(g, 5);
  const net = await compile(g, { weights: w });
  const input = randomArray(rng, 2 * 6 * 6 * 8);
  assert.ok(relDiff(net.run(input), runGraph(g, w, input).data) < 1e-5);
  net.dispose();
  const row = cost.analyze(g).layers.find((l) => l.name === 'gate');
  // 2 * 6 * 6 * 8 = 576 elements, 4 ops each; eltwise class; reads and writes 576 floats
  assert.equal([row.otherOps, row.opClass, row.readBytes, row.writeBytes, row.params], [2304, 'eltwise', 2304, 2304, 0]);
  const p = cost.predict(g, { device: 'tx1' });
  assert.ok(p.layers.some((l) => l.nodes.includes('gate') && l.ms > 0));
});

test('every op of the IR: the reference executor and the ONNX export handle it', () => {
  // one graph per op, the op applied to a small input of the rank it takes
  const seen = new Set();
  for (const op of OP_NAMES) {
    if (op === 'input') continue;
    const b = new GraphBuilder(op);
    const x = b.input(op === 'fc' ? [1, 6] : [1, 4, 4, 3]);
    const y = {
      conv2d: () => b.conv2d(x, { outChannels: 2, kernel: 3 }),
      batchnorm: () => b.batchnorm(x),
      relu: () => b.relu(x), relu6: () => b.relu6(x), sigmoid: () => b.sigmoid(x), softmax: () => b.softmax(x),
      maxpool: () => b.maxpool(x, { kernel: 2 }), avgpool: () => b.avgpool(x, { kernel: 2 }),
      globalavgpool: () => b.globalAvgPool(x), add: () => b.add(x, x), concat: () => b.concat([x, x]),
      lrn: () => b.lrn(x, { size: 3 }), flatten: () => b.flatten(x), fc: () => b.fc(x, { outFeatures: 2 }),
      dropout: () => b.dropout(x),
      leakyrelu: () => b.leakyRelu(x, { alpha: 0.2 }), clip: () => b.clip(x, { min: -0.5, max: 0.5 }),
      globalmaxpool: () => b.globalMaxPool(x), scaleshift: () => b.scaleShift(x),
      channelmul: () => b.channelMul(x, b.sigmoid(b.globalAvgPool(x))),
      scale: () => b.scale(x, { factor: 0.5 }), channelshuffle: () => b.channelShuffle(b.concat([x, x]), { groups: 2 }),
      channelslice: () => b.channelSlice(x, { start: 1, end: 3 }),
    }[op];
    assert.ok(y, `the test builds ${op}`);
    const g = b.output(y());
    const w = randomWeights(g, 1);
    const input = randomArray(rng, g.nodes[0].outShape.reduce((p, q) => p * q, 1));
    assert.ok(runGraph(g, w, input).data.length > 0, op);
    assert.ok(toONNX(g, w).length > 0, op);
    seen.add(op);
  }
  assert.is(seen.size, OP_NAMES.length - 1);
});

test.run();
