// Browser side of report.html: reads the embedded data set and draws the six charts with Chart.js
// (inlined as its UMD build before this module, so the page needs no network). Compiled by tsc
// like the rest of src/ and inlined by html.ts as a module script; only types are imported.

import type { BatchPoint, LinearFit, ReportData, ReportRow } from './data.js';

const Chart = (globalThis as any).Chart;
const data: ReportData = JSON.parse(document.getElementById('report-data')!.textContent!);
const rendered: string[] = [];

const FAMILY_COLORS: Record<string, string> = {
  alexnet: '#8c564b', vgg: '#d62728', googlenet: '#2ca02c', inception_v2: '#17becf', inception_v3: '#1f77b4',
  inception_v4: '#393b79', resnet: '#ff7f0e', mobilenet_v1: '#9467bd', mobilenet_v2: '#e377c2',
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
  const batches = [1, 2, 4, 8, 16, 32, 64];
  const at = (pts: BatchPoint[]) => batches.map((b) => pts.find((p) => p.batch === b)?.msPerImage ?? null);
  const rows = data.rows.filter((r) => r.tx1.measured.length || r.tx1.predicted.length);
  const datasets: any[] = [];
  rows.forEach((r, i) => {
    const c = modelColor(i);
    if (r.tx1.measured.length) {
      datasets.push({ label: r.model, model: r.model, data: at(r.tx1.measured), borderColor: c, backgroundColor: c, pointRadius: 3, borderWidth: 1.5, spanGaps: true });
    }
    if (r.tx1.predicted.length) {
      datasets.push({ label: `${r.model} (predicted)`, model: r.model, predicted: true, data: at(r.tx1.predicted), borderColor: c, backgroundColor: c, borderDash: [5, 4], pointRadius: 0, borderWidth: 1.5, spanGaps: true });
    }
  });
  chart('chart-tx1-batch', {
    type: 'line',
    data: { labels: batches.map(String), datasets },
    options: {
      scales: { x: { title: axisTitle('batch size') }, y: { type: 'logarithmic', ticks: logTicks, title: axisTitle('Jetson TX1 ms per image (log)') } },
      plugins: {
        legend: {
          position: 'right',
          // One entry per model (the dashed curve shares its colour); a click shows or hides both.
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
        },
      },
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
  const xs = rows.map((r) => r.measured!.medianMs);
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
        {
          label: 'models', data: pts.map((r) => ({ x: r.measured!.medianMs, y: r.hostPredictedMs })),
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
      plugins: { legend: { labels: { filter: (item: any) => item.text !== '+15%' } } },
    },
  });
  const within = pts.filter((r) => r.hostWithinBand).length;
  note('chart-pred-meas', pts.length
    ? `${within} of ${pts.length} models within ±15% (green inside, red outside the band).`
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
  note('chart-peers', `From ${p.source}: one thread each, same graph, weights and input.`);
}

for (const draw of [accuracyVsMacs, tx1VsBatch, timeVsMacs, predictedVsMeasured, breakdown, peers]) {
  try {
    draw();
  } catch (e) {
    console.error(`report: ${draw.name}: ${e instanceof Error ? e.message : e}`);
  }
}
document.body.dataset.rendered = rendered.join(' ');
