// examples/web/ in headless Chromium (playwright-core + Debian's /usr/bin/chromium), served from
// localhost by examples/web/server.mjs: an ONNX file (the zoo's mobilenet-v1 at 128, width 0.25,
// exported with toONNX) and a PNG set on the page's file inputs; the page must list 5 ImageNet
// classes with a latency and log no console errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { encode as encodePng } from 'fast-png';
import { buildModel, randomWeights } from '../dist/index.js';
import { toONNX } from '../dist/onnx/index.js';
import { serve } from '../examples/web/server.mjs';

const CHROMIUM = process.env.SIMDNET_CHROMIUM || '/usr/bin/chromium';
const dir = mkdtempSync(join(tmpdir(), 'simdnet-web-'));
let browser, server;

test.after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('examples/web: a chosen .onnx model and image give 5 labelled classes and a latency, no console errors', async () => {
  // launched here, not in a before hook: uvu reports a throwing before hook as a pass
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (or set SIMDNET_CHROMIUM)`);
  const g = buildModel('mobilenet-v1', { resolution: 128, alpha: 0.25 });
  const model = join(dir, 'mobilenet-v1-128.onnx');
  writeFileSync(model, toONNX(g, randomWeights(g, 5)));
  const W = 200, H = 150;
  const image = join(dir, 'photo.png');
  writeFileSync(image, encodePng({ width: W, height: H, channels: 3, depth: 8, data: new Uint8Array(W * H * 3).map((_, i) => (i * 7 + (i >> 8)) & 255) }));

  server = await serve();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
  const page = await browser.newPage();
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('request', (r) => { if (!r.url().startsWith(server.url)) problems.push(`request off localhost: ${r.url()}`); });
  page.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  await page.goto(`${server.url}examples/web/`);
  await page.setInputFiles('#model-file', model);
  await page.setInputFiles('#image-file', image);
  await page.waitForSelector('#classes[data-state="done"], #classes[data-state="error"]', { timeout: 120_000 });
  const state = await page.getAttribute('#classes', 'data-state');
  assert.is(state, 'done', await page.textContent('#classify-error'));
  const items = await page.$$eval('#classes li', (lis) => lis.map((li) => li.textContent));
  assert.is(items.length, 5, items.join('\n'));
  for (const t of items) assert.match(t, /^\d+\.\d% +\S/);
  assert.not.match(items.join('\n'), /class \d+/, 'ImageNet names, not indices, for 1,000 classes');
  assert.match(await page.textContent('#classify-status'), /mobilenet-v1-128\.onnx on photo\.png \(1×128×128×3\): \d+\.\d ms/);
  // the benchmark half of the page still works next to it
  await page.waitForSelector('#result[data-state="done"], #result[data-state="error"]', { timeout: 120_000 });
  assert.is(await page.getAttribute('#result', 'data-state'), 'done', await page.textContent('#error'));
  assert.equal(problems, []);
});

test.run();
