#!/usr/bin/env node
// The smoke suite in this process: Node, Deno or Bun.
//   node test/smoke/run.mjs [--module dist/index.js] [--relaxed auto|force|off] [--expect baseline|relaxed] [--label NAME]
//   deno run -A test/smoke/run.mjs ...        bun test/smoke/run.mjs ...
// Prints one line per check and a closing 'N passed, N failed'; exits 1 on any failure.
import { runSmoke } from './suite.mjs';

const argv = globalThis.Deno?.args ?? process.argv.slice(2);
const opt = (name, dflt) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
const cwd = globalThis.Deno?.cwd() ?? process.cwd();
const modulePath = opt('module', 'dist/index.js');
const label = opt('label', '');

const simdnet = await import(new URL(modulePath, `file://${cwd}/`).href);
const r = await runSmoke(simdnet, { relaxedSimd: opt('relaxed', 'auto'), expectBinary: opt('expect') });
console.log(`smoke${label ? ` ${label}` : ''}: ${r.passed} passed, ${r.failed} failed`);
const exit = (code) => (globalThis.Deno ? globalThis.Deno.exit(code) : process.exit(code));
exit(r.failed ? 1 : 0);
