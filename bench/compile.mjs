// Compile time and memory of two builds of the package on the same networks: what compile()
// costs before the first run (weight checks, packing, Winograd filter transforms). Per model,
// compiles alternate A, B, A, B, ... with the same graph and weights; medians of --runs each,
// the median of the per-pair ratios B / A, and each build's packed-weight and wasm-memory bytes.
// Usage: node bench/compile.mjs <dist of build A> <dist of build B> [--runs N] [--models a,b]
import os from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const [distA, distB] = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
if (!distA || !distB) throw new Error('usage: node bench/compile.mjs <dist A> <dist B> [--runs N] [--models a,b]');
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const runs = Number(opt('runs', '5'));
if (!Number.isInteger(runs) || runs < 1) throw new RangeError(`--runs must be a positive integer, got ${opt('runs')}`);
const models = opt('models', 'mobilenet-v1,googlenet,resnet-50,inception-v3,vgg-16').split(',');
const load = (d) => import(pathToFileURL(resolve(d, 'index.js')).href);
const [A, B] = [await load(distA), await load(distB)];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mib = (b) => (b / 2 ** 20).toFixed(1);

console.log(`Node ${process.version}, ${os.cpus()[0]?.model}, ${runs} compiles per build (interleaved), load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('| model | A compile ms | B compile ms | B / A | A packed MiB | B packed MiB | A wasm MiB | B wasm MiB |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const model of models) {
  const g = A.buildModel(model), w = A.randomWeights(g, 1);
  const t = { A: [], B: [] }, ratio = [], mem = {};
  for (let r = 0; r < runs; r++) {
    for (const [name, S] of [['A', A], ['B', B]]) {
      const t0 = performance.now();
      const net = await S.compile(g, { weights: w });
      t[name].push(performance.now() - t0);
      mem[name] = { packed: net.plan.weightBytes, wasm: net.memoryBytes };
      net.dispose();
    }
    ratio.push(t.B[r] / t.A[r]);
  }
  console.log(`| ${model} | ${median(t.A).toFixed(0)} | ${median(t.B).toFixed(0)} | ${median(ratio).toFixed(3)} | ${mib(mem.A.packed)} | ${mib(mem.B.packed)} | ${mib(mem.A.wasm)} | ${mib(mem.B.wasm)} |`);
}
