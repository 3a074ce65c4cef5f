// Channel shuffle (ShuffleNet): the f32_channel_shuffle kernel on random shapes (groups, channels
// per group, batches, pixel counts) against the obvious index map; bad input (groups that do not
// divide, in place, pointers); a ShuffleNet unit compiled = reference executor, costed as a copy,
// lowered to its own step, on 2 threads the same bits; and ONNX (Reshape, Transpose, Reshape,
// imported back as the same op, and what the importer refuses of a pattern left half done).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, createEngine, lower, ops, randomWeights, cost } from '../../dist/index.js';
import { toONNX, importONNX, ModelImportError } from '../../dist/onnx/index.js';
import { relDiff } from '../reference/close.mjs';
import { checkCompiledAndThreads } from '../reference/compiled.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const engine = await createEngine();
const rng = mulberry32(5);
const ri = (lo, hi) => lo + Math.floor(rng() * (hi - lo + 1));

test('f32_channel_shuffle: random shapes, groups 1..9, channels per group 1..13: out[p][j*g + i] = x[p][i*cpg + j]', () => {
  for (let t = 0; t < 40; t++) {
    const g = ri(1, 9), cpg = t < 13 ? t + 1 : ri(1, 40);
    const shape = [ri(1, 3), ri(1, 7), ri(1, 7), g * cpg];
    const c = shape[3], pixels = shape[0] * shape[1] * shape[2];
    const x = randomArray(rng, pixels * c);
    const y = ops.channelShuffle(engine, x, shape, g).data;
    for (let p = 0; p < pixels; p++) for (let i = 0; i < g; i++) for (let j = 0; j < cpg; j++) {
      if (y[p * c + j * g + i] !== x[p * c + i * cpg + j]) assert.unreachable(`shape ${shape}, g ${g}: pixel ${p} channel ${i * cpg + j}`);
    }
  }
  assert.is(engine.allocatedBytes, 0, 'nothing left allocated');
});

test('channel shuffle: bad input is a clear error; the builder and the graph checks agree', () => {
  assert.throws(() => ops.channelShuffle(engine, new Float32Array(12), [1, 1, 2, 6], 4), (e) => e instanceof RangeError && /groups 4 does not divide 6/.test(e.message));
  assert.throws(() => ops.channelShuffle(engine, new Float32Array(12), [1, 1, 2, 6], 0), (e) => e instanceof RangeError && /groups/.test(e.message));
  const p = engine.alloc(64);
  assert.throws(() => ops.runChannelShuffle(engine, 4, 8, 2, p, p), (e) => e instanceof RangeError && /overlap/.test(e.message));
  assert.throws(() => ops.runChannelShuffle(engine, 4, 8, 2, p, p + 64), (e) => e instanceof RangeError && /overlap/.test(e.message));
  assert.throws(() => ops.runChannelShuffle(engine, 4, 8, 2, 1 << 30, p), (e) => e instanceof RangeError && /^x\b/.test(e.message));
  engine.release(p);
  assert.is(engine.allocatedBytes, 0);
  const b = new GraphBuilder('bad');
  const x = b.input([1, 2, 2, 6]);
  assert.throws(() => b.channelShuffle(x, { groups: 4 }), /groups 4 does not divide 6 channels/);
  assert.throws(() => b.channelShuffle(x, { groups: 1.5 }), /groups/);
  assert.throws(() => b.channelShuffle(b.flatten(x), { groups: 2 }), /\[N, H, W, C\]|feature map/);
});

/** A ShuffleNet unit: grouped 1x1, shuffle, depthwise 3x3, grouped 1x1, residual add, ReLU. */
function unitGraph(batch) {
  const b = new GraphBuilder('unit');
  const x = b.input([batch, 9, 9, 48]);
  let y = b.relu(b.conv2d(x, { outChannels: 24, kernel: 1, groups: 4 }, 'compress'), 'compress.relu');
  y = b.channelShuffle(y, { groups: 4 }, 'shuffle');
  y = b.conv2d(y, { outChannels: 24, kernel: 3, padding: 1, groups: 24 }, 'dw');
  y = b.conv2d(y, { outChannels: 48, kernel: 1, groups: 4 }, 'expand');
  return b.output(b.relu(b.add(x, y, 'add'), 'relu'));
}

test('in a ShuffleNet unit: its own step, compiled = reference, costed as a copy, 2 threads same bits', async () => {
  for (const batch of [1, 3]) {
    const g = unitGraph(batch);
    assert.ok(lower(g).steps.some((s) => s.kind === 'channel_shuffle'));
    const w = randomWeights(g, 4);
    const input = randomArray(rng, batch * 9 * 9 * 48);
    await checkCompiledAndThreads(g, w, input, `batch ${batch}`);
    const row = cost.analyze(g).layers.find((l) => l.name === 'shuffle');
    assert.equal([row.otherOps, row.macs, row.params, row.opClass], [0, 0, 0, 'other']);
  }
});

test('ONNX: exported as Reshape, Transpose, Reshape; imported back as the same op; a half-done pattern is refused', async () => {
  const g = unitGraph(1);
  const w = randomWeights(g, 9);
  const bytes = toONNX(g, w);
  const back = importONNX(bytes);
  const node = back.graph.nodes.find((n) => n.op === 'channelshuffle');
  assert.ok(node, 'a channelshuffle node');
  assert.is(node.groups, 4);
  const input = randomArray(rng, 9 * 9 * 48);
  const a = await compile(g, { weights: w }), b = await compile(back.graph, { weights: back.weights });
  assert.ok(relDiff(b.run(input), a.run(input)) < 1e-6);
  a.dispose(); b.dispose();
  // a graph whose output is the shuffle's rank-5 middle: refused, not silently the unshuffled map
  const h = new GraphBuilder('half');
  const hx = h.input([1, 2, 2, 8]);
  const hg = h.output(h.channelShuffle(h.relu(hx, 'r'), { groups: 2 }, 's'));
  const { modelProto } = await import('../../dist/onnx/schema.js');
  const type = modelProto();
  const m = type.decode(toONNX(hg, new Map()));
  const reshapes = m.graph.node.filter((n) => n.opType === 'Reshape');
  assert.is(reshapes.length, 2);
  m.graph.node = m.graph.node.filter((n) => n !== reshapes[1]);
  m.graph.output[0].name = m.graph.node.at(-1).output[0];
  assert.throws(() => importONNX(type.encode(m).finish()), (e) => e instanceof ModelImportError && /channel shuffle/.test(e.message));
});

test.run();
