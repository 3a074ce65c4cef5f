// Tile-shape study for the GEMM microkernel: every generated MRxNR tile, shipped and study, with
// its own single-tile blocked driver (build/tiles.wasm, `npm run build:tiles`), same run, medians
// of GFLOP/s against the same-run peak. This is the measurement behind the shipped 7x8 main tile
// (BENCHMARKS.md); the tiles come from the table in scripts/gen-gemm.mjs.
import { readFileSync } from 'node:fs';
import { Bench } from 'tinybench';
import { SHIPPED_TILES, STUDY_TILES } from '../scripts/gen-gemm.mjs';

// --relaxed: the same tiles built with relaxed SIMD (build/tiles-relaxed.wasm; Node 20 needs --experimental-wasm-relaxed-simd)
const relaxed = process.argv.includes('--relaxed');
const bytes = readFileSync(new URL(relaxed ? '../build/tiles-relaxed.wasm' : '../build/tiles.wasm', import.meta.url));
const { instance } = await WebAssembly.instantiate(bytes, { env: { abort() { throw new Error('abort'); } } });
const x = instance.exports;
let top = x.heap_base();
const alloc = (floats) => {
  const p = top;
  top += Math.ceil((floats * 4 + 64) / 64) * 64;
  const need = Math.ceil(top / 65536) - x.memory.buffer.byteLength / 65536;
  if (need > 0) x.memory.grow(need);
  return p;
};

// Widest panels last, taller tiles first within a width; the shipped 1x8 tail is left out (a
// one-row tile is there for M tails, not for throughput).
const tiles = [...SHIPPED_TILES, ...STUDY_TILES]
  .filter((t) => t.mr > 1 || t.nr > 8)
  .sort((a, b) => a.nr - b.nr || b.mr - a.mr)
  .map((t) => `${t.mr}x${t.nr}`);
const shapes = [[512, 512, 512], [256, 256, 256], [784, 128, 1152], [3136, 256, 64]];

x.f32_peak_muladd(1000);
const pt = [];
for (let i = 0; i < 15; i++) { const t = performance.now(); x.f32_peak_muladd(2e5); pt.push(performance.now() - t); }
pt.sort((a, b) => a - b);
const peak = (2e5 * 96) / pt[7] / 1e6;
console.log(`peak (12 independent f32x4 mul+add chains): ${peak.toFixed(1)} GFLOP/s`);
console.log(['M x N x K', ...tiles].map((s) => s.padStart(14)).join(''));
for (const [M, N, K] of shapes) {
  const a = alloc(M * K), c = alloc(M * N), w = alloc(K * N), b = alloc(N);
  const f = new Float32Array(x.memory.buffer);
  for (let i = 0; i < M * K; i++) f[a / 4 + i] = Math.random() - 0.5;
  for (let i = 0; i < K * N; i++) f[w / 4 + i] = Math.random() - 0.5;
  const bench = new Bench({ time: 300, warmup: true });
  for (const t of tiles) {
    const nr = +t.split('x')[1];
    const pk = alloc(Math.ceil(N / nr) * (K + 1) * nr);
    x.f32_gemm_pack(nr, N, K, w, N, b, pk, 0);
    const run = x[`f32_gemm_${t}_run`];
    bench.add(t, () => run(M, N, K, a, K * 4, pk, c, N * 4, 0, 0, 0));
  }
  await bench.run();
  const row = tiles.map((t) => {
    const ms = bench.getTask(t).result.latency.p50;
    const g = (2 * M * N * K) / ms / 1e6;
    return `${g.toFixed(1)} (${Math.round((100 * g) / peak)}%)`.padStart(14);
  });
  console.log(`${M}x${N}x${K}`.padStart(14) + row.join(''));
}
