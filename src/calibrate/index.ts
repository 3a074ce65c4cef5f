// Measuring: host calibration (microbenchmarks of this package's kernels fitted into a device
// profile) and whole-model benchmarks. Above the runtime and the cost model, below the front ends.
export { calibrateHost, loadHostProfile, saveHostProfile, type CalibrateOptions } from './host.js';
export { benchModel, sampleInput, type ModelBenchResult, type ModelArgs } from './bench-model.js';
