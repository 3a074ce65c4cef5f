// Constant multiply (Inception-ResNet's residual scaling, `out * scale + x`): the f32_scale and
// f32_add_scaled kernels on random lengths (every SIMD tail) against the obvious loop, rounded as
// PyTorch rounds (the product, then the sum); bad input; the lowering (a scale read only by an add
// joins that add's step, with its ReLU; otherwise it stands alone); a residual block compiled =
// reference executor, costed, on 2 threads the same bits; and ONNX (Mul by a scalar, imported
// back as the same op).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, createEngine, lower, ops, randomWeights, cost } from '../../dist/index.js';
import { toONNX, importONNX } from '../../dist/onnx/index.js';
import { relDiff } from '../reference/close.mjs';
import { checkCompiledAndThreads } from '../reference/compiled.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const engine = await createEngine();
const rng = mulberry32(91);
const ri = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));
const f = Math.fround;

test('f32_scale: random lengths 1..13 and larger, several factors: exactly fround(x * factor)', () => {
  for (let t = 0; t < 30; t++) {
    const n = t < 13 ? t + 1 : ri(14, 500);
    const factor = [0.17, -2.5, 0, 1, 1e-3][t % 5];
    const x = randomArray(rng, n);
    const y = ops.scale(engine, x, factor).data;
    for (let i = 0; i < n; i++) if (y[i] !== f(x[i] * f(factor))) assert.unreachable(`n ${n}, factor ${factor}: y[${i}] = ${y[i]}`);
  }
  assert.is(engine.allocatedBytes, 0, 'nothing left allocated');
});

test('f32_add_scaled: alpha * a + b (product rounded, then the sum), with and without ReLU; alpha 1 = the plain add', () => {
  for (let t = 0; t < 30; t++) {
    const n = t < 13 ? t + 1 : ri(14, 500);
    const alpha = [0.17, 0.1, 0.2, -1.5][t % 4];
    const a = randomArray(rng, n), b = randomArray(rng, n);
    for (const relu of [false, true]) {
      const y = ops.add(engine, a, b, [n], relu, alpha).data;
      for (let i = 0; i < n; i++) {
        let want = f(f(a[i] * f(alpha)) + b[i]);
        if (relu && want < 0) want = 0;
        if (!Object.is(y[i], want) && !(want === 0 && y[i] === 0)) assert.unreachable(`n ${n}, alpha ${alpha}, relu ${relu}: y[${i}] = ${y[i]}, want ${want}`);
      }
    }
    const plain = ops.add(engine, a, b, [n]).data, one = ops.add(engine, a, b, [n], false, 1).data;
    assert.equal(Array.from(one), Array.from(plain));
  }
  assert.is(engine.allocatedBytes, 0, 'nothing left allocated');
});

test('scale: bad factors and pointers are clear errors; the builder checks the factor', () => {
  assert.throws(() => ops.scale(engine, new Float32Array(4), NaN), (e) => e instanceof RangeError && /factor must be finite/.test(e.message));
  assert.throws(() => ops.scale(engine, new Float32Array(4), '2'), (e) => e instanceof TypeError && /factor must be a number/.test(e.message));
  assert.throws(() => ops.scale(engine, [1, 2], 2), /x must be a Float32Array/);
  assert.throws(() => ops.add(engine, new Float32Array(4), new Float32Array(4), [4], false, Infinity), /alpha must be finite/);
  assert.throws(() => ops.runScale(engine, 8, 1 << 30, 64, 2), (e) => e instanceof RangeError && /^x\b/.test(e.message));
  assert.is(engine.allocatedBytes, 0);
  const b = new GraphBuilder('bad');
  const x = b.input([1, 2, 2, 4]);
  assert.throws(() => b.scale(x, { factor: Infinity }), /factor must be a finite number/);
  assert.throws(() => b.scale(x, {}), /factor must be a finite number/);
});

/** An Inception-ResNet style block: relu(x + factor * conv(relu(conv(x)))), and a stand-alone scale. */
function block(batch, { standalone = false, relu = true } = {}) {
  const b = new GraphBuilder('block');
  const x = b.input([batch, 9, 9, 20]);
  const y = b.relu(b.conv2d(x, { outChannels: 12, kernel: 3, padding: 1 }, 'branch'), 'branch.relu');
  const up = b.conv2d(y, { outChannels: 20, kernel: 1 }, 'conv2d');
  const s = b.scale(up, { factor: 0.17 }, 'scale');
  if (standalone) return b.output(b.scale(s, { factor: -3 }, 'again'));
  const sum = b.add(x, s, 'add');
  return b.output(relu ? b.relu(sum, 'relu') : sum);
}

test('lowering: a scale read only by an add is that add\'s step (alpha, fused ReLU); otherwise its own step', () => {
  const steps = lower(block(1)).steps;
  const add = steps.find((s) => s.nodes.includes('add'));
  assert.equal([add.kind, add.nodes, add.alpha], ['add_relu', ['add', 'scale', 'relu'], 0.17]);
  assert.not.ok(steps.some((s) => s.kind === 'scale'));
  assert.is(lower(block(1, { relu: false })).steps.find((s) => s.nodes.includes('add')).kind, 'add');
  const alone = lower(block(1, { standalone: true })).steps.filter((s) => s.kind === 'scale');
  assert.equal(alone.map((s) => s.nodes), [['scale'], ['again']]);
});

test('a residual block with a scaled branch: compiled = reference, costed, 2 threads the same bits', async () => {
  for (const [batch, opts] of [[1, {}], [2, {}], [1, { relu: false }], [3, { standalone: true }]]) {
    const g = block(batch, opts);
    const w = randomWeights(g, 4);
    const input = randomArray(rng, batch * 9 * 9 * 20);
    await checkCompiledAndThreads(g, w, input, `batch ${batch} ${JSON.stringify(opts)}`);
    const row = cost.analyze(g).layers.find((l) => l.name === 'scale');
    assert.equal([row.otherOps, row.opClass, row.params], [batch * 9 * 9 * 20, 'eltwise', 0]);
  }
});

test('ONNX: exported as Mul by a scalar initializer, imported back as a scale (no learned constants)', async () => {
  const g = block(1);
  const w = randomWeights(g, 9);
  const back = importONNX(toONNX(g, w));
  const node = back.graph.nodes.find((n) => n.op === 'scale');
  assert.ok(node, 'a scale node');
  assert.is(node.factor, Math.fround(0.17));
  assert.is(cost.analyze(back.graph).params, cost.analyze(g).params);
  const input = randomArray(rng, 9 * 9 * 20);
  const a = await compile(g, { weights: w }), b = await compile(back.graph, { weights: back.weights });
  assert.ok(relDiff(b.run(input), a.run(input)) < 1e-6);
  a.dispose(); b.dispose();
});

test.run();
