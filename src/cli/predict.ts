// The CLI's `predict` and `calibrate` commands (Node only: files under ~/.simdnet). Kept out of
// src/cli/main.ts so that file only dispatches; not exported from the package entry point.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseCommand, positiveInt, UsageError, type CommandSpec } from './args.js';
import { isModelFile, modelFromArgs } from './model-source.js';
import { calibrateHost } from '../calibrate/host.js';
import { hostProfilePath, loadHostProfile, readProfileFile, saveHostProfile, type NodeIo } from '../cost/host-profile.js';
import {
  BUILTIN_DEVICES, deviceProfile, formatPrediction, predict, predictionJson, type DeviceProfile,
} from '../cost/predict.js';

const io: NodeIo = { fs, os, path };

export const CALIBRATE_USAGE = 'calibrate [--out FILE]';
export const CALIBRATE_OPTIONS: CommandSpec['options'] = { out: { type: 'string' } };
export const PREDICT_USAGE = 'predict <model | model.onnx> --device tx1|titan-xp|host|FILE [--batch N] [--alpha A] [--resolution R] [--threads N] [--json]';
export const PREDICT_OPTIONS: CommandSpec['options'] = {
  device: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' }, threads: { type: 'string' },
  alpha: { type: 'string' }, resolution: { type: 'string' },
};
const CALIBRATE: CommandSpec = { usage: CALIBRATE_USAGE, options: CALIBRATE_OPTIONS, positionals: [] };
const PREDICT: CommandSpec = { usage: PREDICT_USAGE, options: PREDICT_OPTIONS, positionals: ['model'] };

function machineName(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model?.trim() || os.arch()}, ${cpus.length} logical CPUs, ${os.platform()}`;
}

/** Progress of a calibration on stderr: a bar on a terminal, a line every ~10% otherwise. */
function progress(label: string): (done: number, total: number, what: string) => void {
  const tty = process.stderr.isTTY;
  let lastTenth = -1;
  return (done, total, what) => {
    if (tty) {
      const w = 30, f = Math.round((w * done) / total);
      process.stderr.write(`\r${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total} ${what.slice(0, 40)}\x1b[K`);
      if (done >= total) process.stderr.write('\r\x1b[K');
    } else {
      const tenth = Math.floor((10 * done) / total);
      if (tenth !== lastTenth || done === total) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${done}/${total} ${what}\n`);
      }
    }
  };
}

async function calibrateAndSave(file: string): Promise<{ profile: DeviceProfile; seconds: number }> {
  const t0 = performance.now();
  const profile = await calibrateHost({ machine: machineName(), onProgress: progress('calibrating') });
  saveHostProfile(io, profile, file);
  return { profile, seconds: (performance.now() - t0) / 1000 };
}

/** `simdnet calibrate [--out file]`: microbenchmarks this machine's kernels and writes a profile. */
export async function calibrateCommand(args: string[]): Promise<number> {
  const { values } = parseCommand('calibrate', CALIBRATE, args);
  const file = values.out ? path.resolve(String(values.out)) : hostProfilePath(io);
  process.stderr.write(`calibrating this machine: microbenchmarks of simdnet's kernels at the zoo's layer shapes\n`);
  const { profile, seconds } = await calibrateAndSave(file);
  const fit = profile.fit as { samples: number; timeWeightedError: number; relativeError: { median: number; p90: number } };
  const e = fit.relativeError;
  process.stdout.write(`wrote ${file}: ${fit.samples} layer shapes in ${seconds.toFixed(1)} s; kernel model vs microbenchmarks: ` +
    `median ${(100 * e.median).toFixed(1)}%, p90 ${(100 * e.p90).toFixed(1)}%, time-weighted ${(100 * fit.timeWeightedError).toFixed(1)}%\n`);
  return 0;
}

/**
 * The profile a `--device` value names: a built-in (tx1, titan-xp), `host` (this machine's saved
 * profile, calibrated first when there is none) or a profile JSON file.
 */
async function resolveDevice(device: string): Promise<DeviceProfile> {
  if (BUILTIN_DEVICES.includes(device)) return deviceProfile(device);
  if (device === 'host') {
    const file = hostProfilePath(io);
    const saved = loadHostProfile(io, file);
    if (saved) return saved;
    process.stderr.write(`no host profile at ${file}: calibrating this machine first (about a minute at most)\n`);
    return (await calibrateAndSave(file)).profile;
  }
  if (!fs.existsSync(device)) {
    throw new Error(`unknown device '${device}': expected ${BUILTIN_DEVICES.join(', ')}, host, or a profile JSON file`);
  }
  return readProfileFile(io, device);
}

/** `simdnet predict <model> --device D [--batch N] [--alpha A] [--resolution R] [--json]`. */
export async function predictCommand(args: string[]): Promise<number> {
  const { values, positionals: [name] } = parseCommand('predict', PREDICT, args);
  if (values.device === undefined) {
    throw new UsageError(`predict: missing --device (${BUILTIN_DEVICES.join(', ')}, host, or a profile JSON file)`);
  }
  const m = await modelFromArgs('predict', name!, values.batch === undefined && !isModelFile(name!) ? { ...values, batch: '1' } : values);
  const graph = m.graph;
  const batch = m.args.batch ?? 1;
  const profile = await resolveDevice(String(values.device));
  const threads = positiveInt('threads', values.threads);
  let r;
  try {
    r = predict(graph, { device: profile, batch, ...(threads !== undefined ? { threads } : {}) });
  } catch (e: any) {
    if (threads !== undefined && e instanceof RangeError && /threads/.test(e.message)) throw new UsageError(`predict: --${e.message}`);
    throw e;
  }
  process.stdout.write((values.json ? JSON.stringify(predictionJson(r), null, 2) : formatPrediction(r)) + '\n');
  return 0;
}
