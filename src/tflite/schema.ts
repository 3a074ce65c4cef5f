// The part of TensorFlow Lite's flatbuffer schema (tensorflow/compiler/mlir/lite/schema/schema.fbs,
// file identifier "TFL3", schema version 3) that the exporter writes: enum values and, per table,
// the slot of each field. A table's slot is its field's position in the schema; a union takes
// two slots (its type, then its value). Values written equal to the schema's default are left
// out, as flatc's own builders do.

import { Builder } from 'flatbuffers';

/** Schema version written into Model.version. */
export const SCHEMA_VERSION = 3;
export const FILE_IDENTIFIER = 'TFL3';

/** TensorType. */
export const TensorType = { FLOAT32: 0, INT32: 2 } as const;

/** BuiltinOperator codes of the operators the exporter emits. */
export const Op = {
  ADD: 0, AVERAGE_POOL_2D: 1, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4,
  FULLY_CONNECTED: 9, LOCAL_RESPONSE_NORMALIZATION: 13, LOGISTIC: 14, MAX_POOL_2D: 17, MUL: 18,
  RELU: 19, RELU_N1_TO_1: 20, RELU6: 21, RESHAPE: 22, SOFTMAX: 25, PAD: 34, TRANSPOSE: 39,
  MEAN: 40, DIV: 42, MAXIMUM: 55, MINIMUM: 57, PADV2: 60, SLICE: 65, POW: 78, REDUCE_MAX: 82,
  LEAKY_RELU: 98,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** Padding. */
export const Padding = { SAME: 0, VALID: 1 } as const;

/** ActivationFunctionType. */
export const Activation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3 } as const;
export type ActivationCode = (typeof Activation)[keyof typeof Activation];

/** BuiltinOptions union members (their position in the union, NONE = 0). */
export const Options = {
  NONE: 0, Conv2DOptions: 1, DepthwiseConv2DOptions: 2, Pool2DOptions: 5, FullyConnectedOptions: 8,
  SoftmaxOptions: 9, ConcatenationOptions: 10, AddOptions: 11, LocalResponseNormalizationOptions: 13,
  ReshapeOptions: 17, MulOptions: 21, PadOptions: 22, TransposeOptions: 26, ReducerOptions: 27,
  DivOptions: 29, MaximumMinimumOptions: 39, PadV2Options: 43, SliceOptions: 48, PowOptions: 56,
  LeakyReluOptions: 75,
} as const;

/** One field of an options table: its slot, kind and value. */
export type Field =
  | { slot: number; int8: number; dflt?: number }
  | { slot: number; int32: number; dflt?: number }
  | { slot: number; float32: number; dflt?: number }
  | { slot: number; bool: boolean }
  | { slot: number; int32s: number[] };

/** A builtin options table: the union member and its fields. */
export interface OptionsTable { type: number; fields: Field[] }

/** Writes an options table (every field is a scalar or an int vector) and returns its offset. */
export function writeOptions(b: Builder, t: OptionsTable): number {
  const vectors = new Map<number, number>();
  for (const f of t.fields) if ('int32s' in f) vectors.set(f.slot, intVector(b, f.int32s));
  b.startObject(t.fields.reduce((m, f) => Math.max(m, f.slot + 1), 0));
  for (const f of t.fields) {
    if ('int8' in f) b.addFieldInt8(f.slot, f.int8, f.dflt ?? 0);
    else if ('int32' in f) b.addFieldInt32(f.slot, f.int32, f.dflt ?? 0);
    else if ('float32' in f) b.addFieldFloat32(f.slot, f.float32, f.dflt ?? 0);
    else if ('bool' in f) b.addFieldInt8(f.slot, f.bool ? 1 : 0, 0);
    else b.addFieldOffset(f.slot, vectors.get(f.slot)!, 0);
  }
  return b.endObject();
}

export function intVector(b: Builder, xs: readonly number[]): number {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addInt32(xs[i]!);
  return b.endVector();
}

export function offsetVector(b: Builder, xs: readonly number[]): number {
  b.startVector(4, xs.length, 4);
  for (let i = xs.length - 1; i >= 0; i--) b.addOffset(xs[i]!);
  return b.endVector();
}

/**
 * A [ubyte] vector whose first byte sits on a 16-byte boundary of the finished file (Buffer.data
 * is force_align: 16, so that a runtime can use constants in place). Padding so that the bytes
 * end on a 16-byte boundary (counted from the end, where a flatbuffer is built) leaves the
 * vector's own 4-aligned prep nothing to add.
 */
export function alignedBytes(b: Builder, bytes: Uint8Array): number {
  b.prep(16, bytes.length);
  return b.createByteVector(bytes);
}

/** A table of `slots` fields whose first ones are the given offsets, in slot order. */
export function offsetTable(b: Builder, slots: number, offsets: readonly number[]): number {
  b.startObject(slots);
  offsets.forEach((o, slot) => b.addFieldOffset(slot, o, 0));
  return b.endObject();
}

/** Tensor table. */
export function writeTensor(b: Builder, t: { shape: readonly number[]; type: number; buffer: number; name: string }): number {
  const shape = intVector(b, t.shape);
  const name = b.createString(t.name);
  b.startObject(9);
  b.addFieldOffset(0, shape, 0);
  b.addFieldInt8(1, t.type, 0);
  b.addFieldInt32(2, t.buffer, 0);
  b.addFieldOffset(3, name, 0);
  b.addFieldInt8(8, 1, 0); // has_rank: a [] shape is a scalar, not an unknown rank
  return b.endObject();
}

/** OperatorCode table (codes below 127 also go in the byte field older readers look at). */
export function writeOperatorCode(b: Builder, code: number, version: number): number {
  b.startObject(4);
  b.addFieldInt8(0, Math.min(code, 127), 0);
  b.addFieldInt32(2, version, 1);
  b.addFieldInt32(3, code, 0);
  return b.endObject();
}

/** Operator table. */
export function writeOperator(b: Builder, op: { opcodeIndex: number; inputs: number[]; outputs: number[]; options?: OptionsTable }): number {
  const inputs = intVector(b, op.inputs);
  const outputs = intVector(b, op.outputs);
  const options = op.options ? writeOptions(b, op.options) : 0;
  b.startObject(5);
  b.addFieldInt32(0, op.opcodeIndex, 0);
  b.addFieldOffset(1, inputs, 0);
  b.addFieldOffset(2, outputs, 0);
  if (op.options) {
    b.addFieldInt8(3, op.options.type, 0);
    b.addFieldOffset(4, options, 0);
  }
  return b.endObject();
}

/** Buffer table: data, or none (the sentinel buffer 0 and every activation's). */
export function writeBuffer(b: Builder, data: Uint8Array | null): number {
  const v = data && data.length > 0 ? alignedBytes(b, data) : 0;
  b.startObject(3);
  if (v) b.addFieldOffset(0, v, 0);
  return b.endObject();
}

/** TensorMap table (a signature's named input or output). */
export function writeTensorMap(b: Builder, name: string, tensor: number): number {
  const n = b.createString(name);
  b.startObject(2);
  b.addFieldOffset(0, n, 0);
  b.addFieldInt32(1, tensor, 0);
  return b.endObject();
}
