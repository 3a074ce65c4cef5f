// loadModel: the user's own trained network from a file, a URL or bytes, as the graph IR and its
// weights (what compile, cost and predict take). The format is recognised from the bytes: ONNX
// (protobuf) or a TensorFlow.js model.json.

import { importONNX, ModelImportError, type ImportOptions, type ImportedModel } from '../onnx/import.js';
import { importTfjsLayers, type TfjsWeightData } from '../tfjs/import.js';

/** True when a model argument names a file (`.onnx`, `model.json`, or any path) rather than a zoo network. */
export function isModelPath(name: string): boolean {
  return /\.(onnx|json)$/i.test(name) || /[\\/]/.test(name);
}

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends ImportOptions {}

/** A TF.js LayersModel in memory: its model.json (text, bytes or parsed) and its weight shards in manifest order. */
export interface TfjsModelBytes {
  modelJson: string | ArrayBuffer | Uint8Array | object;
  weights: TfjsWeightData;
}

/** A model source: a path (Node, Deno, Bun), a URL (fetch), the file's bytes, or a TF.js model.json with its shards. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array | TfjsModelBytes;

interface Fs {
  readFileSync(path: string): Uint8Array;
  existsSync(path: string): boolean;
}

/** node:fs where the runtime has it (Node, Bun, Deno's Node compat), else null (browsers). */
async function nodeFs(): Promise<Fs | null> {
  const get = (globalThis as any).process?.getBuiltinModule;
  if (typeof get === 'function') return get('node:fs') as Fs;
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:fs'][0]!)) as Fs;
  } catch {
    return null;
  }
}

const dirOf = (p: string) => (p.includes('/') || p.includes('\\') ? p.replace(/[\\/][^\\/]*$/, '') : '.');

/**
 * An external-data resolver for a model read from `path`: files next to it only (a location that
 * is absolute or climbs out with `..` is refused, so a model file cannot make the loader read
 * anything else on the machine).
 */
function siblingFiles(fs: Fs, path: string): (location: string) => Uint8Array {
  return (location) => {
    if (/^([\\/]|[a-zA-Z]:)/.test(location) || location.split(/[\\/]/).includes('..')) {
      throw new RangeError(`external data location "${location}" must be a file next to the model`);
    }
    const file = `${dirOf(path)}/${location}`;
    if (!fs.existsSync(file)) throw new RangeError(`external data file "${location}" is not next to the model (${file})`);
    return fs.readFileSync(file);
  };
}

/**
 * A weight shard path of a model.json: a relative file name below the model's folder. Absolute
 * paths, URLs with a scheme and `..` are refused, so a model file cannot make the loader read
 * (or fetch) anything but its own shards.
 */
function shardPath(p: unknown): string {
  if (typeof p !== 'string' || p === '') throw new TypeError(`weightsManifest path ${JSON.stringify(p)} must be a non-empty string`);
  if (/^([\\/]|[a-zA-Z][a-zA-Z0-9+.-]*:)/.test(p) || p.split(/[\\/]/).includes('..')) {
    throw new RangeError(`weight shard "${p}" must be a file next to the model.json (no absolute path, URL or "..")`);
  }
  return p;
}

/** The shard paths of a model.json's weightsManifest, in order. */
function shardPaths(json: any): string[] {
  const m = json?.weightsManifest;
  if (m === undefined) return [];
  if (!Array.isArray(m)) throw new TypeError('model.json weightsManifest must be an array of groups');
  const out: string[] = [];
  for (const g of m) {
    if (!Array.isArray(g?.paths)) throw new TypeError('model.json weightsManifest group without a paths list');
    for (const p of g.paths) out.push(shardPath(p));
    if (out.length > 10_000) throw new RangeError('model.json names more than 10000 weight shards');
  }
  return out;
}

const isModelBytes = (s: unknown): s is TfjsModelBytes => typeof s === 'object' && s !== null && 'modelJson' in s;

function parseJson(bytes: Uint8Array | string, what: string): any {
  try {
    return JSON.parse(typeof bytes === 'string' ? bytes : new TextDecoder().decode(bytes));
  } catch (e) {
    throw new TypeError(`loadModel: ${what} is neither ONNX nor valid JSON (${(e as Error).message})`);
  }
}

function refuseGraphModel(json: any): void {
  if (Array.isArray(json?.modelTopology?.node) || json?.format === 'graph-model') {
    throw new ModelImportError(['a TensorFlow.js GraphModel (modelTopology.node) is not supported yet; a LayersModel or an ONNX export is'], 'TF.js model');
  }
}

/**
 * Loads a trained model as the graph IR (NHWC) and its weights: an ONNX file (opsets 7-21;
 * external data next to it is read when the source is a path), or a TensorFlow.js LayersModel —
 * a `model.json` path (its weight shards are read from the same folder) or URL (shards fetched
 * relative to it), or `{ modelJson, weights }` with the shards' bytes.
 *
 * ```js
 * const { graph, weights, input } = await loadModel('resnet50.onnx');
 * const net = await compile(graph, { weights });
 * const logits = net.run(imageNCHW, { layout: input.layout === 'nchw' ? 'nchw' : 'nhwc' });
 * ```
 * @throws ModelImportError listing every unsupported node; TypeError / RangeError for a source
 *   that cannot be read or is not a model.
 */
export async function loadModel(source: ModelSource, opts: LoadModelOptions = {}): Promise<ImportedModel> {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`loadModel: options must be an object, got ${opts === null ? 'null' : typeof opts}`);
  let bytes: Uint8Array;
  let externalData = opts.externalData;
  // where a model.json's shards come from
  let shards: ((paths: string[]) => Promise<Uint8Array[]>) | undefined;
  const tfjsOpts = () => ({ ...(opts.batch !== undefined ? { batch: opts.batch } : {}), ...(opts.name !== undefined ? { name: opts.name } : {}) });
  if (isModelBytes(source)) {
    const mj = source.modelJson;
    const json = typeof mj === 'string' || mj instanceof Uint8Array || mj instanceof ArrayBuffer
      ? parseJson(typeof mj === 'string' ? mj : mj instanceof Uint8Array ? mj : new Uint8Array(mj), 'modelJson') : mj;
    refuseGraphModel(json);
    return importTfjsLayers(json, source.weights ?? [], tfjsOpts());
  }
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (source instanceof URL || (typeof source === 'string' && /^(https?|file|data|blob):/i.test(source))) {
    const url = source instanceof URL ? source : new URL(source);
    if (url.protocol === 'file:') return loadModel(decodeURIComponent(url.pathname), opts);
    const res = await fetch(url);
    if (!res.ok) throw new RangeError(`loadModel: ${url.href}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
    shards = async (paths) => Promise.all(paths.map(async (p) => {
      const u = new URL(p, url);
      const r = await fetch(u);
      if (!r.ok) throw new RangeError(`loadModel: weight shard ${u.href}: HTTP ${r.status}`);
      return new Uint8Array(await r.arrayBuffer());
    }));
  } else if (typeof source === 'string') {
    const fs = await nodeFs();
    if (!fs) throw new TypeError(`loadModel: "${source}" is a path, and this runtime has no file access; pass a URL or the bytes`);
    if (!fs.existsSync(source)) throw new RangeError(`loadModel: no such file "${source}"`);
    bytes = fs.readFileSync(source);
    externalData ??= siblingFiles(fs, source);
    const path = source;
    shards = async (paths) => paths.map((p) => {
      const file = `${dirOf(path)}/${p}`;
      if (!fs.existsSync(file)) throw new RangeError(`loadModel: weight shard "${p}" is not next to the model.json (${file})`);
      return fs.readFileSync(file);
    });
    opts = { name: source.replace(/^.*[\\/]/, '').replace(/\.(onnx|json)$/i, ''), ...opts };
  } else {
    throw new TypeError(`loadModel: source must be a path, a URL, an ArrayBuffer or a Uint8Array, got ${source === null ? 'null' : typeof source}`);
  }
  // model.json (TensorFlow.js) starts with '{' after optional whitespace; ONNX never does (field 1 is tag 0x08)
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) {
    const json = parseJson(bytes, 'the file');
    refuseGraphModel(json);
    const paths = shardPaths(json);
    if (paths.length && !shards) {
      throw new TypeError('loadModel: a TF.js model.json given as bytes needs its weight shards: pass { modelJson, weights: [ArrayBuffer, ...] }');
    }
    const data = shards && paths.length ? await shards(paths) : [];
    return importTfjsLayers(json, data, tfjsOpts());
  }
  return importONNX(bytes, { ...opts, externalData });
}
