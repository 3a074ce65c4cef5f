// What the model argument of `run`, `bench`, `cost` and `predict` names: a zoo network
// (`resnet-50`) or the user's own model file (`model.onnx`, a path).

import type { Graph } from '../graph/types.js';
import type { LayerWeights } from '../graph/weights.js';
import { buildModel } from '../models/index.js';
import { isModelPath, loadModel } from '../import/index.js';
import type { ImportedModel } from '../onnx/import.js';
import { modelOptions, positiveInt, UsageError } from './args.js';

/** True when the argument names a file rather than a zoo network. */
export const isModelFile = isModelPath;

export interface ModelFromArgs {
  graph: Graph;
  /** The file's weights; undefined for a zoo network (random weights). */
  weights?: Map<string, LayerWeights>;
  imported?: ImportedModel;
  args: { batch?: number; alpha?: number; resolution?: number };
}

/**
 * The graph a command works on, built or loaded before anything is compiled or measured, so a
 * bad option or an unsupported model is reported as such (exit 1) and not as an internal error.
 */
export async function modelFromArgs(cmd: string, name: string, values: Record<string, unknown>): Promise<ModelFromArgs> {
  if (isModelFile(name)) {
    for (const flag of ['alpha', 'resolution'] as const) {
      if (values[flag] !== undefined) throw new UsageError(`${cmd}: --${flag} is an option of the zoo's networks, not of a model file`);
    }
    let batch: number | undefined;
    try { batch = positiveInt('batch', values.batch); } catch (e: any) { throw new UsageError(`${cmd}: ${e.message}`); }
    let imported: ImportedModel;
    try {
      imported = await loadModel(name, batch === undefined ? {} : { batch });
    } catch (e: any) {
      throw new UsageError(`${cmd}: ${name}: ${e.message}`);
    }
    const fileBatch = imported.input.shape[0];
    if (batch !== undefined && batch !== fileBatch && cmd !== 'predict' && cmd !== 'cost') {
      throw new UsageError(`${cmd}: ${name} has a fixed batch of ${fileBatch}; --batch ${batch} needs a model exported with a dynamic batch`);
    }
    return { graph: imported.graph, weights: imported.weights, imported, args: { batch } };
  }
  let args;
  try {
    args = modelOptions(name, values);
  } catch (e: any) {
    throw new UsageError(`${cmd}: ${e.message}`);
  }
  try {
    return { args, graph: buildModel(name, args) };
  } catch (e: any) {
    throw new UsageError(`${cmd}: --resolution ${args.resolution ?? '(default)'}: ${e.message}`);
  }
}
