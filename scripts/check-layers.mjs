// Checks the source tree's layering: every import of src/**/*.ts goes to the same layer or one
// the table below allows, and no import cycle exists anywhere (between files, whatever their
// layers). Run: node scripts/check-layers.mjs [--json]; exit 1 with the offending imports listed.
// A short script instead of dependency-cruiser / madge: the rule set is twenty lines and the
// imports of this tree are plain static ESM statements.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const SRC = join(ROOT, 'src');

/**
 * What each layer may import (besides itself). Data flows one way: models / importers -> graph
 * -> lowering -> runtime -> ops -> kernels; the cost model reads the graph and the lowering's
 * steps, never ops, runtime or wasm; measuring (calibrate) sits above the runtime and the cost
 * model; report and cli are front ends. `kernels` is the bottom: pure configuration and types.
 */
export const LAYERS = {
  kernels: [],
  // images to network inputs: pure arithmetic on pixels, no wasm, no graph
  image: ['kernels'],
  graph: ['kernels'],
  models: ['graph', 'kernels'],
  lower: ['graph', 'kernels'],
  cost: ['lower', 'graph', 'kernels'],
  wasm: ['kernels'],
  ops: ['wasm', 'kernels'],
  runtime: ['lower', 'graph', 'ops', 'wasm', 'kernels'],
  onnx: ['lower', 'graph', 'kernels'],
  tflite: ['lower', 'graph', 'kernels'],
  tfjs: ['onnx', 'graph', 'kernels'],
  import: ['tfjs', 'onnx', 'graph', 'kernels'],
  calibrate: ['runtime', 'cost', 'models', 'lower', 'graph', 'ops', 'wasm', 'kernels'],
  report: ['calibrate', 'cost', 'runtime', 'models', 'import', 'lower', 'graph', 'wasm', 'kernels'],
  cli: ['image', 'report', 'calibrate', 'cost', 'runtime', 'models', 'import', 'onnx', 'tflite', 'lower', 'graph', 'ops', 'wasm', 'kernels'],
  // package entry points (src/index.ts, src/cost-api.ts): may re-export anything but the front ends
  entry: ['calibrate', 'cost', 'runtime', 'models', 'onnx', 'lower', 'graph', 'ops', 'wasm', 'kernels'],
};

function walk(dir) {
  const out = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

const layerOf = (file, src) => {
  const rel = relative(src, file).split(/[\\/]/);
  return rel.length === 1 ? 'entry' : rel[0];
};

/** Static import / export-from specifiers of a file (type-only imports count: they are coupling too). */
function importsOf(text) {
  const specs = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(text));) specs.push(m[1] ?? m[2] ?? m[3]);
  // a computed import() hides a dependency from this check and from bundlers
  // (except Node builtins, which the wasm loader hides from browser bundlers on purpose)
  const computed = text.split('\n').some((l) => /\bimport\(\s*[^'"\s)]/.test(l) && !l.includes("'node:"));
  return { specs, computed };
}

/** Checks the tree under `src` (default this package's src/); returns the file count and every violation. */
export function check(src = SRC) {
  const files = walk(src);
  const errors = [];
  const graph = new Map();
  for (const f of files) {
    const layer = layerOf(f, src);
    if (!(layer in LAYERS)) errors.push(`${relative(src, f)}: folder "${layer}" is not in the layer table (scripts/check-layers.mjs)`);
    const { specs, computed } = importsOf(readFileSync(f, 'utf8'));
    if (computed) errors.push(`${relative(src, f)}: computed import() (name the module statically)`);
    const deps = [];
    for (const s of specs) {
      if (!s.startsWith('.')) continue;
      const target = resolve(dirname(f), s.replace(/\.js$/, '.ts'));
      if (!target.startsWith(src)) { errors.push(`${relative(src, f)}: imports outside src/: ${s}`); continue; }
      deps.push(target);
      const tl = layerOf(target, src);
      if (tl !== layer && !(LAYERS[layer] ?? []).includes(tl)) {
        errors.push(`${relative(src, f)} (${layer}) imports ${relative(src, target)} (${tl}): ${layer} may import ${(LAYERS[layer] ?? []).join(', ') || 'nothing'}`);
      }
    }
    graph.set(f, deps);
  }
  // cycles: depth-first search, reporting each back edge's cycle once
  const state = new Map();
  const stack = [];
  const seen = new Set();
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 1) {
        const cyc = stack.slice(stack.indexOf(d)).concat(d).map((p) => relative(src, p));
        const key = [...cyc].sort().join(',');
        if (!seen.has(key)) { seen.add(key); errors.push(`import cycle: ${cyc.join(' -> ')}`); }
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return { files: files.length, errors };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = check();
  if (process.argv.includes('--json')) console.log(JSON.stringify(r, null, 2));
  else if (r.errors.length) console.error(r.errors.join('\n'));
  else console.log(`layers ok: ${r.files} files, no cycles, every import within the layer table`);
  process.exit(r.errors.length ? 1 : 0);
}
