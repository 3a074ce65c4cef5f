// Dense and grouped convolution (1x1 direct path, im2col + GEMM, Winograd 2-D and 1-D) against the reference:
// hand-picked edges, then 600 random configurations from a fixed seed.
// Bound: |got - want| <= 4*K*2^-23*sum|terms| with K = kh*kw*C/groups (close.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import { winograd1dTransforms, WINOGRAD1D_TILES } from '../../dist/kernels/winograd1d.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray, pick, randInt } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(7);

function check(cfg) {
  const { n, h, w, c, o, kh, kw, sh, sw, pad, dh, dw, groups, act, bias } = cfg;
  const x = randomArray(rng, n * h * w * c);
  const wt = randomArray(rng, kh * kw * (c / groups) * o);
  const b = bias ? randomArray(rng, o) : null;
  const label = JSON.stringify(cfg);
  const params = { inChannels: c, outChannels: o, kernel: [kh, kw], stride: [sh, sw], pad, dilation: [dh, dw], groups, act };
  const got = ops.conv2d(engine, x, [n, h, w, c], wt, b, params);
  const want = ref.conv2d(x, [n, h, w, c], wt, b, { outChannels: o, kernel: [kh, kw], stride: [sh, sw], pad, dilation: [dh, dw], groups, act });
  assert.equal(got.shape, want.shape, `${label}: shape`);
  assertClose(got.data, want.data, { mag: want.mag, K: kh * kw * (c / groups), label, shape: want.shape });
}

const base = { n: 1, h: 9, w: 9, c: 8, o: 8, kh: 3, kw: 3, sh: 1, sw: 1, pad: [1, 1, 1, 1], dh: 1, dw: 1, groups: 1, act: 'none', bias: true };

test('1x1 direct path: channels 1..17, stride 1 and 2, odd sizes, slices', () => {
  for (const c of [1, 3, 4, 7, 8, 15, 16, 17]) {
    for (const o of [1, 3, 8, 9, 17]) {
      for (const s of [1, 2]) check({ ...base, h: 7, w: 5, c, o, kh: 1, kw: 1, sh: s, sw: s, pad: [0, 0, 0, 0], act: 'relu' });
    }
  }
  check({ ...base, n: 2, h: 6, w: 7, c: 64, o: 40, kh: 1, kw: 1, sh: 2, sw: 1, pad: [0, 0, 0, 0] });
});

test('3x3 im2col path: channels, strides, padding 0/1/2, dilation 2, activations', () => {
  for (const c of [1, 3, 4, 7, 8, 15, 16, 17]) {
    for (const p of [0, 1, 2]) {
      for (const s of [1, 2]) check({ ...base, h: 8, w: 7, c, o: 9, sh: s, sw: s, pad: [p, p, p, p], act: pick(rng, ['none', 'relu', 'relu6']) });
    }
  }
  check({ ...base, dh: 2, dw: 2, pad: [2, 2, 2, 2] });
  check({ ...base, dh: 2, dw: 1, pad: [2, 1, 2, 1], c: 5, o: 3 });
  check({ ...base, bias: false, act: 'relu6' });
  check({ ...base, pad: [0, 1, 2, 0], sh: 2 }); // asymmetric ('same'-style) padding
});

test('large K crosses K blocks; many output pixels cross im2col blocks', () => {
  check({ ...base, h: 6, w: 6, c: 130, o: 20 }); // K = 1170
  check({ ...base, h: 40, w: 37, c: 3, o: 16, kh: 7, kw: 7, sh: 2, sw: 2, pad: [3, 3, 3, 3] }); // AlexNet/ResNet stem shape
  check({ ...base, n: 2, h: 33, w: 35, c: 16, o: 24 });
});

test('grouped convolution (groups neither 1 nor C), 1x1 grouped and depthwise-as-grouped', () => {
  check({ ...base, c: 8, o: 12, groups: 2 });
  check({ ...base, c: 12, o: 6, groups: 3, kh: 5, kw: 5, pad: [2, 2, 2, 2] });
  check({ ...base, c: 16, o: 16, groups: 4, kh: 1, kw: 1, pad: [0, 0, 0, 0], sh: 2, sw: 2 });
  check({ ...base, c: 6, o: 12, groups: 6 }); // depthwise multiplier 2 through the grouped path
  check({ ...base, h: 13, w: 13, c: 96, o: 256, groups: 2, kh: 5, kw: 5, pad: [2, 2, 2, 2] }); // AlexNet-2012 conv2, reduced
});

test('600 random configurations (fixed seed)', () => {
  let ran = 0;
  while (ran < 600) {
    const kh = pick(rng, [1, 1, 2, 3, 3, 5, 7]), kw = rng() < 0.8 ? kh : pick(rng, [1, 3, 5]);
    const dh = rng() < 0.15 ? 2 : 1, dw = rng() < 0.15 ? 2 : 1;
    const h = randInt(rng, 1, 12), w = randInt(rng, 1, 12);
    const pad = [randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2), randInt(rng, 0, 2)];
    if (h + pad[0] + pad[2] < dh * (kh - 1) + 1 || w + pad[1] + pad[3] < dw * (kw - 1) + 1) continue;
    const groups = pick(rng, [1, 1, 1, 2, 3]);
    const c = groups * pick(rng, [1, 3, 4, 7, 8, 15, 16, 17]);
    const o = groups * pick(rng, [1, 3, 4, 7, 8, 9, 15, 16, 17, 24]);
    check({
      n: pick(rng, [1, 1, 2]), h, w, c, o, kh, kw, sh: randInt(rng, 1, 3), sw: randInt(rng, 1, 3), pad, dh, dw, groups,
      act: pick(rng, ['none', 'relu', 'relu6']), bias: rng() < 0.8,
    });
    ran++;
  }
  assert.is(ran, 600);
});

test('Winograd F(2x2,3x3) and F(4x4,3x3): tile tails, channel tails, padding 0/1/2, within the GEMM bound', () => {
  for (const winograd of [2, 4]) {
    for (const [h, w, c, o, p] of [[1, 1, 1, 1, 1], [3, 3, 3, 5, 0], [5, 7, 4, 8, 1], [8, 8, 16, 16, 1], [9, 6, 17, 15, 1],
      [13, 11, 7, 9, 2], [6, 10, 33, 40, 1], [12, 12, 64, 24, 1], [4, 5, 8, 3, 2]]) {
      if (h + 2 * p < 3 || w + 2 * p < 3) continue;
      for (const act of ['none', 'relu6']) {
        const x = randomArray(rng, 2 * h * w * c), wt = randomArray(rng, 9 * c * o), b = randomArray(rng, o);
        const pad = [p, p, p, p];
        const got = ops.conv2d(engine, x, [2, h, w, c], wt, b, { inChannels: c, outChannels: o, kernel: 3, pad, act, winograd });
        const want = ref.conv2d(x, [2, h, w, c], wt, b, { outChannels: o, kernel: [3, 3], pad, act });
        assertClose(got.data, want.data, { mag: want.mag, K: 9 * c, label: `winograd${winograd} ${h}x${w} ${c}->${o} p${p} ${act}`, shape: want.shape });
      }
    }
  }
});

test('Winograd filter transform (f32_winograd_filter): the bits of the double-precision reference, every row, odd channel counts', () => {
  for (const m of [2, 4]) {
    for (const [c, k] of [[1, 1], [3, 5], [8, 8], [7, 13], [16, 33]]) {
      const a = m + 2, wt = randomArray(rng, 9 * c * k);
      wt[0] = 1e30; wt[wt.length - 1] = -3e-38; // large and subnormal-range values round the same
      const want = ref.winogradFilter(wt, c, k, m);
      const wp = engine.upload(wt), tmp = engine.alloc(a * c * k + 16);
      try {
        const guard = tmp + a * c * k * 4;
        engine.f32.fill(7, guard >> 2, (guard >> 2) + 16);
        for (let i = 0; i < a; i++) {
          engine.k.f32_winograd_filter(m, c, k, wp, i, tmp);
          const rowU = engine.read(tmp, a * c * k);
          for (let j = 0; j < a; j++) {
            const got = new Float32Array(c * k);
            for (let ci = 0; ci < c; ci++) got.set(rowU.subarray((ci * a + j) * k, (ci * a + j + 1) * k), ci * k);
            assert.equal(got, want[i * a + j], `F(${m},3) c=${c} k=${k} U[${i}][${j}]`);
          }
        }
        assert.equal([...engine.read(guard, 16)], new Array(16).fill(7), 'nothing written past the staged row');
      } finally {
        engine.release(tmp);
        engine.release(wp);
      }
    }
  }
});

test('1-D Winograd filter transform (f32_winograd1d_filter): the bits of sum over taps of G[xi][t] W[t] in double, odd lengths', () => {
  const { n, r, G } = winograd1dTransforms(4, 7);
  for (const ck of [1, 2, 7, 64, 301]) {
    const wt = randomArray(rng, r * ck);
    const wp = engine.upload(wt), out = engine.alloc(ck + 16), gp = engine.alloc(2 * n * r);
    try {
      new Float64Array(engine.k.memory.buffer, gp, n * r).set(G);
      const guard = out + ck * 4;
      engine.f32.fill(7, guard >> 2, (guard >> 2) + 16);
      for (let xi = 0; xi < n; xi++) {
        engine.k.f32_winograd1d_filter(r, ck, wp, gp + xi * r * 8, out);
        const want = new Float32Array(ck);
        for (let i = 0; i < ck; i++) { let s = 0; for (let t = 0; t < r; t++) s += G[xi * r + t] * wt[t * ck + i]; want[i] = s; }
        assert.equal(engine.read(out, ck), want, `ck=${ck} xi=${xi}`);
      }
      assert.equal([...engine.read(guard, 16)], new Array(16).fill(7), 'nothing written past ck floats');
    } finally {
      engine.release(gp); engine.release(out); engine.release(wp);
    }
  }
});

test('1-D Winograd transforms: A^T [(G g) . (B^T d)] is the correlation of g with d, for every tile the package has points for', () => {
  for (const m of WINOGRAD1D_TILES[7]) {
    const { n, r, AT, G, BT } = winograd1dTransforms(m, 7);
    assert.is(n, m + 6);
    for (let trial = 0; trial < 20; trial++) {
      const d = randomArray(rng, n), g = randomArray(rng, r);
      const u = Array.from({ length: n }, (_, i) => g.reduce((s, gt, t) => s + G[i * r + t] * gt, 0));
      const v = Array.from({ length: n }, (_, i) => d.reduce((s, dj, j) => s + BT[i * n + j] * dj, 0));
      for (let i = 0; i < m; i++) {
        let y = 0, want = 0;
        for (let j = 0; j < n; j++) y += AT[i * n + j] * u[j] * v[j];
        for (let t = 0; t < r; t++) want += g[t] * d[i + t];
        assert.ok(Math.abs(y - want) <= 1e-9 * (1 + Math.abs(want)), `F(${m},7) output ${i}: ${y} vs ${want}`);
      }
    }
  }
  assert.throws(() => winograd1dTransforms(5, 7), RangeError);
  assert.throws(() => winograd1dTransforms(4, 3), RangeError);
});

// A Winograd tile's rounding spreads over its outputs: an output whose own terms are all padding
// (mag 0) still gets the tile's rounding. Its bound takes the largest mag of its tile (4 outputs
// along the transform's axis, dim 2 = W or 1 = H of the NHWC shape).
function tileMag(want, dim) {
  const [, H, W, C] = want.shape, mag = new Float64Array(want.mag.length);
  for (let i = 0; i < mag.length; i++) {
    const ch = i % C, px = Math.floor(i / C), x = px % W, y = Math.floor(px / W) % H, img = Math.floor(px / (W * H));
    const pos = dim === 2 ? x : y, t0 = pos - (pos % 4);
    let m = 0;
    for (let q = t0; q < Math.min(t0 + 4, dim === 2 ? W : H); q++) {
      const xx = dim === 2 ? q : x, yy = dim === 2 ? y : q;
      m = Math.max(m, want.mag[((img * H + yy) * W + xx) * C + ch]);
    }
    mag[i] = m;
  }
  return mag;
}

test('1-D Winograd F(4,7) on 1x7 and 7x1 layers: tile tails, channel tails, padding none/same/asymmetric/wider than the kernel, within the GEMM bound', () => {
  const cases = [];
  for (const [h, w, c, o] of [[1, 1, 1, 1], [1, 7, 3, 5], [5, 9, 4, 8], [17, 17, 20, 24], [8, 8, 33, 40], [6, 13, 16, 17], [12, 3, 9, 7], [2, 30, 8, 8]]) {
    for (const pad of [[0, 3, 0, 3], [0, 0, 0, 0], [0, 1, 0, 5], [1, 6, 2, 7]]) {
      cases.push({ h, w, c, o, kh: 1, kw: 7, pad });
      cases.push({ h: w, w: h, c, o, kh: 7, kw: 1, pad: [pad[1], pad[0], pad[3], pad[2]] });
    }
  }
  let ran = 0;
  for (const cfg of cases) {
    const { h, w, c, o, kh, kw, pad } = cfg;
    if (h + pad[0] + pad[2] < kh || w + pad[1] + pad[3] < kw) continue;
    const act = ran % 3 === 0 ? 'relu6' : 'none';
    const x = randomArray(rng, 2 * h * w * c), wt = randomArray(rng, 7 * c * o), b = ran % 2 ? randomArray(rng, o) : null;
    const got = ops.conv2d(engine, x, [2, h, w, c], wt, b, { inChannels: c, outChannels: o, kernel: [kh, kw], pad, act, path: 'winograd1d' });
    const want = ref.conv2d(x, [2, h, w, c], wt, b, { outChannels: o, kernel: [kh, kw], pad, act });
    assert.equal(got.shape, want.shape);
    assertClose(got.data, want.data, { mag: tileMag(want, kw === 7 ? 2 : 1), K: 7 * c, label: `winograd1d ${JSON.stringify(cfg)} ${act}`, shape: want.shape });
    ran++;
  }
  assert.ok(ran >= 60, `${ran} cases ran`);
});

test('1-D Winograd from a channel slice into a channel slice leaves other channels untouched', () => {
  const c = 10, o = 6, cx = 16, ldo = 14, h = 9, w = 11;
  const wt = randomArray(rng, 7 * c * o), b = randomArray(rng, o);
  const op = new ops.Conv2d(engine, { inChannels: c, outChannels: o, kernel: [7, 1], pad: [3, 0, 3, 0], path: 'winograd1d' }, wt, b);
  assert.is(op.path, 'winograd1d');
  const xfull = randomArray(rng, h * w * cx), x = new Float32Array(h * w * c);
  for (let p = 0; p < h * w; p++) x.set(xfull.subarray(p * cx, p * cx + c), p * c);
  const xp = engine.upload(xfull), yp = engine.upload(new Float32Array(h * w * ldo).fill(-7));
  op.run(xp, [1, h, w, c], yp + 4 * 4, { inStride: cx, outStride: ldo });
  const out = engine.read(yp, h * w * ldo);
  const want = ref.conv2d(x, [1, h, w, c], wt, b, { outChannels: o, kernel: [7, 1], pad: [3, 0, 3, 0] });
  const got = new Float32Array(h * w * o);
  for (let p = 0; p < h * w; p++) {
    for (let j = 0; j < ldo; j++) {
      if (j < 4 || j >= 4 + o) assert.is(out[p * ldo + j], -7, 'wrote outside the slice');
      else got[p * o + j - 4] = out[p * ldo + j];
    }
  }
  assertClose(got, want.data, { mag: tileMag(want, 1), K: 7 * c, label: 'winograd1d slices', shape: want.shape });
  engine.release(xp); engine.release(yp); op.dispose();
});

test('a batch runs its im2col blocks and Winograd bands on across images: every image bit-identical to itself run alone', () => {
  // small maps (the case batching is for: 7x7 has 4 F(4x4) tiles and 49 im2col rows an image),
  // batch sizes whose blocks / bands end inside an image, every path and a channel slice out
  const cases = [
    { h: 7, w: 7, c: 32, o: 24, kh: 3, kw: 3, sh: 1, sw: 1, pad: [1, 1, 1, 1], winograd: 4 },
    { h: 5, w: 6, c: 20, o: 17, kh: 3, kw: 3, sh: 1, sw: 1, pad: [1, 1, 1, 1], winograd: 2 },
    { h: 14, w: 14, c: 24, o: 40, kh: 3, kw: 3, sh: 2, sw: 2, pad: [1, 1, 1, 1], winograd: 'off' },
    { h: 9, w: 9, c: 6, o: 8, kh: 5, kw: 5, sh: 1, sw: 1, pad: [2, 2, 2, 2], winograd: 'off', groups: 2 },
    { h: 3, w: 3, c: 512, o: 16, kh: 3, kw: 3, sh: 1, sw: 1, pad: [1, 1, 1, 1], winograd: 'off' }, // K = 4608: few rows a block
    { h: 5, w: 6, c: 20, o: 17, kh: 1, kw: 7, sh: 1, sw: 1, pad: [0, 3, 0, 3], path: 'winograd1d' },
    { h: 7, w: 4, c: 16, o: 9, kh: 7, kw: 1, sh: 1, sw: 1, pad: [3, 0, 3, 0], path: 'winograd1d' },
  ];
  for (const cfg of cases) {
    for (const n of [2, 3, 5, 9]) {
      const groups = cfg.groups ?? 1;
      const x = randomArray(rng, n * cfg.h * cfg.w * cfg.c);
      const wt = randomArray(rng, cfg.kh * cfg.kw * (cfg.c / groups) * cfg.o);
      const b = randomArray(rng, cfg.o);
      const params = { inChannels: cfg.c, outChannels: cfg.o, kernel: [cfg.kh, cfg.kw], stride: [cfg.sh, cfg.sw], pad: cfg.pad, dilation: [1, 1], groups, act: 'relu', winograd: cfg.winograd, path: cfg.path };
      const all = ops.conv2d(engine, x, [n, cfg.h, cfg.w, cfg.c], wt, b, params);
      const per = all.data.length / n, img = cfg.h * cfg.w * cfg.c;
      for (let i = 0; i < n; i++) {
        const one = ops.conv2d(engine, x.subarray(i * img, (i + 1) * img), [1, cfg.h, cfg.w, cfg.c], wt, b, params);
        assert.equal(all.data.subarray(i * per, (i + 1) * per), one.data, `${JSON.stringify(cfg)} n=${n}: image ${i}`);
      }
    }
  }
});

test('Conv2d scale (a folded batch norm) gives the bits of weights scaled in JS, on every path; a bad scale is refused', () => {
  const cases = [
    { c: 16, o: 24, k: 1, winograd: 'off' }, { c: 7, o: 9, k: 3, winograd: 'off' }, { c: 32, o: 20, k: 3, winograd: 4 },
    { c: 20, o: 17, k: 3, winograd: 2 }, { c: 12, o: 8, k: 3, winograd: 'off', groups: 2 },
  ];
  for (const cfg of cases) {
    const groups = cfg.groups ?? 1, K = cfg.k * cfg.k * (cfg.c / groups);
    const x = randomArray(rng, 2 * 9 * 9 * cfg.c), wt = randomArray(rng, K * cfg.o), b = randomArray(rng, cfg.o);
    const scale = Float32Array.from(randomArray(rng, cfg.o), (v) => 0.5 + Math.abs(v));
    const scaledW = new Float32Array(wt.length);
    for (let i = 0; i < wt.length; i++) scaledW[i] = wt[i] * scale[i % cfg.o];
    const params = { inChannels: cfg.c, outChannels: cfg.o, kernel: cfg.k, pad: cfg.k === 3 ? 1 : 0, groups, act: 'relu', winograd: cfg.winograd };
    const want = ops.conv2d(engine, x, [2, 9, 9, cfg.c], scaledW, b, params);
    const got = ops.conv2d(engine, x, [2, 9, 9, cfg.c], wt, b, { ...params, scale });
    assert.equal(got.data, want.data, JSON.stringify(cfg));
  }
  const p = { inChannels: 4, outChannels: 3, kernel: 1 };
  assert.throws(() => new ops.Conv2d(engine, { ...p, scale: new Float32Array(2) }, new Float32Array(12)), /scale/);
  assert.throws(() => new ops.Conv2d(engine, { ...p, scale: Float32Array.of(1, NaN, 1) }, new Float32Array(12)), (e) => e instanceof RangeError && /scale\[1\] must be finite/.test(e.message));
});

test('each path keeps exactly what memoryFloats says: the Winograd paths only their transformed weights, no plain packing', () => {
  const cases = [
    ['conv1x1', { inChannels: 16, outChannels: 24, kernel: 1 }],
    ['im2col', { inChannels: 7, outChannels: 9, kernel: 3, pad: 1 }],
    ['winograd2', { inChannels: 20, outChannels: 17, kernel: 3, pad: 1 }],
    ['winograd4', { inChannels: 32, outChannels: 20, kernel: 3, pad: 1 }],
    ['winograd1d', { inChannels: 24, outChannels: 16, kernel: [1, 7], pad: [0, 3] }],
  ];
  for (const [path, p] of cases) {
    const [kh, kw] = Array.isArray(p.kernel) ? p.kernel : [p.kernel, p.kernel];
    const K = kh * kw * p.inChannels;
    for (const scaled of [false, true]) {
      const before = engine.allocatedBytes;
      const scale = scaled ? new Float32Array(p.outChannels).fill(0.5) : undefined;
      const op = new ops.Conv2d(engine, { ...p, path, scale }, randomArray(rng, K * p.outChannels), randomArray(rng, p.outChannels));
      const { kept } = ops.Conv2d.memoryFloats(p.inChannels, p.outChannels, [kh, kw], 1, path);
      assert.is(engine.allocatedBytes - before, kept * 4, `${path}${scaled ? ' scaled' : ''}`);
      if (path.startsWith('winograd')) {
        // a*a (1-D: m + r - 1) packed C x K matrices, one 1x1 layer's packing each, plus the
        // padded bias and transforms: a plain packed copy (9 or 7 such matrices) would not fit
        const mats = path === 'winograd2' ? 16 : path === 'winograd4' ? 36 : 10;
        const one = ops.Conv2d.memoryFloats(p.inChannels, p.outChannels, [1, 1], 1, 'conv1x1').kept;
        assert.ok(kept - mats * one < 256, `${path}: ${kept} floats kept, ${mats} x ${one} transformed`);
      }
      op.dispose();
      assert.is(engine.allocatedBytes, before, `${path}: dispose frees it all`);
      assert.throws(() => op.run(0, [1, 8, 8, p.inChannels], 0), /after dispose/);
    }
  }
});

test('algorithm choice: Winograd only for 3x3 stride-1 dense layers with enough channels, 1-D Winograd for 1x7 / 7x1 ones', () => {
  const taps = (k) => (Array.isArray(k) ? k[0] * k[1] : k * k);
  const mk = (p) => new ops.Conv2d(engine, p, new Float32Array(taps(p.kernel) * (p.inChannels / (p.groups ?? 1)) * p.outChannels));
  const cases = [
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1, inputSize: 56 }, 'winograd4'],
    [{ inChannels: 512, outChannels: 512, kernel: 3, pad: 1, inputSize: 7 }, 'winograd4'],
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1, inputSize: 3 }, 'winograd2'],
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1, inputSize: 1 }, 'im2col'],
    [{ inChannels: 3, outChannels: 64, kernel: 3, pad: 1, inputSize: 224 }, 'im2col'],
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1, stride: 2, inputSize: 56 }, 'im2col'],
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1, groups: 2, inputSize: 56 }, 'im2col'],
    [{ inChannels: 64, outChannels: 64, kernel: 3, pad: 1 }, 'im2col'],
    [{ inChannels: 64, outChannels: 64, kernel: 1, inputSize: 56 }, 'conv1x1'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 7], pad: [0, 3], inputSize: 17 }, 'winograd1d'],
    [{ inChannels: 160, outChannels: 192, kernel: [7, 1], pad: [3, 0], inputSize: 17 }, 'winograd1d'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 7], pad: [0, 3], inputSize: 17, winograd: 'off' }, 'im2col'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 7], pad: [0, 3] }, 'im2col'],
    [{ inChannels: 8, outChannels: 192, kernel: [1, 7], pad: [0, 3], inputSize: 17 }, 'im2col'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 7], pad: [0, 3], stride: 2, inputSize: 17 }, 'im2col'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 7], pad: [0, 6], dilation: 2, inputSize: 17 }, 'im2col'],
    [{ inChannels: 192, outChannels: 192, kernel: [1, 5], pad: [0, 2], inputSize: 17 }, 'im2col'],
    [{ inChannels: 192, outChannels: 192, kernel: [7, 1], pad: [3, 0], inputSize: [2, 17] }, 'im2col'],
  ];
  for (const [p, want] of cases) {
    const op = mk(p);
    assert.is(op.path, want, JSON.stringify(p));
    op.dispose();
  }
  // forcing it onto a layer it cannot run names the path and the layer
  assert.throws(() => mk({ inChannels: 16, outChannels: 16, kernel: [1, 5], pad: [0, 2], path: 'winograd1d' }), (e) => e instanceof RangeError && /winograd1d.*1x5/.test(e.message));
  assert.throws(() => mk({ inChannels: 16, outChannels: 16, kernel: [1, 7], stride: 2, path: 'winograd1d' }), (e) => e instanceof RangeError && /winograd1d/.test(e.message));
});

test('Conv2d.run into a channel slice (concat in place) leaves other channels untouched', () => {
  const op = new ops.Conv2d(engine, { inChannels: 5, outChannels: 3, kernel: 3, pad: 1, act: 'relu' }, randomArray(rng, 45 * 3), randomArray(rng, 3));
  const x = randomArray(rng, 2 * 6 * 6 * 5);
  const xp = engine.upload(x);
  const out = engine.upload(new Float32Array(2 * 6 * 6 * 10).fill(-7));
  op.run(xp, [2, 6, 6, 5], out + 4 * 4, { outStride: 10 });
  const got = engine.read(out, 2 * 6 * 6 * 10);
  for (let p = 0; p < 72; p++) {
    for (let ch = 0; ch < 10; ch++) {
      const v = got[p * 10 + ch];
      if (ch < 4 || ch >= 7) assert.is(v, -7);
      else assert.ok(v >= 0);
    }
  }
  engine.release(xp); engine.release(out); op.dispose();
});

test.run();
