// The input pipelines ImageNet classifiers were trained with. A network sees garbage if its
// image is scaled, cropped or normalised differently from training, so each convention is the
// framework's own recipe, sized from the model's input rather than fixed at 224.
import { resizeBilinear, type Rgb8 } from './resize.js';

/** An RGBA image, 4 bytes a pixel, row-major: `ImageData`, or what {@link decodeImage} returns. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray | Uint8Array;
}

/**
 * How the network was trained to see an image:
 * - `torchvision`: shorter side to size·256/224 (bilinear, antialiased as PIL does), centre crop,
 *   /255, ImageNet mean [0.485, 0.456, 0.406] and std [0.229, 0.224, 0.225] (torchvision, timm);
 * - `keras`: the whole image to size x size, x/127.5 - 1 (Keras MobileNet, Inception);
 * - `caffe`: as torchvision for size and crop, then BGR minus [103.939, 116.779, 123.68]
 *   (Keras ResNet50 / VGG, the original Caffe models);
 * - `none`: the whole image to the input size, /255.
 */
export type Convention = 'torchvision' | 'keras' | 'caffe' | 'none';

/** The conventions {@link preprocess} knows. */
export const CONVENTIONS: readonly Convention[] = ['torchvision', 'keras', 'caffe', 'none'];

/** Options of {@link preprocess}. */
export interface PreprocessOptions {
  /** The network's input height and width, or one number for a square input (default 224). */
  size?: number | readonly [number, number];
  /** Element order of the result (default 'nhwc', simdnet's own; 'nchw' for PyTorch's). */
  layout?: 'nhwc' | 'nchw';
}

/** A batch of one image, ready for `Net.run(data, { layout })`. */
export interface Preprocessed {
  data: Float32Array;
  /** [1, h, w, 3] (nhwc) or [1, 3, h, w] (nchw). */
  shape: [number, number, number, number];
  layout: 'nhwc' | 'nchw';
}

const MEAN = [0.485, 0.456, 0.406];
const STD = [0.229, 0.224, 0.225];
const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68];

/** Checks an RGBA image's fields; shared by preprocess and classify. */
export function checkRgba(image: unknown, what = 'image'): RgbaImage {
  if (image === null || typeof image !== 'object') throw new TypeError(`${what} must be an object { width, height, data }, got ${image === null ? 'null' : typeof image}`);
  const { width, height, data } = image as Record<string, unknown>;
  for (const [k, v] of [['width', width], ['height', height]] as const) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new RangeError(`${what}.${k} must be a positive integer, got ${String(v)}`);
  }
  if (!(data instanceof Uint8ClampedArray || data instanceof Uint8Array)) {
    throw new TypeError(`${what}.data must be a Uint8ClampedArray or Uint8Array of RGBA bytes, got ${data === null ? 'null' : (data as object)?.constructor?.name ?? typeof data}`);
  }
  const w = width as number, h = height as number;
  if (data.length !== w * h * 4) throw new RangeError(`${what}.data has ${data.length} bytes; ${w}x${h} RGBA needs ${w * h * 4}`);
  return { width: w, height: h, data };
}

function checkSize(size: PreprocessOptions['size']): [number, number] {
  const hw = size === undefined ? [224, 224] : typeof size === 'number' ? [size, size] : Array.isArray(size) && size.length === 2 ? [size[0], size[1]] : null;
  if (!hw || !hw.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1 && v <= 8192)) {
    throw new RangeError(`preprocess: size must be an integer 1..8192 or [height, width] of them, got ${JSON.stringify(size)}`);
  }
  return hw as [number, number];
}

/** Python's round(), half to even: torchvision's CenterCrop offsets use it. */
const roundHalfEven = (v: number) => {
  const f = Math.floor(v), d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
};

function dropAlpha(img: RgbaImage): Rgb8 {
  // alpha is dropped, not composited, as PIL's convert('RGB') in the usual loader drops it
  const n = img.width * img.height, src = img.data, rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) { rgb[3 * i] = src[4 * i]!; rgb[3 * i + 1] = src[4 * i + 1]!; rgb[3 * i + 2] = src[4 * i + 2]!; }
  return { width: img.width, height: img.height, data: rgb };
}

/**
 * The pixels a network sees: `image` resized and cropped, scaled and normalised as `convention`
 * says (see {@link Convention}), for an input of `opts.size`. The resize matches PIL's
 * `Image.resize(BILINEAR)` exactly (same fixed-point arithmetic); alpha is ignored.
 * @throws TypeError / RangeError for a malformed image, an unknown convention or a bad option.
 */
export function preprocess(image: RgbaImage, convention: Convention, opts: PreprocessOptions = {}): Preprocessed {
  const img = checkRgba(image);
  if (!CONVENTIONS.includes(convention)) throw new RangeError(`preprocess: convention must be one of ${CONVENTIONS.join(', ')}, got ${JSON.stringify(convention)}`);
  if (opts === null || typeof opts !== 'object') throw new TypeError('preprocess: options must be an object');
  const layout = opts.layout ?? 'nhwc';
  if (layout !== 'nhwc' && layout !== 'nchw') throw new RangeError(`preprocess: layout must be 'nhwc' or 'nchw', got ${JSON.stringify(layout)}`);
  const [H, W] = checkSize(opts.size);
  const rgb = dropAlpha(img);
  let pixels: Rgb8, top = 0, left = 0;
  if (convention === 'torchvision' || convention === 'caffe') {
    // torchvision's Resize(int): the shorter side to `short`, the longer one truncated in proportion
    const short = Math.round((Math.min(H, W) * 256) / 224);
    const { width: w, height: h } = rgb;
    const [nw, nh] = w <= h ? [short, Math.trunc((short * h) / w)] : [Math.trunc((short * w) / h), short];
    if (nw < W || nh < H) throw new RangeError(`preprocess: a ${w}x${h} image resizes to ${nw}x${nh}, smaller than the ${W}x${H} crop`);
    pixels = resizeBilinear(rgb, nw, nh);
    top = roundHalfEven((nh - H) / 2);
    left = roundHalfEven((nw - W) / 2);
  } else {
    pixels = resizeBilinear(rgb, W, H);
  }
  const out = new Float32Array(3 * H * W);
  const src = pixels.data, pw = pixels.width;
  const f = Math.fround;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = ((y + top) * pw + x + left) * 3;
      for (let c = 0; c < 3; c++) {
        let v: number;
        // float32 at each step, in torchvision's order, so the result is its bit pattern or 1 ulp off
        if (convention === 'torchvision') v = f(f(f(src[p + c]! / 255) - f(MEAN[c]!)) / f(STD[c]!));
        else if (convention === 'keras') v = src[p + c]! / 127.5 - 1;
        else if (convention === 'caffe') v = src[p + 2 - c]! - CAFFE_MEAN_BGR[c]!;
        else v = src[p + c]! / 255;
        out[layout === 'nhwc' ? (y * W + x) * 3 + c : (c * H + y) * W + x] = v;
      }
    }
  }
  return { data: out, shape: layout === 'nhwc' ? [1, H, W, 3] : [1, 3, H, W], layout };
}
