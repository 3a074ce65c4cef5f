// The layer-by-layer comparison itself, shared by the Node run (layers.mjs) and the Chromium page
// (layers-page.mjs): every distinct convolution of a zoo network as a one-layer model, simdnet
// vs LiteRT.js on our toTFLite export of it, runs interleaved, medians.
import { GraphBuilder, buildModel, lower, randomWeights } from '../../dist/index.js';
import * as us from './simdnet.mjs';
import * as litert from './litert.mjs';
import { randomInput, relDiff } from './common.mjs';

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

/** One model in both engines: two warm-ups each, then `runs` interleaved runs; medians (simdnet, LiteRT) and their outputs' difference. */
async function timeBoth(graph, weights, input, runs) {
  const engines = [await us.prepare(graph, weights), await litert.prepare(graph, weights)];
  try {
    const outs = [];
    for (const e of engines) { outs.push(await e.run(input)); await e.run(input); }
    const ms = [[], []];
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < 2; k++) { const t = performance.now(); await engines[k].run(input); ms[k].push(performance.now() - t); }
    }
    return { ms: ms.map(median), relDiff: relDiff(outs[1], outs[0]) };
  } finally {
    for (const e of engines) await e.dispose();
  }
}

/** Distinct convolutions of `model` (layers that repeat counted, timed once), each timed in both engines. */
export async function compareLayers(model, runs, log) {
  const g = buildModel(model);
  const { steps, values } = lower(g);
  const layers = new Map();
  for (const s of steps) {
    if (s.node.op !== 'conv2d') continue;
    const n = s.node, inShape = values[s.inputs[0]].shape;
    const key = JSON.stringify([s.kind, inShape, n.outChannels, n.kernel, n.stride, n.pad, n.dilation, n.groups, n.bias, s.act]);
    const l = layers.get(key) ?? { key, kind: s.kind, inShape, node: n, act: s.act, count: 0 };
    l.count++;
    layers.set(key, l);
  }
  log(`${model}: ${layers.size} distinct convolutions; LiteRT.js ${JSON.stringify(await litert.describe())}; simdnet ${JSON.stringify((await us.describe()).features)}; ${runs} interleaved runs each`);
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
    const { ms: [a, c], relDiff: d } = await timeBoth(lg, w, input, runs);
    const [, ho, wo] = lg.nodes.at(-1).outShape;
    const macs = ho * wo * n.outChannels * n.kernel[0] * n.kernel[1] * (l.inShape[3] / n.groups);
    rows.push({ kind: l.kind, inShape: l.inShape, outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, count: l.count, simdnet: a, litert: c, relDiff: d, gflops: [2 * macs / a / 1e6, 2 * macs / c / 1e6] });
  }
  return rows;
}

/** The markdown table and the sums by kind. */
export function report(rows, log) {
  const total = (k) => rows.reduce((s, r) => s + r.count * r[k], 0);
  log('| kind | input | out | k / s | × | simdnet ms | LiteRT ms | ratio | simdnet GFLOP/s | LiteRT GFLOP/s |');
  log('|---|---|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    log(`| ${r.kind} | ${r.inShape.slice(1).join('×')} | ${r.outChannels} | ${r.kernel[0]}/${r.stride[0]} | ${r.count} | ${r.simdnet.toFixed(3)} | ${r.litert.toFixed(3)} | ${(r.simdnet / r.litert).toFixed(2)} | ${r.gflops[0].toFixed(1)} | ${r.gflops[1].toFixed(1)} |`);
  }
  const byKind = {};
  for (const r of rows) { const k = r.kind.startsWith('dw') ? 'depthwise' : r.kind; byKind[k] ??= [0, 0]; byKind[k][0] += r.count * r.simdnet; byKind[k][1] += r.count * r.litert; }
  log(`convolutions summed: simdnet ${total('simdnet').toFixed(1)} ms, LiteRT ${total('litert').toFixed(1)} ms, ratio ${(total('simdnet') / total('litert')).toFixed(2)}`);
  for (const [k, [a, c]] of Object.entries(byKind)) log(`  ${k}: simdnet ${a.toFixed(1)} ms, LiteRT ${c.toFixed(1)} ms, ratio ${(a / c).toFixed(2)}`);
  log(`max rel diff ${Math.max(...rows.map((r) => r.relDiff)).toExponential(1)}`);
}

const EPILOGUE = new Set(['batchnorm', 'relu', 'relu6', 'clip', 'leakyrelu', 'sigmoid']);
const blockOf = (name) => name.split('.').slice(0, 2).join('.');

/**
 * In-network time per block, for engines without a per-operator profiler: the network cut after
 * each block (where one tensor alone flows on, not between a layer and its fused batch norm or
 * activation) runs as its own model in both engines, interleaved; a block's time is its prefix's
 * median less the previous prefix's. Each prefix also pays for copying its output out, at each
 * engine's own cost per float, so a block whose output is smaller (or larger) than its input's
 * gains (or pays) that difference; and these are differences of medians, so blocks under a few
 * tenths of a millisecond are within the noise. The prefix ratio column has neither problem.
 */
export async function comparePrefixes(model, runs, log) {
  const g = buildModel(model);
  const last = new Map(); // node name -> index of its last consumer
  g.nodes.forEach((n, i) => { for (const x of n.inputs) last.set(x, i); });
  const cuts = [];
  g.nodes.forEach((n, i) => {
    const nx = g.nodes[i + 1];
    const alive = g.nodes.slice(0, i + 1).filter((p) => (last.get(p.name) ?? -1) > i);
    const single = alive.length === 1 && alive[0] === n;
    const fusedNext = nx && EPILOGUE.has(nx.op) && nx.inputs[0] === n.name;
    if (!nx || (single && !fusedNext && blockOf(nx.name) !== blockOf(n.name))) cuts.push(i);
  });
  log(`${model}: ${cuts.length} prefixes; LiteRT.js ${JSON.stringify(await litert.describe())}; simdnet ${JSON.stringify((await us.describe()).features)}; ${runs} interleaved runs each`);
  const input = randomInput(g.nodes[0].outShape.reduce((a, b) => a * b, 1));
  const rows = [];
  let prev = [0, 0], from = 1;
  for (const i of cuts) {
    const pg = { name: `${model}[..${g.nodes[i].name}]`, nodes: g.nodes.slice(0, i + 1), input: g.input, output: g.nodes[i].name };
    const w = randomWeights(pg, 1);
    const { ms: m, relDiff: d } = await timeBoth(pg, w, input, runs);
    const first = g.nodes[from]?.name ?? g.nodes[i].name;
    const block = from > i ? g.nodes[i].name : `${blockOf(first)}${blockOf(first) === blockOf(g.nodes[i].name) ? '' : ` .. ${blockOf(g.nodes[i].name)}`}`;
    rows.push({ block, outShape: g.nodes[i].outShape, prefix: m, block_ms: [m[0] - prev[0], m[1] - prev[1]], relDiff: d });
    prev = m;
    from = i + 1;
  }
  return rows;
}

/** The per-block table of comparePrefixes. */
export function reportPrefixes(rows, log) {
  log('| block | out | simdnet ms | LiteRT ms | simdnet prefix ms | LiteRT prefix ms | prefix ratio |');
  log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    log(`| ${r.block} | ${r.outShape.slice(1).join('×')} | ${r.block_ms[0].toFixed(2)} | ${r.block_ms[1].toFixed(2)} | ${r.prefix[0].toFixed(2)} | ${r.prefix[1].toFixed(2)} | ${(r.prefix[0] / r.prefix[1]).toFixed(2)} |`);
  }
  log(`max rel diff ${Math.max(...rows.map((r) => r.relDiff)).toExponential(1)}`);
}
