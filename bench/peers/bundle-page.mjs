// Bundles a benchmark page (tfjs, ONNX Runtime Web, LiteRT.js, flatbuffers, protobufjs and
// simdnet's dist in one module) into build/bench/ with rollup, for the Chromium runs.
import { mkdirSync } from 'node:fs';
import { rollup } from 'rollup';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import commonjs from '@rollup/plugin-commonjs';
import { REPO_ROOT } from '../../examples/web/server.mjs';

/** Writes `input` (a file path) bundled to build/bench/<name>; the page loads it from there. */
export async function bundlePage(input, name) {
  const bundle = await rollup({
    input,
    plugins: [{
      // the kernels and the worker script from the server's /dist/, wherever this bundle sits
      name: 'simdnet-assets',
      transform(code, id) {
        if (!/[\\/]dist[\\/]wasm[\\/]binaries\.js$/.test(id)) return null;
        return code.replaceAll("'../simdnet", "'/dist/simdnet").replace("'./worker.js'", "'/dist/wasm/worker.js'");
      },
    }, nodeResolve({ browser: true, preferBuiltins: false }), commonjs()],
    external: (id) => id.startsWith('node:'),
    onwarn: (w, warn) => { if (!['CIRCULAR_DEPENDENCY', 'EVAL', 'THIS_IS_UNDEFINED'].includes(w.code)) warn(w); },
  });
  mkdirSync(`${REPO_ROOT}build/bench`, { recursive: true });
  await bundle.write({ file: `${REPO_ROOT}build/bench/${name}`, format: 'es', inlineDynamicImports: true });
  await bundle.close();
}
