// GoogLeNet at 16-31 pixels ends its stem or a stage on a map smaller than a 3x3 stride-2
// ceil-mode pool (PyTorch gives 1x1 there): the graph builder accepted these sizes, the ops
// refused them and run() threw. Now every such net runs and matches the reference executor.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildModel, compile, randomWeights } from '../../dist/index.js';
import { runGraph } from '../reference/graph.mjs';
import { relDiff } from '../reference/close.mjs';
import { mulberry32, randomArray } from '../reference/rng.mjs';

test('googlenet compiles and runs at every input size 16..31, matching the reference', async () => {
  for (let r = 16; r <= 31; r++) {
    const graph = buildModel('googlenet', { resolution: r });
    const weights = randomWeights(graph, r);
    const x = randomArray(mulberry32(r), graph.nodes[0].outShape.reduce((a, b) => a * b, 1));
    const net = await compile(graph, { weights });
    try {
      const got = net.run(x);
      assert.ok(got.every(Number.isFinite), `resolution ${r}: non-finite output`);
      if (r === 16 || r === 23 || r === 31) {
        const d = relDiff(got, runGraph(graph, weights, x).data);
        assert.ok(d <= 1e-4, `resolution ${r}: relative difference ${d.toExponential(2)} > 1e-4`);
      }
    } finally {
      net.dispose();
    }
  }
});

test.run();
