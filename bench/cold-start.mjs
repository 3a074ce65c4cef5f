// Time to first inference, as a user's new process sees it: import the engine, initialise it,
// build the network from a model already in memory, run it once; then the steady run (median of
// 5) for the "first / steady" ratio. Each measurement is a fresh Node process (nothing warm: no
// module cache, no compiled wasm); engines and repetitions interleave (A B C D A B C D ...).
// Every engine gets the same network and weights: simdnet and tfjs-wasm the graph IR and its
// weights (as bench/peers), ONNX Runtime Web and LiteRT.js the bytes of our .onnx / .tflite
// export, written to a file before any timing (reading it is timed; exporting is not).
// With --chromium, each cold start is a new page in a new headless Chromium context (empty HTTP
// and code caches; bench/cold/page.mjs), the page cross-origin isolated, served from localhost.
//   node bench/cold-start.mjs [--model mobilenet-v1] [--reps 5] [--chromium] [--out bench/cold-start.json]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENGINES = ['simdnet', 'tfjs-wasm', 'ort-web', 'litert-wasm'];
const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

if (process.argv[2] === '--child') {
  // one engine, one cold start: phases in ms on stdout as JSON
  const [, , , engine, model, dir] = process.argv;
  const t0 = performance.now();
  const mark = {};
  const input = new Float32Array(JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8')).reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37));
  let run;
  if (engine === 'simdnet') {
    // what `import 'simdnet'` resolves to in Node, Deno and Bun (package.json "exports")
    const s = await import(pathToFileURL(here('../dist/bundle/simdnet.mjs')).href);
    mark.import = performance.now() - t0;
    const g = s.buildModel(model);
    const w = s.randomWeights(g, 1);
    const t = performance.now();
    const net = await s.compile(g, { weights: w });
    mark.build = performance.now() - t;
    run = async () => net.run(input);
  } else if (engine === 'tfjs-wasm') {
    const s = await import(pathToFileURL(here('../dist/index.js')).href);
    const g = s.buildModel(model);
    const w = s.randomWeights(g, 1);
    const t = performance.now();
    const tfjs = await import(pathToFileURL(here('./peers/tfjs.mjs')).href);
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const p = await tfjs.prepare(g, w); // backend init + the network's tensors
    mark.build = performance.now() - t2;
    run = () => p.run(input);
  } else if (engine === 'ort-web') {
    const t = performance.now();
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    ort.env.logLevel = 'error';
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const session = await ort.InferenceSession.create(readFileSync(join(dir, 'model.onnx')), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    mark.build = performance.now() - t2;
    const [n, h, w, c] = JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8'));
    const nchw = new Float32Array(input.length);
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) nchw[ch * h * w + p] = input[p * c + ch];
    run = async () => (await session.run({ input: new ort.Tensor('float32', nchw, [n, c, h, w]) })).output.data;
  } else if (engine === 'litert-wasm') {
    const t = performance.now();
    const lt = await import(pathToFileURL(here('./peers/litert.mjs')).href);
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const p = await lt.compileTFLite(new Uint8Array(readFileSync(join(dir, 'model.tflite'))), JSON.parse(readFileSync(join(dir, 'shape.json'), 'utf8')));
    mark.build = performance.now() - t2; // wasm load + compile of the model
    run = () => p.run(input);
  } else throw new Error(`unknown engine ${engine}`);
  const t3 = performance.now();
  await run();
  mark.first = performance.now() - t3;
  mark.total = mark.import + mark.build + mark.first;
  const steady = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await run(); steady.push(performance.now() - t); }
  mark.steady = median(steady);
  process.stdout.write(JSON.stringify(mark));
  process.exit(0);
}

const args = process.argv.slice(2);
const opt = (k, d) => { const i = args.indexOf(`--${k}`); return i >= 0 ? args[i + 1] : d; };
const model = opt('model', 'mobilenet-v1'), reps = Number(opt('reps', '5'));
const chromium = args.includes('--chromium');
const out = opt('out', here(chromium ? './cold-start-chromium.json' : './cold-start.json'));
const s = await import(pathToFileURL(here('../dist/index.js')).href);
const { toONNX } = await import(pathToFileURL(here('../dist/onnx/index.js')).href);
const { toTFLite } = await import(pathToFileURL(here('../dist/tflite/index.js')).href);
const g = s.buildModel(model);
const w = s.randomWeights(g, 1);
const files = {
  'model.onnx': toONNX(g, w),
  'model.tflite': toTFLite(g, w),
  'shape.json': JSON.stringify(g.nodes.find((n) => n.name === g.input).outShape),
};
const samples = Object.fromEntries(ENGINES.map((e) => [e, []]));
let where;
if (chromium) where = await inChromium();
else {
  const dir = mkdtempSync(join(os.tmpdir(), 'simdnet-cold-'));
  try {
    for (const [f, data] of Object.entries(files)) writeFileSync(join(dir, f), data);
    for (let r = 0; r < reps; r++) {
      for (const e of ENGINES) {
        const res = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', e, model, dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
        samples[e].push(JSON.parse(res.slice(res.lastIndexOf('{'))));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  where = `Node ${process.version}`;
}
const rows = ENGINES.map((e) => {
  const m = (k) => median(samples[e].map((x) => x[k]));
  return { engine: e, import: m('import'), build: m('build'), first: m('first'), total: m('total'), steady: m('steady'), firstOverSteady: m('total') / m('steady') };
});
const f = (v) => v.toFixed(0);
console.log(`${model}, ${where}, ${os.cpus()[0]?.model}, ${reps} cold ${chromium ? 'pages' : 'processes'} per engine (interleaved), medians, ms; load ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
console.log('| engine | import | init + build | first run | time to first result | steady run | first result / steady |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.engine} | ${f(r.import)} | ${f(r.build)} | ${f(r.first)} | **${f(r.total)}** | ${r.steady.toFixed(1)} | ${r.firstOverSteady.toFixed(2)} |`);
writeFileSync(out, JSON.stringify({ date: new Date().toISOString(), model, runtime: where, cpu: os.cpus()[0]?.model, reps, rows, samples }, null, 2) + '\n');

/**
 * The Chromium cold starts: the peers' adapters bundled for the page (build/bench/cold/), the
 * exports written beside them, then reps x engines fresh pages, interleaved.
 */
async function inChromium() {
  const { bundlePage } = await import('./peers/bundle-page.mjs');
  const { serve, REPO_ROOT } = await import('../examples/web/server.mjs');
  const { launchChromium, runPage } = await import('../test/smoke/chromium.mjs');
  const dir = join(REPO_ROOT, 'build/bench/cold');
  mkdirSync(dir, { recursive: true });
  for (const [f, data] of Object.entries(files)) writeFileSync(join(dir, f), data);
  for (const peer of ['tfjs', 'ort', 'litert']) await bundlePage(here(`./peers/${peer}.mjs`), `cold/${peer}.mjs`);
  const server = await serve();
  const browser = await launchChromium();
  try {
    for (let r = 0; r < reps; r++) {
      for (const e of ENGINES) {
        const res = await runPage(browser, `${server.url}bench/cold/page.html?${new URLSearchParams({ engine: e, model })}`, { timeout: 300_000 });
        if (res.error) throw new Error(`${e}: ${res.error}`);
        samples[e].push(res);
      }
    }
    return `Chromium ${browser.version()}`;
  } finally {
    await browser.close();
    await server.close();
  }
}
