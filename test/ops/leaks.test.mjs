// A call that fails must leave the allocator where it was, whether it fails on bad input after
// allocating (a 3x3 conv whose inputSize is smaller than the kernel) or because an allocation
// fails part way (memory that cannot grow, simulated by making the n-th alloc throw), and the
// engine must keep working.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(17);
const x = randomArray(rng, 1 * 6 * 6 * 16), w3 = randomArray(rng, 9 * 16 * 16), w1 = randomArray(rng, 16 * 16);
const b16 = randomArray(rng, 16);

function stillWorks() {
  const got = ops.conv2d(engine, x, [1, 6, 6, 16], w3, b16, { inChannels: 16, outChannels: 16, kernel: 3, pad: 1 });
  const want = ref.conv2d(x, [1, 6, 6, 16], w3, b16, { outChannels: 16, kernel: [3, 3], pad: [1, 1, 1, 1] });
  assertClose(got.data, want.data, { mag: want.mag, K: 144, label: 'conv after failed calls' });
}

function failsWithoutLeak(what, fn, Type = RangeError, times = 100) {
  const before = engine.allocatedBytes;
  for (let i = 0; i < times; i++) {
    let err;
    try { fn(); } catch (e) { err = e; }
    assert.instance(err, Type, `${what}: expected ${Type.name}, got ${err?.constructor?.name}: ${err?.message}`);
  }
  assert.is(engine.allocatedBytes, before, `${what}: ${times} failed calls leaked ${engine.allocatedBytes - before} bytes`);
  stillWorks();
}

test('Conv2d whose inputSize is smaller than the kernel: 100 failures leak nothing', () => {
  const p = { inChannels: 16, outChannels: 16, kernel: 3, inputSize: 2 };
  failsWithoutLeak('new Conv2d inputSize 2', () => new ops.Conv2d(engine, p, w3, b16));
  failsWithoutLeak('new Conv2d inputSize [9, 1]', () => new ops.Conv2d(engine, { ...p, inputSize: [9, 1] }, w3, b16));
  failsWithoutLeak('conv2d inputSize 2', () => ops.conv2d(engine, x, [1, 6, 6, 16], w3, b16, p));
  failsWithoutLeak('new Conv2d bad inputSize', () => new ops.Conv2d(engine, { ...p, inputSize: [6, NaN] }, w3, b16), TypeError);
});

test('100 failing calls of every op leave allocatedBytes unchanged', () => {
  const s = [1, 6, 6, 16];
  failsWithoutLeak('conv2d kernel larger than input', () => ops.conv2d(engine, x, s, randomArray(rng, 49 * 256), null, { inChannels: 16, outChannels: 16, kernel: 7 }));
  failsWithoutLeak('Conv2d.run wrong channels', () => { const op = new ops.Conv2d(engine, { inChannels: 16, outChannels: 16, kernel: 1 }, w1); try { op.run(0, [1, 6, 6, 8], 0); } finally { op.dispose(); } });
  failsWithoutLeak('dwconv2d wrong channels', () => ops.dwconv2d(engine, x, s, randomArray(rng, 9 * 8), null, { channels: 8, kernel: 3 }));
  failsWithoutLeak('DepthwiseConv2d kernel larger than input', () => ops.dwconv2d(engine, x, s, randomArray(rng, 49 * 16), null, { channels: 16, kernel: 7 }));
  failsWithoutLeak('gemm short a', () => ops.gemm(engine, x.subarray(1), 36, 16, w1, 16));
  failsWithoutLeak('Gemm bad act', () => new ops.Gemm(engine, 16, 16, w1, null, 'gelu'), TypeError);
  failsWithoutLeak('fc short input', () => ops.fc(engine, x, 2, w1, 16, 16));
  failsWithoutLeak('FullyConnected short weights', () => new ops.FullyConnected(engine, 16, 17, w1));
  failsWithoutLeak('maxPool2d kernel larger than input', () => ops.maxPool2d(engine, x, s, { kernel: 8 }));
  failsWithoutLeak('avgPool2d pad', () => ops.avgPool2d(engine, x, s, { kernel: 2, pad: 2 }));
  failsWithoutLeak('globalAvgPool short input', () => ops.globalAvgPool(engine, x.subarray(4), s));
  failsWithoutLeak('lrn short input', () => ops.lrn(engine, x.subarray(4), s, { size: 5 }));
  failsWithoutLeak('softmax short input', () => ops.softmax(engine, x, 2, 300));
  failsWithoutLeak('add short b', () => ops.add(engine, x, x.subarray(1), s));
  failsWithoutLeak('concat spatial mismatch', () => ops.concat(engine, [{ data: x, shape: s }, { data: x, shape: [1, 3, 12, 16] }]));
  const bn = { gamma: b16, beta: b16, mean: b16, variance: b16.map(Math.abs) };
  failsWithoutLeak('batchNorm negative variance', () => ops.batchNorm(engine, x, s, { ...bn, variance: b16.map(() => -1) }));
  failsWithoutLeak('activation bad act', () => ops.activation(engine, x, 'gelu'), TypeError);
});

// Makes the failAt-th engine.alloc (upload allocates through it too) throw, as alloc does when
// memory cannot grow; runs fn for failAt = 1, 2, ... until fn gets through all its allocations.
function everyAllocFailure(what, fn) {
  for (let failAt = 1; failAt < 100; failAt++) {
    const before = engine.allocatedBytes;
    let calls = 0, err, result;
    const alloc = engine.alloc;
    engine.alloc = function (floats) {
      if (++calls === failAt) throw new RangeError('alloc: injected failure');
      return alloc.call(this, floats);
    };
    try { result = fn(); } catch (e) { err = e; } finally { delete engine.alloc; }
    if (calls < failAt) {
      assert.is(err, undefined, `${what}: ${err?.message}`);
      result?.dispose?.();
      assert.is(engine.allocatedBytes, before, `${what}: leaked without any failure`);
      assert.ok(failAt > 1, `${what}: allocated nothing, so the test proves nothing`);
      stillWorks();
      return;
    }
    assert.ok(err && /injected/.test(err.message), `${what}, alloc ${failAt} failing: expected the injected error, got ${err?.message}`);
    assert.is(engine.allocatedBytes, before, `${what}, alloc ${failAt} of ${calls} failing: leaked ${engine.allocatedBytes - before} bytes`);
  }
  assert.unreachable(`${what}: never finished`);
}

test('an allocation failing at any point frees everything taken before it', () => {
  const s = [1, 6, 6, 16];
  const conv = { inChannels: 16, outChannels: 16, kernel: 3, pad: 1 };
  everyAllocFailure('conv2d im2col', () => ops.conv2d(engine, x, s, w3, b16, conv));
  everyAllocFailure('conv2d 1x1 stride 2', () => ops.conv2d(engine, x, s, w1, b16, { inChannels: 16, outChannels: 16, kernel: 1, stride: 2 }));
  everyAllocFailure('conv2d grouped', () => ops.conv2d(engine, x, s, randomArray(rng, 9 * 4 * 16), b16, { ...conv, groups: 4 }));
  everyAllocFailure('conv2d winograd 2', () => ops.conv2d(engine, x, s, w3, b16, { ...conv, winograd: 2 }));
  everyAllocFailure('conv2d winograd 4', () => ops.conv2d(engine, x, s, w3, null, { ...conv, winograd: 4 }));
  everyAllocFailure('new Conv2d winograd by inputSize', () => new ops.Conv2d(engine, { ...conv, inputSize: 6 }, w3, b16));
  everyAllocFailure('dwconv2d', () => ops.dwconv2d(engine, x, s, randomArray(rng, 9 * 16), b16, { channels: 16, kernel: 3, pad: 1 }));
  everyAllocFailure('new DepthwiseConv2d', () => new ops.DepthwiseConv2d(engine, { channels: 16, kernel: 3 }, randomArray(rng, 9 * 16), b16));
  everyAllocFailure('gemm', () => ops.gemm(engine, x, 36, 16, w1, 16, b16));
  everyAllocFailure('new Gemm', () => new ops.Gemm(engine, 16, 16, w1, b16));
  everyAllocFailure('packGemm', () => { engine.release(ops.packGemm(engine, w1, 16, 16, b16)); });
  everyAllocFailure('fc batch 1', () => ops.fc(engine, x.subarray(0, 16), 1, w1, 16, 16, b16));
  everyAllocFailure('fc batch 3', () => ops.fc(engine, x.subarray(0, 48), 3, w1, 16, 16, null, 'relu'));
  everyAllocFailure('new FullyConnected', () => new ops.FullyConnected(engine, 16, 16, w1, b16));
  everyAllocFailure('maxPool2d', () => ops.maxPool2d(engine, x, s, { kernel: 3, stride: 2, ceil: true }));
  everyAllocFailure('avgPool2d', () => ops.avgPool2d(engine, x, s, { kernel: 3, stride: 2, pad: 1 }));
  everyAllocFailure('globalAvgPool', () => ops.globalAvgPool(engine, x, s));
  everyAllocFailure('lrn', () => ops.lrn(engine, x, s, { size: 5 }));
  everyAllocFailure('softmax', () => ops.softmax(engine, x, 6, 96));
  everyAllocFailure('add', () => ops.add(engine, x, x, s, true));
  everyAllocFailure('concat', () => ops.concat(engine, [{ data: x, shape: s }, { data: x, shape: s }, { data: x.subarray(0, 36), shape: [1, 6, 6, 1] }]));
  everyAllocFailure('batchNorm', () => ops.batchNorm(engine, x, s, { gamma: b16, beta: b16, mean: b16, variance: b16.map(Math.abs) }, 'relu'));
  everyAllocFailure('activation', () => ops.activation(engine, x, 'relu6'));
});

test.run();
