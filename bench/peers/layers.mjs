// Layer by layer against LiteRT.js: every distinct convolution of a zoo network (shape, kernel,
// stride, padding, groups, fused activation) as a one-layer model, run by simdnet and by LiteRT.js
// (TFLite + XNNPACK, on our toTFLite export of the same layer), runs interleaved, medians. Where
// the whole-network ratio comes from, since LiteRT.js has no per-operator profile of its own.
// Layers that repeat are timed once and counted as often as they occur. In Node both engines run
// their baseline SIMD binaries; with --chromium the comparison runs in a cross-origin isolated
// headless Chromium page, each engine on its best binary there (relaxed SIMD), one thread.
// With --prefixes, in-network time per block instead (layers-core.mjs comparePrefixes): the
// network cut after each block, the differences of successive prefixes' medians.
//   node bench/peers/layers.mjs [--model mobilenet-v1] [--runs 9] [--chromium] [--prefixes]
import { fileURLToPath } from 'node:url';
import { compareLayers, comparePrefixes, report, reportPrefixes } from './layers-core.mjs';

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const model = opt('model', 'mobilenet-v1'), runs = Number(opt('runs', '9'));
if (!/^[a-z0-9.-]+$/.test(model)) throw new RangeError(`--model must be a zoo name, got ${JSON.stringify(model)}`);
if (!Number.isInteger(runs) || runs < 1 || runs > 1000) throw new RangeError(`--runs must be an integer in [1, 1000], got ${opt('runs')}`);
const prefixes = args.includes('--prefixes');
const show = prefixes ? reportPrefixes : report;

if (args.includes('--chromium')) {
  const { bundlePage } = await import('./bundle-page.mjs');
  const { serve } = await import('../../examples/web/server.mjs');
  const { launchChromium, runPage } = await import('../../test/smoke/chromium.mjs');
  await bundlePage(fileURLToPath(new URL('./layers-page.mjs', import.meta.url)), 'layers-page.mjs');
  const server = await serve();
  const browser = await launchChromium();
  let rows = null;
  try {
    console.log(`# ${browser.version()}, one thread each`);
    const q = new URLSearchParams({ model, runs, prefixes: prefixes ? '1' : '0' });
    const r = await runPage(browser, `${server.url}bench/peers/layers.html?${q}`, { timeout: 3_600_000, log: (l) => { if (l.includes('error')) console.log(l); } });
    for (const l of r.lines) console.log(l);
    rows = r.rows;
  } finally {
    await browser.close();
    await server.close();
  }
  if (!rows) process.exit(1);
  show(rows, console.log);
} else {
  show(await (prefixes ? comparePrefixes : compareLayers)(model, runs, console.log), console.log);
}
