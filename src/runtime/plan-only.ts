import type { Graph } from '../graph/types.js';
import { planActivations } from './net.js';

/** Planned peak activation bytes of the compiled network (the cost model's `activationBytes.peak`). */
export function planPeakBytes(graph: Graph): number {
  return planActivations(graph).peakBytes;
}
