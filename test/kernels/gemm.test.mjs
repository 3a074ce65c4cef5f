// GEMM and fully connected against the reference: every tile tail (M 1..22 around the 7-row tile and the 4- and 1-row tail kernels,
// N around the 8-wide panel), K below / at / above the K block (512) and a multiple of it, fused
// activations, and channel-slice strides. Bound: |got - want| <= 4*K*2^-23*sum|terms| (close.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(42);
const ACTS = ['none', 'relu', 'relu6'];

test('gemm: every M and N tail, small K', () => {
  for (const M of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 21, 22]) {
    for (const N of [1, 3, 4, 7, 8, 9, 15, 16, 17, 24]) {
      const K = 1 + ((M * 7 + N * 3) % 13);
      const A = randomArray(rng, M * K), B = randomArray(rng, K * N), bias = randomArray(rng, N);
      const act = ACTS[(M + N) % 3];
      const got = ops.gemm(engine, A, M, K, B, N, bias, act);
      const want = ref.gemm(A, M, K, B, N, bias, act);
      assertClose(got, want.data, { mag: want.mag, K, label: `gemm M=${M} N=${N} K=${K} ${act}`, shape: [M, N] });
    }
  }
});

test('gemm: K below, at, above and a multiple of the K block; K not a multiple of the unroll', () => {
  for (const K of [1, 2, 3, 4, 5, 7, 8, 17, 63, 64, 383, 384, 511, 512, 513, 768, 1024, 1100, 2305]) {
    const M = 1 + (K % 11), N = 1 + (K % 19);
    const A = randomArray(rng, M * K), B = randomArray(rng, K * N), bias = randomArray(rng, N);
    for (const act of ACTS) {
      const got = ops.gemm(engine, A, M, K, B, N, bias, act);
      const want = ref.gemm(A, M, K, B, N, bias, act);
      assertClose(got, want.data, { mag: want.mag, K, label: `gemm M=${M} N=${N} K=${K} ${act}`, shape: [M, N] });
    }
  }
});

test('gemm: no bias, larger blocks with several N blocks', () => {
  for (const [M, N, K] of [[64, 200, 600], [33, 520, 40], [100, 65, 700]]) {
    const A = randomArray(rng, M * K), B = randomArray(rng, K * N);
    const got = ops.gemm(engine, A, M, K, B, N, null, 'none');
    const want = ref.gemm(A, M, K, B, N, null, 'none');
    assertClose(got, want.data, { mag: want.mag, K, label: `gemm ${M}x${N}x${K}`, shape: [M, N] });
  }
});

test('Gemm.run with strides reads a channel slice and writes only its own slice', () => {
  const M = 13, K = 9, N = 11, lda = 20, ldc = 30, off = 7;
  const W = randomArray(rng, K * N), bias = randomArray(rng, N);
  const g = new ops.Gemm(engine, K, N, W, bias, 'relu');
  const Afull = randomArray(rng, M * lda);
  const a = engine.upload(Afull);
  const c = engine.upload(new Float32Array(M * ldc).fill(12345));
  g.run(M, a, c + off * 4, lda, ldc);
  const out = engine.read(c, M * ldc);
  const A = new Float32Array(M * K);
  for (let i = 0; i < M; i++) A.set(Afull.subarray(i * lda, i * lda + K), i * K);
  const want = ref.gemm(A, M, K, W, N, bias, 'relu');
  const got = new Float32Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < ldc; j++) {
      if (j < off || j >= off + N) assert.is(out[i * ldc + j], 12345, `wrote outside the slice at row ${i} col ${j}`);
      else got[i * N + j - off] = out[i * ldc + j];
    }
  }
  assertClose(got, want.data, { mag: want.mag, K, label: 'strided gemm', shape: [M, N] });
  engine.release(a); engine.release(c); g.dispose();
});

test('fc: batch 1 (GEMV path) and batch > 1 (GEMM path)', () => {
  for (const [batch, inF, outF] of [[1, 1, 1], [1, 7, 9], [1, 512, 1000], [1, 4099, 13], [2, 100, 17], [8, 640, 40], [3, 5, 8]]) {
    const x = randomArray(rng, batch * inF), w = randomArray(rng, inF * outF), b = randomArray(rng, outF);
    for (const act of ACTS) {
      const got = ops.fc(engine, x, batch, w, inF, outF, b, act);
      const want = ref.fc(x, [batch, inF], w, b, act);
      assert.equal(got.shape, [batch, outF]);
      assertClose(got.data, want.data, { mag: want.mag, K: inF, label: `fc ${batch}x${inF}->${outF} ${act}`, shape: [batch, outF] });
    }
  }
});

test.run();
