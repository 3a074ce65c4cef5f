#!/usr/bin/env node
// Fits the built-in device profiles `tx1` and `titan-xp` to Bianco et al. 2018's measurements
// (data/tx1/*.csv, PyTorch on the Jetson TX1 and the Titan Xp, ms per image at batch 1-64) and
// reports the fit honestly: leave-one-network-out (LONO) error next to Canziani's baseline.
//
//   npm run build:ts && npm run calibrate:devices && npm run build:ts
//
// Writes src/cost/devices/{tx1,titan-xp}.json (the profiles), src/cost/devices/profiles.ts (the
// same, compiled into the package), src/cost/devices/fit-report.{json,md}. Deterministic: same
// data, same code, same numbers.
//
// The model (src/cost/predict.ts, execution 'eager': every node one kernel, as PyTorch runs):
//   per step  ms = max(work / rate[class], (weightBytes + batch * actBytes) / bandwidth) + overhead
// Fitted parameters (9): rate of conv, conv1x1, dwconv, fc, pool, eltwise (GFLOP/s; 'other' is tied
// to eltwise: in these networks it is only concat, which has no arithmetic), memory bandwidth, one
// per-layer overhead for every class (per-class overheads were tried: they overfit, some went to
// zero and others to 0.9 ms, and the LONO maximum got worse), bounded to physical ranges:
//   rates in [1 GFLOP/s, peak] (conv: 4 x peak, since cuDNN's Winograd/FFT 3x3 kernels do fewer
//   multiplies than the direct-conv FLOPs we count — VGG-19 on the Titan Xp runs at 15.7 "TFLOP/s");
//   bandwidth in [spec / 20, spec]; overhead in [0.1, 1000] us.
// Objective: mean squared log error over every (network, batch) point. Optimiser: Nelder-Mead on
// logistic-bounded coordinates, 8 deterministic starts (the middle of every range + 7 fixed-seed
// random ones), each restarted 4 times with a shrinking simplex; the best end point wins.
//
// Baseline (Canziani et al. 2016: inference time is linear in operation count): per batch size b,
// ms per image = a_b * MACs + c_b, fitted by weighted least squares on relative error over the
// other networks at that batch size (the fit most favourable to the baseline under this metric).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, relative } from 'node:path';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
let predictMod, modelsMod, costMod;
try {
  predictMod = await import(join(ROOT, 'dist/cost/predict.js'));
  modelsMod = await import(join(ROOT, 'dist/models/index.js'));
  costMod = await import(join(ROOT, 'dist/cost/analyze.js'));
} catch (e) {
  console.error(`calibrate-devices: cannot load dist/ (${e.message}); run 'npm run build:ts' first`);
  process.exit(1);
}
const { deviceSteps, predict, validateProfile, PROFILE_SCHEMA } = predictMod;
const { buildModel } = modelsMod;
const { analyze, OP_CLASSES } = costMod;

/** Bianco et al.'s network names -> ours. Only architectures our zoo builds layer for layer. */
const NAME_MAP = {
  'AlexNet': 'alexnet',
  'BN-Inception': 'inception-v2',
  'GoogLeNet': 'googlenet',
  'Inception-v3': 'inception-v3',
  'Inception-v4': 'inception-v4',
  'MobileNet-v1': 'mobilenet-v1',
  'MobileNet-v2': 'mobilenet-v2',
  'ResNet-18': 'resnet-18',
  'ResNet-50': 'resnet-50',
  'ResNet-101': 'resnet-101',
  'ResNet-152': 'resnet-152',
  'VGG-11': 'vgg-11',
  'VGG-11_BN': 'vgg-11-bn',
  'VGG-16': 'vgg-16',
  'VGG-16_BN': 'vgg-16-bn',
  'VGG-19': 'vgg-19',
  'VGG-19_BN': 'vgg-19-bn',
};
/** Their networks we leave out, and why. */
const NOT_IN_ZOO = {
  'CaffeResNet-101': 'ResNet v1 (stride 2 in the first 1x1 of a block), our ResNets are torchvision v1.5',
  'FBResNet-152': 'ResNet v1 (Facebook Torch port), our ResNets are torchvision v1.5',
  'DenseNet-121 (k=32)': 'not in the zoo', 'DenseNet-161 (k=48)': 'not in the zoo',
  'DenseNet-169 (k=32)': 'not in the zoo', 'DenseNet-201 (k=32)': 'not in the zoo',
  'DPN-68': 'not in the zoo', 'DPN-98': 'not in the zoo', 'DPN-131': 'not in the zoo',
  'Inception-ResNet-v2': 'not in the zoo',
  'NASNet-A-Large': 'not in the zoo', 'NASNet-A-Mobile': 'not in the zoo',
  'ResNeXt-101 (32x4d)': 'not in the zoo', 'ResNeXt-101 (64x4d)': 'not in the zoo',
  'SE-ResNet-50': 'not in the zoo (squeeze-excitation)', 'SE-ResNet-101': 'not in the zoo (squeeze-excitation)',
  'SE-ResNet-152': 'not in the zoo (squeeze-excitation)', 'SE-ResNeXt-50 (32x4d)': 'not in the zoo (squeeze-excitation)',
  'SE-ResNeXt-101 (32x4d)': 'not in the zoo (squeeze-excitation)', 'SENet-154': 'not in the zoo (squeeze-excitation)',
  'ShuffleNet': 'not in the zoo', 'SqueezeNet-v1.0': 'not in the zoo', 'SqueezeNet-v1.1': 'not in the zoo',
  'Xception': 'not in the zoo',
};

const BIANCO = 'S. Bianco, R. Cadene, L. Celona, P. Napoletano, "Benchmark Analysis of Representative Deep Neural ' +
  'Network Architectures", IEEE Access 6:64270-64277, 2018 (arXiv:1810.00736v2)';

const DEVICES = [
  {
    name: 'tx1', file: 'data/tx1/bianco2018_tx1_ms_per_image.csv', table: 'Table 1(b)',
    description: 'NVIDIA Jetson TX1 (Maxwell GPU, 256 CUDA cores), PyTorch eager mode with cuDNN, fp32',
    // 256 cores x 2 FLOP x 998 MHz; 64-bit LPDDR4-3200 (NVIDIA Jetson TX1 module data sheet)
    peakGflops: 511, specGBs: 25.6,
    power: {
      watts: 6,
      source: 'NVIDIA whitepaper "GPU-Based Deep Learning Inference: A Performance and Power Analysis" (Nov 2015): ' +
        'GoogLeNet on the Jetson TX1 at up to 75 images/s "using up to 6 W"; Canziani et al. 2016 found power nearly ' +
        'independent of batch size and architecture, so one figure is used for every network',
    },
  },
  {
    name: 'titan-xp', file: 'data/tx1/bianco2018_titanxp_ms_per_image.csv', table: 'Table 1(a)',
    description: 'NVIDIA Titan Xp (Pascal GP102, 3840 CUDA cores), PyTorch eager mode with cuDNN, fp32',
    // 3840 cores x 2 FLOP x 1582 MHz boost; 384-bit GDDR5X at 11.4 Gbps (NVIDIA TITAN Xp specifications)
    peakGflops: 12150, specGBs: 547.7,
    power: {
      watts: 250,
      source: 'NVIDIA TITAN Xp specifications: 250 W graphics card power (TDP). A spec-sheet upper bound, not a ' +
        'measurement during inference, so energy per image is an upper bound too',
    },
  },
];

// --- data ------------------------------------------------------------------------------------

function readCsv(file) {
  const lines = readFileSync(join(ROOT, file), 'utf8').trim().split(/\r?\n/);
  if (lines[0] !== 'network,batch_size,ms_per_image') throw new Error(`${file}: unexpected header ${lines[0]}`);
  return lines.slice(1).map((l) => {
    const b = l.lastIndexOf(','), a = l.lastIndexOf(',', b - 1);
    return { network: l.slice(0, a), batch: Number(l.slice(a + 1, b)), ms: Number(l.slice(b + 1)) };
  });
}

/** Per zoo network: its eager steps at batch 1 as flat arrays (work and activations scale with the batch). */
const featureCache = new Map();
function features(zoo) {
  if (featureCache.has(zoo)) return featureCache.get(zoo);
  const g = buildModel(zoo);
  const steps = deviceSteps(g, 'eager', 1);
  const f = {
    graph: g, macs: analyze(g).macs, n: steps.length,
    cls: steps.map((s) => FIT_CLASSES.indexOf(s.opClass === 'other' ? 'eltwise' : s.opClass)),
    work: Float64Array.from(steps.map((s) => s.work)),
    act: Float64Array.from(steps.map((s) => s.actBytes)),
    w: Float64Array.from(steps.map((s) => s.weightBytes)),
  };
  featureCache.set(zoo, f);
  return f;
}

// --- model and fit -----------------------------------------------------------------------------

const FIT_CLASSES = ['conv', 'conv1x1', 'dwconv', 'fc', 'pool', 'eltwise'];

function bounds(dev) {
  return [
    ...FIT_CLASSES.map((c) => [1, c === 'conv' ? 4 * dev.peakGflops : dev.peakGflops]),
    [dev.specGBs / 20, dev.specGBs],
    [0.1, 1000],
  ];
}

/** Unconstrained u -> parameters: log-uniform between the bounds through a logistic. */
function unpack(u, B) {
  return u.map((v, i) => Math.exp(Math.log(B[i][0]) + (Math.log(B[i][1]) - Math.log(B[i][0])) / (1 + Math.exp(-v))));
}

/** ms per image of one network at one batch under parameters p (the same formula as predict()). */
function msPerImage(f, batch, p) {
  const bw = p[6] * 1e6, over = p[7] * 1e-3; // bytes per ms, ms
  let t = 0;
  for (let i = 0; i < f.n; i++) {
    const c = f.work[i] * batch / (p[f.cls[i]] * 1e6);
    const m = (f.w[i] + f.act[i] * batch) / bw;
    t += (c > m ? c : m) + over;
  }
  return t / batch;
}

function objective(points, p) {
  let s = 0;
  for (const q of points) { const e = Math.log(msPerImage(q.f, q.batch, p) / q.ms); s += e * e; }
  return s / points.length;
}

function nelderMead(fn, x0, step, iters) {
  const n = x0.length;
  let S = [x0.slice()];
  for (let i = 0; i < n; i++) { const x = x0.slice(); x[i] += step; S.push(x); }
  let F = S.map(fn);
  for (let it = 0; it < iters; it++) {
    const order = F.map((_, i) => i).sort((a, b) => F[a] - F[b]);
    S = order.map((i) => S[i]); F = order.map((i) => F[i]);
    if (F[n] - F[0] < 1e-12 * (1 + Math.abs(F[0]))) break;
    const c = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += S[i][j] / n;
    const at = (t) => c.map((cj, j) => cj + t * (S[n][j] - cj));
    const xr = at(-1), fr = fn(xr);
    if (fr < F[0]) {
      const xe = at(-2), fe = fn(xe);
      [S[n], F[n]] = fe < fr ? [xe, fe] : [xr, fr];
    } else if (fr < F[n - 1]) {
      [S[n], F[n]] = [xr, fr];
    } else {
      const xc = fr < F[n] ? at(-0.5) : at(0.5), fc = fn(xc);
      if (fc < Math.min(fr, F[n])) [S[n], F[n]] = [xc, fc];
      else for (let i = 1; i <= n; i++) { S[i] = S[i].map((v, j) => S[0][j] + 0.5 * (v - S[0][j])); F[i] = fn(S[i]); }
    }
  }
  return { x: S[0], f: F[0] };
}

function fit(points, dev) {
  const B = bounds(dev);
  const fn = (u) => objective(points, unpack(u, B));
  // Deterministic multi-start: the middle of every range, then STARTS - 1 points drawn from a
  // fixed-seed generator in u in [-3, 3]^n; from each, Nelder-Mead restarted with a shrinking simplex.
  let seed = 12345;
  const rand = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  let best = null;
  for (let s = 0; s < STARTS; s++) {
    let cur = { x: B.map(() => (s === 0 ? 0 : 6 * rand() - 3)), f: Infinity };
    cur.f = fn(cur.x);
    for (let r = 0; r < 4; r++) {
      const t = nelderMead(fn, cur.x, 1.5 / (1 + r), 3000);
      if (t.f <= cur.f) cur = t;
    }
    if (!best || cur.f < best.f) best = cur;
  }
  return unpack(best.x, B);
}
const STARTS = 8;

function toProfile(dev, p, fitSummary) {
  const classes = {};
  for (const c of OP_CLASSES) {
    const i = FIT_CLASSES.indexOf(c === 'other' ? 'eltwise' : c);
    classes[c] = { gflops: sig(p[i]), overheadUs: sig(p[7]) };
  }
  return validateProfile({
    schema: PROFILE_SCHEMA,
    name: dev.name,
    description: dev.description,
    execution: 'eager',
    bandwidthGBs: sig(p[6]),
    classes,
    power: dev.power,
    source: `fitted by scripts/calibrate-devices.mjs to ${BIANCO}, ${dev.table} (${relative(ROOT, join(ROOT, dev.file))}); ` +
      `one per-layer overhead for every class; 'other' tied to 'eltwise'`,
    fit: fitSummary,
  }, `${dev.name} profile`);
}

/** 6 significant digits: stable JSON, and predict() on the rounded profile is what the report checks. */
function sig(v) { return Number(v.toPrecision(6)); }

// --- errors --------------------------------------------------------------------------------------

function stats(errs) {
  const a = errs.map(Math.abs).sort((x, y) => x - y);
  const q = (f) => a[Math.min(a.length - 1, Math.max(0, Math.ceil(f * a.length) - 1))];
  return { points: a.length, median: r4(q(0.5)), p90: r4(q(0.9)), max: r4(a[a.length - 1]) };
}
function r4(v) { return Number(v.toFixed(4)); }

/** Canziani's finding as a predictor: per batch size, ms per image = a * MACs + c (WLS on relative error). */
function baselineFit(points) {
  let Sxx = 0, Sx = 0, S1 = 0, Sxy = 0, Sy = 0;
  for (const q of points) {
    const w = 1 / (q.ms * q.ms), x = q.f.macs;
    Sxx += w * x * x; Sx += w * x; S1 += w; Sxy += w * x * q.ms; Sy += w * q.ms;
  }
  const det = Sxx * S1 - Sx * Sx;
  return { a: (Sxy * S1 - Sx * Sy) / det, c: (Sxx * Sy - Sx * Sxy) / det };
}

// --- main ------------------------------------------------------------------------------------------

const report = { generatedBy: 'scripts/calibrate-devices.mjs', data: BIANCO, nameMap: NAME_MAP, notInZoo: NOT_IN_ZOO, devices: {} };
const t0 = performance.now();
for (const dev of DEVICES) {
  const rows = readCsv(dev.file);
  const unknown = [...new Set(rows.map((r) => r.network))].filter((n) => !(n in NAME_MAP) && !(n in NOT_IN_ZOO));
  if (unknown.length) throw new Error(`${dev.file}: networks neither mapped nor listed as left out: ${unknown.join(', ')}`);
  const points = rows.filter((r) => r.network in NAME_MAP).map((r) => ({ ...r, zoo: NAME_MAP[r.network], f: features(NAME_MAP[r.network]) }));
  const nets = [...new Set(points.map((q) => q.zoo))];
  process.stderr.write(`${dev.name}: ${points.length} points, ${nets.length} networks; fitting`);

  const p = fit(points, dev);
  // leave one network out: refit on the others (from the same start), predict the one left out
  const lono = [], base = [], perNet = {};
  for (const z of nets) {
    process.stderr.write('.');
    const train = points.filter((q) => q.zoo !== z), test = points.filter((q) => q.zoo === z);
    const pz = fit(train, dev);
    perNet[z] = { model: [], baseline: [] };
    for (const q of test) {
      const e = msPerImage(q.f, q.batch, pz) / q.ms - 1;
      const bl = baselineFit(train.filter((t) => t.batch === q.batch));
      const eb = (bl.a * q.f.macs + bl.c) / q.ms - 1;
      lono.push(e); base.push(eb);
      perNet[z].model.push([q.batch, r4(e)]); perNet[z].baseline.push([q.batch, r4(eb)]);
    }
  }
  process.stderr.write('\n');

  const fitSummary = {
    method: 'Nelder-Mead on mean squared log error, bounded parameters (scripts/calibrate-devices.mjs)',
    points: points.length, networks: nets,
    lono: stats(lono), baselineLono: stats(base),
  };
  const profile = toProfile(dev, p, fitSummary);
  // training error through the public predict() on the rounded profile: what the tests re-check
  const train = points.map((q) => predict(q.f.graph, { device: profile, batch: q.batch }).msPerImage / q.ms - 1);
  profile.fit.training = stats(train);
  report.devices[dev.name] = {
    profile: `src/cost/devices/${dev.name}.json`, data: dev.file, table: dev.table,
    points: points.length, networks: nets.length,
    training: profile.fit.training, lono: fitSummary.lono, baselineLono: fitSummary.baselineLono,
    perNetwork: perNet,
    parameters: { classes: profile.classes, bandwidthGBs: profile.bandwidthGBs, peakGflops: dev.peakGflops, specGBs: dev.specGBs },
  };
  writeFileSync(join(ROOT, `src/cost/devices/${dev.name}.json`), JSON.stringify(profile, null, 2) + '\n');
  const beats = fitSummary.lono.median < fitSummary.baselineLono.median && fitSummary.lono.max < fitSummary.baselineLono.max;
  console.log(`${dev.name}: LONO median ${fitSummary.lono.median}, p90 ${fitSummary.lono.p90}, max ${fitSummary.lono.max}; ` +
    `baseline median ${fitSummary.baselineLono.median}, p90 ${fitSummary.baselineLono.p90}, max ${fitSummary.baselineLono.max}` +
    (beats ? '' : '  <-- does NOT beat the baseline on median and max'));
}
const seconds = (performance.now() - t0) / 1000;

mkdirSync(join(ROOT, 'src/cost/devices'), { recursive: true });
writeFileSync(join(ROOT, 'src/cost/devices/fit-report.json'), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(ROOT, 'src/cost/devices/fit-report.md'), markdown(report));
writeFileSync(join(ROOT, 'src/cost/devices/profiles.ts'), profilesModule());
console.log(`wrote src/cost/devices/{${DEVICES.map((d) => d.name).join(',')}}.json, profiles.ts, fit-report.json, fit-report.md ` +
  `in ${seconds.toFixed(1)} s; rebuild with 'npm run build:ts'`);

function pct(v) { return `${(100 * v).toFixed(1)}%`; }

function markdown(r) {
  const L = [];
  L.push('<!-- generated by scripts/calibrate-devices.mjs; do not edit -->');
  L.push('# Latency model fit: Jetson TX1 and Titan Xp');
  L.push('');
  L.push(`Data: ${r.data}, ms per image at batch 1-64 (data/tx1/). Error = |predicted / measured - 1| over every ` +
    '(network, batch) point; leave-one-network-out (LONO): each network is predicted by a fit to the other networks only.');
  L.push('');
  L.push('| device | points (networks) | model LONO median | p90 | max | baseline LONO median | p90 | max | model in-sample median | max |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, d] of Object.entries(r.devices)) {
    L.push(`| ${name} | ${d.points} (${d.networks}) | ${pct(d.lono.median)} | ${pct(d.lono.p90)} | ${pct(d.lono.max)} | ` +
      `${pct(d.baselineLono.median)} | ${pct(d.baselineLono.p90)} | ${pct(d.baselineLono.max)} | ${pct(d.training.median)} | ${pct(d.training.max)} |`);
  }
  L.push('');
  L.push('Model: per layer, max(FLOPs / rate[class], (weight bytes + batch x activation bytes) / bandwidth) + overhead, ' +
    'summed over the layers PyTorch runs (conv, batchnorm, relu, pool, concat, fc each a kernel). Baseline (Canziani et al. 2016, ' +
    '"operation count predicts inference time"): ms per image = a_b x MACs + c_b, fitted per batch size b by least squares on relative error.');
  L.push('');
  for (const [name, d] of Object.entries(r.devices)) {
    L.push(`## ${name}: fitted parameters`);
    L.push('');
    L.push('| class | GFLOP/s | overhead (us) |');
    L.push('|---|---|---|');
    for (const [c, v] of Object.entries(d.parameters.classes)) L.push(`| ${c} | ${v.gflops} | ${v.overheadUs} |`);
    L.push('');
    L.push(`Bandwidth ${d.parameters.bandwidthGBs} GB/s (spec ${d.parameters.specGBs}); fp32 peak ${d.parameters.peakGflops} GFLOP/s. ` +
      'A class whose rate sits at its bound never limits a layer in this data.');
    L.push('');
    L.push('| network | batch: model LONO error (baseline) |');
    L.push('|---|---|');
    for (const [z, e] of Object.entries(d.perNetwork)) {
      L.push(`| ${z} | ${e.model.map(([b, v], i) => `${b}: ${pct(v)} (${pct(e.baseline[i][1])})`).join(', ')} |`);
    }
    L.push('');
  }
  L.push('## Networks');
  L.push('');
  L.push('Mapped (Bianco -> simdnet zoo): ' + Object.entries(r.nameMap).map(([a, b]) => `${a} -> ${b}`).join(', ') + '.');
  L.push('');
  L.push('Left out: ' + Object.entries(r.notInZoo).map(([a, why]) => `${a} (${why})`).join(', ') + '.');
  L.push('');
  return L.join('\n');
}

function profilesModule() {
  const body = DEVICES.map((d) => `  '${d.name}': ${JSON.stringify(JSON.parse(readFileSync(join(ROOT, `src/cost/devices/${d.name}.json`), 'utf8')), null, 2).replace(/\n/g, '\n  ')},`).join('\n');
  return `// Generated from src/cost/devices/*.json by scripts/calibrate-devices.mjs (npm run calibrate:devices); do not edit.\n` +
    `import type { DeviceProfile } from '../profile.js';\n\n` +
    `/** The built-in device profiles, by name. */\n` +
    `export const BUILTIN_PROFILES: Readonly<Record<string, DeviceProfile>> = Object.freeze({\n${body}\n}) as Record<string, DeviceProfile>;\n`;
}
