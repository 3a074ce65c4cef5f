// The compiled network's contract: fusion and planning decisions, layouts, real weights in
// PyTorch layout, bad input, no leak over 1,000 runs, dispose, several nets in one process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, buildModel, compile, createEngine, randomWeights, planActivations } from '../../dist/index.js';
import { lower, planEngineBytes } from '../../dist/lower/index.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { nhwcToNchw } from '../reference/ops.mjs';

const rng = mulberry32(17);
const count = (s) => s.reduce((a, b) => a * b, 1);

test('plan: BN folded, activations fused, residual add+ReLU fused, concat written in place', async () => {
  const r18 = await compile(buildModel('resnet-18', { resolution: 64 }));
  const kinds = r18.plan.steps.map((s) => s.kind);
  assert.ok(!kinds.includes('scale_shift'), 'every BN after a conv is folded');
  assert.ok(!kinds.includes('clamp'), 'every ReLU is fused');
  assert.ok(kinds.includes('add_relu'));
  const stem = r18.plan.steps[0];
  assert.equal(stem.nodes, ['conv1', 'bn1', 'relu']);
  assert.ok(kinds.includes('conv1x1') && kinds.includes('im2col') && kinds.includes('gemv'));
  assert.ok(r18.plan.peakBytes < r18.plan.naiveBytes / 2, 'liveness planning reuses memory');
  assert.equal(planActivations(r18.graph).peakBytes, r18.plan.peakBytes, 'plan-only agrees with compile');
  r18.dispose();
  const g = await compile(buildModel('googlenet', { resolution: 64 }));
  const concats = g.plan.steps.filter((s) => s.kind.startsWith('concat'));
  assert.ok(concats.length >= 9 && concats.every((s) => s.kind === 'concat_inplace'), 'inception concats cost nothing');
  g.dispose();
  const mb = await compile(buildModel('mobilenet-v1', { resolution: 128 }));
  const mk = mb.plan.steps.map((s) => s.kind);
  assert.ok(mk.includes('dw3x3s1') && mk.includes('dw3x3s2') && mk.includes('conv1x1'));
  mb.dispose();
});

test('nchw layout gives the same result as the equivalent nhwc input', async () => {
  const graph = buildModel('resnet-18', { resolution: 32, batch: 2 });
  const net = await compile(graph);
  const x = randomArray(rng, count(net.inputShape));
  const a = net.run(x);
  const b = net.run(nhwcToNchw(x, net.inputShape).data, { layout: 'nchw' });
  assert.equal(Array.from(a), Array.from(b));
  net.dispose();
});

test('setWeights in PyTorch layout (OIHW conv, [out][in] fc after a C,H,W flatten) matches HWIO weights', async () => {
  const b = new GraphBuilder('tiny');
  let x = b.input([1, 5, 4, 3]);
  x = b.conv2d(x, { outChannels: 6, kernel: 3, padding: 1 }, 'conv');
  x = b.relu(x, 'relu');
  x = b.flatten(x, 'flatten');
  x = b.fc(x, { outFeatures: 7 }, 'fc');
  const graph = b.output(x);
  const w = randomWeights(graph, 3);
  const net = await compile(graph, { weights: w });
  const input = randomArray(rng, 60);
  const want = runGraph(graph, w, input).data;
  assert.ok(relDiff(net.run(input), want) <= 1e-5);
  // the same weights in PyTorch layouts
  const cw = w.get('conv').weight; // [kh][kw][i][o]
  const oihw = new Float32Array(cw.length);
  for (let o = 0; o < 6; o++) for (let i = 0; i < 3; i++) for (let y = 0; y < 3; y++) for (let xx = 0; xx < 3; xx++) {
    oihw[((o * 3 + i) * 3 + y) * 3 + xx] = cw[((y * 3 + xx) * 3 + i) * 6 + o];
  }
  const fw = w.get('fc').weight; // [(h,w,c)][out]
  const pt = new Float32Array(fw.length);
  for (let o = 0; o < 7; o++) for (let c = 0; c < 6; c++) for (let y = 0; y < 5; y++) for (let xx = 0; xx < 4; xx++) {
    pt[o * 120 + (c * 5 + y) * 4 + xx] = fw[((y * 4 + xx) * 6 + c) * 7 + o];
  }
  const net2 = await compile(graph, { seed: 99 });
  assert.ok(relDiff(net2.run(input), want) > 1e-2, 'different weights give a different answer');
  net2.setWeights('conv', { weight: oihw, bias: w.get('conv').bias }, 'pytorch');
  net2.setWeights('fc', { weight: pt, bias: w.get('fc').bias }, 'pytorch');
  assert.ok(relDiff(net2.run(input), want) <= 1e-5);
  assert.throws(() => net2.setWeights('nope', { weight: pt }), /no layer named "nope"/);
  assert.throws(() => net2.setWeights('fc', { weight: pt.subarray(1) }, 'pytorch'), /weight must have 840 elements/);
  net.dispose(); net2.dispose();
});

test('setWeights on a batch norm folded into its conv re-folds; plain layers re-pack', async () => {
  const b = new GraphBuilder('bnfold');
  let x = b.input([1, 6, 6, 4]);
  x = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1, bias: false }, 'conv');
  x = b.batchnorm(x, {}, 'bn');
  x = b.relu(x, 'relu');
  x = b.globalAvgPool(x, 'gap');
  x = b.flatten(x, 'flatten');
  x = b.fc(x, { outFeatures: 5 }, 'fc');
  const graph = b.output(x);
  const w = randomWeights(graph, 5);
  const net = await compile(graph, { weights: w });
  const input = randomArray(rng, 144);
  const bn = w.get('bn');
  const bn2 = { gamma: bn.gamma.map((v) => v * 1.5), beta: bn.beta.map((v) => v + 0.2), mean: bn.mean, variance: bn.variance };
  net.setWeights('bn', bn2);
  const w2 = new Map(w); w2.set('bn', bn2);
  assert.ok(relDiff(net.run(input), runGraph(graph, w2, input).data) <= 1e-5, 'batch norm re-folded');
  const fc2 = { weight: randomArray(rng, 8 * 5), bias: randomArray(rng, 5) };
  net.setWeights('fc', fc2);
  w2.set('fc', fc2);
  assert.ok(relDiff(net.run(input), runGraph(graph, w2, input).data) <= 1e-5, 'fc re-packed');
  net.dispose();
});

test('compile grows the memory once, to the planned size; Engine.reserve only ever grows', async () => {
  const e = await createEngine();
  const start = e.memoryBytes;
  e.reserve(start - 65536);
  assert.is(e.memoryBytes, start, 'a smaller size changes nothing');
  e.reserve(start + 10 * 2 ** 20);
  const grown = e.memoryBytes;
  assert.ok(grown >= start + 10 * 2 ** 20 && grown < start + 10 * 2 ** 20 + 65536, `grown to ${grown}`);
  const p = e.alloc(2 ** 20);
  assert.is(e.memoryBytes, grown, 'an allocation inside the reserved size does not grow it');
  e.release(p);
  e.dispose();
  assert.throws(() => e.reserve(2 ** 30), /disposed/);
  const g = buildModel('mobilenet-v1', { resolution: 128, alpha: 0.5 });
  const net = await compile(g);
  const planned = planEngineBytes(lower(g), 1);
  assert.ok(net.memoryBytes > planned - 65536 && net.memoryBytes <= planned, `memory ${net.memoryBytes} vs planned ${planned}`);
  net.dispose();
});

test('Engine.lend: transient blocks come from the lent region while they fit, release frees them, unlend ends it', async () => {
  const e = await createEngine();
  const region = e.alloc(1024);
  const used = e.allocatedBytes;
  assert.throws(() => e.lend(region + 64, 16), /not a live allocation/);
  assert.throws(() => e.lend(region, 2048), /not a live allocation/);
  e.lend(region, 1024);
  const a = e.uploadTransient(new Float32Array(100).fill(3));
  const b = e.allocTransient(900);
  assert.ok(a >= region && a + 400 <= region + 4096 && b > a && b + 3600 <= region + 4096, 'both inside the region');
  assert.is(e.f32[a >> 2], 3);
  const c = e.allocTransient(64);
  assert.ok(c < region || c >= region + 4096, 'what does not fit comes from alloc()');
  assert.is(e.allocatedBytes, used + 256);
  e.release(c);
  e.release(a);
  const d = e.allocTransient(16);
  assert.ok(d > b, 'a block after the last one still out');
  e.release(b); e.release(d);
  assert.is(e.allocTransient(1000), region, 'all freed: the region from its start');
  e.unlend();
  assert.is(e.allocatedBytes, used, 'lent blocks never touch the allocator');
  const f = e.allocTransient(16);
  assert.ok(f < region || f >= region + 4096, 'after unlend: alloc()');
  e.release(f);
  assert.is(e.allocatedBytes, used);
  e.dispose();
});

test('bad input to run: clear errors, the net stays usable', async () => {
  const net = await compile(buildModel('mobilenet-v1', { resolution: 128, alpha: 0.25 }));
  const x = randomArray(rng, count(net.inputShape));
  const ref = net.run(x);
  assert.throws(() => net.run(x.subarray(1)), (e) => e instanceof RangeError && /input must have 49152 elements/.test(e.message));
  assert.throws(() => net.run(Array.from(x)), (e) => e instanceof TypeError && /Float32Array/.test(e.message));
  assert.throws(() => net.run(x, { layout: 'chw' }), (e) => e instanceof TypeError && /layout/.test(e.message));
  const bad = x.slice(); bad[100] = NaN;
  assert.throws(() => net.run(bad), (e) => e instanceof RangeError && /input\[100\] is NaN/.test(e.message));
  bad[100] = Infinity;
  assert.throws(() => net.run(bad), /input\[100\] is Infinity/);
  assert.equal(Array.from(net.run(x)), Array.from(ref));
  net.dispose();
  assert.throws(() => net.run(x), /disposed/);
});

test('1,000 runs of mobilenet-v1 leave wasm memory and the JS heap flat', async () => {
  const net = await compile(buildModel('mobilenet-v1', { resolution: 128 }));
  const x = randomArray(rng, count(net.inputShape));
  net.run(x);
  const mem = net.memoryBytes;
  globalThis.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 1000; i++) net.run(x);
  globalThis.gc?.();
  const heap1 = process.memoryUsage().heapUsed;
  assert.is(net.memoryBytes, mem, 'wasm memory grew');
  // each run returns a 4 KB logits copy; without gc() exposed, allow young-generation garbage
  assert.ok(heap1 - heap0 < 8 * 2 ** 20, `JS heap grew by ${((heap1 - heap0) / 2 ** 20).toFixed(1)} MiB`);
  net.dispose();
});

test('several nets live in one process; dispose frees each independently', async () => {
  const a = await compile(buildModel('resnet-18', { resolution: 32 }));
  const b = await compile(buildModel('mobilenet-v2', { resolution: 32 }));
  const xa = randomArray(rng, count(a.inputShape)), xb = randomArray(rng, count(b.inputShape));
  const ya = a.run(xa), yb = b.run(xb);
  a.dispose();
  assert.is(a.memoryBytes, 0);
  assert.equal(Array.from(b.run(xb)), Array.from(yb));
  b.dispose();
  assert.ok(ya.length === 1000);
});

test.run();
