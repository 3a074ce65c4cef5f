// loadModel: the user's own trained network from a file, a URL or bytes, as the graph IR and its
// weights (what compile, cost and predict take). The format is recognised from the bytes: ONNX
// (protobuf) or a TensorFlow.js model.json.

import { importONNX, ModelImportError, type ImportOptions, type ImportedModel } from '../onnx/import.js';

/** Options of {@link loadModel}. */
export interface LoadModelOptions extends ImportOptions {}

/** A model source: a path (Node, Deno, Bun), a URL (fetch), or the file's bytes. */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

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
 * Loads a trained model: an ONNX file (opsets 7-21; external data next to it is read when the
 * source is a path) as the graph IR (NHWC) and its weights.
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
  if (source instanceof Uint8Array) bytes = source;
  else if (source instanceof ArrayBuffer) bytes = new Uint8Array(source);
  else if (source instanceof URL || (typeof source === 'string' && /^(https?|file|data|blob):/i.test(source))) {
    const url = source instanceof URL ? source : new URL(source);
    if (url.protocol === 'file:') return loadModel(decodeURIComponent(url.pathname), opts);
    const res = await fetch(url);
    if (!res.ok) throw new RangeError(`loadModel: ${url.href}: HTTP ${res.status}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } else if (typeof source === 'string') {
    const fs = await nodeFs();
    if (!fs) throw new TypeError(`loadModel: "${source}" is a path, and this runtime has no file access; pass a URL or the bytes`);
    if (!fs.existsSync(source)) throw new RangeError(`loadModel: no such file "${source}"`);
    bytes = fs.readFileSync(source);
    externalData ??= siblingFiles(fs, source);
    opts = { name: source.replace(/^.*[\\/]/, '').replace(/\.(onnx|json)$/i, ''), ...opts };
  } else {
    throw new TypeError(`loadModel: source must be a path, a URL, an ArrayBuffer or a Uint8Array, got ${source === null ? 'null' : typeof source}`);
  }
  // model.json (TensorFlow.js) starts with '{' after optional whitespace; ONNX never does (field 1 is tag 0x08)
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) {
    let json: any;
    try { json = JSON.parse(new TextDecoder().decode(bytes)); } catch (e) { throw new TypeError(`loadModel: the file is neither ONNX nor valid JSON (${(e as Error).message})`); }
    if (json?.modelTopology?.node) throw new ModelImportError(['a TensorFlow.js GraphModel (modelTopology.node) is not supported yet; a LayersModel or an ONNX export is'], 'TF.js model');
    throw new ModelImportError(['TensorFlow.js LayersModel import is not supported yet; export the model to ONNX (tf2onnx) meanwhile'], 'TF.js model');
  }
  return importONNX(bytes, { ...opts, externalData });
}
