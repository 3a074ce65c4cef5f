// Image in, labelled classes out: preprocessing, one run, softmax, top-k. Works on any object
// shaped like a compiled Net, so this layer needs neither the runtime nor the wasm.
import { checkRgba, CONVENTIONS, preprocess, type Convention, type RgbaImage } from './preprocess.js';

/** What classify needs of a network: a compiled `Net` has it. */
export interface Classifier {
  /** NHWC: [batch, height, width, 3]. */
  readonly inputShape: readonly number[];
  readonly outputShape: readonly number[];
  run(input: Float32Array, opts?: { layout?: 'nhwc' | 'nchw' }): Float32Array;
}

/** Options of {@link classify}. */
export interface ClassifyOptions {
  /** The training pipeline's preprocessing (default 'torchvision'). */
  preprocess?: Convention;
  /** How many classes to return, best first (default 5). */
  top?: number;
  /** One name per class (e.g. the ImageNet labels in data/imagenet/labels.txt). */
  labels?: readonly string[];
}

/** One class of a {@link classify} result. */
export interface Prediction {
  index: number;
  label?: string;
  /** Softmax probability (the output itself when it is already a distribution). */
  score: number;
}

/** An `ImageBitmap`-like source a canvas can draw (browsers). */
interface Drawable { width: number; height: number; close?: () => void }

/**
 * Probabilities from a network's output row: the row itself when it already is a distribution
 * (non-negative, sums to 1 within 1e-3: a model that ends in softmax), else its softmax.
 * @throws RangeError when the row holds NaN or an infinity.
 */
export function probabilities(row: Float32Array | readonly number[]): Float64Array {
  let max = -Infinity, sum = 0, nonNegative = true;
  for (let i = 0; i < row.length; i++) {
    const v = row[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`the network's output ${i} is ${v}`);
    if (v > max) max = v;
    if (v < 0) nonNegative = false;
    sum += v;
  }
  const out = new Float64Array(row.length);
  if (nonNegative && Math.abs(sum - 1) <= 1e-3) {
    for (let i = 0; i < row.length; i++) out[i] = row[i]!;
    return out;
  }
  let z = 0;
  for (let i = 0; i < row.length; i++) z += out[i] = Math.exp(row[i]! - max);
  for (let i = 0; i < row.length; i++) out[i]! /= z;
  return out;
}

/** The `k` best classes of a probability row, best first (ties: the lower index first). */
export function topK(probs: Float64Array | Float32Array, k: number, labels?: readonly string[]): Prediction[] {
  const idx = Array.from(probs, (_, i) => i).sort((a, b) => probs[b]! - probs[a]! || a - b).slice(0, k);
  return idx.map((index) => (labels ? { index, label: labels[index]!, score: probs[index]! } : { index, score: probs[index]! }));
}

/**
 * Class names from a labels file: one a line, `\n` or `\r\n`; one final newline is allowed.
 * @throws RangeError for an empty file or a blank line (a label missing shifts every later class).
 */
export function parseLabels(text: string, what = 'labels'): string[] {
  if (typeof text !== 'string') throw new TypeError(`${what} must be a string`);
  const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
  if (lines.length === 1 && lines[0] === '') throw new RangeError(`${what}: the file is empty`);
  const blank = lines.findIndex((l) => l.trim() === '');
  if (blank >= 0) throw new RangeError(`${what}: line ${blank + 1} is blank`);
  return lines;
}

/** RGBA pixels of an ImageData-like object, or of an ImageBitmap drawn into an OffscreenCanvas. */
function rgbaOf(image: unknown): RgbaImage {
  const o = image as Record<string, unknown> | null;
  if (o && typeof o === 'object' && !('data' in o) && typeof (globalThis as any).OffscreenCanvas === 'function') {
    const { width, height } = o as unknown as Drawable;
    if (!(Number.isSafeInteger(width) && width >= 1 && Number.isSafeInteger(height) && height >= 1)) throw new RangeError(`classify: image of ${width}x${height}`);
    const canvas = new (globalThis as any).OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new TypeError('classify: no 2d context on an OffscreenCanvas to read the image');
    ctx.drawImage(image, 0, 0);
    return ctx.getImageData(0, 0, width, height);
  }
  return checkRgba(image, 'classify: image');
}

/**
 * Classifies one image: preprocesses it for `net`'s input size as its training did, runs it,
 * and returns the `top` classes with softmax probabilities.
 *
 * ```js
 * const net = await compile(graph, { weights });
 * const labels = parseLabels(await (await fetch('labels.txt')).text());
 * classify(net, imageData, { preprocess: 'torchvision', labels }); // [{ index, label, score }, …]
 * ```
 * @param image `ImageData`-like `{ width, height, data }` RGBA, or (browsers) an `ImageBitmap`.
 * @throws TypeError / RangeError for a bad image or option, a net whose input is not a batch of
 *   one 3-channel image, or labels that do not match the classes.
 */
export function classify(net: Classifier, image: RgbaImage | Drawable, opts: ClassifyOptions = {}): Prediction[] {
  if (net === null || typeof net !== 'object' || typeof net.run !== 'function' || !Array.isArray(net.inputShape)) throw new TypeError('classify: net must be a compiled Net');
  if (opts === null || typeof opts !== 'object') throw new TypeError('classify: options must be an object');
  const convention = opts.preprocess ?? 'torchvision';
  if (!CONVENTIONS.includes(convention)) throw new RangeError(`classify: preprocess must be one of ${CONVENTIONS.join(', ')}, got ${JSON.stringify(convention)}`);
  const top = opts.top ?? 5;
  if (!Number.isSafeInteger(top) || top < 1) throw new RangeError(`classify: top must be a positive integer, got ${top}`);
  const s = net.inputShape;
  if (s.length !== 4 || s[0] !== 1 || s[3] !== 3) throw new RangeError(`classify: the network takes [${s.join(', ')}]; classify needs one RGB image, [1, height, width, 3]`);
  const classes = net.outputShape.reduce((a, b) => a * b, 1) / (net.outputShape[0] ?? 1);
  if (opts.labels !== undefined) {
    if (!Array.isArray(opts.labels)) throw new TypeError('classify: labels must be an array of strings');
    if (opts.labels.length !== classes) throw new RangeError(`classify: ${opts.labels.length} labels for a network of ${classes} classes`);
  }
  const x = preprocess(rgbaOf(image), convention, { size: [s[1]!, s[2]!], layout: 'nhwc' });
  const y = net.run(x.data, { layout: 'nhwc' });
  return topK(probabilities(y.subarray(0, classes)), Math.min(top, classes), opts.labels);
}
