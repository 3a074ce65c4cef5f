// Side by side: simdnet vs TensorFlow.js (wasm backend, XNNPACK of 2022) vs ONNX Runtime Web (wasm
// EP) vs LiteRT.js (wasm accelerator: TFLite + current XNNPACK, on our toTFLite export), one thread each (or --threads N: simdnet and ONNX Runtime Web on N threads; TensorFlow.js has no
// threads in Node and stays on one), same graph, same weights, same input, in one process.
// In Chromium: bench/peers/browser.mjs.
//
//   npm run bench:peers [-- --models mobilenet-v1,resnet-50:8] [--runs N] [--warmup N] [--threads N]
//                          [--quick] [--out bench/peers/results.json]
//
// A model is `name` or `name:batch` (default batch 1). Per model: build each engine, run each once
// and check that the three outputs agree (max |a - b| / max |b| <= 1e-4, b the peer; simdnet vs
// each peer and the peers against each other), then warm-up rounds, then timed rounds
// interleaved A B C A B C ... so that load from other processes on this shared machine hits all
// three alike; report medians (and min / max), ratios simdnet / peer and GFLOP/s (1 MAC = 2
// FLOP). Timed: a JS Float32Array in the engine's own layout in, the logits back in a JS
// Float32Array out (the NCHW copy ONNX needs is made once, untimed). A mismatch is reported and
// its model not timed; the run then exits 1. Results: a table on stdout, JSON (machine, runtime,
// versions, settings, load average, every sample) in --out.

import { writeFileSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import * as simdnet from '../../dist/index.js';
import { benchModel, line, table } from './common.mjs';

const DEFAULT_MODELS = [
  'mobilenet-v1', 'mobilenet-v2', 'googlenet', 'resnet-18', 'resnet-50', 'inception-v3', 'vgg-16', 'resnet-50:8',
];
const TOLERANCE = 1e-4;

function parseArgs(argv) {
  const opts = { models: DEFAULT_MODELS, runs: 15, warmup: 3, threads: 1, out: fileURLToPath(new URL('./results.json', import.meta.url)) };
  let runsGiven = false;
  let warmupGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    const key = a.split('=')[0];
    if (key === '--models') opts.models = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (key === '--runs') { opts.runs = posInt(key, value()); runsGiven = true; }
    else if (key === '--warmup') { opts.warmup = posInt(key, value()); warmupGiven = true; }
    else if (key === '--out') opts.out = value();
    else if (key === '--threads') opts.threads = posInt(key, value());
    else if (key === '--quick') opts.quick = true;
    else if (key === '--help' || key === '-h') {
      console.log('usage: node bench/peers/index.mjs [--models a,b:8] [--runs N] [--warmup N] [--threads N] [--quick] [--out file]');
      process.exit(0);
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.quick) {
    if (!runsGiven) opts.runs = 3;
    if (!warmupGiven) opts.warmup = 1;
  }
  return opts;
}

function posInt(key, v) {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${key} must be a positive integer, got ${v}`);
  return n;
}

function parseModel(spec) {
  const [name, batch = '1'] = spec.split(':');
  return { spec, name, batch: posInt(`batch of ${spec}`, batch) };
}

const loadavg = () => {
  try { return readFileSync('/proc/loadavg', 'utf8').trim(); } catch { return os.loadavg().map((v) => v.toFixed(2)).join(' '); }
};

const gc = () => { if (typeof globalThis.gc === 'function') globalThis.gc(); };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const models = opts.models.map(parseModel);
  const engines = [];
  for (const file of ['./simdnet.mjs', './tfjs.mjs', './ort.mjs', './litert.mjs']) {
    try {
      engines.push(await import(file));
    } catch (err) {
      console.error(`bench:peers: cannot load ${file}: ${err.message}`);
      process.exit(1);
    }
  }
  const versions = {};
  for (const e of engines) {
    e.setThreads(opts.threads);
    versions[e.name] = await e.describe();
  }
  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    runtime: { node: process.version, v8: process.versions.v8 },
    versions,
    settings: { runs: opts.runs, warmup: opts.warmup, gapMs: opts.threads > 1 ? 50 : 0, threads: Object.fromEntries(engines.map((e) => [e.name, versions[e.name].threads])), order: engines.map((e) => e.name), tolerance: TOLERANCE, weights: 'randomWeights(graph, 1)', input: 'unit normal, seed 12345' },
    loadavgBefore: loadavg(),
    results: [],
  };
  console.log(`machine: ${report.machine.cpu}, ${report.machine.cores} cores; node ${process.version}`);
  console.log(`versions: ${JSON.stringify(versions)}`);
  console.log(`runs ${opts.runs}, warm-up ${opts.warmup}, threads ${JSON.stringify(report.settings.threads)}, interleaved ${engines.map((e) => e.name).join(' ')}; load ${report.loadavgBefore}\n`);

  let failed = false;
  for (const m of models) {
    const row = { model: m.name, batch: m.batch };
    report.results.push(row);
    try {
      const ok = await benchModel(simdnet, engines, m, { runs: opts.runs, warmup: opts.warmup, tolerance: TOLERANCE, gapMs: opts.threads > 1 ? 50 : 0 }, row);
      if (!ok) {
        failed = true;
        console.log(`${m.spec}: MISMATCH (> ${TOLERANCE}): ${row.mismatch.join('; ')} — not timed`);
        continue;
      }
      console.log(line(row, engines));
    } catch (err) {
      row.error = err instanceof Error ? err.stack ?? err.message : String(err);
      failed = true;
      console.log(`${m.spec}: ERROR ${row.error}`);
    } finally {
      gc();
    }
  }
  report.loadavgAfter = loadavg();
  writeFileSync(opts.out, JSON.stringify(report, null, 2) + '\n');
  console.log(`\n${table(report, engines)}`);
  console.log(`\nload before: ${report.loadavgBefore}; after: ${report.loadavgAfter}`);
  console.log(`written: ${opts.out}`);
  if (failed) {
    console.error('bench:peers: FAILED (mismatch or error above)');
    process.exit(1);
  }
}

await main();
