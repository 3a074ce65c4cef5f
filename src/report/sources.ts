// Published data the report puts next to our own numbers, read from files shipped in the package
// (data/): top-1 accuracy, and the Jetson TX1 / Titan Xp measurements of Bianco et al. 2018; plus
// the peers: measured in the run (`--peers`, bench/peers) or the table of BENCHMARKS.md when a
// `npm run bench:peers` result was written there, labelled as such.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Accuracy, BatchPoint, MemoryPoint, PeerTable } from './data.js';

/** The package root (dist/report/ → ../..). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The accuracy table shipped with the package (sources in data/accuracy/README.md). */
export const ACCURACY_CSV = join(PACKAGE_ROOT, 'data', 'accuracy', 'top1.csv');

/** File name of the Bianco et al. 2018 Table 1(b) copy (wherever under data/ the cost model keeps it). */
export const TX1_CSV_NAME = 'bianco2018_tx1_ms_per_image.csv';

/**
 * Zoo name → network name in Bianco et al. 2018 (Table 1b), for the models the paper measured on
 * the TX1 with the same architecture: torchvision's for AlexNet, VGG, GoogLeNet, ResNet,
 * Inception-v3 and MobileNet-v2; Cadene's for BN-Inception and Inception-v4. Not measured there:
 * alexnet-2012, vgg-13(-bn), resnet-34.
 */
export const BIANCO_NAMES: Readonly<Record<string, string>> = Object.freeze({
  'alexnet': 'AlexNet',
  'vgg-11': 'VGG-11', 'vgg-11-bn': 'VGG-11_BN',
  'vgg-16': 'VGG-16', 'vgg-16-bn': 'VGG-16_BN',
  'vgg-19': 'VGG-19', 'vgg-19-bn': 'VGG-19_BN',
  // Bianco et al. ran the BVLC Caffe GoogLeNet, not torchvision's batch-normalised one
  'bvlc-googlenet': 'GoogLeNet',
  'inception-v2': 'BN-Inception',
  'inception-v3': 'Inception-v3',
  'inception-v4': 'Inception-v4',
  'inception-resnet-v2': 'Inception-ResNet-v2',
  'resnet-18': 'ResNet-18', 'resnet-50': 'ResNet-50', 'resnet-101': 'ResNet-101', 'resnet-152': 'ResNet-152',
  'caffe-resnet-101': 'CaffeResNet-101', 'fbresnet-152': 'FBResNet-152',
  'mobilenet-v1': 'MobileNet-v1',
  'mobilenet-v2': 'MobileNet-v2',
  'shufflenet-g8': 'ShuffleNet',
  'squeezenet-1.0': 'SqueezeNet-v1.0', 'squeezenet-1.1': 'SqueezeNet-v1.1',
  'densenet-121': 'DenseNet-121 (k=32)', 'densenet-161': 'DenseNet-161 (k=48)',
  'densenet-169': 'DenseNet-169 (k=32)', 'densenet-201': 'DenseNet-201 (k=32)',
  'resnext-101-32x4d': 'ResNeXt-101 (32x4d)', 'resnext-101-64x4d': 'ResNeXt-101 (64x4d)',
  'xception': 'Xception',
  'dpn-68': 'DPN-68', 'dpn-98': 'DPN-98', 'dpn-131': 'DPN-131',
  'se-resnet-50': 'SE-ResNet-50', 'se-resnet-101': 'SE-ResNet-101', 'se-resnet-152': 'SE-ResNet-152',
  'se-resnext-50-32x4d': 'SE-ResNeXt-50 (32x4d)', 'se-resnext-101-32x4d': 'SE-ResNeXt-101 (32x4d)', 'senet-154': 'SENet-154',
});

/** RFC 4180-ish CSV: quoted fields may hold commas and doubled quotes; first row is the header. */
export function parseCsv(text: string): Record<string, string>[] {
  const records: string[][] = [];
  let field = '', row: string[] = [], quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      if (row.some((f) => f !== '')) records.push(row);
      row = [];
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) records.push(row);
  const [head, ...body] = records;
  if (!head) return [];
  return body.map((r) => Object.fromEntries(head.map((h, j) => [h.trim(), (r[j] ?? '').trim()])));
}

/** Zoo name → published top-1 from `data/accuracy/top1.csv` (columns model, network, top1_percent, source). */
export function parseAccuracy(text: string): Map<string, Accuracy> {
  const out = new Map<string, Accuracy>();
  for (const r of parseCsv(text)) {
    const percent = Number(r.top1_percent);
    if (!r.model || !Number.isFinite(percent)) throw new Error(`accuracy table: bad row ${JSON.stringify(r)}`);
    out.set(r.model, { percent, network: r.network ?? r.model, source: r.source ?? '' });
  }
  return out;
}

export function loadAccuracy(path = ACCURACY_CSV): Map<string, Accuracy> {
  return parseAccuracy(readFileSync(path, 'utf8'));
}

/** Published network name → its points, from a `network,batch_size,ms_per_image` table. */
export function parseBatchTable(text: string): Map<string, BatchPoint[]> {
  const out = new Map<string, BatchPoint[]>();
  for (const r of parseCsv(text)) {
    const batch = Number(r.batch_size), ms = Number(r.ms_per_image);
    if (!r.network || !Number.isInteger(batch) || !Number.isFinite(ms)) continue;
    const pts = out.get(r.network) ?? [];
    pts.push({ batch, msPerImage: ms });
    out.set(r.network, pts);
  }
  return out;
}

/** Finds `name` under `dir` (depth-first, a few levels), null when absent. */
export function findFile(dir: string, name: string, depth = 3): string | null {
  if (!existsSync(dir) || depth < 0) return null;
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (e === name && statSync(p).isFile()) return p;
  }
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      const hit = findFile(p, name, depth - 1);
      if (hit) return hit;
    }
  }
  return null;
}

/** Bianco et al. 2018 Table 2: GPU memory of each network on the Titan Xp. */
export const TITANXP_MEMORY_CSV_NAME = 'bianco2018_titanxp_gpu_memory_gb.csv';

/**
 * Published network name -> memory points, from a `network,batch_size,gpu_memory_gb` table. A few
 * rows repeat batch 1 in MB (three digits, e.g. `SqueezeNet-v1.0,1,943`): a value above 50 is read
 * as MB and replaces the rounded GB value of the same point.
 */
export function parseMemoryTable(text: string): Map<string, MemoryPoint[]> {
  const out = new Map<string, MemoryPoint[]>();
  for (const r of parseCsv(text)) {
    const batch = Number(r.batch_size), v = Number(r.gpu_memory_gb);
    if (!r.network || !Number.isInteger(batch) || batch < 1 || !(v > 0)) continue;
    const bytes = (v > 50 ? v / 1000 : v) * 1e9;
    const pts = (out.get(r.network) ?? []).filter((p) => p.batch !== batch);
    pts.push({ batch, bytes });
    out.set(r.network, pts.sort((a, b) => a.batch - b.batch));
  }
  return out;
}

/** The published Titan Xp memory keyed by zoo name (empty when the table is not shipped). */
export function loadTitanXpMemory(dataDir = join(PACKAGE_ROOT, 'data')): Map<string, MemoryPoint[]> {
  const path = findFile(dataDir, TITANXP_MEMORY_CSV_NAME);
  const byModel = new Map<string, MemoryPoint[]>();
  if (!path) return byModel;
  for (const [model, { points }] of byZooName(parseMemoryTable(readFileSync(path, 'utf8')))) byModel.set(model, points);
  return byModel;
}

/** A table keyed by Bianco's network names, re-keyed by zoo name (networks without a twin dropped). */
function byZooName<T>(table: Map<string, T>): Map<string, { network: string; points: T }> {
  const out = new Map<string, { network: string; points: T }>();
  for (const [model, network] of Object.entries(BIANCO_NAMES)) {
    const points = table.get(network);
    if (points) out.set(model, { network, points });
  }
  return out;
}

/** The published TX1 measurements keyed by zoo name, and the file they came from (null when not shipped). */
export function loadTx1Measured(dataDir = join(PACKAGE_ROOT, 'data')):
{ path: string | null; byModel: Map<string, { network: string; points: BatchPoint[] }> } {
  const path = findFile(dataDir, TX1_CSV_NAME);
  const byModel = new Map<string, { network: string; points: BatchPoint[] }>();
  if (!path) return { path, byModel };
  return { path, byModel: byZooName(parseBatchTable(readFileSync(path, 'utf8'))) };
}

/**
 * The peer table of a BENCHMARKS.md: the first Markdown table whose header has a `model` column
 * and a `simdnet ms` column, as `bench/peers/index.mjs` prints it:
 * `| model | batch | GMAC | simdnet ms | tfjs-wasm ms | ort-web ms | simdnet/tfjs-wasm | ... |`.
 * Every `<engine> ms` column becomes an engine; `batch` defaults to 1; blank or non-numeric
 * cells (a mismatch or error row) become null. Null when there is no such table.
 */
export function parsePeerTable(markdown: string, source: string): PeerTable | null {
  const lines = markdown.split(/\r?\n/);
  const cells = (l: string) => l.trim().replace(/^\|/, '').replace(/\|$/, '').split('|').map((c) => c.trim());
  const isRow = (l: string) => /^\s*\|.*\|\s*$/.test(l);
  const isRule = (l: string) => isRow(l) && cells(l).every((c) => /^:?-+:?$/.test(c));
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!isRow(lines[i]!) || !isRule(lines[i + 1]!)) continue;
    const head = cells(lines[i]!).map((h) => h.toLowerCase());
    const modelCol = head.indexOf('model');
    const engineCols = head.map((h, j) => [h, j] as const).filter(([h]) => / ms$/.test(h));
    if (modelCol < 0 || !engineCols.some(([h]) => h === 'simdnet ms')) continue;
    const batchCol = head.indexOf('batch');
    const engines = engineCols.map(([h]) => cells(lines[i]!)[head.indexOf(h)]!.replace(/ ms$/i, ''));
    const rows: PeerTable['rows'] = [];
    for (let k = i + 2; k < lines.length && isRow(lines[k]!); k++) {
      const c = cells(lines[k]!);
      const model = c[modelCol] ?? '';
      if (!model) continue;
      const batch = batchCol >= 0 ? Number(c[batchCol]) : 1;
      const ms: Record<string, number | null> = {};
      engineCols.forEach(([, j], e) => {
        const v = Number((c[j] ?? '').replace(/[*_`]/g, ''));
        ms[engines[e]!] = c[j] && Number.isFinite(v) ? v : null;
      });
      rows.push({ model, batch: Number.isInteger(batch) && batch > 0 ? batch : 1, ms });
    }
    // the heading the table sits under names when and how it was recorded
    let section: string | null = null;
    for (let k = i - 1; k >= 0; k--) { const h = /^#{1,6}\s+(.*)$/.exec(lines[k]!); if (h) { section = h[1]!.trim(); break; } }
    return rows.length ? { source, section, measuredInRun: false, engines, rows } : null;
  }
  return null;
}

/**
 * Reads the peer table from `path` (default: BENCHMARKS.md at the package root); null when absent.
 * The source is named as `label` (default: the file name, not a machine-specific absolute path).
 */
export function loadPeerTable(path = join(PACKAGE_ROOT, 'BENCHMARKS.md'), label = basename(path)): PeerTable | null {
  if (!existsSync(path)) return null;
  return parsePeerTable(readFileSync(path, 'utf8'), label);
}

/** bench/peers' `versions:` JSON as `simdnet 0.1.0; tfjs-core 4.22.0, ...`, or null when unreadable. */
export function peerVersions(json: string): string | null {
  try {
    const v = JSON.parse(json) as Record<string, Record<string, unknown>>;
    const parts = Object.values(v).map((o) => Object.entries(o).filter(([, x]) => typeof x === 'string' && /^\d+\.\d+/.test(x)).map(([k, x]) => `${k} ${x}`).join(', '));
    return parts.filter(Boolean).join('; ') || null;
  } catch { return null; }
}

/** Why `simdnet report --peers` cannot measure the peers here, or null when it can. */
export function peersUnavailable(root = PACKAGE_ROOT): string | null {
  if (!existsSync(join(root, 'bench', 'peers', 'index.mjs'))) return 'bench/peers is not part of an installed package (run it from a clone of the repository)';
  for (const dep of ['@tensorflow/tfjs-backend-wasm', 'onnxruntime-web', '@litertjs/core']) {
    if (!existsSync(join(root, 'node_modules', ...dep.split('/')))) return `the peer package ${dep} is not installed (npm ci in a clone installs it)`;
  }
  return null;
}

/**
 * Measures the peers now: bench/peers on `models` (batch 1, interleaved runs), its printed table
 * parsed like BENCHMARKS.md's. Throws with bench/peers' own output when it fails.
 */
export function measurePeers(models: readonly string[], runs: number, root = PACKAGE_ROOT): PeerTable {
  const out = join(tmpdir(), `simdnet-report-peers-${process.pid}.json`);
  const r = spawnSync(process.execPath, [join(root, 'bench', 'peers', 'index.mjs'), '--models', models.join(','), '--runs', String(runs), '--warmup', '2', '--out', out],
    { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  rmSync(out, { force: true });
  const table = parsePeerTable(r.stdout ?? '', 'bench/peers, measured in this run');
  if (!table) throw new Error(`bench/peers failed (exit ${r.status}): ${(r.stderr || r.stdout || '').trim().split('\n').slice(-5).join(' / ')}`);
  table.section = peerVersions(r.stdout.split('\n').find((l) => l.startsWith('versions:'))?.slice('versions:'.length) ?? '');
  table.measuredInRun = true;
  return table;
}
