// Squeeze-excitation's rescale joined with the residual add (one channel_mul_add step) against
// the two steps it replaces, on the zoo's SE networks: the same graph, weights and input, the
// unjoined variant made by a zero-cost dropout between the rescale and the add (an alias, so it
// blocks the join and nothing else). Runs interleaved (joined, apart, joined, ...), batch 1, one
// thread; medians of each and the median of the per-pair ratios; the outputs compared bit for bit.
// Usage: node bench/fusion.mjs [--runs N] [--models a,b]
import { buildModel, compile, lower, randomWeights } from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const runs = Number(opt('--runs', 15));
const models = opt('--models', 'se-resnet-50,se-resnext-50-32x4d,senet-154').split(',');
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

/** The graph with a dropout between every channelmul and the add that reads it. */
function apart(g) {
  const scales = new Set(g.nodes.filter((n) => n.op === 'channelmul').map((n) => n.name));
  const nodes = [];
  for (const n of g.nodes) {
    nodes.push(n);
    if (scales.has(n.name)) nodes.push({ name: `${n.name}.apart`, op: 'dropout', p: 0, inputs: [n.name], outShape: n.outShape.slice() });
  }
  const renamed = nodes.map((n) => (n.op === 'add' ? { ...n, inputs: n.inputs.map((i) => (scales.has(i) ? `${i}.apart` : i)) } : n));
  return { ...g, nodes: renamed };
}

console.log(`| model | joined ms | apart ms | joined / apart (median of pairs) | SE steps joined | outputs |`);
console.log(`|---|---|---|---|---|---|`);
for (const name of models) {
  const g = buildModel(name);
  const w = randomWeights(g, 7);
  const a = await compile(g, { weights: w }), b = await compile(apart(g), { weights: w });
  const x = new Float32Array(a.inputShape.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i * 0.37));
  const ya = a.run(x), yb = b.run(x);
  const same = ya.every((v, i) => Object.is(v, yb[i]));
  const ta = [], tb = [], r = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now(); a.run(x); const t1 = performance.now() - t;
    t = performance.now(); b.run(x); const t2 = performance.now() - t;
    ta.push(t1); tb.push(t2); r.push(t1 / t2);
  }
  const joined = lower(g).steps.filter((s) => s.kind === 'channel_mul_add').length;
  console.log(`| ${name} | ${median(ta).toFixed(1)} | ${median(tb).toFixed(1)} | ${median(r).toFixed(3)} | ${joined} | ${same ? 'bit-identical' : 'DIFFER'} |`);
  a.dispose(); b.dispose();
}
