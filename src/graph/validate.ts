// Whole-graph validation: what `compile` (and the cost model) runs before trusting a graph that
// did not necessarily come from the builder — a JSON file, an importer, a hand edit. Every check
// names the node; nothing downstream ever sees a graph that fails one.

import { OP_SPECS, isOpName, OP_NAMES } from './ops.js';
import type { Graph, GraphNode, NodeAttrs, Shape } from './types.js';

const show = (v: unknown) => (v === undefined ? 'undefined' : JSON.stringify(v));
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that `graph` is a well-formed graph: an object with a name, a node list in topological
 * order (every input an earlier node, so no cycles), unique non-empty names, known ops with valid
 * attributes and the right number of inputs, exactly one input node (the graph's `input`), an
 * existing `output`, and every `outShape` equal to what the op's shape inference gives from its
 * inputs. Returns the graph typed.
 * @throws TypeError for a value of the wrong type, RangeError for a wrong value; the message
 *   names the node (`graph "g", layer "conv1" (conv2d): ...`).
 */
export function validateGraph(graph: unknown): Graph {
  if (!isObj(graph)) throw new TypeError(`graph must be a Graph object (from the builder or buildModel), got ${graph === null ? 'null' : Array.isArray(graph) ? 'an array' : typeof graph}`);
  const g = graph as Record<string, unknown>;
  if (typeof g.name !== 'string') throw new TypeError(`graph.name must be a string, got ${show(g.name)}`);
  const gw = `graph "${g.name}"`;
  if (!Array.isArray(g.nodes)) throw new TypeError(`${gw}: nodes must be an array, got ${show(g.nodes)}`);
  if (g.nodes.length === 0) throw new RangeError(`${gw}: has no nodes`);
  if (typeof g.input !== 'string') throw new TypeError(`${gw}: input must be a node name, got ${show(g.input)}`);
  if (typeof g.output !== 'string') throw new TypeError(`${gw}: output must be a node name, got ${show(g.output)}`);

  const index = new Map<string, number>();
  (g.nodes as unknown[]).forEach((n, i) => {
    if (isObj(n) && typeof n.name === 'string' && !index.has(n.name)) index.set(n.name, i);
  });
  const shapes = new Map<string, Shape>();
  let inputs = 0;
  (g.nodes as unknown[]).forEach((raw, i) => {
    if (!isObj(raw)) throw new TypeError(`${gw}: nodes[${i}] must be an object, got ${show(raw)}`);
    const name = raw.name;
    if (typeof name !== 'string' || name === '') throw new TypeError(`${gw}: nodes[${i}].name must be a non-empty string, got ${show(name)}`);
    const op = raw.op;
    const where = `${gw}, layer "${name}" (${String(op)})`;
    if (shapes.has(name)) throw new RangeError(`${where}: duplicate name (nodes[${index.get(name)}] has it too)`);
    if (!isOpName(op)) throw new RangeError(`${gw}, layer "${name}": unknown op ${show(op)}; known ops: ${OP_NAMES.join(', ')}`);
    const unknown = Object.keys(raw).filter((k) => k !== 'op' && k !== 'name' && k !== 'inputs' && k !== 'outShape' && !OP_SPECS[op].attrs.includes(k));
    if (unknown.length) throw new TypeError(`${where}: unknown attribute(s) ${unknown.join(', ')}; ${op} has ${['name', 'op', 'inputs', 'outShape', ...OP_SPECS[op].attrs].join(', ')}`);
    if (!Array.isArray(raw.inputs) || !raw.inputs.every((x) => typeof x === 'string')) {
      throw new TypeError(`${where}: inputs must be an array of node names, got ${show(raw.inputs)}`);
    }
    const ins = raw.inputs as string[];
    const spec = OP_SPECS[op] as { arity: 0 | 1 | 2 | 'many'; checkAttrs(n: NodeAttrs): void; infer(n: NodeAttrs, s: Shape[]): Shape };
    const want = spec.arity;
    if (want === 'many' ? ins.length < 1 : ins.length !== want) {
      throw new RangeError(`${where}: takes ${want === 'many' ? 'one or more inputs' : want === 0 ? 'no inputs' : `${want} input${want > 1 ? 's' : ''}`}, got ${ins.length}`);
    }
    for (const x of ins) {
      if (shapes.has(x)) continue;
      if (x === name) throw new RangeError(`${where}: reads its own output (a cycle)`);
      if (index.has(x)) throw new RangeError(`${where}: input "${x}" is a later node (nodes[${index.get(x)}]): nodes must be in topological order, and a graph with a cycle has none`);
      throw new RangeError(`${where}: unknown input "${x}"`);
    }
    const out = raw.outShape;
    if (!Array.isArray(out) || out.length === 0) throw new TypeError(`${where}: outShape must be a non-empty array, got ${show(out)}`);
    if (!out.every((d) => Number.isInteger(d) && d > 0 && d < 2 ** 31)) throw new RangeError(`${where}: outShape must be positive integers, got ${show(out)}`);
    let inferred: Shape;
    try {
      spec.checkAttrs(raw as unknown as NodeAttrs);
      inferred = op === 'input' ? (out as Shape) : spec.infer(raw as unknown as NodeAttrs, ins.map((x) => shapes.get(x)!));
    } catch (e) {
      const msg = `${where}: ${(e as Error).message}`;
      throw e instanceof TypeError ? new TypeError(msg) : new RangeError(msg);
    }
    if (inferred.length !== out.length || inferred.some((d, j) => d !== out[j])) {
      throw new RangeError(`${where}: outShape [${out.join(', ')}] disagrees with its inputs: they give [${inferred.join(', ')}]`);
    }
    if (op === 'input') {
      inputs++;
      if (name !== g.input) throw new RangeError(`${where}: the graph's input is "${g.input}", not this node (one input node per graph)`);
      if (inputs > 1) throw new RangeError(`${where}: a second input node (one per graph)`);
    }
    shapes.set(name, out as Shape);
  });
  if (!inputs) throw new RangeError(`${gw}: input "${g.input}" is not an input node of the graph`);
  if (!shapes.has(g.output)) throw new RangeError(`${gw}: output "${g.output}" is not a node of the graph`);
  const inShape = shapes.get(g.input)!;
  for (const [n, s] of shapes) {
    if (s[0] !== inShape[0]) throw new RangeError(`${gw}, layer "${n}": leading dimension ${s[0]} is not the batch ${inShape[0]} of the input`);
  }
  return graph as unknown as Graph;
}
