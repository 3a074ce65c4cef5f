// Bundles the compiled ESM (dist/, from tsc) into one module file for bundler-free use; the wasm
// stays a separate asset next to it (dist/simdnet.wasm, found through import.meta.url).
export default {
  input: 'dist/index.js',
  output: { file: 'dist/bundle/simdnet.mjs', format: 'es', sourcemap: false },
  treeshake: { moduleSideEffects: false },
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
