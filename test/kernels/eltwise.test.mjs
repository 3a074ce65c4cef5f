// Residual add (+ReLU), channel concat, LRN, softmax, batch norm and stand-alone activations
// against the reference. Bounds: exact for add/concat/activations (one rounding), 1e-5 relative for
// LRN/softmax (f32 pow/exp), 1e-5 for batch norm (scale/shift reassociation).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray, randInt } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(3);

test('add with and without fused ReLU, every length tail', () => {
  for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 1000]) {
    const a = randomArray(rng, n), b = randomArray(rng, n);
    for (const relu of [false, true]) {
      const got = ops.add(engine, a, b, [n], relu);
      assertClose(got.data, ref.add(a, b, [n], relu).data, { rel: 0, label: `add ${n} relu=${relu}` });
    }
  }
  const shape = [2, 7, 7, 17];
  const a = randomArray(rng, 2 * 7 * 7 * 17), b = randomArray(rng, 2 * 7 * 7 * 17);
  assertClose(ops.add(engine, a, b, shape, true).data, ref.add(a, b, shape, true).data, { rel: 0, label: 'add nhwc', shape });
});

test('concat along channels, odd channel counts', () => {
  for (const cs of [[1, 1], [3, 5, 7], [16, 17], [64, 128, 32, 32]]) {
    const n = randInt(rng, 1, 2), h = randInt(rng, 1, 6), w = randInt(rng, 1, 6);
    const list = cs.map((c) => ({ data: randomArray(rng, n * h * w * c), shape: [n, h, w, c] }));
    const got = ops.concat(engine, list);
    const want = ref.concat(list);
    assert.equal(got.shape, want.shape);
    assertClose(got.data, want.data, { rel: 0, label: `concat ${cs}` });
  }
});

test('LRN across channels (AlexNet-2012 and GoogLeNet-v1 parameters, odd and even sizes)', () => {
  for (const [size, alpha, beta, k] of [[5, 1e-4, 0.75, 2], [5, 1e-4, 0.75, 1], [3, 0.01, 0.5, 1], [4, 1e-3, 0.75, 1], [1, 1e-4, 0.75, 1]]) {
    for (const c of [1, 3, 7, 16, 17, 96]) {
      const shape = [1, 3, 4, c];
      const x = randomArray(rng, 12 * c, 5);
      const got = ops.lrn(engine, x, shape, { size, alpha, beta, k });
      assertClose(got.data, ref.lrn(x, shape, { size, alpha, beta, k }).data, { rel: 1e-5, label: `lrn size ${size} c ${c}`, shape });
    }
  }
});

test('softmax rows: stable for large inputs, sums to 1', () => {
  for (const [r, c] of [[1, 1], [1, 10], [3, 1000], [2, 17]]) {
    const x = randomArray(rng, r * c, 20);
    const got = ops.softmax(engine, x, r, c);
    assertClose(got.data, ref.softmax(x, [r, c]).data, { rel: 1e-5, label: `softmax ${r}x${c}` });
  }
  const big = ops.softmax(engine, new Float32Array([1000, 1001, 1002]), 1, 3).data;
  assert.ok(big.every(Number.isFinite));
  assert.ok(Math.abs(big.reduce((a, b) => a + b, 0) - 1) < 1e-6);
});

test('batch norm (inference) and stand-alone activations', () => {
  const shape = [2, 3, 5, 13];
  const x = randomArray(rng, 2 * 3 * 5 * 13, 3);
  const p = { gamma: randomArray(rng, 13), beta: randomArray(rng, 13), mean: randomArray(rng, 13), variance: randomArray(rng, 13).map((v) => Math.abs(v) + 0.5), eps: 1e-3 };
  assertClose(ops.batchNorm(engine, x, shape, p).data, ref.batchnorm(x, shape, p).data, { rel: 1e-5, label: 'batchnorm', shape });
  assertClose(ops.activation(engine, x, 'relu').data, ref.relu(x), { rel: 0, label: 'relu' });
  assertClose(ops.activation(engine, x, 'relu6').data, ref.relu6(x), { rel: 0, label: 'relu6' });
});

test('first non-finite value: NaN, +-Infinity and the largest finite floats, at every position of short and long buffers', () => {
  const rng = mulberry32(91);
  const first = (a) => a.findIndex((v) => !Number.isFinite(v));
  for (const n of [0, 1, 3, 4, 5, 15, 16, 17, 31, 33, 64, 65, 1000, 150528]) {
    const a = randomArray(rng, n);
    assert.is(ops.firstNonFinite(engine, a), -1, `n=${n}: all finite`);
    if (n === 0) continue;
    // the extremes of the finite range and subnormals are finite
    a[0] = 3.4028234663852886e38; a[n - 1] = -3.4028234663852886e38; a[n >> 1] = 1e-45;
    assert.is(ops.firstNonFinite(engine, a), -1, `n=${n}: extremes are finite`);
    const positions = n <= 70 ? [...Array(n).keys()] : [0, 1, 15, 16, n >> 1, n - 17, n - 1, randInt(rng, 0, n - 1)];
    for (const at of positions) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const b = a.slice();
        b[at] = bad;
        if (at + 5 < n) b[at + 5] = NaN; // a later one does not change the answer
        assert.is(ops.firstNonFinite(engine, b), first(b), `n=${n}: ${bad} at ${at}`);
      }
    }
  }
  assert.throws(() => ops.findNonFinite(engine, 3, 4), RangeError);
  assert.throws(() => ops.findNonFinite(engine, engine.heapBase, -1), RangeError);
  assert.throws(() => ops.firstNonFinite(engine, [1, 2]), TypeError);
});

test.run();
