#!/usr/bin/env node
// What a web page downloads: the browser bundle and the wasm it fetches, raw and gzip -9, against
// the browser bundle's budget (<= 100 KB gzip for kernels + runtime + the whole zoo). KB = 1000 bytes.
// Run after `npm run build`; exits 1 over budget.   node scripts/size.mjs [--json]
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 100_000;
const DIR = new URL('../dist/bundle/', import.meta.url);
const size = (name) => {
  const raw = readFileSync(new URL(name, DIR));
  return { name, raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
};

const js = size('simdnet.browser.mjs');
const wasm = size('simdnet.wasm');
const relaxed = size('simdnet-relaxed.wasm');
const inline = size('simdnet.inline.mjs');
// loaded only by compile({ threads }): the threaded kernels and the kernel threads' script
const mt = size('simdnet-mt.wasm');
const worker = size('simdnet.worker.mjs');
const total = { name: 'browser bundle: JS + baseline wasm', raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip };
const threaded = { name: 'with threads: + threaded wasm + worker script', raw: total.raw + mt.raw + worker.raw, gzip: total.gzip + mt.gzip + worker.gzip };
const report = { budgetGzip: BUDGET, files: [js, wasm, relaxed, mt, worker, inline], total, threaded, withinBudget: total.gzip <= BUDGET && threaded.gzip <= BUDGET && inline.gzip <= BUDGET };

if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 2));
else {
  const kb = (n) => (n / 1000).toFixed(1).padStart(7);
  const row = (r) => `${r.name.padEnd(46)} ${kb(r.raw)} KB ${kb(r.gzip)} KB`;
  console.log(`${'dist/bundle/'.padEnd(46)} ${'raw'.padStart(10)} ${'gzip -9'.padStart(10)}`);
  for (const r of [js, wasm, relaxed, mt, worker, inline]) console.log(row(r));
  console.log(row(total));
  console.log(row(threaded));
  console.log(`budget ${kb(BUDGET).trim()} KB gzip: ${report.withinBudget ? 'ok' : 'OVER'} (the single-file bundle, both binaries inlined: ${kb(inline.gzip).trim()} KB)`);
}
process.exit(report.withinBudget ? 0 : 1);
