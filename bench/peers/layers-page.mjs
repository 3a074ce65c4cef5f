// layers.mjs --chromium: the layer-by-layer comparison inside a cross-origin isolated Chromium page
// (bundled by layers.mjs with rollup). ?model=mobilenet-v1&runs=9[&prefixes=1]
import { compareLayers, comparePrefixes } from './layers-core.mjs';

const q = new URLSearchParams(location.search);
const lines = [];
const log = (l) => { lines.push(l); document.getElementById('log').textContent += l + '\n'; };
try {
  const model = q.get('model') ?? 'mobilenet-v1', runs = Number(q.get('runs') ?? 9);
  const rows = await (q.get('prefixes') === '1' ? comparePrefixes : compareLayers)(model, runs, log);
  window.__result = { rows, lines, userAgent: navigator.userAgent };
} catch (e) {
  window.__result = { rows: null, lines: [...lines, `FAIL ${String(e?.stack ?? e)}`] };
}
