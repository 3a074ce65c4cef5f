// The raw-pointer op API: a pointer past the memory, below the heap, misaligned, not an integer,
// or whose extent (pixels x stride for the shape, workspace included) runs off the end is a
// RangeError naming the argument, checked in JS: never a WebAssembly trap, never a write into
// the kernels' own data. After every refusal the engine still computes correctly.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEngine, ops } from '../../dist/index.js';
import * as ref from '../reference/ops.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';
import { assertClose } from '../reference/close.mjs';

const engine = await createEngine();
const rng = mulberry32(23);
// Room above the last allocation, so spans that end exactly at the usable top touch nothing live.
engine.release(engine.alloc(1 << 20));

const S = [2, 6, 6, 16], FLOATS = 2 * 6 * 6 * 16;
const xv = randomArray(rng, FLOATS), w3 = randomArray(rng, 9 * 16 * 16), b16 = randomArray(rng, 16);
const xp = engine.upload(xv), yp = engine.alloc(FLOATS * 2), bp = engine.upload(b16);

function stillWorks() {
  const got = ops.conv2d(engine, xv, S, w3, b16, { inChannels: 16, outChannels: 16, kernel: 3, pad: 1 });
  const want = ref.conv2d(xv, S, w3, b16, { outChannels: 16, kernel: [3, 3], pad: [1, 1, 1, 1] });
  assertClose(got.data, want.data, { mag: want.mag, K: 144, label: 'conv after a refused pointer' });
}

/** Bad values for a pointer argument spanning `floats` floats. */
function badPointers(floats) {
  const mem = engine.memoryBytes;
  const top = mem - 64 - floats * 4; // the highest start the span may have
  return [
    [mem, RangeError], [mem + 4096, RangeError], [2 ** 32, RangeError], [2 ** 40, RangeError], [top + 4, RangeError],
    [-64, RangeError], [0, RangeError], [engine.heapBase - 64, RangeError], [xp + 2, RangeError], [xp + 0.5, RangeError],
    [NaN, RangeError], [Infinity, RangeError], [String(xp), TypeError], [undefined, TypeError], [null, TypeError],
  ];
}

const OPTIONAL = ['workspace', 'dst'];

/**
 * call(ptrs) runs an op with the good pointers in `good`, one of them replaced; each argument is
 * tried with every bad value, then at the highest start it may have (which must work).
 */
function checkPointers(what, good, spans, call) {
  for (const [arg, floats] of Object.entries(spans)) {
    for (const [bad, Type] of badPointers(floats)) {
      if (bad === undefined && OPTIONAL.includes(arg)) continue; // "not given": the op allocates its own
      let err;
      try { call({ ...good, [arg]: bad }); } catch (e) { err = e; }
      const label = `${what}: ${arg} = ${String(bad)}`;
      assert.ok(err, `${label}: expected ${Type.name}`);
      assert.instance(err, Type, `${label}: expected ${Type.name}, got ${err.constructor.name}: ${err.message}`);
      assert.match(err.message, new RegExp(`^${arg}\\b`), `${label}: message "${err.message}" should name ${arg}`);
    }
    call({ ...good, [arg]: engine.memoryBytes - 64 - floats * 4 });
  }
  stillWorks();
}

test('Conv2d.run: every path, input, output, workspace, channel-slice strides', () => {
  const cases = [
    [{ inChannels: 16, outChannels: 16, kernel: 3, pad: 1 }, w3],
    [{ inChannels: 16, outChannels: 16, kernel: 3, pad: 1, winograd: 2 }, w3],
    [{ inChannels: 16, outChannels: 16, kernel: 3, pad: 1, winograd: 4 }, w3],
    [{ inChannels: 16, outChannels: 16, kernel: 1 }, w3.subarray(0, 256)],
    [{ inChannels: 16, outChannels: 16, kernel: 1, stride: 2 }, w3.subarray(0, 256)],
    [{ inChannels: 16, outChannels: 8, kernel: 3, stride: 2, groups: 2 }, w3.subarray(0, 9 * 8 * 8)],
  ];
  for (const [p, w] of cases) {
    const op = new ops.Conv2d(engine, p, w, null);
    const [n, ho, wo, k] = op.outShape(S);
    const wsF = op.workspaceFloats(S);
    const ws = wsF ? engine.alloc(wsF) : 0;
    const spans = { x: FLOATS, out: n * ho * wo * k };
    if (wsF) spans.workspace = wsF;
    checkPointers(`Conv2d ${op.path} ${JSON.stringify(p)}`, { x: xp, out: yp, workspace: ws }, spans,
      ({ x, out, workspace }) => op.run(x, S, out, wsF ? { workspace } : {}));
    // a channel slice: the input span is (pixels - 1) * inStride + channels
    const sliced = { x: (n * 36 - 1) * 20 + 16, out: (n * ho * wo - 1) * 24 + k };
    if (wsF) sliced.workspace = wsF;
    checkPointers(`Conv2d ${op.path} strided`, { x: xp, out: yp, workspace: ws }, sliced,
      ({ x, out, workspace }) => op.run(x, S, out, { inStride: 20, outStride: 24, ...(wsF ? { workspace } : {}) }));
    if (ws) engine.release(ws);
    op.dispose();
  }
});

test('DepthwiseConv2d.run, Gemm.run, FullyConnected.run', () => {
  for (const p of [{ channels: 16, kernel: 3, pad: 1 }, { channels: 16, kernel: 3, stride: 2 }, { channels: 16, kernel: 5, pad: 2, dilation: 1 }]) {
    const op = new ops.DepthwiseConv2d(engine, p, randomArray(rng, p.kernel * p.kernel * 16), b16);
    const [n, ho, wo] = op.outShape(S);
    checkPointers(`DepthwiseConv2d ${op.path}`, { x: xp, out: yp }, { x: FLOATS, out: n * ho * wo * 16 }, ({ x, out }) => op.run(x, S, out));
    op.dispose();
  }
  const g = new ops.Gemm(engine, 16, 12, w3.subarray(0, 192), b16.subarray(0, 12), 'relu');
  checkPointers('Gemm.run gemv', { a: xp, c: yp }, { a: 16, c: 12 }, ({ a, c }) => g.run(1, a, c));
  checkPointers('Gemm.run blocked', { a: xp, c: yp }, { a: 9 * 16, c: 9 * 12 }, ({ a, c }) => g.run(9, a, c, 16, 12, true));
  checkPointers('Gemm.run strided', { a: xp, c: yp }, { a: 8 * 20 + 16, c: 8 * 30 + 12 }, ({ a, c }) => g.run(9, a, c, 20, 30));
  assert.throws(() => g.run(9, xp, yp, 15, 12), (e) => e instanceof RangeError && /lda/.test(e.message));
  assert.throws(() => g.run(9, xp, yp, 16, 11), (e) => e instanceof RangeError && /ldc/.test(e.message));
  assert.throws(() => g.run(0, xp, yp), (e) => e instanceof RangeError && /\bm\b/.test(e.message));
  g.dispose();
  const fc = new ops.FullyConnected(engine, 16, 10, w3.subarray(0, 160), null);
  for (const batch of [1, 5]) {
    checkPointers(`FullyConnected batch ${batch}`, { x: xp, out: yp }, { x: batch * 16, out: batch * 10 }, ({ x, out }) => fc.run(batch, x, out));
  }
  fc.dispose();
  checkPointers('packGemm dst', { dst: yp }, { dst: ops.packedGemmFloats(16, 10) },
    ({ dst }) => ops.packGemm(engine, w3.subarray(0, 160), 16, 10, null, 10, 0, dst));
});

test('pooling, add, activation, softmax, lrn, scale-shift, channel copy', () => {
  for (const [kind, p] of [['max', { kernel: 3, stride: 2, ceil: true }], ['avg', { kernel: 3, stride: 1, pad: 1, countIncludePad: false }]]) {
    const cfg = ops.poolConfig(p);
    const [n, ho, wo, c] = ops.poolOutShape(cfg, S);
    checkPointers(`runPool2d ${kind}`, { x: xp, out: yp }, { x: FLOATS, out: n * ho * wo * c }, ({ x, out }) => ops.runPool2d(engine, kind, cfg, x, S, out));
    checkPointers(`runPool2d ${kind} strided`, { x: xp, out: yp }, { x: (n * 36 - 1) * 18 + 16, out: (n * ho * wo - 1) * 40 + 16 },
      ({ x, out }) => ops.runPool2d(engine, kind, cfg, x, S, out, { inStride: 18, outStride: 40 }));
  }
  assert.throws(() => ops.runPool2d(engine, 'max', { kernel: [3, 3], stride: [1, 1], pad: [0, 0, 0, 0], ceil: false, countIncludePad: true }, xp, S, yp),
    (e) => e instanceof TypeError && /poolConfig/.test(e.message), 'a hand-made pool config');
  checkPointers('runGlobalAvgPool', { x: xp, out: yp }, { x: FLOATS, out: 2 * 16 }, ({ x, out }) => ops.runGlobalAvgPool(engine, x, S, out));
  checkPointers('runGlobalAvgPool strided', { x: xp, out: yp }, { x: 71 * 20 + 16, out: 30 + 16 },
    ({ x, out }) => ops.runGlobalAvgPool(engine, x, S, out, { inStride: 20, outStride: 30 }));
  checkPointers('runAdd', { a: xp, b: xp, out: yp }, { a: 999, b: 999, out: 999 }, ({ a, b, out }) => ops.runAdd(engine, 999, a, b, out, true));
  checkPointers('runActivation', { x: xp, out: yp }, { x: 1001, out: 1001 }, ({ x, out }) => ops.runActivation(engine, 'relu6', 1001, x, out));
  checkPointers('runSoftmax', { x: xp, out: yp }, { x: 3 * 101, out: 3 * 101 }, ({ x, out }) => ops.runSoftmax(engine, 3, 101, x, out));
  const lrn = ops.lrnConfig({ size: 5 });
  checkPointers('runLrn', { x: xp, out: yp }, { x: FLOATS, out: FLOATS }, ({ x, out }) => ops.runLrn(engine, lrn, x, S, out));
  checkPointers('runScaleShift', { x: xp, scale: bp, shift: bp, out: yp }, { x: 72 * 16, scale: 16, shift: 16, out: 72 * 16 },
    ({ x, scale, shift, out }) => ops.runScaleShift(engine, 72, 16, x, scale, shift, out, 'relu'));
  // dst + offset is where the first value lands; the span runs to the last pixel's last channel
  checkPointers('runCopyChannels', { src: xp, dst: yp }, { src: 35 * 20 + 7, dst: 35 * 24 + 5 + 7 },
    ({ src, dst }) => ops.runCopyChannels(engine, 36, 7, src, 20, dst, 24, 5));
  assert.throws(() => ops.runCopyChannels(engine, 36, 7, xp, 20, yp, 11, 5), (e) => e instanceof RangeError && /outStride/.test(e.message));
  assert.throws(() => ops.runAdd(engine, -1, xp, xp, yp), (e) => e instanceof RangeError && /count/.test(e.message));
});

test('memory grown outside alloc() is still usable, and its end still guarded', async () => {
  const e2 = await createEngine();
  const a = e2.alloc(16);
  const old = e2.memoryBytes;
  e2.k.memory.grow(1);
  const top = e2.memoryBytes - 64 - 16 * 4;
  assert.ok(top >= old, 'the span lies in the new page');
  ops.runAdd(e2, 16, a, a, top);
  assert.throws(() => ops.runAdd(e2, 16, a, a, top + 4), (e) => e instanceof RangeError && /^out\b/.test(e.message));
  e2.dispose();
});

test('a disposed op or engine refuses to run with a clear error', async () => {
  const op = new ops.Conv2d(engine, { inChannels: 16, outChannels: 16, kernel: 3, pad: 1 }, w3, null);
  op.dispose();
  assert.throws(() => op.run(xp, S, yp), /dispose/);
  const e2 = await createEngine();
  const a = e2.alloc(64);
  e2.dispose();
  assert.throws(() => ops.runAdd(e2, 64, a, a, a), /disposed/);
  stillWorks();
});

test.run();
