// Max / average / global average pooling against the reference (PyTorch semantics: ceil mode,
// count_include_pad). Sums of at most k*k values: bound 1e-6 relative.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray, pick, randInt } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(5);

function check(kind, shape, p) {
  const x = randomArray(rng, shape.reduce((a, b) => a * b, 1));
  const label = `${kind} ${JSON.stringify(shape)} ${JSON.stringify(p)}`;
  const params = { kernel: p.kernel, stride: p.stride, pad: p.pad, ceil: p.ceil, countIncludePad: p.countIncludePad };
  const got = kind === 'max' ? ops.maxPool2d(engine, x, shape, params) : ops.avgPool2d(engine, x, shape, params);
  const want = kind === 'max' ? ref.maxpool2d(x, shape, p) : ref.avgpool2d(x, shape, p);
  assert.equal(got.shape, want.shape, `${label}: shape`);
  assertClose(got.data, want.data, { rel: 1e-6, label, shape: want.shape });
}

test('max and avg pooling: kernels, strides, padding, ceil mode, count_include_pad, channel tails', () => {
  for (const c of [1, 3, 4, 7, 8, 15, 16, 17]) {
    for (const [h, w] of [[1, 1], [5, 5], [6, 7], [13, 13], [14, 14]]) {
      for (const [k, s, p] of [[2, 2, 0], [3, 2, 0], [3, 2, 1], [3, 1, 1], [1, 1, 0], [5, 3, 2]]) {
        if (h + 2 * p < k || w + 2 * p < k) continue;
        for (const ceil of [false, true]) {
          check('max', [1, h, w, c], { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], ceil });
          check('avg', [1, h, w, c], { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], ceil, countIncludePad: pick(rng, [true, false]) });
        }
      }
    }
  }
});

test('GoogLeNet / Inception shapes: 3x3 s2 ceil, 3x3 s1 p1 avg without pad count, asymmetric pad', () => {
  check('max', [2, 112, 112, 16], { kernel: [3, 3], stride: [2, 2], pad: [0, 0, 0, 0], ceil: true });
  check('avg', [1, 17, 17, 24], { kernel: [3, 3], stride: [1, 1], pad: [1, 1, 1, 1], countIncludePad: false });
  check('max', [1, 9, 8, 5], { kernel: [3, 3], stride: [2, 2], pad: [0, 0, 1, 1] });
  check('avg', [1, 9, 8, 5], { kernel: [2, 3], stride: [1, 2], pad: [1, 0, 0, 1], countIncludePad: true });
});

test('random pooling configurations (fixed seed)', () => {
  for (let i = 0; i < 150; i++) {
    const k = randInt(rng, 1, 4), s = randInt(rng, 1, 3), p = randInt(rng, 0, Math.floor(k / 2));
    const h = randInt(rng, Math.max(1, k - 2 * p), 12), w = randInt(rng, Math.max(1, k - 2 * p), 12);
    const shape = [randInt(rng, 1, 2), h, w, randInt(rng, 1, 20)];
    const prm = { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], ceil: rng() < 0.5, countIncludePad: rng() < 0.5 };
    check(rng() < 0.5 ? 'max' : 'avg', shape, prm);
  }
});

test('global average pool', () => {
  for (const shape of [[1, 1, 1, 1], [1, 7, 7, 17], [2, 3, 5, 8], [1, 8, 8, 2048]]) {
    const x = randomArray(rng, shape.reduce((a, b) => a * b, 1));
    const got = ops.globalAvgPool(engine, x, shape);
    const want = ref.globalAvgPool(x, shape);
    assert.equal(got.shape, want.shape);
    assertClose(got.data, want.data, { rel: 1e-6, label: `gap ${shape}` });
  }
});

test.run();
