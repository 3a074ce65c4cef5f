// One measurement in this process (Node, Deno or Bun); prints one JSON line. Driven by
// scripts/bench-runtimes.mjs:  child.mjs <module> ab|first <model> <resolution> <kernels|nokernels|warmupRounds>
import { measureAB, measureFirstRun } from './measure.mjs';

const args = globalThis.Deno?.args ?? process.argv.slice(2);
const [modulePath, what, model, resolution, extra] = args;
const moduleUrl = new URL(modulePath, `file://${globalThis.Deno?.cwd() ?? process.cwd()}/`);
const simdnet = await import(moduleUrl.href);
const res = resolution ? Number(resolution) : undefined;
const r = what === 'first'
  ? await measureFirstRun(simdnet, { model, resolution: res, warmup: Number(extra ?? 0) })
  : await measureAB(simdnet, { wasmDir: new URL('./', moduleUrl), model, resolution: res, kernels: extra !== 'nokernels' });
console.log(JSON.stringify(r));
