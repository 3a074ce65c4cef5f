// The one seam between the report and the latency model: the TX1 profile's predictions and this
// machine's (from a saved host profile, or a calibration run now). Tests hand in their own
// module to exercise each branch.

import type { Graph } from '../graph/types.js';
import { predict as costPredict, predictMemoryBytes, deviceProfile, BUILTIN_DEVICES } from '../cost/predict.js';
import type { DeviceInfo, GpuPoint } from './data.js';
import { calibrateHost, loadHostProfile, saveHostProfile } from '../calibrate/host.js';

/** What the report asks of the latency model; a null member is not available in this build. */
export interface Predictor {
  /** Predicted ms per image on the Jetson TX1 at `batch`. */
  tx1MsPerImage: ((graph: Graph, batch: number) => number) | null;
  /** Predicted ms per image of simdnet on this machine at batch 1 (host profile). */
  hostMsPerImage: ((graph: Graph) => number) | null;
  /** Predicted latency, energy and memory on each built-in GPU device at `batch`; null when none. */
  gpu?: ((graph: Graph, device: string, batch: number) => GpuPoint) | null;
  /** The built-in GPU devices `gpu` knows (in the report's order). */
  gpuDevices?: DeviceInfo[];
  /** simdnet's wasm memory for `graph` at `batch` (the planner's size, no profile needed). */
  hostMemoryBytes?: ((graph: Graph, batch: number) => number) | null;
}

/** The GPU devices the report draws curves for, in this order. */
export const REPORT_DEVICES: readonly string[] = Object.freeze(['tx1', 'titan-xp']);

/** What the report uses of the cost model and the calibration (tests substitute their own). */
export interface PredictModule {
  predict?: (graph: Graph, opts: { device: unknown; batch?: number; threads?: number }) =>
    { msPerImage: number; energyMjPerImage?: number | null; memoryBytes?: number | null };
  /** Memory of a graph under an execution (the planner's size for 'simdnet'). */
  predictMemoryBytes?: (graph: Graph, profile: { execution: 'simdnet' }, batch: number) => number | null;
  /** A built-in profile by name (for the devices' descriptions and power figures). */
  deviceProfile?: (name: string) => { description: string; power: { watts: number; source: string } | null };
  BUILTIN_DEVICES?: readonly string[];
  calibrateHost?: (opts: { onProgress?: (done: number, total: number, label: string) => void; machine?: string }) => Promise<unknown>;
  /** This machine's saved profile (what `simdnet calibrate` wrote), or null when there is none. */
  loadHostProfile?: () => unknown | null;
  /** Saves a profile where loadHostProfile() finds it; optional like loadHostProfile. */
  saveHostProfile?: (profile: unknown) => unknown;
}

export interface LoadPredictorOptions {
  /** Calibrate this machine when no saved host profile exists (the report's default). */
  calibrate: boolean;
  /** Progress of a calibration, 0..1, and a line to show. */
  onCalibrate?: (fraction: number, label: string) => void;
  /** Names the machine in a calibrated profile. */
  machine?: string;
  /** Kernel threads the host is measured with (default 1): host predictions for as many. */
  threads?: number;
  /** The modules to use instead of importing them (tests). */
  module?: PredictModule;
}

export interface LoadedPredictor {
  predictor: Predictor;
  /** One line per half, starting 'TX1:' or 'here:': where its numbers come from or why there are none. */
  notes: string[];
  /** True when this call calibrated the host. */
  calibrated: boolean;
}

/** Loads the latency model, calibrating this machine first when asked and no profile exists. */
export async function loadPredictor(opts: LoadPredictorOptions): Promise<LoadedPredictor> {
  const mod: PredictModule = opts.module ?? {
    predict: costPredict as PredictModule['predict'], BUILTIN_DEVICES, deviceProfile, predictMemoryBytes, calibrateHost: calibrateHost as PredictModule['calibrateHost'],
    loadHostProfile, saveHostProfile: saveHostProfile as PredictModule['saveHostProfile'],
  };
  const predict = mod.predict;
  if (typeof predict !== 'function') {
    throw new TypeError('loadPredictor: module.predict must be a function');
  }
  const notes: string[] = [];

  let tx1MsPerImage: Predictor['tx1MsPerImage'] = null;
  if (mod.BUILTIN_DEVICES?.includes('tx1')) {
    tx1MsPerImage = (graph, batch) => predict(graph, { device: 'tx1', batch }).msPerImage;
    notes.push('TX1: the latency model\'s tx1 profile (fitted to Bianco et al. 2018)');
  } else {
    notes.push('TX1: no tx1 device profile in this build (npm run calibrate:devices), so no TX1 predictions');
  }

  const gpuDevices: DeviceInfo[] = [];
  for (const name of REPORT_DEVICES) {
    if (!mod.BUILTIN_DEVICES?.includes(name) || typeof mod.deviceProfile !== 'function') continue;
    const d = mod.deviceProfile(name);
    gpuDevices.push({ name, description: d.description, watts: d.power?.watts ?? null, powerSource: d.power?.source ?? null });
  }
  const gpu: Predictor['gpu'] = gpuDevices.length ? (graph, device, batch) => {
    const r = predict(graph, { device, batch });
    return { batch, msPerImage: r.msPerImage, energyMjPerImage: r.energyMjPerImage ?? null, memoryBytes: r.memoryBytes ?? null };
  } : null;

  let profile: unknown = typeof mod.loadHostProfile === 'function' ? mod.loadHostProfile() : null;
  let calibrated = false;
  let saved = false;
  if (!profile && opts.calibrate && typeof mod.calibrateHost === 'function') {
    const label = 'calibrating this machine';
    opts.onCalibrate?.(0, label);
    profile = await mod.calibrateHost({
      machine: opts.machine,
      onProgress: (done, total, what) => opts.onCalibrate?.(total > 0 ? done / total : 0, `${label}: ${what}`),
    });
    opts.onCalibrate?.(1, label);
    calibrated = true;
    if (typeof mod.saveHostProfile === 'function') { mod.saveHostProfile(profile); saved = true; }
  }
  let hostMsPerImage: Predictor['hostMsPerImage'] = null;
  if (profile) {
    const p = profile, threads = opts.threads ?? 1;
    const scaling = (p as { threads?: { count: number } }).threads;
    const how = `here: host profile ${!calibrated ? 'saved by an earlier calibration' : saved ? 'calibrated by this run and saved' : 'calibrated by this run'}`;
    if (threads > 1 && !(scaling && scaling.count >= threads)) {
      notes.push(`${how}, but it has no thread scaling up to ${threads} threads (run 'simdnet calibrate' again), so no host predictions`);
    } else {
      hostMsPerImage = (graph) => predict(graph, { device: p, batch: 1, ...(threads > 1 ? { threads } : {}) }).msPerImage;
      notes.push(threads > 1 ? `${how}, scaled to ${threads} threads by its measured per-class speed-ups` : how);
    }
  } else if (typeof mod.calibrateHost !== 'function') {
    notes.push('here: no host calibration in this build, so no host predictions');
  } else {
    notes.push("here: no host profile (run 'simdnet calibrate', or the report without --no-calibrate), so no host predictions");
  }
  // the planner sizes simdnet's memory from the lowering alone: no host profile needed
  const mem = mod.predictMemoryBytes;
  const hostMemoryBytes = typeof mem === 'function' ? (graph: Graph, batch: number) => mem(graph, { execution: 'simdnet' }, batch)! : null;
  return { predictor: { tx1MsPerImage, hostMsPerImage, gpu, gpuDevices, hostMemoryBytes }, notes, calibrated };
}
