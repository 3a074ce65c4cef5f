// The smoke suite: one module, run unchanged in every runtime simdnet supports (Node, Deno, Bun,
// a browser page). It takes the package's module namespace as an argument, so each runner can
// hand it the entry it ships there (dist/index.js, dist/bundle/simdnet.mjs, the browser bundles).
//
// 1. load: init() with the requested relaxed-SIMD mode, features() and the binary it chose;
// 2. kernels: every f32_* export of the wasm module called at least once (counted through a proxy
//    on engine.k), each result checked against the naive reference (test/reference/ops.mjs);
// 3. networks: mobilenet-v1 at 128x128 and resnet-18 at 64x64, compiled and run, against the
//    reference executor (test/reference/graph.mjs): max|got - want| / max|want| <= 1e-4;
// 4. threads: where features().threads, both networks on 2 kernel threads (and mobilenet-v1 on 3,
//    through runAsync) give the same bits as on one; where not, compile({ threads: 2 }) runs on
//    one thread and says why.
// The bounds hold for fused and unfused multiply-add alike (Bun's relaxed_madd is mul + add), so
// the same tolerances serve both binaries. Only plain ESM and web APIs: no node: imports.
import * as ref from '../reference/ops.mjs';
import { runGraph } from '../reference/graph.mjs';
import { assertClose, relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

/** Kernel exports that are not compute kernels to check against the reference (gemm_config: test/kernels/gemm-micro.test.mjs). */
const NOT_KERNELS = new Set(['memory', 'heap_base', 'gemm_config', 'set_scratch', 'scratch_bytes']);

function fail(msg) { throw new Error(msg); }

/** Swaps engine.k for a copy whose functions record their names; returns that set of names. */
function countingKernels(engine) {
  const called = new Set();
  const k = engine.k; // the instance's exports object is frozen: wrap into a new one
  const counted = {};
  for (const name of Object.keys(k)) {
    const v = k[name];
    counted[name] = typeof v === 'function' ? (...args) => { called.add(name); return v(...args); } : v;
  }
  engine.k = counted;
  return called;
}

function kernelChecks(simdnet, engine) {
  const { ops } = simdnet;
  const rng = mulberry32(5);
  const rand = (n, s = 1) => randomArray(rng, n, s);
  // The reference takes arrays: kernel [kh, kw], stride [sh, sw], pad [top, left, bottom, right].
  const conv = (label, [n, h, w, c], o, { k, s = 1, p = 0, groups = 1, act = 'none', ...rest }) => {
    const params = { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], groups, act };
    const x = rand(n * h * w * c), wt = rand(k * k * (c / groups) * o), b = rand(o);
    const got = ops.conv2d(engine, x, [n, h, w, c], wt, b, { inChannels: c, outChannels: o, ...params, ...rest });
    const want = ref.conv2d(x, [n, h, w, c], wt, b, { outChannels: o, ...params });
    assertClose(got.data, want.data, { mag: want.mag, K: k * k * (c / groups), label, shape: want.shape });
  };
  const dw = (label, [n, h, w, c], k, s) => {
    const p = k >> 1, params = { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], act: 'relu6' };
    const x = rand(n * h * w * c), wt = rand(k * k * c), b = rand(c);
    const got = ops.dwconv2d(engine, x, [n, h, w, c], wt, b, { channels: c, ...params });
    const want = ref.conv2d(x, [n, h, w, c], wt, b, { outChannels: c, groups: c, ...params });
    assertClose(got.data, want.data, { mag: want.mag, K: k * k, label, shape: want.shape });
  };
  return {
    'gemm (pack + blocked GEMM, tails)': () => {
      const [M, K, N] = [13, 37, 19];
      const A = rand(M * K), B = rand(K * N), bias = rand(N);
      const want = ref.gemm(A, M, K, B, N, bias, 'relu');
      assertClose(ops.gemm(engine, A, M, K, B, N, bias, 'relu'), want.data, { mag: want.mag, K, label: 'gemm' });
    },
    'fully connected, batch 1 (GEMV)': () => {
      const x = rand(70), w = rand(70 * 33), b = rand(33);
      const want = ref.fc(x, [1, 70], w, b, 'none');
      assertClose(ops.fc(engine, x, 1, w, 70, 33, b, 'none').data, want.data, { mag: want.mag, K: 70, label: 'fc' });
    },
    'conv 1x1 (direct GEMM)': () => conv('conv1x1', [1, 7, 9, 24], 20, { k: 1, act: 'relu' }),
    'conv 3x3 s1 (im2col or Winograd F(2,3))': () => conv('conv3x3', [1, 10, 9, 16], 24, { k: 3, p: 1, winograd: 2 }),
    'conv 3x3 s1 (Winograd F(4,3) where built)': () => conv('conv3x3 w4', [1, 12, 12, 16], 16, { k: 3, p: 1, winograd: 4, act: 'relu' }),
    'conv 1x7 and 7x1 (1-D Winograd F(4,7))': () => {
      // unpadded, so every output's own terms are real pixels (a padded tile's rounding spreads
      // onto outputs whose terms are all padding; test/kernels/conv.test.mjs bounds those)
      for (const [kh, kw, h, w] of [[1, 7, 3, 14], [7, 1, 15, 2]]) {
        const c = 16, o = 12, params = { kernel: [kh, kw], stride: [1, 1], pad: [0, 0, 0, 0] };
        const x = rand(h * w * c), wt = rand(7 * c * o), b = rand(o);
        const got = ops.conv2d(engine, x, [1, h, w, c], wt, b, { inChannels: c, outChannels: o, ...params, path: 'winograd1d' });
        const want = ref.conv2d(x, [1, h, w, c], wt, b, { outChannels: o, ...params });
        assertClose(got.data, want.data, { mag: want.mag, K: 7 * c, label: `winograd1d ${kh}x${kw}`, shape: want.shape });
      }
    },
    'conv 7x7 s2, grouped 5x5 (im2col + GEMM)': () => {
      conv('conv7x7s2', [1, 19, 17, 3], 16, { k: 7, s: 2, p: 3, act: 'relu' });
      conv('grouped5x5', [1, 9, 9, 12], 6, { k: 5, p: 2, groups: 3 });
    },
    'im2col (standalone) x weights = conv': () => {
      const [h, w, c, o] = [6, 5, 5, 4];
      const x = rand(h * w * c), wt = rand(9 * c * o);
      const xp = engine.upload(x), out = engine.alloc(h * w * 9 * c);
      // f32_im2col(x, h, w, cx, cg, kh, kw, sh, sw, dh, dw, pt, pl, wo, p0, np, out): rows of kh*kw*cg
      engine.k.f32_im2col(xp, h, w, c, c, 3, 3, 1, 1, 1, 1, 1, 1, w, 0, h * w, out);
      const cols = engine.read(out, h * w * 9 * c);
      engine.release(out); engine.release(xp);
      const got = ref.gemm(cols, h * w, 9 * c, wt, o).data;
      const want = ref.conv2d(x, [1, h, w, c], wt, null, { outChannels: o, kernel: [3, 3], pad: [1, 1, 1, 1] });
      assertClose(got, want.data, { mag: want.mag, K: 9 * c, label: 'im2col' });
    },
    'depthwise 3x3 s1, 3x3 s2, 5x5 (generic)': () => {
      dw('dw3x3s1', [1, 9, 11, 20], 3, 1);
      dw('dw3x3s2', [1, 10, 9, 13], 3, 2);
      dw('dw5x5', [1, 8, 8, 8], 5, 1);
    },
    'max / average / global average pooling': () => {
      const shape = [1, 9, 8, 11], x = rand(9 * 8 * 11);
      const p = { kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1] };
      assertClose(ops.maxPool2d(engine, x, shape, p).data, ref.maxpool2d(x, shape, p).data, { rel: 0, label: 'maxpool' });
      assertClose(ops.avgPool2d(engine, x, shape, p).data, ref.avgpool2d(x, shape, p).data, { rel: 1e-6, label: 'avgpool' });
      assertClose(ops.globalAvgPool(engine, x, shape).data, ref.globalAvgPool(x, shape).data, { rel: 1e-6, label: 'gap' });
    },
    'add + ReLU, ReLU6, sigmoid, leaky ReLU, global max pool, batchnorm, LRN, softmax, concat, channel multiply (+ add), scale, channel shuffle': () => {
      const shape = [1, 5, 4, 7], n = 140;
      const a = rand(n), b = rand(n);
      assertClose(ops.add(engine, a, b, shape, true).data, ref.add(a, b, shape, true).data, { rel: 0, label: 'add' });
      assertClose(ops.activation(engine, a, 'relu6').data, ref.relu6(a), { rel: 0, label: 'relu6' });
      assertClose(ops.sigmoid(engine, a).data, ref.sigmoid(a), { rel: 1e-6, label: 'sigmoid' });
      assertClose(ops.leakyRelu(engine, a, 0.25).data, a.map((v) => (v >= 0 ? v : 0.25 * v)), { rel: 0, label: 'leaky relu' });
      const gmp = new Float32Array(7).fill(-Infinity);
      for (let i = 0; i < n; i++) gmp[i % 7] = Math.max(gmp[i % 7], a[i]);
      assertClose(ops.globalMaxPool(engine, a, shape).data, gmp, { rel: 0, label: 'global max pool' });
      const bn = { gamma: rand(7), beta: rand(7), mean: rand(7), variance: rand(7).map((v) => Math.abs(v) + 0.5), eps: 1e-5 };
      assertClose(ops.batchNorm(engine, a, shape, bn).data, ref.batchnorm(a, shape, bn).data, { rel: 1e-5, label: 'batchnorm' });
      const lp = { size: 5, alpha: 1e-4, beta: 0.75, k: 2 };
      assertClose(ops.lrn(engine, a, shape, lp).data, ref.lrn(a, shape, lp).data, { rel: 1e-5, label: 'lrn' });
      assertClose(ops.softmax(engine, a, 4, 35).data, ref.softmax(a, [4, 35]).data, { rel: 1e-5, label: 'softmax' });
      const parts = [{ data: a, shape }, { data: rand(1 * 5 * 4 * 3), shape: [1, 5, 4, 3] }];
      assertClose(ops.concat(engine, parts).data, ref.concat(parts).data, { rel: 0, label: 'concat' });
      const gate = rand(7);
      const scaled = new Float32Array(n).map((_, i) => Math.fround(a[i] * gate[i % 7]));
      assertClose(ops.channelMul(engine, a, shape, gate).data, scaled, { rel: 0, label: 'channel multiply' });
      const f = Math.fround;
      assertClose(ops.scale(engine, a, 0.17).data, a.map((v) => f(v * f(0.17))), { rel: 0, label: 'scale' });
      assertClose(ops.add(engine, a, b, shape, true, 0.1).data, a.map((v, i) => Math.max(0, f(f(v * f(0.1)) + b[i]))), { rel: 0, label: 'scaled add' });
      const sh = [1, 5, 4, 6], xs = rand(120);
      const shuffled = new Float32Array(120).map((_, i) => { const p = Math.floor(i / 6), c = i % 6; return xs[p * 6 + (c % 2) * 3 + Math.floor(c / 2)]; });
      assertClose(ops.channelShuffle(engine, xs, sh, 2).data, shuffled, { rel: 0, label: 'channel shuffle' });
      const [xp, gp, rp, yp] = [engine.upload(a), engine.upload(gate), engine.upload(b), engine.alloc(n)];
      try {
        ops.runChannelMulAdd(engine, shape, xp, gp, rp, yp, true);
        assertClose(engine.read(yp, n), scaled.map((v, i) => Math.max(0, f(v + b[i]))), { rel: 0, label: 'channel multiply + add' });
      } finally {
        for (const p of [xp, gp, rp, yp]) engine.release(p);
      }
    },
    'first non-finite value': () => {
      const a = rand(37);
      if (ops.firstNonFinite(engine, a) !== -1) fail('finite data reported non-finite');
      a[21] = NaN; a[30] = Infinity;
      const got = ops.firstNonFinite(engine, a);
      if (got !== 21) fail(`first non-finite at 21, got ${got}`);
    },
    'peak loop runs': () => { engine.k.f32_peak_muladd?.(100); },
  };
}

async function networkCheck(simdnet, name, opts) {
  const graph = simdnet.buildModel(name, opts);
  const weights = simdnet.randomWeights(graph, 7);
  const n = graph.nodes[0].outShape.reduce((a, b) => a * b, 1);
  const x = randomArray(mulberry32(3), n);
  const net = await simdnet.compile(graph, { weights });
  try {
    const got = net.run(x);
    const want = runGraph(graph, weights, x).data;
    if (got.length !== want.length) fail(`${name}: ${got.length} outputs, reference has ${want.length}`);
    if (!want.some((v) => v !== 0)) fail(`${name}: reference output is all zeros: the check would prove nothing`);
    const d = relDiff(got, want);
    if (!(d <= 1e-4)) fail(`${name}: relative difference ${d.toExponential(2)} > 1e-4`);
    return `relDiff ${d.toExponential(1)}`;
  } finally {
    net.dispose();
  }
}

async function threadsCheck(simdnet, name, opts, threads, async = false) {
  const graph = simdnet.buildModel(name, opts);
  const weights = simdnet.randomWeights(graph, 11);
  const x = randomArray(mulberry32(4), graph.nodes[0].outShape.reduce((a, b) => a * b, 1));
  const one = await simdnet.compile(graph, { weights });
  const many = await simdnet.compile(graph, { weights, threads });
  try {
    if (many.threads !== threads) fail(`net.threads is ${many.threads}, asked for ${threads} (${many.threadsReason})`);
    const want = one.run(x);
    for (let r = 0; r < 3; r++) {
      const got = async ? await many.runAsync(x) : many.run(x);
      for (let i = 0; i < want.length; i++) {
        if (!Object.is(got[i], want[i])) fail(`run ${r}: output ${i} is ${got[i]} on ${threads} threads, ${want[i]} on one`);
      }
    }
    return `${want.length} outputs, reserved ${(many.reservedBytes / 2 ** 20).toFixed(1)} MiB vs ${(one.memoryBytes / 2 ** 20).toFixed(1)} MiB`;
  } finally {
    one.dispose();
    many.dispose();
  }
}

/**
 * Runs the suite; never throws. Returns { features, passed, failed, results }.
 * @param {any} simdnet the module namespace of a simdnet build
 * @param {{ relaxedSimd?: 'auto'|'force'|'off', expectBinary?: 'baseline'|'relaxed', log?: (line: string) => void }} [o]
 */
export async function runSmoke(simdnet, { relaxedSimd = 'auto', expectBinary, log = (l) => console.log(l) } = {}) {
  const results = [];
  const check = async (name, fn) => {
    const t0 = performance.now();
    try {
      const note = await fn();
      const ms = performance.now() - t0;
      results.push({ name, ok: true, ms });
      log(`ok   ${name} (${ms.toFixed(0)} ms${note ? `, ${note}` : ''})`);
    } catch (e) {
      results.push({ name, ok: false, error: String(e?.stack ?? e) });
      log(`FAIL ${name}\n     ${String(e?.message ?? e).split('\n').join('\n     ')}`);
    }
  };

  let features;
  await check(`load: init({ relaxedSimd: '${relaxedSimd}' }), features()`, async () => {
    const before = simdnet.features();
    if (before.simd !== true) fail(`features().simd is ${before.simd}: this runtime has no WebAssembly SIMD`);
    features = await simdnet.init({ relaxedSimd });
    for (const k of ['simd', 'relaxedSimd', 'threads']) if (typeof features[k] !== 'boolean') fail(`features().${k} is not a boolean`);
    if (features.binary !== 'baseline' && features.binary !== 'relaxed') fail(`features().binary is ${features.binary}`);
    if (relaxedSimd === 'force' && (features.binary !== 'relaxed' || !features.relaxedSimd)) fail(`'force' ran ${features.binary}`);
    if (relaxedSimd === 'off' && features.binary !== 'baseline') fail(`'off' ran ${features.binary}`);
    const auto = features.relaxedSimd && simdnet.relaxedPaysOff() ? 'relaxed' : 'baseline';
    if (relaxedSimd === 'auto' && features.binary !== auto) fail(`'auto' ran ${features.binary}, relaxedPaysOff() says ${auto}`);
    if (expectBinary && features.binary !== expectBinary) fail(`expected the ${expectBinary} binary, init chose ${features.binary}`);
    if (JSON.stringify(simdnet.features()) !== JSON.stringify(features)) fail('features() after init differs from what init returned');
    let threw = false;
    try { await simdnet.init({ relaxedSimd: 'sometimes' }); } catch (e) { threw = e instanceof TypeError; }
    if (!threw) fail("init({ relaxedSimd: 'sometimes' }) did not throw a TypeError");
    return JSON.stringify(features);
  });
  if (!features) return summarize(features, results);

  const engine = await simdnet.createEngine();
  try {
    const called = countingKernels(engine);
    for (const [name, fn] of Object.entries(kernelChecks(simdnet, engine))) await check(`kernel: ${name}`, fn);
    await check('kernel: every wasm export was called', () => {
      const exported = Object.keys(engine.k).filter((n) => typeof engine.k[n] === 'function' && !NOT_KERNELS.has(n));
      const missed = exported.filter((n) => !called.has(n));
      if (missed.length) fail(`never called: ${missed.join(', ')} (add a case to test/smoke/suite.mjs)`);
      return `${exported.length} kernels`;
    });
    if (engine.allocatedBytes !== 0) log(`note: ${engine.allocatedBytes} bytes still allocated after the kernel checks`);
  } finally {
    engine.dispose();
  }

  await check('network: mobilenet-v1 128x128 vs reference executor', () => networkCheck(simdnet, 'mobilenet-v1', { resolution: 128 }));
  await check('network: resnet-18 64x64 vs reference executor', () => networkCheck(simdnet, 'resnet-18', { resolution: 64 }));
  if (features.threads) {
    await check('threads: mobilenet-v1 128x128 on 2 threads, same bits as 1', () => threadsCheck(simdnet, 'mobilenet-v1', { resolution: 128 }, 2));
    await check('threads: resnet-18 64x64 on 2 threads, same bits as 1', () => threadsCheck(simdnet, 'resnet-18', { resolution: 64 }, 2));
    await check('threads: mobilenet-v1 128x128 alpha 0.5 on 3 threads (runAsync), same bits as 1', () => threadsCheck(simdnet, 'mobilenet-v1', { resolution: 128, alpha: 0.5 }, 3, true));
  } else {
    await check('threads: unavailable here, compile({ threads: 2 }) runs on one thread and says why', async () => {
      if (typeof features.threadsReason !== 'string' || !features.threadsReason) fail(`features().threadsReason is ${features.threadsReason}`);
      const net = await simdnet.compile(simdnet.buildModel('mobilenet-v1', { resolution: 128, alpha: 0.25 }), { threads: 2 });
      try {
        if (net.threads !== 1) fail(`net.threads is ${net.threads}`);
        if (net.threadsReason !== features.threadsReason) fail(`net.threadsReason is ${net.threadsReason}`);
        net.run(new Float32Array(128 * 128 * 3));
      } finally {
        net.dispose();
      }
      return features.threadsReason;
    });
  }
  return summarize(features, results);
}

function summarize(features, results) {
  const passed = results.filter((r) => r.ok).length;
  return { features, passed, failed: results.length - passed, results };
}

/**
 * For a runtime without WebAssembly SIMD (the runner fakes one by making WebAssembly.validate
 * say no before simdnet is imported): features() says so and every entry point rejects with a
 * clear error instead of falling back to anything.
 */
export async function runNoSimd(simdnet, { log = (l) => console.log(l) } = {}) {
  const results = [];
  const check = async (name, fn) => {
    try { await fn(); results.push({ name, ok: true }); log(`ok   ${name}`); } catch (e) {
      results.push({ name, ok: false, error: String(e?.stack ?? e) });
      log(`FAIL ${name}\n     ${e?.message ?? e}`);
    }
  };
  const rejects = async (what, p) => {
    try { await p; } catch (e) {
      if (!/does not support WebAssembly SIMD/.test(e?.message)) fail(`${what} rejected with an unclear error: ${e?.message}`);
      return;
    }
    fail(`${what} did not reject`);
  };
  await check('no SIMD: features() reports it', () => {
    const f = simdnet.features();
    if (f.simd !== false || f.binary !== null) fail(`features() = ${JSON.stringify(f)}`);
  });
  await check('no SIMD: init(), createEngine(), compile() reject with a clear error', async () => {
    await rejects('init()', simdnet.init());
    await rejects('createEngine()', simdnet.createEngine());
    await rejects('compile()', simdnet.compile(simdnet.buildModel('mobilenet-v1', { resolution: 128, alpha: 0.25 })));
  });
  return summarize(undefined, results);
}
