// Cost handlers and analysis: golden numbers worked out by hand (arithmetic in the comments),
// then whole-model figures against torchvision. 1 MAC = one multiply-add; FLOPs = 2 x MACs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder } from '../dist/graph/index.js';
import {
  analyze, costOf, costJson, formatCostTable, COST_HANDLERS, ZERO_COST_OPS, OP_CLASSES,
} from '../dist/cost/index.js';

/** One-layer graph: input of `shape`, then `layer(b, x)`; returns the analysis and that layer's row. */
function one(shape, layer) {
  const b = new GraphBuilder('one');
  const g = b.output(layer(b, b.input(shape)));
  const r = analyze(g);
  return { r, l: r.layers.at(-1) };
}

/** The seed article's conv: 32x32x3 → 16 filters, 3x3, 'same', no bias. */
function seedConv(batch) {
  const b = new GraphBuilder('seed-conv');
  const x = b.input([batch, 32, 32, 3]);
  return b.output(b.conv2d(x, { outChannels: 16, kernel: 3, padding: 'same', bias: false }, 'conv'));
}

test('seed example: 3x3 conv 32x32x3 → 16, same padding, no bias', () => {
  const r = analyze(seedConv(1));
  const l = r.layers[1];
  // params = 3*3*3*16 = 432
  assert.is(l.params, 432);
  assert.is(r.params, 432);
  // MACs = Ho*Wo*Cout*kh*kw*Cin = 32*32*16*3*3*3 = 1024*16*27 = 442,368; FLOPs = 884,736
  assert.is(l.macs, 442_368);
  assert.is(r.macs, 442_368);
  assert.is(r.flops, 884_736);
  assert.is(l.otherOps, 0); // no bias, no bias adds
  // bytes: weights 432*4 = 1,728; read 32*32*3*4 = 12,288; write 32*32*16*4 = 65,536
  assert.is(l.weightBytes, 1_728);
  assert.is(l.readBytes, 12_288);
  assert.is(l.writeBytes, 65_536);
  // intensity = 884,736 / (1,728 + 12,288 + 65,536 = 79,552) = 11.1215...
  assert.ok(Math.abs(l.intensity - 884_736 / 79_552) < 1e-12);
  assert.is(l.opClass, 'conv');
  assert.equal(l.inShapes, [[1, 32, 32, 3]]);
  assert.equal(l.outShape, [1, 32, 32, 16]);
  assert.is(r.weightBytes, 1_728);
});

test('seed example, depthwise separable: 3x3 depthwise on 3 channels + 1x1 to 16, no bias', () => {
  const b = new GraphBuilder('seed-sep');
  let x = b.input([1, 32, 32, 3]);
  x = b.dwconv(x, { kernel: 3, padding: 'same', bias: false }, 'dw');
  x = b.conv2d(x, { outChannels: 16, kernel: 1, bias: false }, 'pw');
  const r = analyze(b.output(x));
  const [, dw, pw] = r.layers;
  // depthwise: params 3*3*1*3 = 27; MACs 32*32*3*3*3*1 = 1024*27 = 27,648
  assert.is(dw.params, 27);
  assert.is(dw.macs, 27_648);
  assert.is(dw.opClass, 'dwconv');
  // pointwise: params 1*1*3*16 = 48; MACs 32*32*16*3 = 49,152
  assert.is(pw.params, 48);
  assert.is(pw.macs, 49_152);
  assert.is(pw.opClass, 'conv1x1');
  // total: 27 + 48 = 75 params; 27,648 + 49,152 = 76,800 MACs (vs 432 and 442,368 for the full conv)
  assert.is(r.params, 75);
  assert.is(r.macs, 76_800);
  assert.equal(r.byOp.dwconv, { params: 27, macs: 27_648, layers: 1 });
  assert.equal(r.byOp.conv1x1, { params: 48, macs: 49_152, layers: 1 });
});

test('fc 4096 → 1000 with bias', () => {
  const { l } = one([1, 4096], (b, x) => b.fc(x, { outFeatures: 1000 }, 'fc'));
  // params = 4096*1000 + 1000 = 4,097,000; MACs = 1*4096*1000 = 4,096,000 (bias adds are not MACs)
  assert.is(l.params, 4_097_000);
  assert.is(l.macs, 4_096_000);
  assert.is(l.otherOps, 1_000); // one bias add per output
  assert.is(l.weightBytes, 16_388_000); // 4,097,000 * 4
  assert.is(l.readBytes, 16_384); // 4096 * 4
  assert.is(l.writeBytes, 4_000); // 1000 * 4
  assert.is(l.opClass, 'fc');
  // without bias: 4,096,000 params, no bias adds
  const nb = one([1, 4096], (b, x) => b.fc(x, { outFeatures: 1000, bias: false })).l;
  assert.is(nb.params, 4_096_000);
  assert.is(nb.otherOps, 0);
});

test('batchnorm: gamma + beta are params, running stats are not; 2 ops per element', () => {
  const { l } = one([1, 56, 56, 64], (b, x) => b.batchnorm(x));
  assert.is(l.params, 128); // 2 * 64
  assert.is(l.weightBytes, 512); // 128 * 4
  assert.is(l.macs, 0);
  assert.is(l.otherOps, 401_408); // 2 * 56*56*64 = 2 * 200,704
  assert.is(l.opClass, 'eltwise');
});

test('grouped conv: AlexNet-2012 conv2, 27x27x96 → 256, 5x5, pad 2, groups 2, bias', () => {
  const { l } = one([1, 27, 27, 96], (b, x) =>
    b.conv2d(x, { outChannels: 256, kernel: 5, padding: 2, groups: 2 }, 'conv2'));
  // params = 5*5*(96/2)*256 + 256 = 307,200 + 256 = 307,456
  assert.is(l.params, 307_456);
  // MACs = 27*27*256*5*5*48 = 729*256*1200 = 186,624*1200 = 223,948,800
  assert.is(l.macs, 223_948_800);
  assert.is(l.otherOps, 186_624); // bias adds: 27*27*256
  assert.is(l.opClass, 'conv'); // grouped k x k stays 'conv'
  // grouped 1x1 (ShuffleNet style): 8x8x16 → 32, groups 4: params 1*1*(16/4)*32 = 128,
  // MACs 8*8*32*4 = 8,192; class conv1x1
  const g1 = one([1, 8, 8, 16], (b, x) => b.conv2d(x, { outChannels: 32, kernel: 1, groups: 4, bias: false })).l;
  assert.is(g1.params, 128);
  assert.is(g1.macs, 8_192);
  assert.is(g1.opClass, 'conv1x1');
  // depthwise with multiplier 2: 8x8x4 → 8, 3x3, pad 1, groups 4: params 3*3*1*8 = 72,
  // MACs 8*8*8*9 = 4,608; class dwconv
  const dm = one([1, 8, 8, 4], (b, x) => b.dwconv(x, { kernel: 3, padding: 1, multiplier: 2, bias: false })).l;
  assert.is(dm.params, 72);
  assert.is(dm.macs, 4_608);
  assert.is(dm.opClass, 'dwconv');
});

test('max pool: comparisons = valid taps - 1 per window', () => {
  // 2x2 stride 2 on 4x4x1: 4 windows of 4 taps, 3 compares each = 12
  const a = one([1, 4, 4, 1], (b, x) => b.maxpool(x, { kernel: 2 })).l;
  assert.is(a.otherOps, 12);
  assert.is(a.macs, 0);
  assert.is(a.params, 0);
  assert.is(a.opClass, 'pool');
  // ResNet stem: 3x3 s2 p1 on 112x112x64 → 56x56. Valid rows per output row: the first window
  // covers rows -1..1 (2 valid), the other 55 cover 3: 2 + 55*3 = 167; columns the same.
  // Taps = 167*167*64 = 27,889*64 = 1,784,896; compares = taps - windows
  // = 1,784,896 - 56*56*64 (200,704) = 1,584,192
  const s = one([1, 112, 112, 64], (b, x) => b.maxpool(x, { kernel: 3, stride: 2, padding: 1 })).l;
  assert.is(s.otherOps, 1_584_192);
  assert.is(s.readBytes, 3_211_264); // 112*112*64*4
  assert.is(s.writeBytes, 802_816); // 56*56*64*4
});

test('avg / global avg pool, relu, relu6, add, concat, lrn, softmax: other ops', () => {
  // avg 3x3 s1 p1 on 4x4x2: valid rows per output row 2,3,3,2 = 10, columns the same;
  // taps = 10*10 = 100 per channel (taps - 1 adds + 1 multiply each window) * 2 channels = 200
  assert.is(one([1, 4, 4, 2], (b, x) => b.avgpool(x, { kernel: 3, stride: 1, padding: 1 })).l.otherOps, 200);
  // global average pool 7x7x2048: 49 per channel (48 adds + 1 multiply) * 2048 = 100,352
  const gap = one([1, 7, 7, 2048], (b, x) => b.globalAvgPool(x)).l;
  assert.is(gap.otherOps, 100_352);
  assert.equal(gap.outShape, [1, 1, 1, 2048]);
  assert.is(gap.opClass, 'pool');
  // relu on 2x2x3 = 12 elements: 12; relu6 (max then min): 24
  assert.is(one([1, 2, 2, 3], (b, x) => b.relu(x)).l.otherOps, 12);
  assert.is(one([1, 2, 2, 3], (b, x) => b.relu6(x)).l.otherOps, 24);
  // add of two 2x2x3 tensors: 12 adds; reads 2*12*4 = 96 bytes, writes 48
  const add = one([1, 2, 2, 3], (b, x) => b.add(b.relu(x), x)).l;
  assert.equal([add.otherOps, add.readBytes, add.writeBytes, add.opClass], [12, 96, 48, 'eltwise']);
  // concat of 2x2x3 and 2x2x5 → 2x2x8: no arithmetic; reads (12 + 20)*4 = 128, writes 32*4 = 128
  const cat = one([1, 2, 2, 3], (b, x) => b.concat([x, b.conv2d(x, { outChannels: 5, kernel: 1 })])).l;
  assert.equal([cat.otherOps, cat.readBytes, cat.writeBytes, cat.opClass], [0, 128, 128, 'other']);
  // lrn size 5 on 12 elements: (1 square + 4 adds + 1 mul + 1 add + 1 pow + 1 div = 9) * 12 = 108
  assert.is(one([1, 2, 2, 3], (b, x) => b.lrn(x, { size: 5 })).l.otherOps, 108);
  // softmax over 1000: 999 compares + 1000 sub + 1000 exp + 999 adds + 1000 div = 4,998
  const sm = one([1, 1000], (b, x) => b.softmax(x)).l;
  assert.equal([sm.otherOps, sm.macs, sm.opClass], [4_998, 0, 'other']);
});

test('zero-cost ops are listed and cost nothing', () => {
  assert.equal([...ZERO_COST_OPS], ['input', 'flatten', 'dropout']);
  const b = new GraphBuilder('z');
  const x = b.input([1, 2, 2, 3]);
  const r = analyze(b.output(b.dropout(b.flatten(x))));
  for (const l of r.layers) {
    assert.equal([l.params, l.macs, l.otherOps, l.weightBytes, l.readBytes, l.writeBytes, l.intensity],
      [0, 0, 0, 0, 0, 0, 0], l.name);
    assert.is(l.opClass, 'other');
  }
  // every op of the IR has a handler, and no more
  assert.equal(Object.keys(COST_HANDLERS).sort(), [
    'add', 'avgpool', 'batchnorm', 'channelmul', 'channelshuffle', 'channelslice', 'clip', 'concat', 'conv2d', 'dropout', 'fc', 'flatten', 'globalavgpool',
    'globalmaxpool', 'input', 'leakyrelu', 'lrn', 'maxpool', 'relu', 'relu6', 'scale', 'scaleshift', 'sigmoid', 'softmax']);
});

test('batch 2 doubles MACs, ops and bytes but not params', () => {
  const r1 = analyze(seedConv(1));
  const r2 = analyze(seedConv(2));
  // 2 * 442,368 = 884,736 MACs; params stay 3*3*3*16 = 432
  assert.is(r2.batch, 2);
  assert.equal(r2.input, [2, 32, 32, 3]);
  assert.is(r2.macs, 884_736);
  assert.is(r2.params, 432);
  assert.is(r2.weightBytes, r1.weightBytes);
  assert.is(r2.layers[1].readBytes, 2 * 12_288);
  assert.is(r2.activationBytes.naive, 2 * r1.activationBytes.naive);
  // the batch option re-batches a graph: same result as building at that batch
  assert.equal(analyze(seedConv(1), { batch: 2 }), r2);
  assert.equal(analyze(seedConv(2), { batch: 1 }), r1);
  assert.throws(() => analyze(seedConv(1), { batch: 0 }), /batch must be a positive integer/);
});

test('unknown ops are rejected with the node and op named', () => {
  const g = {
    name: 'bad', input: 'in', output: 'act',
    nodes: [
      { name: 'in', op: 'input', inputs: [], outShape: [1, 4] },
      { name: 'act', op: 'gelu', inputs: ['in'], outShape: [1, 4] },
    ],
  };
  assert.throws(() => analyze(g), (e) => e instanceof RangeError && /layer "act": unknown op "gelu"; known ops: input, conv2d/.test(e.message));
  assert.throws(() => costOf(g.nodes[1], [[1, 4]]), /layer "act" \(gelu\)/);
  // inherited keys are not handlers
  assert.throws(() => costOf({ ...g.nodes[1], op: 'toString' }, [[1, 4]]), /no cost handler for op "toString"/);
  // inputs must be earlier nodes
  const g2 = { ...g, nodes: [g.nodes[0], { name: 'r', op: 'relu', inputs: ['later'], outShape: [1, 4] }] };
  assert.throws(() => analyze(g2), /layer "r" \(relu\): unknown input "later"/);
});

/** A small net touching every op class. */
function mixed() {
  const b = new GraphBuilder('mixed');
  let x = b.input([1, 16, 16, 3], 'input');
  x = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }, 'conv3x3');
  x = b.batchnorm(x, {}, 'bn');
  x = b.relu6(x, 'relu6');
  x = b.lrn(x, { size: 3 }, 'lrn');
  x = b.maxpool(x, { kernel: 2 }, 'maxpool');
  const d = b.dwconv(x, { kernel: 3, padding: 1 }, 'dw');
  const p = b.conv2d(d, { outChannels: 8, kernel: 1 }, 'pw');
  x = b.add(x, p, 'add');
  x = b.relu(x, 'relu');
  x = b.concat([x, b.conv2d(x, { outChannels: 4, kernel: 3, padding: 1, groups: 2 }, 'gconv')], 'concat');
  x = b.avgpool(x, { kernel: 2 }, 'avgpool');
  x = b.globalAvgPool(x, 'gap');
  x = b.flatten(x, 'flatten');
  x = b.dropout(x, {}, 'dropout');
  x = b.fc(x, { outFeatures: 10 }, 'fc');
  return b.output(b.softmax(x, 'softmax'));
}

test('op class of every kind of node', () => {
  const r = analyze(mixed());
  const got = Object.fromEntries(r.layers.map((l) => [l.name, l.opClass]));
  assert.equal(got, {
    input: 'other', conv3x3: 'conv', bn: 'eltwise', relu6: 'eltwise', lrn: 'other', maxpool: 'pool',
    dw: 'dwconv', pw: 'conv1x1', add: 'eltwise', relu: 'eltwise', gconv: 'conv', concat: 'other',
    avgpool: 'pool', gap: 'pool', flatten: 'other', dropout: 'other', fc: 'fc', softmax: 'other',
  });
  assert.equal(Object.keys(r.byOp), [...OP_CLASSES]);
});

function assertByOpSums(r) {
  const sum = (k) => OP_CLASSES.reduce((s, c) => s + r.byOp[c][k], 0);
  assert.is(sum('params'), r.params, `${r.model}: params`);
  assert.is(sum('macs'), r.macs, `${r.model}: macs`);
  assert.is(sum('layers'), r.layers.length, `${r.model}: layers`);
  assert.is(r.layers.reduce((s, l) => s + l.params, 0), r.params, `${r.model}: layer params`);
  assert.is(r.layers.reduce((s, l) => s + l.macs, 0), r.macs, `${r.model}: layer macs`);
  assert.is(r.layers.reduce((s, l) => s + l.otherOps, 0), r.otherOps, `${r.model}: layer otherOps`);
}

test('byOp sums equal the totals', () => {
  const r = analyze(mixed());
  assertByOpSums(r);
  // conv3x3: 3*3*3*8 + 8 = 224 params, 16*16*8*27 = 55,296 MACs
  // gconv: 3*3*(8/2)*4 + 4 = 148 params, 8*8*4*36 = 9,216 MACs; conv class = 372 / 64,512
  assert.equal(r.byOp.conv, { params: 372, macs: 64_512, layers: 2 });
  // bn: 2*8 = 16 params; no MACs in eltwise
  assert.equal(r.byOp.eltwise, { params: 16, macs: 0, layers: 4 });
  // fc: 12*10 + 10 = 130 params, 120 MACs (gap → 1x1x12 after the concat of 8 + 4)
  assert.equal(r.byOp.fc, { params: 130, macs: 120, layers: 1 });
});

test('activation bytes: naive sum of outputs, flatten / dropout alias; peak from the runtime planner', () => {
  const b = new GraphBuilder('acts');
  let x = b.input([1, 32, 32, 3]);
  x = b.conv2d(x, { outChannels: 16, kernel: 3, padding: 'same', bias: false });
  x = b.dropout(b.flatten(x));
  const g = b.output(b.fc(x, { outFeatures: 10 }));
  const r = analyze(g);
  // input 3,072 + conv 16,384 + flatten 0 (alias) + dropout 0 (alias) + fc 10 = 19,466 floats * 4
  assert.is(r.activationBytes.naive, 77_864);
  // planned: the conv's 16,384 floats live while the input (3,072, dead after the conv) and then
  // the fc output (10, born after it) share one slot beside it: 19,456 floats * 4
  assert.is(r.activationBytes.peak, 77_824);
  const withPeak = analyze(g, { batch: 3 });
  assert.is(withPeak.activationBytes.peak, 3 * 77_824); // the planner sees the re-batched graph
  assert.is(withPeak.activationBytes.naive, 3 * 77_864);
});

test('formatCostTable and costJson', () => {
  const r = analyze(seedConv(1));
  const t = formatCostTable(r);
  assert.match(t, /seed-conv: batch 1, input \[1, 32, 32, 3\]/);
  assert.match(t, /conv\s+conv\s+\[1, 32, 32, 16\]\s+432\s+442,368/);
  assert.match(t, /total\s+432\s+442,368/);
  assert.match(t, /conv\s+1\s+432\s+100\.0%\s+442,368\s+100\.0%/);
  const j = costJson(r);
  assert.equal(Object.keys(j), ['model', 'batch', 'input', 'params', 'macs', 'byOp', 'layers', 'activationBytes']);
  assert.equal(j.byOp.conv, { params: 432, macs: 442_368 });
  assert.equal(Object.keys(j.byOp), [...OP_CLASSES]);
  assert.equal(j.layers[1], { name: 'conv', op: 'conv2d', outShape: [1, 32, 32, 16], params: 432, macs: 442_368 });
  assert.equal(j.activationBytes, { peak: (3_072 + 16_384) * 4, naive: (3_072 + 16_384) * 4 });
  assert.equal(JSON.parse(JSON.stringify(j)), j);
});

// Whole models through the registry (src/models, another engineer's; used read-only). A
// missing dist/models is a broken build, not a reason to skip: the import fails the file.
const zoo = await import('../dist/models/index.js');

test('dist/models exports buildModel and MODELS', () => {
  assert.type(zoo.buildModel, 'function');
  assert.ok(Array.isArray(zoo.MODELS) && zoo.MODELS.length > 10, `${zoo.MODELS?.length} models`);
});

test('resnet-50: torchvision figures (25,557,032 params, 4.089 GMACs)', () => {
  const r = analyze(zoo.buildModel('resnet-50', {}));
  assert.is(r.params, 25_557_032);
  assert.is(Math.round(r.macs / 1e6) / 1e3, 4.089); // exactly 4,089,184,256
  assertByOpSums(r);
  const r2 = analyze(zoo.buildModel('resnet-50', { batch: 2 }));
  assert.is(r2.macs, 2 * r.macs);
  assert.is(r2.params, r.params);
});

test('every zoo model: byOp sums to the totals', () => {
  for (const { name } of zoo.MODELS) {
    const g = zoo.buildModel(name, {});
    assertByOpSums(analyze(g));
  }
});

test.run();
