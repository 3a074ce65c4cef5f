// Device profiles: the parameters of the latency model as plain JSON data, their schema and
// validation. Its own module so the built-in profiles (devices/profiles.ts) and the model
// (predict.ts) both import it without importing each other.

import { OP_CLASSES, type OpClass } from './analyze.js';

/** The `schema` value every profile carries. */
export const PROFILE_SCHEMA = 'simdnet-device/1';

/** Roofline of one op class. */
export interface ClassRoofline {
  /** Effective compute rate, GFLOP/s (1e9 FLOP/s; FLOPs = 2 x MACs + other ops). */
  gflops: number;
  /** Fixed cost of every kernel step of this class, microseconds. */
  overheadUs: number;
}

/**
 * Shape-aware kernel model (host profiles): per feature group, nanoseconds per unit of each
 * feature (see {@link kernelFeatures}); a group's `step` entry is that kernel's per-call overhead.
 */
export type KernelModel = Record<string, Record<string, number>>;

/** A device profile: the parameters of the latency model, as plain JSON data. */
export interface DeviceProfile {
  schema: typeof PROFILE_SCHEMA;
  /** Short name, e.g. `tx1`. */
  name: string;
  description: string;
  /** How graph nodes become kernel steps: see src/cost/predict.ts's header. */
  execution: 'eager' | 'pytorch' | 'simdnet';
  /** Memory roofline, GB/s (1e9 bytes/s), over weight + activation bytes. */
  bandwidthGBs: number;
  /**
   * Optional separate rate for activation bytes, GB/s: on a CPU with a large last-level cache the
   * activations of a batch-1 network stay in cache while the weights stream from DRAM.
   * Absent: activations move at `bandwidthGBs` too.
   */
  activationBandwidthGBs?: number;
  /** One roofline per op class; every class present. */
  classes: Record<OpClass, ClassRoofline>;
  /**
   * Optional rooflines by step kind (e.g. `conv3x3`, `gconv` of the 'pytorch' execution): a step
   * whose kind is here uses it instead of its class's.
   */
  kinds?: Record<string, ClassRoofline>;
  /** Optional shape-aware compute model; steps whose kind it covers use it instead of `classes`. */
  kernels?: KernelModel;
  /** GPU structure the 'pytorch' model prices: see {@link GpuModel}. */
  gpu?: GpuModel;
  /** Host cost to issue one kernel, us: the steps run as a launch queue (see predict.ts). */
  launch?: { issueUs: number };
  /** GPU memory model ('pytorch' profiles): see predict.ts's predictMemoryBytes. */
  memory?: { floorBytes: number; weightFactor: number; activationFactor: number; source: string };
  /** Board power while running inference, W, with where the figure comes from; null when none. */
  power: { watts: number; source: string } | null;
  /** Where the parameters come from (data, script, machine). */
  source: string;
  /** Free-form record of the fit or calibration (errors, dates, samples). */
  fit?: unknown;
  /**
   * Kernel threads (host profiles calibrated with threads): speed-up per op class measured with
   * `count` threads against one, same run. predict({ threads }) scales each step by it.
   */
  threads?: ThreadScaling;
}

/** What a GPU profile knows about the GPU's structure. */
export interface GpuModel {
  /** Streaming multiprocessors: convolution tiles run in waves of one per SM. */
  sms: number;
  /** Output tile of the convolution kernels, pixels x channels: convolutions pay for whole tiles. */
  tileM: number;
  tileN: number;
  /** GPU cost of each group after the first of a grouped convolution, us (cuDNN 7 runs groups one after another). */
  groupUs?: number;
  /** L2 cache bytes and the rate activations move at when a step's tensors fit it. */
  l2Bytes?: number;
  l2GBs?: number;
}

/** Measured speed-up of each op class on `count` kernel threads over one. */
export interface ThreadScaling {
  count: number;
  speedup: Record<OpClass, number>;
  source: string;
}

/** A malformed profile: the message names the file (or object) and the offending field. */
export class ProfileError extends Error {
  override name = 'ProfileError';
}

/**
 * Checks that `x` is a well-formed profile and returns it typed. `where` names it in errors
 * (e.g. the file it was read from).
 * @throws ProfileError naming the field and what was expected.
 */
export function validateProfile(x: unknown, where = 'device profile'): DeviceProfile {
  const fail = (msg: string): never => { throw new ProfileError(`${where}: ${msg}`); };
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const show = (v: unknown) => (v === undefined ? 'nothing' : JSON.stringify(v));
  const pos = (v: unknown, path: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : fail(`${path} must be a positive number, got ${show(v)}`);
  const nonneg = (v: unknown, path: string): number =>
    typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fail(`${path} must be a number >= 0, got ${show(v)}`);
  const str = (v: unknown, path: string): string => (typeof v === 'string' ? v : fail(`${path} must be a string, got ${show(v)}`));

  if (!isObj(x)) fail(`expected a JSON object, got ${Array.isArray(x) ? 'an array' : show(x)}`);
  const o = x as Record<string, unknown>;
  if (o.schema !== PROFILE_SCHEMA) fail(`schema must be "${PROFILE_SCHEMA}", got ${show(o.schema)}`);
  if (!str(o.name, 'name')) fail('name must not be empty');
  str(o.description, 'description');
  str(o.source, 'source');
  if (o.execution !== 'eager' && o.execution !== 'pytorch' && o.execution !== 'simdnet') {
    fail(`execution must be "eager", "pytorch" or "simdnet", got ${show(o.execution)}`);
  }
  pos(o.bandwidthGBs, 'bandwidthGBs');
  if (o.activationBandwidthGBs !== undefined) pos(o.activationBandwidthGBs, 'activationBandwidthGBs');
  if (!isObj(o.classes)) fail(`classes must be an object with ${OP_CLASSES.join(', ')}, got ${show(o.classes)}`);
  const classes = o.classes as Record<string, unknown>;
  for (const c of OP_CLASSES) {
    const r = classes[c];
    if (!isObj(r)) fail(`classes.${c} must be an object { gflops, overheadUs }, got ${show(r)}`);
    pos((r as any).gflops, `classes.${c}.gflops`);
    nonneg((r as any).overheadUs, `classes.${c}.overheadUs`);
  }
  for (const c of Object.keys(classes)) {
    if (!(OP_CLASSES as readonly string[]).includes(c)) fail(`classes.${c}: unknown op class (known: ${OP_CLASSES.join(', ')})`);
  }
  if (o.kinds !== undefined) {
    if (!isObj(o.kinds)) fail(`kinds must be an object of { gflops, overheadUs } by step kind, got ${show(o.kinds)}`);
    for (const [k, r] of Object.entries(o.kinds as Record<string, unknown>)) {
      if (!isObj(r)) fail(`kinds.${k} must be an object { gflops, overheadUs }, got ${show(r)}`);
      pos((r as any).gflops, `kinds.${k}.gflops`);
      nonneg((r as any).overheadUs, `kinds.${k}.overheadUs`);
    }
  }
  if (o.kernels !== undefined) {
    if (!isObj(o.kernels)) fail(`kernels must be an object of feature groups, got ${show(o.kernels)}`);
    for (const [g, coefs] of Object.entries(o.kernels as Record<string, unknown>)) {
      if (!isObj(coefs)) fail(`kernels.${g} must be an object of ns per feature, got ${show(coefs)}`);
      for (const [k, v] of Object.entries(coefs as Record<string, unknown>)) nonneg(v, `kernels.${g}.${k}`);
    }
  }
  if (o.gpu !== undefined) {
    const g = o.gpu as Record<string, unknown>;
    if (!isObj(g)) fail(`gpu must be an object { sms, tileM, tileN }, got ${show(g)}`);
    for (const k of ['sms', 'tileM', 'tileN']) {
      if (!Number.isInteger(g[k]) || (g[k] as number) < 1 || (g[k] as number) > 4096) fail(`gpu.${k} must be an integer in [1, 4096], got ${show(g[k])}`);
    }
    if (g.groupUs !== undefined) nonneg(g.groupUs, 'gpu.groupUs');
    if ((g.l2Bytes === undefined) !== (g.l2GBs === undefined)) fail('gpu.l2Bytes and gpu.l2GBs come together');
    if (g.l2Bytes !== undefined) { pos(g.l2Bytes, 'gpu.l2Bytes'); pos(g.l2GBs, 'gpu.l2GBs'); }
  }
  if (o.launch !== undefined) {
    if (!isObj(o.launch)) fail(`launch must be an object { issueUs }, got ${show(o.launch)}`);
    nonneg((o.launch as any).issueUs, 'launch.issueUs');
  }
  if (o.memory !== undefined) {
    const m = o.memory as Record<string, unknown>;
    if (!isObj(m)) fail(`memory must be an object { floorBytes, weightFactor, activationFactor, source }, got ${show(m)}`);
    nonneg(m.floorBytes, 'memory.floorBytes');
    pos(m.weightFactor, 'memory.weightFactor');
    nonneg(m.activationFactor, 'memory.activationFactor');
    str(m.source, 'memory.source');
  }
  if (o.threads !== undefined) {
    const t = o.threads as Record<string, unknown>;
    if (!isObj(t)) fail(`threads must be an object { count, speedup, source }, got ${show(t)}`);
    if (!Number.isInteger(t.count) || (t.count as number) < 2) fail(`threads.count must be an integer >= 2, got ${show(t.count)}`);
    if (!isObj(t.speedup)) fail(`threads.speedup must be an object of op classes, got ${show(t.speedup)}`);
    for (const c of OP_CLASSES) pos((t.speedup as any)[c], `threads.speedup.${c}`);
    str(t.source, 'threads.source');
  }
  if (o.power !== null) {
    if (!isObj(o.power)) fail(`power must be null or { watts, source }, got ${show(o.power)}`);
    pos((o.power as any).watts, 'power.watts');
    str((o.power as any).source, 'power.source');
  }
  return o as unknown as DeviceProfile;
}
