// The unit the latency model prices: one kernel step of an execution (simdnet's lowering, or a
// framework's kernels), shared by the model (predict.ts) and the framework lowering (framework.ts).

import type { OpClass } from './analyze.js';

/** One kernel step: what the latency model needs to know about it. */
export interface Step {
  name: string;
  nodes: string[];
  opClass: OpClass;
  kind: string;
  /** FLOPs = 2 x MACs + other ops, over the batch. */
  work: number;
  /** Parameter bytes (read once per batch). */
  weightBytes: number;
  /** Activation bytes read + written, over the batch. */
  actBytes: number;
  /** Shape features of the kernel model, by group (empty for eager steps). */
  features: KernelFeatures;
  /** 'pytorch' steps that run as a GEMM: its shape (implicit GEMM for a convolution), per group. */
  gemm?: { m: number; n: number; k: number; groups: number };
}

/** Feature counts by group: `{ gemm: { kStepMain: 1.2e6, ... }, im2col: { step: 1, float: 3e5 } }`. */
export type KernelFeatures = Record<string, Record<string, number>>;
