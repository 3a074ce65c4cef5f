// End to end: `simdnet report --models mobilenet-v1,resnet-18 --quick` (a fixture BENCHMARKS.md in
// the format bench:peers prints supplies chart 6), then report.html in headless Chromium
// (playwright-core + Debian's /usr/bin/chromium): every chart drawn on a non-empty canvas, no
// console errors, no request leaves file://, a screenshot in test/artifacts/ (git-ignored).
// Then the same data with no peer table: chart 6 is skipped with a note, the rest still draw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { renderHtml } from '../dist/report/index.js';
import { loadAssets } from '../dist/report/html.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'simdnet.mjs');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
// SIMDNET_CHROMIUM points the tests at another binary (or at a missing one, to check that a
// machine without Chromium fails this file instead of passing it).
const CHROMIUM = process.env.SIMDNET_CHROMIUM || '/usr/bin/chromium';
const CHARTS = ['chart-accuracy', 'chart-tx1-batch', 'chart-time-macs', 'chart-pred-meas', 'chart-breakdown-macs', 'chart-breakdown-params', 'chart-peers',
  'chart-power', 'chart-energy', 'chart-memory-batch', 'chart-memory-params', 'chart-density'];

const PEERS_MD = `# Benchmarks

| model        | batch | GMAC | simdnet ms | tfjs-wasm ms | ort-web ms | simdnet/tfjs-wasm | simdnet/ort-web | max rel diff |
|--------------|------:|-----:|-----------:|-------------:|-----------:|------------------:|----------------:|-------------:|
| mobilenet-v1 |     1 | 0.57 |       36.1 |         44.3 |       71.3 |              0.81 |            0.51 |       9.8e-7 |
| resnet-18    |     1 | 1.81 |       52.0 |         61.2 |       88.0 |              0.85 |            0.59 |       1.2e-6 |
`;

const dir = mkdtempSync(join(tmpdir(), 'simdnet-report-e2e-'));
let browser;
let data;

// Launched from inside each test, not in a before hook: uvu swallows an exception thrown by a
// before hook and still reports the run as passed, so a missing browser would go unnoticed.
let launching;
function launch() {
  launching ??= (async () => {
    assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (or set SIMDNET_CHROMIUM)`);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    return browser;
  })();
  return launching;
}

test.after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Opens `file` and returns what the page drew and complained about. */
async function inspect(file, screenshot) {
  const page = await (await launch()).newPage({ viewport: { width: 1280, height: 900 } });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:')) problems.push(`request: ${r.url()}`); });
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(() => document.body.dataset.rendered !== undefined, null, { timeout: 15_000 });
  const charts = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => {
    const canvas = document.querySelector(`#${id} canvas`);
    if (!canvas) return [id, { canvas: false, note: document.querySelector(`#${id} .note`)?.textContent ?? '' }];
    const ctx = canvas.getContext('2d');
    const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) inked++;
    const chart = globalThis.Chart.getChart(canvas);
    const points = chart ? chart.data.datasets.reduce((a, ds) => a + ds.data.filter((v) => v !== null && v !== undefined).length, 0) : 0;
    return [id, { canvas: true, width: canvas.width, height: canvas.height, inked, chart: Boolean(chart), points }];
  })), CHARTS);
  const rendered = await page.evaluate(() => document.body.dataset.rendered.split(' ').filter(Boolean));
  if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { charts, rendered, problems };
}

test('report --models mobilenet-v1,resnet-18 --quick: table, report.html, every chart drawn', async () => {
  await launch(); // before the report run: no browser, no point spending 20 s on the data
  writeFileSync(join(dir, 'BENCHMARKS.md'), PEERS_MD);
  const out = join(dir, 'report.html');
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [BIN, 'report', '--models', 'mobilenet-v1,resnet-18', '--quick', '--out', out, '--benchmarks', join(dir, 'BENCHMARKS.md'),
    '--no-calibrate'], // a saved host profile is used; calibrating (up to a minute) is not this test's job
    { cwd: dir, encoding: 'utf8', timeout: 120_000 });
  assert.is(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 < 45_000, `report took ${Date.now() - t0} ms`);
  assert.match(r.stdout, /^model\s+res\s+params M/m);
  assert.match(r.stdout, /^mobilenet-v1\s+224\s+4\.23\s+0\.569\s/m);
  assert.match(r.stdout, /^resnet-18\s+224\s+11\.69\s+1\.814\s/m);
  assert.ok(r.stdout.trimEnd().split('\n').at(-1).startsWith(`report: ${out} (`), 'the path comes last');
  // Not a TTY here: plain progress lines, one per model.
  assert.match(r.stderr, /^\[1\/2\] mobilenet-v1: 0\.57 GMAC, 4\.2 M params, [\d.]+ ms median of \d+/m);
  assert.match(r.stderr, /^\[2\/2\] resnet-18: /m);
  assert.not.match(r.stderr, /\x1b\[/);

  const html = readFileSync(out, 'utf8');
  data = JSON.parse(html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)[1]);
  assert.equal(data.rows.map((x) => x.model), ['mobilenet-v1', 'resnet-18']);
  assert.ok(data.rows.every((x) => x.measured && x.measured.medianMs > 0 && x.measured.runs >= 3));
  assert.is(data.settings.mode, 'quick');
  assert.is(data.peers.rows.length, 2);

  mkdirSync(ARTIFACTS, { recursive: true });
  const { charts, rendered, problems } = await inspect(out, join(ARTIFACTS, 'report.png'));
  assert.equal(problems, []);
  assert.equal(rendered, CHARTS);
  for (const id of CHARTS) {
    const c = charts[id];
    assert.ok(c.canvas && c.chart, `${id}: no chart`);
    assert.ok(c.width > 200 && c.height > 100, `${id}: canvas ${c.width}x${c.height}`);
    assert.ok(c.inked > 2000, `${id}: only ${c.inked} pixels drawn`);
  }
  // Data behind the charts that this run has for sure (TX1 and host predictions depend on the build).
  assert.ok(charts['chart-accuracy'].points >= 2);
  assert.ok(charts['chart-time-macs'].points >= 2);
  assert.ok(charts['chart-breakdown-macs'].points >= 2 * 2);
  assert.is(charts['chart-peers'].points, 2 * 3);
  const tx1Points = data.rows.reduce((a, x) => a + x.tx1.measured.length + x.tx1.predicted.length, 0);
  assert.is(charts['chart-tx1-batch'].points, tx1Points);
  // Canziani's power / energy, memory and density figures, from this run's predictions and the shipped tables
  assert.is(charts['chart-power'].points, 2 * 7, 'two devices with a power figure, 7 batch sizes');
  assert.is(charts['chart-energy'].points, 2 * 2 * 7, 'both models on both devices');
  const memPoints = data.rows.reduce((a, x) => a + x.memory.titanXpMeasured.length + x.gpu['titan-xp'].filter((q) => q.memoryBytes !== null).length, 0);
  assert.ok(memPoints >= 2 * 2 * 7, `memory points ${memPoints}`);
  assert.is(charts['chart-memory-batch'].points, memPoints);
  assert.is(charts['chart-memory-params'].points, 2 * 3, 'published, predicted and simdnet memory of both models');
  assert.is(charts['chart-density'].points, 2);
  assert.ok(existsSync(join(ARTIFACTS, 'report.png')));
});

test('no peer table: chart 6 skipped with a note, the others still drawn, no errors', async () => {
  await launch();
  assert.ok(data, 'needs the first test');
  const file = join(dir, 'no-peers.html');
  writeFileSync(file, renderHtml({ ...data, peers: null }, loadAssets()));
  const { charts, rendered, problems } = await inspect(file, join(ARTIFACTS, 'report-no-peers.png'));
  assert.equal(problems, []);
  const others = CHARTS.filter((id) => id !== 'chart-peers');
  assert.equal(rendered, others);
  assert.is(charts['chart-peers'].canvas, false);
  assert.match(charts['chart-peers'].note, /npm run bench:peers/);
  for (const id of others) assert.ok(charts[id].inked > 2000, id);
});

test.run();
