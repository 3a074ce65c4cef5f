// Every zoo network, compiled (BN folded, activations fused, concat in place, planned arena),
// against the naive whole-graph oracle (test/reference/graph.mjs) on random weights and input:
// max |got - want| / max |want| <= 1e-4. Reduced resolutions keep the oracle (about 0.5 GMAC/s)
// quick; mobilenet-v1 and resnet-18 also at the full 224 x 224.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildModel, compile, randomWeights } from '../../dist/index.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

const CASES = [
  ['alexnet', { resolution: 64 }], ['alexnet-2012', { resolution: 75 }],
  ['vgg-11', { resolution: 32 }], ['vgg-11-bn', { resolution: 32 }], ['vgg-13', { resolution: 32 }], ['vgg-13-bn', { resolution: 32 }],
  ['vgg-16', { resolution: 32 }], ['vgg-16-bn', { resolution: 32 }], ['vgg-19', { resolution: 32 }], ['vgg-19-bn', { resolution: 32 }],
  ['googlenet', { resolution: 64, batch: 2 }], ['inception-v2', { resolution: 64 }],
  ['inception-v3', { resolution: 75 }], ['inception-v4', { resolution: 75 }], ['inception-resnet-v2', { resolution: 75 }],
  ['resnet-18', { resolution: 64, batch: 2 }], ['resnet-34', { resolution: 32 }], ['resnet-50', { resolution: 64 }],
  ['resnet-101', { resolution: 32 }], ['resnet-152', { resolution: 32 }],
  ['mobilenet-v1', { resolution: 128 }], ['mobilenet-v1', { resolution: 128, alpha: 0.25 }],
  ['mobilenet-v2', { resolution: 64 }],
  ['shufflenet-g8', { resolution: 64, batch: 2 }], ['shufflenet-g8', {}],
  ['squeezenet-1.0', { resolution: 64 }], ['squeezenet-1.1', { resolution: 64, batch: 2 }],
  ['densenet-121', { resolution: 64, batch: 2 }], ['densenet-161', { resolution: 32 }], ['densenet-169', { resolution: 32 }],
  ['densenet-201', { resolution: 32 }],
  ['resnext-50-32x4d', { resolution: 64 }], ['resnext-101-32x8d', { resolution: 32 }],
  ['resnext-101-32x4d', { resolution: 32 }], ['resnext-101-64x4d', { resolution: 32 }],
  ['xception', { resolution: 71 }],
  ['dpn-68', { resolution: 64, batch: 2 }], ['dpn-98', { resolution: 32 }], ['dpn-131', { resolution: 32 }],
  ['se-resnet-50', { resolution: 64, batch: 2 }], ['se-resnet-101', { resolution: 32 }], ['se-resnet-152', { resolution: 32 }],
  ['se-resnext-50-32x4d', { resolution: 64 }], ['se-resnext-101-32x4d', { resolution: 32 }], ['senet-154', { resolution: 32 }],
  ['caffe-resnet-101', { resolution: 32 }], ['fbresnet-152', { resolution: 32 }], ['bvlc-googlenet', { resolution: 64 }],
  ['mobilenet-v1', {}], ['resnet-18', {}],
];

for (const [name, opts] of CASES) {
  test(`${name} ${JSON.stringify(opts)} matches the reference executor within 1e-4`, async () => {
    const graph = buildModel(name, opts);
    const weights = randomWeights(graph, 7);
    const n = graph.nodes[0].outShape.reduce((a, b) => a * b, 1);
    const x = randomArray(mulberry32(3), n);
    const net = await compile(graph, { weights });
    try {
      const got = net.run(x);
      const want = runGraph(graph, weights, x).data;
      assert.is(got.length, want.length);
      const d = relDiff(got, want);
      assert.ok(d <= 1e-4, `${name}: relative difference ${d.toExponential(2)} > 1e-4`);
      assert.ok(want.some((v) => v !== 0), 'reference output is all zeros: the test would prove nothing');
    } finally {
      net.dispose();
    }
  });
}

test.run();
