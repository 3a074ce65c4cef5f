// The bundles in dist/bundle/, all from the tsc output (dist/index.js) and the two kernel binaries
// (dist/simdnet.wasm baseline SIMD, dist/simdnet-relaxed.wasm relaxed SIMD):
//
//   simdnet.mjs          ESM for Node, Deno and Bun: one file, readable, the .wasm read next to it;
//                        package dependencies stay imports (the runtime resolves them)
//   simdnet.browser.mjs  browser ESM, minified, the .wasm fetched from next to it (compileStreaming)
//   simdnet.inline.mjs   browser ESM, minified, one file: both binaries inlined as base64
//   simdnet.wasm, simdnet-relaxed.wasm    the assets simdnet.mjs and simdnet.browser.mjs load
//   simdnet-mt.wasm, simdnet-mt-relaxed.wasm   the same kernels on shared memory (kernel threads)
//   simdnet.worker.mjs   the kernel threads' script (dist/wasm/worker.js: no imports); the inline
//                        bundle starts its threads from its own URL instead (no blob: URLs)
//   *.d.ts               types (the API of dist/index.d.ts)
//   simdnet.import.mjs   browser ESM, minified: loadModel / importONNX (simdnet/import) with
//                        protobufjs bundled, for pages without a bundler; the graph it returns
//                        goes to compile() of either browser bundle
//
// The only module that differs between them is dist/wasm/binaries.js (where the binaries are);
// the plugin below swaps it. The browser bundles resolve and bundle their dependencies, so a
// page needs no import map. Nothing from src/cli (node:util, tinybench) is reachable from
// dist/index.js, and a build fails if a node: import ends up in a browser bundle.
import { readFileSync } from 'node:fs';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import terser from '@rollup/plugin-terser';

const WASM = {
  baseline: 'dist/simdnet.wasm', relaxed: 'dist/simdnet-relaxed.wasm',
  mt: 'dist/simdnet-mt.wasm', 'mt-relaxed': 'dist/simdnet-mt-relaxed.wasm',
};
const ASSETS = { baseline: 'simdnet.wasm', relaxed: 'simdnet-relaxed.wasm', mt: 'simdnet-mt.wasm', 'mt-relaxed': 'simdnet-mt-relaxed.wasm' };
const WORKER = 'simdnet.worker.mjs';

const NO_FILES = `export async function readFileUrl(url) {
  throw new Error('simdnet: the browser bundle cannot read ' + url + ': serve the page over http(s), or use simdnet.inline.mjs (the wasm inlined); in Node, Deno or Bun import "simdnet"');
}`;

/** The source of the binaries module for one kind of bundle. */
function binariesModule(kind) {
  const tsc = readFileSync('dist/wasm/binaries.js', 'utf8');
  if (kind === 'file') {
    // same code, the .wasm next to the bundle instead of one folder up
    const out = tsc.replaceAll("'../simdnet", "'./simdnet").replace("'./worker.js'", `'./${WORKER}'`);
    if (out.split("'./simdnet").length !== 6) throw new Error('rollup.config.mjs: dist/wasm/binaries.js no longer names the four binaries and the worker as expected');
    return out;
  }
  const pick = `(threaded ? (binary === 'relaxed' ? 'mt-relaxed' : 'mt') : (binary === 'relaxed' ? 'relaxed' : 'baseline'))`;
  if (kind === 'browser') {
    return `const ASSETS = ${JSON.stringify(ASSETS)};
export function binarySource(binary, threaded = false) {
  return new URL('./' + ASSETS[${pick}], import.meta.url);
}
export function workerSource() {
  return new URL('./${WORKER}', import.meta.url);
}
${NO_FILES}`;
  }
  // The binaries share most of their code, but gzip only finds a repeat within 32 KB back: one
  // base64 string after another stopped compressing once a binary passed 24 KB. Interleaved in
  // 4 KB pieces (piece i of every binary, then piece i + 1), each repeat stays a few pieces back.
  const names = Object.keys(WASM), b64 = names.map((k) => readFileSync(WASM[k]).toString('base64'));
  const PIECE = 4096, pieces = [];
  for (let i = 0; i < Math.max(...b64.map((s) => s.length)); i += PIECE) for (const s of b64) pieces.push(s.slice(i, i + PIECE));
  // decoded on first use, and only the binary init() chose
  return `const NAMES = ${JSON.stringify(names)};
const PIECES = [${pieces.map((q) => `'${q}'`).join(',\n')}];
export function binarySource(binary, threaded = false) {
  let b64 = '';
  for (let i = NAMES.indexOf(${pick}); i < PIECES.length; i += NAMES.length) b64 += PIECES[i];
  const s = atob(b64);
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
export function workerSource() {
  return new URL(import.meta.url); // this bundle is its own kernel-thread script
}
${NO_FILES}`;
}

/** Swaps dist/wasm/binaries.js, emits the .wasm assets and the .d.ts, guards browser bundles. */
function simdnet(kind, name) {
  const ID = '\0simdnet-binaries';
  return {
    name: 'simdnet',
    resolveId(source, importer) {
      if (importer && /[\\/]dist[\\/]wasm[\\/]/.test(importer) && source === './binaries.js') return ID;
      return null;
    },
    load(id) {
      return id === ID ? binariesModule(kind) : null;
    },
    generateBundle(_options, bundle) {
      if (kind !== 'inline') {
        for (const b of Object.keys(WASM)) this.emitFile({ type: 'asset', fileName: ASSETS[b], source: readFileSync(WASM[b]) });
        this.emitFile({ type: 'asset', fileName: WORKER, source: readFileSync('dist/wasm/worker.js') });
      }
      this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source: `// The API of dist/index.d.ts (see README).\nexport * from '../index.js';\n` });
      if (kind === 'file') return;
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const bad = [...chunk.imports, ...chunk.dynamicImports].filter((i) => i.startsWith('node:') || !i.startsWith('.'));
        if (bad.length) this.error(`${chunk.fileName}: a browser bundle must not import ${bad.join(', ')}`);
      }
    },
  };
}

// `sideEffects: false` holds for simdnet's own modules (unused models tree-shake away), not
// necessarily for a CommonJS dependency.
const ownModulesArePure = (id) => /[\\/]node_modules[\\/]/.test(id);

function onwarn(warning, warn) {
  if (warning.code === 'CIRCULAR_DEPENDENCY') return;
  // protobufjs (ONNX export) reaches for optional Node modules through eval-like requires
  if (warning.code === 'EVAL' && /protobufjs|@protobufjs/.test(warning.id ?? '')) return;
  warn(warning);
}

const browserPlugins = (kind, name) => [
  simdnet(kind, name),
  nodeResolve({ browser: true, preferBuiltins: false }),
  commonjs(),
  terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
];

/** A browser bundle of a secondary entry: dependencies inside, no bare or node: imports left. */
function browserOnly(name, types) {
  return {
    name: 'simdnet-entry',
    generateBundle(_options, bundle) {
      this.emitFile({ type: 'asset', fileName: `${name}.d.ts`, source: `// The API of ${types} (see README).\nexport * from '${types.replace('dist/', '../').replace(/\.d\.ts$/, '.js')}';\n` });
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const bad = [...chunk.imports, ...chunk.dynamicImports].filter((i) => i.startsWith('node:') || !i.startsWith('.'));
        if (bad.length) this.error(`${chunk.fileName}: a browser bundle must not import ${bad.join(', ')}`);
      }
    },
  };
}

export default [
  {
    input: 'dist/index.js',
    output: { file: 'dist/bundle/simdnet.mjs', format: 'es', sourcemap: false },
    treeshake: { moduleSideEffects: ownModulesArePure },
    plugins: [simdnet('file', 'simdnet')],
    external: (id, importer) => !!importer && (id.startsWith('node:') || /^[@a-z]/i.test(id)),
    onwarn,
  },
  {
    input: 'dist/index.js',
    output: { file: 'dist/bundle/simdnet.browser.mjs', format: 'es', sourcemap: false },
    treeshake: { moduleSideEffects: ownModulesArePure },
    plugins: browserPlugins('browser', 'simdnet.browser'),
    onwarn,
  },
  {
    input: 'dist/index.js',
    output: { file: 'dist/bundle/simdnet.inline.mjs', format: 'es', sourcemap: false },
    treeshake: { moduleSideEffects: ownModulesArePure },
    plugins: browserPlugins('inline', 'simdnet.inline'),
    onwarn,
  },
  {
    input: 'dist/import/index.js',
    output: { file: 'dist/bundle/simdnet.import.mjs', format: 'es', sourcemap: false, inlineDynamicImports: true },
    treeshake: { moduleSideEffects: ownModulesArePure },
    plugins: [
      browserOnly('simdnet.import', 'dist/import/index.d.ts'),
      nodeResolve({ browser: true, preferBuiltins: false }),
      commonjs(),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
    ],
    onwarn,
  },
];
