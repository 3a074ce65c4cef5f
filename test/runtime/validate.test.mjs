// Malformed graphs, weights and arguments: each is a TypeError / RangeError naming the node or
// argument — from compile, the lowering and the cost model alike — and a valid network compiles
// and runs right afterwards. The graphs are what a faulty importer or a hand edit produces.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GraphBuilder, compile, lower, validateGraph, randomWeights, cost } from '../../dist/index.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

/** A small valid graph touching conv + bn + relu, pool, concat, add, flatten, dropout, fc, softmax. */
function valid() {
  const b = new GraphBuilder('ok');
  const x = b.input([1, 8, 8, 4]);
  let c = b.conv2d(x, { outChannels: 8, kernel: 3, padding: 1 }, 'conv');
  c = b.relu(b.batchnorm(c, {}, 'bn'), 'relu');
  const p = b.maxpool(c, { kernel: 2 }, 'pool');
  const q = b.avgpool(c, { kernel: 2 }, 'apool');
  const cat = b.concat([p, q], 'cat');
  const s = b.add(cat, cat, 'sum');
  const f = b.dropout(b.flatten(b.lrn(s, { size: 3 }, 'lrn'), 'flat'), {}, 'drop');
  return b.output(b.softmax(b.fc(f, { outFeatures: 5 }, 'fc'), 'prob'));
}

const clone = (g) => JSON.parse(JSON.stringify(g));
const node = (g, name) => g.nodes.find((n) => n.name === name);

/** [what, mutate(graph) -> graph, error class, message pattern] */
const CASES = [
  ['null graph', () => null, TypeError, /graph must be a Graph object/],
  ['array graph', () => [], TypeError, /graph must be a Graph object.*an array/],
  ['name not a string', (g) => ({ ...g, name: 7 }), TypeError, /graph\.name must be a string/],
  ['nodes not an array', (g) => ({ ...g, nodes: {} }), TypeError, /nodes must be an array/],
  ['no nodes', (g) => ({ ...g, nodes: [] }), RangeError, /has no nodes/],
  ['node not an object', (g) => { g.nodes[3] = 5; return g; }, TypeError, /nodes\[3\] must be an object/],
  ['empty name', (g) => { node(g, 'pool').name = ''; return g; }, TypeError, /nodes\[\d+\]\.name must be a non-empty string/],
  ['unknown op', (g) => { node(g, 'relu').op = 'gelu'; return g; }, RangeError, /layer "relu": unknown op "gelu"; known ops:/],
  ['inherited key as op', (g) => { node(g, 'relu').op = 'toString'; return g; }, RangeError, /layer "relu": unknown op "toString"/],
  ['duplicate name', (g) => { node(g, 'apool').name = 'pool'; return g; }, RangeError, /layer "pool" \(avgpool\): duplicate name/],
  ['self loop', (g) => { node(g, 'relu').inputs = ['relu']; return g; }, RangeError, /layer "relu" \(relu\): reads its own output \(a cycle\)/],
  ['cycle', (g) => { node(g, 'bn').inputs = ['relu']; return g; }, RangeError, /layer "bn" \(batchnorm\): input "relu" is a later node.*cycle/],
  ['unknown input', (g) => { node(g, 'sum').inputs = ['cat', 'ghost']; return g; }, RangeError, /layer "sum" \(add\): unknown input "ghost"/],
  ['inputs not an array', (g) => { node(g, 'sum').inputs = 'cat'; return g; }, TypeError, /layer "sum" \(add\): inputs must be an array/],
  ['add with one input', (g) => { node(g, 'sum').inputs = ['cat']; return g; }, RangeError, /layer "sum" \(add\): takes 2 inputs, got 1/],
  ['relu with two inputs', (g) => { node(g, 'relu').inputs = ['bn', 'bn']; return g; }, RangeError, /layer "relu" \(relu\): takes 1 input, got 2/],
  ['concat with none', (g) => { node(g, 'cat').inputs = []; return g; }, RangeError, /layer "cat" \(concat\): takes one or more inputs/],
  ['outShape disagrees (channels)', (g) => { node(g, 'conv').outShape = [1, 8, 8, 9]; return g; }, RangeError, /layer "conv" \(conv2d\): outShape \[1, 8, 8, 9\] disagrees with its inputs: they give \[1, 8, 8, 8\]/],
  ['outShape disagrees (pool)', (g) => { node(g, 'pool').outShape = [1, 5, 5, 8]; return g; }, RangeError, /layer "pool" \(maxpool\): outShape .* disagrees/],
  ['outShape disagrees (fc)', (g) => { node(g, 'fc').outShape = [1, 6]; return g; }, RangeError, /layer "fc" \(fc\): outShape \[1, 6\] disagrees/],
  ['outShape not positive', (g) => { node(g, 'relu').outShape = [1, 8, 0, 8]; return g; }, RangeError, /layer "relu" \(relu\): outShape must be positive integers/],
  ['outShape missing', (g) => { delete node(g, 'relu').outShape; return g; }, TypeError, /layer "relu" \(relu\): outShape must be a non-empty array/],
  ['negative kernel', (g) => { node(g, 'conv').kernel = [-3, 3]; return g; }, RangeError, /layer "conv" \(conv2d\): kernel must be two positive integers/],
  ['kernel not a pair', (g) => { node(g, 'conv').kernel = 3; return g; }, TypeError, /layer "conv" \(conv2d\): kernel must be \[h, w\]/],
  ['fractional channels', (g) => { node(g, 'conv').outChannels = 8.5; return g; }, RangeError, /layer "conv" \(conv2d\): outChannels must be a positive integer/],
  ['groups not dividing', (g) => { node(g, 'conv').groups = 3; return g; }, RangeError, /layer "conv" \(conv2d\): groups 3 does not divide 4 input channels/],
  ['bias not boolean', (g) => { node(g, 'conv').bias = 'yes'; return g; }, TypeError, /layer "conv" \(conv2d\): bias must be true or false/],
  ['kernel larger than input', (g) => { Object.assign(node(g, 'conv'), { kernel: [11, 11] }); return g; }, RangeError, /layer "conv" \(conv2d\): output height would be 0: kernel 11 is larger than the padded input 10/],
  ['negative padding', (g) => { node(g, 'pool').pad = [0, 0, -1, 0]; return g; }, RangeError, /layer "pool" \(maxpool\): pad must be four integers >= 0/],
  ['pool padding over half the window', (g) => { node(g, 'pool').pad = [2, 2, 2, 2]; return g; }, RangeError, /layer "pool" \(maxpool\): padding 2 exceeds half/],
  ['pool dilation attribute', (g) => { node(g, 'pool').dilation = [2, 2]; return g; }, TypeError, /layer "pool" \(maxpool\): unknown attribute\(s\) dilation/],
  ['eps zero', (g) => { node(g, 'bn').eps = 0; return g; }, RangeError, /layer "bn" \(batchnorm\): eps must be finite and > 0/],
  ['eps NaN', (g) => { node(g, 'bn').eps = NaN; return g; }, RangeError, /layer "bn" \(batchnorm\): eps must be finite/],
  ['dropout p = 1', (g) => { node(g, 'drop').p = 1; return g; }, RangeError, /layer "drop" \(dropout\): p must be in \[0, 1\)/],
  ['lrn alpha negative', (g) => { node(g, 'lrn').alpha = -1; return g; }, RangeError, /layer "lrn" \(lrn\): alpha must be finite and >= 0/],
  ['fc on a feature map', (g) => { node(g, 'fc').inputs = ['sum']; return g; }, RangeError, /layer "fc" \(fc\): needs \[N, features\]/],
  ['add shape mismatch', (g) => { node(g, 'sum').inputs = ['cat', 'relu']; return g; }, RangeError, /layer "sum" \(add\): spatial mismatch/],
  ['two input nodes', (g) => { g.nodes.splice(1, 0, { name: 'in2', op: 'input', inputs: [], outShape: [1, 8, 8, 4] }); return g; }, RangeError, /layer "in2" \(input\): the graph's input is "input"/],
  ['input names a non-input', (g) => ({ ...g, input: 'conv' }), RangeError, /layer "input" \(input\): the graph's input is "conv"/],
  ['output unknown', (g) => ({ ...g, output: 'nowhere' }), RangeError, /output "nowhere" is not a node of the graph/],
  ['batch disagrees', (g) => { g.nodes.forEach((n) => { if (n.name === 'input') n.outShape = [2, 8, 8, 4]; }); return g; }, RangeError, /disagrees with its inputs/],
];

test(`graph validation catalogue: ${CASES.length} malformed graphs, each a clear error from compile, lower and analyze`, async () => {
  assert.ok(CASES.length >= 25);
  for (const [what, mutate, Cls, pattern] of CASES) {
    const g = mutate(clone(valid()));
    const check = (fn, via) => {
      try { fn(); } catch (e) {
        assert.ok(e instanceof Cls, `${what} (${via}): expected ${Cls.name}, got ${e?.constructor?.name}: ${e?.message}`);
        assert.match(e.message, pattern, `${what} (${via})`);
        return;
      }
      assert.unreachable(`${what} (${via}): no error`);
    };
    check(() => validateGraph(g), 'validateGraph');
    check(() => lower(g), 'lower');
    check(() => cost.analyze(g), 'analyze');
    let err;
    try { await compile(g); } catch (e) { err = e; }
    assert.ok(err instanceof Cls && pattern.test(err.message), `${what} (compile): ${err?.constructor?.name}: ${err?.message}`);
  }
  // and the same process compiles and runs a good graph afterwards, right
  const g = valid();
  const w = randomWeights(g, 3);
  const net = await compile(g, { weights: w });
  const x = randomArray(mulberry32(5), 256);
  assert.ok(relDiff(net.run(x), runGraph(g, w, x).data) < 1e-5);
  net.dispose();
});

test('weights are checked against their layer before anything is packed', async () => {
  const g = valid();
  const bad = (mut) => { const w = randomWeights(g, 1); mut(w); return w; };
  const cases = [
    [(w) => w.set('ghost', { weight: new Float32Array(1) }), RangeError, /weights: no layer named "ghost"/],
    [(w) => w.delete('conv'), RangeError, /layer "conv" \(conv2d\) has no weights/],
    [(w) => w.set('conv', null), TypeError, /weights of "conv" must be an object/],
    [(w) => { w.get('conv').weight = new Float32Array(3); }, RangeError, /weights of "conv" \(conv2d\): weight must have 288 elements, got 3/],
    [(w) => { w.get('conv').weight = Array.from(w.get('conv').weight); }, TypeError, /weight must be a Float32Array, got Array/],
    [(w) => { w.get('conv').weight[7] = NaN; }, RangeError, /weight\[7\] is NaN; weights must be finite/],
    [(w) => { w.get('bn').variance[2] = -1; }, RangeError, /weights of "bn" \(batchnorm\): variance\[2\] is -1; a variance must be >= 0/],
    [(w) => { w.get('bn').variance[0] = NaN; }, RangeError, /variance\[0\] is NaN/],
    [(w) => { w.get('fc').extra = new Float32Array(1); }, TypeError, /weights of "fc" \(fc\): unexpected extra/],
  ];
  for (const [mut, Cls, pattern] of cases) {
    let err;
    try { await compile(g, { weights: bad(mut) }); } catch (e) { err = e; }
    assert.ok(err instanceof Cls && pattern.test(err.message), `${pattern}: ${err?.constructor?.name}: ${err?.message}`);
  }
  // a bias for a layer built without one is an error, not silently dropped
  const b = new GraphBuilder('nobias');
  const gb = b.output(b.conv2d(b.input([1, 4, 4, 2]), { outChannels: 2, kernel: 1, bias: false }, 'c'));
  let err;
  try { await compile(gb, { weights: new Map([['c', { weight: new Float32Array(4), bias: new Float32Array(2) }]]) }); } catch (e) { err = e; }
  assert.ok(err instanceof TypeError && /unexpected bias \(the layer was built with bias: false\)/.test(err.message), err?.message);
});

test('large weight arrays (checked in wasm) name the first non-finite value; setWeights leaves the net as it was', async () => {
  const b = new GraphBuilder('wide');
  const g = b.output(b.conv2d(b.input([1, 4, 4, 64]), { outChannels: 128, kernel: 3, pad: 1 }, 'c'));
  const x = randomArray(mulberry32(3), 4 * 4 * 64);
  for (const [at, bad] of [[0, NaN], [4097, Infinity], [64 * 9 * 128 - 1, -Infinity]]) {
    const w = randomWeights(g, 1);
    w.get('c').weight[at] = bad;
    if (at + 3 < w.get('c').weight.length) w.get('c').weight[at + 3] = NaN;
    let err;
    try { await compile(g, { weights: w }); } catch (e) { err = e; }
    assert.ok(err instanceof RangeError && err.message === `weights of "c" (conv2d): weight[${at}] is ${bad}; weights must be finite`, err?.message);
  }
  // the same from the depthwise and fc ops, which check theirs as they pack (a folded batch norm too)
  const d = new GraphBuilder('widedw');
  const dwIn = d.input([1, 4, 4, 512]);
  const dg = d.output(d.fc(d.flatten(d.batchnorm(d.conv2d(dwIn, { outChannels: 512, kernel: 3, pad: 1, groups: 512 }, 'dw'), {}, 'bn')), { outFeatures: 10 }, 'head'));
  for (const [layer, op, at] of [['dw', 'conv2d', 4100], ['head', 'fc', 8000]]) {
    const w = randomWeights(dg, 1);
    w.get(layer).weight[at] = NaN;
    let err;
    try { await compile(dg, { weights: w }); } catch (e) { err = e; }
    assert.ok(err instanceof RangeError && err.message === `weights of "${layer}" (${op}): weight[${at}] is NaN; weights must be finite`, err?.message);
  }
  const w = randomWeights(g, 1);
  const net = await compile(g, { weights: w });
  const before = net.run(x);
  const nan = Float32Array.from(w.get('c').weight);
  nan[5000] = NaN;
  assert.throws(() => net.setWeights('c', { weight: nan, bias: w.get('c').bias }), /weight\[5000\] is NaN/);
  assert.equal(net.run(x), before, 'same output after the refused weights');
  // the check's staging block is freed and handed out again: refusals do not add up
  const mem = net.memoryBytes;
  for (let i = 0; i < 20; i++) assert.throws(() => net.setWeights('c', { weight: nan, bias: w.get('c').bias }), RangeError);
  assert.is(net.memoryBytes, mem);
  net.dispose();
});

test('setWeights and profile: bad arguments are clear errors and the network keeps working', async () => {
  const g = valid();
  const w = randomWeights(g, 2);
  const net = await compile(g, { weights: new Map([...w].map(([k, v]) => [k, { ...v }])) });
  const x = randomArray(mulberry32(9), 256);
  const before = net.run(x);
  const throwsLike = (fn, Cls, pattern) => {
    try { fn(); } catch (e) {
      assert.ok(e instanceof Cls, `${pattern}: got ${e?.constructor?.name}: ${e?.message}`);
      assert.match(e.message, pattern);
      return;
    }
    assert.unreachable(`${pattern}: no error`);
  };
  throwsLike(() => net.setWeights('conv', null), TypeError, /setWeights\("conv"\): weights must be an object/);
  throwsLike(() => net.setWeights(null, {}), TypeError, /setWeights: name must be a layer name/);
  throwsLike(() => net.setWeights('relu', {}), RangeError, /layer "relu" \(relu\) has no weights/);
  throwsLike(() => net.setWeights('bn', { ...w.get('bn'), variance: new Float32Array(8).fill(-1) }), RangeError, /variance\[0\] is -1/);
  throwsLike(() => net.setWeights('conv', { weight: new Float32Array(288).fill(NaN), bias: w.get('conv').bias }), RangeError, /weight\[0\] is NaN/);
  throwsLike(() => net.profile(x, 0), RangeError, /runs must be a positive integer, got 0/);
  throwsLike(() => net.profile(x, 1.5), RangeError, /runs must be a positive integer/);
  throwsLike(() => net.run(x, null), TypeError, /options must be an object/);
  assert.equal(net.run(x), before, 'nothing changed');
  // a good setWeights still re-folds the batch norm
  net.setWeights('bn', { ...w.get('bn'), gamma: new Float32Array(8).fill(2) });
  const w2 = new Map(w);
  w2.set('bn', { ...w.get('bn'), gamma: new Float32Array(8).fill(2) });
  assert.ok(relDiff(net.run(x), runGraph(g, w2, x).data) < 1e-5);
  net.dispose();
});

test('compile options are checked', async () => {
  const g = valid();
  for (const [opts, Cls, pattern] of [
    [null, TypeError, /compile options must be an object/],
    [{ winograd: 3 }, TypeError, /winograd must be 'auto', 'off', 2 or 4/],
    [{ wingorad: 'off' }, TypeError, /unknown option\(s\) wingorad/],
    [{ weights: {} }, TypeError, /weights must be a Map/],
    [{ seed: 'x' }, TypeError, /seed must be an integer/],
  ]) {
    let err;
    try { await compile(g, opts); } catch (e) { err = e; }
    assert.ok(err instanceof Cls && pattern.test(err.message), `${pattern}: ${err?.message}`);
  }
});

test.run();
