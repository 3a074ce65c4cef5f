// `simdnet report`: every zoo model counted, measured here, predicted here and for the Jetson TX1,
// next to published accuracy and TX1 measurements; a table on stdout and a self-contained
// report.html with the charts. `npm start` runs it with --quick.

import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { modelInfo, MODELS } from '../models/index.js';
import { isModelPath } from '../import/index.js';
import { features, init } from '../wasm/loader.js';
import { collectRows, type Mode } from './collect.js';
import { timeFits, type MachineInfo, type ReportData } from './data.js';
import { loadAssets, renderHtml } from './html.js';
import { loadPredictor } from './predict-adapter.js';
import { createProgress, formatDuration, type Progress } from './progress.js';
import { loadAccuracy, loadPeerTable, loadTitanXpMemory, loadTx1Measured, measurePeers, PACKAGE_ROOT, peersUnavailable } from './sources.js';
import { formatReportTable } from './table.js';

export { assembleRow, linearFit, timeFits, hostAgreement, CURVE_BATCHES, HOST_BAND } from './data.js';
export type { ReportData, ReportRow, RowInput, LinearFit, PeerTable } from './data.js';
export { parsePeerTable, parseAccuracy, parseCsv, parseMemoryTable, BIANCO_NAMES } from './sources.js';
export { runsFor } from './collect.js';
export { renderHtml } from './html.js';
export { formatReportTable } from './table.js';

export const REPORT_USAGE =
  'report [--quick | --full] [--models a,b,c] [--out report.html] [--json] [--benchmarks BENCHMARKS.md | --peers] [--no-calibrate] [--threads N|auto]';

/** Options of {@link runReport}, already validated. */
export interface ReportOptions {
  /** Canonical zoo names, in order. */
  models: string[];
  mode: Mode;
  /** Absolute path of report.html. */
  out: string;
  /** Print the data set as JSON on stdout instead of the table. */
  json: boolean;
  /** The BENCHMARKS.md holding the peer table; default the package's. */
  benchmarks?: string;
  /** Measure the peers in this run (bench/peers) instead of reading a recorded table. */
  peers?: boolean;
  /** Calibrate the host profile when there is none (default true). */
  calibrate?: boolean;
  /** Kernel threads to measure this machine with (default 1). */
  threads?: number | 'auto';
}

/** A usage error: the message says what was wrong; the CLI exits 1. */
export class ReportUsageError extends Error {}

/** Parses and validates `report` arguments, before any work is done. */
export function parseReportArgs(args: string[], cwd = process.cwd()): ReportOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args, allowPositionals: false, strict: true,
      options: {
        quick: { type: 'boolean' }, full: { type: 'boolean' }, json: { type: 'boolean' },
        models: { type: 'string' }, out: { type: 'string' }, benchmarks: { type: 'string' },
        'no-calibrate': { type: 'boolean' }, threads: { type: 'string' }, peers: { type: 'boolean' },
      },
    }));
  } catch (e: any) {
    throw new ReportUsageError(`report: ${e.message} (usage: simdnet ${REPORT_USAGE})`);
  }
  if (values.quick && values.full) throw new ReportUsageError('report: --quick and --full exclude each other');
  let models: string[] = MODELS.map((m) => m.name);
  if (values.models !== undefined) {
    const names = String(values.models).split(',').map((s) => s.trim()).filter(Boolean);
    if (!names.length) {
      throw new ReportUsageError("report: --models is empty; give a comma-separated list, e.g. --models mobilenet-v1,resnet-18 (see 'simdnet list')");
    }
    models = [];
    for (const name of names) {
      let canonical: string;
      // the user's own model file: loaded (and checked) when the report runs
      if (isModelPath(name)) {
        const file = resolve(cwd, name);
        try { statSync(file); } catch { throw new ReportUsageError(`report: --models: no such file "${name}"`); }
        if (!models.includes(file)) models.push(file);
        continue;
      }
      try {
        canonical = modelInfo(name).name;
      } catch (e: any) {
        throw new ReportUsageError(`report: --models: ${e.message}`);
      }
      if (!models.includes(canonical)) models.push(canonical);
    }
  }
  if (values.out === '') throw new ReportUsageError('report: --out is empty');
  if (values.peers && values.benchmarks !== undefined) throw new ReportUsageError('report: --peers and --benchmarks exclude each other (measure now, or read a recorded table)');
  if (values.peers) {
    const why = peersUnavailable();
    if (why) throw new ReportUsageError(`report: --peers: ${why}`);
  }
  let threads: number | 'auto' | undefined;
  if (values.threads !== undefined) {
    const v = String(values.threads);
    threads = v === 'auto' ? 'auto' : /^[0-9]+$/.test(v) && Number(v) >= 1 && Number(v) <= 64 ? Number(v) : undefined;
    if (threads === undefined) throw new ReportUsageError(`report: --threads must be an integer 1..64 or 'auto', got '${v}'`);
  }
  const out = resolve(cwd, String(values.out ?? 'report.html'));
  checkWritable(out);
  return {
    models, mode: values.full ? 'full' : 'quick', out, json: Boolean(values.json),
    benchmarks: values.benchmarks === undefined ? undefined : resolve(cwd, String(values.benchmarks)),
    calibrate: !values['no-calibrate'],
    ...(values.peers ? { peers: true } : {}),
    ...(threads !== undefined ? { threads } : {}),
  };
}

/** Fails now, not after minutes of measuring, when `path` cannot be written. */
function checkWritable(path: string): void {
  let existed = true;
  try {
    if (statSync(path).isDirectory()) throw new ReportUsageError(`report: cannot write ${path}: it is a directory`);
  } catch (e) {
    if (e instanceof ReportUsageError) throw e;
    existed = false;
  }
  try {
    closeSync(openSync(path, 'a'));
  } catch (e: any) {
    const why = { ENOENT: 'its directory does not exist', EACCES: 'permission denied', EROFS: 'read-only file system', ENOTDIR: 'a parent is not a directory', EISDIR: 'it is a directory' }[e?.code as string] ?? e?.message;
    throw new ReportUsageError(`report: cannot write ${path}: ${why}`);
  }
  if (!existed) unlinkSync(path);
}

function machineInfo(): MachineInfo {
  let binary: string | null = null;
  try { binary = features().binary; } catch { /* no SIMD: benchmarks will say so */ }
  return {
    cpu: os.cpus()[0]?.model?.trim() ?? 'unknown CPU', cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`, node: process.version, binary,
  };
}

function packageVersion(): string {
  try { return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')).version; } catch { return 'unknown'; }
}

/** Measures, predicts and assembles the data set; writes nothing. */
export async function collectReport(opts: ReportOptions, progress: Progress): Promise<ReportData> {
  const t0 = performance.now();
  const loadBefore = os.loadavg()[0]!;
  if (opts.threads === 'auto') await init().catch(() => { /* no SIMD: the benchmarks will say so */ });
  const threads = opts.threads === 'auto' ? features().autoThreads : opts.threads ?? 1;
  const { predictor, notes, calibrated } = await loadPredictor({
    calibrate: opts.calibrate ?? true, threads,
    machine: os.cpus()[0]?.model?.trim(),
    onCalibrate: (f, label) => progress.update(f, label),
  });
  if (calibrated) progress.line(`calibrated this machine in ${formatDuration(performance.now() - t0)}`);
  const tx1 = loadTx1Measured();
  const rows = await collectRows({
    models: opts.models, mode: opts.mode, progress, predictor,
    accuracy: loadAccuracy(), tx1Measured: tx1.byModel, memoryMeasured: loadTitanXpMemory(), threads,
  });
  let peers = null;
  if (opts.peers) {
    // zoo models only (a model file has no peer twin), batch 1, a few interleaved runs
    const zoo = opts.models.filter((m) => !isModelPath(m));
    progress.update(1, `measuring the peers on ${zoo.length} models (bench/peers)`);
    peers = measurePeers(zoo, opts.mode === 'quick' ? 3 : 10);
  } else peers = loadPeerTable(opts.benchmarks);
  progress.done();
  return {
    generated: new Date().toISOString(),
    simdnet: packageVersion(),
    machine: machineInfo(),
    settings: { mode: opts.mode, models: opts.models, threads },
    devices: predictor.gpuDevices ?? [],
    prediction: { tx1: predictor.tx1MsPerImage !== null, host: predictor.hostMsPerImage !== null, notes },
    rows,
    fits: timeFits(rows),
    peers,
    elapsedMs: performance.now() - t0,
    load: { before: loadBefore, after: os.loadavg()[0]! },
  };
}

/** The `report` command; returns the exit code. */
export async function reportCommand(args: string[]): Promise<number> {
  const opts = parseReportArgs(args);
  const progress = createProgress();
  if (!process.stderr.isTTY) {
    process.stderr.write(`report: ${opts.models.length} model${opts.models.length === 1 ? '' : 's'}, ${opts.mode} mode\n`);
  }
  const data = await collectReport(opts, progress);
  writeFileSync(opts.out, renderHtml(data, loadAssets()));
  if (opts.json) {
    process.stdout.write(JSON.stringify(data, null, 2) + '\n');
    process.stderr.write(`report: ${opts.out}\n`);
  } else {
    process.stdout.write(formatReportTable(data) + '\n\n');
    process.stdout.write(`report: ${opts.out} (${formatDuration(data.elapsedMs)})\n`);
  }
  return 0;
}
