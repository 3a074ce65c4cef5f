// The measurements behind scripts/bench-runtimes.mjs, for any runtime (Node, Deno, Bun, a browser
// page), using only simdnet's public API (`simdnet` is dist/index.js or a bundle).
//
// measureAB: baseline and relaxed binaries in ONE process, calls alternated A B B A A B ...
// and compared pair by pair. On a shared 2-core machine, run-to-run noise between processes is
// larger than the effect being measured; interference inside one process hits both members of a
// pair alike, so the median of per-pair time ratios is the robust number (min times too).
// Kernel shapes are those of `bench-kernels` (src/cli/bench-kernels.ts: ResNet-50, MobileNet v1).
//
// measureFirstRun: a fresh process, optionally warming every kernel up on tiny shapes, then the
// first and the steady inference of one network: does a warm-up at init pay off?

const now = () => performance.now();

function rand(n, seed, scale = 0.5) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = (s / 2 ** 32 - 0.5) * scale; }
  return a;
}

/** name, FLOPs (2 x MACs), setup(engine) -> run() */
function cases(ops) {
  const gemm = (m, n, k) => ({
    name: `gemm ${m}x${n}x${k}`, flops: 2 * m * n * k,
    setup(e) {
      const g = new ops.Gemm(e, k, n, rand(k * n, 2), rand(n, 3));
      const a = e.upload(rand(m * k, 1)), c = e.alloc(m * n);
      return () => g.run(m, a, c);
    },
  });
  const conv = (name, [n, h, w, c], cout, kernel, stride, pad) => {
    const ho = Math.floor((h + 2 * pad - kernel) / stride) + 1, wo = Math.floor((w + 2 * pad - kernel) / stride) + 1;
    return {
      name, flops: 2 * n * ho * wo * cout * kernel * kernel * c,
      setup(e) {
        const op = new ops.Conv2d(e, { inChannels: c, outChannels: cout, kernel, stride, pad, act: 'relu' },
          rand(kernel * kernel * c * cout, 4, 0.1), rand(cout, 5));
        const x = e.upload(rand(n * h * w * c, 6)), y = e.alloc(n * ho * wo * cout);
        const ws = e.alloc(Math.max(1, op.workspaceFloats([n, h, w, c])));
        return () => op.run(x, [n, h, w, c], y, { workspace: ws });
      },
    };
  };
  const dw = (name, [n, h, w, c], stride) => {
    const ho = Math.floor((h - 1) / stride) + 1, wo = Math.floor((w - 1) / stride) + 1;
    return {
      name, flops: 2 * n * ho * wo * c * 9,
      setup(e) {
        const op = new ops.DepthwiseConv2d(e, { channels: c, kernel: 3, stride, pad: 1, act: 'relu6' }, rand(9 * c, 7), rand(c, 8));
        const x = e.upload(rand(n * h * w * c, 9)), y = e.alloc(n * ho * wo * c);
        return () => op.run(x, [n, h, w, c], y);
      },
    };
  };
  return [
    gemm(512, 512, 512), gemm(256, 256, 256),
    conv('conv 3x3', [1, 28, 28, 128], 128, 3, 1, 1), conv('conv 1x1', [1, 56, 56, 64], 256, 1, 1, 0),
    dw('dwconv 3x3 s1', [1, 112, 112, 32], 1), dw('dwconv 3x3 s2', [1, 112, 112, 64], 2),
  ];
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const stats = (t) => ({ medianMs: median(t), minMs: Math.min(...t), maxMs: Math.max(...t), runs: t.length });

/** Alternates fa and fb (ABBA order) for about `ms` and at least `min` pairs. */
function pairs(fa, fb, ms, min) {
  const ta = [], tb = [], ratio = [];
  const end = now() + ms;
  for (let i = 0; now() < end || i < min; i++) {
    let a, b, t;
    if (i & 1) { t = now(); fb(); b = now() - t; t = now(); fa(); a = now() - t; }
    else { t = now(); fa(); a = now() - t; t = now(); fb(); b = now() - t; }
    ta.push(a); tb.push(b); ratio.push(a / b);
  }
  return { baseline: stats(ta), relaxed: stats(tb), speedup: median(ratio) };
}

export function runtimeName() {
  const g = globalThis;
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node} (V8 ${g.process.versions.v8})`;
  const m = g.navigator?.userAgent?.match(/(HeadlessChrome|Chrome|Firefox|Safari)\/([\d.]+)/);
  return m ? `${m[1]} ${m[2]}` : (g.navigator?.userAgent ?? 'unknown');
}

function sampleInput(net) {
  return rand(net.inputShape.reduce((a, b) => a * b, 1), 11, 2);
}

/**
 * @param {any} simdnet the package's module namespace
 * @param {{ wasmDir: URL, kernelMs?: number, model?: string, resolution?: number, modelPairs?: number, kernels?: boolean }} o
 *   wasmDir: where simdnet.wasm and simdnet-relaxed.wasm are (next to the module)
 */
export async function measureAB(simdnet, o) {
  const { wasmDir, kernelMs = 1500, model = 'mobilenet-v1', resolution, modelPairs = 20 } = o;
  const out = { runtime: runtimeName(), kernels: [], model: null };
  out.features = await simdnet.init({ relaxedSimd: 'force' }); // on Node 20 this turns the flag on
  if (o.kernels !== false) {
    const A = await simdnet.Engine.create(new URL('simdnet.wasm', wasmDir));
    const B = await simdnet.Engine.create(new URL('simdnet-relaxed.wasm', wasmDir));
    try {
      for (const c of cases(simdnet.ops)) {
        const fa = c.setup(A), fb = c.setup(B);
        let t = now(); fa(); const firstMs = now() - t;
        fb(); fa(); fb();
        const r = pairs(fa, fb, kernelMs, 10);
        out.kernels.push({
          name: c.name, firstMs, ...r,
          baselineGflops: c.flops / r.baseline.medianMs / 1e6, relaxedGflops: c.flops / r.relaxed.medianMs / 1e6,
        });
      }
    } finally {
      A.dispose(); B.dispose();
    }
  }
  if (model) {
    const graph = simdnet.buildModel(model, resolution ? { resolution } : {});
    await simdnet.init({ relaxedSimd: 'off' });
    const netA = await simdnet.compile(graph, { seed: 1 });
    await simdnet.init({ relaxedSimd: 'force' });
    const netB = await simdnet.compile(graph, { seed: 1 });
    try {
      const x = sampleInput(netA);
      for (let i = 0; i < 2; i++) { netA.run(x); netB.run(x); }
      out.model = { name: model, input: netA.inputShape, ...pairs(() => netA.run(x), () => netB.run(x), 0, modelPairs) };
    } finally {
      netA.dispose(); netB.dispose();
    }
  }
  return out;
}

/**
 * First inference of a fresh process, after `warmup` rounds of every kernel on tiny shapes
 * (0 = none), against the steady state.
 * @param {any} simdnet
 * @param {{ warmup?: number, model?: string, resolution?: number }} [o]
 */
export async function measureFirstRun(simdnet, o = {}) {
  const { warmup = 0, model = 'mobilenet-v1', resolution } = o;
  let t = now();
  await simdnet.init({ relaxedSimd: 'off' });
  const initMs = now() - t;
  t = now();
  if (warmup) {
    const { ops } = simdnet;
    const e = await simdnet.createEngine();
    const x = rand(8 * 8 * 16, 1);
    for (let r = 0; r < warmup; r++) {
      ops.conv2d(e, x, [1, 8, 8, 16], rand(9 * 256, 2), rand(16, 3), { inChannels: 16, outChannels: 16, kernel: 3, pad: 1, act: 'relu' });
      ops.conv2d(e, x, [1, 8, 8, 16], rand(256, 2), rand(16, 3), { inChannels: 16, outChannels: 16, kernel: 1, act: 'relu' });
      ops.dwconv2d(e, x, [1, 8, 8, 16], rand(144, 4), rand(16, 3), { channels: 16, kernel: 3, stride: 1, pad: 1, act: 'relu6' });
      ops.dwconv2d(e, x, [1, 8, 8, 16], rand(144, 4), rand(16, 3), { channels: 16, kernel: 3, stride: 2, pad: 1, act: 'relu6' });
      ops.fc(e, rand(64, 5), 1, rand(64 * 16, 6), 64, 16, rand(16, 3), 'none');
      ops.globalAvgPool(e, x, [1, 8, 8, 16]);
      ops.maxPool2d(e, x, [1, 8, 8, 16], { kernel: 3, stride: 2, pad: 1 });
      ops.add(e, x, x, [1, 8, 8, 16], true);
    }
    e.dispose();
  }
  const warmupMs = now() - t;
  const net = await simdnet.compile(simdnet.buildModel(model, resolution ? { resolution } : {}));
  try {
    const x = sampleInput(net);
    const times = [];
    for (let i = 0; i < 8; i++) { t = now(); net.run(x); times.push(now() - t); }
    return { runtime: runtimeName(), warmup, initMs, warmupMs, firstMs: times[0], secondMs: times[1], steadyMs: median(times.slice(3)) };
  } finally {
    net.dispose();
  }
}
