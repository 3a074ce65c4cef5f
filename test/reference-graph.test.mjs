// Tests of the whole-network oracle (test/reference/graph.mjs) on small graphs built by hand as
// plain objects in the IR of src/graph/types.ts. The expected values come from composing the
// reference ops by hand (or from literal numbers), so they must match exactly: the executor adds
// no arithmetic of its own. Every node's outShape is written out literally; the executor checks
// it against what the ops compute, which also checks that each attribute reached its op.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runGraph } from './reference/graph.mjs';
import {
  conv2d, batchnorm, relu, relu6, maxpool2d, avgpool2d, globalAvgPool, add, concat, lrn, fc,
  softmax, nchwToNhwc,
} from './reference/ops.mjs';
import { mulberry32, randomArray } from './reference/rng.mjs';

/**
 * A node of the IR: name, op, input names, output shape, then the op's attributes.
 * @param {string} name
 * @param {string} op
 * @param {string[]} inputs
 * @param {number[]} outShape
 * @param {object} [attrs]
 */
const node = (name, op, inputs, outShape, attrs = {}) => ({ name, op, inputs, outShape, ...attrs });

/** conv2d attributes with the builder's defaults, overridden by `attrs`. */
const convAttrs = (attrs) => ({
  kernel: [1, 1], stride: [1, 1], pad: [0, 0, 0, 0], dilation: [1, 1], groups: 1, bias: true, ...attrs,
});

/**
 * @param {string} name
 * @param {object[]} nodes
 * @param {string} [output] defaults to the last node
 */
const graph = (name, nodes, output = nodes[nodes.length - 1].name) => ({ name, nodes, input: 'input', output });

/** Batchnorm statistics for C channels that move every value (no identity channels). */
function bnWeights(rng, C) {
  return {
    gamma: randomArray(rng, C, 0.5).map((v) => 1 + v),
    beta: randomArray(rng, C, 0.5),
    mean: randomArray(rng, C, 0.5),
    variance: randomArray(rng, C, 0.5).map((v) => 1 + v),
  };
}

/** Identical element by element (the executor must add no arithmetic of its own). */
function same(actual, expected, label = 'tensor') {
  assert.is(actual.length, expected.length, `${label}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.unreachable(`${label}[${i}]: ${actual[i]} !== ${expected[i]}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Whole chains against the reference ops composed by hand

test('graph: conv → batchnorm → relu equals the reference ops composed by hand', () => {
  const rng = mulberry32(1);
  // Every conv attribute away from its default: a dropped or swapped one changes the shape or
  // the values. H: floor((7 + 1 + 0 − 1·2 − 1) / 2) + 1 = 3; W: floor((6 + 0 + 1 − 2·1 − 1) / 1) + 1 = 5.
  const conv = {
    outChannels: 6, kernel: [3, 2], stride: [2, 1], pad: [1, 0, 0, 1], dilation: [1, 2], groups: 2,
  };
  const g = graph('chain', [
    node('input', 'input', [], [2, 7, 6, 4]),
    node('conv', 'conv2d', ['input'], [2, 3, 5, 6], convAttrs({ ...conv, bias: true })),
    node('bn', 'batchnorm', ['conv'], [2, 3, 5, 6], { eps: 1e-3 }),
    node('relu', 'relu', ['bn'], [2, 3, 5, 6]),
  ]);
  const x = randomArray(rng, 2 * 7 * 6 * 4);
  const w = { weight: randomArray(rng, 3 * 2 * 2 * 6), bias: randomArray(rng, 6) };
  const bn = bnWeights(rng, 6);
  const weights = new Map([['conv', w], ['bn', bn]]);

  const c = conv2d(x, [2, 7, 6, 4], w.weight, w.bias, conv);
  const b = batchnorm(c.data, c.shape, { ...bn, eps: 1e-3 });
  const r = relu(b.data);

  const out = runGraph(g, weights, x, { keep: true });
  assert.equal(out.shape, [2, 3, 5, 6]);
  same(out.data, r, 'relu');
  same(out.values.get('conv').data, c.data, 'conv');
  same(out.values.get('bn').data, b.data, 'bn');
  assert.ok(r.some((v) => v === 0) && r.some((v) => v > 0), 'the relu clips some values, not all');
  // Without keep, the same output and no values.
  const lean = runGraph(g, weights, x);
  same(lean.data, r, 'relu without keep');
  assert.is(lean.values, undefined);
});

test('graph: residual add of a conv branch and the identity', () => {
  const rng = mulberry32(2);
  const g = graph('residual', [
    node('input', 'input', [], [1, 4, 5, 3]),
    node('conv', 'conv2d', ['input'], [1, 4, 5, 3], convAttrs({ outChannels: 3, kernel: [3, 3], pad: [1, 1, 1, 1], bias: false })),
    node('bn', 'batchnorm', ['conv'], [1, 4, 5, 3], { eps: 1e-5 }),
    node('add', 'add', ['bn', 'input'], [1, 4, 5, 3]),
    node('relu', 'relu', ['add'], [1, 4, 5, 3]),
  ]);
  const x = randomArray(rng, 1 * 4 * 5 * 3);
  const w = { weight: randomArray(rng, 3 * 3 * 3 * 3, 0.3) };
  const bn = bnWeights(rng, 3);

  const c = conv2d(x, [1, 4, 5, 3], w.weight, null, { outChannels: 3, kernel: [3, 3], pad: [1, 1, 1, 1] });
  const b = batchnorm(c.data, c.shape, { ...bn, eps: 1e-5 });
  const expected = relu(add(b.data, x, [1, 4, 5, 3]).data);

  const out = runGraph(g, new Map([['conv', w], ['bn', bn]]), x);
  assert.equal(out.shape, [1, 4, 5, 3]);
  same(out.data, expected);
  same(x, randomArray(mulberry32(2), x.length), 'the input is left untouched');
});

test('graph: concat of two branches keeps input order along channels', () => {
  const rng = mulberry32(3);
  const g = graph('inception', [
    node('input', 'input', [], [1, 5, 5, 3]),
    node('b1', 'conv2d', ['input'], [1, 5, 5, 2], convAttrs({ outChannels: 2 })),
    node('b2', 'maxpool', ['input'], [1, 5, 5, 3], {
      kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1], ceil: false, countIncludePad: true,
    }),
    node('cat', 'concat', ['b1', 'b2'], [1, 5, 5, 5]),
  ]);
  const x = randomArray(rng, 5 * 5 * 3);
  const w = { weight: randomArray(rng, 3 * 2), bias: randomArray(rng, 2) };
  const b1 = conv2d(x, [1, 5, 5, 3], w.weight, w.bias, { outChannels: 2, kernel: [1, 1] });
  const b2 = maxpool2d(x, [1, 5, 5, 3], { kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1] });
  const expected = concat([{ data: b1.data, shape: b1.shape }, b2]);

  const out = runGraph(g, new Map([['b1', w]]), x);
  assert.equal(out.shape, [1, 5, 5, 5]);
  same(out.data, expected.data);
  // Pixel 7: channels 0-1 from the conv, 2-4 from the pool.
  same(out.data.slice(35, 40), [...b1.data.slice(14, 16), ...b2.data.slice(21, 24)], 'pixel 7');
});

test('graph: concat along the last axis of [N, F] tensors', () => {
  const g = graph('cat2d', [
    node('input', 'input', [], [2, 1, 1, 2]),
    node('flat', 'flatten', ['input'], [2, 2]),
    node('fc', 'fc', ['flat'], [2, 1], { outFeatures: 1, bias: false }),
    node('cat', 'concat', ['flat', 'fc'], [2, 3]),
  ]);
  const out = runGraph(g, new Map([['fc', { weight: new Float32Array([1, 1]) }]]), new Float32Array([1, 2, 3, 4]));
  assert.equal(out.shape, [2, 3]);
  same(out.data, [1, 2, 3, 3, 4, 7]);
});

test('graph: flatten is in NHWC order (literal numbers)', () => {
  // x is [1, 1, 2, 2] NHWC: pixel 0 holds (c0, c1) = (1, 2), pixel 1 holds (3, 4), so the
  // NHWC flatten is [1, 2, 3, 4]; NCHW order would give [1, 3, 2, 4].
  const g = graph('flat', [
    node('input', 'input', [], [1, 1, 2, 2]),
    node('flatten', 'flatten', ['input'], [1, 4]),
    node('fc', 'fc', ['flatten'], [1, 2], { outFeatures: 2, bias: true }),
  ]);
  // IO [4][2]: output 0 reads the features with weights 1, 10, 100, 1000; output 1 only the last.
  const weight = new Float32Array([1, 0, 10, 0, 100, 0, 1000, 1]);
  const weights = new Map([['fc', { weight, bias: new Float32Array([0.5, 0]) }]]);
  const out = runGraph(g, weights, new Float32Array([1, 2, 3, 4]));
  assert.equal(out.shape, [1, 2]);
  same(out.data, [4321.5, 4]); // NCHW order would give [4231.5, 4]
  // The same values handed over as NCHW [1, 2, 1, 2]: channel 0 = (1, 3), channel 1 = (2, 4).
  const nchw = runGraph(g, weights, new Float32Array([1, 3, 2, 4]), { layout: 'nchw' });
  same(nchw.data, [4321.5, 4], 'nchw input');
});

test('graph: dropout is the identity', () => {
  const rng = mulberry32(4);
  const x = randomArray(rng, 2 * 3 * 3 * 4);
  const g = graph('drop', [
    node('input', 'input', [], [2, 3, 3, 4]),
    node('drop1', 'dropout', ['input'], [2, 3, 3, 4], { p: 0.5 }),
    node('relu', 'relu', ['drop1'], [2, 3, 3, 4]),
    node('drop2', 'dropout', ['relu'], [2, 3, 3, 4], { p: 0.9 }),
  ]);
  const out = runGraph(g, new Map(), x, { keep: true });
  same(out.values.get('drop1').data, x, 'dropout on the input');
  same(out.data, relu(x), 'dropout after relu');
  assert.equal(out.shape, [2, 3, 3, 4]);
});

test('graph: pooling, lrn, relu6, global pooling and softmax get their attributes', () => {
  const rng = mulberry32(5);
  // maxpool 3×3 s2 p1 ceil on 7: floor((7 + 2 − 3 + 1) / 2) + 1 = 4 (floor mode gives 4 too).
  // avgpool 3×3 s2 p1 ceil on 4: floor((4 + 2 − 3 + 1) / 2) + 1 = 3 (floor mode would give 2),
  // and its last window hangs over the padding, so countIncludePad: false changes the divisor.
  const maxp = { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], ceil: true };
  const avgp = { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], ceil: true, countIncludePad: false };
  const lrnp = { size: 3, alpha: 1e-2, beta: 0.75, k: 2 };
  const g = graph('misc', [
    node('input', 'input', [], [1, 7, 7, 4]),
    node('maxpool', 'maxpool', ['input'], [1, 4, 4, 4], { ...maxp, countIncludePad: true }),
    node('avgpool', 'avgpool', ['maxpool'], [1, 3, 3, 4], avgp),
    node('lrn', 'lrn', ['avgpool'], [1, 3, 3, 4], lrnp),
    node('relu6', 'relu6', ['lrn'], [1, 3, 3, 4]),
    node('gap', 'globalavgpool', ['relu6'], [1, 1, 1, 4]),
    node('flatten', 'flatten', ['gap'], [1, 4]),
    node('softmax', 'softmax', ['flatten'], [1, 4]),
  ]);
  const x = randomArray(rng, 7 * 7 * 4, 20); // large enough for relu6 to clip at 6

  const m = maxpool2d(x, [1, 7, 7, 4], maxp);
  const a = avgpool2d(m.data, m.shape, avgp);
  const l = lrn(a.data, a.shape, lrnp);
  const r6 = relu6(l.data);
  const gap = globalAvgPool(r6, [1, 3, 3, 4]);
  const s = softmax(gap.data, [1, 4]);
  assert.ok(r6.some((v) => v === 6), 'relu6 clips some values');

  const out = runGraph(g, new Map(), x, { keep: true });
  same(out.values.get('avgpool').data, a.data, 'avgpool');
  same(out.values.get('relu6').data, r6, 'relu6');
  same(out.data, s.data, 'softmax');
  // countIncludePad: true would have given a different avgpool.
  const a2 = avgpool2d(m.data, m.shape, { ...avgp, countIncludePad: true });
  assert.not.equal(Array.from(a2.data), Array.from(a.data));
});

test('graph: nchw input gives the same result as the equivalent nhwc input', () => {
  const rng = mulberry32(6);
  const [N, C, H, W] = [2, 3, 5, 4];
  const g = graph('layout', [
    node('input', 'input', [], [N, H, W, C]),
    node('conv', 'conv2d', ['input'], [N, 3, 2, 8], convAttrs({ outChannels: 8, kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 0] })),
    node('relu', 'relu', ['conv'], [N, 3, 2, 8]),
    node('flatten', 'flatten', ['relu'], [N, 48]),
    node('fc', 'fc', ['flatten'], [N, 5], { outFeatures: 5, bias: true }),
  ]);
  const weights = new Map([
    ['conv', { weight: randomArray(rng, 3 * 3 * 3 * 8), bias: randomArray(rng, 8) }],
    ['fc', { weight: randomArray(rng, 48 * 5), bias: randomArray(rng, 5) }],
  ]);
  const xNchw = randomArray(rng, N * C * H * W);
  const xNhwc = nchwToNhwc(xNchw, [N, C, H, W]).data;

  const a = runGraph(g, weights, xNchw, { layout: 'nchw', keep: true });
  const b = runGraph(g, weights, xNhwc);
  assert.equal(a.shape, [N, 5]);
  same(a.data, b.data);
  same(a.values.get('input').data, xNhwc, 'the input value is the NHWC conversion');
  assert.equal(a.values.get('input').shape, [N, H, W, C]);
  // Not the same numbers by accident: the raw NCHW data read as NHWC gives another answer.
  assert.not.equal(Array.from(runGraph(g, weights, xNchw).data), Array.from(b.data));
  // And the expected value itself, from the reference ops.
  const c = conv2d(xNhwc, [N, H, W, C], weights.get('conv').weight, weights.get('conv').bias,
    { outChannels: 8, kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 0] });
  const f = fc(relu(c.data), [N, 48], weights.get('fc').weight, weights.get('fc').bias);
  same(b.data, f.data, 'reference ops');
});

// ---------------------------------------------------------------------------------------------
// Values kept and freed

test('graph: keep returns every node; the output survives when a later node reads it', () => {
  const rng = mulberry32(7);
  const g = graph('keep', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('relu', 'relu', ['input'], [1, 2, 2, 3]),
    node('dead', 'relu6', ['input'], [1, 2, 2, 3]), // read by nobody
    node('gap', 'globalavgpool', ['relu'], [1, 1, 1, 3]),
    node('tail', 'dropout', ['gap'], [1, 1, 1, 3], { p: 0.5 }), // reads the output, after it
  ], 'gap');
  const x = randomArray(rng, 12);
  const expected = globalAvgPool(relu(x), [1, 2, 2, 3]);

  const kept = runGraph(g, new Map(), x, { keep: true });
  assert.equal([...kept.values.keys()], ['input', 'relu', 'dead', 'gap', 'tail']);
  for (const n of g.nodes) assert.equal(kept.values.get(n.name).shape, n.outShape, n.name);
  same(kept.data, expected.data);

  const lean = runGraph(g, new Map(), x);
  assert.equal(lean.shape, [1, 1, 1, 3]);
  same(lean.data, expected.data, 'without keep');
});

// ---------------------------------------------------------------------------------------------
// Errors name the node

test('graph: an unknown op throws, naming the node', () => {
  const g = graph('bad', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('act1', 'gelu', ['input'], [1, 2, 2, 3]),
  ]);
  assert.throws(() => runGraph(g, new Map(), new Float32Array(12)), /layer "act1" \(gelu\): unknown op "gelu"/);
});

test('graph: missing weights throw, naming the node', () => {
  const x = new Float32Array(1 * 2 * 2 * 3);
  const convG = graph('c', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('stem.conv', 'conv2d', ['input'], [1, 2, 2, 4], convAttrs({ outChannels: 4 })),
  ]);
  const bnG = graph('b', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('stem.bn', 'batchnorm', ['input'], [1, 2, 2, 3], { eps: 1e-5 }),
  ]);
  const fcG = graph('f', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('flatten', 'flatten', ['input'], [1, 12]),
    node('classifier', 'fc', ['flatten'], [1, 2], { outFeatures: 2, bias: false }),
  ]);
  assert.throws(() => runGraph(convG, new Map(), x), /layer "stem\.conv" \(conv2d\): no weights/);
  assert.throws(() => runGraph(bnG, new Map(), x), /layer "stem\.bn" \(batchnorm\): no weights/);
  assert.throws(() => runGraph(fcG, new Map(), x), /layer "classifier" \(fc\): no weights/);
  // Weights present but incomplete or the wrong size.
  const noBias = new Map([['stem.conv', { weight: new Float32Array(12) }]]);
  assert.throws(() => runGraph(convG, noBias, x), /layer "stem\.conv" \(conv2d\): .*bias/);
  const short = new Map([['classifier', { weight: new Float32Array(23) }]]);
  assert.throws(() => runGraph(fcG, short, x), /layer "classifier" \(fc\): weights have 23 elements/);
  const noVariance = new Map([['stem.bn', { gamma: new Float32Array(3), beta: new Float32Array(3), mean: new Float32Array(3) }]]);
  assert.throws(() => runGraph(bnG, noVariance, x), /layer "stem\.bn" \(batchnorm\): .*variance/);
});

test('graph: a wrong outShape, a wrong input size or an unknown input throw', () => {
  const x = new Float32Array(12);
  const wrongShape = graph('s', [
    node('input', 'input', [], [1, 2, 2, 3]),
    node('gap', 'globalavgpool', ['input'], [1, 3]),
  ]);
  assert.throws(() => runGraph(wrongShape, new Map(), x), /layer "gap" \(globalavgpool\): computed shape \[1, 1, 1, 3\]/);
  const ok = graph('ok', [node('input', 'input', [], [1, 2, 2, 3]), node('relu', 'relu', ['input'], [1, 2, 2, 3])]);
  assert.throws(() => runGraph(ok, new Map(), new Float32Array(11)), /layer "input" \(input\): input has 11 elements/);
  assert.throws(() => runGraph(ok, new Map(), x, { layout: 'nwhc' }), /layout/);
  const dangling = graph('d', [node('input', 'input', [], [1, 2, 2, 3]), node('relu', 'relu', ['inptu'], [1, 2, 2, 3])]);
  assert.throws(() => runGraph(dangling, new Map(), x), /layer "relu" \(relu\): unknown input "inptu"/);
});

test.run();
