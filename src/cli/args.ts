// Argument checks shared by every command: each command declares its options and how many
// positionals it takes, and anything else is refused before any work starts, with a message that
// names the offending argument and shows the command's usage. A typo must not run a benchmark for
// a minute with the option silently ignored.

import { parseArgs } from 'node:util';
import { modelInfo, MODELS, type BuildModelOptions } from '../models/index.js';

/** A mistake in the command line: the CLI prints the message and exits 1. */
export class UsageError extends Error {}

export type OptionSpec = Record<string, { type: 'string' | 'boolean' }>;

export interface CommandSpec {
  /** The synopsis after `simdnet `, e.g. `run <model> [--batch N]`. */
  usage: string;
  options: OptionSpec;
  /** Names of the positionals, in order, all required (`['model']` for `<model>`). */
  positionals: string[];
}

/** The error for `cmd`, with its usage appended. */
export function usageError(cmd: string, spec: CommandSpec, msg: string): UsageError {
  return new UsageError(`${cmd}: ${msg} (usage: simdnet ${spec.usage})`);
}

/** Parses `args` strictly against `spec`: unknown options, missing or extra positionals throw. */
export function parseCommand(cmd: string, spec: CommandSpec, args: string[]) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: spec.options, allowPositionals: true, strict: true });
  } catch (e: any) {
    // Node's text for an unknown option suggests `--` for positionals that start with '-',
    // which no command here has: keep only the first sentence.
    const msg = String(e?.message ?? e).replace(/\. To specify a positional argument.*$/s, '');
    throw usageError(cmd, spec, msg);
  }
  const { values, positionals } = parsed;
  if (positionals.length > spec.positionals.length) {
    throw usageError(cmd, spec, `unexpected argument '${positionals[spec.positionals.length]}'`);
  }
  if (positionals.length < spec.positionals.length) {
    const name = spec.positionals[positionals.length]!;
    throw usageError(cmd, spec, `missing <${name}>${name === 'model' ? " (see 'simdnet list')" : ''}`);
  }
  for (const [k, v] of Object.entries(values)) {
    if (spec.options[k]?.type === 'string' && v === '') throw usageError(cmd, spec, `--${k} is empty`);
  }
  return { values: values as Record<string, string | boolean | undefined>, positionals };
}

/**
 * A positive integer option, written in plain decimal: '0', '-4', '2.5', 'abc', '1e1', '0x10'
 * and ' 2' are refused (Number() would take the last three).
 */
export function positiveInt(name: string, v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && Number.isSafeInteger(n))) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

/** `--threads N | auto` (kernel threads, the calling thread included; at most 64). */
export function threadsArg(v: unknown): number | 'auto' | undefined {
  if (v === undefined) return undefined;
  if (v === 'auto') return 'auto';
  const n = typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= 64)) throw new UsageError(`--threads must be an integer 1..64 or 'auto', got '${v}'`);
  return n;
}

/**
 * `--batch`, `--alpha` and `--resolution` checked against the model's registry row, so the
 * message names the flag (buildModel's own would name its option object). Resolutions the
 * model allows in general but its layers cannot take are left to buildModel, which says so.
 */
export function modelOptions(model: string, values: Record<string, unknown>): BuildModelOptions {
  const info = modelInfo(model); // unknown model: RangeError listing the known ones
  const batch = positiveInt('batch', values.batch);
  const resolution = positiveInt('resolution', values.resolution);
  const allowedRes = info.options.resolution;
  if (resolution !== undefined && allowedRes && !allowedRes.includes(resolution)) {
    throw new UsageError(`--resolution must be one of ${allowedRes.join(', ')} for ${info.name}, got '${values.resolution}'`);
  }
  let alpha: number | undefined;
  if (values.alpha !== undefined) {
    const allowed = info.options.alpha;
    if (!allowed) {
      const takers = MODELS.filter((m) => m.options.alpha).map((m) => m.name).join(', ');
      throw new UsageError(`--alpha is not an option of ${info.name} (models with a width multiplier: ${takers})`);
    }
    const raw = String(values.alpha);
    alpha = /^\s*$/.test(raw) ? NaN : Number(raw);
    if (!allowed.includes(alpha)) throw new UsageError(`--alpha must be one of ${allowed.join(', ')} for ${info.name}, got '${raw}'`);
  }
  return { batch, resolution, alpha };
}
