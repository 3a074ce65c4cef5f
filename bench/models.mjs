// Whole-network benchmark (tinybench through the CLI's benchModel): every zoo model at batch 1,
// median ms, GFLOP/s (2 x conv/fc multiply-adds / median) and the planned activation arena.
// Usage: node bench/models.mjs [--runs N] [--models a,b] [--json]
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import { benchModel } from '../dist/calibrate/bench-model.js';
import { MODELS } from '../dist/models/index.js';

const { values } = parseArgs({ options: { runs: { type: 'string' }, models: { type: 'string' }, json: { type: 'boolean' } } });
const names = values.models ? values.models.split(',') : MODELS.map((m) => m.name);
const rows = [];
for (const name of names) {
  const r = await benchModel(name, { runs: Number(values.runs ?? 10) });
  rows.push(r);
  if (!values.json) process.stderr.write(`${name}: ${r.medianMs.toFixed(1)} ms\n`);
}
if (values.json) {
  console.log(JSON.stringify(rows, null, 2));
} else {
  console.log(`Node ${process.versions.node}, ${cpus()[0].model}, ${cpus().length} cores, one thread, baseline SIMD build, batch 1`);
  console.log('');
  console.log('| model | input | median ms | min ms | GFLOP/s | activation arena MiB |');
  console.log('|---|---|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.input.slice(1, 3).join('x')} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.gflops.toFixed(1)} | ${(r.peakBytes / 2 ** 20).toFixed(1)} |`);
  }
}
