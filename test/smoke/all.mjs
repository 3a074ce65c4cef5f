#!/usr/bin/env node
// The smoke suite (test/smoke/suite.mjs) in every runtime, one after another:
//   Node 20  — dist/index.js and the Node/Deno/Bun bundle; baseline ('auto', 'off') and relaxed
//              ('force' through v8.setFlagsFromString; 'auto' and 'force' under
//              --experimental-wasm-relaxed-simd); and a faked runtime without SIMD (clear error)
//   Deno, Bun — from the npm packages `deno` and `bun` (node_modules/.bin), both binaries; the
//              CLI's `bench` under Deno
//   Chromium — headless, the browser bundles from a localhost server, and the example page
// A failure in any runtime, or a runtime that cannot start, fails the whole run (exit 1).
//   node test/smoke/all.mjs [--only node,deno,bun,chromium]
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => `${ROOT}node_modules/.bin/${name}`;
const smoke = (module, relaxed, expect) => ['test/smoke/run.mjs', '--module', module, '--relaxed', relaxed, '--expect', expect];
const INDEX = 'dist/index.js', BUNDLE = 'dist/bundle/simdnet.mjs';

// 'auto' picks relaxed SIMD on V8 where it validates (relaxedPaysOff in src/wasm/loader.ts): not on
// Node 20 without the flag, not on Bun (measured slower there).
const RUNS = [
  ['node', 'node auto', process.execPath, smoke(INDEX, 'auto', 'baseline')],
  ['node', 'node without SIMD (faked): a clear error', process.execPath, ['test/smoke/run.mjs', '--no-simd', '--label', 'no-simd']],
  ['node', 'node off (bundle)', process.execPath, smoke(BUNDLE, 'off', 'baseline')],
  ['node', 'node force (v8.setFlagsFromString)', process.execPath, smoke(INDEX, 'force', 'relaxed')],
  ['node', 'node --experimental-wasm-relaxed-simd auto', process.execPath, ['--experimental-wasm-relaxed-simd', ...smoke(INDEX, 'auto', 'relaxed')]],
  ['node', 'node --experimental-wasm-relaxed-simd force (bundle)', process.execPath, ['--experimental-wasm-relaxed-simd', ...smoke(BUNDLE, 'force', 'relaxed')]],
  ['deno', 'deno auto', bin('deno'), ['run', '-A', ...smoke(INDEX, 'auto', 'relaxed')]],
  ['deno', 'deno off (bundle)', bin('deno'), ['run', '-A', ...smoke(BUNDLE, 'off', 'baseline')]],
  ['deno', 'deno: simdnet bench (the CLI under Deno)', bin('deno'), ['run', '-A', 'bin/simdnet.mjs', 'bench', 'mobilenet-v1', '--resolution', '128', '--runs', '3', '--json'],
    (out) => JSON.parse(out.slice(out.indexOf('{'))).medianMs > 0],
  ['bun', 'bun auto', bin('bun'), smoke(INDEX, 'auto', 'baseline')],
  ['bun', 'bun force (bundle)', bin('bun'), smoke(BUNDLE, 'force', 'relaxed')],
  ['chromium', 'chromium (bundles + example page)', process.execPath, ['test/smoke/browser.mjs']],
];

const i = process.argv.indexOf('--only');
const only = i > 0 ? process.argv[i + 1].split(',') : null;

function run(cmd, args) {
  return new Promise((done) => {
    if (!existsSync(cmd)) { done({ code: 127, out: `${cmd} not found (npm ci installs deno and bun; .ci/run installs chromium)\n` }); return; }
    const p = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '', atLineStart = true;
    const take = (d) => {
      const s = d.toString();
      out += s;
      process.stdout.write((atLineStart ? '  ' : '') + s.replace(/\n(?=.)/g, '\n  '));
      atLineStart = s.endsWith('\n');
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    p.on('error', (e) => done({ code: 127, out: String(e) }));
    p.on('close', (code, signal) => done({ code: code ?? 128, signal, out }));
  });
}

const summary = [];
let passed = 0, failed = 0;
for (const [runtime, label, cmd, args, validate] of RUNS) {
  if (only && !only.includes(runtime)) continue;
  console.log(`\n== ${label}`);
  const t0 = Date.now();
  const { code, out } = await run(cmd, args);
  // the last 'N passed, N failed' line of the child is its total; a plain command is one check
  let p = 0, f = 0, ok;
  if (validate) {
    let good = false;
    try { good = code === 0 && validate(out); } catch { /* unparsable output: a failure */ }
    [p, f, ok] = good ? [1, 0, true] : [0, 1, false];
  } else {
    const m = [...out.matchAll(/^smoke[^\n]*?: (\d+) passed, (\d+) failed$/gm)].pop();
    p = m ? Number(m[1]) : 0; f = m ? Number(m[2]) : 0;
    ok = code === 0 && !!m && f === 0 && p > 0;
  }
  passed += p; failed += ok ? f : Math.max(f, 1);
  summary.push(`${ok ? 'pass' : 'FAIL'}  ${label}: ${p} passed, ${f} failed, ${((Date.now() - t0) / 1000).toFixed(1)} s${ok ? '' : ` (exit ${code})`}`);
}
console.log(`\n== summary\n${summary.join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed || !summary.length ? 1 : 0);
