// Bilinear resampling as Pillow does it (Resample.c): separable, horizontal pass then vertical,
// a triangle filter whose support grows with the downscale factor (that is the antialiasing),
// pixel centres at +0.5, and 8-bit fixed-point weights (22 fraction bits) with the intermediate
// image rounded to uint8 between the passes. Copying those details, not just "bilinear", is what
// makes a torchvision-trained model see the same pixels here as in its training pipeline: a
// plain 2x2 bilinear at 4x downscale aliases, and a float intermediate drifts by a level or two.

/** An RGB image, 3 bytes a pixel, row-major: what the resampler works on. */
export interface Rgb8 {
  width: number;
  height: number;
  data: Uint8Array;
}

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** Per output index: the first input index, how many follow, and their fixed-point weights. */
function coefficients(inSize: number, outSize: number): { first: Int32Array; count: Int32Array; weights: Int32Array; ksize: number } {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // the triangle's support is 1, widened by the downscale factor
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let o = 0; o < outSize; o++) {
    const center = (o + 0.5) * scale;
    // C's (int) cast truncates toward zero; Math.trunc does the same for the negative case
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let i = 0; i < xmax; i++) {
      const t = Math.abs((i + xmin - center + 0.5) / filterScale);
      k[i] = t < 1 ? 1 - t : 0;
      sum += k[i]!;
    }
    for (let i = 0; i < xmax; i++) {
      const w = sum !== 0 ? k[i]! / sum : k[i]!;
      weights[o * ksize + i] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[o] = xmin;
    count[o] = xmax;
  }
  return { first, count, weights, ksize };
}

const clip8 = (ss: number) => (ss >= ONE * 256 ? 255 : ss <= 0 ? 0 : Math.floor(ss / ONE));

function horizontal(src: Rgb8, outW: number): Rgb8 {
  const { width: w, height: h, data } = src;
  const { first, count, weights, ksize } = coefficients(w, outW);
  const out = new Uint8Array(outW * h * 3);
  for (let y = 0; y < h; y++) {
    const row = y * w * 3;
    for (let o = 0; o < outW; o++) {
      let r = HALF, g = HALF, b = HALF;
      const x0 = first[o]!, n = count[o]!, kb = o * ksize;
      for (let i = 0; i < n; i++) {
        const k = weights[kb + i]!, p = row + (x0 + i) * 3;
        r += data[p]! * k; g += data[p + 1]! * k; b += data[p + 2]! * k;
      }
      const q = (y * outW + o) * 3;
      out[q] = clip8(r); out[q + 1] = clip8(g); out[q + 2] = clip8(b);
    }
  }
  return { width: outW, height: h, data: out };
}

function vertical(src: Rgb8, outH: number): Rgb8 {
  const { width: w, height: h, data } = src;
  const { first, count, weights, ksize } = coefficients(h, outH);
  const out = new Uint8Array(w * outH * 3);
  const stride = w * 3;
  for (let o = 0; o < outH; o++) {
    const y0 = first[o]!, n = count[o]!, kb = o * ksize;
    for (let x = 0; x < stride; x += 3) {
      let r = HALF, g = HALF, b = HALF;
      for (let i = 0; i < n; i++) {
        const k = weights[kb + i]!, p = (y0 + i) * stride + x;
        r += data[p]! * k; g += data[p + 1]! * k; b += data[p + 2]! * k;
      }
      const q = o * stride + x;
      out[q] = clip8(r); out[q + 1] = clip8(g); out[q + 2] = clip8(b);
    }
  }
  return { width: w, height: outH, data: out };
}

/**
 * Resizes an RGB image to `width` x `height` the way Pillow's `Image.resize(size, BILINEAR)`
 * does (and so torchvision's `Resize` on a PIL image): an axis whose size does not change is
 * left alone, as Pillow leaves it.
 */
export function resizeBilinear(src: Rgb8, width: number, height: number): Rgb8 {
  let img = src;
  if (width !== img.width) img = horizontal(img, width);
  if (height !== img.height) img = vertical(img, height);
  return img;
}
