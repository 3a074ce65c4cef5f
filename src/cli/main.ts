import { parseArgs } from 'node:util';
import { benchKernels, formatKernelTable } from './bench-kernels.js';
import { listModels, runModel } from './models.js';
import { benchModel } from '../calibrate/bench-model.js';
import { buildModel } from '../models/index.js';
import { analyze, costJson, formatCostTable } from '../cost/index.js';
import { reportCommand } from '../report/index.js';
import { calibrateCommand, predictCommand } from './predict.js';

const HELP = `simdnet — classic ImageNet CNNs on WebAssembly SIMD

usage: simdnet <command> [options]

commands:
  list [--json]                                   the model zoo
  run <model> [--batch N] [--alpha A] [--resolution R] [--json]
                                                  compile with random weights, run once: output shape, top-5, time
  bench <model> [--batch N] [--runs N] [--alpha A] [--resolution R] [--json]
                                                  warm-up, then timed runs (median, min, max, GFLOP/s)
  cost <model> [--batch N] [--alpha A] [--resolution R] [--json]
                                                  params, multiply-adds and memory per layer
  bench-kernels [--json] [--filter REGEX]         kernel GFLOP/s against this machine's same-run peak
  predict <model> --device tx1|titan-xp|host|FILE [--batch N] [--alpha A] [--resolution R] [--json]
                                                  predicted latency per layer and energy on a device profile
  calibrate [--out FILE]                          microbenchmark this machine, write its profile (~/.simdnet/host.json)
  report [--quick | --full] [--models a,b,c] [--out report.html] [--json] [--benchmarks FILE] [--no-calibrate]
                                                  the whole zoo: counted, measured here, predicted here and for
                                                  the Jetson TX1; a table and a self-contained report.html (npm start)
  help                                            this text
`;

class UsageError extends Error {}

function intOpt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`--${name} must be a positive integer, got '${v}'`);
  return n;
}

function numOpt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}

function progressBar(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const w = 30, f = Math.round((w * done) / total);
    process.stderr.write(`\r${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total}\x1b[K`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

/** CLI entry; returns the exit code. Results go to stdout, errors to stderr. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    return await dispatch(cmd, rest);
  } catch (e: any) {
    const msg = e?.message ?? String(e);
    process.stderr.write(`simdnet: ${msg}\n`);
    return 1;
  }
}

async function dispatch(cmd: string | undefined, rest: string[]): Promise<number> {
  const opts = {
    json: { type: 'boolean' as const }, batch: { type: 'string' as const }, alpha: { type: 'string' as const },
    resolution: { type: 'string' as const }, runs: { type: 'string' as const }, filter: { type: 'string' as const },
  };
  const parse = () => {
    try {
      return parseArgs({ args: rest, options: opts, allowPositionals: true, strict: true });
    } catch (e: any) {
      throw new UsageError(e.message);
    }
  };
  const modelArgs = (v: Record<string, any>) => ({
    batch: intOpt('batch', v.batch), alpha: numOpt('alpha', v.alpha), resolution: intOpt('resolution', v.resolution),
  });
  const model = (pos: string[]) => {
    if (!pos[0]) throw new UsageError(`${cmd}: missing <model> (see 'simdnet list')`);
    return pos[0];
  };
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
  switch (cmd) {
    case 'list': {
      const { values } = parse();
      const rows = listModels();
      if (values.json) out(JSON.stringify(rows, null, 2));
      else {
        const w = Math.max(...rows.map((r) => r.name.length));
        for (const r of rows) out(`${r.name.padEnd(w)}  ${r.family.padEnd(12)} ${r.input.slice(1, 3).join('x').padEnd(8)} ${r.paper}`);
      }
      return 0;
    }
    case 'run': {
      const { values, positionals } = parse();
      const r = await runModel(model(positionals), modelArgs(values));
      if (values.json) out(JSON.stringify(r, null, 2));
      else {
        out(`${r.model}: input [${r.input.join(', ')}] -> output [${r.outputShape.join(', ')}]`);
        r.top5.forEach((t, b) => out(`  image ${b}: top-5 classes ${t.join(', ')}`));
        out(`  compile ${r.compileMs.toFixed(0)} ms, run ${r.runMs.toFixed(1)} ms (first run, random weights)`);
      }
      return 0;
    }
    case 'bench': {
      const { values, positionals } = parse();
      const name = model(positionals);
      const runs = intOpt('runs', values.runs);
      const r = await benchModel(name, { ...modelArgs(values), runs, onProgress: values.json ? undefined : progressBar(name) });
      if (values.json) {
        const { model: m, batch, runs: n, medianMs, minMs, maxMs, gflops } = r;
        out(JSON.stringify({ model: m, batch, runs: n, medianMs, minMs, maxMs, gflops }, null, 2));
      } else {
        out(`${r.model} batch ${r.batch}: median ${r.medianMs.toFixed(2)} ms (min ${r.minMs.toFixed(2)}, max ${r.maxMs.toFixed(2)}) over ${r.runs} runs, ${r.gflops.toFixed(1)} GFLOP/s, activation arena ${(r.peakBytes / 2 ** 20).toFixed(1)} MiB`);
      }
      return 0;
    }
    case 'cost': {
      const { values, positionals } = parse();
      const graph = buildModel(model(positionals), modelArgs(values));
      const r = analyze(graph);
      out(values.json ? JSON.stringify(costJson(r), null, 2) : formatCostTable(r));
      return 0;
    }
    case 'bench-kernels': {
      const { values } = parse();
      const tty = !values.json && process.stderr.isTTY;
      const r = await benchKernels({
        filter: values.filter ? new RegExp(values.filter) : undefined,
        onProgress: tty ? (n) => process.stderr.write(`\r  measured ${n}\x1b[K`) : undefined,
      });
      if (tty) process.stderr.write('\r\x1b[K');
      if (values.json) {
        out(JSON.stringify({
          peakGflops: r.peakGflops, runtime: r.runtime,
          kernels: r.kernels.map(({ name, shape, medianMs, gflops }) => ({ name, shape, medianMs, gflops })),
        }, null, 2));
      } else out(formatKernelTable(r));
      return 0;
    }
    case 'report':
      return reportCommand(rest);
    case 'predict':
      return predictCommand(rest);
    case 'calibrate':
      return calibrateCommand(rest);
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 1 : 0;
    default:
      throw new UsageError(`unknown command '${cmd}' (try 'simdnet help')`);
  }
}
