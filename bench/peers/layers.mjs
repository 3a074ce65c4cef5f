// Layer by layer against LiteRT.js: every distinct convolution of a zoo network (shape, kernel,
// stride, padding, groups, fused activation) as a one-layer model, run by simdnet and by LiteRT.js
// (TFLite + XNNPACK, on our toTFLite export of the same layer), runs interleaved, medians. Where
// the whole-network ratio comes from, since LiteRT.js has no per-operator profile of its own.
// Layers that repeat are timed once and counted as often as they occur.
//   node bench/peers/layers.mjs [--model mobilenet-v1] [--runs 9]
import { GraphBuilder, buildModel, lower, randomWeights } from '../../dist/index.js';
import * as us from './simdnet.mjs';
import * as litert from './litert.mjs';
import { randomInput, relDiff } from './common.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const model = opt('model', 'mobilenet-v1'), runs = Number(opt('runs', '9'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const g = buildModel(model);
const { steps, values } = lower(g);
const layers = new Map();
for (const s of steps) {
  if (s.node.op !== 'conv2d') continue;
  const n = s.node, inShape = values[s.inputs[0]].shape;
  const key = JSON.stringify([s.kind, inShape, n.outChannels, n.kernel, n.stride, n.pad, n.dilation, n.groups, n.bias, s.act]);
  const l = layers.get(key) ?? { key, kind: s.kind, inShape, node: n, act: s.act, count: 0, macs: 0 };
  l.count++;
  layers.set(key, l);
}
console.log(`${model}: ${layers.size} distinct convolutions; LiteRT.js ${JSON.stringify(await litert.describe())}; ${runs} interleaved runs each`);
const rows = [];
for (const l of layers.values()) {
  const b = new GraphBuilder('layer');
  let x = b.input(l.inShape);
  const n = l.node;
  x = b.conv2d(x, { outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, padding: n.pad, dilation: n.dilation, groups: n.groups, bias: true }, 'conv');
  if (l.act === 'relu') x = b.relu(x, 'act');
  if (l.act === 'relu6') x = b.relu6(x, 'act');
  const lg = b.output(x);
  const w = randomWeights(lg, 1);
  const input = randomInput(l.inShape.reduce((p, q) => p * q, 1));
  const engines = [await us.prepare(lg, w), await litert.prepare(lg, w)];
  const outs = [];
  for (const e of engines) { outs.push(await e.run(input)); await e.run(input); }
  const d = relDiff(outs[1], outs[0]);
  const ms = [[], []];
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < 2; k++) { const t = performance.now(); await engines[k].run(input); ms[k].push(performance.now() - t); }
  }
  for (const e of engines) await e.dispose();
  const [a, c] = ms.map(median);
  const [, ho, wo] = lg.nodes.at(-1).outShape;
  const macs = ho * wo * n.outChannels * n.kernel[0] * n.kernel[1] * (l.inShape[3] / n.groups);
  rows.push({ ...l, simdnet: a, litert: c, relDiff: d, gflops: [2 * macs / a / 1e6, 2 * macs / c / 1e6] });
}
const total = (k) => rows.reduce((s, r) => s + r.count * r[k], 0);
console.log('| kind | input | out | k / s | × | simdnet ms | LiteRT ms | ratio | simdnet GFLOP/s | LiteRT GFLOP/s |');
console.log('|---|---|---:|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(`| ${r.kind} | ${r.inShape.slice(1).join('×')} | ${r.node.outChannels} | ${r.node.kernel[0]}/${r.node.stride[0]} | ${r.count} | ${r.simdnet.toFixed(3)} | ${r.litert.toFixed(3)} | ${(r.simdnet / r.litert).toFixed(2)} | ${r.gflops[0].toFixed(1)} | ${r.gflops[1].toFixed(1)} |`);
}
const byKind = {};
for (const r of rows) { const k = r.kind.startsWith('dw') ? 'depthwise' : r.kind; byKind[k] ??= [0, 0]; byKind[k][0] += r.count * r.simdnet; byKind[k][1] += r.count * r.litert; }
console.log(`convolutions summed: simdnet ${total('simdnet').toFixed(1)} ms, LiteRT ${total('litert').toFixed(1)} ms, ratio ${(total('simdnet') / total('litert')).toFixed(2)}`);
for (const [k, [a, c]] of Object.entries(byKind)) console.log(`  ${k}: simdnet ${a.toFixed(1)} ms, LiteRT ${c.toFixed(1)} ms, ratio ${(a / c).toFixed(2)}`);
console.log(`max rel diff ${Math.max(...rows.map((r) => r.relDiff)).toExponential(1)}`);
