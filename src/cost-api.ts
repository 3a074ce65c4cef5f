// The public `cost` namespace: the cost model (src/cost) and the host calibration that fits its
// profile for this machine (src/calibrate), which sits above the runtime and so cannot be
// re-exported from src/cost itself.
export * from './cost/index.js';
export { calibrateHost, loadHostProfile, saveHostProfile, type CalibrateOptions } from './calibrate/index.js';
