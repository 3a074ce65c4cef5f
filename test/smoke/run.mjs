#!/usr/bin/env node
// The smoke suite in this process: Node, Deno or Bun.
//   node test/smoke/run.mjs [--module dist/index.js] [--relaxed auto|force|off] [--expect baseline|relaxed] [--label NAME]
//   deno run -A test/smoke/run.mjs ...        bun test/smoke/run.mjs ...
//   node test/smoke/run.mjs --no-simd       a runtime without SIMD, faked: WebAssembly.validate says no
// Prints one line per check and a closing 'N passed, N failed'; exits 1 on any failure.
import { runNoSimd, runSmoke } from './suite.mjs';

const argv = globalThis.Deno?.args ?? process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const cwd = globalThis.Deno?.cwd() ?? process.cwd();
const modulePath = opt('module', 'dist/index.js');
const label = opt('label', '');

const noSimd = argv.includes('--no-simd');
if (noSimd) WebAssembly.validate = () => false;
const simdnet = await import(new URL(modulePath, `file://${cwd}/`).href);
const r = noSimd ? await runNoSimd(simdnet) : await runSmoke(simdnet, { relaxedSimd: opt('relaxed', 'auto'), expectBinary: opt('expect') });
console.log(`smoke${label ? ` ${label}` : ''}: ${r.passed} passed, ${r.failed} failed`);
const exit = (code) => (globalThis.Deno ? globalThis.Deno.exit(code) : process.exit(code));
exit(r.failed ? 1 : 0);
