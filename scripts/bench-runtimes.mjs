#!/usr/bin/env node
// simdnet in every runtime, interleaved: each round runs every runtime once, in a fresh process
// (a fresh page for Chromium), so drift on a shared machine spreads over all of them; medians
// over rounds are reported. The data behind relaxedPaysOff() (src/wasm/loader.ts), the warm-up
// decision, and the per-runtime numbers in BENCHMARKS.md. See scripts/bench-runtimes/measure.mjs.
//
//   node scripts/bench-runtimes.mjs [--rounds 5] [--runtimes node,deno,bun,chromium]
//        [--model mobilenet-v1] [--resolution 224] [--no-kernels] [--json]
//        [--first-run]   first inference with and without a kernel warm-up at init, instead
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: o } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' }, runtimes: { type: 'string', default: 'node,deno,bun,chromium' },
    model: { type: 'string', default: 'mobilenet-v1' }, resolution: { type: 'string', default: '224' },
    'no-kernels': { type: 'boolean' }, 'first-run': { type: 'boolean' }, json: { type: 'boolean' },
    module: { type: 'string', default: 'dist/index.js' }, 'browser-module': { type: 'string', default: 'dist/bundle/simdnet.browser.mjs' },
  },
});
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
const COMMANDS = {
  node: (a) => [process.execPath, a],
  deno: (a) => [bin('deno'), ['run', '-A', ...a]],
  bun: (a) => [bin('bun'), a],
};

let browser, server;
async function runOne(rt, what, extra) {
  if (rt === 'chromium') {
    const { launchChromium, runPage } = await import('../test/smoke/chromium.mjs');
    if (!browser) {
      const { serve } = await import('../examples/web/server.mjs');
      server = await serve({ root: ROOT });
      browser = await launchChromium();
    }
    const q = new URLSearchParams({ module: '/' + o['browser-module'], what, model: o.model, resolution: o.resolution, extra });
    const r = await runPage(browser, `${server.url}scripts/bench-runtimes/page.html?${q}`);
    if (r.error) throw new Error(`chromium: ${r.error}`);
    return r;
  }
  const [cmd, args] = COMMANDS[rt](['scripts/bench-runtimes/child.mjs', o.module, what, o.model, o.resolution, extra]);
  const p = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`${rt} exited ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const f1 = (v) => v.toFixed(1), f2 = (v) => v.toFixed(2);
const runtimes = o.runtimes.split(',');
const results = [];
const variants = o['first-run'] ? [['first', '0'], ['first', '1'], ['first', '10']] : [['ab', o['no-kernels'] ? 'nokernels' : 'kernels']];
try {
  for (let r = 0; r < Number(o.rounds); r++) {
    for (const rt of runtimes) {
      for (const [what, extra] of variants) {
        const res = await runOne(rt, what, extra);
        results.push({ rt, what, extra, ...res });
        process.stderr.write(`round ${r + 1} ${rt} ${what} ${extra}${res.model ? `: ${f1(res.model.baseline.medianMs)} / ${f1(res.model.relaxed.medianMs)} ms` : ''}${res.firstMs ? `: first ${f1(res.firstMs)} ms` : ''}\n`);
      }
    }
  }
} finally {
  await browser?.close();
  await server?.close();
}

const lines = [];
const summary = [];
for (const rt of runtimes) {
  const mine = results.filter((x) => x.rt === rt);
  if (o['first-run']) {
    const rows = variants.map(([, w]) => {
      const g = mine.filter((x) => x.extra === w);
      return {
        warmupRounds: Number(w), warmupMs: median(g.map((x) => x.warmupMs)), firstMs: median(g.map((x) => x.firstMs)),
        warmupPlusFirstMs: median(g.map((x) => x.warmupMs + x.firstMs)), secondMs: median(g.map((x) => x.secondMs)), steadyMs: median(g.map((x) => x.steadyMs)),
      };
    });
    summary.push({ runtime: mine[0].runtime, rounds: mine.length / variants.length, firstRun: rows });
    lines.push(`\n${mine[0].runtime}: first inference of ${o.model} (median of ${mine.length / variants.length} fresh processes)`);
    for (const w of rows) lines.push(`  warm-up x${String(w.warmupRounds).padEnd(3)} ${f1(w.warmupMs).padStart(6)} ms, first run ${f1(w.firstMs).padStart(6)} ms (sum ${f1(w.warmupPlusFirstMs).padStart(6)}), second ${f1(w.secondMs).padStart(6)}, steady ${f1(w.steadyMs).padStart(6)} ms`);
    continue;
  }
  const row = { runtime: mine[0].runtime, rounds: mine.length, kernels: [], model: null };
  for (const k of mine[0].kernels) {
    const g = mine.map((x) => x.kernels.find((y) => y.name === k.name));
    row.kernels.push({
      name: k.name, speedup: median(g.map((x) => x.speedup)), speedups: g.map((x) => +f2(x.speedup)),
      baselineGflops: median(g.map((x) => x.baselineGflops)), relaxedGflops: median(g.map((x) => x.relaxedGflops)),
      baselineFirstMs: median(g.map((x) => x.firstMs)), baselineMedianMs: median(g.map((x) => x.baseline.medianMs)),
    });
  }
  if (mine[0].model) {
    const g = mine.map((x) => x.model);
    row.model = {
      name: g[0].name, input: g[0].input, speedup: median(g.map((x) => x.speedup)), speedups: g.map((x) => +f2(x.speedup)),
      baselineMedianMs: median(g.map((x) => x.baseline.medianMs)), baselineMinMs: Math.min(...g.map((x) => x.baseline.minMs)),
      baselineMaxMs: Math.max(...g.map((x) => x.baseline.maxMs)), relaxedMedianMs: median(g.map((x) => x.relaxed.medianMs)),
      relaxedMinMs: Math.min(...g.map((x) => x.relaxed.minMs)),
    };
  }
  summary.push(row);
  lines.push(`\n${row.runtime} — ${row.rounds} fresh processes; speedup = median of per-pair baseline/relaxed time ratios (>1: relaxed faster)`);
  for (const k of row.kernels) {
    lines.push(`  ${k.name.padEnd(16)} baseline ${f1(k.baselineGflops).padStart(5)}  relaxed ${f1(k.relaxedGflops).padStart(5)} GFLOP/s  speedup ${f2(k.speedup)} [${k.speedups.join(' ')}]  first call ${f2(k.baselineFirstMs)} ms vs median ${f2(k.baselineMedianMs)} ms`);
  }
  if (row.model) {
    const m = row.model;
    lines.push(`  ${m.name} ${m.input.join('x')}: baseline median ${f2(m.baselineMedianMs)} ms (min ${f2(m.baselineMinMs)}, max ${f2(m.baselineMaxMs)}), relaxed median ${f2(m.relaxedMedianMs)} ms (min ${f2(m.relaxedMinMs)}), speedup ${f2(m.speedup)} [${m.speedups.join(' ')}]`);
  }
}
if (o.json) console.log(JSON.stringify({ summary, results }, null, 2));
else console.log(lines.join('\n'));
