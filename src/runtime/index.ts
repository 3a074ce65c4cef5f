export { Net, compile, type CompileOptions, type RunOptions, type PlanStep, type PlanSummary } from './net.js';
