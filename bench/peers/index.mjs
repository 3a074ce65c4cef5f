// Side by side: simdnet vs TensorFlow.js (wasm backend, XNNPACK) vs ONNX Runtime Web (wasm EP),
// one thread each, same graph, same weights, same input, in one process.
//
//   npm run bench:peers [-- --models mobilenet-v1,resnet-50:8] [--runs N] [--warmup N] [--quick]
//                          [--out bench/peers/results.json]
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
import { buildModel, randomWeights, cost } from '../../dist/index.js';

const DEFAULT_MODELS = [
  'mobilenet-v1', 'mobilenet-v2', 'googlenet', 'resnet-18', 'resnet-50', 'inception-v3', 'vgg-16', 'resnet-50:8',
];
const TOLERANCE = 1e-4;

function parseArgs(argv) {
  const opts = { models: DEFAULT_MODELS, runs: 15, warmup: 3, out: fileURLToPath(new URL('./results.json', import.meta.url)) };
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
    else if (key === '--quick') opts.quick = true;
    else if (key === '--help' || key === '-h') {
      console.log('usage: node bench/peers/index.mjs [--models a,b:8] [--runs N] [--warmup N] [--quick] [--out file]');
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

/** Unit-normal input from a fixed seed (mulberry32 + Box-Muller): the same for every engine. */
function randomInput(n, seed = 12345) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return x;
}

/** max |a - b| / max |b|; NaN if either has a NaN, Infinity on a length mismatch. */
function relDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (Number.isNaN(e)) return NaN;
    if (e > d) d = e;
    if (Math.abs(b[i]) > m) m = Math.abs(b[i]);
  }
  return m === 0 ? (d === 0 ? 0 : Infinity) : d / m;
}

const stats = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
};

const loadavg = () => {
  try { return readFileSync('/proc/loadavg', 'utf8').trim(); } catch { return os.loadavg().map((v) => v.toFixed(2)).join(' '); }
};

const gc = () => { if (typeof globalThis.gc === 'function') globalThis.gc(); };

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const models = opts.models.map(parseModel);
  const engines = [];
  for (const file of ['./simdnet.mjs', './tfjs.mjs', './ort.mjs']) {
    try {
      engines.push(await import(file));
    } catch (err) {
      console.error(`bench:peers: cannot load ${file}: ${err.message}`);
      process.exit(1);
    }
  }
  const versions = {};
  for (const e of engines) versions[e.name] = await e.describe();
  const cpus = os.cpus();
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
      platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    },
    runtime: { node: process.version, v8: process.versions.v8 },
    versions,
    settings: { runs: opts.runs, warmup: opts.warmup, threads: 1, order: engines.map((e) => e.name), tolerance: TOLERANCE, weights: 'randomWeights(graph, 1)', input: 'unit normal, seed 12345' },
    loadavgBefore: loadavg(),
    results: [],
  };
  console.log(`machine: ${report.machine.cpu}, ${report.machine.cores} cores; node ${process.version}`);
  console.log(`versions: ${JSON.stringify(versions)}`);
  console.log(`runs ${opts.runs}, warm-up ${opts.warmup}, one thread each, interleaved ${engines.map((e) => e.name).join(' ')}; load ${report.loadavgBefore}\n`);

  let failed = false;
  for (const m of models) {
    const row = { model: m.name, batch: m.batch };
    report.results.push(row);
    const prepared = [];
    try {
      const graph = buildModel(m.name, { batch: m.batch });
      const weights = randomWeights(graph, 1);
      const inShape = graph.nodes.find((n) => n.name === graph.input).outShape;
      row.resolution = inShape[1];
      row.gmac = cost.analyze(graph).macs / 1e9;
      const x = randomInput(inShape.reduce((a, b) => a * b, 1));

      // Build, then one run each: the first warm-up and the agreement check.
      const outputs = [];
      row.prepareMs = {};
      for (const e of engines) {
        const t = performance.now();
        const p = await e.prepare(graph, weights);
        row.prepareMs[e.name] = +(performance.now() - t).toFixed(1);
        prepared.push({ e, p });
        p.nativeInput?.(x);
        outputs.push(await p.run(x));
      }
      row.relDiff = {};
      const problems = [];
      for (let i = 0; i < engines.length; i++) {
        for (let j = i + 1; j < engines.length; j++) {
          const d = relDiff(outputs[i], outputs[j]);
          row.relDiff[`${engines[i].name}~${engines[j].name}`] = d;
          if (!(d <= TOLERANCE)) problems.push(`${engines[i].name} vs ${engines[j].name}: ${d}`);
        }
        if (!outputs[i].some((v) => v !== 0)) problems.push(`${engines[i].name}: output is all zeros`);
      }
      if (problems.length) {
        row.mismatch = problems;
        failed = true;
        console.log(`${m.spec}: MISMATCH (> ${TOLERANCE}): ${problems.join('; ')} — not timed`);
        continue;
      }

      for (let w = 1; w < opts.warmup; w++) for (const { p } of prepared) await p.run(x);
      const samples = prepared.map(() => []);
      for (let r = 0; r < opts.runs; r++) {
        for (let k = 0; k < prepared.length; k++) {
          const t = performance.now();
          await prepared[k].p.run(x);
          samples[k].push(performance.now() - t);
        }
      }
      row.ms = {};
      row.gflops = {};
      row.samples = {};
      prepared.forEach(({ e }, k) => {
        const s = stats(samples[k]);
        row.ms[e.name] = s;
        row.gflops[e.name] = +((2 * row.gmac) / (s.median / 1e3)).toFixed(2);
        row.samples[e.name] = samples[k].map((v) => +v.toFixed(3));
      });
      row.ratio = {};
      for (const { e } of prepared.slice(1)) row.ratio[`simdnet/${e.name}`] = +(row.ms.simdnet.median / row.ms[e.name].median).toFixed(3);
      console.log(line(row, engines));
    } catch (err) {
      row.error = err instanceof Error ? err.stack ?? err.message : String(err);
      failed = true;
      console.log(`${m.spec}: ERROR ${row.error}`);
    } finally {
      for (const { p } of prepared) await p.dispose();
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

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

function line(row, engines) {
  const t = engines.map((e) => {
    const { median, min, max } = row.ms[e.name];
    return `${e.name} ${fmt(median)} ms (${fmt(min)}–${fmt(max)}, ${row.gflops[e.name]} GFLOP/s)`;
  }).join(', ');
  const r = Object.entries(row.ratio).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  return `${row.model} b${row.batch}: ${t}; ${r}`;
}

/** Markdown table of the medians. */
function table(report, engines) {
  const peers = engines.slice(1).map((e) => e.name);
  const head = ['model', 'batch', 'GMAC', ...engines.map((e) => `${e.name} ms`), ...peers.map((p) => `simdnet/${p}`), 'max rel diff'];
  const rows = report.results.map((r) => {
    if (!r.ms) return [r.model, r.batch, r.gmac?.toFixed(2) ?? '', ...engines.map(() => ''), ...peers.map(() => ''), r.mismatch ? 'MISMATCH' : 'ERROR'];
    const maxDiff = Math.max(...Object.values(r.relDiff));
    return [
      r.model, r.batch, r.gmac.toFixed(2),
      ...engines.map((e) => `${fmt(r.ms[e.name].median)}`),
      ...peers.map((p) => r.ratio[`simdnet/${p}`].toFixed(2)),
      maxDiff.toExponential(1),
    ];
  });
  const all = [head, ...rows].map((cols) => cols.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const fmtRow = (c) => `| ${c.map((s, i) => (i < 1 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join(' | ')} |`;
  return [fmtRow(all[0]), `|${widths.map((w, i) => (i < 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...all.slice(1).map(fmtRow)].join('\n');
}

await main();
