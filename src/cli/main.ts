import { parseArgs } from 'node:util';
import { benchKernels, formatKernelTable, KERNEL_CASES } from './bench-kernels.js';
import { listModels, runModel } from './models.js';
import { benchModel } from '../calibrate/bench-model.js';
import { buildModel } from '../models/index.js';
import { analyze, costJson, formatCostTable } from '../cost/index.js';
import { reportCommand, REPORT_USAGE } from '../report/index.js';
import { calibrateCommand, predictCommand, PREDICT_USAGE, PREDICT_OPTIONS, CALIBRATE_USAGE, CALIBRATE_OPTIONS } from './predict.js';
import { parseCommand, positiveInt, threadsArg, usageError, UsageError, type CommandSpec } from './args.js';
import { modelFromArgs, type ModelFromArgs } from './model-source.js';
import { readNpy, writeNpy } from './npy.js';
import { formatImageRun, runImage } from './image.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { toONNX } from '../onnx/index.js';
import { toTFLite } from '../tflite/index.js';
import { randomWeights } from '../graph/weights.js';

/** `--input x.npy`: the tensor in the layout the model declares (NCHW for ONNX files and the zoo's PyTorch order), checked against its input. */
function readInputNpy(file: string, m: ModelFromArgs): { data: Float32Array; layout: 'nhwc' | 'nchw' } {
  let npy;
  try { npy = readNpy(readFileSync(file), file); } catch (e: any) { throw new UsageError(`run: --input ${e.message}`); }
  const s = m.graph.nodes[0]!.outShape;
  const layout = s.length === 4 && (m.imported?.input.layout ?? 'nchw') === 'nchw' ? 'nchw' : 'nhwc';
  const want = layout === 'nchw' ? [s[0]!, s[3]!, s[1]!, s[2]!] : s;
  if (npy.shape.join() !== want.join()) throw new UsageError(`run: --input ${file} is (${npy.shape.join(', ')}); the model takes (${want.join(', ')})${layout === 'nchw' ? ', NCHW' : ''}`);
  for (let i = 0; i < npy.data.length; i++) if (!Number.isFinite(npy.data[i])) throw new UsageError(`run: --input ${file}: element ${i} is ${npy.data[i]}`);
  return { data: npy.data, layout };
}

const HELP = `simdnet — classic ImageNet CNNs on WebAssembly SIMD

usage: simdnet <command> [options]

commands:
  list [--json]                                   the model zoo
  run <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--threads N|auto] [--input x.npy] [--output y.npy] [--json]
                                                  compile (a zoo model with random weights, a file with
                                                  its own), run once: output shape, top-5, time
  run <model | model.onnx> --image photo.jpg [--preprocess torchvision|keras|caffe|none] [--top K] [--labels file.txt] [--json]
                                                  classify a JPEG or PNG: the top-K classes (ImageNet names
                                                  for 1,000 classes) with probabilities; preprocess defaults
                                                  to torchvision (keras for a TF.js model.json)
  bench <model | model.onnx> [--batch N] [--runs N] [--alpha A] [--resolution R] [--threads N|auto] [--json]
                                                  warm-up, then timed runs (median, min, max, GFLOP/s);
                                                  --threads: kernel threads (default 1; auto = the cores)
  cost <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--json]
                                                  params, multiply-adds and memory per layer
  export <model | model.onnx> --format tflite|onnx --out FILE [--batch N] [--alpha A] [--resolution R] [--json]
                                                  write the network as a .tflite (LiteRT, NHWC input) or
                                                  .onnx (NCHW input) file: a zoo model with random weights,
                                                  a file with its own (ONNX or TF.js to TFLite)
  bench-kernels [--json] [--filter REGEX]         kernel GFLOP/s against this machine's same-run peak
  predict <model | model.onnx> --device tx1|titan-xp|host|FILE [--batch N] [--alpha A] [--resolution R] [--json]
                                                  predicted latency per layer and energy on a device profile
  calibrate [--out FILE]                          microbenchmark this machine, write its profile (~/.simdnet/host.json)
  report [--quick | --full] [--models a,b,c] [--out report.html] [--json] [--benchmarks FILE] [--no-calibrate] [--threads N|auto]
                                                  the whole zoo: counted, measured here, predicted here and for
                                                  the Jetson TX1; a table and a self-contained report.html (npm start)
  help                                            this text
`;

const MODEL_OPTS = { batch: { type: 'string' }, alpha: { type: 'string' }, resolution: { type: 'string' } } as const;

/** What each command accepts; anything else is refused before it runs (see args.ts). */
export const COMMANDS: Record<string, CommandSpec> = {
  list: { usage: 'list [--json]', options: { json: { type: 'boolean' } }, positionals: [] },
  run: {
    usage: 'run <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--threads N|auto] [--input x.npy | --image photo.jpg [--preprocess torchvision|keras|caffe|none] [--top K] [--labels file.txt]] [--output y.npy] [--json]',
    options: {
      ...MODEL_OPTS, threads: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' }, json: { type: 'boolean' },
      image: { type: 'string' }, preprocess: { type: 'string' }, top: { type: 'string' }, labels: { type: 'string' },
    },
    positionals: ['model'],
  },
  bench: {
    usage: 'bench <model | model.onnx> [--batch N] [--runs N] [--alpha A] [--resolution R] [--threads N|auto] [--json]',
    options: { ...MODEL_OPTS, runs: { type: 'string' }, threads: { type: 'string' }, json: { type: 'boolean' } }, positionals: ['model'],
  },
  cost: {
    usage: 'cost <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--json]',
    options: { ...MODEL_OPTS, json: { type: 'boolean' } }, positionals: ['model'],
  },
  export: {
    usage: 'export <model | model.onnx> --format tflite|onnx --out FILE [--batch N] [--alpha A] [--resolution R] [--json]',
    options: { ...MODEL_OPTS, format: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' } }, positionals: ['model'],
  },
  'bench-kernels': {
    usage: 'bench-kernels [--json] [--filter REGEX]',
    options: { json: { type: 'boolean' }, filter: { type: 'string' } }, positionals: [],
  },
  predict: { usage: PREDICT_USAGE, options: PREDICT_OPTIONS, positionals: ['model'] },
  calibrate: { usage: CALIBRATE_USAGE, options: CALIBRATE_OPTIONS, positionals: [] },
  report: { usage: REPORT_USAGE, options: {}, positionals: [] }, // parseReportArgs checks its own
  help: { usage: 'help', options: {}, positionals: [] },
};

function progressBar(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (done, total) => {
    const w = 30, f = Math.round((w * done) / total);
    process.stderr.write(`\r${label} [${'#'.repeat(f)}${'.'.repeat(w - f)}] ${done}/${total}\x1b[K`);
    if (done >= total) process.stderr.write('\r\x1b[K');
  };
}

/** CLI entry; returns the exit code. Results go to stdout, errors to stderr. */
/** `--filter` as a RegExp that matches at least one kernel: a typo must not bench nothing. */
function kernelFilter(src: string | undefined): RegExp | undefined {
  if (src === undefined) return undefined;
  let re: RegExp;
  try {
    re = new RegExp(src);
  } catch (e: any) {
    throw usageError('bench-kernels', COMMANDS['bench-kernels']!, `--filter is not a valid regular expression: ${e.message}`);
  }
  if (!KERNEL_CASES.some((c) => re.test(c.name))) {
    throw new UsageError(`bench-kernels: --filter '${src}' matches no kernel; kernels: ${KERNEL_CASES.map((c) => c.name).join(', ')}`);
  }
  return re;
}

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
  const spec = cmd === undefined ? undefined : COMMANDS[cmd];
  // `simdnet <command> --help`: that command's usage (an option before any `--`).
  if (spec && cmd !== 'help') {
    const end = rest.indexOf('--');
    const opts = end < 0 ? rest : rest.slice(0, end);
    if (opts.includes('--help') || opts.includes('-h')) {
      process.stdout.write(`usage: simdnet ${spec.usage}\n`);
      return 0;
    }
  }
  const parse = () => parseCommand(cmd!, spec!, rest);
  const modelGraph = (name: string, v: Record<string, unknown>) => modelFromArgs(cmd!, name, v);
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
      const { values, positionals: [name] } = parse();
      if (values.image !== undefined && values.input !== undefined) throw new UsageError('run: --image and --input are exclusive (an image, or a tensor as .npy)');
      if (values.image === undefined) {
        for (const k of ['preprocess', 'top', 'labels']) if (values[k] !== undefined) throw new UsageError(`run: --${k} is an option of --image`);
      }
      const m = await modelGraph(name!, values);
      if (values.image !== undefined) {
        if (values.output !== undefined) throw new UsageError('run: --output writes the output of --input or a sample input; with --image, use --json');
        const r = await runImage(name!, m, values);
        out(values.json ? JSON.stringify(r, null, 2) : formatImageRun(r, !m.weights));
        return 0;
      }
      let input: { data: Float32Array; layout: 'nhwc' | 'nchw' } | undefined;
      if (values.input !== undefined) input = readInputNpy(String(values.input), m);
      let threads;
      try { threads = threadsArg(values.threads); } catch (e: any) { throw new UsageError(`run: ${e.message}`); }
      const r = await runModel(name!, m.args, m.graph, m.weights, input, threads);
      if (values.output !== undefined) {
        const file = String(values.output);
        try { writeFileSync(file, writeNpy(r.output, r.outputShape)); } catch (e: any) { throw new UsageError(`run: --output ${file}: ${e.message}`); }
      }
      const { output: _y, ...shown } = r;
      if (values.json) out(JSON.stringify(shown, null, 2));
      else {
        out(`${r.model}: input [${r.input.join(', ')}] -> output [${r.outputShape.join(', ')}]`);
        r.top5.forEach((t, b) => out(`  image ${b}: top-5 classes ${t.join(', ')}`));
        out(`  compile ${r.compileMs.toFixed(0)} ms, run ${r.runMs.toFixed(1)} ms (first run, ${m.weights ? 'the file\'s weights' : 'random weights'}${input ? ', --input' : ', a sample input'}${r.threads > 1 ? `, ${r.threads} threads` : ''})`);
        if (r.threadsReason) out(`  one thread: ${r.threadsReason}`);
      }
      return 0;
    }
    case 'bench': {
      const { values, positionals: [name] } = parse();
      const { args, graph, weights } = await modelGraph(name!, values);
      let runs, threads;
      try {
        runs = positiveInt('runs', values.runs);
        threads = threadsArg(values.threads);
      } catch (e: any) {
        throw new UsageError(`bench: ${e.message}`);
      }
      const r = await benchModel(name!, { ...args, runs, weights, threads, onProgress: values.json ? undefined : progressBar(name!) }, graph);
      if (values.json) {
        const { model: m, batch, runs: n, medianMs, minMs, maxMs, gflops, threads: t, threadsReason } = r;
        out(JSON.stringify({ model: m, batch, runs: n, medianMs, minMs, maxMs, gflops, threads: t, threadsReason }, null, 2));
      } else {
        out(`${r.model} batch ${r.batch}: median ${r.medianMs.toFixed(2)} ms (min ${r.minMs.toFixed(2)}, max ${r.maxMs.toFixed(2)}) over ${r.runs} runs, ${r.gflops.toFixed(1)} GFLOP/s, activation arena ${(r.peakBytes / 2 ** 20).toFixed(1)} MiB, ${r.threads} thread${r.threads > 1 ? 's' : ''}`);
        if (r.threadsReason) out(`one thread: ${r.threadsReason}`);
      }
      return 0;
    }
    case 'cost': {
      const { values, positionals: [name] } = parse();
      const { graph, args } = await modelGraph(name!, values);
      const r = analyze(graph, args.batch === undefined ? {} : { batch: args.batch });
      out(values.json ? JSON.stringify(costJson(r), null, 2) : formatCostTable(r));
      return 0;
    }
    case 'export': {
      const { values, positionals: [name] } = parse();
      const format = values.format;
      if (format !== 'tflite' && format !== 'onnx') throw usageError('export', spec!, `--format must be tflite or onnx, got ${format === undefined ? 'nothing' : `'${format}'`}`);
      if (typeof values.out !== 'string' || values.out === '') throw usageError('export', spec!, '--out FILE is required');
      const m = await modelGraph(name!, values);
      const weights = m.weights ?? randomWeights(m.graph, 1);
      const t = performance.now();
      const bytes = format === 'tflite' ? toTFLite(m.graph, weights) : toONNX(m.graph, weights);
      const ms = performance.now() - t;
      try { writeFileSync(values.out, bytes); } catch (e: any) { throw new UsageError(`export: --out ${values.out}: ${e.message}`); }
      const input = m.graph.nodes.find((n) => n.name === m.graph.input)!.outShape;
      const shape = format === 'onnx' && input.length === 4 ? [input[0]!, input[3]!, input[1]!, input[2]!] : input;
      const r = { model: name!, format, out: values.out, bytes: bytes.length, input: shape, layout: input.length === 4 ? (format === 'onnx' ? 'nchw' : 'nhwc') : 'nc', weights: m.weights ? 'file' : 'random', exportMs: +ms.toFixed(1) };
      if (values.json) out(JSON.stringify(r, null, 2));
      else out(`${r.out}: ${r.model} as ${format === 'tflite' ? 'TFLite' : 'ONNX'}, ${(r.bytes / 1e6).toFixed(1)} MB, input [${shape.join(', ')}] ${r.layout.toUpperCase()}, ${m.weights ? 'the file\'s weights' : 'random weights (randomWeights(graph, 1))'}`);
      return 0;
    }
    case 'bench-kernels': {
      const { values } = parse();
      const filter = kernelFilter(values.filter as string | undefined);
      const tty = !values.json && process.stderr.isTTY;
      const r = await benchKernels({
        filter,
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
    case 'help': case '--help': case '-h':
      parseCommand('help', COMMANDS.help!, rest);
      process.stdout.write(HELP);
      return 0;
    case undefined:
      process.stdout.write(HELP);
      return 1;
    default:
      throw new UsageError(`unknown command '${cmd}' (try 'simdnet help')`);
  }
}
