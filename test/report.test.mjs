// The report's data assembly, sources and rendering, from fixed inputs (no benchmark runs):
// rows from given cost / bench / prediction numbers, fits worked out by hand, the shipped
// accuracy table against the zoo, the BENCHMARKS.md peer table, argument checks.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, mkdirSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { MODELS, buildModel } from '../dist/index.js';
import { planActivations } from '../dist/lower/index.js';
import {
  assembleRow, linearFit, timeFits, hostAgreement, runsFor, parseCsv, parseAccuracy, parsePeerTable, parseMemoryTable,
  formatReportTable, renderHtml, BIANCO_NAMES, CURVE_BATCHES,
} from '../dist/report/index.js';
import { parseReportArgs, ReportUsageError } from '../dist/report/index.js';
import { loadAccuracy, loadTx1Measured, PACKAGE_ROOT, peersUnavailable, peerVersions } from '../dist/report/sources.js';
import { collectRows } from '../dist/report/collect.js';
import { createProgress, eta, formatDuration } from '../dist/report/progress.js';
import { loadPredictor } from '../dist/report/predict-adapter.js';

const CLASSES = ['conv', 'conv1x1', 'dwconv', 'fc', 'pool', 'eltwise', 'other'];
const byOp = (o) => Object.fromEntries(CLASSES.map((c) => [c, o[c] ?? { params: 0, macs: 0 }]));

/** A made-up model: 4 M params (3 M in 1x1 convs, 1 M fc), 500 M MACs (400 M 1x1, 100 M dw). */
const INPUT = {
  model: 'toy', family: 'toy', resolution: 224,
  cost: {
    params: 4_000_000, macs: 500_000_000, peakBytes: 3_000_000,
    byOp: byOp({ conv1x1: { params: 3_000_000, macs: 400_000_000 }, dwconv: { params: 0, macs: 100_000_000 }, fc: { params: 1_000_000, macs: 0 } }),
  },
  bench: { medianMs: 40, minMs: 38, maxMs: 45, runs: 5 },
  hostPredictedMs: 44,
  tx1Predicted: [16, 8, 1].map((b) => ({ batch: b, msPerImage: 100 / b })),
  tx1Measured: [{ batch: 16, msPerImage: 9 }, { batch: 1, msPerImage: 20 }],
  tx1Network: 'Toy-Net',
  accuracy: { percent: 70, network: 'toy', source: 'made up' },
};

test('assembleRow: GPU curves and memory points sorted by batch; absent inputs give empty ones', () => {
  const pt = (batch) => ({ batch, msPerImage: 10 / batch, energyMjPerImage: 60 / batch, memoryBytes: 1e9 + batch });
  const r = assembleRow({ ...INPUT, gpuPredicted: { 'titan-xp': [pt(4), pt(1)] }, memoryMeasured: [{ batch: 2, bytes: 2 }, { batch: 1, bytes: 1 }], hostMemory: [{ batch: 1, bytes: 5 }] });
  assert.equal(r.gpu['titan-xp'].map((p) => p.batch), [1, 4]);
  assert.equal(r.memory.titanXpMeasured.map((p) => p.batch), [1, 2]);
  assert.equal(r.memory.host, [{ batch: 1, bytes: 5 }]);
  const bare = assembleRow(INPUT);
  assert.equal(bare.gpu, {});
  assert.equal(bare.memory, { titanXpMeasured: [], host: [] });
});

test('parseMemoryTable: GB rows, an MB repeat of batch 1 replaces the rounded value, junk skipped', () => {
  const t = parseMemoryTable('network,batch_size,gpu_memory_gb\nNet,1,0.92\nNet,2,0.93\nNet,x,1\nNet,4,-1\nNet,1,943\n');
  assert.equal(t.get('Net'), [{ batch: 1, bytes: 0.943e9 }, { batch: 2, bytes: 0.93e9 }]);
});

test('assembleRow: totals, shares, density, host error and TX1 points', () => {
  const r = assembleRow(INPUT);
  assert.is(r.params, 4_000_000);
  assert.is(r.macs, 500_000_000);
  assert.is(r.peakActivationBytes, 3_000_000);
  assert.equal(r.byOp.map((b) => b.opClass), CLASSES);
  const c1 = r.byOp.find((b) => b.opClass === 'conv1x1');
  assert.is(c1.macsShare, 0.8); // 400 / 500
  assert.is(c1.paramsShare, 0.75); // 3 / 4
  assert.is(r.byOp.find((b) => b.opClass === 'dwconv').macsShare, 0.2);
  assert.is(r.byOp.find((b) => b.opClass === 'fc').paramsShare, 0.25);
  assert.is(r.top1PerMParams, 17.5); // 70 % / 4 M
  assert.ok(Math.abs(r.hostError - 0.1) < 1e-12); // (44 - 40) / 40
  assert.is(r.hostWithinBand, true);
  assert.is(r.tx1.predictedB1, 100);
  assert.is(r.tx1.predictedB16, 6.25);
  assert.is(r.tx1.measuredB1, 20);
  assert.is(r.tx1.measuredB16, 9);
  assert.equal(r.tx1.predicted.map((p) => p.batch), [1, 8, 16]); // sorted
  assert.equal(r.tx1.measured.map((p) => p.batch), [1, 16]);
  assert.is(r.tx1.network, 'Toy-Net');
});

test('assembleRow: missing pieces give nulls, not zeros', () => {
  const r = assembleRow({ ...INPUT, bench: null, hostPredictedMs: null, tx1Predicted: [], tx1Measured: [], tx1Network: null, accuracy: null, notes: ['x'] });
  assert.is(r.measured, null);
  assert.is(r.hostError, null);
  assert.is(r.hostWithinBand, null);
  assert.is(r.top1PerMParams, null);
  assert.is(r.tx1.predictedB1, null);
  assert.is(r.tx1.measuredB16, null);
  assert.equal(r.notes, ['x']);
  // Judged against the measured spread (runs 38..45 ms): 47 is +17.5 % off the median but +4.4 %
  // off the slowest run, inside; 53 is +17.8 % off it, outside; 32 is -15.8 % off the fastest.
  const at = (ms) => assembleRow({ ...INPUT, hostPredictedMs: ms });
  assert.is(at(47).hostWithinBand, true);
  assert.ok(Math.abs(at(47).hostSpreadError - (47 / 45 - 1)) < 1e-12);
  assert.ok(Math.abs(at(47).hostError - 0.175) < 1e-12);
  assert.is(at(53).hostWithinBand, false);
  assert.is(at(32).hostWithinBand, false);
  assert.is(at(40.5).hostSpreadError, 0);
  assert.is(at(34).hostWithinBand, true); // -10.5 % off the fastest
});

test('linearFit: exact line, noisy points, degenerate input', () => {
  const f = linearFit([{ x: 1, y: 5 }, { x: 2, y: 7 }, { x: 4, y: 11 }]); // y = 3 + 2x
  assert.ok(Math.abs(f.slope - 2) < 1e-12 && Math.abs(f.intercept - 3) < 1e-12);
  assert.is(f.r2, 1);
  assert.is(f.n, 3);
  // (0,0) (1,1) (2,1): mean x 1, mean y 2/3; sxy = (-1)(-2/3) + 0 + (1)(1/3) = 1; sxx = 2 → slope 0.5,
  // intercept 2/3 - 0.5 = 1/6; residuals -1/6, 1/3, -1/6 → SSres 1/6; SStot 2/3 → r² = 0.75.
  const g = linearFit([{ x: 0, y: 0 }, { x: 1, y: 1 }, { x: 2, y: 1 }]);
  assert.ok(Math.abs(g.slope - 0.5) < 1e-12 && Math.abs(g.intercept - 1 / 6) < 1e-12 && Math.abs(g.r2 - 0.75) < 1e-12);
  assert.is(linearFit([{ x: 1, y: 1 }]), null);
  assert.is(linearFit([{ x: 1, y: 1 }, { x: 1, y: 2 }]), null);
});

test('timeFits and hostAgreement over rows', () => {
  const a = assembleRow(INPUT); // 0.5 GMAC, here 40 ms, TX1 20 ms
  const b = assembleRow({ ...INPUT, model: 'toy2', cost: { ...INPUT.cost, macs: 1_500_000_000 }, bench: { ...INPUT.bench, medianMs: 60 }, hostPredictedMs: 75, tx1Measured: [{ batch: 1, msPerImage: 50 }] });
  const c = assembleRow({ ...INPUT, model: 'toy3', bench: null, tx1Measured: [] });
  const f = timeFits([a, b, c]);
  assert.ok(Math.abs(f.here.slope - 20) < 1e-9 && Math.abs(f.here.intercept - 30) < 1e-9); // 40 @ .5, 60 @ 1.5
  assert.ok(Math.abs(f.tx1.slope - 30) < 1e-9 && Math.abs(f.tx1.intercept - 5) < 1e-9); // 20 @ .5, 50 @ 1.5
  assert.is(f.here.n, 2);
  const h = hostAgreement([a, b, c]); // +10 %, +25 %
  assert.equal({ n: h.n, within: h.within }, { n: 2, within: 1 });
  assert.ok(Math.abs(h.worst - 0.25) < 1e-12);
});

test('runsFor: quick 3..10 runs in ~1.5 s, full 10..50 in ~10 s', () => {
  assert.is(runsFor('quick', 600), 3); // VGG-19
  assert.is(runsFor('quick', 300), 5);
  assert.is(runsFor('quick', 20), 10);
  assert.is(runsFor('full', 600), 16);
  assert.is(runsFor('full', 5000), 10);
  assert.is(runsFor('full', 1), 50);
});

test('parseCsv: quoted commas and doubled quotes, CRLF, blank lines', () => {
  const rows = parseCsv('a,b,c\r\n1,"x, ""y""",3\r\n\r\n4,5,\n');
  assert.equal(rows, [{ a: '1', b: 'x, "y"', c: '3' }, { a: '4', b: '5', c: '' }]);
  assert.throws(() => parseAccuracy('model,network,top1_percent,source\nfoo,Foo,abc,src\n'), /bad row/);
});

test('shipped accuracy table: zoo names only, every zoo model but the BN VGGs and ShuffleNet covered, sane values', () => {
  const acc = loadAccuracy();
  const zoo = new Set(MODELS.map((m) => m.name));
  for (const [name, a] of acc) {
    assert.ok(zoo.has(name), `${name} is not a zoo model`);
    assert.ok(a.percent > 50 && a.percent < 85, `${name}: ${a.percent}`);
    assert.ok(a.source.length > 10);
  }
  const missing = [...zoo].filter((m) => !acc.has(m)).sort();
  // no source gives these variants' top-1: torchvision publishes none for the BN VGGs' metadata
  // used here, and Bianco et al.'s Table 3 has no ShuffleNet row
  assert.equal(missing, ['shufflenet-g8', 'vgg-11-bn', 'vgg-13-bn', 'vgg-16-bn', 'vgg-19-bn']);
  assert.is(acc.get('resnet-50').percent, 76.13);
  assert.is(acc.get('mobilenet-v1').percent, 70.6);
  assert.is(acc.get('inception-v4').network, 'Inception-v4');
});

test('TX1 names: every mapped model is in the zoo; the shipped table has each of them', () => {
  const zoo = new Set(MODELS.map((m) => m.name));
  for (const m of Object.keys(BIANCO_NAMES)) assert.ok(zoo.has(m), m);
  // The package ships data/tx1/ (package.json "files"): a missing table is a packaging bug.
  const { path, byModel } = loadTx1Measured();
  assert.is(path, join(PACKAGE_ROOT, 'data', 'tx1', 'bianco2018_tx1_ms_per_image.csv'));
  assert.ok(existsSync(path), path);
  assert.equal([...byModel.keys()].sort(), Object.keys(BIANCO_NAMES).sort());
  assert.is(byModel.get('resnet-50').points.find((p) => p.batch === 1).msPerImage, 53.09);
  for (const [model, { network, points }] of byModel) {
    assert.is(network, BIANCO_NAMES[model]);
    assert.ok(points.length >= 2, `${model}: ${points.length} batch sizes`);
    assert.ok(points.every((p) => Number.isInteger(p.batch) && p.batch >= 1 && p.msPerImage > 0), model);
  }
  // A directory without the table: no path, no rows (what the report's note is for).
  const empty = mkdtempSync(join(tmpdir(), 'simdnet-tx1-'));
  try {
    const none = loadTx1Measured(empty);
    assert.is(none.path, null);
    assert.is(none.byModel.size, 0);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

// The table exactly as bench/peers/index.mjs prints it, inside other Markdown.
const PEERS_MD = `# Benchmarks

Some text | with a pipe.

| tile | GFLOP/s |
|------|--------:|
| 8x8  |    40.1 |

| model        | batch | GMAC | simdnet ms | tfjs-wasm ms | ort-web ms | simdnet/tfjs-wasm | simdnet/ort-web | max rel diff |
|--------------|------:|-----:|-----------:|-------------:|-----------:|------------------:|----------------:|-------------:|
| mobilenet-v1 |     1 | 0.57 |       36.1 |         44.3 |       71.3 |              0.81 |            0.51 |      1.1e-6 |
| resnet-50    |     8 | 32.7 |       1803 |         2101 |       2950 |              0.86 |            0.61 |      2.0e-6 |
| vgg-16       |     1 | 15.47 |            |              |            |                   |                 |     MISMATCH |
`;

test('parsePeerTable: the bench:peers table; engines from the "<engine> ms" columns; blanks → null', () => {
  const t = parsePeerTable(PEERS_MD, 'BENCHMARKS.md');
  assert.equal(t.engines, ['simdnet', 'tfjs-wasm', 'ort-web']);
  assert.is(t.rows.length, 3);
  assert.equal(t.rows[0], { model: 'mobilenet-v1', batch: 1, ms: { simdnet: 36.1, 'tfjs-wasm': 44.3, 'ort-web': 71.3 } });
  assert.equal(t.rows[1].batch, 8);
  assert.is(t.rows[1].ms.simdnet, 1803);
  assert.equal(t.rows[2].ms, { simdnet: null, 'tfjs-wasm': null, 'ort-web': null });
  assert.is(t.source, 'BENCHMARKS.md');
  assert.is(t.section, 'Benchmarks', 'the heading it was recorded under');
  assert.is(t.measuredInRun, false);
  assert.is(parsePeerTable('# nothing\n\n| a | b |\n|---|---|\n| 1 | 2 |\n', 'x'), null);
  assert.is(parsePeerTable('', 'x'), null);
});

function fixedData(rows) {
  return {
    generated: '2026-01-01T00:00:00.000Z', simdnet: '0.0.0',
    machine: { cpu: 'Test CPU', cores: 2, platform: 'linux', node: 'v20', binary: 'baseline' },
    settings: { mode: 'quick', models: rows.map((r) => r.model) },
    devices: [{ name: 'tx1', description: 'test', watts: 6, powerSource: 'test' }],
    prediction: { tx1: true, host: true, notes: ['TX1: fixed', 'here: fixed'] },
    rows, fits: timeFits(rows), peers: parsePeerTable(PEERS_MD, 'BENCHMARKS.md'), elapsedMs: 1234,
    load: { before: 3.5, after: 1.2 },
  };
}

test('formatReportTable: header, one line per model, dashes for missing, fits', () => {
  const rows = [assembleRow(INPUT), assembleRow({ ...INPUT, model: 'bare', bench: null, hostPredictedMs: null, accuracy: null, tx1Measured: [], tx1Predicted: [] })];
  const text = formatReportTable(fixedData(rows));
  const lines = text.split('\n');
  assert.match(lines[0], /^model\s+res\s+params M\s+GMAC\s+peak act MB\s+top-1 %/);
  const toy = lines.find((l) => l.startsWith('toy '));
  assert.match(toy, /4\.00\s+0\.500\s+3\.0\s+70\.0\s+17\.50\s+40\.0\s+5\s+44\.0\s+\+10\.0%\s+100\.0\s+6\.3\s+20\.0\s+9\.0$/);
  const bare = lines.find((l) => l.startsWith('bare '));
  assert.match(bare, /0\.500\s+3\.0(\s+—){10}$/);
  assert.match(text, /host prediction within ±15% of the measured spread: 1\/1 models/);
  assert.match(text, /load average 3\.5 before, 1\.2 after \(busy: other jobs slowed the measurements\)/);
});

test('renderHtml: self-contained, data embedded safely, one section per chart', () => {
  const evil = assembleRow({ ...INPUT, model: '</script><b>x', notes: ['<img src=x>'] });
  const html = renderHtml(fixedData([assembleRow(INPUT), evil]), { chartJs: '/* chart */ window.Chart = function(){};', client: 'console.log(1)' });
  assert.not.match(html, /<script[^>]+src=/); // nothing fetched
  assert.not.match(html, /https?:\/\/(?!www\.w3)/);
  assert.is(html.split('</script>').length - 1, 3); // data, Chart.js, client — the model name did not close one
  assert.match(html, /&lt;\/script&gt;&lt;b&gt;x/);
  assert.match(html, /&lt;img src=x&gt;/);
  for (const id of ['chart-accuracy', 'chart-tx1-batch', 'chart-time-macs', 'chart-pred-meas', 'chart-breakdown-macs', 'chart-breakdown-params', 'chart-peers',
    'chart-power', 'chart-energy', 'chart-memory-batch', 'chart-memory-params', 'chart-density']) {
    assert.match(html, new RegExp(`id="${id}"`));
  }
  const json = html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)[1];
  const back = JSON.parse(json);
  assert.is(back.rows[1].model, '</script><b>x');
  assert.is(back.peers.rows.length, 3);
});

test('collectRows: fixed bench and predictor → rows right, progress reported', async () => {
  const calls = [];
  const fakeBench = async (name, opts, graph) => {
    calls.push({ name, runs: opts.runs, input: graph.nodes[0].outShape });
    for (let i = 1; i <= opts.runs; i++) opts.onProgress(i, opts.runs);
    return { medianMs: 25, minMs: 24, maxMs: 30, runs: opts.runs, model: name };
  };
  const predictor = { hostMsPerImage: () => 30, tx1MsPerImage: (g, b) => 16 / b + 10 };
  const updates = [];
  const lines = [];
  const rows = await collectRows({
    models: ['mobilenet-v1', 'resnet-18'], mode: 'quick', predictor, bench: fakeBench,
    progress: { update: (f, l) => updates.push([f, l]), line: (t) => lines.push(t), done() {} },
    accuracy: new Map([['resnet-18', { percent: 69.758, network: 'resnet18', source: 's' }]]),
    tx1Measured: new Map([['resnet-18', { network: 'ResNet-18', points: [{ batch: 1, msPerImage: 21.16 }] }]]),
  });
  assert.equal(calls.map((c) => [c.name, c.runs]), [['mobilenet-v1', 10], ['resnet-18', 10]]); // 1500 / 30 ms → 50, capped at 10
  assert.equal(calls[0].input, [1, 224, 224, 3]);
  const [mb, rn] = rows;
  assert.is(mb.params, 4_231_976); // MobileNet-v1 1.0-224, paper Table 1 (4.2 M)
  assert.is(mb.macs, 568_740_352); // 569 M, as models.test's golden row
  assert.ok(mb.byOp.find((b) => b.opClass === 'conv1x1').macsShare > 0.9); // paper Table 2: 94.86 %
  assert.is(mb.top1, null);
  assert.is(mb.measured.medianMs, 25);
  assert.ok(Math.abs(mb.hostError - 0.2) < 1e-12);
  assert.is(mb.hostSpreadError, 0); // 30 ms predicted, runs 24..30 ms
  assert.is(mb.hostWithinBand, true);
  assert.equal(mb.tx1.predicted.map((p) => p.batch), [...CURVE_BATCHES]);
  assert.is(mb.tx1.predictedB16, 11);
  assert.is(rn.params, 11_689_512); // torchvision resnet18
  assert.is(rn.top1PerMParams, 69.758 / 11.689512);
  assert.is(rn.tx1.measuredB1, 21.16);
  // the runtime's memory plan for the same graph, well under the sum of all activations
  assert.is(rn.peakActivationBytes, planActivations(buildModel('resnet-18')).peakBytes);
  // the stem conv's input and output are live together
  assert.ok(rn.peakActivationBytes >= (224 * 224 * 3 + 112 * 112 * 64) * 4, `${rn.peakActivationBytes} B`);
  assert.is(lines.length, 2);
  assert.match(lines[1], /^\[2\/2\] resnet-18: 1\.81 GMAC, 11\.7 M params, 25\.0 ms median of 10, predicted 30\.0 ms/);
  const fr = updates.map(([f]) => f);
  assert.ok(fr.every((f, i) => f >= 0 && f <= 1 + 1e-9 && (i === 0 || f >= fr[i - 1] - 1e-9)), 'fractions rise within 0..1');
  assert.ok(Math.abs(fr.at(-1) - 1) < 1e-9);
  assert.ok(updates.some(([, l]) => /resnet-18 \(2\/2\): run 3\/10/.test(l)));
});

test('collectRows: a failing benchmark or predictor leaves a note, not a crash', async () => {
  const rows = await collectRows({
    models: ['mobilenet-v2'], mode: 'quick',
    predictor: { hostMsPerImage: () => { throw new Error('no profile'); }, tx1MsPerImage: () => { throw new Error('bad'); } },
    bench: async () => { throw new Error('out of memory'); },
    progress: { update() {}, line() {}, done() {} }, accuracy: new Map(), tx1Measured: new Map(),
  });
  assert.is(rows[0].measured, null);
  assert.equal(rows[0].tx1.predicted, []);
  assert.equal(rows[0].notes, ['host prediction failed: no profile', 'TX1 prediction failed: bad', 'benchmark failed: out of memory']);
});

test('progress: ETA and durations; plain lines when not a TTY, a redrawn bar on a TTY', () => {
  assert.is(formatDuration(65_000), '1m05s');
  assert.is(formatDuration(42_400), '42s');
  assert.is(eta(0.01, 10_000), null);
  assert.is(eta(0.25, 30_000), 90_000);
  const sink = () => { const s = new Writable({ write(c, _e, cb) { s.text += c; cb(); } }); s.text = ''; return s; };
  const plain = sink();
  const p = createProgress({ stream: plain, tty: false });
  p.update(0.5, 'ignored');
  p.line('[1/2] a: done');
  p.done();
  assert.is(plain.text, '[1/2] a: done\n');
  const term = sink();
  let t = 0;
  const q = createProgress({ stream: term, tty: true, now: () => t });
  t = 10_000;
  q.update(0.25, 'resnet-50 (3/21): run 2/3');
  assert.match(term.text, /^\r\[######\.+\]  25%  10s elapsed, ETA 30s  resnet-50 \(3\/21\): run 2\/3\x1b\[K$/);
  q.line('kept');
  assert.match(term.text, /\r\x1b\[Kkept\n$/);
});

test('peerVersions: bench/peers\' versions line as package versions', () => {
  assert.is(peerVersions(' {"simdnet":{"simdnet":"0.1.0","threads":1},"tfjs-wasm":{"tfjs-core":"4.22.0","binary":"x.wasm"},"ort-web":{"onnxruntime-web":"1.30.0"}}'),
    'simdnet 0.1.0; tfjs-core 4.22.0; onnxruntime-web 1.30.0');
  assert.is(peerVersions('not json'), null);
});

test('peersUnavailable: says why an installed package cannot measure the peers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-pkg-'));
  try {
    assert.match(peersUnavailable(dir), /bench\/peers is not part of an installed package/);
    mkdirSync(join(dir, 'bench', 'peers'), { recursive: true });
    writeFileSync(join(dir, 'bench', 'peers', 'index.mjs'), '');
    assert.match(peersUnavailable(dir), /the peer package @tensorflow\/tfjs-backend-wasm is not installed/);
    assert.is(peersUnavailable(PACKAGE_ROOT), null);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('parseReportArgs: defaults, canonical names, and clear errors before any work', () => {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-report-'));
  try {
    const d = parseReportArgs([], dir);
    assert.is(d.mode, 'quick');
    assert.is(d.models.length, MODELS.length);
    assert.is(d.out, join(dir, 'report.html'));
    assert.not.ok(existsSync(d.out), 'the writability probe leaves no file behind');
    const o = parseReportArgs(['--full', '--models', 'resnet50, MobileNet_V1,resnet-50', '--out', 'x/../r.html', '--json'], dir);
    assert.equal(o.models, ['resnet-50', 'mobilenet-v1']);
    assert.is(o.mode, 'full');
    assert.is(o.out, join(dir, 'r.html'));
    assert.is(o.json, true);
    assert.is(o.calibrate, true);
    assert.is(parseReportArgs(['--no-calibrate'], dir).calibrate, false);
    const bad = (args, re) => assert.throws(() => parseReportArgs(args, dir), (e) => e instanceof ReportUsageError && re.test(e.message));
    bad(['--models', 'resnet-51'], /unknown model "resnet-51"; known models: alexnet/);
    bad(['--models', ''], /--models is empty/);
    bad(['--models', ' , '], /--models is empty/);
    bad(['--quick', '--full'], /exclude each other/);
    bad(['--peers', '--benchmarks', 'B.md'], /--peers and --benchmarks exclude each other/);
    // in this clone bench/peers and the peer packages are there: --peers is accepted
    assert.is(parseReportArgs(['--peers'], dir).peers, true);
    bad(['--out', join(dir, 'no', 'such', 'dir', 'r.html')], /cannot write .*: its directory does not exist/);
    bad(['--out', dir], /it is a directory/);
    writeFileSync(join(dir, 'file'), '');
    bad(['--out', join(dir, 'file', 'r.html')], /a parent is not a directory/);
    bad(['--runs', '3'], /Unknown option '--runs'/);
    bad(['resnet-18'], /Unexpected argument|positional/i);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadPredictor: each half used when the latency model has it, calibrating once when asked', async () => {
  const seen = [];
  const predict = (g, o) => { seen.push([typeof o.device === 'string' ? o.device : o.device.name, o.batch]); return { msPerImage: o.batch === 16 ? 5 : 9 }; };
  const g = { name: 'g' };
  // Both halves, saved host profile.
  let r = await loadPredictor({ calibrate: true, module: { predict, BUILTIN_DEVICES: ['tx1', 'titan-xp'], loadHostProfile: () => ({ name: 'host' }) } });
  assert.is(r.predictor.tx1MsPerImage(g, 16), 5);
  assert.is(r.predictor.hostMsPerImage(g), 9);
  assert.equal(seen, [['tx1', 16], ['host', 1]]);
  assert.is(r.calibrated, false);
  // No saved profile: calibrates, with progress, then predicts from the new profile.
  const progress = [];
  r = await loadPredictor({
    calibrate: true, onCalibrate: (f) => progress.push(f),
    module: { predict, BUILTIN_DEVICES: [], loadHostProfile: () => null, calibrateHost: async ({ onProgress }) => { onProgress(1, 2, 'gemm'); return { name: 'fresh' }; } },
  });
  assert.is(r.calibrated, true);
  assert.equal(progress, [0, 0.5, 1]);
  assert.is(r.predictor.tx1MsPerImage, null);
  assert.is(r.predictor.hostMsPerImage(g), 9);
  assert.match(r.notes.join('\n'), /TX1: no tx1 device profile[\s\S]*here: host profile calibrated by this run$/);
  // Calibrated and saved when the model can save; a saved profile is used without calibrating.
  let stored = null;
  const saving = { predict, loadHostProfile: () => stored, saveHostProfile: (p) => { stored = p; }, calibrateHost: async () => ({ name: 'saved' }) };
  r = await loadPredictor({ calibrate: true, module: saving });
  assert.is(r.calibrated, true);
  assert.match(r.notes[1], /calibrated by this run and saved/);
  r = await loadPredictor({ calibrate: true, module: { ...saving, calibrateHost: async () => { throw new Error('must not run'); } } });
  assert.is(r.calibrated, false);
  assert.match(r.notes[1], /saved by an earlier calibration/);
  // Not asked to calibrate: no host half, and the note says what to run.
  r = await loadPredictor({ calibrate: false, module: { predict, loadHostProfile: () => null, calibrateHost: async () => { throw new Error('must not run'); } } });
  assert.is(r.predictor.hostMsPerImage, null);
  assert.match(r.notes[1], /simdnet calibrate/);
  // A module without predict() is a programming error, said as such.
  let err;
  try { await loadPredictor({ calibrate: true, module: {} }); } catch (e) { err = e; }
  assert.ok(err instanceof TypeError && /module\.predict must be a function/.test(err.message), String(err));
  // Without a module: this build's own latency model, TX1 profile included.
  r = await loadPredictor({ calibrate: false });
  assert.ok(typeof r.predictor.tx1MsPerImage === 'function');
  const { buildModel } = await import('../dist/models/index.js');
  const ms = r.predictor.tx1MsPerImage(buildModel('resnet-18'), 1);
  assert.ok(ms > 10 && ms < 100, `resnet-18 on the TX1 at batch 1: ${ms} ms (Bianco et al. measured about 30)`);
  // the GPU curves of both built-in devices, with their power figures, and the planner's memory
  assert.equal(r.predictor.gpuDevices.map((d) => [d.name, d.watts]), [['tx1', 6], ['titan-xp', 250]]);
  const pt = r.predictor.gpu(buildModel('resnet-18'), 'titan-xp', 4);
  assert.is(pt.batch, 4);
  assert.ok(pt.msPerImage > 0 && pt.energyMjPerImage === 250 * pt.msPerImage && pt.memoryBytes > 0.5e9, JSON.stringify(pt));
  assert.ok(r.predictor.hostMemoryBytes(buildModel('resnet-18'), 1) > 11.6e6 * 4, 'at least the weights');
});

test('package root holds the data the report ships', () => {
  assert.ok(existsSync(join(PACKAGE_ROOT, 'data', 'accuracy', 'top1.csv')));
  assert.ok(existsSync(join(PACKAGE_ROOT, 'data', 'accuracy', 'README.md')));
});

test.run();
