#!/usr/bin/env node
// Host latency model vs measurement, every zoo model at batch 1: the table for BENCHMARKS.md.
//
//   node scripts/host-accuracy.mjs [--device FILE] [--models a,b,c] [--runs N] [--passes N] [--check]
//
// Predicted: `predict(graph, { device: <host profile>, batch: 1 })` with this machine's profile
// (--device FILE, else $SIMDNET_HOST_PROFILE or ~/.simdnet/host.json; calibrated first when
// missing, as `simdnet predict --device host` does). Measured: `node bin/simdnet.mjs bench <model>
// --json` (tinybench median), one process per model, run one after the other; with --passes N
// (default 2) the whole zoo is measured N times and each model keeps its lowest median, as
// `simdnet calibrate` keeps the faster of its two passes. Both sides are wall-clock on a single
// thread: run it on a quiet machine (other jobs on the same cores slow the measurement, not the
// prediction). Prints a markdown table on stdout, progress on stderr; --check exits 1 when a model
// is outside +-15%.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin/simdnet.mjs');
const TOLERANCE = 0.15;

const { values } = parseArgs({
  options: {
    device: { type: 'string' }, models: { type: 'string' }, runs: { type: 'string' }, passes: { type: 'string' },
    check: { type: 'boolean' },
  },
});
const { buildModel, MODELS } = await import(join(ROOT, 'dist/models/index.js'));
const { predict } = await import(join(ROOT, 'dist/cost/predict.js'));
const files = await import(join(ROOT, 'dist/cost/host-profile.js'));
const fs = await import('node:fs');
const path = await import('node:path');
const io = { fs, os, path };

const profileFile = values.device ?? files.hostProfilePath(io);
if (!existsSync(profileFile)) {
  process.stderr.write(`no host profile at ${profileFile}: running 'simdnet calibrate' first\n`);
  execFileSync(process.execPath, [BIN, 'calibrate', '--out', profileFile], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const profile = files.readProfileFile(io, profileFile);
const models = values.models ? values.models.split(',').map((s) => s.trim()).filter(Boolean) : MODELS.map((m) => m.name);

const passes = Math.max(1, Number.parseInt(values.passes ?? '2', 10) || 1);
const rows = models.map((name) => ({
  name, predicted: predict(buildModel(name, { batch: 1 }), { device: profile, batch: 1 }).msPerImage, measured: Infinity, error: 0,
}));
for (let pass = 1; pass <= passes; pass++) {
  for (const [i, r] of rows.entries()) {
    process.stderr.write(`pass ${pass}/${passes} [${i + 1}/${rows.length}] ${r.name}: predicted ${r.predicted.toFixed(1)} ms, measuring...`);
    const args = [BIN, 'bench', r.name, '--json', ...(values.runs ? ['--runs', values.runs] : [])];
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
    const ms = JSON.parse(out).medianMs;
    r.measured = Math.min(r.measured, ms);
    r.error = r.predicted / r.measured - 1;
    process.stderr.write(` ${ms.toFixed(1)} ms (${fmtPct(r.predicted / ms - 1)})\n`);
  }
}

const within = rows.filter((r) => Math.abs(r.error) <= TOLERANCE).length;
const abs = rows.map((r) => Math.abs(r.error)).sort((a, b) => a - b);
const lines = [
  `Host latency model vs measured, batch 1 (${os.cpus()[0]?.model?.trim() ?? os.arch()}, Node ${process.versions.node}, ${new Date().toISOString().slice(0, 10)}).`,
  `Predicted: \`simdnet predict <model> --device host\` with the profile from \`simdnet calibrate\` (${profileFile}); ` +
    `measured: \`simdnet bench <model> --json\`, median ms (the lower of ${passes} passes over the zoo).`,
  '',
  '| model | predicted ms | measured ms | error |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.name} | ${r.predicted.toFixed(1)} | ${r.measured.toFixed(1)} | ${fmtPct(r.error)} |`),
  '',
  `${within} of ${rows.length} within ±${100 * TOLERANCE}%; |error| median ${fmtPct(abs[abs.length >> 1] ?? 0, false)}, ` +
    `max ${fmtPct(abs.at(-1) ?? 0, false)}.`,
];
process.stdout.write(lines.join('\n') + '\n');
if (values.check && within < rows.length) process.exitCode = 1;

function fmtPct(v, sign = true) { return `${sign && v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`; }
