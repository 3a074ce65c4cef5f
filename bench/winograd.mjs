// Winograd vs im2col+GEMM on the 3x3 stride-1 shapes of VGG-16 and ResNet-50 (same run, medians).
// Effective GFLOP/s = 2 x direct multiply-adds / time, so the columns compare wall time.
import { Bench } from 'tinybench';
import { createEngine, ops } from '../dist/index.js';

const e = await createEngine();
const shapes = [
  [224, 64, 64], [112, 128, 128], [56, 256, 256], [28, 512, 512], [14, 512, 512], // VGG-16
  [56, 64, 64], [28, 128, 128], [14, 256, 256], [7, 512, 512], // ResNet-50 bottleneck 3x3
  [28, 96, 128], [14, 112, 224], [7, 160, 320], // GoogLeNet branches
];
const rnd = (n, s) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = (Math.sin(i * 12.9898 + s) * 43758.5453 % 1) * s; return a; };
console.log('shape (HxW, C -> K)'.padEnd(22) + ['im2col', 'winograd2', 'winograd4'].map((s) => s.padStart(12)).join('') + '   speed-up (best wino / im2col)');
for (const [hw, c, k] of shapes) {
  const inShape = [1, hw, hw, c];
  const x = e.upload(rnd(hw * hw * c, 1)), y = e.alloc(hw * hw * k);
  const w = rnd(9 * c * k, Math.sqrt(2 / (9 * c))), b = rnd(k, 0.01);
  const bench = new Bench({ time: 300, warmup: true });
  const opsList = {};
  for (const [label, wg] of [['im2col', 'off'], ['winograd2', 2], ['winograd4', 4]]) {
    const op = new ops.Conv2d(e, { inChannels: c, outChannels: k, kernel: 3, pad: 1, act: 'relu', winograd: wg }, w, b);
    const ws = e.alloc(op.workspaceFloats(inShape));
    opsList[label] = [op, ws];
    bench.add(label, () => op.run(x, inShape, y, { workspace: ws }));
  }
  await bench.run();
  const flops = 2 * hw * hw * c * k * 9;
  const g = Object.fromEntries(bench.tasks.map((t) => [t.name, flops / t.result.latency.p50 / 1e6]));
  console.log(`${hw}x${hw}, ${c} -> ${k}`.padEnd(22) + ['im2col', 'winograd2', 'winograd4'].map((l) => g[l].toFixed(1).padStart(12)).join('') + `   x${(Math.max(g.winograd2, g.winograd4) / g.im2col).toFixed(2)}`);
  for (const [op, ws] of Object.values(opsList)) { op.dispose(); e.release(ws); }
  e.release(x); e.release(y);
}
