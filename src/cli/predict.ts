// The CLI's `predict` and `calibrate` commands (Node only: files under ~/.simdnet). Kept out of
// src/cli/main.ts so that file only dispatches; not exported from the package entry point.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildModel } from '../models/index.js';
import { calibrateHost } from '../calibrate/host.js';
import { hostProfilePath, loadHostProfile, readProfileFile, saveHostProfile, type NodeIo } from '../cost/host-profile.js';
import {
  BUILTIN_DEVICES, deviceProfile, formatPrediction, predict, predictionJson, type DeviceProfile,
} from '../cost/predict.js';

const io: NodeIo = { fs, os, path };

function parse(args: string[], options: Record<string, { type: 'string' | 'boolean' }>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e: any) {
    throw new Error(e.message);
  }
}

function positiveInt(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isInteger(n) || n <= 0) {
    throw new Error(`--${name} must be a positive integer, got '${v}'`);
  }
  return n;
}

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
  const { values, positionals } = parse(args, { out: { type: 'string' } });
  if (positionals.length) throw new Error(`calibrate: unexpected argument '${positionals[0]}'`);
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
  const { values, positionals } = parse(args, {
    device: { type: 'string' }, batch: { type: 'string' }, json: { type: 'boolean' },
    alpha: { type: 'string' }, resolution: { type: 'string' },
  });
  const name = positionals[0];
  if (!name) throw new Error(`predict: missing <model> (see 'simdnet list')`);
  if (positionals.length > 1) throw new Error(`predict: unexpected argument '${positionals[1]}'`);
  if (values.device === undefined || values.device === '') {
    throw new Error(`predict: missing --device (${BUILTIN_DEVICES.join(', ')}, host, or a profile JSON file)`);
  }
  const batch = positiveInt('batch', values.batch) ?? 1;
  const resolution = positiveInt('resolution', values.resolution);
  let alpha: number | undefined;
  if (values.alpha !== undefined) {
    alpha = Number(values.alpha);
    if (!Number.isFinite(alpha)) throw new Error(`--alpha must be a number, got '${values.alpha}'`);
  }
  const graph = buildModel(name, { batch, alpha, resolution });
  const profile = await resolveDevice(String(values.device));
  const r = predict(graph, { device: profile, batch });
  process.stdout.write((values.json ? JSON.stringify(predictionJson(r), null, 2) : formatPrediction(r)) + '\n');
  return 0;
}
