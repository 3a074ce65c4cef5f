// The lowering layer: graph -> kernel steps, and the activation memory plan of those steps.
export { lower, rootOf, flattenedMap, type Lowered, type LowerOptions, type Step, type StepKind, type Value } from './lower.js';
export { planMemory, planValues, planActivations, activationBytes, planEngineBytes, type BufferRequest, type MemoryPlan } from './planner.js';
