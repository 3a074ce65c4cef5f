/**
 * The cost model: per-op handlers from shapes to params, MACs, other ops and bytes; whole-graph
 * analysis with a per-class breakdown; text and JSON reports; latency and energy predicted per
 * device from a profile (built-in `tx1` and `titan-xp`, or this machine's from calibrateHost).
 *
 * Units, stated once: 1 MAC = one multiply-add; FLOPs = 2 x MACs. Tensors are f32 (4 bytes).
 * Counts are for the graph's batch N (node shapes carry it); params do not depend on N.
 */
export {
  COST_HANDLERS, ZERO_COST_OPS, F32_BYTES, costOf,
  type OpCost, type CostHandler, type CostHandlers,
} from './handlers.js';
export {
  analyze, opClassOf, OP_CLASSES,
  type OpClass, type LayerCost, type ClassTotals, type AnalyzeOptions, type CostAnalysis,
} from './analyze.js';
export { formatCostTable, costJson, type CostJson } from './format.js';
export {
  predict, predictionJson, formatPrediction, deviceProfile, BUILTIN_DEVICES,
  type PredictOptions, type Prediction, type LayerPrediction, type Bound,
} from './predict.js';
export {
  validateProfile, ProfileError, PROFILE_SCHEMA,
  type DeviceProfile, type ClassRoofline, type KernelModel,
} from './profile.js';
export {
  CachingAllocator, pytorchMemoryEvents, replayForward, pytorchReservedBytes, HOLDS_EVERY_OUTPUT,
  type MemoryEvent,
} from './gpu-memory.js';
