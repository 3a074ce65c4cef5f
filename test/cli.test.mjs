// Every command of `simdnet` against bad input: exit code 1, one line on stderr that names the
// offending argument, nothing on stdout, and no work done first (each case returns in well under
// the time a network or a benchmark would take). Then the valid forms the checks must not refuse,
// at tiny sizes. `report` has its own file (report-cli.test.mjs).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/simdnet.mjs', import.meta.url));

function cli(args) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    execFile(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (err.code ?? 1) : 0, signal: err?.signal ?? null, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

const USAGE = {
  list: 'simdnet list [--json]',
  run: 'simdnet run <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--threads N|auto] [--input x.npy | --image photo.jpg [--preprocess torchvision|keras|caffe|none] [--top K] [--labels file.txt]] [--output y.npy] [--json]',
  bench: 'simdnet bench <model | model.onnx> [--batch N] [--runs N] [--alpha A] [--resolution R] [--threads N|auto] [--json]',
  cost: 'simdnet cost <model | model.onnx> [--batch N] [--alpha A] [--resolution R] [--json]',
  'bench-kernels': 'simdnet bench-kernels [--json] [--filter REGEX]',
  predict: 'simdnet predict <model | model.onnx> --device tx1|titan-xp|host|FILE [--batch N] [--alpha A] [--resolution R] [--threads N] [--json]',
  calibrate: 'simdnet calibrate [--out FILE]',
  export: 'simdnet export <model | model.onnx> --format tflite|onnx --out FILE [--batch N] [--alpha A] [--resolution R] [--json]',
  report: 'simdnet report [--quick',
  help: 'simdnet help',
};
const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Runs the cases a few at a time (each a fresh process); each must fail cleanly and fast. */
async function allFail(cases) {
  const results = new Array(cases.length);
  let next = 0;
  const worker = async () => { while (next < cases.length) { const i = next++; results[i] = await cli(cases[i][0]); } };
  await Promise.all([1, 2, 3, 4].map(worker));
  cases.forEach(([args, re], i) => {
    const r = results[i], what = `simdnet ${args.join(' ')}`;
    assert.is(r.code, 1, `${what}: exit code ${r.code} (signal ${r.signal}), stderr: ${r.stderr}`);
    assert.is(r.stdout, '', `${what}: stdout`);
    assert.match(r.stderr, /^simdnet: /, what);
    assert.is(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
    assert.match(r.stderr, re, what);
    // A bad argument is refused before anything is compiled or measured.
    assert.ok(r.ms < 15_000, `${what}: took ${r.ms} ms`);
  });
}

test('every command refuses an extra positional, naming it and showing the usage', async () => {
  const extra = (cmd, args) => [[cmd, ...args, 'extra'], new RegExp(`^simdnet: ${esc(cmd)}: unexpected argument 'extra' \\(usage: ${esc(USAGE[cmd])}`)];
  await allFail([
    extra('list', []),
    extra('list', ['--json']),
    extra('run', ['mobilenet-v1']),
    extra('bench', ['mobilenet-v1', '--runs', '2']),
    extra('cost', ['resnet-18']),
    extra('bench-kernels', []),
    extra('predict', ['resnet-18', '--device', 'tx1']),
    extra('calibrate', []),
    extra('help', []),
    [['report', 'extra'], /^simdnet: report: Unexpected argument 'extra'.*\(usage: simdnet report \[--quick/],
    [['list', 'bogus'], /list: unexpected argument 'bogus'/],
    [['run', 'mobilenet-v1', 'resnet-18'], /run: unexpected argument 'resnet-18'/],
    [['bench', 'mobilenet-v1', '--threads', '0'], /^simdnet: bench: --threads must be an integer 1\.\.64 or 'auto', got '0'/],
    [['run', 'mobilenet-v1', '--threads', 'many'], /^simdnet: run: --threads must be an integer 1\.\.64 or 'auto', got 'many'/],
    [['predict', 'resnet-18', '--device', 'tx1', '--threads', '2'], /^simdnet: predict: --threads: the tx1 profile has no thread scaling/],
  ]);
});

test('every command refuses an option it does not take, naming it and showing the usage', async () => {
  const unknown = (cmd, args, opt) => [[cmd, ...args, opt], new RegExp(`^simdnet: ${esc(cmd)}: Unknown option '${esc(opt)}' \\(usage: ${esc(USAGE[cmd])}`)];
  await allFail([
    unknown('list', [], '--batch'),
    unknown('run', ['mobilenet-v1'], '--runs'),
    unknown('run', ['mobilenet-v1'], '--filter'),
    unknown('bench', ['mobilenet-v1'], '--device'),
    unknown('cost', ['resnet-18'], '--runs'),
    unknown('bench-kernels', [], '--batch'),
    unknown('predict', ['resnet-18', '--device', 'tx1'], '--runs'),
    unknown('calibrate', [], '--models'),
    unknown('help', [], '--json'),
    unknown('run', ['mobilenet-v1'], '--bacth'),
    [['report', '--runs', '3'], /^simdnet: report: Unknown option '--runs'.*\(usage: simdnet report/],
  ]);
});

test('missing <model>, unknown model, unknown command', async () => {
  const missing = (cmd, args = []) => [[cmd, ...args], new RegExp(`^simdnet: ${cmd}: missing <model> \\(see 'simdnet list'\\) \\(usage: ${esc(USAGE[cmd])}`)];
  await allFail([
    missing('run'), missing('bench', ['--runs', '2']), missing('cost', ['--json']), missing('predict', ['--device', 'tx1']),
    [['run', 'resnet-51'], /^simdnet: run: unknown model "resnet-51"; known models: alexnet, /],
    [['bench', 'nosuchnet'], /^simdnet: bench: unknown model "nosuchnet"/],
    [['cost', 'nosuchnet'], /^simdnet: cost: unknown model "nosuchnet"/],
    [['predict', 'nosuchnet', '--device', 'tx1'], /^simdnet: predict: unknown model "nosuchnet"/],
    [['predict', 'resnet-18'], /^simdnet: predict: missing --device \(tx1, titan-xp, host, or a profile JSON file\)/],
    [['frobnicate'], /^simdnet: unknown command 'frobnicate' \(try 'simdnet help'\)/],
  ]);
});

test('bad numbers: --batch, --runs, --resolution, --alpha, each named with the value given', async () => {
  const cases = [];
  // run, bench, cost and predict share one check (src/cli/args.ts): every bad form on `run`,
  // a few on each of the others, so the suite stays fast.
  for (const cmd of ['run', 'bench', 'cost', 'predict']) {
    const base = [cmd, 'mobilenet-v1', ...(cmd === 'predict' ? ['--device', 'tx1'] : [])];
    const values = cmd === 'run' ? ['0', '-1', '2.5', 'abc', '1e1', '0x2', ' 2', 'Infinity', '99999999999999999999'] : ['0', '1.5'];
    for (const v of values) {
      cases.push([[...base, `--batch=${v}`], new RegExp(`^simdnet: ${cmd}: --batch must be a positive integer, got '${esc(v)}'`)]);
    }
    if (cmd !== 'run' && cmd !== 'predict') continue;
    cases.push([[...base, '--batch='], new RegExp(`^simdnet: ${cmd}: --batch is empty`)]);
    cases.push([[...base, '--batch'], new RegExp(`^simdnet: ${cmd}: Option '--batch <value>' argument missing`)]);
    cases.push([[...base, '--resolution', '7'], new RegExp(`^simdnet: ${cmd}: --resolution must be one of 224, 192, 160, 128 for mobilenet-v1, got '7'`)]);
    cases.push([[...base, '--resolution', 'big'], new RegExp(`^simdnet: ${cmd}: --resolution must be a positive integer, got 'big'`)]);
    cases.push([[...base, '--alpha', '2'], new RegExp(`^simdnet: ${cmd}: --alpha must be one of 1, 0\\.75, 0\\.5, 0\\.25 for mobilenet-v1, got '2'`)]);
    cases.push([[...base, '--alpha', 'half'], new RegExp(`^simdnet: ${cmd}: --alpha must be one of .* got 'half'`)]);
    cases.push([[cmd, 'resnet-18', ...base.slice(2), '--alpha', '0.5'], new RegExp(`^simdnet: ${cmd}: --alpha is not an option of resnet-18 \\(models with a width multiplier: mobilenet-v1\\)`)]);
    // a resolution the model allows in general but its layers cannot take
    cases.push([[cmd, 'vgg-16', ...base.slice(2), '--resolution', '7'], new RegExp(`^simdnet: ${cmd}: --resolution 7: .*resolution 7 is too small`)]);
  }
  for (const cmd of ['bench', 'cost']) {
    cases.push([[cmd, 'mobilenet-v1', '--resolution', '7'], new RegExp(`^simdnet: ${cmd}: --resolution must be one of 224, 192, 160, 128 for mobilenet-v1, got '7'`)]);
    cases.push([[cmd, 'mobilenet-v1', '--alpha', '2'], new RegExp(`^simdnet: ${cmd}: --alpha must be one of 1, 0\\.75, 0\\.5, 0\\.25 for mobilenet-v1, got '2'`)]);
  }
  for (const v of ['0', '-3', '1.5', 'ten', '1e2']) cases.push([['bench', 'mobilenet-v1', `--runs=${v}`], new RegExp(`^simdnet: bench: --runs must be a positive integer, got '${esc(v)}'`)]);
  await allFail(cases);
});

test('bench-kernels --filter: an invalid or an unmatched expression is refused before measuring', async () => {
  await allFail([
    [['bench-kernels', '--filter', '('], /^simdnet: bench-kernels: --filter is not a valid regular expression: .*Unterminated group/],
    [['bench-kernels', '--filter', 'winograd'], /^simdnet: bench-kernels: --filter 'winograd' matches no kernel; kernels: gemm 512x512x512, .*maxpool 3x3 s2/],
    [['bench-kernels', '--filter='], /^simdnet: bench-kernels: --filter is empty/],
  ]);
});

test('valid forms still work: help, <command> --help, list, cost, predict, run and bench at tiny sizes', async () => {
  const ok = async (args) => {
    const r = await cli(args);
    assert.is(r.code, 0, `simdnet ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  assert.match(await ok(['help']), /^simdnet — classic ImageNet CNNs/);
  const none = await cli([]);
  assert.is(none.code, 1, 'no command: the help text, but a failure');
  assert.match(none.stdout, /usage: simdnet <command>/);
  for (const [cmd, usage] of Object.entries(USAGE)) {
    if (cmd === 'help') continue;
    assert.ok((await ok([cmd, '--help'])).startsWith(`usage: ${usage}`), cmd);
  }
  assert.ok((await ok(['run', 'mobilenet-v1', 'extra', '-h'])).startsWith(`usage: ${USAGE.run}`), 'help wins over other mistakes');
  const list = JSON.parse(await ok(['list', '--json']));
  assert.ok(list.some((m) => m.name === 'mobilenet-v1'));
  const cost = JSON.parse(await ok(['cost', 'mobilenet-v1', '--alpha', '0.5', '--resolution', '128', '--batch', '2', '--json']));
  assert.equal([cost.model, cost.batch, cost.input], ['mobilenet-v1', 2, [2, 128, 128, 3]]);
  const pred = JSON.parse(await ok(['predict', 'resnet-18', '--device=tx1', '--batch=4', '--json']));
  assert.equal([pred.model, pred.batch], ['resnet-18', 4]);
  const run = JSON.parse(await ok(['run', 'resnet-18', '--resolution', '16', '--batch', '2', '--json']));
  assert.equal([run.input, run.outputShape], [[2, 16, 16, 3], [2, 1000]]);
  const bench = JSON.parse(await ok(['bench', 'resnet-18', '--resolution', '16', '--runs', '3', '--json']));
  assert.is(bench.runs, 3);
  assert.ok(bench.medianMs > 0);
  assert.is(bench.threads, 1);
  const threaded = JSON.parse(await ok(['bench', 'resnet-18', '--resolution', '32', '--runs', '3', '--threads', '2', '--json']));
  assert.is(threaded.threads, 2, `bench --threads 2: ${threaded.threadsReason}`);
  const run2 = JSON.parse(await ok(['run', 'resnet-18', '--resolution', '32', '--threads', '2', '--json']));
  assert.is(run2.threads, 2);
  assert.equal(run2.top5, JSON.parse(await ok(['run', 'resnet-18', '--resolution', '32', '--json'])).top5, 'same classes on 2 threads');
});

test('export: --format and --out are required and checked; an unwritable --out is named', async () => {
  await allFail([
    [['export', 'resnet-18', '--out', '/tmp/x.tflite'], /^simdnet: export: --format must be tflite or onnx, got nothing \(usage: /],
    [['export', 'resnet-18', '--format', 'pb', '--out', '/tmp/x.pb'], /^simdnet: export: --format must be tflite or onnx, got 'pb'/],
    [['export', 'resnet-18', '--format', 'tflite'], /^simdnet: export: --out FILE is required/],
    [['export', '--format', 'tflite', '--out', '/tmp/x.tflite'], /^simdnet: export: missing <model>/],
    [['export', 'nosuchnet', '--format', 'tflite', '--out', '/tmp/x.tflite'], /^simdnet: export: unknown model "nosuchnet"/],
    [['export', 'resnet-18', '--resolution', '16', '--format', 'tflite', '--out', '/nonexistent-dir/x.tflite'], /^simdnet: export: --out \/nonexistent-dir\/x\.tflite: ENOENT/],
    [['export', 'resnet-18', '--format', 'onnx', '--out', '/tmp/x.onnx', 'extra'], /^simdnet: export: unexpected argument 'extra'/],
  ]);
});

test('export: a zoo network as .tflite runs in LiteRT.js to simdnet\'s output; as .onnx it imports back', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { buildModel, compile, randomWeights } = await import('../dist/index.js');
  const { importONNX } = await import('../dist/onnx/index.js');
  const { compileTFLite } = await import('../bench/peers/litert.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-export-'));
  try {
    const file = join(dir, 'r.tflite');
    const r = await cli(['export', 'resnet-18', '--resolution', '32', '--batch', '2', '--format', 'tflite', '--out', file, '--json']);
    assert.is(r.code, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal([info.format, info.input, info.layout, info.weights], ['tflite', [2, 32, 32, 3], 'nhwc', 'random']);
    const bytes = readFileSync(file);
    assert.is(info.bytes, bytes.length);
    const g = buildModel('resnet-18', { resolution: 32, batch: 2 });
    const net = await compile(g, { weights: randomWeights(g, 1) });
    const m = await compileTFLite(new Uint8Array(bytes), [2, 32, 32, 3]);
    try {
      const x = new Float32Array(2 * 32 * 32 * 3).map((_, i) => Math.sin(i * 0.37));
      const want = net.run(x), got = await m.run(x);
      let d = 0, top = 0;
      for (let i = 0; i < want.length; i++) { d = Math.max(d, Math.abs(got[i] - want[i])); top = Math.max(top, Math.abs(want[i])); }
      assert.ok(d / top <= 1e-4, `relative difference ${d / top}`);
    } finally {
      net.dispose();
      m.dispose();
    }
    const onnx = join(dir, 'r.onnx');
    const o = await cli(['export', 'resnet-18', '--resolution', '32', '--format', 'onnx', '--out', onnx]);
    assert.is(o.code, 0, o.stderr);
    assert.match(o.stdout, /as ONNX, .* input \[1, 3, 32, 32\] NCHW, random weights/);
    assert.is(importONNX(new Uint8Array(readFileSync(onnx))).graph.nodes.filter((n) => n.op === 'conv2d').length, 20);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
