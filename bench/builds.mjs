// Two builds of the package in one process, on the same networks: did a change slow anything
// down? Each build compiles the same zoo graph with the same weights; runs interleaved (A, B, A,
// B, ...), batch 1 (or --batch N), one thread; medians and the median of the per-pair ratios B / A; the outputs
// compared (max |diff| / max |A|).
// Usage: node bench/builds.mjs <dist of build A> <dist of build B> [--runs N] [--models a,b] [--batch N]
//   e.g. git worktree add /tmp/before <commit> && (cd /tmp/before && npm ci) && node bench/builds.mjs /tmp/before/dist dist
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
const [distA, distB] = args.filter((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!distA || !distB) throw new Error('usage: node bench/builds.mjs <dist A> <dist B> [--runs N] [--models a,b]');
const runs = Number(opt('--runs', 11));
const batch = Number(opt('--batch', 1));
const models = opt('--models', 'mobilenet-v1,mobilenet-v2,resnet-50,googlenet,inception-v3,densenet-121,vgg-16').split(',');
const load = (d) => import(pathToFileURL(resolve(d, 'index.js')).href);
const [A, B] = [await load(distA), await load(distB)];
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };

console.log(`| model | A ms | B ms | B / A (median of pairs) | outputs max rel diff |`);
console.log(`|---|---:|---:|---:|---:|`);
for (const name of models) {
  const g = A.buildModel(name, { batch });
  const w = A.randomWeights(g, 7);
  const a = await A.compile(g, { weights: w }), b = await B.compile(B.buildModel(name, { batch }), { weights: w });
  const x = new Float32Array(a.inputShape.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i * 0.37));
  const ya = a.run(x), yb = b.run(x);
  let d = 0, m = 0;
  for (let i = 0; i < ya.length; i++) { d = Math.max(d, Math.abs(ya[i] - yb[i])); m = Math.max(m, Math.abs(ya[i])); }
  const ta = [], tb = [], r = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now(); a.run(x); const t1 = performance.now() - t;
    t = performance.now(); b.run(x); const t2 = performance.now() - t;
    ta.push(t1); tb.push(t2); r.push(t2 / t1);
  }
  console.log(`| ${name} | ${median(ta).toFixed(1)} | ${median(tb).toFixed(1)} | ${median(r).toFixed(3)} | ${(d / m).toExponential(1)} |`);
  a.dispose(); b.dispose();
}
