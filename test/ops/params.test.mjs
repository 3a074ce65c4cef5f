// Options an op does not know or support are refused by name instead of being ignored, and
// batch-norm statistics that would turn the output into NaN or infinity are refused per channel.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(31);
const x = randomArray(rng, 1 * 6 * 6 * 4), S = [1, 6, 6, 4];

function rejects(fn, Type, pattern, what) {
  const before = engine.allocatedBytes;
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err, `${what}: expected an error`);
  assert.instance(err, Type, `${what}: expected ${Type.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.match(err.message, pattern, `${what}: message "${err.message}" should match ${pattern}`);
  assert.is(engine.allocatedBytes, before, `${what}: leaked wasm memory`);
}

test('pooling: dilation other than 1 is refused, 1 is accepted', () => {
  for (const pool of [ops.maxPool2d, ops.avgPool2d]) {
    rejects(() => pool(engine, x, S, { kernel: 2, dilation: 2 }), RangeError, /dilation is not supported/, 'dilation 2');
    rejects(() => pool(engine, x, S, { kernel: 2, dilation: [1, 2] }), RangeError, /dilation is not supported/, 'dilation [1, 2]');
    rejects(() => pool(engine, x, S, { kernel: 2, dilation: 0 }), RangeError, /dilation/, 'dilation 0');
    const want = pool(engine, x, S, { kernel: 2 });
    assert.equal(pool(engine, x, S, { kernel: 2, dilation: 1 }), want);
    assert.equal(pool(engine, x, S, { kernel: 2, dilation: [1, 1] }), want);
  }
  rejects(() => ops.poolConfig({ kernel: 3, dilation: 2 }), RangeError, /dilation is not supported/, 'poolConfig dilation');
});

test('unknown options are a TypeError naming the option and listing the known ones', () => {
  const w = randomArray(rng, 9 * 4 * 4);
  rejects(() => ops.maxPool2d(engine, x, S, { kernel: 2, dilaton: 2 }), TypeError, /"dilaton".*kernel, stride, pad, ceil, countIncludePad, dilation/, 'pool dilaton');
  rejects(() => ops.avgPool2d(engine, x, S, { kernel: 3, count_include_pad: false }), TypeError, /"count_include_pad"/, 'pool count_include_pad');
  rejects(() => ops.avgPool2d(engine, x, S, { kernel: 3, ceil: 'yes' }), TypeError, /ceil must be a boolean/, 'pool ceil string');
  rejects(() => ops.avgPool2d(engine, x, S, { kernel: 3, countIncludePad: 0 }), TypeError, /countIncludePad must be a boolean/, 'pool countIncludePad 0');
  rejects(() => ops.conv2d(engine, x, S, w, null, { inChannels: 4, outChannels: 4, kernel: 3, padding: 1 }), TypeError, /"padding".*inChannels.*winograd/, 'conv padding');
  rejects(() => new ops.Conv2d(engine, { inChannels: 4, outChannels: 4, kernel: 3, dilations: 2 }, w), TypeError, /"dilations"/, 'Conv2d dilations');
  rejects(() => ops.dwconv2d(engine, x, S, randomArray(rng, 36), null, { channels: 4, kernel: 3, groups: 4 }), TypeError, /"groups".*channels, kernel/, 'dwconv groups');
  rejects(() => ops.lrn(engine, x, S, { size: 3, bias: 2 }), TypeError, /"bias".*size, alpha, beta, k/, 'lrn bias');
  rejects(() => ops.lrnConfig({ size: 3, Alpha: 1 }), TypeError, /"Alpha"/, 'lrnConfig Alpha');
  const c4 = new Float32Array([1, 1, 1, 1]);
  rejects(() => ops.batchNorm(engine, x, S, { gamma: c4, beta: c4, mean: c4, variance: c4, epsilon: 1e-3 }), TypeError, /"epsilon".*eps/, 'batchNorm epsilon');
  rejects(() => ops.runLrn(engine, { size: 3, alpha: 1, beta: 1, k: 1 }, 0, S, 0), TypeError, /lrnConfig/, 'hand-made lrn config');
  // every documented option is accepted
  ops.conv2d(engine, x, S, w, null, { inChannels: 4, outChannels: 4, kernel: 3, stride: 1, pad: 1, dilation: 1, groups: 1, act: 'relu', inputSize: 6, winograd: 'off' });
  ops.avgPool2d(engine, x, S, { kernel: 3, stride: 2, pad: 1, ceil: true, countIncludePad: false, dilation: 1 });
  ops.lrn(engine, x, S, { size: 3, alpha: 1e-4, beta: 0.75, k: 2 });
});

test('batch norm: negative, NaN or infinite statistics and bad eps are refused per channel', () => {
  const c = 5;
  const ok = () => ({ gamma: randomArray(rng, c), beta: randomArray(rng, c), mean: randomArray(rng, c), variance: randomArray(rng, c).map((v) => Math.abs(v) + 0.1) });
  const xs = randomArray(rng, 2 * 3 * c), sh = [1, 2, 3, c];
  const withAt = (key, i, v) => { const p = ok(); p[key][i] = v; return p; };
  for (const fn of [(p) => ops.bnScaleShift(p, c), (p) => ops.batchNorm(engine, xs, sh, p)]) {
    rejects(() => fn(withAt('variance', 3, -0.5)), RangeError, /variance\[3\] \(channel 3\).*-0\.5/, 'negative variance');
    rejects(() => fn(withAt('variance', 0, NaN)), RangeError, /variance\[0\].*NaN/, 'NaN variance');
    rejects(() => fn(withAt('variance', 4, Infinity)), RangeError, /variance\[4\].*Infinity/, 'infinite variance');
    rejects(() => fn(withAt('gamma', 2, NaN)), RangeError, /gamma\[2\]/, 'NaN gamma');
    rejects(() => fn(withAt('beta', 1, -Infinity)), RangeError, /beta\[1\]/, 'infinite beta');
    rejects(() => fn(withAt('mean', 4, NaN)), RangeError, /mean\[4\]/, 'NaN mean');
    for (const eps of [0, -1e-5, NaN, Infinity]) rejects(() => fn({ ...ok(), eps }), RangeError, /eps/, `eps ${eps}`);
    rejects(() => fn({ ...ok(), eps: '1e-5' }), RangeError, /eps/, 'eps string');
    const huge = withAt('gamma', 2, 3e38); huge.variance[2] = 0; huge.eps = 1e-12;
    rejects(() => fn(huge), RangeError, /channel 2.*overflows/, 'scale overflowing float32');
  }
  // zero variance is fine (eps keeps it finite) and matches the reference
  const p = withAt('variance', 1, 0);
  const got = ops.batchNorm(engine, xs, sh, p);
  assert.ok(got.data.every(Number.isFinite));
  assertClose(got.data, ref.batchnorm(xs, sh, p).data, { rel: 1e-5, label: 'bn zero variance' });
});

test.run();
