// Per-channel multiply ([N, H, W, C] x [N, 1, 1, C], squeeze-excitation's rescale): the kernel on
// random shapes (channel tails, batches) against the obvious loop, bad input, the op in a
// squeeze-excitation block (compiled = reference executor, costed, lowered to its own step, on
// 2 threads the same bits) and through ONNX (export, then import as the same op).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, createEngine, lower, ops, randomWeights, cost } from '../../dist/index.js';
import { toONNX, importONNX } from '../../dist/onnx/index.js';
import { relDiff } from '../reference/close.mjs';
import { checkCompiledAndThreads } from '../reference/compiled.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const engine = await createEngine();
const rng = mulberry32(77);
const ri = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));

test('f32_channel_mul: random shapes, every channel tail 1..13, batches: exactly x * s[n][c]', () => {
  for (let t = 0; t < 40; t++) {
    const shape = [ri(1, 3), ri(1, 9), ri(1, 9), t < 13 ? t + 1 : ri(1, 70)];
    const [n, h, w, c] = shape;
    const x = randomArray(rng, n * h * w * c), s = randomArray(rng, n * c);
    const y = ops.channelMul(engine, x, shape, s).data;
    for (let i = 0; i < y.length; i++) {
      const b = Math.floor(i / (h * w * c)), ch = i % c;
      if (y[i] !== Math.fround(x[i] * s[b * c + ch])) assert.unreachable(`shape ${shape}: y[${i}] = ${y[i]}`);
    }
  }
  assert.is(engine.allocatedBytes, 0, 'nothing left allocated');
});

test('channel multiply: bad input is a clear error, and the graph builder checks the gate shape', () => {
  assert.throws(() => ops.channelMul(engine, new Float32Array(8), [1, 2, 2, 2], new Float32Array(3)), /s must have 2 elements/);
  assert.throws(() => ops.channelMul(engine, [1, 2], [1, 1, 1, 2], new Float32Array(2)), /x must be a Float32Array/);
  assert.throws(() => ops.runChannelMul(engine, [1, 2, 2, 2], 8, 1 << 30, 64), (e) => e instanceof RangeError && /s/.test(e.message));
  const b = new GraphBuilder('bad');
  const x = b.input([1, 4, 4, 8]);
  assert.throws(() => b.channelMul(x, x), /must be \[1, 1, 1, 8\]/);
  assert.throws(() => b.channelMul(x, b.globalAvgPool(b.conv2d(x, { outChannels: 4, kernel: 1 }))), /must be \[1, 1, 1, 8\]/);
});

function seBlock(batch) {
  const b = new GraphBuilder('se');
  const x = b.input([batch, 10, 10, 24]);
  const c = b.relu(b.conv2d(x, { outChannels: 24, kernel: 3, padding: 1 }, 'conv'), 'relu');
  let s = b.globalAvgPool(c, 'se.pool');
  s = b.relu(b.conv2d(s, { outChannels: 6, kernel: 1 }, 'se.fc1'), 'se.relu');
  s = b.sigmoid(b.conv2d(s, { outChannels: 24, kernel: 1 }, 'se.fc2'), 'se.sigmoid');
  return b.output(b.relu(b.add(b.channelMul(c, s, 'se.scale'), x, 'add'), 'out'));
}

/** The gate's multiply feeding a ReLU, not an add: it cannot join one. */
function seAlone(batch) {
  const b = new GraphBuilder('se-alone');
  const x = b.input([batch, 10, 10, 24]);
  const s = b.sigmoid(b.conv2d(b.globalAvgPool(x, 'se.pool'), { outChannels: 24, kernel: 1 }, 'se.fc'), 'se.sigmoid');
  return b.output(b.relu(b.channelMul(x, s, 'se.scale'), 'out'));
}

test('f32_channel_mul_add: x * s + r, product rounded then the sum (the unfused bits), with and without ReLU; bad pointers refused', () => {
  for (let t = 0; t < 30; t++) {
    const shape = [ri(1, 3), ri(1, 7), ri(1, 7), t < 13 ? t + 1 : ri(1, 70)];
    const [n, h, w, c] = shape, count = n * h * w * c;
    const x = randomArray(rng, count), s = randomArray(rng, n * c), r = randomArray(rng, count);
    const [xp, sp, rp, yp] = [engine.upload(x), engine.upload(s), engine.upload(r), engine.alloc(count)];
    for (const relu of [false, true]) {
      ops.runChannelMulAdd(engine, shape, xp, sp, rp, yp, relu);
      const y = engine.read(yp, count);
      for (let i = 0; i < count; i++) {
        const b = Math.floor(i / (h * w * c)), ch = i % c;
        let want = Math.fround(Math.fround(x[i] * s[b * c + ch]) + r[i]);
        if (relu && want < 0) want = 0;
        if (y[i] !== want) assert.unreachable(`shape ${shape} relu ${relu}: y[${i}] = ${y[i]}, want ${want}`);
      }
    }
    assert.throws(() => ops.runChannelMulAdd(engine, shape, xp, sp, 1 << 30, yp, false), (e) => e instanceof RangeError && /^r\b/.test(e.message));
    for (const p of [xp, sp, rp, yp]) engine.release(p);
  }
  assert.is(engine.allocatedBytes, 0, 'nothing left allocated');
});

test('in a squeeze-excitation block: joined with the residual add (and its ReLU) into one step, or its own step when nothing adds it; compiled = reference, costed, 2 threads same bits', async () => {
  for (const [batch, joined] of [[1, true], [3, true], [2, false]]) {
    const g = joined ? seBlock(batch) : seAlone(batch);
    const kinds = lower(g).steps.map((s) => s.kind);
    if (joined) {
      const st = lower(g).steps.find((s) => s.kind === 'channel_mul_add');
      assert.equal([st.nodes, st.act], [['add', 'se.scale', 'out'], 'relu']);
      assert.not.ok(kinds.includes('channel_mul'));
    } else assert.ok(kinds.includes('channel_mul') && !kinds.includes('channel_mul_add'));
    const w = randomWeights(g, 4);
    const input = randomArray(rng, batch * 10 * 10 * 24);
    await checkCompiledAndThreads(g, w, input, `batch ${batch}`);
    const row = cost.analyze(g).layers.find((l) => l.name === 'se.scale');
    assert.equal([row.otherOps, row.opClass, row.params], [batch * 2400, 'eltwise', 0]);
    assert.ok(cost.predict(g, { device: 'tx1' }).layers.some((l) => l.nodes.includes('se.scale') && l.ms > 0));
  }
});

test('ONNX: exported as Mul of the map and its [N, C, 1, 1] gate, imported back as the same op', async () => {
  const g = seBlock(1);
  const w = randomWeights(g, 9);
  const back = importONNX(toONNX(g, w));
  assert.ok(back.graph.nodes.some((n) => n.op === 'channelmul'), 'a channelmul node');
  const input = randomArray(rng, 10 * 10 * 24);
  const a = await compile(g, { weights: w }), b = await compile(back.graph, { weights: back.weights });
  assert.ok(relDiff(b.run(input), a.run(input)) < 1e-6);
  a.dispose(); b.dispose();
});

test.run();
