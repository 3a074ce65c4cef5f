// A graph compiled on one thread and on two, against the reference executor: the one-thread
// output within `tol` (max |diff| / max |reference|) and the two-thread output the same bits.
import * as assert from 'uvu/assert';
import { compile } from '../../dist/index.js';
import { runGraph } from './graph.mjs';
import { relDiff } from './close.mjs';

/** Runs `graph` with `weights` on `input` both ways; `label` names the case in a failure. */
export async function checkCompiledAndThreads(graph, weights, input, label, tol = 1e-5) {
  const one = await compile(graph, { weights }), two = await compile(graph, { weights, threads: 2 });
  try {
    const y = one.run(input);
    const d = relDiff(y, runGraph(graph, weights, input).data);
    assert.ok(d < tol, `${label}: relative difference ${d} against the reference`);
    const y2 = two.run(input);
    for (let i = 0; i < y.length; i++) if (!Object.is(y[i], y2[i])) assert.unreachable(`${label}: threads differ at ${i}`);
  } finally {
    one.dispose(); two.dispose();
  }
}
