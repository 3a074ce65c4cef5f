// Reports of a cost analysis: a text table for people and a fixed-shape JSON object for tools.

import type { Shape } from '../graph/types.js';
import { OP_CLASSES, type CostAnalysis, type OpClass } from './analyze.js';

/** The JSON report of {@link costJson}: exactly these keys, in this order. */
export interface CostJson {
  model: string;
  batch: number;
  input: Shape;
  params: number;
  macs: number;
  byOp: Record<OpClass, { params: number; macs: number }>;
  layers: { name: string; op: string; outShape: Shape; params: number; macs: number }[];
  activationBytes: { peak: number; naive: number };
}

/**
 * The machine-readable report: a plain, JSON-safe object (serialise with `JSON.stringify`).
 * `byOp` lists every class in {@link OP_CLASSES} order; `layers[i].op` is the IR op name.
 */
export function costJson(r: CostAnalysis): CostJson {
  const byOp = {} as Record<OpClass, { params: number; macs: number }>;
  for (const c of OP_CLASSES) byOp[c] = { params: r.byOp[c].params, macs: r.byOp[c].macs };
  return {
    model: r.model,
    batch: r.batch,
    input: r.input.slice(),
    params: r.params,
    macs: r.macs,
    byOp,
    layers: r.layers.map((l) => ({
      name: l.name, op: l.op, outShape: l.outShape.slice(), params: l.params, macs: l.macs,
    })),
    activationBytes: { peak: r.activationBytes.peak, naive: r.activationBytes.naive },
  };
}

/**
 * A text table: one row per layer (name, op class, output shape, params, MACs), the totals,
 * then the breakdown by op class with each class's share of params and MACs, then a summary
 * line in engineering units (M = 1e6, G = 1e9, MB = 1e6 bytes).
 */
export function formatCostTable(r: CostAnalysis): string {
  const lines: string[] = [];
  lines.push(`${r.model}: batch ${r.batch}, input ${shapeStr(r.input)}`);
  lines.push('');

  const rows: string[][] = [['layer', 'class', 'out shape', 'params', 'MACs']];
  for (const l of r.layers) rows.push([l.name, l.opClass, shapeStr(l.outShape), int(l.params), int(l.macs)]);
  rows.push(['total', '', '', int(r.params), int(r.macs)]);
  lines.push(...table(rows, [false, false, false, true, true], [rows.length - 1]));
  lines.push('');

  const cls: string[][] = [['class', 'layers', 'params', '%', 'MACs', '%']];
  let layerCount = 0;
  for (const c of OP_CLASSES) {
    const t = r.byOp[c];
    layerCount += t.layers;
    cls.push([c, int(t.layers), int(t.params), pct(t.params, r.params), int(t.macs), pct(t.macs, r.macs)]);
  }
  cls.push(['total', int(layerCount), int(r.params), pct(r.params, r.params), int(r.macs), pct(r.macs, r.macs)]);
  lines.push(...table(cls, [false, true, true, true, true, true], [cls.length - 1]));
  lines.push('');

  const peak = r.activationBytes.peak;
  lines.push(`params ${eng(r.params)} (${eng(r.weightBytes)}B f32), MACs ${eng(r.macs)}, ` +
    `FLOPs ${eng(r.flops)} (1 MAC = 2 FLOPs), activations: naive ${eng(r.activationBytes.naive)}B, ` +
    `peak ${eng(peak)}B`);
  return lines.join('\n');
}

/** Rows padded to column widths; `right` marks right-aligned columns; a rule above `ruleBefore` rows. */
function table(rows: string[][], right: boolean[], ruleBefore: number[]): string[] {
  const widths = rows[0]!.map((_, j) => Math.max(...rows.map((row) => row[j]!.length)));
  const fmt = (row: string[]) =>
    row.map((cell, j) => (right[j] ? cell.padStart(widths[j]!) : cell.padEnd(widths[j]!))).join('  ').trimEnd();
  const rule = '-'.repeat(widths.reduce((a, w) => a + w, 0) + 2 * (widths.length - 1));
  const out = [fmt(rows[0]!), rule];
  rows.slice(1).forEach((row, i) => {
    if (ruleBefore.includes(i + 1)) out.push(rule);
    out.push(fmt(row));
  });
  return out;
}

function shapeStr(s: readonly number[]): string { return `[${s.join(', ')}]`; }

/** Integer with thousands separators, locale-independent: 4089184256 → 4,089,184,256. */
function int(n: number): string { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

function pct(part: number, whole: number): string { return whole > 0 ? `${(100 * part / whole).toFixed(1)}%` : '-'; }

/** Four significant digits and an SI prefix: 25557032 → "25.56 M", 4089184256 → "4.089 G". */
function eng(n: number): string {
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, u] of units) if (Math.abs(n) >= scale) return `${(n / scale).toPrecision(4)} ${u}`;
  return `${n} `;
}
