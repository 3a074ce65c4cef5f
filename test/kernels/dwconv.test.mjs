// Depthwise convolution (3x3 s1 / s2 register-blocked kernels and the generic k x k kernel)
// against the reference conv with groups = C. Bound as for conv with K = kh*kw.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray, pick, randInt } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(11);

function check({ n = 1, h, w, c, k = 3, kw = k, s = 1, sw = s, pad = [1, 1, 1, 1], d = 1, act = 'none', bias = true }, expectPath) {
  const x = randomArray(rng, n * h * w * c);
  const wt = randomArray(rng, k * kw * c);
  const b = bias ? randomArray(rng, c) : null;
  const label = JSON.stringify({ n, h, w, c, k, kw, s, sw, pad, d, act });
  const params = { channels: c, kernel: [k, kw], stride: [s, sw], pad, dilation: [d, d], act };
  if (expectPath) {
    const op = new ops.DepthwiseConv2d(engine, params, wt, b);
    assert.is(op.path, expectPath, `${label}: kernel choice`);
    op.dispose();
  }
  const got = ops.dwconv2d(engine, x, [n, h, w, c], wt, b, params);
  const want = ref.conv2d(x, [n, h, w, c], wt, b, { outChannels: c, kernel: [k, kw], stride: [s, sw], pad, dilation: [d, d], groups: c, act });
  assert.equal(got.shape, want.shape, `${label}: shape`);
  assertClose(got.data, want.data, { mag: want.mag, K: k * kw, label, shape: want.shape });
}

test('3x3 stride 1: channel counts with tails, odd sizes, tiny inputs, padding 0/1/2', () => {
  for (const c of [1, 3, 4, 7, 8, 15, 16, 17, 32]) {
    for (const [h, w] of [[1, 1], [2, 3], [3, 3], [5, 7], [8, 8], [11, 6]]) {
      for (const p of [0, 1, 2]) {
        if (h + 2 * p < 3 || w + 2 * p < 3) continue;
        check({ h, w, c, pad: [p, p, p, p], act: pick(rng, ['none', 'relu', 'relu6']) }, 'dw3x3s1');
      }
    }
  }
});

test('3x3 stride 2: even and odd sizes, asymmetric (TF same) padding', () => {
  for (const c of [1, 3, 4, 7, 8, 15, 16, 17, 64]) {
    for (const [h, w] of [[3, 3], [4, 4], [7, 7], [8, 9], [14, 14], [13, 6]]) {
      check({ h, w, c, s: 2, act: 'relu6' }, 'dw3x3s2');
      check({ h, w, c, s: 2, pad: [0, 0, 1, 1] }, 'dw3x3s2');
    }
  }
  check({ n: 3, h: 10, w: 10, c: 24, s: 2, bias: false });
});

test('generic kernel: 5x5, 7x7, dilation 2, stride 3, mixed strides, 1x3', () => {
  check({ h: 9, w: 9, c: 13, k: 5, pad: [2, 2, 2, 2] }, 'dwgeneric');
  check({ h: 12, w: 10, c: 8, k: 7, s: 2, pad: [3, 3, 3, 3] }, 'dwgeneric');
  check({ h: 9, w: 9, c: 5, d: 2, pad: [2, 2, 2, 2] }, 'dwgeneric');
  check({ h: 10, w: 10, c: 6, s: 3 }, 'dwgeneric');
  check({ h: 8, w: 8, c: 9, s: 1, sw: 2 }, 'dwgeneric');
  check({ h: 6, w: 9, c: 4, k: 1, kw: 3, pad: [0, 1, 0, 1] }, 'dwgeneric');
});

test('120 random depthwise configurations (fixed seed)', () => {
  let ran = 0;
  while (ran < 120) {
    const k = pick(rng, [1, 3, 3, 3, 5]), s = pick(rng, [1, 2, 2, 3]), d = rng() < 0.1 ? 2 : 1;
    const h = randInt(rng, 1, 13), w = randInt(rng, 1, 13);
    const pad = [randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2)];
    if (h + pad[0] + pad[2] < d * (k - 1) + 1 || w + pad[1] + pad[3] < d * (k - 1) + 1) continue;
    check({ n: pick(rng, [1, 2]), h, w, c: randInt(rng, 1, 40), k, s, pad, d, act: pick(rng, ['none', 'relu', 'relu6']), bias: rng() < 0.8 });
    ran++;
  }
});

test('channel slices in and out', () => {
  const c = 6, cx = 10, ldo = 9, h = 5, w = 6;
  const wt = randomArray(rng, 9 * c), b = randomArray(rng, c);
  const op = new ops.DepthwiseConv2d(engine, { channels: c, kernel: 3, pad: 1 }, wt, b);
  const xfull = randomArray(rng, h * w * cx);
  const x = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) x.set(xfull.subarray(p * cx + 2, p * cx + 2 + c), p * c);
  const xp = engine.upload(xfull), yp = engine.upload(new Float32Array(h * w * ldo).fill(99));
  op.run(xp + 2 * 4, [1, h, w, c], yp + 3 * 4, { inStride: cx, outStride: ldo });
  const out = engine.read(yp, h * w * ldo);
  const want = ref.conv2d(x, [1, h, w, c], wt, b, { outChannels: c, kernel: [3, 3], pad: [1, 1, 1, 1], groups: c });
  const got = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    for (let j = 0; j < ldo; j++) {
      if (j < 3 || j >= 3 + c) assert.is(out[p * ldo + j], 99, 'wrote outside its slice');
      else got[p * c + j - 3] = out[p * ldo + j];
    }
  }
  assertClose(got, want.data, { mag: want.mag, K: 9, label: 'dw slice', shape: want.shape });
  engine.release(xp); engine.release(yp); op.dispose();
});

test('3x3 on pixels a multiple of 2 KiB apart (the channels-innermost order): 512 and 1024 channels, strides 1 and 2, batches, a slice out of a 1024-wide tensor', () => {
  for (const c of [512, 1024]) {
    for (const [h, w] of [[7, 7], [14, 13], [3, 4]]) {
      check({ h, w, c, act: 'relu6' }, 'dw3x3s1');
      check({ n: 2, h, w, c, s: 2, act: 'relu' }, 'dw3x3s2');
      check({ h, w, c, pad: [0, 0, 1, 1], s: 2 }, 'dw3x3s2');
    }
  }
  // 509 channels of a 1024-float pixel: the new order with a channel tail, into a slice
  const c = 509, cx = 1024, ldo = 520, h = 6, w = 7;
  const wt = randomArray(rng, 9 * c), b = randomArray(rng, c);
  const op = new ops.DepthwiseConv2d(engine, { channels: c, kernel: 3, pad: 1, act: 'relu6' }, wt, b);
  const xfull = randomArray(rng, h * w * cx);
  const x = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) x.set(xfull.subarray(p * cx, p * cx + c), p * c);
  const xp = engine.upload(xfull), yp = engine.upload(new Float32Array(h * w * ldo).fill(99));
  op.run(xp, [1, h, w, c], yp, { inStride: cx, outStride: ldo });
  const out = engine.read(yp, h * w * ldo);
  const want = ref.conv2d(x, [1, h, w, c], wt, b, { outChannels: c, kernel: [3, 3], pad: [1, 1, 1, 1], groups: c, act: 'relu6' });
  const got = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) {
    for (let j = 0; j < ldo; j++) {
      if (j >= c) assert.is(out[p * ldo + j], 99, 'wrote past the channels');
      else got[p * c + j] = out[p * ldo + j];
    }
  }
  assertClose(got, want.data, { mag: want.mag, K: 9, label: 'dw 509 of 1024', shape: want.shape });
  engine.release(xp); engine.release(yp); op.dispose();
});

test.run();
