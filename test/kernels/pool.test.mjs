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

// Outputs of torch.nn.functional.max_pool2d / avg_pool2d (torch 1.13, ceil_mode=True) on
// x = arange(h * w) as one channel: windows overhanging the padded input by up to stride - 1.
const TORCH_CEIL = [
  [{ h: 2, w: 2, k: 3, s: 2, p: 0, cip: true }, [1, 1], [3], [1.5]],
  [{ h: 2, w: 2, k: 3, s: 2, p: 0, cip: false }, [1, 1], [3], [1.5]],
  [{ h: 2, w: 3, k: 3, s: 2, p: 1, cip: true }, [2, 2], [4, 5, 4, 5], [0.888889, 1.333333, 1.166667, 1.5]],
  [{ h: 2, w: 3, k: 3, s: 2, p: 1, cip: false }, [2, 2], [4, 5, 4, 5], [2, 3, 3.5, 4.5]],
  [{ h: 5, w: 5, k: 3, s: 3, p: 1, cip: true }, [2, 2], [6, 9, 21, 24], [1.333333, 3.666667, 10.333333, 18]],
  [{ h: 5, w: 5, k: 3, s: 3, p: 1, cip: false }, [2, 2], [6, 9, 21, 24], [3, 5.5, 15.5, 18]],
  [{ h: 4, w: 3, k: 4, s: 3, p: 2, cip: true }, [2, 2], [4, 5, 10, 11], [0.5, 0.75, 2.4375, 2.8125]],
  [{ h: 1, w: 1, k: 2, s: 2, p: 0, cip: true }, [1, 1], [0], [0]],
  [{ h: 1, w: 4, k: 2, s: 3, p: 1, cip: false }, [1, 2], [0, 3], [0, 2.5]],
];

test('ceil mode: windows overhanging the padded input match PyTorch (ops and reference)', () => {
  for (const [{ h, w, k, s, p, cip }, [ho, wo], wantMax, wantAvg] of TORCH_CEIL) {
    const x = Float32Array.from({ length: h * w }, (_, i) => i);
    const params = { kernel: k, stride: s, pad: p, ceil: true, countIncludePad: cip };
    const rp = { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], ceil: true, countIncludePad: cip };
    const label = JSON.stringify(params) + ` on ${h}x${w}`;
    for (const [kind, want] of [['max', wantMax], ['avg', wantAvg]]) {
      const got = kind === 'max' ? ops.maxPool2d(engine, x, [1, h, w, 1], params) : ops.avgPool2d(engine, x, [1, h, w, 1], params);
      const r = kind === 'max' ? ref.maxpool2d(x, [1, h, w, 1], rp) : ref.avgpool2d(x, [1, h, w, 1], rp);
      assert.equal(got.shape, [1, ho, wo, 1], `${kind} ${label}: shape`);
      assert.equal(r.shape, [1, ho, wo, 1], `${kind} ${label}: reference shape`);
      assertClose(got.data, Float32Array.from(want), { rel: 1e-6, label: `${kind} ${label}` });
      assertClose(r.data, Float32Array.from(want), { rel: 1e-6, label: `reference ${kind} ${label}` });
    }
  }
});

test('small maps, every overhang: ops agree with the reference, and both refuse the same shapes', () => {
  let ran = 0, refused = 0;
  for (let i = 0; i < 1500; i++) {
    const k = randInt(rng, 2, 4), s = randInt(rng, 1, 3), p = randInt(rng, 0, Math.floor(k / 2));
    const shape = [randInt(rng, 1, 2), randInt(rng, 1, 6), randInt(rng, 1, 6), randInt(rng, 1, 9)];
    const prm = { kernel: [k, k], stride: [s, s], pad: [p, p, p, p], ceil: rng() < 0.5, countIncludePad: rng() < 0.5 };
    const kind = rng() < 0.5 ? 'max' : 'avg';
    const fits = ref.poolOutputSize(shape[1], k, s, p, p, prm.ceil) >= 1 && ref.poolOutputSize(shape[2], k, s, p, p, prm.ceil) >= 1;
    if (!fits) {
      const x = new Float32Array(shape.reduce((a, b) => a * b, 1));
      const before = engine.allocatedBytes;
      assert.throws(() => (kind === 'max' ? ops.maxPool2d : ops.avgPool2d)(engine, x, shape, prm), (e) => e instanceof RangeError && /kernel extent/.test(e.message));
      assert.is(engine.allocatedBytes, before);
      refused++;
      continue;
    }
    check(kind, shape, prm);
    ran++;
  }
  assert.ok(ran > 1000 && refused > 50, `ran ${ran}, refused ${refused}`);
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
