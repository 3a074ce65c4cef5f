// Channel slice (Dual Path Networks' path split): compiled graphs of random slices (start, width,
// channel counts, batches) against the reference executor, exactly; a slice written straight
// into a concat's buffer; a DPN-style block (slice, add, concatenate) on 2 threads the same bits;
// bad attributes; costed as a copy; and ONNX Slice (export, import back, PyTorch's encodings:
// negative and huge ends, and what is refused).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, lower, randomWeights, cost, validateGraph } from '../../dist/index.js';
import { toONNX, importONNX, ModelImportError } from '../../dist/onnx/index.js';
import { modelProto } from '../../dist/onnx/schema.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { checkCompiledAndThreads } from '../reference/compiled.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const rng = mulberry32(13);
const ri = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));

test('random slices of random maps: compiled = reference, bit for bit', async () => {
  for (let t = 0; t < 25; t++) {
    const c = ri(1, 70), start = ri(0, c - 1), end = ri(start + 1, c);
    const shape = [ri(1, 3), ri(1, 6), ri(1, 6), c];
    const b = new GraphBuilder('s');
    const x = b.input(shape);
    // through a ReLU first, so the slice reads a computed map (not the graph input)
    const g = b.output(b.channelSlice(b.relu(x, 'r'), { start, end }, 'slice'));
    const input = randomArray(rng, shape.reduce((p, q) => p * q, 1));
    const net = await compile(g);
    const y = net.run(input), want = runGraph(g, new Map(), input).data;
    net.dispose();
    assert.is(y.length, want.length);
    for (let i = 0; i < y.length; i++) if (!Object.is(y[i], want[i])) assert.unreachable(`shape ${shape} [${start}, ${end}): y[${i}]`);
  }
});

/** A dual path block on [residual | dense]: x_s1 + out1 and [x_s2, out2], as DPN builds it. */
function dualPath(batch) {
  const b = new GraphBuilder('dp');
  const x = b.input([batch, 8, 8, 40]);
  const y = b.conv2d(b.relu(x, 'act'), { outChannels: 36, kernel: 3, padding: 1 }, 'conv');
  const xs1 = b.channelSlice(x, { start: 0, end: 32 }, 'x_s1'), xs2 = b.channelSlice(x, { start: 32, end: 40 }, 'x_s2');
  const o1 = b.channelSlice(y, { start: 0, end: 32 }, 'out1'), o2 = b.channelSlice(y, { start: 32, end: 36 }, 'out2');
  return b.output(b.concat([b.add(xs1, o1, 'resid'), xs2, o2], 'out'));
}

test('a dual path block: slices read by a concat are written in place; = reference; 2 threads the same bits; costed as a copy', async () => {
  for (const batch of [1, 3]) {
    const g = dualPath(batch);
    const low = lower(g);
    const cat = low.steps.find((s) => s.node.name === 'out');
    assert.equal(cat.copies.map((c) => low.values[c.value].shape.at(-1)), [32], 'only the add is copied into the concat');
    const w = randomWeights(g, 2);
    const input = randomArray(rng, batch * 8 * 8 * 40);
    await checkCompiledAndThreads(g, w, input, `batch ${batch}`);
    const row = cost.analyze(g).layers.find((l) => l.name === 'x_s2');
    assert.equal([row.macs, row.params, row.otherOps, row.opClass, row.readBytes, row.writeBytes], [0, 0, 0, 'other', batch * 64 * 8 * 4, batch * 64 * 8 * 4]);
  }
});

test('bad slices are clear errors, from the builder and from validateGraph', () => {
  const b = new GraphBuilder('bad');
  const x = b.input([1, 2, 2, 8]);
  for (const [start, end] of [[0, 9], [4, 4], [-1, 2], [1.5, 3], [undefined, 3]]) {
    assert.throws(() => b.channelSlice(x, { start, end }), /0 <= start < end <= 8/);
  }
  assert.throws(() => b.channelSlice(b.flatten(x), { start: 0, end: 2 }), /\[N, H, W, C\]|feature map/);
  const g = b.output(b.channelSlice(x, { start: 2, end: 6 }, 's'));
  const bad = { ...g, nodes: g.nodes.map((n) => (n.name === 's' ? { ...n, end: 12, outShape: [1, 2, 2, 10] } : n)) };
  assert.throws(() => validateGraph(bad), (e) => e instanceof RangeError && /"s".*exceed the input's 8/.test(e.message));
});

test('ONNX: Slice along axis 1, imported back as the same op; PyTorch\'s encodings; other slices refused', async () => {
  const g = dualPath(1);
  const w = randomWeights(g, 9);
  const back = importONNX(toONNX(g, w));
  assert.equal(back.graph.nodes.filter((n) => n.op === 'channelslice').map((n) => [n.start, n.end]), [[0, 32], [32, 40], [0, 32], [32, 36]]);
  const input = randomArray(rng, 8 * 8 * 40);
  const a = await compile(g, { weights: w }), b = await compile(back.graph, { weights: back.weights });
  assert.ok(relDiff(b.run(input), a.run(input)) < 1e-6);
  a.dispose(); b.dispose();
  // hand-made: x [1, 8, 4, 4] -> Relu -> Slice(starts, ends, axes[, steps])
  const type = modelProto();
  const i64 = (name, v) => ({ name, dims: [v.length], dataType: 7, rawData: new Uint8Array(BigInt64Array.from(v.map(BigInt)).buffer) });
  const vi = (name, dims) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } });
  const model = (starts, ends, axes, steps) => type.encode(type.fromObject({
    irVersion: 7, opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g', input: [vi('x', [1, 8, 4, 4])], output: [vi('y', [1])],
      initializer: [i64('s', starts), i64('e', ends), i64('a', axes), ...(steps ? [i64('t', steps)] : [])],
      node: [{ opType: 'Relu', input: ['x'], output: ['r'] }, { opType: 'Slice', input: ['r', 's', 'e', 'a', ...(steps ? ['t'] : [])], output: ['y'] }],
    },
  })).finish();
  const sliceOf = (bytes) => importONNX(bytes).graph.nodes.find((n) => n.op === 'channelslice');
  assert.equal([sliceOf(model([3], [2 ** 62], [1])).start, sliceOf(model([3], [2 ** 62], [1])).end], [3, 8], 'an end past C is clamped');
  assert.equal([sliceOf(model([-3], [-1], [1])).start, sliceOf(model([-3], [-1], [1])).end], [5, 7], 'negative indices count from the end');
  assert.equal([sliceOf(model([0, 2], [4, 6], [2, 1])).start], [2], 'a full slice of another axis is a no-op');
  const refused = (bytes, re) => assert.throws(() => importONNX(bytes), (e) => e instanceof ModelImportError && re.test(e.message));
  refused(model([0], [2], [2]), /axis 2/);
  refused(model([0], [8], [1], [2]), /steps/);
  refused(model([5], [5], [1]), /empty channel slice/);
});

test.run();
