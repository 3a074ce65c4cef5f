#!/usr/bin/env node
// Baseline vs relaxed SIMD in every runtime, interleaved: each round runs every (runtime, binary)
// pair once in a fresh process (a fresh page for Chromium), so drift on a shared machine hits
// all pairs alike; medians over rounds are reported, with relaxed/baseline ratios. This is the
// data behind relaxedPaysOff() in src/wasm/loader.ts and the per-runtime numbers in BENCHMARKS.md.
//
//   node scripts/bench-runtimes.mjs [--rounds 5] [--runtimes node,deno,bun,chromium]
//        [--model mobilenet-v1] [--resolution 224] [--no-kernels] [--module dist/index.js] [--json]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const { values: o } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' }, runtimes: { type: 'string', default: 'node,deno,bun,chromium' },
    model: { type: 'string', default: 'mobilenet-v1' }, resolution: { type: 'string', default: '224' },
    'no-kernels': { type: 'boolean' }, module: { type: 'string', default: 'dist/index.js' },
    'browser-module': { type: 'string', default: 'dist/bundle/simdnet.browser.mjs' }, json: { type: 'boolean' },
  },
});
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
const childArgs = (mode) => ['scripts/bench-runtimes/child.mjs', o.module, mode, o.model, o.resolution, o['no-kernels'] ? 'nokernels' : 'kernels'];
const COMMANDS = {
  node: (mode) => [process.execPath, childArgs(mode)],
  deno: (mode) => [bin('deno'), ['run', '-A', ...childArgs(mode)]],
  bun: (mode) => [bin('bun'), childArgs(mode)],
};

let browser, server;
async function runOne(rt, mode) {
  if (rt === 'chromium') {
    if (!browser) {
      const { launchChromium } = await import('../test/smoke/chromium.mjs');
      const { serve } = await import('../examples/web/server.mjs');
      server = await serve({ root: ROOT });
      browser = await launchChromium();
    }
    const { runPage } = await import('../test/smoke/chromium.mjs');
    const q = new URLSearchParams({ module: '/' + o['browser-module'], mode, model: o.model, resolution: o.resolution, kernels: o['no-kernels'] ? '0' : '1' });
    const r = await runPage(browser, `${server.url}scripts/bench-runtimes/page.html?${q}`);
    if (r.error) throw new Error(`chromium ${mode}: ${r.error}`);
    return r;
  }
  const [cmd, args] = COMMANDS[rt](mode);
  const p = spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (p.status !== 0) throw new Error(`${rt} ${mode} exited ${p.status}: ${p.stderr}`);
  return JSON.parse(p.stdout.trim().split('\n').pop());
}

const runtimes = o.runtimes.split(',');
const results = [];
try {
  for (let r = 0; r < Number(o.rounds); r++) {
    for (const rt of runtimes) {
      for (const mode of ['off', 'force']) {
        const res = await runOne(rt, mode);
        results.push({ rt, mode, ...res });
        process.stderr.write(`round ${r + 1} ${rt} ${mode}: ${res.model ? res.model.medianMs.toFixed(1) + ' ms' : ''}\n`);
      }
    }
  }
} finally {
  await browser?.close();
  await server?.close();
}

const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const summary = [];
for (const rt of runtimes) {
  const of = (mode) => results.filter((x) => x.rt === rt && x.mode === mode);
  const [base, rel] = [of('off'), of('force')];
  const row = { runtime: base[0].runtime, rounds: base.length, kernels: [], model: null };
  for (const k of base[0].kernels) {
    const b = median(base.map((x) => x.kernels.find((y) => y.name === k.name).gflops));
    const r = median(rel.map((x) => x.kernels.find((y) => y.name === k.name).gflops));
    const first = median(base.map((x) => x.kernels.find((y) => y.name === k.name).firstMs));
    const med = median(base.map((x) => x.kernels.find((y) => y.name === k.name).medianMs));
    row.kernels.push({ name: k.name, baselineGflops: b, relaxedGflops: r, ratio: r / b, baselineFirstMs: first, baselineMedianMs: med });
  }
  if (base[0].model) {
    const b = median(base.map((x) => x.model.medianMs)), r = median(rel.map((x) => x.model.medianMs));
    row.model = {
      name: base[0].model.name, input: base[0].model.input, baselineMs: b, relaxedMs: r, ratio: b / r,
      baselineFirstMs: median(base.map((x) => x.model.firstMs)), baselineMinMs: Math.min(...base.map((x) => x.model.minMs)),
      baselineMaxMs: Math.max(...base.map((x) => x.model.maxMs)),
    };
  }
  summary.push(row);
}

if (o.json) console.log(JSON.stringify({ summary, results }, null, 2));
else {
  for (const s of summary) {
    console.log(`\n${s.runtime} — medians of ${s.rounds} interleaved rounds; ratio = relaxed speed / baseline speed`);
    for (const k of s.kernels) {
      console.log(`  ${k.name.padEnd(16)} baseline ${k.baselineGflops.toFixed(1).padStart(6)}  relaxed ${k.relaxedGflops.toFixed(1).padStart(6)} GFLOP/s  ratio ${k.ratio.toFixed(2)}  (first call ${k.baselineFirstMs.toFixed(2)} ms vs median ${k.baselineMedianMs.toFixed(2)} ms)`);
    }
    if (s.model) {
      const m = s.model;
      console.log(`  ${m.name} ${m.input.join('x')}: baseline ${m.baselineMs.toFixed(2)} ms (min ${m.baselineMinMs.toFixed(2)}, max ${m.baselineMaxMs.toFixed(2)}, first run ${m.baselineFirstMs.toFixed(1)}), relaxed ${m.relaxedMs.toFixed(2)} ms, ratio ${m.ratio.toFixed(2)}`);
    }
  }
}
