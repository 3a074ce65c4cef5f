export { Net, compile, type CompileOptions, type RunOptions, type PlanStep, type PlanSummary } from './net.js';
export { planMemory, type BufferRequest, type MemoryPlan } from './planner.js';
export { planPeakBytes } from './plan-only.js';
export { planActivations } from './net.js';
