// Pieces the Node driver (index.mjs) and the Chromium page (page.mjs) share: the input, the
// agreement measure, the statistics, one model's prepare / check / interleaved timing.
import { mulberry32 } from '../../dist/graph/weights.js';

/** Unit-normal input from a fixed seed (the package's mulberry32 + Box-Muller): the same for every engine. */
export function randomInput(n, seed = 12345) {
  const { uniform: u } = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  return x;
}

/** max |a - b| / max |b|; NaN if either has a NaN, Infinity on a length mismatch. */
export function relDiff(a, b) {
  if (a.length !== b.length) return Infinity;
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    const e = Math.abs(a[i] - b[i]);
    if (Number.isNaN(e)) return NaN;
    if (e > d) d = e;
    if (Math.abs(b[i]) > m) m = Math.abs(b[i]);
  }
  return m === 0 ? (d === 0 ? 0 : Infinity) : d / m;
}

export const stats = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1] };
};

/**
 * One model on every engine: prepare, one run each and the agreement check (each pair within
 * `tolerance`), warm-up, then `runs` rounds interleaved A B C A B C, `gapMs` of idle time before
 * each timed run (with threads: ONNX Runtime Web's pool threads keep a core busy for ~20 ms after
 * its run — measured: simdnet on 2 threads right after it 27.3 ms, 13.0 ms after a 20 ms pause,
 * 12.8 ms alone — which would tax whichever engine comes next). Fills `row` (ms, gflops,
 * samples, ratio simdnet / peer, relDiff, or mismatch). Returns false on a mismatch (not timed).
 */
export async function benchModel(simdnet, engines, m, { runs, warmup, tolerance, gapMs = 0 }, row) {
  const prepared = [];
  try {
    const graph = simdnet.buildModel(m.name, { batch: m.batch });
    const weights = simdnet.randomWeights(graph, 1);
    const inShape = graph.nodes.find((n) => n.name === graph.input).outShape;
    row.resolution = inShape[1];
    row.gmac = simdnet.cost.analyze(graph).macs / 1e9;
    const x = randomInput(inShape.reduce((a, b) => a * b, 1));
    const outputs = [];
    row.prepareMs = {};
    for (const e of engines) {
      const t = performance.now();
      const p = await e.prepare(graph, weights);
      row.prepareMs[e.name] = +(performance.now() - t).toFixed(1);
      prepared.push({ e, p });
      p.nativeInput?.(x);
      outputs.push(await p.run(x));
    }
    row.relDiff = {};
    const problems = [];
    for (let i = 0; i < engines.length; i++) {
      for (let j = i + 1; j < engines.length; j++) {
        const d = relDiff(outputs[i], outputs[j]);
        row.relDiff[`${engines[i].name}~${engines[j].name}`] = d;
        if (!(d <= tolerance)) problems.push(`${engines[i].name} vs ${engines[j].name}: ${d}`);
      }
      if (!outputs[i].some((v) => v !== 0)) problems.push(`${engines[i].name}: output is all zeros`);
    }
    if (problems.length) {
      row.mismatch = problems;
      return false;
    }
    for (let w = 1; w < warmup; w++) for (const { p } of prepared) await p.run(x);
    const samples = prepared.map(() => []);
    for (let r = 0; r < runs; r++) {
      for (let k = 0; k < prepared.length; k++) {
        if (gapMs) await new Promise((res) => setTimeout(res, gapMs));
        const t = performance.now();
        await prepared[k].p.run(x);
        samples[k].push(performance.now() - t);
      }
    }
    row.ms = {};
    row.gflops = {};
    row.samples = {};
    prepared.forEach(({ e }, k) => {
      const s = stats(samples[k]);
      row.ms[e.name] = s;
      row.gflops[e.name] = +((2 * row.gmac) / (s.median / 1e3)).toFixed(2);
      row.samples[e.name] = samples[k].map((v) => +v.toFixed(3));
    });
    row.ratio = {};
    for (const { e } of prepared.slice(1)) row.ratio[`simdnet/${e.name}`] = +(row.ms.simdnet.median / row.ms[e.name].median).toFixed(3);
    return true;
  } finally {
    for (const { p } of prepared) await p.dispose();
  }
}

const fmt = (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function line(row, engines) {
  const t = engines.map((e) => {
    const { median, min, max } = row.ms[e.name];
    return `${e.name} ${fmt(median)} ms (${fmt(min)}–${fmt(max)}, ${row.gflops[e.name]} GFLOP/s)`;
  }).join(', ');
  const r = Object.entries(row.ratio).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ');
  return `${row.model} b${row.batch}: ${t}; ${r}`;
}

/** Markdown table of the medians. */
export function table(report, engines) {
  const peers = engines.slice(1).map((e) => e.name);
  const head = ['model', 'batch', 'GMAC', ...engines.map((e) => `${e.name} ms`), ...peers.map((p) => `simdnet/${p}`), 'max rel diff'];
  const rows = report.results.map((r) => {
    if (!r.ms) return [r.model, r.batch, r.gmac?.toFixed(2) ?? '', ...engines.map(() => ''), ...peers.map(() => ''), r.mismatch ? 'MISMATCH' : 'ERROR'];
    const maxDiff = Math.max(...Object.values(r.relDiff));
    return [
      r.model, r.batch, r.gmac.toFixed(2),
      ...engines.map((e) => `${fmt(r.ms[e.name].median)}`),
      ...peers.map((p) => r.ratio[`simdnet/${p}`].toFixed(2)),
      maxDiff.toExponential(1),
    ];
  });
  const all = [head, ...rows].map((cols) => cols.map(String));
  const widths = head.map((_, i) => Math.max(...all.map((c) => c[i].length)));
  const fmtRow = (c) => `| ${c.map((s, i) => (i < 1 ? s.padEnd(widths[i]) : s.padStart(widths[i]))).join(' | ')} |`;
  return [fmtRow(all[0]), `|${widths.map((w, i) => (i < 1 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...all.slice(1).map(fmtRow)].join('\n');
}

