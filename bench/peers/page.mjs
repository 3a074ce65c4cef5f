// The peers benchmark inside a Chromium page (bundled by browser.mjs with rollup: tfjs, ONNX
// Runtime Web, LiteRT.js, flatbuffers, protobufjs and simdnet's dist in one module). ?threads=N&runs=R&warmup=W&models=a,b:8
import * as simdnet from '../../dist/index.js';
import * as us from './simdnet.mjs';
import * as tfjs from './tfjs.mjs';
import * as ort from './ort.mjs';
import * as litert from './litert.mjs';
import { benchModel, line } from './common.mjs';

const q = new URLSearchParams(location.search);
const threads = Number(q.get('threads') ?? 1);
const lines = [];
const log = (l) => { lines.push(l); document.getElementById('log').textContent += l + '\n'; };
try {
  const engines = [us, tfjs, ort, litert];
  const versions = {};
  for (const e of engines) {
    e.setThreads(threads);
    versions[e.name] = await e.describe();
  }
  log(`versions ${JSON.stringify(versions)}; cross-origin isolated: ${self.crossOriginIsolated}`);
  const settings = { runs: Number(q.get('runs') ?? 15), warmup: Number(q.get('warmup') ?? 3), tolerance: 1e-4, gapMs: threads > 1 ? 50 : 0 };
  const results = [];
  for (const spec of (q.get('models') ?? 'mobilenet-v1').split(',')) {
    const [name, batch = '1'] = spec.split(':');
    const row = { model: name, batch: Number(batch) };
    results.push(row);
    try {
      const ok = await benchModel(simdnet, engines, { name, batch: Number(batch) }, settings, row);
      log(ok ? line(row, engines) : `${spec}: MISMATCH ${row.mismatch.join('; ')}`);
    } catch (e) {
      row.error = String(e?.stack ?? e);
      log(`${spec}: ERROR ${row.error}`);
    }
  }
  // what each engine reports once it has run (tfjs knows its pthread count only then)
  const versionsAfter = {};
  for (const e of engines) versionsAfter[e.name] = await e.describe();
  log(`after the runs: ${JSON.stringify(Object.fromEntries(Object.entries(versionsAfter).map(([k, v]) => [k, v.threads])))}`);
  window.__result = { versions, versionsAfter, settings: { ...settings, threads }, userAgent: navigator.userAgent, results, lines };
} catch (e) {
  window.__result = { results: null, lines: [...lines, `FAIL ${String(e?.stack ?? e)}`] };
}
