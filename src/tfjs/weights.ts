// TF.js weight shards -> named float tensors, decoded exactly as tfjs-core's io.decodeWeights
// does (float32, int32, and the converter's uint8 / uint16 affine and float16 quantizations),
// but with every byte count checked against the manifest before anything is allocated: a
// manifest that claims more than the shards hold, or shards with bytes left over, is an error
// naming the weight, never a short read padded with garbage.

/** One decoded weight: its manifest shape and values as float32. */
export interface TfjsWeight { shape: number[]; data: Float32Array }

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };
/** Elements one weight may claim; far above any CNN layer, far below what would exhaust memory. */
const MAX_ELEMENTS = 2 ** 28;
const MAX_WEIGHTS = 1_000_000;

const show = (v: unknown) => {
  try { return v === undefined ? 'undefined' : JSON.stringify(v)?.slice(0, 80) ?? String(v); } catch { return typeof v; }
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** IEEE 754 half to double: exact, as tfjs-core's table decoder is. */
function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** Joins the shards (in manifest order) into one buffer. */
export function joinShards(data: ArrayBuffer | Uint8Array | readonly (ArrayBuffer | Uint8Array)[]): Uint8Array {
  const parts = Array.isArray(data) ? data : [data];
  const views = parts.map((p, i) => {
    if (p instanceof Uint8Array) return p;
    if (p instanceof ArrayBuffer) return new Uint8Array(p);
    throw new TypeError(`weight data${Array.isArray(data) ? `[${i}]` : ''} must be an ArrayBuffer or Uint8Array, got ${p === null ? 'null' : typeof p}`);
  });
  if (views.length === 1) return views[0]!;
  const out = new Uint8Array(views.reduce((a, v) => a + v.length, 0));
  let off = 0;
  for (const v of views) { out.set(v, off); off += v.length; }
  return out;
}

/**
 * Decodes every weight the manifest lists from `bytes` (all groups' shards concatenated in
 * manifest order).
 * @throws TypeError for a malformed manifest entry, RangeError for sizes that do not match the
 *   bytes or values that are not finite; each message names the weight.
 */
export function decodeWeights(manifest: unknown, bytes: Uint8Array): Map<string, TfjsWeight> {
  if (manifest === undefined) manifest = [];
  if (!Array.isArray(manifest)) throw new TypeError(`weightsManifest must be an array of groups, got ${show(manifest)}`);
  const out = new Map<string, TfjsWeight>();
  let off = 0;
  manifest.forEach((group, gi) => {
    if (!isObj(group) || !Array.isArray(group.weights)) throw new TypeError(`weightsManifest[${gi}] must be { paths, weights: [...] }, got ${show(group)}`);
    if (out.size + group.weights.length > MAX_WEIGHTS) throw new RangeError(`weightsManifest lists more than ${MAX_WEIGHTS} weights`);
    group.weights.forEach((spec, wi) => {
      const at = `weightsManifest[${gi}].weights[${wi}]`;
      if (!isObj(spec)) throw new TypeError(`${at} must be { name, shape, dtype }, got ${show(spec)}`);
      const name = spec.name;
      if (typeof name !== 'string' || name === '') throw new TypeError(`${at}.name must be a non-empty string, got ${show(name)}`);
      const w = `weight "${name}"`;
      if (out.has(name)) throw new RangeError(`${w} is listed twice in the manifest`);
      const shape = spec.shape;
      if (!Array.isArray(shape) || shape.length > 8) throw new TypeError(`${w}: shape must be an array of at most 8 sizes, got ${show(shape)}`);
      let n = 1;
      for (const d of shape) {
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new RangeError(`${w}: shape ${show(shape)} must be non-negative integers`);
        n *= d;
        if (n > MAX_ELEMENTS) throw new RangeError(`${w}: shape ${show(shape)} has more than ${MAX_ELEMENTS} elements`);
      }
      const dtype = spec.dtype;
      if (dtype !== 'float32' && dtype !== 'int32') throw new RangeError(`${w}: dtype ${show(dtype)} is not supported (float32, int32)`);
      const q = spec.quantization;
      let qt: 'uint8' | 'uint16' | 'float16' | undefined;
      let scale = 1, min = 0;
      if (q !== undefined && q !== null) {
        if (!isObj(q)) throw new TypeError(`${w}: quantization must be an object, got ${show(q)}`);
        if (q.dtype !== 'uint8' && q.dtype !== 'uint16' && q.dtype !== 'float16') {
          throw new RangeError(`${w}: quantization dtype ${show(q.dtype)} is not supported (uint8, uint16, float16)`);
        }
        qt = q.dtype;
        if (qt !== 'float16') {
          if (typeof q.scale !== 'number' || !Number.isFinite(q.scale) || typeof q.min !== 'number' || !Number.isFinite(q.min)) {
            throw new RangeError(`${w}: ${qt} quantization needs finite scale and min, got scale ${show(q.scale)}, min ${show(q.min)}`);
          }
          scale = q.scale; min = q.min;
        } else if (dtype !== 'float32') throw new RangeError(`${w}: float16 quantization of ${dtype} weights`);
      }
      const size = n * BYTES[qt ?? dtype]!;
      if (off + size > bytes.length) {
        throw new RangeError(`${w} needs bytes ${off}..${off + size} but the weight data has ${bytes.length} (a shard is missing or truncated)`);
      }
      // a copy, aligned for the typed arrays below (and not Buffer#slice, which is a view of a pool)
      const copy = new Uint8Array(size);
      copy.set(bytes.subarray(off, off + size));
      const raw = copy.buffer;
      off += size;
      let data: Float32Array;
      if (qt === 'uint8' || qt === 'uint16') {
        const a = qt === 'uint8' ? new Uint8Array(raw) : new Uint16Array(raw);
        data = new Float32Array(n);
        if (dtype === 'int32') for (let i = 0; i < n; i++) data[i] = Math.round(a[i]! * scale + min);
        else for (let i = 0; i < n; i++) data[i] = a[i]! * scale + min;
      } else if (qt === 'float16') {
        const a = new Uint16Array(raw);
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = half(a[i]!);
      } else if (dtype === 'int32') data = Float32Array.from(new Int32Array(raw));
      else data = new Float32Array(raw);
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(data[i])) throw new RangeError(`${w}[${i}] is ${data[i]}; weights must be finite`);
      }
      out.set(name, { shape: shape.slice() as number[], data });
    });
  });
  if (off !== bytes.length) {
    throw new RangeError(`the weight data has ${bytes.length} bytes but the manifest describes ${off} (wrong or extra shards)`);
  }
  return out;
}
