// ONNX TensorProto data -> typed arrays, checked against what the file can actually hold: every
// dimension a safe non-negative integer, the element count bounded, the bytes present equal to
// the bytes claimed (a 1 KB file cannot declare a 10 GB tensor and get 10 GB allocated).

import { DataType } from './schema.js';

/** Most elements one tensor may have (1 GiB of float32): larger is a corrupt or hostile file. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;

/** A decoded tensor: float data as Float32Array, integer data as plain numbers (int64 kept exact up to 2^53). */
export interface DecodedTensor {
  dims: number[];
  float?: Float32Array;
  int?: number[];
}

/** An int64 as protobufjs hands it: a number, or a Long-like { low, high } without long.js. */
export function int64(v: unknown, what: string): number {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`${what} is not an integer (${v})`);
    return v;
  }
  if (v && typeof v === 'object' && 'low' in v && 'high' in v) {
    const { low, high } = v as { low: number; high: number };
    const n = high * 2 ** 32 + (low >>> 0);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${what} does not fit a safe integer`);
    return n;
  }
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return int64(Number(v), what);
  throw new TypeError(`${what} is not an integer (${typeof v})`);
}

/** float16 bits -> float32 value (IEEE 754 binary16, subnormals included). */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const BYTES: Record<number, number> = {
  [DataType.FLOAT]: 4, [DataType.UINT8]: 1, [DataType.INT8]: 1, [DataType.INT32]: 4,
  [DataType.INT64]: 8, [DataType.FLOAT16]: 2, [DataType.DOUBLE]: 8,
};

const TYPE_NAMES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'double', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

/** The name of an ONNX data type, for messages. */
export function typeName(t: number): string {
  return TYPE_NAMES[t] ?? `type ${t}`;
}

/**
 * Decodes one TensorProto. `external` resolves external data (location -> bytes) when the tensor
 * says its data is stored outside the model.
 * @throws TypeError / RangeError naming the tensor for anything the bytes do not back up.
 */
export function decodeTensor(t: any, external?: (location: string) => Uint8Array): DecodedTensor {
  const name = `tensor "${t?.name ?? ''}"`;
  const dims = (t.dims ?? []).map((d: unknown, i: number) => {
    const n = int64(d, `${name} dims[${i}]`);
    if (n < 0) throw new RangeError(`${name}: dims[${i}] is negative (${n})`);
    return n;
  });
  let count = 1;
  for (const d of dims) {
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) throw new RangeError(`${name}: ${dims.join(' x ')} elements is more than this importer accepts (${MAX_TENSOR_ELEMENTS})`);
  }
  const type: number = t.dataType ?? 0;
  const bpe = BYTES[type];
  if (!bpe) throw new TypeError(`${name}: data type ${typeName(type)} is not supported (float32, float16, double, int8/uint8/int32/int64)`);
  let raw: Uint8Array | undefined = t.rawData && t.rawData.length ? t.rawData : undefined;
  if (t.dataLocation === 1) {
    const entries = new Map<string, string>((t.externalData ?? []).map((e: any) => [String(e.key), String(e.value)]));
    const location = entries.get('location');
    if (!location) throw new TypeError(`${name}: external data without a location`);
    if (!external) throw new TypeError(`${name}: data is in the external file "${location}"; load the model from a path, or pass options.externalData`);
    const file = external(location);
    const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
    const length = entries.has('length') ? Number(entries.get('length')) : count * bpe;
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > file.length) {
      throw new RangeError(`${name}: external data [${offset}, +${length}) lies outside "${location}" (${file.length} bytes)`);
    }
    raw = file.subarray(offset, offset + length);
  }
  const out: DecodedTensor = { dims };
  if (raw) {
    if (raw.length !== count * bpe) throw new RangeError(`${name}: ${dims.join(' x ') || 'scalar'} ${typeName(type)} needs ${count * bpe} bytes, the file has ${raw.length}`);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (type === DataType.FLOAT || type === DataType.FLOAT16 || type === DataType.DOUBLE) {
      const f = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        f[i] = type === DataType.FLOAT ? view.getFloat32(i * 4, true) : type === DataType.DOUBLE ? view.getFloat64(i * 8, true) : halfToFloat(view.getUint16(i * 2, true));
      }
      out.float = f;
    } else {
      const a: number[] = new Array(count);
      for (let i = 0; i < count; i++) {
        a[i] = type === DataType.INT64 ? Number(view.getBigInt64(i * 8, true))
          : type === DataType.INT32 ? view.getInt32(i * 4, true) : type === DataType.INT8 ? view.getInt8(i) : view.getUint8(i);
      }
      out.int = a;
    }
    return out;
  }
  const field = type === DataType.FLOAT ? t.floatData : type === DataType.DOUBLE ? t.doubleData
    : type === DataType.INT64 ? t.int64Data : t.int32Data; // float16, int8, uint8, int32 live in int32_data
  const values: unknown[] = field ?? [];
  if (values.length !== count) throw new RangeError(`${name}: ${dims.join(' x ') || 'scalar'} needs ${count} values, the file has ${values.length}`);
  if (type === DataType.FLOAT || type === DataType.DOUBLE) out.float = Float32Array.from(values as number[]);
  else if (type === DataType.FLOAT16) out.float = Float32Array.from(values as number[], (h) => halfToFloat(h & 0xffff));
  else out.int = values.map((v, i) => int64(v, `${name}[${i}]`));
  return out;
}
