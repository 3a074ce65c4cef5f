// Browser side of report.html: reads the embedded data set and draws the charts with Chart.js
// (inlined as its UMD build before this module, so the page needs no network). Compiled by tsc
// like the rest of src/ and inlined by html.ts as a module script; only types are imported.

import type { BatchPoint, LinearFit, ReportData, ReportRow } from './data.js';

const Chart = (globalThis as any).Chart;
const data: ReportData = JSON.parse(document.getElementById('report-data')!.textContent!);
const rendered: string[] = [];

const FAMILY_COLORS: Record<string, string> = {
  alexnet: '#8c564b', vgg: '#d62728', googlenet: '#2ca02c', inception_v2: '#17becf', inception_v3: '#1f77b4',
  inception_v4: '#393b79', resnet: '#ff7f0e', mobilenet_v1: '#9467bd', mobilenet_v2: '#e377c2',
  inception_resnet_v2: '#6b6ecf', densenet: '#bcbd22', dpn: '#8c6d31', senet: '#e6550d', squeezenet: '#31a354',
  shufflenet: '#7b4173', xception: '#3182bd',
};
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf',
  '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd', '#e6550d', '#31a354', '#756bb1', '#636363', '#9c9ede'];
const CLASS_COLORS: Record<string, string> = {
  conv: '#1f77b4', conv1x1: '#ff7f0e', dwconv: '#2ca02c', fc: '#d62728', pool: '#9467bd', eltwise: '#8c564b', other: '#7f7f7f',
};
const familyColor = (r: ReportRow) => FAMILY_COLORS[r.family] ?? '#555';
const modelColor = (i: number) => PALETTE[i % PALETTE.length]!;
const alpha = (hex: string, a: number) => hex + Math.round(a * 255).toString(16).padStart(2, '0');

/** Draws `pointLabels[i]` next to point i of every dataset that has them (Chart.js has no labels built in). */
const pointLabelPlugin = {
  id: 'pointLabels',
  afterDatasetsDraw(chart: any) {
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = '11px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.textBaseline = 'middle';
    chart.data.datasets.forEach((ds: any, i: number) => {
      if (!ds.pointLabels || !chart.isDatasetVisible(i)) return;
      chart.getDatasetMeta(i).data.forEach((el: any, j: number) => {
        const label = ds.pointLabels[j];
        if (!label || el.skip) return;
        const r = el.options?.radius ?? 3;
        ctx.fillText(label, el.x + r + 3, el.y);
      });
    });
    ctx.restore();
  },
};

function note(id: string, text: string): void {
  const el = document.querySelector(`#${id} .note`);
  if (el) el.textContent = text;
}

function chart(id: string, config: any): void {
  const canvas = document.querySelector<HTMLCanvasElement>(`#${id} canvas`)!;
  config.options = {
    animation: false, responsive: true, maintainAspectRatio: false,
    ...config.options,
    plugins: { ...(config.options?.plugins ?? {}) },
  };
  config.plugins = [...(config.plugins ?? []), pointLabelPlugin];
  new Chart(canvas, config);
  rendered.push(id);
}

/** The adapter's note for one half of the predictions ('TX1: …', 'here: …'). */
const predictionNote = (half: string) =>
  data.prediction.notes.find((n) => n.startsWith(`${half}:`))?.slice(half.length + 1).trim() ?? data.prediction.notes.join('; ');

const axisTitle = (text: string) => ({ display: true, text });

/** Log-axis ticks labelled at 1, 2, 3 and 5 × 10^k only; Chart.js would also label the axis ends. */
const logTicks = {
  callback(v: number) {
    const m = v / 10 ** Math.floor(Math.log10(v) + 1e-9);
    return [1, 2, 3, 5].some((k) => Math.abs(m - k) < 1e-6) ? String(+v.toPrecision(3)) : '';
  },
  autoSkip: false,
};
const gmac = (r: ReportRow) => r.macs / 1e9;
const fitEnds = (f: LinearFit, xs: number[]) => {
  const lo = Math.min(0, ...xs), hi = Math.max(...xs) * 1.05;
  return [{ x: lo, y: f.intercept + f.slope * lo }, { x: hi, y: f.intercept + f.slope * hi }];
};
const fitLabel = (name: string, f: LinearFit) =>
  `${name} fit: ${f.intercept.toFixed(1)} + ${f.slope.toFixed(2)}·GMAC ms (r² ${f.r2.toFixed(2)})`;

// Per-model line datasets over CURVE_BATCHES: solid with points for `solid`, dashed for `dashed`
// (a model's two lines share its colour; the legend shows one entry per model and toggles both).
function modelLines(rows: ReportRow[], solid: (r: ReportRow) => (number | null)[] | null, dashed: (r: ReportRow) => (number | null)[] | null): any[] {
  const out: any[] = [];
  rows.forEach((r, i) => {
    const c = modelColor(i), a = solid(r), b = dashed(r);
    if (a) out.push({ label: r.model, model: r.model, data: a, borderColor: c, backgroundColor: c, pointRadius: 3, borderWidth: 1.5, spanGaps: true });
    if (b) out.push({ label: `${r.model} (predicted)`, model: r.model, predicted: true, data: b, borderColor: c, backgroundColor: c, borderDash: [5, 4], pointRadius: 0, borderWidth: 1.5, spanGaps: true });
  });
  return out;
}
const modelLegend = {
  position: 'right',
  labels: {
    boxWidth: 12, font: { size: 10 },
    filter: (item: any, d: any) => {
      const ds = d.datasets[item.datasetIndex];
      return !ds.predicted || !d.datasets.some((o: any) => o.model === ds.model && !o.predicted);
    },
  },
  onClick: (_e: any, item: any, legend: any) => {
    const c = legend.chart, model = c.data.datasets[item.datasetIndex].model;
    const show = !c.isDatasetVisible(item.datasetIndex);
    c.data.datasets.forEach((ds: any, i: number) => { if (ds.model === model) c.setDatasetVisibility(i, show); });
    c.update();
  },
};
const BATCHES = [1, 2, 4, 8, 16, 32, 64];
const gpuAt = (r: ReportRow, device: string, key: 'energyMjPerImage' | 'memoryBytes', scale = 1) => {
  const pts = r.gpu[device];
  if (!pts?.length || pts.every((p) => p[key] === null)) return null;
  return BATCHES.map((b) => { const v = pts.find((p) => p.batch === b)?.[key]; return v === null || v === undefined ? null : v * scale; });
};

// 1. Top-1 accuracy vs MACs, bubble size = params (Canziani et al. 2016, Fig. 1–2).
function accuracyVsMacs(): void {
  const rows = data.rows.filter((r) => r.top1);
  if (!rows.length) {
    note('chart-accuracy', 'No model of this run has a published top-1 accuracy.');
    return;
  }
  const maxParams = Math.max(...data.rows.map((r) => r.params));
  chart('chart-accuracy', {
    type: 'bubble',
    data: {
      datasets: rows.map((r) => ({
        label: r.model,
        data: [{ x: gmac(r), y: r.top1!.percent, r: 4 + 26 * Math.sqrt(r.params / maxParams), params: r.params }],
        backgroundColor: alpha(familyColor(r), 0.45), borderColor: familyColor(r),
        pointLabels: [r.model],
      })),
    },
    options: {
      // Room around the extremes so the largest bubbles are not cut by the plot area.
      scales: {
        x: { type: 'logarithmic', ticks: logTicks, min: Math.min(...rows.map(gmac)) / 1.8, max: Math.max(...rows.map(gmac)) * 1.8, title: axisTitle('GMACs per image (log)') },
        y: { min: Math.floor(Math.min(...rows.map((r) => r.top1!.percent)) - 3), max: Math.ceil(Math.max(...rows.map((r) => r.top1!.percent)) + 3), title: axisTitle('top-1 accuracy, %') },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c: any) => `${c.dataset.label}: ${c.raw.y}% top-1, ${c.raw.x.toFixed(2)} GMAC, ${(c.raw.params / 1e6).toFixed(1)} M params` } },
      },
    },
  });
  const missing = data.rows.filter((r) => !r.top1).map((r) => r.model);
  note('chart-accuracy', `Bubble area ∝ parameters (largest: ${(maxParams / 1e6).toFixed(0)} M).` +
    (missing.length ? ` No published top-1 for ${missing.join(', ')}.` : ''));
}

// 2. TX1 ms per image vs batch size: published points, predicted curves (Fig. 3).
function tx1VsBatch(): void {
  const at = (pts: BatchPoint[]) => (pts.length ? BATCHES.map((b) => pts.find((p) => p.batch === b)?.msPerImage ?? null) : null);
  const rows = data.rows.filter((r) => r.tx1.measured.length || r.tx1.predicted.length);
  chart('chart-tx1-batch', {
    type: 'line',
    data: { labels: BATCHES.map(String), datasets: modelLines(rows, (r) => at(r.tx1.measured), (r) => at(r.tx1.predicted)) },
    options: {
      scales: { x: { title: axisTitle('batch size') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('Jetson TX1 ms per image (log)') } },
      plugins: { legend: modelLegend },
    },
  });
  const anyPred = rows.some((r) => r.tx1.predicted.length);
  note('chart-tx1-batch', 'Solid with points: measured by Bianco et al. 2018 (Table 1b, PyTorch + cuDNN on the TX1). Click a model to show or hide it. ' +
    (anyPred ? 'Dashed: the latency model\'s TX1 profile.' : `No predicted curves: ${predictionNote('TX1')}.`) +
    (rows.length ? '' : ' No model of this run has TX1 data.'));
}

// 3. Batch-1 time vs MACs with the least-squares line, TX1 and here (Fig. 7).
function timeVsMacs(): void {
  const tx1 = data.rows.filter((r) => r.tx1.measuredB1 !== null);
  const here = data.rows.filter((r) => r.measured);
  const datasets: any[] = [
    { type: 'scatter', label: 'TX1, published (Bianco et al. 2018)', data: tx1.map((r) => ({ x: gmac(r), y: r.tx1.measuredB1 })), backgroundColor: '#d62728', pointRadius: 4 },
    { type: 'scatter', label: 'this machine, simdnet', data: here.map((r) => ({ x: gmac(r), y: r.measured!.medianMs })), backgroundColor: '#1f77b4', pointStyle: 'rectRot', pointRadius: 5, pointLabels: here.map((r) => r.model) },
  ];
  const { tx1: f1, here: f2 } = data.fits;
  if (f1) datasets.push({ type: 'line', label: fitLabel('TX1', f1), data: fitEnds(f1, tx1.map(gmac)), borderColor: '#d62728', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
  if (f2) datasets.push({ type: 'line', label: fitLabel('here', f2), data: fitEnds(f2, here.map(gmac)), borderColor: '#1f77b4', borderDash: [6, 4], pointRadius: 0, borderWidth: 1.5 });
  chart('chart-time-macs', {
    type: 'scatter',
    data: { datasets },
    options: { scales: { x: { type: 'linear', title: axisTitle('GMACs per image') }, y: { title: axisTitle('ms per image, batch 1') } } },
  });
  note('chart-time-macs', 'Canziani et al. 2016 found inference time linear in operations; the dashed lines are least-squares fits.');
}

// 4. Predicted vs measured here, with the ±15% band.
function predictedVsMeasured(): void {
  const rows = data.rows.filter((r) => r.measured);
  const pts = rows.filter((r) => r.hostPredictedMs !== null);
  if (!rows.length) {
    note('chart-pred-meas', 'No model was measured in this run.');
    return;
  }
  const xs = rows.flatMap((r) => [r.measured!.minMs, r.measured!.maxMs]);
  const lo = Math.max(0.1, Math.min(...xs, ...pts.map((r) => r.hostPredictedMs!)) * 0.7);
  const hi = Math.max(...xs, ...pts.map((r) => r.hostPredictedMs!)) * 1.4;
  const line = (k: number) => [{ x: lo, y: lo * k }, { x: hi, y: hi * k }];
  chart('chart-pred-meas', {
    type: 'scatter',
    data: {
      datasets: [
        { type: 'line', label: '+15%', data: line(1.15), borderColor: '#9ecae1', pointRadius: 0, borderWidth: 1, fill: false },
        { type: 'line', label: '±15% band', data: line(0.85), borderColor: '#9ecae1', backgroundColor: 'rgba(158,202,225,0.25)', pointRadius: 0, borderWidth: 1, fill: '-1' },
        { type: 'line', label: 'predicted = measured', data: line(1), borderColor: '#555', borderDash: [4, 4], pointRadius: 0, borderWidth: 1 },
        // the measured spread: a horizontal bar from the fastest to the slowest run
        ...pts.map((r, i) => ({
          type: 'line', label: i === 0 ? 'measured spread (fastest to slowest run)' : `spread ${r.model}`, spread: i > 0,
          data: [{ x: r.measured!.minMs, y: r.hostPredictedMs }, { x: r.measured!.maxMs, y: r.hostPredictedMs }],
          borderColor: r.hostWithinBand ? '#2ca02c' : '#d62728', pointRadius: 0, borderWidth: 2,
        })),
        {
          label: 'models (median)', data: pts.map((r) => ({ x: r.measured!.medianMs, y: r.hostPredictedMs })),
          backgroundColor: pts.map((r) => (r.hostWithinBand ? '#2ca02c' : '#d62728')), pointRadius: 5,
          pointLabels: pts.map((r) => r.model),
        },
      ],
    },
    options: {
      scales: {
        x: { type: 'logarithmic', ticks: logTicks, min: lo, max: hi, title: axisTitle('measured ms, batch 1 (log)') },
        y: { type: 'logarithmic', ticks: logTicks, min: lo, max: hi, title: axisTitle('predicted ms, host profile (log)') },
      },
      plugins: { legend: { labels: { filter: (item: any, d: any) => item.text !== '+15%' && !d.datasets[item.datasetIndex].spread } } },
    },
  });
  const within = pts.filter((r) => r.hostWithinBand).length;
  note('chart-pred-meas', pts.length
    ? `${within} of ${pts.length} models within ±15% of the measured spread (green inside, red outside): a prediction between the ` +
      'fastest and the slowest run counts as exact, else its error is taken from the nearer end, so a noisy machine widens the bars, not the errors.'
    : `No host predictions: ${predictionNote('here')}.`);
}

// 5. Per layer class, share of MACs and of params (MobileNet paper, Table 2).
function breakdown(): void {
  const classes = ['conv', 'conv1x1', 'dwconv', 'fc', 'pool', 'eltwise', 'other'].filter((c) =>
    data.rows.some((r) => r.byOp.some((b) => b.opClass === c && (b.macs > 0 || b.params > 0))));
  const bars = (id: string, key: 'macsShare' | 'paramsShare', title: string) => chart(id, {
    type: 'bar',
    data: {
      labels: data.rows.map((r) => r.model),
      datasets: classes.map((c) => ({
        label: c, backgroundColor: CLASS_COLORS[c],
        data: data.rows.map((r) => 100 * (r.byOp.find((b) => b.opClass === c)?.[key] ?? 0)),
      })),
    },
    options: {
      indexAxis: 'y',
      scales: { x: { stacked: true, max: 100, title: axisTitle(title) }, y: { stacked: true } },
      plugins: { tooltip: { callbacks: { label: (t: any) => `${t.dataset.label}: ${t.raw.toFixed(1)}%` } } },
    },
  });
  bars('chart-breakdown-macs', 'macsShare', '% of MACs');
  bars('chart-breakdown-params', 'paramsShare', '% of parameters');
}

// 6. The peer comparison of BENCHMARKS.md (npm run bench:peers).
function peers(): void {
  const p = data.peers;
  if (!p) {
    note('chart-peers', 'No peer table: run `npm run bench:peers` and keep its table in BENCHMARKS.md.');
    document.querySelector('#chart-peers .chart-box')?.remove();
    return;
  }
  chart('chart-peers', {
    type: 'bar',
    data: {
      labels: p.rows.map((r) => (r.batch > 1 ? `${r.model} ×${r.batch}` : r.model)),
      datasets: p.engines.map((e, i) => ({ label: e, backgroundColor: modelColor(i), data: p.rows.map((r) => r.ms[e] ?? null) })),
    },
    options: { scales: { y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('ms per batch, median (log)') } } },
  });
  note('chart-peers', p.measuredInRun
    ? `Measured in this run by bench/peers (${p.section ?? 'versions in its output'}): one thread each, same graph, weights and input, runs interleaved.`
    : `Not measured in this run: recorded earlier in ${p.source}${p.section ? `, section “${p.section}”` : ''}, where the machine, versions and load are stated ` +
      '(one thread each, same graph, weights and input). `simdnet report --peers` measures them now, from a clone with the peers installed.');
}

// 7. Power and energy per image vs batch size (Canziani et al. 2016: power vs batch, energy per image).
function powerAndEnergy(): void {
  const devs = data.devices.filter((d) => d.watts !== null);
  if (!devs.length) {
    note('chart-power', 'No device profile with a power figure in this build.');
    note('chart-energy', `No predicted energy: ${predictionNote('TX1')}.`);
    return;
  }
  chart('chart-power', {
    type: 'line',
    data: { labels: BATCHES.map(String), datasets: devs.map((d, i) => ({ label: `${d.name} (${d.watts} W)`, data: BATCHES.map(() => d.watts), borderColor: modelColor(i), backgroundColor: modelColor(i), pointRadius: 3 })) },
    options: { scales: { x: { title: axisTitle('batch size') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('board power, W (log)') } } },
  });
  note('chart-power', devs.map((d) => `${d.name}: ${d.powerSource}`).join(' — ') +
    '. Canziani et al. measured the TX1\'s power nearly independent of batch size and network, so each profile carries one figure.');
  const rows = data.rows.filter((r) => devs.some((d) => gpuAt(r, d.name, 'energyMjPerImage')));
  const [a, b] = [devs[0]!.name, devs[1]?.name];
  chart('chart-energy', {
    type: 'line',
    data: { labels: BATCHES.map(String), datasets: modelLines(rows, (r) => gpuAt(r, a, 'energyMjPerImage'), (r) => (b ? gpuAt(r, b, 'energyMjPerImage') : null)) },
    options: {
      scales: { x: { title: axisTitle('batch size') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('mJ per image (log)') } },
      plugins: { legend: modelLegend },
    },
  });
  note('chart-energy', `Predicted energy per image = board power × predicted ms per image. Solid: ${a}` + (b ? `; dashed: ${b}.` : '.') +
    ' Click a model to show or hide it.');
}

// 8. GPU memory vs batch size (Canziani et al. 2016, Fig. 5): Titan Xp published and predicted.
function memoryVsBatch(): void {
  const gb = (pts: { batch: number; bytes: number }[]) => (pts.length ? BATCHES.map((b) => { const p = pts.find((q) => q.batch === b); return p ? p.bytes / 1e9 : null; }) : null);
  const rows = data.rows.filter((r) => r.memory.titanXpMeasured.length || gpuAt(r, 'titan-xp', 'memoryBytes'));
  if (!rows.length) {
    note('chart-memory-batch', 'No model of this run has Titan Xp memory data or a memory prediction.');
    return;
  }
  chart('chart-memory-batch', {
    type: 'line',
    data: { labels: BATCHES.map(String), datasets: modelLines(rows, (r) => gb(r.memory.titanXpMeasured), (r) => gpuAt(r, 'titan-xp', 'memoryBytes', 1e-9)) },
    options: {
      scales: { x: { title: axisTitle('batch size') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('Titan Xp GPU memory, GB (log)') } },
      plugins: { legend: modelLegend },
    },
  });
  note('chart-memory-batch', 'Solid with points: published by Bianco et al. 2018 (Table 2, PyTorch on the Titan Xp). Dashed: predicted ' +
    '(framework floor + weights + peak live activations, fitted to that table: src/cost/devices/fit-report.md). Click a model to show or hide it.');
}

// 9. Memory vs parameters at batch 1 (Canziani et al. 2016, Fig. 6): Titan Xp and simdnet's own.
function memoryVsParams(): void {
  const at1 = (pts: { batch: number; bytes: number }[]) => pts.find((p) => p.batch === 1)?.bytes ?? null;
  const series = [
    { label: 'Titan Xp, published (Bianco et al. 2018)', color: '#d62728', y: (r: ReportRow) => at1(r.memory.titanXpMeasured), style: 'circle' },
    { label: 'Titan Xp, predicted', color: '#ff9896', y: (r: ReportRow) => r.gpu['titan-xp']?.find((p) => p.batch === 1)?.memoryBytes ?? null, style: 'triangle' },
    { label: 'simdnet wasm memory (planner)', color: '#1f77b4', y: (r: ReportRow) => at1(r.memory.host), style: 'rectRot' },
  ];
  const datasets = series.map((s) => {
    const rows = data.rows.filter((r) => s.y(r) !== null);
    return { label: s.label, data: rows.map((r) => ({ x: r.params / 1e6, y: s.y(r)! / 1e6, model: r.model })), backgroundColor: s.color, pointStyle: s.style, pointRadius: 4 };
  }).filter((d) => d.data.length);
  if (!datasets.length) {
    note('chart-memory-params', 'No memory data in this run.');
    return;
  }
  chart('chart-memory-params', {
    type: 'scatter',
    data: { datasets },
    options: {
      scales: { x: { type: 'logarithmic', ticks: logTicks, title: axisTitle('parameters, M (log)') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('memory at batch 1, MB (log)') } },
      plugins: { tooltip: { callbacks: { label: (c: any) => `${c.raw.model}: ${c.raw.y.toFixed(0)} MB, ${c.raw.x.toFixed(1)} M params` } } },
    },
  });
  note('chart-memory-params', 'The GPU floor (CUDA context and framework, ~0.6-0.9 GB) dominates small networks; simdnet holds the packed weights, ' +
    'one activation arena and a workspace in its wasm memory.');
}

// 10. Accuracy density: top-1 per million parameters (Canziani et al. 2016, Fig. 8).
function accuracyDensity(): void {
  const rows = data.rows.filter((r) => r.top1PerMParams !== null).sort((p, q) => q.top1PerMParams! - p.top1PerMParams!);
  if (!rows.length) {
    note('chart-density', 'No model of this run has a published top-1 accuracy.');
    return;
  }
  chart('chart-density', {
    type: 'bar',
    data: { labels: rows.map((r) => r.model), datasets: [{ label: 'top-1 % per M parameters', data: rows.map((r) => r.top1PerMParams), backgroundColor: rows.map(familyColor) }] },
    options: {
      indexAxis: 'y',
      scales: { x: { type: 'logarithmic', ticks: logTicks, title: axisTitle('top-1 accuracy % per million parameters (log)') } },
      plugins: { legend: { display: false } },
    },
  });
  note('chart-density', 'Information density: how much accuracy each parameter buys (published top-1 over parameter count).');
}

for (const draw of [accuracyVsMacs, tx1VsBatch, timeVsMacs, predictedVsMeasured, breakdown, peers, powerAndEnergy, memoryVsBatch, memoryVsParams, accuracyDensity]) {
  try {
    draw();
  } catch (e) {
    console.error(`report: ${draw.name}: ${e instanceof Error ? e.message : e}`);
  }
}
document.body.dataset.rendered = rendered.join(' ');
