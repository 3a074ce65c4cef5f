// GEMM microkernel tester (after XNNPACK's GemmMicrokernelTester): every tile of the table in
// scripts/gen-gemm.mjs, shipped and study, straight from build/tiles.wasm (plain WebAssembly API,
// no ops layer in between).
// - microkernel f32_gemm_MRxNR: mr = 1..MR, the full NR panel (it always writes NR columns),
//   kc = 1..17, 31, 61, 127, lda / ldc 3 floats wider than the row, bias start vs continuation from
//   C (flags bit 0), clamp on / off (bit 1); NaN past every row of A and past W and the bias, so a
//   read out of bounds shows; sentinels around and between the C rows, so a stray write shows.
// - drivers (each tile's f32_gemm_MRxNR_run, the shipped f32_gemm in build/tiles.wasm and in
//   dist/simdnet.wasm): m = 1..2MR+1, n = 1..2NR+1, k across the K blocks, clamp on / off,
//   A and C row strides wider than the rows, writes limited to the m x n block.
// - the shipped binary's gemm_config() and the kernels' K block against src/kernels/gemm-config.ts.
// Bound: |got - want| <= 4*K*2^-23*sum|terms| (close.mjs). Preconditions are checked inside the
// tests (uvu swallows a throw in before()), so a missing build fails instead of skipping.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as cfg from '../../dist/kernels/gemm-config.js';
import { GEMM, SHIPPED_TILES, STUDY_TILES, GEMM_CONFIG_SCALARS } from '../../scripts/gen-gemm.mjs';
import { mulberry32 } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const ROOT = new URL('../../', import.meta.url);
const TILES_WASM = new URL('build/tiles.wasm', ROOT);
const SHIPPED_WASM = new URL('dist/simdnet.wasm', ROOT);
const RELAXED_WASM = new URL('dist/simdnet-relaxed.wasm', ROOT);
const ALL_TILES = [...SHIPPED_TILES, ...STUDY_TILES];
const KCS = [...Array(17).keys()].map((i) => i + 1).concat([31, 61, 127]);
const KS = [1, 2, 7, 17, 513, 1030];
const PAD = 3; // floats past each row of A and C
const GUARD = 16; // floats of sentinel before and after C
const SENTINEL = -12345.5;

const cache = new Map();
/** Instance of a built binary; throws (failing the test) when it is missing. */
function load(url) {
  if (!cache.has(url.href)) {
    if (!existsSync(url)) throw new Error(`${fileURLToPath(url)} is missing: run npm run build`);
    const module = new WebAssembly.Module(readFileSync(url));
    cache.set(url.href, new WebAssembly.Instance(module, { env: { abort() { throw new Error('kernel abort'); } } }).exports);
  }
  return cache.get(url.href);
}

/** Bump allocator over the instance's memory from heap_base (reset per case). */
function arena(x) {
  let top = x.heap_base();
  return {
    alloc(floats) {
      const p = top;
      top += Math.ceil((floats * 4 + 64) / 64) * 64;
      const need = Math.ceil(top / 65536) - x.memory.buffer.byteLength / 65536;
      if (need > 0) x.memory.grow(need);
      return p;
    },
    get f32() { return new Float32Array(x.memory.buffer); },
  };
}

function fillRandom(rng, f, at, n) {
  for (let i = 0; i < n; i++) f[at + i] = 2 * rng() - 1;
}

/** Clamp bounds that cut both tails of a sum of k products of [-1, 1] values. */
const clampRange = (k) => [-0.35 * Math.sqrt(k), 0.45 * Math.sqrt(k)];
// With the clamp off the kernel gets an empty range: a clamp applied anyway would show.
const OFF = [1, -1];

/** Every float of f[base, base + rows*ld) outside the rows x cols block must still be SENTINEL. */
function assertUntouched(f, base, rows, cols, ld, total, label) {
  for (let i = 0; i < total; i++) {
    const r = Math.floor((i - GUARD) / ld), col = (i - GUARD) % ld;
    const inside = i >= GUARD && r < rows && col < cols;
    if (!inside && f[base + i] !== SENTINEL) {
      assert.unreachable(`${label}: wrote ${f[base + i]} at ${i < GUARD ? `guard ${i - GUARD}` : `row ${r} col ${col}`} outside the ${rows} x ${cols} block`);
    }
  }
}

function checkMicrokernel({ mr: MR, nr: NR }) {
  const x = load(TILES_WASM);
  const name = `f32_gemm_${MR}x${NR}`;
  const fn = x[name];
  assert.type(fn, 'function', `build/tiles.wasm does not export ${name}`);
  const rng = mulberry32(MR * 100 + NR);
  for (const kc of KCS) {
    const lda = kc + PAD, ldc = NR + PAD;
    const mem = arena(x);
    const a = mem.alloc(MR * lda), w = mem.alloc(kc * NR + NR), bias = mem.alloc(2 * NR);
    const cTotal = GUARD + MR * ldc + GUARD;
    const cbuf = mem.alloc(cTotal), c = cbuf + GUARD * 4;
    const f = mem.f32;
    const A = new Float32Array(MR * lda).fill(NaN);
    for (let i = 0; i < MR; i++) fillRandom(rng, A, i * lda, kc);
    f.fill(NaN, w >> 2, (w >> 2) + kc * NR + NR);
    fillRandom(rng, f, w >> 2, kc * NR);
    f.fill(NaN, bias >> 2, (bias >> 2) + 2 * NR);
    fillRandom(rng, f, bias >> 2, NR);
    const W = f.slice(w >> 2, (w >> 2) + kc * NR), B = f.slice(bias >> 2, (bias >> 2) + NR);
    const C0 = new Float32Array(MR * NR);
    fillRandom(rng, C0, 0, MR * NR);
    for (let mr = 1; mr <= MR; mr++) {
      // Rows of A past mr are NaN: the kernel must alias its spare rows to row mr - 1.
      f.set(A.subarray(0, mr * lda), a >> 2);
      f.fill(NaN, (a >> 2) + mr * lda, (a >> 2) + MR * lda);
      for (let flags = 0; flags < 4; flags++) {
        const [lo, hi] = flags & 2 ? clampRange(kc) : OFF;
        f.fill(SENTINEL, cbuf >> 2, (cbuf >> 2) + cTotal);
        if (flags & 1) for (let i = 0; i < mr; i++) f.set(C0.subarray(i * NR, (i + 1) * NR), (c >> 2) + i * ldc);
        fn(mr, kc, a, lda * 4, bias, w, c, ldc * 4, flags, lo, hi);
        const got = new Float32Array(mr * NR), want = new Float64Array(mr * NR), mag = new Float64Array(mr * NR);
        for (let i = 0; i < mr; i++) {
          for (let j = 0; j < NR; j++) {
            let s = flags & 1 ? C0[i * NR + j] : B[j];
            let m = Math.abs(s);
            for (let p = 0; p < kc; p++) {
              const t = A[i * lda + p] * W[p * NR + j];
              s += t; m += Math.abs(t);
            }
            if (flags & 2) s = Math.min(Math.max(s, lo), hi);
            got[i * NR + j] = f[(c >> 2) + i * ldc + j];
            want[i * NR + j] = s;
            mag[i * NR + j] = m;
          }
        }
        const label = `${name} mr=${mr} kc=${kc} flags=${flags}`;
        assertClose(got, want, { mag, K: kc, label, shape: [mr, NR] });
        assertUntouched(f, cbuf >> 2, mr, NR, ldc, cTotal, label);
      }
    }
  }
}

/** run(m, n, k, a, lda, packed, c, ldc, lo, hi, clamp) over m = 1..2MR+1, n = 1..2NR+1, KS. */
function checkDriver(x, name, MR, NR) {
  const run = x[name];
  assert.type(run, 'function', `no export ${name}`);
  const Mmax = 2 * MR + 1, Nmax = 2 * NR + 1;
  const rng = mulberry32(MR * 1000 + NR * 10 + name.length);
  for (const k of KS) {
    const lda = k + PAD;
    const mem = arena(x);
    const a = mem.alloc(Mmax * lda), w = mem.alloc(k * Nmax), bias = mem.alloc(Nmax);
    const packedFloats = Math.ceil(Nmax / NR) * (k + 1) * NR;
    const pk = mem.alloc(packedFloats);
    const cTotal = GUARD + Mmax * (Nmax + PAD) + GUARD;
    const cbuf = mem.alloc(cTotal), c = cbuf + GUARD * 4;
    const f = mem.f32;
    f.fill(NaN, a >> 2, (a >> 2) + Mmax * lda);
    for (let i = 0; i < Mmax; i++) fillRandom(rng, f, (a >> 2) + i * lda, k);
    fillRandom(rng, f, w >> 2, k * Nmax);
    fillRandom(rng, f, bias >> 2, Nmax);
    const A = f.slice(a >> 2, (a >> 2) + Mmax * lda), W = f.slice(w >> 2, (w >> 2) + k * Nmax), B = f.slice(bias >> 2, (bias >> 2) + Nmax);
    // Rows and columns are independent: one reference for the largest block serves every (m, n).
    const full = new Float64Array(Mmax * Nmax), fullMag = new Float64Array(Mmax * Nmax);
    for (let i = 0; i < Mmax; i++) {
      for (let j = 0; j < Nmax; j++) {
        let s = B[j], m = Math.abs(s);
        for (let p = 0; p < k; p++) {
          const t = A[i * lda + p] * W[p * Nmax + j];
          s += t; m += Math.abs(t);
        }
        full[i * Nmax + j] = s; fullMag[i * Nmax + j] = m;
      }
    }
    const [clo, chi] = clampRange(k);
    for (let n = 1; n <= Nmax; n++) {
      x.f32_gemm_pack(NR, n, k, w, Nmax, bias, pk, 0);
      const ldc = n + PAD;
      for (let m = 1; m <= Mmax; m++) {
        for (const clamp of [0, 1]) {
          const [lo, hi] = clamp ? [clo, chi] : OFF;
          const total = GUARD + m * ldc + GUARD;
          f.fill(SENTINEL, cbuf >> 2, (cbuf >> 2) + total);
          run(m, n, k, a, lda * 4, pk, c, ldc * 4, lo, hi, clamp);
          const got = new Float32Array(m * n), want = new Float64Array(m * n), mag = new Float64Array(m * n);
          for (let i = 0; i < m; i++) {
            for (let j = 0; j < n; j++) {
              const s = full[i * Nmax + j];
              got[i * n + j] = f[(c >> 2) + i * ldc + j];
              want[i * n + j] = clamp ? Math.min(Math.max(s, lo), hi) : s;
              mag[i * n + j] = fullMag[i * Nmax + j];
            }
          }
          const label = `${name} (${MR}x${NR}) m=${m} n=${n} k=${k} clamp=${clamp}`;
          assertClose(got, want, { mag, K: k, label, shape: [m, n] });
          assertUntouched(f, cbuf >> 2, m, n, ldc, total, label);
        }
      }
    }
  }
}

test('build/tiles.wasm exports every tile of the table with its driver', () => {
  const x = load(TILES_WASM);
  for (const { mr, nr } of ALL_TILES) {
    assert.type(x[`f32_gemm_${mr}x${nr}`], 'function', `f32_gemm_${mr}x${nr}`);
    assert.type(x[`f32_gemm_${mr}x${nr}_run`], 'function', `f32_gemm_${mr}x${nr}_run`);
  }
  const tileExports = Object.keys(x).filter((e) => /^f32_gemm_\d+x\d+$/.test(e)).sort();
  assert.equal(tileExports, ALL_TILES.map(({ mr, nr }) => `f32_gemm_${mr}x${nr}`).sort());
});

for (const tile of ALL_TILES) {
  test(`microkernel f32_gemm_${tile.mr}x${tile.nr}: mr 1..${tile.mr}, kc 1..17/31/61/127, strides, bias vs continuation, clamp, bounds`, () => {
    checkMicrokernel(tile);
  });
}

for (const { mr, nr } of ALL_TILES) {
  test(`driver f32_gemm_${mr}x${nr}_run: M, N and K tails and blocks, clamp, strides, bounds`, () => {
    checkDriver(load(TILES_WASM), `f32_gemm_${mr}x${nr}_run`, mr, nr);
  });
}

test('shipped f32_gemm (build/tiles.wasm and dist/simdnet.wasm): M, N and K tails and blocks, clamp, strides, bounds', () => {
  checkDriver(load(TILES_WASM), 'f32_gemm', cfg.GEMM_MR, cfg.GEMM_NR);
  checkDriver(load(SHIPPED_WASM), 'f32_gemm', cfg.GEMM_MR, cfg.GEMM_NR);
});

/** What gemm_config(i) must return for i = 0.. (and -1 after), from src/kernels/gemm-config.ts. */
function expectedConfig() {
  const scalars = {
    mr: cfg.GEMM_MR, nr: cfg.GEMM_NR, tiles: cfg.GEMM_TAILS.length,
    kcMax: cfg.GEMM_KC_MAX, kcTarget: cfg.GEMM_KC_TARGET, nBlockFloats: cfg.GEMM_NBLOCK_FLOATS,
  };
  return [...GEMM_CONFIG_SCALARS.map((s) => scalars[s]), ...cfg.GEMM_TAILS.flatMap((t) => [t.mr, t.minRows]), -1];
}
const configOf = (x, n) => Array.from({ length: n }, (_, i) => x.gemm_config(i));

test('dist/simdnet.wasm and build/tiles.wasm report the configuration of src/kernels/gemm-config.ts', () => {
  const want = expectedConfig();
  assert.equal(configOf(load(SHIPPED_WASM), want.length), want, 'dist/simdnet.wasm was built from another table: npm run build');
  assert.equal(configOf(load(TILES_WASM), want.length), want, 'build/tiles.wasm was built from another table: npm run build');
  // The TS config is the generator's table, not a copy that drifted.
  assert.is(cfg.GEMM_NR, GEMM.nr);
  assert.equal(cfg.GEMM_TAILS, GEMM.tiles);
});

test('dist/simdnet-relaxed.wasm reports the same configuration', () => {
  const want = expectedConfig();
  if (!existsSync(RELAXED_WASM)) assert.unreachable(`${fileURLToPath(RELAXED_WASM)} is missing: run npm run build`);
  const bytes = readFileSync(RELAXED_WASM);
  if (WebAssembly.validate(bytes)) {
    assert.equal(configOf(load(RELAXED_WASM), want.length), want);
    return;
  }
  // Node 20 validates relaxed SIMD only behind a V8 flag; a flag set here would switch every
  // other test file of this process to the relaxed binary, so ask a child process instead.
  const script = `const m = new WebAssembly.Module(require('fs').readFileSync(${JSON.stringify(fileURLToPath(RELAXED_WASM))}));
    const x = new WebAssembly.Instance(m, { env: { abort() {} } }).exports;
    console.log(JSON.stringify(Array.from({ length: ${want.length} }, (_, i) => x.gemm_config(i))));`;
  const r = spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', '-e', script], { encoding: 'utf8' });
  assert.is(r.status, 0, `child node failed: ${r.stderr}`);
  assert.equal(JSON.parse(r.stdout), want);
});

test('gemmKBlock (src/kernels/gemm-config.ts) is the kernels\' gemmKC for every k up to 5000', () => {
  const x = load(TILES_WASM);
  for (let k = 1; k <= 5000; k++) {
    if (x.gemm_kc(k) !== cfg.gemmKBlock(k)) assert.unreachable(`k = ${k}: kernels ${x.gemm_kc(k)}, gemmKBlock ${cfg.gemmKBlock(k)}`);
  }
  assert.is(cfg.gemmKBlock(512), 512);
  assert.is(cfg.gemmKBlock(513), 257);
  assert.is(cfg.gemmKBlock(1030), 344);
});

test('f32_gemm_pack: the panel layout float by float, with and without a per-column scale (a folded batch norm)', () => {
  const x = load(SHIPPED_WASM);
  const NR = cfg.GEMM_NR, rng = mulberry32(21);
  for (const [k, n, ldw] of [[1, 1, 1], [3, 8, 8], [5, 9, 12], [17, 16, 16], [2, 23, 30], [64, 40, 40]]) {
    for (const scaled of [false, true]) {
      for (const withBias of [false, true]) {
        const mem = arena(x);
        const floats = cfg.packedGemmFloats(k, n);
        const w = mem.alloc(k * ldw), bias = mem.alloc(n), scale = mem.alloc(n), out = mem.alloc(floats);
        const f = mem.f32;
        fillRandom(rng, f, w >> 2, k * ldw);
        fillRandom(rng, f, bias >> 2, n);
        fillRandom(rng, f, scale >> 2, n);
        const W = f.slice(w >> 2, (w >> 2) + k * ldw), B = f.slice(bias >> 2, (bias >> 2) + n), S = f.slice(scale >> 2, (scale >> 2) + n);
        x.f32_gemm_pack(NR, n, k, w, ldw, withBias ? bias : 0, out, scaled ? scale : 0);
        const got = mem.f32.subarray(out >> 2, (out >> 2) + floats);
        let o = 0;
        for (let p0 = 0; p0 < n; p0 += NR) {
          for (let j = 0; j < NR; j++, o++) {
            const want = withBias && p0 + j < n ? B[p0 + j] : 0;
            if (got[o] !== want) assert.unreachable(`k=${k} n=${n} bias[${p0 + j}]: ${got[o]} != ${want}`);
          }
          for (let kk = 0; kk < k; kk++) {
            for (let j = 0; j < NR; j++, o++) {
              const col = p0 + j;
              const want = col >= n ? 0 : scaled ? Math.fround(W[kk * ldw + col] * S[col]) : W[kk * ldw + col];
              if (got[o] !== want) assert.unreachable(`k=${k} n=${n} ldw=${ldw} scaled=${scaled} w[${kk}][${col}]: ${got[o]} != ${want}`);
            }
          }
        }
        assert.is(o, floats);
      }
    }
  }
});

test('packedGemmFloats is exactly what f32_gemm_pack writes; gemmTileFor follows GEMM_TAILS', () => {
  const x = load(SHIPPED_WASM);
  for (const [k, n] of [[1, 1], [3, 8], [5, 9], [17, 16], [2, 23]]) {
    const mem = arena(x);
    const floats = cfg.packedGemmFloats(k, n);
    const w = mem.alloc(k * n), bias = mem.alloc(n), out = mem.alloc(floats + GUARD);
    const f = mem.f32;
    f.fill(1, w >> 2, (w >> 2) + k * n);
    f.fill(SENTINEL, out >> 2, (out >> 2) + floats + GUARD);
    x.f32_gemm_pack(cfg.GEMM_NR, n, k, w, n, bias, out, 0);
    for (let i = 0; i < floats; i++) if (f[(out >> 2) + i] === SENTINEL) assert.unreachable(`k=${k} n=${n}: float ${i} not written`);
    for (let i = floats; i < floats + GUARD; i++) assert.is(f[(out >> 2) + i], SENTINEL, `k=${k} n=${n}: wrote past packedGemmFloats`);
  }
  assert.is(cfg.gemmTileFor(cfg.GEMM_MR), cfg.GEMM_TAILS[0]);
  for (let rows = 1; rows <= cfg.GEMM_MR; rows++) {
    const t = cfg.gemmTileFor(rows);
    assert.ok(t.mr >= rows && rows >= t.minRows, `${rows} rows on the ${t.mr}-row tile`);
  }
  assert.is(cfg.gemmTileFor(1).mr, 1);
  assert.throws(() => cfg.gemmTileFor(0), RangeError);
  assert.throws(() => cfg.gemmTileFor(cfg.GEMM_MR + 1), RangeError);
});

test.run();
