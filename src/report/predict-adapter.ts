// The one seam between the report and the latency model (issue 4):
// - src/cost/predict.ts: `predict(graph, { device, batch })` → { msPerImage, msPerBatch, ... },
//   `device` a built-in profile name (`BUILTIN_DEVICES`: 'tx1', 'titan-xp' once
//   `npm run calibrate:devices` has fitted them) or a profile object;
// - src/cost/calibrate-host.ts: `calibrateHost({ onProgress })` → this machine's profile.
// Everything else in src/report/ talks to this module only, so following changes of that API is
// a change here alone. Each half (TX1, host) is used when available and reported missing, with
// the reason, when not; the report then shows measured and published numbers only.

import type { Graph } from '../graph/types.js';

/** What the report asks of the latency model; a null member is not available in this build. */
export interface Predictor {
  /** Predicted ms per image on the Jetson TX1 at `batch`. */
  tx1MsPerImage: ((graph: Graph, batch: number) => number) | null;
  /** Predicted ms per image of simdnet on this machine at batch 1 (host profile). */
  hostMsPerImage: ((graph: Graph) => number) | null;
}

/** What the report uses of src/cost/predict.js and src/cost/calibrate-host.js, merged. */
export interface PredictModule {
  predict?: (graph: Graph, opts: { device: unknown; batch?: number }) => { msPerImage: number };
  BUILTIN_DEVICES?: readonly string[];
  calibrateHost?: (opts: { onProgress?: (done: number, total: number, label: string) => void; machine?: string }) => Promise<unknown>;
  /**
   * This machine's saved profile (what `simdnet calibrate` wrote), or null when there is none.
   * Not in issue 4's code yet: until it is, the report calibrates in memory on every run (~12 s).
   */
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

/** `import()` of an optional module of this build: its exports, or null when the file is not there. */
async function optionalImport(spec: string): Promise<Record<string, unknown> | null> {
  try {
    // A computed specifier keeps this file compiling while the latency model's files settle.
    return (await import(spec)) as Record<string, unknown>;
  } catch (e: any) {
    if (e?.code === 'ERR_MODULE_NOT_FOUND') return null;
    throw e;
  }
}

/** Loads the latency model, calibrating this machine first when asked and no profile exists. */
export async function loadPredictor(opts: LoadPredictorOptions): Promise<LoadedPredictor> {
  const none: Predictor = { tx1MsPerImage: null, hostMsPerImage: null };
  let mod = opts.module;
  if (!mod) {
    const predictMod = await optionalImport('../cost/predict.js');
    if (!predictMod) {
      return { predictor: none, notes: ['TX1: latency model (src/cost/predict) not in this build', 'here: latency model not in this build'], calibrated: false };
    }
    mod = { ...(await optionalImport('../cost/calibrate-host.js')), ...predictMod } as PredictModule;
  }
  const predict = mod.predict;
  if (typeof predict !== 'function') {
    return { predictor: none, notes: ['TX1: src/cost/predict has no predict()', 'here: src/cost/predict has no predict()'], calibrated: false };
  }
  const notes: string[] = [];

  let tx1MsPerImage: Predictor['tx1MsPerImage'] = null;
  if (mod.BUILTIN_DEVICES?.includes('tx1')) {
    tx1MsPerImage = (graph, batch) => predict(graph, { device: 'tx1', batch }).msPerImage;
    notes.push('TX1: the latency model\'s tx1 profile (fitted to Bianco et al. 2018)');
  } else {
    notes.push('TX1: no tx1 device profile in this build (npm run calibrate:devices), so no TX1 predictions');
  }

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
    const p = profile;
    hostMsPerImage = (graph) => predict(graph, { device: p, batch: 1 }).msPerImage;
    notes.push(`here: host profile ${!calibrated ? 'saved by an earlier calibration' : saved ? 'calibrated by this run and saved' : 'calibrated by this run'}`);
  } else if (typeof mod.calibrateHost !== 'function') {
    notes.push('here: no host calibration in this build, so no host predictions');
  } else {
    notes.push("here: no host profile (run 'simdnet calibrate', or the report without --no-calibrate), so no host predictions");
  }
  return { predictor: { tx1MsPerImage, hostMsPerImage }, notes, calibrated };
}
