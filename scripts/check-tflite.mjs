// Every zoo network at its full resolution, exported with toTFLite and run by LiteRT.js
// (accelerator 'wasm': TFLite + XNNPACK) against simdnet's compiled network: same weights
// (randomWeights(graph, 1)), same unit-normal input; max |litert - simdnet| / max |simdnet| must
// be <= 1e-4. Takes minutes (the weights, 5 to 460 MB a network, dominate); `npm test` runs one
// or two networks of each family at reduced resolution instead (test/tflite.test.mjs).
//   npm run check:tflite [-- mobilenet-v1,resnet-50]
import { MODELS, buildModel, randomWeights } from '../dist/index.js';
import * as us from '../bench/peers/simdnet.mjs';
import * as litert from '../bench/peers/litert.mjs';
import { randomInput, relDiff } from '../bench/peers/common.mjs';

const TOLERANCE = 1e-4;
const arg = process.argv[2];
const known = new Set(MODELS.map((m) => m.name));
const names = arg ? arg.split(',') : [...known];
for (const n of names) if (!known.has(n)) { console.error(`check:tflite: unknown model "${n}"`); process.exit(2); }
console.log(`LiteRT.js ${JSON.stringify(await litert.describe())}; tolerance ${TOLERANCE}`);
let bad = 0;
let worst = 0;
for (const name of names) {
  const g = buildModel(name);
  const w = randomWeights(g, 1);
  const shape = g.nodes.find((n) => n.name === g.input).outShape;
  const x = randomInput(shape.reduce((a, b) => a * b, 1));
  const a = await us.prepare(g, w);
  let line;
  try {
    const b = await litert.prepare(g, w);
    try {
      const d = relDiff(await b.run(x), await a.run(x));
      worst = Math.max(worst, d);
      if (!(d <= TOLERANCE)) bad++;
      line = `${name.padEnd(22)} ${shape.join('x').padEnd(12)} ${d.toExponential(2)}${d <= TOLERANCE ? '' : '  MISMATCH'}`;
    } finally {
      b.dispose();
    }
  } catch (e) {
    bad++;
    line = `${name.padEnd(22)} ERROR ${e instanceof Error ? e.message : e}`;
  } finally {
    a.dispose();
  }
  console.log(line);
}
console.log(`${names.length - bad} of ${names.length} within ${TOLERANCE}; worst ${worst.toExponential(2)}`);
process.exit(bad ? 1 : 0);
