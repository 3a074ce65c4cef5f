// Per-op cost handlers: the registry's pure functions from a node's attributes and its input
// shapes to parameters, multiply-adds, other arithmetic and bytes moved (fvcore / thop / ptflops
// style). The handlers live in the op registry (src/graph/ops.ts, one entry per op, conventions
// in src/graph/op-cost.ts); this module is the cost model's view of them.
// Units, once: 1 MAC = one multiply-add; FLOPs = 2 x MACs; f32 = 4 bytes.

import type { GraphNode, OpName, Shape } from '../graph/types.js';
import { OP_NAMES, OP_SPECS, isOpName, type NodeOf } from '../graph/ops.js';
import { F32_BYTES, type OpCost } from '../graph/op-cost.js';

export { F32_BYTES, type OpCost, type NodeOf };

/** A cost handler: pure, from a node and the output shapes of its inputs (in order) to its cost. */
export type CostHandler<K extends OpName = OpName> = (node: NodeOf<K>, inputShapes: readonly Shape[]) => OpCost;

/** The handler table type: exactly one handler per op of the IR. */
export type CostHandlers = { readonly [K in OpName]: CostHandler<K> };

/**
 * Ops that cost nothing: `input` (the caller supplies the tensor), `flatten` (an NHWC reshape,
 * its output aliases its input) and `dropout` (identity at inference, also an alias).
 */
export const ZERO_COST_OPS = Object.freeze(['input', 'flatten', 'dropout'] as const);

/** One pure handler per op, from the registry. Look ops up through {@link costOf}, which rejects unknown ones. */
export const COST_HANDLERS: CostHandlers = Object.freeze(
  Object.fromEntries(OP_NAMES.map((op) => [op, OP_SPECS[op].cost])) as unknown as CostHandlers);

/**
 * The cost of one node given its input shapes, through {@link COST_HANDLERS}.
 * @throws Error `layer "<name>" (<op>): no cost handler for op "<op>"` for an op not in the table.
 */
export function costOf(node: GraphNode, inputShapes: readonly Shape[]): OpCost {
  const op: string = node.op;
  if (!isOpName(op)) {
    throw new Error(`layer "${node.name}" (${op}): no cost handler for op "${op}"; known ops: ` +
      `${OP_NAMES.join(', ')}`);
  }
  const handler = COST_HANDLERS[op] as unknown as CostHandler;
  return handler(node, inputShapes);
}
