// The CLI on a model file: run with --input / --output .npy against PyTorch's own output, cost and
// predict of an imported model, and the errors a model file can get (exit 1, one message).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readNpy, writeNpy } from '../dist/cli/npy.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/simdnet.mjs');
const PYTHON = process.env.SIMDNET_PYTHON ?? '/usr/bin/python3';
const cli = (...args) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-'));
const r = spawnSync(PYTHON, [join(ROOT, 'test/pytorch/export_onnx.py'), dir, '13', 'resnet18:64'], { encoding: 'utf8', maxBuffer: 1 << 26 });
if (r.status !== 0) throw new Error(`torch.onnx.export failed (${PYTHON}; install python3-torch python3-torchvision): ${r.stderr.slice(-1500)}`);
const model = join(dir, 'resnet18.onnx');
const io = readFileSync(join(dir, 'resnet18.io.bin'));
const nl = io.indexOf(10);
const head = JSON.parse(io.subarray(0, nl).toString());
const floats = new Float32Array(io.buffer.slice(io.byteOffset + nl + 1));
const n = head.input.reduce((a, b) => a * b, 1);
writeFileSync(join(dir, 'x.npy'), writeNpy(floats.subarray(0, n), head.input));

test('run model.onnx --input x.npy --output y.npy: the output is PyTorch\'s', () => {
  const out = join(dir, 'y.npy');
  const res = cli('run', model, '--input', join(dir, 'x.npy'), '--output', out);
  assert.is(res.status, 0, res.stderr);
  assert.match(res.stdout, /resnet18\.onnx: input \[1, 64, 64, 3\] -> output \[1, 1000\]/);
  assert.match(res.stdout, /the file's weights, --input/);
  const y = readNpy(readFileSync(out));
  assert.equal(y.shape, [1, 1000]);
  const ref = floats.subarray(n);
  let d = 0, m = 0;
  for (let i = 0; i < ref.length; i++) { d = Math.max(d, Math.abs(y.data[i] - ref[i])); m = Math.max(m, Math.abs(ref[i])); }
  assert.ok(d / m < 1e-4, `relative difference ${d / m}`);
});

test('cost and predict of a model file', () => {
  const c = cli('cost', model, '--json');
  assert.is(c.status, 0, c.stderr);
  const j = JSON.parse(c.stdout);
  // torchvision resnet18 has 11,689,512 parameters; torch.onnx.export folds each batch norm into
  // the conv before it, so the file holds a C-channel conv bias where the BN had 2C: minus the
  // 4,800 batch-norm channels. At 64x64 the MACs are about (64/224)^2 of 1.814 G.
  assert.is(j.params, 11_689_512 - 4_800);
  assert.ok(j.macs > 1.4e8 && j.macs < 1.6e8, `${j.macs}`);
  const p = cli('predict', model, '--device', 'tx1', '--batch', '4', '--json');
  assert.is(p.status, 0, p.stderr);
  const pj = JSON.parse(p.stdout);
  assert.is(pj.batch, 4);
  assert.ok(pj.msPerImage > 0 && pj.layers.length > 20);
});

test('model file errors: exit 1 with one message', () => {
  const cases = [
    [['run', join(dir, 'missing.onnx')], /no such file/],
    [['run', model, '--alpha', '0.5'], /--alpha is an option of the zoo's networks/],
    [['run', model, '--batch', '2'], /fixed batch of 1/],
    [['run', model, '--input', join(dir, 'resnet18.io.bin')], /--input .*not a \.npy file/],
    [['cost', join(dir, 'resnet18.io.bin')], /neither ONNX nor valid JSON|not an ONNX model/],
  ];
  writeFileSync(join(dir, 'bad.npy'), writeNpy(new Float32Array(12), [1, 3, 2, 2]));
  cases.push([['run', model, '--input', join(dir, 'bad.npy')], /is \(1, 3, 2, 2\); the model takes \(1, 3, 64, 64\), NCHW/]);
  for (const [args, pattern] of cases) {
    const res = cli(...args);
    assert.is(res.status, 1, `${args.join(' ')}: ${res.stdout}${res.stderr}`);
    assert.match(res.stderr, pattern, args.join(' '));
  }
});

test('report --models takes a model file beside zoo names: counted, measured, predicted', async () => {
  const { toONNX } = await import('../dist/onnx/index.js');
  const { buildModel, randomWeights } = await import('../dist/index.js');
  const g = buildModel('mobilenet-v1', { alpha: 0.25, resolution: 128 });
  const file = join(dir, 'tiny-mobilenet.onnx');
  writeFileSync(file, toONNX(g, randomWeights(g, 1)));
  const res = cli('report', '--quick', '--no-calibrate', '--models', `${file},resnet-18`, '--json', '--out', join(dir, 'r.html'));
  assert.is(res.status, 0, res.stderr);
  const data = JSON.parse(res.stdout);
  const row = data.rows.find((r) => r.model === 'tiny-mobilenet.onnx');
  assert.ok(row, `rows: ${data.rows.map((r) => r.model)}`);
  assert.ok(row.macs > 1e7 && row.params > 4e5 && row.measured?.medianMs > 0, JSON.stringify(row).slice(0, 300));
  const bad = cli('report', '--quick', '--no-calibrate', '--models', join(dir, 'nope.onnx'));
  assert.is(bad.status, 1);
  assert.match(bad.stderr, /no such file/);
});

test('npy: round trip, and bad files refused', () => {
  const x = Float32Array.from({ length: 24 }, (_, i) => i / 3);
  const back = readNpy(writeNpy(x, [2, 3, 4]));
  assert.equal(back.shape, [2, 3, 4]);
  assert.equal(Array.from(back.data), Array.from(x));
  const b = writeNpy(x, [2, 3, 4]);
  assert.throws(() => readNpy(b.subarray(0, b.length - 4)), /needs 96 bytes of data, the file has 92/);
  assert.throws(() => readNpy(new Uint8Array(20)), /bad magic/);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
