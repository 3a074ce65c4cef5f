// JPEG and PNG files to RGBA pixels, in pure JavaScript so the CLI needs no native image library.
// Browsers decode with createImageBitmap instead; this module stays out of the browser bundles.
import { decode as decodeJpeg } from 'jpeg-js';
import { decode as decodePng, type DecodedPng } from 'fast-png';

/** A decoded image: 4 bytes (R, G, B, A) a pixel, row-major, like the DOM's `ImageData`. */
export interface DecodedImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const startsWith = (b: Uint8Array, m: readonly number[]) => b.length >= m.length && m.every((v, i) => b[i] === v);

/** What a file that is neither JPEG nor PNG looks like, for the error message. */
function sniff(b: Uint8Array): string {
  const ascii = (o: number, n: number) => String.fromCharCode(...b.subarray(o, o + n));
  if (ascii(0, 4) === 'GIF8') return 'a GIF';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 4) === 'WEBP') return 'a WebP';
  if (ascii(0, 2) === 'BM') return 'a BMP';
  if (ascii(4, 4) === 'ftyp') return 'an HEIF/AVIF (ISO media)';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49) || (b[0] === 0x4d && b[1] === 0x4d)) && (b[2]! | b[3]!) === 42) return 'a TIFF';
  return `an unknown format (first bytes ${Array.from(b.subarray(0, 8), (v) => v.toString(16).padStart(2, '0')).join(' ') || 'none: the file is empty'})`;
}

function jpeg(bytes: Uint8Array): DecodedImage {
  let r;
  try {
    r = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: true, maxMemoryUsageInMB: 512, maxResolutionInMP: 100 });
  } catch (e) {
    throw new RangeError(`decodeImage: corrupt or unsupported JPEG: ${(e as Error)?.message ?? e}`);
  }
  if (!(r.width >= 1 && r.height >= 1) || r.data.length !== r.width * r.height * 4) {
    throw new RangeError(`decodeImage: corrupt JPEG: ${r.width}x${r.height} with ${r.data.length} bytes of pixels`);
  }
  return { width: r.width, height: r.height, data: new Uint8ClampedArray(r.data.buffer, r.data.byteOffset, r.data.length) };
}

/** The samples of a non-palette PNG scaled to 8 bits, one per channel. */
function samples8(p: DecodedPng): Uint8Array {
  const n = p.width * p.height * p.channels;
  if (p.depth === 16) {
    // the high byte, as PIL keeps it when it opens a 16-bit RGB(A) PNG
    const out = new Uint8Array(n), d = p.data;
    for (let i = 0; i < n; i++) out[i] = d[i]! >> 8;
    return out;
  }
  if (p.depth === 8) return p.data as Uint8Array;
  // 1, 2 or 4 bits: packed, every row starting on a byte; stretched to 0..255 as PNG specifies
  const bits = p.depth, max = (1 << bits) - 1, rowBytes = Math.ceil((p.width * p.channels * bits) / 8);
  const out = new Uint8Array(n), d = p.data, perRow = p.width * p.channels;
  for (let y = 0, o = 0; y < p.height; y++) {
    for (let i = 0; i < perRow; i++) {
      const bit = i * bits, byte = d[y * rowBytes + (bit >> 3)]!;
      out[o++] = Math.round((((byte >> (8 - bits - (bit & 7))) & max) * 255) / max);
    }
  }
  return out;
}

function png(bytes: Uint8Array): DecodedImage {
  // the IHDR size, checked before fast-png allocates the pixels of whatever a header claims
  if (bytes.length >= 24) {
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const hw = v.getUint32(16) * v.getUint32(20);
    if (hw > 100e6) throw new RangeError(`decodeImage: PNG of ${v.getUint32(16)}x${v.getUint32(20)} is over 100 megapixels`);
  }
  let p: DecodedPng;
  try {
    p = decodePng(bytes);
  } catch (e) {
    throw new RangeError(`decodeImage: corrupt or truncated PNG: ${(e as Error)?.message ?? e}`);
  }
  const { width: w, height: h, channels: ch, depth } = p;
  if (!(w >= 1 && h >= 1) || ![1, 2, 3, 4].includes(ch) || ![1, 2, 4, 8, 16].includes(depth)) {
    throw new RangeError(`decodeImage: corrupt PNG: ${w}x${h}, ${ch} channels of ${depth} bits`);
  }
  const out = new Uint8ClampedArray(w * h * 4);
  const n = w * h;
  if (p.palette) {
    const pal = p.palette, bits = depth, rowBytes = Math.ceil((w * bits) / 8), d = p.data;
    if (d.length < rowBytes * h) throw new RangeError(`decodeImage: corrupt PNG: ${d.length} bytes of palette indices for ${w}x${h}`);
    for (let y = 0, o = 0; y < h; y++) {
      for (let x = 0; x < w; x++, o += 4) {
        const bit = x * bits, byte = d[y * rowBytes + (bit >> 3)]!;
        const idx = bits === 8 ? byte : (byte >> (8 - bits - (bit & 7))) & ((1 << bits) - 1);
        const c = pal[idx];
        if (!c) throw new RangeError(`decodeImage: corrupt PNG: palette index ${idx} of ${pal.length} entries at (${x}, ${y})`);
        out[o] = c[0]!; out[o + 1] = c[1]!; out[o + 2] = c[2]!; out[o + 3] = c.length > 3 ? c[3]! : 255;
      }
    }
    return { width: w, height: h, data: out };
  }
  if (p.data.length < n * ch * (depth === 16 ? 1 : depth / 8)) throw new RangeError(`decodeImage: corrupt PNG: ${p.data.length} samples for ${w}x${h}x${ch}`);
  const s = samples8(p);
  // a tRNS colour key (grey or RGB): pixels of exactly that colour are transparent
  const key = p.transparency && depth >= 8 && (ch === 1 || ch === 3) ? Array.from(p.transparency) : null;
  for (let i = 0; i < n; i++) {
    const o = 4 * i, q = i * ch;
    let transparent = false;
    if (ch <= 2) {
      out[o] = out[o + 1] = out[o + 2] = s[q]!;
      out[o + 3] = ch === 2 ? s[q + 1]! : 255;
    } else {
      out[o] = s[q]!; out[o + 1] = s[q + 1]!; out[o + 2] = s[q + 2]!;
      out[o + 3] = ch === 4 ? s[q + 3]! : 255;
    }
    if (key) {
      const raw = p.data;
      transparent = ch === 1 ? raw[q] === key[0] : raw[q] === key[0] && raw[q + 1] === key[1] && raw[q + 2] === key[2];
      if (transparent) out[o + 3] = 0;
    }
  }
  return { width: w, height: h, data: out };
}

/**
 * Decodes a JPEG (baseline or progressive, grey, RGB or CMYK) or PNG (grey, grey + alpha, RGB,
 * RGBA or palette; 1 to 16 bits) file, recognised by its first bytes, to RGBA. Images over 100
 * megapixels are refused before their pixels are allocated.
 * @throws TypeError when `bytes` is not a Uint8Array; RangeError for another format or a corrupt
 *   or truncated file, naming what is wrong.
 */
export function decodeImage(bytes: Uint8Array): DecodedImage {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodeImage: bytes must be a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return jpeg(bytes);
  if (startsWith(bytes, PNG_MAGIC)) return png(bytes);
  throw new RangeError(`decodeImage: not a JPEG or PNG file: ${sniff(bytes)}`);
}
