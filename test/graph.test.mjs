// The graph builder: shape inference (PyTorch formulas, TF SAME), names, errors; and the
// weights module: layouts, determinism, scale, parameter and MAC counts worked out by hand.
// Literal PyTorch shapes below were checked with torch 1.13 (F.conv2d / F.max_pool2d /
// F.avg_pool2d); the builder also agreed with torch on 3000 random conv/pool configurations.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, randomWeights } from '../dist/graph/index.js';
import { analyze } from '../dist/cost/index.js';

// params and multiply-adds through the cost model's per-op handlers (the one place they are counted)
const paramCount = (g) => analyze(g).params;
const macCount = (g) => analyze(g).macs;

/** Output shape of one layer applied to an [n, h, w, c] input. */
function one(inShape, build) {
  const b = new GraphBuilder('t');
  const x = b.input(inShape);
  return b.shape(build(b, x));
}

test('conv2d: PyTorch output size for stride, padding, dilation, rectangular kernels', () => {
  assert.equal(one([1, 224, 224, 3], (b, x) => b.conv2d(x, { outChannels: 64, kernel: 7, stride: 2, padding: 3 }, 'c')),
    [1, 112, 112, 64]);
  assert.equal(one([1, 227, 227, 3], (b, x) => b.conv2d(x, { outChannels: 96, kernel: 11, stride: 4 }, 'c')),
    [1, 55, 55, 96]);
  assert.equal(one([1, 10, 10, 1], (b, x) => b.conv2d(x, { outChannels: 1, kernel: 3, dilation: 2 }, 'c')),
    [1, 6, 6, 1]);
  assert.equal(one([2, 17, 17, 8], (b, x) => b.conv2d(x, { outChannels: 4, kernel: [1, 7], padding: [0, 3] }, 'c')),
    [2, 17, 17, 4]);
  assert.equal(one([1, 9, 9, 8], (b, x) => b.conv2d(x, { outChannels: 4, kernel: 3, stride: [2, 1], padding: 1 }, 'c')),
    [1, 5, 9, 4]);
  // Pad4 is [top, left, bottom, right]: 3 + 0 + 2 - 3 + 1 = 3 rows, 3 + 1 + 0 - 3 + 1 = 2 columns.
  assert.equal(one([1, 3, 3, 1], (b, x) => b.conv2d(x, { outChannels: 1, kernel: 3, padding: [0, 1, 2, 0] }, 'c')),
    [1, 3, 2, 1]);
});

test("padding 'same' is TensorFlow's: ceil(in / stride) outputs, odd pixel bottom/right", () => {
  const pad = (h, k, s, d = 1) => {
    const b = new GraphBuilder('t');
    const y = b.conv2d(b.input([1, h, h, 1]), { outChannels: 1, kernel: k, stride: s, dilation: d, padding: 'same' }, 'c');
    const g = b.output(y);
    return [g.nodes[1].pad, b.shape(y)[1]];
  };
  assert.equal(pad(224, 3, 2), [[0, 0, 1, 1], 112]);
  assert.equal(pad(225, 3, 2), [[1, 1, 1, 1], 113]);
  assert.equal(pad(7, 2, 2), [[0, 0, 1, 1], 4]);
  assert.equal(pad(8, 5, 1), [[2, 2, 2, 2], 8]);
  assert.equal(pad(8, 4, 1), [[1, 1, 2, 2], 8]);
  assert.equal(pad(8, 3, 1, 2), [[2, 2, 2, 2], 8]);
  assert.equal(pad(1, 3, 2), [[1, 1, 1, 1], 1]);
  assert.equal(pad(9, 1, 2), [[0, 0, 0, 0], 5]);
  const b = new GraphBuilder('t');
  const y = b.conv2d(b.input([1, 8, 8, 1]), { outChannels: 1, kernel: 3, padding: 'valid' }, 'c');
  assert.equal(b.output(y).nodes[1].pad, [0, 0, 0, 0]);
  assert.equal(b.shape(y), [1, 6, 6, 1]);
});

test('pooling: floor and ceil mode, the last-window rule, default stride = kernel', () => {
  const pool = (h, o, op = 'maxpool') => one([1, h, h, 2], (b, x) => b[op](x, o, 'p'))[1];
  assert.is(pool(112, { kernel: 3, stride: 2 }), 55);
  assert.is(pool(112, { kernel: 3, stride: 2, ceil: true }), 56);
  assert.is(pool(14, { kernel: 2, stride: 2, ceil: true }), 7);
  assert.is(pool(7, { kernel: 3, stride: 2, padding: 1, ceil: true }, 'avgpool'), 4);
  // ceil((8 + 2 - 3) / 3) + 1 = 4, but the 4th window would start at 9 >= 8 + 1 (input + left
  // padding), entirely in the right padding: PyTorch drops it.
  assert.is(pool(8, { kernel: 3, stride: 3, padding: 1, ceil: true }), 3);
  assert.is(pool(5, { kernel: 2, stride: 2, padding: 1, ceil: true }), 3);
  assert.is(pool(6, { kernel: 2, stride: 2, padding: 1, ceil: true }), 4);
  // Ceil mode lets a pool window overhang a too-small input, as in PyTorch.
  assert.is(pool(2, { kernel: 3, stride: 2, ceil: true }), 1);
  assert.is(pool(9, { kernel: 3 }), 3);
  const b = new GraphBuilder('t');
  const y = b.avgpool(b.input([1, 8, 8, 2]), { kernel: 3, stride: 1, padding: 1, countIncludePad: false }, 'p');
  const n = b.output(y).nodes[1];
  assert.equal([n.op, n.kernel, n.stride, n.pad, n.ceil, n.countIncludePad],
    ['avgpool', [3, 3], [1, 1], [1, 1, 1, 1], false, false]);
});

test('every op: output shapes and stored attributes', () => {
  const b = new GraphBuilder('tiny');
  const x = b.input([2, 8, 8, 6]);
  const dw = b.dwconv(x, { kernel: 3, padding: 1, multiplier: 2 }, 'dw');
  assert.equal(b.shape(dw), [2, 8, 8, 12]);
  const c1 = b.conv2d(dw, { outChannels: 8, kernel: 1, groups: 4, bias: false }, 'pw');
  const bn = b.batchnorm(c1, {}, 'bn');
  const r = b.relu6(b.relu(bn, 'r'), 'r6');
  const l = b.lrn(r, { size: 5 }, 'lrn');
  const cat = b.concat([l, dw], 'cat');
  assert.equal(b.shape(cat), [2, 8, 8, 20]);
  const sum = b.add(cat, cat, 'sum');
  const gap = b.globalAvgPool(sum, 'gap');
  assert.equal(b.shape(gap), [2, 1, 1, 20]);
  const f = b.flatten(b.maxpool(sum, { kernel: 2 }, 'mp'), 'flat');
  assert.equal(b.shape(f), [2, 4 * 4 * 20]);
  const fc = b.fc(b.dropout(f, {}, 'drop'), { outFeatures: 10 }, 'fc');
  const g = b.output(b.softmax(fc, 'prob'));
  assert.is(g.name, 'tiny');
  assert.is(g.input, 'input');
  assert.is(g.output, 'prob');
  const byName = Object.fromEntries(g.nodes.map((n) => [n.name, n]));
  assert.equal(g.nodes.map((n) => n.name),
    ['input', 'dw', 'pw', 'bn', 'r', 'r6', 'lrn', 'cat', 'sum', 'gap', 'mp', 'flat', 'drop', 'fc', 'prob']);
  assert.equal([byName.dw.op, byName.dw.groups, byName.dw.outChannels, byName.dw.bias], ['conv2d', 6, 12, true]);
  assert.equal([byName.pw.groups, byName.pw.bias, byName.pw.kernel, byName.pw.stride, byName.pw.dilation],
    [4, false, [1, 1], [1, 1], [1, 1]]);
  assert.is(byName.bn.eps, 1e-5);
  assert.equal([byName.lrn.size, byName.lrn.alpha, byName.lrn.beta, byName.lrn.k], [5, 1e-4, 0.75, 1]);
  assert.is(byName.drop.p, 0.5);
  assert.equal(byName.sum.inputs, ['cat', 'cat']);
  assert.equal(byName.cat.inputs, ['lrn', 'dw']);
  assert.equal(byName.fc.outShape, [2, 10]);
  assert.equal([byName.fc.outFeatures, byName.fc.bias], [10, true]);
  // Topological: every input is defined earlier.
  const seen = new Set();
  for (const n of g.nodes) {
    for (const i of n.inputs) assert.ok(seen.has(i), `${n.name} reads ${i} before it exists`);
    seen.add(n.name);
  }
});

test('unnamed nodes get <op>_<k>; output() returns a snapshot', () => {
  const b = new GraphBuilder('t');
  const x = b.input([1, 4, 4, 2]);
  const a = b.relu(x);
  const c = b.relu(a);
  const d = b.conv2d(c, { outChannels: 2, kernel: 1 });
  assert.equal([a, c, d], ['relu_0', 'relu_1', 'conv2d_0']);
  const g = b.output(d);
  g.nodes[1].outShape[1] = 99;
  g.nodes.pop();
  assert.equal(b.shape(a), [1, 4, 4, 2]);
  assert.is(b.output(d).nodes.length, 4);
});

/** Asserts that `fn` throws an Error whose message matches every pattern. */
function throwsWith(fn, ...patterns) {
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err instanceof Error, 'expected an Error');
  for (const p of patterns) assert.match(err.message, p);
}

test('errors name the layer and the problem', () => {
  const fresh = () => {
    const b = new GraphBuilder('t');
    return { b, x: b.input([1, 8, 8, 4]) };
  };
  let { b, x } = fresh();
  const c8 = b.conv2d(x, { outChannels: 8, kernel: 1 }, 'c8');
  throwsWith(() => b.add(x, c8, 'sum'), /^layer "sum" \(add\): channel mismatch/, /\[1, 8, 8, 4\]/, /\[1, 8, 8, 8\]/);
  const half = b.maxpool(x, { kernel: 2 }, 'half');
  throwsWith(() => b.add(x, half, 'sum2'), /^layer "sum2" \(add\): spatial mismatch/);
  throwsWith(() => b.concat([x, half], 'cat'), /^layer "cat" \(concat\): spatial size mismatch/, /"half" is \[1, 4, 4, 4\]/);
  const flat = b.flatten(x, 'flat');
  throwsWith(() => b.concat([x, flat], 'cat2'), /^layer "cat2" \(concat\): rank mismatch/);
  throwsWith(() => b.concat([], 'cat3'), /^layer "cat3" \(concat\): needs at least one input/);
  // Kernel larger than the (padded) input: PyTorch's size would be <= 0.
  throwsWith(() => b.conv2d(x, { outChannels: 1, kernel: 11 }, 'big'),
    /^layer "big" \(conv2d\): output height would be -2: kernel 11 is larger than the padded input 8/);
  throwsWith(() => b.conv2d(x, { outChannels: 1, kernel: 3, dilation: 4 }, 'dil'),
    /^layer "dil" \(conv2d\): output height would be 0: kernel 9 \(dilated\)/);
  throwsWith(() => b.conv2d(x, { outChannels: 1, kernel: [1, 11], padding: [0, 1] }, 'wide'),
    /^layer "wide" \(conv2d\): output width would be 0: kernel 11 is larger than the padded input 10 \(input 8, padding 1\+1\)/);
  const two = b.maxpool(half, { kernel: 2 }, 'two');
  const unit = b.maxpool(two, { kernel: 2 }, 'unit');
  throwsWith(() => b.maxpool(two, { kernel: 3, stride: 2 }, 'tiny'),
    /^layer "tiny" \(maxpool\): output height would be 0: kernel 3 is larger than the padded input 2/);
  // Ceil mode rescues a 3x3 stride-2 window on 2x2 (see above) but not on 1x1.
  throwsWith(() => b.maxpool(unit, { kernel: 3, stride: 2, ceil: true }, 'tiny2'),
    /^layer "tiny2" \(maxpool\): output height would be 0: kernel 3 is larger than the padded input 1/);
  throwsWith(() => b.conv2d(x, { outChannels: 6, kernel: 1, groups: 3 }, 'g3'),
    /^layer "g3" \(conv2d\): groups 3 does not divide 4 input channels/);
  throwsWith(() => b.conv2d(x, { outChannels: 6, kernel: 1, groups: 4 }, 'g4'),
    /^layer "g4" \(conv2d\): groups 4 does not divide 6 output channels/);
  throwsWith(() => b.relu(x, 'c8'), /^layer "c8" \(relu\): duplicate name, a conv2d node has it/);
  throwsWith(() => b.relu('nope', 'r'), /^layer "r" \(relu\): unknown input "nope"/);
  throwsWith(() => b.concat([x, 'ghost'], 'cat4'), /^layer "cat4" \(concat\): unknown input "ghost"/);
  throwsWith(() => b.fc(x, { outFeatures: 10 }, 'fc'), /^layer "fc" \(fc\): needs \[N, features\].*flatten first/);
  throwsWith(() => b.conv2d(flat, { outChannels: 1, kernel: 1 }, 'c2d'), /^layer "c2d" \(conv2d\): needs an \[N, H, W, C\] input/);
  throwsWith(() => b.maxpool(x, { kernel: 3, padding: 2 }, 'mp'), /^layer "mp" \(maxpool\): padding 2 exceeds half/);
  throwsWith(() => b.conv2d(x, { outChannels: 2.5, kernel: 1 }, 'oc'), /^layer "oc" \(conv2d\): outChannels must be a positive integer/);
  throwsWith(() => b.conv2d(x, { outChannels: 2, kernel: 1, stride: 0 }, 's0'), /^layer "s0" \(conv2d\): stride must be/);
  throwsWith(() => b.conv2d(x, { outChannels: 2, kernel: 1, padding: -1 }, 'pn'), /^layer "pn" \(conv2d\): padding must be non-negative/);
  throwsWith(() => b.dropout(x, { p: 1 }, 'd'), /^layer "d" \(dropout\): p must be in \[0, 1\)/);
  throwsWith(() => b.batchnorm(x, { eps: 0 }, 'bn'), /^layer "bn" \(batchnorm\): eps must be positive/);
  throwsWith(() => b.input([1, 8, 8, 3], 'in2'), /^layer "in2" \(input\): graph already has input "input"/);
  throwsWith(() => b.output('nowhere'), /unknown input "nowhere"/);
  ({ b, x } = fresh());
  throwsWith(() => new GraphBuilder('t').input([1, 0, 8, 3]), /^layer "input" \(input\): shape must be positive integers/);
  throwsWith(() => new GraphBuilder('t').output('x'), /no input\(\) was declared/);
  // A failed call adds nothing: the name stays free.
  throwsWith(() => b.conv2d(x, { outChannels: 1, kernel: 99 }, 'retry'), /retry/);
  assert.is(b.conv2d(x, { outChannels: 1, kernel: 1 }, 'retry'), 'retry');
});

/** in -> conv(3x3, 3 -> 8, pad 1) -> bn -> relu -> dw(3x3, stride 2) -> flatten -> fc(10). */
function small(batch = 1) {
  const b = new GraphBuilder('small');
  let x = b.input([batch, 6, 6, 3]);
  x = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }, 'conv');
  x = b.relu(b.batchnorm(x, {}, 'bn'), 'relu');
  x = b.dwconv(x, { kernel: 3, stride: 2, padding: 1, bias: false }, 'dw');
  x = b.conv2d(x, { outChannels: 4, kernel: 1, groups: 2 }, 'gconv');
  return b.output(b.fc(b.flatten(x, 'flat'), { outFeatures: 10 }, 'fc'));
}

test('paramCount and macCount, by hand', () => {
  // conv 3*3*3*8 + 8 = 224; bn 2*8 = 16; dw 3*3*1*8 = 72; gconv 1*1*4*4 + 4 = 20;
  // fc (3*3*4)*10 + 10 = 370. Total 702.
  assert.is(paramCount(small()), 702);
  // conv 6*6*8*27 = 7776; dw 3*3*8*9 = 648; gconv 3*3*4*4 = 144; fc 36*10 = 360. Total 8928.
  assert.is(macCount(small()), 8928);
  assert.is(macCount(small(3)), 3 * 8928);
  assert.is(paramCount(small(3)), 702);
});

test('randomWeights: layouts and lengths', () => {
  const w = randomWeights(small());
  assert.equal([...w.keys()].sort(), ['bn', 'conv', 'dw', 'fc', 'gconv']);
  assert.is(w.get('conv').weight.length, 3 * 3 * 3 * 8);
  assert.is(w.get('conv').bias.length, 8);
  assert.is(w.get('dw').weight.length, 3 * 3 * 1 * 8);
  assert.is(w.get('dw').bias, undefined);
  assert.is(w.get('gconv').weight.length, 1 * 1 * 4 * 4);
  assert.is(w.get('fc').weight.length, 36 * 10);
  assert.is(w.get('fc').bias.length, 10);
  const bn = w.get('bn');
  for (const k of ['gamma', 'beta', 'mean', 'variance']) assert.is(bn[k].length, 8);
  for (let i = 0; i < 8; i++) {
    assert.ok(bn.gamma[i] >= 0.9 && bn.gamma[i] <= 1.1);
    assert.ok(bn.variance[i] >= 0.9 && bn.variance[i] <= 1.1);
    assert.ok(Math.abs(bn.beta[i]) <= 0.05 && Math.abs(bn.mean[i]) <= 0.05);
  }
  for (const b of w.get('conv').bias) assert.ok(Math.abs(b) <= 0.01);
});

test('randomWeights: deterministic per (seed, layer name)', () => {
  const a = randomWeights(small(), 7);
  const b = randomWeights(small(), 7);
  const c = randomWeights(small(), 8);
  assert.equal(a.get('conv').weight, b.get('conv').weight);
  assert.equal(a.get('bn').variance, b.get('bn').variance);
  assert.not.equal(a.get('conv').weight, c.get('conv').weight);
  assert.not.equal(a.get('conv').weight, a.get('fc').weight.subarray(0, 216));
  // Another graph with the same first layer: that layer's weights do not change.
  const g = new GraphBuilder('other');
  g.conv2d(g.input([1, 6, 6, 3]), { outChannels: 8, kernel: 3, padding: 1 }, 'conv');
  const d = randomWeights(g.output('conv'), 7);
  assert.equal(d.get('conv').weight, a.get('conv').weight);
});

test('randomWeights: He-normal behind a ReLU, fan-in scaled before it', () => {
  const b = new GraphBuilder('he');
  let x = b.input([1, 8, 8, 64]);
  x = b.conv2d(x, { outChannels: 64, kernel: 3, bias: false }, 'first');
  x = b.relu(x, 'relu');
  x = b.conv2d(x, { outChannels: 256, kernel: 3, bias: false }, 'second');
  const w = randomWeights(b.output(x), 1);
  const std = (a) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  const fanIn = 3 * 3 * 64;
  // The image is unit-variance: std = sqrt(1 / fanIn). Behind the ReLU half the power is left:
  // sqrt(2 / fanIn), He's rule.
  assert.ok(Math.abs(std(w.get('first').weight) / Math.sqrt(1 / fanIn) - 1) < 0.02);
  assert.ok(Math.abs(std(w.get('second').weight) / Math.sqrt(2 / fanIn) - 1) < 0.02);
});

test.run();
