// `simdnet run --image`: a PNG / JPEG through a zoo net and an ONNX file, printed as labelled
// classes with probabilities, and the argument errors (exit 1, one message naming the argument).
// The images are written here with fast-png / jpeg-js, the ONNX file with toONNX: no python.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { GraphBuilder, randomWeights } from '../dist/index.js';
import { toONNX } from '../dist/onnx/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin/simdnet.mjs');
const cli = (...args) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'simdnet-cli-image-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const W = 160, H = 120;
const rgba = new Uint8Array(W * H * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37 + (i >> 9)) & 255));
const png = join(dir, 'x.png'), jpg = join(dir, 'x.jpg');
writeFileSync(png, encodePng({ width: W, height: H, data: rgba, depth: 8, channels: 4 }));
writeFileSync(jpg, encodeJpeg({ width: W, height: H, data: rgba }, 90).data);
const labels = (n, name) => { const f = join(dir, name); writeFileSync(f, Array.from({ length: n }, (_, i) => `class ${i}`).join('\n') + '\n'); return f; };

/** One error line on stderr, exit 1, nothing on stdout. */
function fails(res, re) {
  assert.is(res.status, 1, res.stdout + res.stderr);
  assert.is(res.stdout, '');
  assert.match(res.stderr, re);
  assert.is(res.stderr.trim().split('\n').length, 1, res.stderr);
}

test('run <zoo model> --image x.png --top 3 --json: 3 ImageNet-labelled classes, probabilities summing to <= 1', () => {
  const res = cli('run', 'mobilenet-v1', '--resolution', '128', '--image', png, '--top', '3', '--json');
  assert.is(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.preprocess, 'torchvision');
  assert.equal(r.input, [1, 128, 128, 3]);
  assert.is(r.classes.length, 3);
  let sum = 0;
  for (const c of r.classes) {
    assert.ok(Number.isInteger(c.index) && c.index >= 0 && c.index < 1000);
    assert.type(c.label, 'string');
    assert.ok(c.score > 0 && c.score <= 1);
    sum += c.score;
  }
  assert.ok(sum <= 1 + 1e-9, `sum ${sum}`);
  assert.ok(r.classes[0].score >= r.classes[2].score);
});

test('run <zoo model> --image x.jpg: a text table of 5 classes, with a random-weights note', () => {
  const res = cli('run', 'mobilenet-v2', '--image', jpg, '--preprocess', 'caffe', '--resolution', '128');
  assert.is(res.status, 0, res.stderr);
  const lines = res.stdout.trim().split('\n');
  assert.match(lines[0], /mobilenet-v2: .*x\.jpg \(caffe preprocessing, input \[1, 128, 128, 3\]\)/);
  assert.is(lines.filter((l) => /^\s+\d+\.\d\d%\s+\d+\s+\S/.test(l)).length, 5, res.stdout);
  assert.match(res.stdout, /random weights/);
});

test('run model.onnx --image --labels: a file\'s own classes named from the labels file', () => {
  // ends in softmax: its output is already a distribution, shown as it is
  const b = new GraphBuilder('small');
  let x = b.input([1, 32, 32, 3]);
  x = b.relu(b.conv2d(x, { outChannels: 4, kernel: 3, stride: 2, padding: 1 }, 'c1'), 'r1');
  x = b.maxpool(x, { kernel: 2, stride: 2 }, 'mp');
  const g = b.output(b.softmax(b.fc(b.flatten(x, 'flat'), { outFeatures: 10 }, 'fc'), 'prob'));
  const model = join(dir, 'small.onnx');
  writeFileSync(model, toONNX(g, randomWeights(g, 3)));
  const res = cli('run', model, '--image', png, '--labels', labels(10, 'ten.txt'), '--json', '--top', '10');
  assert.is(res.status, 0, res.stderr);
  const r = JSON.parse(res.stdout);
  assert.is(r.classes.length, 10);
  assert.equal(r.classes.map((c) => c.label).sort(), Array.from({ length: 10 }, (_, i) => `class ${i}`).sort());
  const sum = r.classes.reduce((a, c) => a + c.score, 0);
  assert.ok(Math.abs(sum - 1) < 1e-6, `all 10 classes sum to ${sum}`);
  // no labels file and not 1,000 classes: indices only
  const bare = JSON.parse(cli('run', model, '--image', png, '--json').stdout);
  assert.is(bare.classes.length, 5);
  assert.is(bare.classes[0].label, undefined);
  fails(cli('run', model, '--image', png, '--top', '11'), /--top 11 is more than the model's 10 classes/);
});

test('run --image: argument errors exit 1 naming the argument', () => {
  fails(cli('run', 'mobilenet-v1', '--image', png, '--labels', labels(999, 'l999.txt')), /--labels .*l999\.txt has 999 lines; the model has 1000 classes/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--input', join(dir, 'x.npy')), /--image and --input are exclusive/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--preprocess', 'pytorch'), /--preprocess must be one of torchvision, keras, caffe, none, got 'pytorch'/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--top', '0'), /--top must be a positive integer, got '0'/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--top', '2.5'), /--top must be a positive integer/);
  fails(cli('run', 'mobilenet-v1', '--top', '3'), /--top is an option of --image/);
  fails(cli('run', 'mobilenet-v1', '--image', join(dir, 'missing.png')), /--image .*missing\.png: no such file/);
  const bad = join(dir, 'bad.png');
  writeFileSync(bad, 'not an image at all');
  fails(cli('run', 'mobilenet-v1', '--image', bad), /--image .*bad\.png: not a JPEG or PNG file/);
  const cut = join(dir, 'cut.jpg');
  writeFileSync(cut, encodeJpeg({ width: W, height: H, data: rgba }, 90).data.subarray(0, 300));
  fails(cli('run', 'mobilenet-v1', '--image', cut), /--image .*cut\.jpg: corrupt or unsupported JPEG/);
  const blank = join(dir, 'blank.txt');
  writeFileSync(blank, 'a\n\nb\n');
  fails(cli('run', 'mobilenet-v1', '--image', png, '--labels', blank), /--labels .*blank\.txt: line 2 is blank/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--batch', '2'), /--image classifies one image; --batch 2/);
  fails(cli('run', 'mobilenet-v1', '--image', png, '--output', join(dir, 'y.npy')), /--output/);
});

test.run();
