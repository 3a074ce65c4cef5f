// Per-image time at batch B against batch 1, one process, runs interleaved (B, 1, B, 1, ...),
// medians: what batching buys on one thread. One warm-up run each.
//   node bench/batch.mjs [--models resnet-50,vgg-16] [--batch 8] [--runs 7] [--threads 1]
import { buildModel, compile, randomWeights } from '../dist/index.js';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const models = opt('models', 'resnet-50').split(',');
const B = Number(opt('batch', '8')), runs = Number(opt('runs', '7')), threads = Number(opt('threads', '1'));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
console.log(`node ${process.version}, ${threads} thread(s), batch ${B} vs 1, ${runs} interleaved runs; load ${(await import('node:os')).loadavg().map((v) => v.toFixed(2)).join(' ')}`);
for (const name of models) {
  const nets = [];
  for (const batch of [B, 1]) {
    const g = buildModel(name, { batch });
    const net = await compile(g, { weights: randomWeights(g, 1), threads });
    const x = new Float32Array(g.nodes.find((n) => n.name === g.input).outShape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i));
    net.run(x);
    nets.push({ batch, net, x, ms: [] });
  }
  for (let r = 0; r < runs; r++) {
    for (const n of nets) {
      const t = performance.now();
      n.net.run(n.x);
      n.ms.push((performance.now() - t) / n.batch);
    }
  }
  const [b, one] = nets.map((n) => median(n.ms));
  console.log(`${name}: batch ${B} ${b.toFixed(2)} ms/image, batch 1 ${one.toFixed(2)} ms/image, ratio ${(b / one).toFixed(3)}`);
  for (const n of nets) n.net.dispose();
}
