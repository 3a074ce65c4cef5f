// One engine's cold start in a fresh Chromium page (bench/cold-start.mjs --chromium opens each in
// a new browser context: empty HTTP and code caches): import the engine, initialise it, build the
// network, run it once; then the steady run (median of 5). The phases match the Node child of
// bench/cold-start.mjs: simdnet and tfjs-wasm get the graph IR and weights, built outside the timed
// phases; ONNX Runtime Web and LiteRT.js the bytes of our export, fetched inside "build".
//   ?engine=simdnet|tfjs-wasm|ort-web|litert-wasm&model=mobilenet-v1
const q = new URLSearchParams(location.search);
const engine = q.get('engine'), model = q.get('model') ?? 'mobilenet-v1';
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const mark = {};
try {
  const shape = await (await fetch('/build/bench/cold/shape.json')).json();
  const input = new Float32Array(shape.reduce((a, b) => a * b, 1)).map((_, i) => Math.sin(i * 0.37));
  let run;
  if (engine === 'simdnet') {
    // what an app loads from a CDN or its bundler's output: the browser bundle, kernels fetched next to it
    const t = performance.now();
    const s = await import('/dist/bundle/simdnet.browser.mjs');
    mark.import = performance.now() - t;
    const g = s.buildModel(model);
    const w = s.randomWeights(g, 1);
    const t2 = performance.now();
    const net = await s.compile(g, { weights: w });
    mark.build = performance.now() - t2;
    run = async () => net.run(input);
  } else if (engine === 'tfjs-wasm') {
    const s = await import('/dist/bundle/simdnet.browser.mjs');
    const g = s.buildModel(model);
    const w = s.randomWeights(g, 1);
    const t = performance.now();
    const tfjs = await import('/build/bench/cold/tfjs.mjs');
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const p = await tfjs.prepare(g, w);
    mark.build = performance.now() - t2;
    run = () => p.run(input);
  } else if (engine === 'ort-web') {
    const t = performance.now();
    const { ort } = await import('/build/bench/cold/ort.mjs');
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const bytes = new Uint8Array(await (await fetch('/build/bench/cold/model.onnx')).arrayBuffer());
    const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
    mark.build = performance.now() - t2;
    const [n, h, w, c] = shape;
    const nchw = new Float32Array(input.length);
    for (let p = 0; p < h * w; p++) for (let ch = 0; ch < c; ch++) nchw[ch * h * w + p] = input[p * c + ch];
    run = async () => (await session.run({ input: new ort.Tensor('float32', nchw, [n, c, h, w]) })).output.data;
  } else if (engine === 'litert-wasm') {
    const t = performance.now();
    const lt = await import('/build/bench/cold/litert.mjs');
    mark.import = performance.now() - t;
    const t2 = performance.now();
    const bytes = new Uint8Array(await (await fetch('/build/bench/cold/model.tflite')).arrayBuffer());
    const p = await lt.compileTFLite(bytes, shape);
    mark.build = performance.now() - t2;
    run = () => p.run(input);
  } else throw new Error(`unknown engine ${engine}`);
  const t3 = performance.now();
  const y = await run();
  mark.first = performance.now() - t3;
  mark.total = mark.import + mark.build + mark.first;
  if (!y || !y.length || ![...y].every(Number.isFinite)) throw new Error(`${engine}: no finite output`);
  const steady = [];
  for (let i = 0; i < 5; i++) { const t = performance.now(); await run(); steady.push(performance.now() - t); }
  mark.steady = median(steady);
  window.__result = mark;
} catch (e) {
  window.__result = { error: String(e?.stack ?? e) };
}
