// Kernel threads, 1 vs N on the same networks in one process (bench/threads-core.mjs).
//   node bench/threads.mjs [--threads 2] [--runs 15] [--models a,b] [--resolution 224] [--json]
//   deno run -A bench/threads.mjs ...      bun bench/threads.mjs ...
//   node bench/threads.mjs --chromium ...  (headless Chromium, the browser bundle, a cross-origin
//                                           isolated page served from localhost)
import { runThreadsBench } from './threads-core.mjs';

const args = globalThis.Deno ? Deno.args : globalThis.process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i >= 0 ? args[i + 1] : dflt; };
const o = {
  threads: Number(opt('threads', 2)),
  runs: Number(opt('runs', 15)),
  resolution: Number(opt('resolution', 224)),
  models: opt('models', 'resnet-50,vgg-16,inception-v3,googlenet,mobilenet-v1,mobilenet-v2').split(','),
};
const json = args.includes('--json');
const log = json ? () => {} : (l) => console.log(l);

let runtime, result;
if (args.includes('--chromium')) {
  const { serve } = await import('../examples/web/server.mjs');
  const { launchChromium, runPage } = await import('../test/smoke/chromium.mjs');
  const server = await serve();
  const browser = await launchChromium();
  try {
    runtime = `chromium ${browser.version()}`;
    const q = new URLSearchParams({ threads: o.threads, runs: o.runs, resolution: o.resolution, models: o.models.join(',') });
    const r = await runPage(browser, `${server.url}bench/threads.html?${q}`, { timeout: 1_800_000 });
    if (!r.result) throw new Error(r.lines.join('\n'));
    result = r.result;
    for (const l of r.lines) log(l);
  } finally {
    await browser.close();
    await server.close();
  }
} else {
  runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;
  result = await runThreadsBench(await import('../dist/index.js'), o, log);
}
if (json) console.log(JSON.stringify({ runtime, ...result }));
else console.log(runtime);
