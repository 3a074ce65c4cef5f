// bench:peers in headless Chromium: simdnet vs TensorFlow.js (wasm backend) vs ONNX Runtime Web
// (wasm EP) vs LiteRT.js (wasm accelerator, relaxed-SIMD build; its threaded build for > 1 thread), same graphs, weights and input, runs interleaved in one cross-origin isolated page
// served from localhost; each engine with `--threads N` (default: a page with 1 thread, then one
// with 2). The page is page.mjs bundled here with rollup (build/bench/peers-page.mjs).
//   node bench/peers/browser.mjs [--threads 1,2] [--models a,b:8] [--runs N] [--warmup N] [--out file]
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { serve } from '../../examples/web/server.mjs';
import { launchChromium, runPage } from '../../test/smoke/chromium.mjs';
import { table } from './common.mjs';
import { bundlePage } from './bundle-page.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const threadCounts = opt('threads', '1,2').split(',').map(Number);
const models = opt('models', 'mobilenet-v1,mobilenet-v2,resnet-50,inception-v3,vgg-16');
const runs = opt('runs', '15'), warmup = opt('warmup', '3');
const out = opt('out', fileURLToPath(new URL('./results-chromium.json', import.meta.url)));

await bundlePage(fileURLToPath(new URL('./page.mjs', import.meta.url)), 'peers-page.mjs');

const server = await serve();
const browser = await launchChromium();
const report = { date: new Date().toISOString(), machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length }, browser: browser.version(), pages: [] };
let failed = false;
try {
  for (const threads of threadCounts) {
    console.log(`# ${browser.version()}, ${threads} thread${threads > 1 ? 's' : ''} each`);
    const q = new URLSearchParams({ threads, models, runs, warmup });
    const r = await runPage(browser, `${server.url}bench/peers/page.html?${q}`, { timeout: 3_600_000, log: (l) => { if (l.includes('error')) console.log(l); } });
    for (const l of r.lines) console.log(l);
    if (!r.results) { failed = true; continue; }
    report.pages.push({ threads, ...r });
    if (r.results.some((x) => x.mismatch || x.error)) failed = true;
    console.log(`\n${table({ results: r.results }, [{ name: 'simdnet' }, { name: 'tfjs-wasm' }, { name: 'ort-web' }, { name: 'litert-wasm' }])}\n`);
  }
} finally {
  await browser.close();
  await server.close();
}
writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
console.log(`written: ${out}`);
process.exit(failed ? 1 : 0);
