// The measurement behind scripts/bench-runtimes.mjs, for any runtime (Node, Deno, Bun, a browser
// page): kernel medians on the shapes of `bench-kernels` (src/cli/bench-kernels.ts, taken from
// ResNet-50 and MobileNet v1), and one model's latency. Uses only simdnet's public API, passed in
// as `simdnet` (dist/index.js, or a bundle in the browser).

const now = () => performance.now();

function rand(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) { s = (s * 1664525 + 1013904223) >>> 0; a[i] = (s / 2 ** 32 - 0.5) * 0.5; }
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
          rand(kernel * kernel * c * cout, 4).map((v) => v * 0.2), rand(cout, 5));
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

function stats(t) {
  const s = [...t].sort((a, b) => a - b);
  return { medianMs: s[s.length >> 1], minMs: s[0], maxMs: s[s.length - 1], runs: s.length };
}

/** Timed calls of fn for about `ms` (at least `min`), after `warm` untimed calls. */
function time(fn, ms, min = 5, warm = 2) {
  for (let i = 0; i < warm; i++) fn();
  const t = [];
  const end = now() + ms;
  while (now() < end || t.length < min) { const t0 = now(); fn(); t.push(now() - t0); }
  return stats(t);
}

export function runtimeName() {
  const g = globalThis;
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node} (V8 ${g.process.versions.v8})`;
  const m = g.navigator?.userAgent?.match(/(HeadlessChrome|Chrome|Firefox|Safari)\/([\d.]+)/);
  return m ? `${m[1]} ${m[2]}` : (g.navigator?.userAgent ?? 'unknown');
}

/**
 * @param {any} simdnet the package's module namespace
 * @param {{ mode?: 'auto'|'force'|'off', kernelMs?: number, model?: string, resolution?: number, modelRuns?: number, kernels?: boolean }} [o]
 */
export async function measure(simdnet, o = {}) {
  const { mode = 'off', kernelMs = 400, model = 'mobilenet-v1', resolution, modelRuns = 15 } = o;
  const t0 = now();
  const feats = await simdnet.init({ relaxedSimd: mode });
  const initMs = now() - t0;
  const out = { runtime: runtimeName(), mode, features: feats, initMs, kernels: [], model: null };
  if (o.kernels !== false) {
    const e = await simdnet.Engine.create();
    try {
      for (const c of cases(simdnet.ops)) {
        const fn = c.setup(e);
        const f0 = now(); fn(); const firstMs = now() - f0;
        const s = time(fn, kernelMs);
        out.kernels.push({ name: c.name, firstMs, ...s, gflops: c.flops / s.medianMs / 1e6 });
      }
    } finally {
      e.dispose();
    }
  }
  if (model) {
    const graph = simdnet.buildModel(model, resolution ? { resolution } : {});
    const net = await simdnet.compile(graph);
    try {
      const n = net.inputShape.reduce((a, b) => a * b, 1);
      const x = rand(n, 11).map((v) => v * 4);
      const f0 = now(); net.run(x); const firstMs = now() - f0;
      const s = time(() => net.run(x), 0, modelRuns, 2);
      out.model = { name: model, input: net.inputShape, firstMs, ...s };
    } finally {
      net.dispose();
    }
  }
  return out;
}
