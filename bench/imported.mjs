// Imported vs built: torchvision resnet50 and mobilenet_v2 exported by torch.onnx.export (random
// weights, 224x224), imported with importONNX, against the zoo's resnet-50 and mobilenet-v2 built
// by buildModel — same architecture, so the same speed is expected. Runs interleaved in one
// process, medians. Needs /usr/bin/python3 with torch + torchvision.
// Usage: node bench/imported.mjs [--runs N]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, compile } from '../dist/index.js';
import { importONNX } from '../dist/onnx/index.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 20;
const dir = mkdtempSync(join(tmpdir(), 'simdnet-imported-'));
const script = fileURLToPath(new URL('../test/pytorch/export_onnx.py', import.meta.url));
const pairs = [['resnet50', 'resnet-50'], ['mobilenet_v2', 'mobilenet-v2']];
const r = spawnSync('/usr/bin/python3', [script, dir, '13', ...pairs.map(([t]) => `${t}:224`)], { encoding: 'utf8', maxBuffer: 1 << 26 });
if (r.status !== 0) throw new Error(r.stderr.slice(-2000));
console.log(`${cpus()[0].model}, ${cpus().length} cores; node ${process.version}; load ${loadavg().map((v) => v.toFixed(2)).join(' ')}`);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]; };
for (const [tv, zoo] of pairs) {
  const imp = importONNX(readFileSync(join(dir, `${tv}.onnx`)));
  const a = await compile(imp.graph, { weights: imp.weights });
  const b = await compile(buildModel(zoo));
  const x = new Float32Array(a.inputShape.reduce((p, q) => p * q, 1)).map((_, i) => Math.sin(i) * 0.5);
  for (let i = 0; i < 3; i++) { a.run(x); b.run(x); }
  const ta = [], tb = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now(); a.run(x); ta.push(performance.now() - t);
    t = performance.now(); b.run(x); tb.push(performance.now() - t);
  }
  console.log(`${tv} imported ${median(ta).toFixed(1)} ms, ${zoo} built ${median(tb).toFixed(1)} ms: ratio ${(median(ta) / median(tb)).toFixed(3)} ` +
    `(steps ${a.plan.steps.length} vs ${b.plan.steps.length})`);
  a.dispose(); b.dispose();
}
rmSync(dir, { recursive: true, force: true });
