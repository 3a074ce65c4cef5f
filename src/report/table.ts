// The terminal view of the report: one row per model, then the fits and the footnotes.

import { hostAgreement, HOST_BAND, type LinearFit, type ReportData } from './data.js';

const DASH = '—';

function num(v: number | null | undefined, digits: number): string {
  return v === null || v === undefined || !Number.isFinite(v) ? DASH : v.toFixed(digits);
}

function pctSigned(v: number | null): string {
  return v === null ? DASH : `${v >= 0 ? '+' : ''}${(100 * v).toFixed(1)}%`;
}

/** Columns: header, right-aligned, cell of a row. */
const COLUMNS: [string, (r: ReportData['rows'][number]) => string][] = [
  ['model', (r) => r.model],
  ['res', (r) => String(r.resolution)],
  ['params M', (r) => num(r.params / 1e6, 2)],
  ['GMAC', (r) => num(r.macs / 1e9, 3)],
  ['peak act MB', (r) => num(r.peakActivationBytes === null ? null : r.peakActivationBytes / 1e6, 1)],
  ['top-1 %', (r) => num(r.top1?.percent, 1)],
  ['top-1/Mparam', (r) => num(r.top1PerMParams, 2)],
  ['here ms', (r) => num(r.measured?.medianMs, 1)],
  ['runs', (r) => (r.measured ? String(r.measured.runs) : DASH)],
  ['pred ms', (r) => num(r.hostPredictedMs, 1)],
  ['err', (r) => pctSigned(r.hostError) + (r.hostWithinBand === false ? '!' : '')],
  ['TX1 b1 pred', (r) => num(r.tx1.predictedB1, 1)],
  ['TX1 b16 pred', (r) => num(r.tx1.predictedB16, 1)],
  ['TX1 b1 pub', (r) => num(r.tx1.measuredB1, 1)],
  ['TX1 b16 pub', (r) => num(r.tx1.measuredB16, 1)],
];

function fitLine(label: string, f: LinearFit | null): string {
  if (!f) return `${label}: not enough points`;
  return `${label}: ms = ${f.intercept.toFixed(1)} + ${f.slope.toFixed(2)} x GMAC (r² ${f.r2.toFixed(3)}, ${f.n} models)`;
}

/** The report as text for a terminal (no colour, so it pastes anywhere). */
export function formatReportTable(d: ReportData): string {
  const cells = [COLUMNS.map(([h]) => h), ...d.rows.map((r) => COLUMNS.map(([, f]) => f(r)))];
  const widths = COLUMNS.map((_, j) => Math.max(...cells.map((c) => c[j]!.length)));
  const fmt = (c: string[]) => c.map((s, j) => (j === 0 ? s.padEnd(widths[j]!) : s.padStart(widths[j]!))).join('  ');
  const lines = [fmt(cells[0]!), '-'.repeat(widths.reduce((a, w) => a + w + 2, -2)), ...cells.slice(1).map(fmt)];
  lines.push('');
  lines.push(`here = simdnet on this machine (${d.machine.cpu}, ${d.machine.cores} cores, node ${d.machine.node}, ` +
    `${d.machine.binary ?? 'unknown'} wasm), batch 1, median; ${d.settings.mode} mode; ` +
    `load average ${d.load.before.toFixed(1)} before, ${d.load.after.toFixed(1)} after` +
    (Math.max(d.load.before, d.load.after) > d.machine.cores ? ' (busy: other jobs slowed the measurements)' : '') + '.');
  lines.push(`pred = latency model; err = (pred - here) / here, '!' more than ±${100 * HOST_BAND}% outside the measured spread (fastest to slowest run). TX1 = ms per image on the ` +
    'Jetson TX1; pub = Bianco et al. 2018 Table 1b (PyTorch, cuDNN).');
  for (const n of d.prediction.notes) lines.push(`prediction: ${n}`);
  const agree = hostAgreement(d.rows);
  if (agree.n) lines.push(`host prediction within ±${100 * HOST_BAND}% of the measured spread: ${agree.within}/${agree.n} models (worst vs median ${pctSigned(agree.worst)})`);
  lines.push(fitLine('time vs MACs, TX1 published, batch 1', d.fits.tx1));
  lines.push(fitLine('time vs MACs, here, batch 1', d.fits.here));
  for (const r of d.rows) for (const n of r.notes) lines.push(`note: ${r.model}: ${n}`);
  return lines.join('\n');
}
