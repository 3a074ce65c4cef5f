// `run --image`: a photo through the model, printed as classes with probabilities. The checks
// run before compiling, so a typo in an option costs no compile time.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { classify, CONVENTIONS, decodeImage, parseLabels, type Convention, type DecodedImage, type Prediction } from '../image/index.js';
import { compile } from '../runtime/index.js';
import { positiveInt, UsageError } from './args.js';
import type { ModelFromArgs } from './model-source.js';

const IMAGENET_LABELS = fileURLToPath(new URL('../../data/imagenet/labels.txt', import.meta.url));

/** The result of `run --image`. */
export interface ImageRunResult {
  model: string;
  image: string;
  preprocess: Convention;
  input: number[];
  classes: Prediction[];
  labels: string;
  compileMs: number;
  runMs: number;
}

/** The `--image` options, checked; the model only decides the defaults and the class count. */
export function imageOptions(name: string, m: ModelFromArgs, values: Record<string, unknown>) {
  if (values.input !== undefined) throw new UsageError('run: --image and --input are exclusive (an image, or a tensor as .npy)');
  if (m.args.batch !== undefined && m.args.batch !== 1) throw new UsageError(`run: --image classifies one image; --batch ${m.args.batch} is not 1`);
  const pre = values.preprocess ?? (/\.json$/i.test(name) ? 'keras' : 'torchvision');
  if (!CONVENTIONS.includes(pre as Convention)) throw new UsageError(`run: --preprocess must be one of ${CONVENTIONS.join(', ')}, got '${pre}'`);
  let top: number;
  try { top = positiveInt('top', values.top) ?? 5; } catch (e: any) { throw new UsageError(`run: ${e.message}`); }
  const s = m.graph.nodes[0]!.outShape;
  if (s.length !== 4 || s[3] !== 3) throw new UsageError(`run: --image needs a model that takes RGB images; ${name} takes [${s.join(', ')}]`);
  const out = m.graph.nodes[m.graph.nodes.length - 1]!.outShape;
  const classes = out.slice(1).reduce((a, b) => a * b, 1);
  if (top > classes) throw new UsageError(`run: --top ${top} is more than the model's ${classes} classes`);
  let labels: string[] | undefined, labelsFrom = 'class indices';
  const read = (file: string, flag: string) => {
    try { return parseLabels(readFileSync(file, 'utf8'), `${flag} ${file}`); } catch (e: any) {
      throw new UsageError(`run: ${e instanceof RangeError ? '' : `${flag} ${file}: `}${e.message}`);
    }
  };
  if (values.labels !== undefined) {
    const file = String(values.labels);
    labels = read(file, '--labels');
    if (labels.length !== classes) throw new UsageError(`run: --labels ${file} has ${labels.length} lines; the model has ${classes} classes`);
    labelsFrom = file;
  } else if (classes === 1000) {
    labels = read(IMAGENET_LABELS, 'ImageNet labels');
    labelsFrom = 'ImageNet (data/imagenet/labels.txt)';
  }
  const file = String(values.image);
  let bytes: Uint8Array, image: DecodedImage;
  try { bytes = readFileSync(file); } catch (e: any) { throw new UsageError(`run: --image ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`); }
  try { image = decodeImage(bytes); } catch (e: any) { throw new UsageError(`run: --image ${file}: ${e.message.replace(/^decodeImage: /, '')}`); }
  return { preprocess: pre as Convention, top, labels, labelsFrom, image, file };
}

/** Compiles the model and classifies the image. */
export async function runImage(name: string, m: ModelFromArgs, values: Record<string, unknown>): Promise<ImageRunResult> {
  const o = imageOptions(name, m, values);
  const t0 = performance.now();
  const net = await compile(m.graph, m.weights ? { weights: m.weights } : {});
  const compileMs = performance.now() - t0;
  try {
    const t1 = performance.now();
    const classes = classify(net, o.image, { preprocess: o.preprocess, top: o.top, labels: o.labels });
    const runMs = performance.now() - t1;
    return { model: name, image: o.file, preprocess: o.preprocess, input: net.inputShape.slice(), classes, labels: o.labelsFrom, compileMs, runMs };
  } catch (e: any) {
    throw new UsageError(`run: --image ${o.file}: ${e.message}`);
  } finally {
    net.dispose();
  }
}

/** The text form: one line a class. */
export function formatImageRun(r: ImageRunResult, randomWeights: boolean): string {
  const w = Math.max(...r.classes.map((c) => String(c.index).length));
  return [
    `${r.model}: ${r.image} (${r.preprocess} preprocessing, input [${r.input.join(', ')}])`,
    ...r.classes.map((c) => `  ${(c.score * 100).toFixed(2).padStart(6)}%  ${String(c.index).padStart(w)}${c.label !== undefined ? `  ${c.label}` : ''}`),
    `  compile ${r.compileMs.toFixed(0)} ms, preprocess + run ${r.runMs.toFixed(1)} ms${randomWeights ? ' (random weights: the classes mean nothing)' : ''}`,
  ].join('\n');
}
