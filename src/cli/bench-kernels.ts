import { Bench } from 'tinybench';
import { Engine } from '../wasm/engine.js';
import { Conv2d } from '../ops/conv2d.js';
import { DepthwiseConv2d } from '../ops/dwconv2d.js';
import { Gemm } from '../ops/gemm.js';
import { poolConfig, poolOutShape, runPool2d } from '../ops/pool2d.js';

/** One row of the kernel benchmark. FLOPs = 2 x MACs (one MAC = one multiply-add). */
export interface KernelResult {
  name: string;
  shape: string;
  medianMs: number;
  minMs: number;
  maxMs: number;
  gflops: number;
  /** Fraction of the same run's peakGflops. */
  ofPeak: number;
}

export interface KernelBenchReport {
  peakGflops: number;
  kernels: KernelResult[];
  runtime: string;
}

interface Case { name: string; shape: string; flops: number; setup(e: Engine): () => void }

function rand(e: Engine, n: number, seed: number): number {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * 0.5;
  }
  return e.upload(a);
}

function randArr(n: number, seed: number, scale = 0.5): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    a[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return a;
}

function gemmCase(m: number, n: number, k: number): Case {
  return {
    name: `gemm ${m}x${n}x${k}`, shape: `M=${m} N=${n} K=${k}`, flops: 2 * m * n * k,
    setup(e) {
      const g = new Gemm(e, k, n, randArr(k * n, 2), randArr(n, 3));
      const a = rand(e, m * k, 1), c = e.alloc(m * n);
      return () => g.run(m, a, c, k, n, true);
    },
  };
}

function convCase(name: string, inShape: number[], cout: number, kernel: number, stride: number, pad: number): Case {
  const [n, h, w, c] = inShape;
  const ho = Math.floor((h + 2 * pad - kernel) / stride) + 1, wo = Math.floor((w + 2 * pad - kernel) / stride) + 1;
  return {
    name, shape: `${n}x${h}x${w}x${c} -> ${n}x${ho}x${wo}x${cout}, k${kernel} s${stride} p${pad}`,
    flops: 2 * n * ho * wo * cout * kernel * kernel * c,
    setup(e) {
      const op = new Conv2d(e, { inChannels: c, outChannels: cout, kernel, stride, pad, act: 'relu' },
        randArr(kernel * kernel * c * cout, 4, 0.1), randArr(cout, 5));
      const x = rand(e, n * h * w * c, 6), y = e.alloc(n * ho * wo * cout);
      const ws = e.alloc(op.workspaceFloats(inShape));
      return () => op.run(x, inShape, y, { workspace: ws });
    },
  };
}

function dwCase(name: string, inShape: number[], stride: number): Case {
  const [n, h, w, c] = inShape;
  const ho = Math.floor((h + 2 - 3) / stride) + 1, wo = Math.floor((w + 2 - 3) / stride) + 1;
  return {
    name, shape: `${n}x${h}x${w}x${c} -> ${n}x${ho}x${wo}x${c}, 3x3 s${stride} p1`, flops: 2 * n * ho * wo * c * 9,
    setup(e) {
      const op = new DepthwiseConv2d(e, { channels: c, kernel: 3, stride, pad: 1, act: 'relu6' }, randArr(9 * c, 7), randArr(c, 8));
      const x = rand(e, n * h * w * c, 9), y = e.alloc(n * ho * wo * c);
      return () => op.run(x, inShape, y);
    },
  };
}

function poolCase(): Case {
  const inShape = [1, 112, 112, 64];
  const cfg = poolConfig({ kernel: 3, stride: 2, pad: 1 });
  const os = poolOutShape(cfg, inShape);
  return {
    // a comparison per tap: reported as "GFLOP/s" of 1 op per tap so the column stays comparable
    name: 'maxpool 3x3 s2', shape: `1x112x112x64 -> ${os.join('x')}`, flops: os[1] * os[2] * 64 * 9,
    setup(e) {
      const x = rand(e, 112 * 112 * 64, 10), y = e.alloc(os[1] * os[2] * 64);
      return () => runPool2d(e, 'max', cfg, x, inShape, y);
    },
  };
}

/** Layer shapes from ResNet-50 and MobileNet v1: the kernel paths that dominate their time, on large and on small maps. */
export const KERNEL_CASES: Case[] = [
  gemmCase(512, 512, 512),
  gemmCase(256, 256, 256),
  convCase('conv 3x3 (im2col+gemm)', [1, 28, 28, 128], 128, 3, 1, 1),
  convCase('conv 1x1 (direct gemm)', [1, 56, 56, 64], 256, 1, 1, 0),
  convCase('conv 1x1 14x14 (direct gemm)', [1, 14, 14, 512], 512, 1, 1, 0),
  convCase('conv 1x1 7x7 (direct gemm)', [1, 7, 7, 1024], 1024, 1, 1, 0),
  dwCase('dwconv 3x3 s1', [1, 112, 112, 32], 1),
  dwCase('dwconv 3x3 s2', [1, 112, 112, 64], 2),
  dwCase('dwconv 3x3 s1 14x14', [1, 14, 14, 512], 1),
  dwCase('dwconv 3x3 s1 7x7', [1, 7, 7, 1024], 1),
  poolCase(),
];

/** Measures the same-run ceiling: independent f32x4 mul+add chains on one thread. */
export function measurePeak(e: Engine, ms = 300): number {
  const iters = 200000;
  e.k.f32_peak_muladd(1000);
  const times: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end || times.length < 5) {
    const t = performance.now();
    e.k.f32_peak_muladd(iters);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return (iters * 12 * 8) / times[times.length >> 1] / 1e6;
}

export function runtimeName(): string {
  const g = globalThis as any;
  if (g.Deno) return `Deno ${g.Deno.version.deno} (V8 ${g.Deno.version.v8})`;
  if (g.Bun) return `Bun ${g.Bun.version}`;
  if (g.process?.versions?.node) return `Node ${g.process.versions.node} (V8 ${g.process.versions.v8})`;
  return g.navigator?.userAgent ?? 'unknown';
}

/** Runs the kernel table with tinybench (warm-up, then timed iterations), medians reported. */
export async function benchKernels(opts: { time?: number; filter?: RegExp; onProgress?: (name: string) => void } = {}): Promise<KernelBenchReport> {
  const e = await Engine.create();
  try {
    const peak = measurePeak(e);
    const bench = new Bench({ time: opts.time ?? 400, warmup: true, warmupTime: 100 });
    const cases = KERNEL_CASES.filter((c) => !opts.filter || opts.filter.test(c.name));
    for (const c of cases) {
      const fn = c.setup(e);
      fn();
      bench.add(c.name, () => { fn(); });
    }
    if (opts.onProgress) bench.addEventListener('cycle', (ev: any) => opts.onProgress!(ev.task?.name ?? ''));
    await bench.run();
    const kernels = cases.map((c) => {
      const r: any = bench.getTask(c.name)!.result;
      const lat = r.latency;
      const medianMs = lat.p50;
      const gflops = c.flops / medianMs / 1e6;
      return { name: c.name, shape: c.shape, medianMs, minMs: lat.min, maxMs: lat.max, gflops, ofPeak: gflops / peak };
    });
    return { peakGflops: peak, kernels, runtime: runtimeName() };
  } finally {
    e.dispose();
  }
}

/** The human-readable table `npm start` prints. */
export function formatKernelTable(r: KernelBenchReport): string {
  const rows = [['kernel', 'shape', 'median ms', 'GFLOP/s', 'of peak']];
  for (const k of r.kernels) rows.push([k.name, k.shape, k.medianMs.toFixed(3), k.gflops.toFixed(1), `${(k.ofPeak * 100).toFixed(0)}%`]);
  const w = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((v, i) => (i >= 2 ? v.padStart(w[i]) : v.padEnd(w[i]))).join('  ');
  return [
    `simdnet kernel benchmark — ${r.runtime}, one thread, baseline SIMD build`,
    `peak (independent f32x4 mul+add chains, same run): ${r.peakGflops.toFixed(1)} GFLOP/s`,
    '',
    line(rows[0]),
    w.map((n) => '-'.repeat(n)).join('  '),
    ...rows.slice(1).map(line),
    '',
    'FLOPs = 2 x multiply-adds; maxpool counts one op per window tap.',
  ].join('\n');
}
