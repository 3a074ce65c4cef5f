// Bad input gets a TypeError/RangeError naming the argument, never a WebAssembly trap, and the
// engine keeps working: after every bad call a valid convolution runs and is checked.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(99);
const x = randomArray(rng, 1 * 6 * 6 * 4), w = randomArray(rng, 9 * 4 * 8), b = randomArray(rng, 8);
const good = { inChannels: 4, outChannels: 8, kernel: 3, pad: 1 };

function stillWorks() {
  const got = ops.conv2d(engine, x, [1, 6, 6, 4], w, b, good);
  const want = ref.conv2d(x, [1, 6, 6, 4], w, b, { outChannels: 8, kernel: [3, 3], pad: [1, 1, 1, 1] });
  assertClose(got.data, want.data, { mag: want.mag, K: 36, label: 'conv after a bad call' });
}

function rejects(fn, Type, pattern, what) {
  const before = engine.allocatedBytes;
  let err;
  try { fn(); } catch (e) { err = e; }
  assert.ok(err, `${what}: expected an error`);
  assert.instance(err, Type, `${what}: expected ${Type.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.match(err.message, pattern, `${what}: message "${err.message}" should name ${pattern}`);
  assert.is(engine.allocatedBytes, before, `${what}: leaked wasm memory`);
  stillWorks();
}

test('conv2d: sizes, lengths, groups, kernel extent, NaN', () => {
  rejects(() => ops.conv2d(engine, x, [1, 0, 6, 4], w, b, good), RangeError, /inShape\[1\]/, 'zero height');
  rejects(() => ops.conv2d(engine, x, [1, -6, 6, 4], w, b, good), RangeError, /inShape\[1\]/, 'negative height');
  rejects(() => ops.conv2d(engine, x, [1, NaN, 6, 4], w, b, good), TypeError, /inShape\[1\]/, 'NaN height');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, kernel: NaN }), TypeError, /kernel/, 'NaN kernel');
  rejects(() => ops.conv2d(engine, x.subarray(1), [1, 6, 6, 4], w, b, good), RangeError, /\bx\b.*elements/, 'short input');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w.subarray(3), b, good), RangeError, /weight/, 'short weights');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b.subarray(1), good), RangeError, /bias/, 'short bias');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, groups: 3 }), RangeError, /groups/, 'groups not dividing channels');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], randomArray(rng, 49 * 4 * 8), b, { ...good, kernel: 7, pad: 0 }), RangeError, /kernel extent/, 'kernel larger than padded input');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, stride: 0 }), RangeError, /stride/, 'zero stride');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, pad: -1 }), RangeError, /pad/, 'negative padding');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, act: 'gelu' }), TypeError, /act/, 'unknown activation');
  rejects(() => ops.conv2d(engine, Array.from(x), [1, 6, 6, 4], w, b, good), TypeError, /\bx\b.*Float32Array/, 'plain array input');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6], w, b, good), TypeError, /inShape/, 'rank 3 shape');
  rejects(() => ops.conv2d(engine, x, [1, 6, 6, 4], w, b, { ...good, inChannels: 5 }), RangeError, /weight|inShape\[3\]/, 'channel mismatch');
});

test('depthwise, pooling, gemm, fc, softmax, lrn, concat, add', () => {
  rejects(() => ops.dwconv2d(engine, x, [1, 6, 6, 4], randomArray(rng, 9 * 3), null, { channels: 4, kernel: 3 }), RangeError, /weight/, 'dw weights');
  rejects(() => ops.dwconv2d(engine, x, [1, 6, 6, 4], randomArray(rng, 9 * 4), null, { channels: 4, kernel: 9 }), RangeError, /weight|kernel/, 'dw kernel');
  rejects(() => ops.maxPool2d(engine, x, [1, 6, 6, 4], { kernel: 7 }), RangeError, /kernel extent/, 'pool kernel larger than input');
  rejects(() => ops.maxPool2d(engine, x, [1, 6, 6, 4], { kernel: 3, pad: 2 }), RangeError, /pad/, 'pool pad more than half the kernel');
  rejects(() => ops.avgPool2d(engine, x, [1, 6, 6, 4], { kernel: [3, NaN] }), TypeError, /kernel\[1\]/, 'NaN pool kernel');
  rejects(() => ops.gemm(engine, x, 0, 4, w, 8), RangeError, /\bm\b/, 'gemm m = 0');
  rejects(() => ops.gemm(engine, x, 36, 4, w.subarray(0, 31), 8), RangeError, /\bw\b/, 'gemm short B');
  rejects(() => ops.fc(engine, x, 1, w, 100, 8), RangeError, /\bx\b/, 'fc input length');
  rejects(() => ops.fc(engine, x, 1.5, w, 4, 8), RangeError, /batch/, 'fractional batch');
  rejects(() => ops.softmax(engine, x, 2, 0), RangeError, /cols/, 'softmax cols = 0');
  rejects(() => ops.lrn(engine, x, [1, 6, 6, 4], { size: 0 }), RangeError, /size/, 'lrn size 0');
  rejects(() => ops.concat(engine, [{ data: x, shape: [1, 6, 6, 4] }, { data: x, shape: [1, 3, 12, 4] }]), RangeError, /inputs\[1\]/, 'concat spatial mismatch');
  rejects(() => ops.add(engine, x, x.subarray(2), [1, 6, 6, 4]), RangeError, /\bb\b/, 'add length');
});

test('a weight that is NaN or infinite is refused as it is packed, naming the first one, on every path', () => {
  const bad = (arr, at, v) => { const c = Float32Array.from(arr); c[at] = v; if (at + 1 < c.length) c[at + 1] = NaN; return c; };
  const x1 = randomArray(rng, 1 * 6 * 6 * 16);
  for (const [what, p, n] of [
    ['1x1', { inChannels: 16, outChannels: 8, kernel: 1 }, 16 * 8],
    ['im2col', { inChannels: 16, outChannels: 8, kernel: 3, pad: 1, winograd: 'off' }, 9 * 16 * 8],
    ['winograd', { inChannels: 16, outChannels: 8, kernel: 3, pad: 1, winograd: 2 }, 9 * 16 * 8],
    ['grouped, with a scale', { inChannels: 16, outChannels: 8, kernel: 3, pad: 1, groups: 2, scale: new Float32Array(8).fill(2) }, 9 * 8 * 8],
  ]) {
    const wt = randomArray(rng, n);
    for (const [at, v] of [[0, NaN], [n >> 1, Infinity], [n - 1, -Infinity]]) {
      rejects(() => ops.conv2d(engine, x1, [1, 6, 6, 16], bad(wt, at, v), null, p), RangeError, new RegExp(`^weight\\[${at}\\] is ${v}; weights must be finite$`), `conv ${what}: ${v} at ${at}`);
    }
  }
  const dw = randomArray(rng, 9 * 4);
  rejects(() => ops.dwconv2d(engine, x, [1, 6, 6, 4], bad(dw, 7, NaN), null, { channels: 4, kernel: 3, pad: 1 }), RangeError, /^weight\[7\] is NaN; weights must be finite$/, 'dw NaN');
  rejects(() => ops.fc(engine, x, 1, bad(randomArray(rng, 144 * 8), 100, -Infinity), 144, 8), RangeError, /^weight\[100\] is -Infinity; weights must be finite$/, 'fc -Infinity');
  rejects(() => ops.gemm(engine, x, 36, 4, bad(w.subarray(0, 32), 31, NaN), 8), RangeError, /^w\[31\] is NaN; weights must be finite$/, 'gemm NaN');
});

test('no leak: thousands of one-shot ops leave the allocator where it was', () => {
  const before = engine.allocatedBytes;
  const mem = engine.memoryBytes;
  for (let i = 0; i < 3000; i++) ops.conv2d(engine, x, [1, 6, 6, 4], w, b, good);
  assert.is(engine.allocatedBytes, before);
  assert.is(engine.memoryBytes, mem);
});

test('dispose frees the instance; a disposed engine refuses work with a clear error', async () => {
  const e2 = await createEngine();
  ops.conv2d(e2, x, [1, 6, 6, 4], w, b, good);
  e2.dispose();
  assert.throws(() => e2.alloc(4), /disposed/);
  stillWorks();
});

test.run();
