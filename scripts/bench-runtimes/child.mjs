// One measurement in this process (Node, Deno or Bun); prints one JSON line. Driven by
// scripts/bench-runtimes.mjs: child.mjs <module> <mode> [model] [resolution] [noKernels]
import { measure } from './measure.mjs';

const args = globalThis.Deno?.args ?? process.argv.slice(2);
const [modulePath, mode = 'off', model = 'mobilenet-v1', resolution, noKernels] = args;
const simdnet = await import(new URL(modulePath, `file://${globalThis.Deno?.cwd() ?? process.cwd()}/`).href);
const r = await measure(simdnet, { mode, model, resolution: resolution ? Number(resolution) : undefined, kernels: noKernels !== 'nokernels' });
console.log(JSON.stringify(r));
