// Two kernel binaries in one process on the same depthwise 3x3 layers: one engine per binary, the
// same weights and input packed by this checkout's op, runs interleaved (A B, then B A, ...), the
// median of 60 rounds each; the outputs compared (max |A - B|).
// Usage: node bench/dwconv-ab.mjs <A.wasm> <B.wasm> ["h,c,pad,stride;..."]
//   e.g. build the old kernels with `npx asc assembly/index.ts --config asconfig.json --target
//   release --outFile /tmp/old.wasm` on the old source, then node bench/dwconv-ab.mjs /tmp/old.wasm dist/simdnet.wasm
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const { Engine } = await import(here('../dist/wasm/engine.js'));
const { DepthwiseConv2d } = await import(here('../dist/ops/dwconv2d.js'));
const [fa, fb, spec = '7,1024,1,1;7,1024,0,1;14,512,1,1;14,1024,1,2;7,960,1,1;112,32,1,1'] = process.argv.slice(2);
if (!fa || !fb) throw new Error('usage: node bench/dwconv-ab.mjs <A.wasm> <B.wasm> ["h,c,pad,stride;..."]');
const engines = await Promise.all([fa, fb].map((f) => Engine.create(new Uint8Array(readFileSync(f)))));
const rand = (n, s) => { const a = new Float32Array(n); let x = s; for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; a[i] = x / 2 ** 32 - 0.5; } return a; };
const rows = spec.split(';').map((s) => {
  const [h, c, pad, st] = s.split(',').map(Number);
  if (![h, c, pad, st].every((v) => Number.isInteger(v) && v >= 0) || h < 1 || c < 1 || st < 1 || h + 2 * pad < 3) throw new RangeError(`bad layer "${s}": expected h,c,pad,stride`);
  const ho = Math.floor((h + 2 * pad - 3) / st) + 1;
  const fns = engines.map((e) => {
    const op = new DepthwiseConv2d(e, { channels: c, kernel: 3, stride: st, pad, act: 'relu6' }, rand(9 * c, 7), rand(c, 8));
    const x = e.upload(rand(h * h * c, 9)), y = e.alloc(ho * ho * c);
    return { run: () => op.run(x, [1, h, h, c], y), out: () => e.read(y, ho * ho * c) };
  });
  fns.forEach((f) => f.run());
  const [a, b] = fns.map((f) => f.out());
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - b[i]));
  return { name: `${h}x${h}x${c} pad ${pad} stride ${st}`, flops: 2 * ho * ho * c * 9, fns, diff, times: [[], []] };
});
for (let rep = 0; rep < 60; rep++) {
  for (const row of rows) {
    const reps = Math.max(1, Math.round(3e6 / row.flops));
    for (const k of rep & 1 ? [1, 0] : [0, 1]) {
      const t = performance.now();
      for (let j = 0; j < reps; j++) row.fns[k].run();
      row.times[k].push((performance.now() - t) / reps);
    }
  }
}
const med = (v) => [...v].sort((p, q) => p - q)[v.length >> 1];
console.log('| layer | A us | A GFLOP/s | B us | B GFLOP/s | B / A | max diff |\n|---|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  const [a, b] = row.times.map(med);
  console.log(`| ${row.name} | ${(a * 1e3).toFixed(1)} | ${(row.flops / a / 1e6).toFixed(1)} | ${(b * 1e3).toFixed(1)} | ${(row.flops / b / 1e6).toFixed(1)} | ${(b / a).toFixed(3)} | ${row.diff.toExponential(1)} |`);
}
