// report.html: one self-contained page. The data set is embedded as JSON, Chart.js as its UMD
// build and the drawing code (client.ts, compiled) as a module script, so the page opens from
// disk with no network.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { hostAgreement, HOST_BAND, type ReportData, type ReportRow } from './data.js';

/** The scripts the page inlines. */
export interface HtmlAssets {
  /** Chart.js UMD build (defines `Chart` on the global object). */
  chartJs: string;
  /** The compiled client.js. */
  client: string;
}

/**
 * Chart.js 4's minified UMD build from node_modules. Its package `exports` do not list the UMD
 * file, so it is found next to the resolved main entry (dist/chart.cjs).
 */
export function loadAssets(): HtmlAssets {
  const require = createRequire(import.meta.url);
  const chartJs = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  const client = readFileSync(new URL('./client.js', import.meta.url), 'utf8');
  return { chartJs, client };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Text safe inside <script>: no "</script" or "<!--" can end or confuse the element. */
const scriptSafe = (s: string) => s.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');

const n = (v: number | null | undefined, d: number) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(d));

function rowHtml(r: ReportRow): string {
  const err = r.hostError === null ? '—' : `${r.hostError >= 0 ? '+' : ''}${(100 * r.hostError).toFixed(1)}%`;
  const cells = [
    esc(r.model), String(r.resolution), n(r.params / 1e6, 2), n(r.macs / 1e9, 3),
    n(r.peakActivationBytes === null ? null : r.peakActivationBytes / 1e6, 1),
    r.top1 ? `<span title="${esc(`${r.top1.network}: ${r.top1.source}`)}">${n(r.top1.percent, 1)}</span>` : '—',
    n(r.top1PerMParams, 2),
    r.measured ? `<span title="min ${n(r.measured.minMs, 1)}, max ${n(r.measured.maxMs, 1)}, ${r.measured.runs} runs">${n(r.measured.medianMs, 1)}</span>` : '—',
    n(r.hostPredictedMs, 1),
    `<span class="${r.hostWithinBand === false ? 'bad' : ''}">${err}</span>`,
    n(r.tx1.predictedB1, 1), n(r.tx1.predictedB16, 1), n(r.tx1.measuredB1, 1), n(r.tx1.measuredB16, 1),
  ];
  return `<tr>${cells.map((c, i) => (i === 0 ? `<th>${c}</th>` : `<td>${c}</td>`)).join('')}</tr>`;
}

function section(id: string, title: string, body: string, height = 420): string {
  return `<section id="${id}"><h2>${esc(title)}</h2><div class="chart-box" style="height:${height}px"><canvas></canvas></div><p class="note"></p>${body}</section>`;
}

/** The page for `data`; pure given the assets. */
export function renderHtml(data: ReportData, assets: HtmlAssets): string {
  const m = data.machine;
  const agree = hostAgreement(data.rows);
  const barHeight = 90 + 22 * data.rows.length;
  const notes = data.rows.flatMap((r) => r.notes.map((t) => `<li>${esc(r.model)}: ${esc(t)}</li>`));
  const sources = [...new Set(data.rows.filter((r) => r.top1).map((r) => r.top1!.source))];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>simdnet report — ${esc(m.cpu)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, Segoe UI, sans-serif; margin: 0 auto; max-width: 1200px; padding: 16px 24px; color: #222; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 17px; margin: 28px 0 6px; }
.meta { color: #555; margin: 0 0 12px; }
table { border-collapse: collapse; font-size: 12.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 7px; border-bottom: 1px solid #e4e4e4; text-align: right; white-space: nowrap; }
thead th { position: sticky; top: 0; background: #f7f7f7; vertical-align: bottom; white-space: normal; }
tbody th { text-align: left; font-weight: 600; }
.table-wrap { overflow-x: auto; }
.chart-box { position: relative; width: 100%; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
.note { color: #555; font-size: 12.5px; margin: 4px 0; }
.bad { color: #c0392b; font-weight: 600; }
footer { color: #666; font-size: 12px; margin-top: 32px; border-top: 1px solid #ddd; }
</style>
</head>
<body>
<h1>simdnet architecture report</h1>
<p class="meta">${esc(m.cpu)}, ${m.cores} cores, ${esc(m.platform)}; Node ${esc(m.node)}; simdnet ${esc(data.simdnet)}
(${esc(m.binary ?? 'unknown')} wasm, one thread). ${data.settings.mode === 'quick' ? 'Quick mode (few runs per model)' : 'Full mode'};
generated ${esc(data.generated)} in ${(data.elapsedMs / 1000).toFixed(0)} s; load average ${data.load.before.toFixed(1)} before,
${data.load.after.toFixed(1)} after${Math.max(data.load.before, data.load.after) > m.cores ? ' <span class="bad">(busy machine: other jobs slowed the measurements)</span>' : ''}.</p>

<div class="table-wrap"><table>
<thead><tr><th>model</th><th>input</th><th>params (M)</th><th>GMACs</th><th>peak activations (MB)</th><th>top-1 %</th>
<th>top-1 % per M params</th><th>here: measured ms</th><th>here: predicted ms</th><th>error</th>
<th>TX1 predicted ms/img b1</th><th>TX1 predicted ms/img b16</th><th>TX1 published ms/img b1</th><th>TX1 published ms/img b16</th></tr></thead>
<tbody>
${data.rows.map(rowHtml).join('\n')}
</tbody></table></div>
<p class="note">Here = simdnet with random weights on this machine, batch 1, median of the timed runs (hover for min/max).
Error = (predicted − measured median) / measured median; a model is flagged when the prediction is more than ±${100 * HOST_BAND}% outside the
measured spread (fastest to slowest run)${agree.n ? `: ${agree.within} of ${agree.n} within` : ''}.
Predictions: ${esc(data.prediction.notes.join('; '))}. TX1 published = Bianco et al. 2018, Table 1b. 1 MAC = one multiply-add.</p>

${section('chart-accuracy', '1. Top-1 accuracy vs operations (bubble size = parameters)', '', 460)}
${section('chart-tx1-batch', '2. Jetson TX1: ms per image vs batch size', '', 540)}
${section('chart-time-macs', '3. Time vs operations, batch 1: Jetson TX1 and this machine', '', 420)}
${section('chart-pred-meas', '4. Predicted vs measured latency on this machine (±15% band)', '', 460)}
<section id="chart-breakdown"><h2>5. Where the work is: share of MACs and parameters per layer class</h2>
<div class="pair"><div id="chart-breakdown-macs"><div class="chart-box" style="height:${barHeight}px"><canvas></canvas></div></div>
<div id="chart-breakdown-params"><div class="chart-box" style="height:${barHeight}px"><canvas></canvas></div></div></div>
<p class="note">conv = k×k convolution, conv1x1 = pointwise, dwconv = depthwise, fc = fully connected (MobileNet paper, Table 2 style).</p></section>
${section('chart-peers', '6. Side by side with TensorFlow.js (wasm) and ONNX Runtime Web', '', 380)}
<section id="chart-power-energy"><h2>7. Power and energy per image vs batch size</h2>
<div class="pair"><div id="chart-power"><div class="chart-box" style="height:380px"><canvas></canvas></div><p class="note"></p></div>
<div id="chart-energy"><div class="chart-box" style="height:540px"><canvas></canvas></div><p class="note"></p></div></div></section>
${section('chart-memory-batch', '8. GPU memory vs batch size (Titan Xp)', '', 540)}
${section('chart-memory-params', '9. Memory vs parameters, batch 1', '', 440)}
${section('chart-density', '10. Accuracy density: top-1 per million parameters', '', 90 + 22 * data.rows.filter((r) => r.top1PerMParams !== null).length)}

${notes.length ? `<h2>Notes</h2><ul class="note">${notes.join('')}</ul>` : ''}
<footer>
<p>Sources. Top-1: ${sources.map(esc).join('; ') || '—'} (data/accuracy/). TX1: S. Bianco, R. Cadene, L. Celona, P. Napoletano,
“Benchmark Analysis of Representative Deep Neural Network Architectures”, IEEE Access 6, 2018 (arXiv:1810.00736), Table 1b.
Charts after A. Canziani, A. Paszke, E. Culurciello, “An Analysis of Deep Neural Network Models for Practical Applications”,
arXiv:1605.07678, 2016. Drawn with Chart.js (MIT), inlined.</p>
</footer>
<script type="application/json" id="report-data">${JSON.stringify(data).replace(/</g, '\\u003c')}</script>
<script>${scriptSafe(assets.chartJs)}</script>
<script type="module">${scriptSafe(assets.client)}</script>
</body>
</html>
`;
}
