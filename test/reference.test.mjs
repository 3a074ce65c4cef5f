// Tests of the oracle itself (test/reference/): every op against literal numbers worked out by
// hand, so that a wrong oracle fails here instead of silently blessing a wrong kernel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mulberry32, randn, randomArray, pick, randInt } from './reference/rng.mjs';
import {
  gemm, fc, conv2d, poolOutputSize, maxpool2d, avgpool2d, globalAvgPool, add, concat, lrn,
  softmax, batchnorm, relu, relu6, nchwToNhwc, nhwcToNchw, oihwToHwio,
} from './reference/ops.mjs';
import { assertClose, relDiff, CloseError } from './reference/close.mjs';

/**
 * Independent of close.mjs: |actual − expected| ≤ tol·max(1, |expected|) for every element.
 * @param {ArrayLike<number>} actual
 * @param {number[]} expected
 * @param {number} [tol]
 */
function near(actual, expected, tol = 1e-6) {
  assert.is(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const ok = Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]));
    assert.ok(ok, `element ${i}: ${actual[i]} != ${expected[i]}`);
  }
}

/** @param {ArrayLike<number>} a */
const list = (a) => Array.from(a);

// ---------------------------------------------------------------------------------------------
// rng

test('rng: mulberry32 is deterministic, seeded and in [0, 1)', () => {
  const a = mulberry32(42);
  const b = mulberry32(42);
  const c = mulberry32(43);
  const sa = [a(), a(), a()];
  assert.equal(sa, [b(), b(), b()]);
  assert.not.equal(sa, [c(), c(), c()]);
  // The published Mulberry32 sequence for seed 1 starts with this value.
  assert.is(mulberry32(1)(), 0.6270739405881613);
  const r = mulberry32(7);
  for (let i = 0; i < 10000; i++) {
    const v = r();
    assert.ok(v >= 0 && v < 1, `sample ${v} outside [0, 1)`);
  }
});

test('rng: randInt is inclusive at both ends; pick and randomArray stay in range', () => {
  const r = mulberry32(3);
  const seen = new Set();
  for (let i = 0; i < 2000; i++) {
    const v = randInt(r, -2, 2);
    assert.ok(Number.isInteger(v) && v >= -2 && v <= 2, `randInt gave ${v}`);
    seen.add(v);
  }
  assert.equal([...seen].sort((p, q) => p - q), [-2, -1, 0, 1, 2]);
  assert.is(randInt(r, 5, 5), 5);
  assert.throws(() => randInt(r, 3, 2));

  const items = ['a', 'b', 'c'];
  for (let i = 0; i < 100; i++) assert.ok(items.includes(pick(r, items)));

  const arr = randomArray(r, 1000, 0.5);
  assert.instance(arr, Float32Array);
  assert.is(arr.length, 1000);
  assert.ok(arr.every((v) => v >= -0.5 && v <= 0.5));
  assert.ok(arr.some((v) => v < -0.4) && arr.some((v) => v > 0.4), 'covers the interval');
});

test('rng: randn has mean ≈ 0 and variance ≈ 1', () => {
  const r = mulberry32(11);
  const n = 20000;
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const v = randn(r);
    assert.ok(Number.isFinite(v));
    sum += v;
    sumSq += v * v;
  }
  const mean = sum / n;
  const variance = sumSq / n - mean * mean;
  assert.ok(Math.abs(mean) < 0.05, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.05, `variance ${variance}`);
});

// ---------------------------------------------------------------------------------------------
// gemm / fc

test('gemm: 2×2 by hand, with bias, relu, relu6 and mag', () => {
  // A = [[1, -2], [3, 4]], B = [[5, 6], [7, -8]]
  // A·B = [[1·5 − 2·7, 1·6 + 2·8], [3·5 + 4·7, 3·6 − 4·8]] = [[-9, 22], [43, -14]]
  // Σ|terms| = [[5 + 14, 6 + 16], [15 + 28, 18 + 32]] = [[19, 22], [43, 50]]
  const A = [1, -2, 3, 4];
  const B = [5, 6, 7, -8];
  const plain = gemm(A, 2, 2, B, 2, null, 'none');
  assert.equal(list(plain.data), [-9, 22, 43, -14]);
  assert.equal(plain.shape, [2, 2]);
  assert.equal(list(plain.mag), [19, 22, 43, 50]);

  // bias [1, -2]: [[-8, 20], [44, -16]]; mag adds |bias|
  const biased = gemm(A, 2, 2, B, 2, [1, -2], 'none');
  assert.equal(list(biased.data), [-8, 20, 44, -16]);
  assert.equal(list(biased.mag), [20, 24, 44, 52]);
  assert.equal(list(gemm(A, 2, 2, B, 2, [1, -2], 'relu').data), [0, 20, 44, 0]);
  assert.equal(list(gemm(A, 2, 2, B, 2, [1, -2], 'relu6').data), [0, 6, 6, 0]);
});

test('gemm: non-square shapes and argument checks', () => {
  // [1, 2, 3] · [[1, 0], [0, 1], [1, 1]] = [1 + 3, 2 + 3] = [4, 5]
  const out = gemm([1, 2, 3], 1, 3, [1, 0, 0, 1, 1, 1], 2, null, 'none');
  assert.equal(list(out.data), [4, 5]);
  assert.equal(out.shape, [1, 2]);
  assert.throws(() => gemm([1, 2, 3], 1, 3, [1, 2], 2, null, 'none'), /gemm/);
  assert.throws(() => gemm([1], 1, 1, [1], 1, null, /** @type {any} */ ('gelu')), /activation/);
  assert.throws(() => gemm([1], 1, 1, [1], 1, [1, 2], 'none'), /bias/);
});

test('fc: IO weights by hand', () => {
  // x = [[1, 2, 3], [0, -1, 1]], w (3×2) = [[1, 10], [2, 20], [3, 30]], bias [0.5, -100]
  // row 0: [1 + 4 + 9, 10 + 40 + 90] + bias = [14.5, 40]
  // row 1: [-2 + 3, -20 + 30] + bias = [1.5, -90]
  const out = fc([1, 2, 3, 0, -1, 1], [2, 3], [1, 10, 2, 20, 3, 30], [0.5, -100], 'none');
  assert.equal(list(out.data), [14.5, 40, 1.5, -90]);
  assert.equal(out.shape, [2, 2]);
  assert.equal(list(fc([1, 2, 3, 0, -1, 1], [2, 3], [1, 10, 2, 20, 3, 30], [0.5, -100], 'relu').data), [14.5, 40, 1.5, 0]);
  assert.is(out.mag.length, 4);
});

// ---------------------------------------------------------------------------------------------
// conv2d

// x is the 4×4 image 1..16 (row-major), one channel.
const X16 = Array.from({ length: 16 }, (_, i) => i + 1);
// A 3×3 kernel that is neither symmetric nor centred, so flips and transposes show:
//   1 2 0
//   0 0 0
//   0 0 -1
// y(r, c) = x(r−1, c−1) + 2·x(r−1, c) − x(r+1, c+1)   (cross-correlation, padding 1)
const K3 = [1, 2, 0, 0, 0, 0, 0, 0, -1];

test('conv2d: 3×3, pad 1, on a 4×4 image by hand', () => {
  const out = conv2d(X16, [1, 4, 4, 1], K3, null, { outChannels: 1, kernel: [3, 3], pad: [1, 1, 1, 1] });
  assert.equal(out.shape, [1, 4, 4, 1]);
  // row 0: −x(1,1), −x(1,2), −x(1,3), 0          = −6, −7, −8, 0
  // row 1: 2·1 − 10, 1 + 4 − 11, 2 + 6 − 12, 3 + 8 − 0 = −8, −6, −4, 11
  // row 2: 2·5 − 14, 5 + 12 − 15, 6 + 14 − 16, 7 + 16  = −4, 2, 4, 23
  // row 3: 2·9, 9 + 20, 10 + 22, 11 + 24           = 18, 29, 32, 35
  assert.equal(list(out.data), [-6, -7, -8, 0, -8, -6, -4, 11, -4, 2, 4, 23, 18, 29, 32, 35]);
  // mag at (1, 1): |1| + |4| + |−11| = 16
  assert.is(out.mag[5], 16);
});

test('conv2d: stride 2, bias and fused relu', () => {
  // Stride 2 keeps rows/columns 0 and 2 of the stride-1 result: −6, −8, −4, 4.
  const strided = conv2d(X16, [1, 4, 4, 1], K3, null, {
    outChannels: 1, kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1],
  });
  assert.equal(strided.shape, [1, 2, 2, 1]);
  assert.equal(list(strided.data), [-6, -8, -4, 4]);
  // + bias 5, relu: max(−1, 0), max(−3, 0), max(1, 0), max(9, 0)
  const fused = conv2d(X16, [1, 4, 4, 1], K3, [5], {
    outChannels: 1, kernel: [3, 3], stride: [2, 2], pad: [1, 1, 1, 1], act: 'relu',
  });
  assert.equal(list(fused.data), [0, 0, 1, 9]);
});

test('conv2d: HWIO weight order with several input and output channels', () => {
  // One pixel x = [1, 2]; 1×1 weights w[ci][o] = [[1, 2, 3], [10, 20, 30]]
  // y[o] = 1·w[0][o] + 2·w[1][o] = [21, 42, 63]
  const out = conv2d([1, 2], [1, 1, 1, 2], [1, 2, 3, 10, 20, 30], null, { outChannels: 3, kernel: [1, 1] });
  assert.equal(list(out.data), [21, 42, 63]);
  assert.equal(out.shape, [1, 1, 1, 3]);
});

test('conv2d: asymmetric padding, left versus right', () => {
  // One row x = [1, 2, 3], kernel 1×2 = [1, 10]: y = x(c) + 10·x(c+1) over the padded row.
  const shape = [1, 1, 3, 1];
  const w = [1, 10];
  const left = conv2d([1, 2, 3], shape, w, null, { outChannels: 1, kernel: [1, 2], pad: [0, 1, 0, 0] });
  // padded [0, 1, 2, 3]: 0 + 10, 1 + 20, 2 + 30
  assert.equal(list(left.data), [10, 21, 32]);
  const right = conv2d([1, 2, 3], shape, w, null, { outChannels: 1, kernel: [1, 2], pad: [0, 0, 0, 1] });
  // padded [1, 2, 3, 0]: 1 + 20, 2 + 30, 3 + 0
  assert.equal(list(right.data), [21, 32, 3]);
});

test('conv2d: dilation 2', () => {
  // 2×2 kernel [[1, 10], [100, 1000]] with dilation 2 reads x(r, c), x(r, c+2), x(r+2, c), x(r+2, c+2).
  // On the 4×4 image 1..16 the output is 2×2:
  //   (0,0): 1 + 10·3 + 100·9 + 1000·11   = 11931
  //   (0,1): 2 + 10·4 + 100·10 + 1000·12  = 13042
  //   (1,0): 5 + 10·7 + 100·13 + 1000·15  = 16375
  //   (1,1): 6 + 10·8 + 100·14 + 1000·16  = 17486
  const out = conv2d(X16, [1, 4, 4, 1], [1, 10, 100, 1000], null, {
    outChannels: 1, kernel: [2, 2], dilation: [2, 2],
  });
  assert.equal(out.shape, [1, 2, 2, 1]);
  assert.equal(list(out.data), [11931, 13042, 16375, 17486]);
  // Dilation along W only, on the first row [1, 2, 3, 4] with kernel 1×2 [1, 10]: x(c) + 10·x(c+2)
  const wOnly = conv2d([1, 2, 3, 4], [1, 1, 4, 1], [1, 10], null, {
    outChannels: 1, kernel: [1, 2], dilation: [1, 2],
  });
  assert.equal(list(wOnly.data), [31, 42]);
});

test('conv2d: groups 2 by hand, and depthwise', () => {
  // One pixel x = [1, 2, 3, 4], groups 2, one output per group, 1×1 weights [C/groups = 2][O = 2]:
  //   w[ci][o] = [[10, 1000], [100, 10000]]
  //   o = 0 (group 0) reads channels 0, 1: 1·10 + 2·100     = 210
  //   o = 1 (group 1) reads channels 2, 3: 3·1000 + 4·10000 = 43000
  const grouped = conv2d([1, 2, 3, 4], [1, 1, 1, 4], [10, 1000, 100, 10000], null, {
    outChannels: 2, kernel: [1, 1], groups: 2,
  });
  assert.equal(list(grouped.data), [210, 43000]);
  // Depthwise (groups = C = 2), multiplier 2: outputs 0, 1 read channel 0; outputs 2, 3 read channel 1.
  //   w[0][o] = [1, 2, 3, 4]; x = [5, 7] → [5, 10, 21, 28]
  const depthwise = conv2d([5, 7], [1, 1, 1, 2], [1, 2, 3, 4], null, {
    outChannels: 4, kernel: [1, 1], groups: 2,
  });
  assert.equal(list(depthwise.data), [5, 10, 21, 28]);
});

test('conv2d: a grouped conv equals each group run separately', () => {
  const rng = mulberry32(2024);
  const [N, H, W, C, O, groups] = [2, 5, 6, 4, 6, 2];
  const Cg = C / groups;
  const Og = O / groups;
  const x = randomArray(rng, N * H * W * C);
  const w = randomArray(rng, 3 * 3 * Cg * O);
  const bias = randomArray(rng, O);
  const params = { outChannels: O, kernel: [3, 3], stride: [2, 1], pad: [1, 0, 1, 2], groups };
  const whole = conv2d(x, [N, H, W, C], w, bias, params);
  const [, Ho, Wo] = whole.shape;
  for (let g = 0; g < groups; g++) {
    // Slice input channels g·Cg.., weights [kh][kw][Cg][O] → [kh][kw][Cg][Og], bias g·Og..
    const xg = new Float32Array(N * H * W * Cg);
    for (let p = 0; p < N * H * W; p++) {
      for (let c = 0; c < Cg; c++) xg[p * Cg + c] = x[p * C + g * Cg + c];
    }
    const wg = new Float32Array(3 * 3 * Cg * Og);
    for (let t = 0; t < 3 * 3 * Cg; t++) {
      for (let o = 0; o < Og; o++) wg[t * Og + o] = w[t * O + g * Og + o];
    }
    const bg = bias.slice(g * Og, (g + 1) * Og);
    const part = conv2d(xg, [N, H, W, Cg], wg, bg, { ...params, outChannels: Og, groups: 1 });
    assert.equal(part.shape, [N, Ho, Wo, Og]);
    for (let p = 0; p < N * Ho * Wo; p++) {
      for (let o = 0; o < Og; o++) {
        assert.is(whole.data[p * O + g * Og + o], part.data[p * Og + o], `group ${g}, pixel ${p}, output ${o}`);
      }
    }
  }
});

test('conv2d: output sizes of the classic stems (PyTorch formula)', () => {
  const size = (/** @type {number} */ H, /** @type {number} */ k, /** @type {number} */ s, /** @type {number} */ p) =>
    conv2d(new Float32Array(H * H), [1, H, H, 1], new Float32Array(k * k), null, {
      outChannels: 1, kernel: [k, k], stride: [s, s], pad: [p, p, p, p],
    }).shape[1];
  assert.is(size(224, 7, 2, 3), 112); // ResNet / GoogLeNet conv1
  assert.is(size(224, 11, 4, 2), 55); // torchvision AlexNet conv1
  assert.is(size(227, 11, 4, 0), 55); // original AlexNet / CaffeNet conv1
  assert.is(size(224, 3, 2, 1), 112); // MobileNet stem
  assert.is(size(7, 3, 1, 1), 7);
  assert.throws(() => size(2, 5, 1, 0), /empty output/);
});

/**
 * A second, independent convolution written straight from the PyTorch Conv2d definition in
 * NCHW / OIHW: out[n][o] = bias[o] + Σ_{ci} w[o][ci] ⋆ x[n][g·Cg + ci]. Used to cross-check
 * conv2d together with the layout converters.
 * @param {Float32Array} x
 * @param {number[]} xShape [N, C, H, W]
 * @param {Float32Array} w
 * @param {number[]} wShape [O, C/groups, kh, kw]
 * @param {Float32Array} bias
 * @param {{ stride: number[], pad: number[], dilation: number[], groups: number }} p
 */
function convNchw(x, xShape, w, wShape, bias, p) {
  const [N, C, H, W] = xShape;
  const [O, Cg, kh, kw] = wShape;
  const [pt, pl, pb, pr] = p.pad;
  const Ho = Math.floor((H + pt + pb - p.dilation[0] * (kh - 1) - 1) / p.stride[0]) + 1;
  const Wo = Math.floor((W + pl + pr - p.dilation[1] * (kw - 1) - 1) / p.stride[1]) + 1;
  const out = new Float32Array(N * O * Ho * Wo);
  for (let n = 0; n < N; n++) {
    for (let o = 0; o < O; o++) {
      const g = Math.floor(o / (O / p.groups));
      for (let oh = 0; oh < Ho; oh++) {
        for (let ow = 0; ow < Wo; ow++) {
          let s = bias[o];
          for (let ci = 0; ci < Cg; ci++) {
            for (let ky = 0; ky < kh; ky++) {
              for (let kx = 0; kx < kw; kx++) {
                const ih = oh * p.stride[0] + ky * p.dilation[0] - pt;
                const iw = ow * p.stride[1] + kx * p.dilation[1] - pl;
                if (ih >= 0 && ih < H && iw >= 0 && iw < W) {
                  s += x[((n * C + g * Cg + ci) * H + ih) * W + iw] * w[((o * Cg + ci) * kh + ky) * kw + kx];
                }
              }
            }
          }
          out[((n * O + o) * Ho + oh) * Wo + ow] = s;
        }
      }
    }
  }
  return { data: out, shape: [N, O, Ho, Wo] };
}

test('conv2d: agrees with an independent NCHW/OIHW convolution on random shapes', () => {
  const rng = mulberry32(99);
  let checked = 0;
  while (checked < 40) {
    const groups = pick(rng, [1, 1, 2, 3]);
    const Cg = randInt(rng, 1, 3);
    const C = groups * Cg;
    const O = groups * randInt(rng, 1, 3);
    const N = randInt(rng, 1, 2);
    const H = randInt(rng, 1, 7);
    const W = randInt(rng, 1, 7);
    const kh = randInt(rng, 1, 3);
    const kw = randInt(rng, 1, 3);
    const p = {
      stride: [randInt(rng, 1, 2), randInt(rng, 1, 2)],
      pad: [randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2)],
      dilation: [randInt(rng, 1, 2), randInt(rng, 1, 2)],
      groups,
    };
    if (H + p.pad[0] + p.pad[2] < p.dilation[0] * (kh - 1) + 1) continue; // empty output
    if (W + p.pad[1] + p.pad[3] < p.dilation[1] * (kw - 1) + 1) continue;
    const x = randomArray(rng, N * C * H * W);
    const w = randomArray(rng, O * Cg * kh * kw);
    const bias = randomArray(rng, O);
    const expected = convNchw(x, [N, C, H, W], w, [O, Cg, kh, kw], bias, p);

    const xNhwc = nchwToNhwc(x, [N, C, H, W]);
    const wHwio = oihwToHwio(w, [O, Cg, kh, kw]);
    const got = conv2d(xNhwc.data, xNhwc.shape, wHwio.data, bias, { outChannels: O, kernel: [kh, kw], ...p });
    const gotNchw = nhwcToNchw(got.data, got.shape);
    assert.equal(gotNchw.shape, expected.shape);
    near(gotNchw.data, list(expected.data), 1e-5);
    checked++;
  }
});

// ---------------------------------------------------------------------------------------------
// Pooling

test('poolOutputSize: floor and ceil mode, including the dropped last window', () => {
  // H = 5, k = 2, s = 2, no pad: floor → 2; ceil → 3 (the last window holds only x[4]).
  assert.is(poolOutputSize(5, 2, 2, 0, 0, false), 2);
  assert.is(poolOutputSize(5, 2, 2, 0, 0, true), 3);
  // H = 5, k = 2, s = 2, pad 1: ceil gives floor((5 + 2 − 2 + 1)/2) + 1 = 4, but window 3 would
  // start at padded index 6 ≥ H + pad = 6, i.e. entirely in the right padding, so it is dropped → 3.
  assert.is(poolOutputSize(5, 2, 2, 1, 1, true), 3);
  assert.is(poolOutputSize(5, 2, 2, 1, 1, false), 3);
  // H = 4, k = 3, s = 2, pad 1: floor → 2; ceil → 3 (last window starts at x[3], kept).
  assert.is(poolOutputSize(4, 3, 2, 1, 1, false), 2);
  assert.is(poolOutputSize(4, 3, 2, 1, 1, true), 3);
  // No pad, stride > kernel: H = 4, k = 1, s = 2: ceil → floor((4 − 1 + 1)/2) + 1 = 3, but window 2
  // starts at 4 = H, so it is dropped → 2 (modern PyTorch checks this even without padding).
  assert.is(poolOutputSize(4, 1, 2, 0, 0, true), 2);
  // Classic networks
  assert.is(poolOutputSize(112, 3, 2, 1, 1, false), 56); // ResNet maxpool
  assert.is(poolOutputSize(112, 3, 2, 0, 0, true), 56); // GoogLeNet maxpool1 (ceil)
  assert.is(poolOutputSize(55, 3, 2, 0, 0, false), 27); // AlexNet
  assert.is(poolOutputSize(14, 2, 2, 0, 0, true), 7); // GoogLeNet maxpool4
});

test('maxpool2d: ceil mode along H, H = 5, k = 2, s = 2', () => {
  // Column x = [1, 5, 2, 4, 3] along H. Windows: [1, 5], [2, 4], [3] (ceil only).
  const x = [1, 5, 2, 4, 3];
  const ceil = maxpool2d(x, [1, 5, 1, 1], { kernel: [2, 1], stride: [2, 1], ceil: true });
  assert.equal(ceil.shape, [1, 3, 1, 1]);
  assert.equal(list(ceil.data), [5, 4, 3]);
  const floor = maxpool2d(x, [1, 5, 1, 1], { kernel: [2, 1], stride: [2, 1] });
  assert.equal(floor.shape, [1, 2, 1, 1]);
  assert.equal(list(floor.data), [5, 4]);
});

test('maxpool2d: ceil mode drops a window that would start in the padding (along W)', () => {
  // Row x = [1, 5, 2, 4, 3], k = 2, s = 2, pad 1 both sides. Windows over input indices:
  //   [−1, 0] → 1, [1, 2] → 5, [3, 4] → 4; a fourth window [5, 6] would be all padding → dropped.
  const out = maxpool2d([1, 5, 2, 4, 3], [1, 1, 5, 1], { kernel: [1, 2], stride: [1, 2], pad: [0, 1, 0, 1], ceil: true });
  assert.equal(out.shape, [1, 1, 3, 1]);
  assert.equal(list(out.data), [1, 5, 4]);
});

test('maxpool2d: H = 4, k = 3, s = 2, pad 1, floor versus ceil', () => {
  // Column x = [1, 5, 2, 4]. Windows: [−1..1] → 5, [1..3] → 5, ceil adds [3..5] → 4.
  const x = [1, 5, 2, 4];
  const params = { kernel: [3, 1], stride: [2, 1], pad: [1, 0, 1, 0] };
  assert.equal(list(maxpool2d(x, [1, 4, 1, 1], params).data), [5, 5]);
  const ceil = maxpool2d(x, [1, 4, 1, 1], { ...params, ceil: true });
  assert.equal(ceil.shape, [1, 3, 1, 1]);
  assert.equal(list(ceil.data), [5, 5, 4]);
});

test('maxpool2d: padding never wins, even over negative inputs; channels stay apart', () => {
  // 2×2 image, 2 channels; k = 2, s = 2, pad 1: each window holds exactly one input pixel.
  const x = [-1, 10, -2, 20, -3, 30, -4, 40];
  const out = maxpool2d(x, [1, 2, 2, 2], { kernel: [2, 2], stride: [2, 2], pad: [1, 1, 1, 1] });
  assert.equal(out.shape, [1, 2, 2, 2]);
  assert.equal(list(out.data), x);
  // 3×3 max over 1..16 with stride 1, no pad: max of each window is its bottom-right corner.
  const big = maxpool2d(X16, [1, 4, 4, 1], { kernel: [3, 3], stride: [1, 1] });
  assert.equal(list(big.data), [11, 12, 15, 16]);
});

test('avgpool2d: countIncludePad true versus false at the corners', () => {
  // 3×3 image 1..9, k = 2, s = 2, pad 1 → 2×2 windows over rows/cols {−1, 0} and {1, 2}.
  //   (0,0): taps {1}            include: 1/4 = 0.25   exclude: 1/1 = 1
  //   (0,1): taps {2, 3}         include: 5/4 = 1.25   exclude: 5/2 = 2.5
  //   (1,0): taps {4, 7}         include: 11/4 = 2.75  exclude: 11/2 = 5.5
  //   (1,1): taps {5, 6, 8, 9}   include: 28/4 = 7     exclude: 28/4 = 7
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const params = { kernel: [2, 2], stride: [2, 2], pad: [1, 1, 1, 1] };
  const inc = avgpool2d(x, [1, 3, 3, 1], { ...params, countIncludePad: true });
  assert.equal(inc.shape, [1, 2, 2, 1]);
  assert.equal(list(inc.data), [0.25, 1.25, 2.75, 7]);
  const exc = avgpool2d(x, [1, 3, 3, 1], { ...params, countIncludePad: false });
  assert.equal(list(exc.data), [1, 2.5, 5.5, 7]);
  // PyTorch's default is countIncludePad = true.
  assert.equal(list(avgpool2d(x, [1, 3, 3, 1], params).data), list(inc.data));
});

test('avgpool2d: ceil-mode windows are clipped to the padded extent for the divisor', () => {
  // Row x = [1, 5, 2, 4], k = 3, s = 2, pad 1, ceil → 3 windows:
  //   [−1, 0, 1]: taps 1, 5; padded size 3        include 6/3 = 2     exclude 6/2 = 3
  //   [1, 2, 3]:  taps 5, 2, 4; size 3             include 11/3        exclude 11/3
  //   [3, 4, 5]:  tap 4; index 5 lies past the padded extent W + pad = 5, so the size is 2
  //                                                include 4/2 = 2     exclude 4/1 = 4
  const x = [1, 5, 2, 4];
  const params = { kernel: [1, 3], stride: [1, 2], pad: [0, 1, 0, 1], ceil: true };
  const inc = avgpool2d(x, [1, 1, 4, 1], { ...params, countIncludePad: true });
  assert.equal(inc.shape, [1, 1, 3, 1]);
  near(inc.data, [2, 11 / 3, 2]);
  const exc = avgpool2d(x, [1, 1, 4, 1], { ...params, countIncludePad: false });
  near(exc.data, [3, 11 / 3, 4]);
  // The same column along H gives the same numbers.
  const column = { kernel: [3, 1], stride: [2, 1], pad: [1, 0, 1, 0], ceil: true };
  near(avgpool2d(x, [1, 4, 1, 1], { ...column, countIncludePad: true }).data, [2, 11 / 3, 2]);
  near(avgpool2d(x, [1, 4, 1, 1], { ...column, countIncludePad: false }).data, [3, 11 / 3, 4]);
  // No padding: W = 3, k = 2, s = 2, ceil: the last window [2, 3] holds x[2] only and even
  // countIncludePad divides by 1, not 2.
  const noPad = avgpool2d([1, 2, 3], [1, 1, 3, 1], { kernel: [1, 2], stride: [1, 2], ceil: true, countIncludePad: true });
  assert.equal(list(noPad.data), [1.5, 3]);
});

test('avgpool2d: stride defaults to the kernel; channels and batch stay apart', () => {
  // N = 2, 2×2 image, 2 channels, k = 2 → one output per image and channel.
  const x = [1, 10, 2, 20, 3, 30, 4, 40, /* image 2 */ -1, 0, -1, 0, -1, 0, -1, 8];
  const out = avgpool2d(x, [2, 2, 2, 2], { kernel: [2, 2] });
  assert.equal(out.shape, [2, 1, 1, 2]);
  assert.equal(list(out.data), [2.5, 25, -1, 2]);
});

test('globalAvgPool: mean over H and W', () => {
  const x = [1, 10, 2, 20, 3, 30, 4, 40, /* image 2 */ 0, 1, 0, 1, 0, 1, 4, 1];
  const out = globalAvgPool(x, [2, 2, 2, 2]);
  assert.equal(out.shape, [2, 1, 1, 2]);
  assert.equal(list(out.data), [2.5, 25, 1, 1]);
});

// ---------------------------------------------------------------------------------------------
// Element-wise and channel ops

test('add, relu, relu6', () => {
  const out = add([1, -2, 3, 0.5], [3, 1, -4, 0.25], [1, 1, 2, 2]);
  assert.equal(list(out.data), [4, -1, -1, 0.75]);
  assert.equal(out.shape, [1, 1, 2, 2]);
  assert.equal(list(add([1, -2], [3, 1], [1, 2], true).data), [4, 0]);
  assert.throws(() => add([1, 2], [1], [1, 2]));
  assert.equal(list(relu([-1, 0, 3, 7])), [0, 0, 3, 7]);
  assert.equal(list(relu6([-1, 0, 3, 7, 6])), [0, 0, 3, 6, 6]);
});

test('concat: along channels, in order', () => {
  // Two pixels. a has channels [a0, a1], b has [b0].
  const a = { data: new Float32Array([1, 2, 3, 4]), shape: [1, 1, 2, 2] };
  const b = { data: new Float32Array([10, 20]), shape: [1, 1, 2, 1] };
  const out = concat([a, b]);
  assert.equal(out.shape, [1, 1, 2, 3]);
  assert.equal(list(out.data), [1, 2, 10, 3, 4, 20]);
  assert.equal(list(concat([b, a]).data), [10, 1, 2, 20, 3, 4]);
  assert.throws(() => concat([a, { data: new Float32Array(3), shape: [1, 1, 3, 1] }]), /concat/);
});

test('lrn: 1×1×1×5 by hand, odd and even size', () => {
  const a = [1, 2, 3, 4, 5];
  // size 3 (window c−1..c+1), alpha 3 (so alpha/size = 1), beta 1, k 1: b = a / (1 + Σ a²)
  //   Σ a² = [0+1+4, 1+4+9, 4+9+16, 9+16+25, 16+25+0] = [5, 14, 29, 50, 41]
  const odd = lrn(a, [1, 1, 1, 5], { size: 3, alpha: 3, beta: 1, k: 1 });
  near(odd.data, [1 / 6, 2 / 15, 3 / 30, 4 / 51, 5 / 42]);
  assert.equal(odd.shape, [1, 1, 1, 5]);
  // size 2 (window c−1..c), alpha 2, beta 0.5, k 1: b = a / sqrt(1 + Σ a²)
  //   Σ a² = [1, 1+4, 4+9, 9+16, 16+25] = [1, 5, 13, 25, 41]
  const even = lrn(a, [1, 1, 1, 5], { size: 2, alpha: 2, beta: 0.5, k: 1 });
  near(even.data, [1 / Math.sqrt(2), 2 / Math.sqrt(6), 3 / Math.sqrt(14), 4 / Math.sqrt(26), 5 / Math.sqrt(42)]);
  // AlexNet's setting (size 5, alpha 1e-4, beta 0.75, k 2) on one channel: a / (2 + 1e-4/5 · a²)^0.75
  const alex = lrn([10], [1, 1, 1, 1], { size: 5, alpha: 1e-4, beta: 0.75, k: 2 });
  near(alex.data, [10 / Math.pow(2 + 0.002, 0.75)]);
});

test('softmax: sums to 1, matches hand values, stable for large inputs', () => {
  // [1000, 1001] → [1/(1+e), e/(1+e)] without overflow
  const big = softmax([1000, 1001], [1, 2]);
  near(big.data, [1 / (1 + Math.E), Math.E / (1 + Math.E)]);
  const small = softmax([-1000, -1001], [1, 2]);
  near(small.data, [Math.E / (1 + Math.E), 1 / (1 + Math.E)]);
  // Rows are independent; a constant row is uniform.
  const two = softmax([0, 0, 0, 0, 1, 2, 3, 4], [2, 4]);
  assert.equal(two.shape, [2, 4]);
  near(two.data.subarray(0, 4), [0.25, 0.25, 0.25, 0.25]);
  const rng = mulberry32(5);
  const x = randomArray(rng, 3 * 10, 20);
  const out = softmax(x, [3, 10]);
  for (let n = 0; n < 3; n++) {
    let sum = 0;
    for (let c = 0; c < 10; c++) {
      assert.ok(out.data[n * 10 + c] >= 0);
      sum += out.data[n * 10 + c];
    }
    assert.ok(Math.abs(sum - 1) < 1e-6, `row ${n} sums to ${sum}`);
  }
});

test('batchnorm: (x − mean)/sqrt(var + eps)·gamma + beta per channel', () => {
  // channel 0: (3 − 1)/sqrt(3 + 1)·3 + 0 = 3; channel 1: (2 − 0)/sqrt(3 + 1)·1 + 1 = 2
  // second pixel: channel 0: (−1 − 1)/2·3 = −3; channel 1: (6 − 0)/2 + 1 = 4
  const out = batchnorm([3, 2, -1, 6], [1, 1, 2, 2], {
    gamma: [3, 1], beta: [0, 1], mean: [1, 0], variance: [3, 3], eps: 1,
  });
  assert.equal(list(out.data), [3, 2, -3, 4]);
  assert.equal(out.shape, [1, 1, 2, 2]);
});

// ---------------------------------------------------------------------------------------------
// Layouts

test('layout converters: literal cases and round trips', () => {
  // NCHW [1, 2, 1, 2]: channel 0 = [1, 2], channel 1 = [3, 4] → NHWC pixels [1, 3], [2, 4]
  const nhwc = nchwToNhwc([1, 2, 3, 4], [1, 2, 1, 2]);
  assert.equal(nhwc.shape, [1, 1, 2, 2]);
  assert.equal(list(nhwc.data), [1, 3, 2, 4]);
  const back = nhwcToNchw(nhwc.data, nhwc.shape);
  assert.equal(back.shape, [1, 2, 1, 2]);
  assert.equal(list(back.data), [1, 2, 3, 4]);

  // OIHW [2, 1, 1, 2]: o0 = [1, 2], o1 = [3, 4] → HWIO [1, 2, 1, 2]: tap 0 = [1, 3], tap 1 = [2, 4]
  const hwio = oihwToHwio([1, 2, 3, 4], [2, 1, 1, 2]);
  assert.equal(hwio.shape, [1, 2, 1, 2]);
  assert.equal(list(hwio.data), [1, 3, 2, 4]);

  const rng = mulberry32(8);
  const shape = [2, 3, 4, 5]; // N, C, H, W
  const x = randomArray(rng, 2 * 3 * 4 * 5);
  const t = nchwToNhwc(x, shape);
  assert.equal(t.shape, [2, 4, 5, 3]);
  assert.equal(list(nhwcToNchw(t.data, t.shape).data), list(x));
  // spot check one element: x[n=1][c=2][h=3][w=4] lands at nhwc[1][3][4][2]
  assert.is(t.data[((1 * 4 + 3) * 5 + 4) * 3 + 2], x[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
});

// ---------------------------------------------------------------------------------------------
// close.mjs

test('assertClose: passes on equal and nearly equal arrays', () => {
  const e = new Float32Array([1, -2, 3e6, 0]);
  assertClose(e, e);
  assertClose(new Float32Array(e), e, { label: 'copy' });
  assertClose([1 + 5e-7, -2, 3e6 + 2, 1e-7], e); // within 1e-6·max(1, |e|)
  assertClose([1.01, -2, 3e6, 0], e, { rel: 0.02 });
  assertClose([Infinity], [Infinity]); // identical values pass
});

test('assertClose: throws on a perturbed array with a useful message', () => {
  const rng = mulberry32(1);
  const expected = randomArray(rng, 16);
  const actual = new Float32Array(expected);
  actual[5] += 0.01;
  actual[9] -= 0.5;
  /** @type {any} */
  let caught = null;
  try {
    assertClose(actual, expected, { label: 'conv1', shape: [1, 2, 4, 2] });
  } catch (err) {
    caught = err;
  }
  assert.ok(caught, 'assertClose should throw');
  assert.instance(caught, Error);
  assert.instance(caught, CloseError);
  assert.is(caught.name, 'AssertionError');
  const msg = String(caught.message);
  assert.match(msg, 'conv1');
  assert.match(msg, '2 of 16 elements');
  assert.match(msg, 'index 5 = [0, 0, 2, 1]'); // 5 = ((0·2 + 0)·4 + 2)·2 + 1
  assert.match(msg, `actual ${actual[5]}`);
  assert.match(msg, `expected ${expected[5]}`);
  assert.match(msg, 'bound');
  assert.match(msg, 'worst at index 9 = [0, 1, 0, 1]'); // 9 = ((0·2 + 1)·4 + 0)·2 + 1
  assert.is(caught.index, 5);
  assert.equal(caught.coords, [0, 0, 2, 1]);
  assert.is(caught.badCount, 2);
  assert.is(caught.actual, actual[5]);
  assert.is(caught.expected, expected[5]);
});

test('assertClose: NaN and length mismatch fail', () => {
  assert.throws(() => assertClose([NaN], [1]), /1 of 1/);
  assert.throws(() => assertClose([1], [NaN]), /1 of 1/);
  assert.throws(() => assertClose([1, 2], [1]), /length/);
});

test('assertClose: the dot-product bound from mag', () => {
  // A K = 3 dot product with Σ|terms| = 6: bound = 4·3·2^-23·6 ≈ 8.58e-6.
  const bound = 4 * 3 * 2 ** -23 * 6;
  assertClose([10 + 0.9 * bound], [10], { mag: [6], K: 3 });
  assert.throws(() => assertClose([10 + 1.1 * bound], [10], { mag: [6], K: 3, label: 'fc' }), /fc: 1 of 1/);
  // The bound scales with K and with mag, not with |expected|: a result that cancelled to
  // about 0 from large terms may be off by more than rel·max(1, |e|).
  const gemmOut = gemm([1e4, 1e4], 1, 2, [1, -1], 1, null, 'none'); // 1e4 − 1e4 = 0, mag 2e4
  assertClose([1e-3], gemmOut.data, { mag: gemmOut.mag, K: 2 });
  assert.throws(() => assertClose([1e-3], gemmOut.data));
  assert.throws(() => assertClose([1], [1], { mag: [1] }), /needs K/);
});

test('relDiff: max|a − e| / max|e|', () => {
  assert.is(relDiff([1, 2, 3], [1, 2, 4]), 0.25);
  assert.is(relDiff([1, -2], [1, -2]), 0);
  assert.is(relDiff([0, 0], [0, 0]), 0);
  assert.is(relDiff([0, 1], [0, 0]), Infinity);
  assert.ok(Number.isNaN(relDiff([NaN, 1], [1, 1])));
  assert.ok(!(relDiff([NaN], [1]) < 1e-3), 'a NaN output must fail a relDiff < tol check');
});

test.run();
