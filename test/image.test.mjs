// simdnet/image against PIL and torchvision (python3-pil, python3-torchvision as /usr/bin/python3,
// which makes the images at load time: a machine without them fails this file). Tolerances:
//   PNG decoding: exact (lossless; PIL's convert('RGBA') of every colour type is the reference)
//   JPEG decoding: mean |diff| < 1.5 and max < 16 levels for 4:4:4 and grey files (jpeg-js and
//     libjpeg round their IDCT differently); 4:2:0 files: mean < 8 (chroma upsampling, see below)
//   preprocess 'torchvision': max |diff| <= 1e-6 against torchvision's Resize + CenterCrop +
//     ToTensor + Normalize (the resize copies PIL's fixed-point arithmetic: measured 0)
//   'keras' / 'caffe' / 'none': the arithmetic on PIL's resized pixels, max |diff| <= 1e-5
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode as encodePng } from 'fast-png';
import { decodeImage, preprocess, classify, parseLabels, probabilities, IMAGENET_LABELS_URL } from '../dist/image/index.js';
import { readNpy } from '../dist/cli/npy.js';
import { buildModel, compile } from '../dist/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = process.env.SIMDNET_PYTHON ?? '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'simdnet-image-'));
const r = spawnSync(PYTHON, [join(ROOT, 'test/image/make_images.py'), dir], { encoding: 'utf8' });
if (r.status !== 0) throw new Error(`make_images.py failed (${PYTHON}; install python3-pil python3-torchvision): ${r.error?.message ?? r.stderr.slice(-1500)}`);
const FILES = JSON.parse(readFileSync(join(dir, 'files.json'), 'utf8'));
const file = (name) => new Uint8Array(readFileSync(join(dir, FILES[name].file)));
const pil = (name) => new Uint8Array(readFileSync(join(dir, `${name}.rgba`)));
const npy = (name) => readNpy(readFileSync(join(dir, name)), name);
const decoded = (name) => decodeImage(file(name));

test.after(() => rmSync(dir, { recursive: true, force: true }));

for (const name of ['rgb', 'tall', 'gray', 'gray-alpha', 'rgba', 'palette', 'palette-4bit-trns', 'bilevel']) {
  test(`PNG ${name} (PIL mode ${FILES[name].mode}) decodes to PIL's RGBA exactly`, () => {
    const img = decoded(name);
    assert.is(img.width, FILES[name].width);
    assert.is(img.height, FILES[name].height);
    assert.instance(img.data, Uint8ClampedArray);
    const ref = pil(name);
    assert.is(img.data.length, ref.length);
    let bad = -1;
    for (let i = 0; i < ref.length && bad < 0; i++) if (img.data[i] !== ref[i]) bad = i;
    assert.is(bad, -1, bad >= 0 ? `byte ${bad}: ${img.data[bad]} vs PIL ${ref[bad]}` : '');
  });
}

test('PNG 16-bit RGBA and 2-bit grey (written by fast-png): the high byte, and levels stretched to 0..255', () => {
  const w = 5, h = 3;
  const d16 = new Uint16Array(w * h * 4).map((_, i) => (i * 4099) & 0xffff);
  const img = decodeImage(encodePng({ width: w, height: h, data: d16, depth: 16, channels: 4 }));
  assert.equal(Array.from(img.data), Array.from(d16, (v) => v >> 8));
  // 2-bit grey: packed samples 0..3 -> 0, 85, 170, 255
  const g = new Uint8Array([0b00011011, 0b11000000, 0b10010011, 0b00000000]);
  const img2 = decodeImage(encodePng({ width: 5, height: 2, data: g, depth: 2, channels: 1 }));
  assert.equal(Array.from(img2.data.filter((_, i) => i % 4 === 0)), [0, 85, 170, 255, 255, 170, 85, 0, 255, 0]);
});

// jpeg-js upsamples subsampled chroma by repetition where libjpeg (PIL) interpolates ("fancy
// upsampling"), so a 4:2:0 file differs at colour edges by more than IDCT rounding: 4:4:4 and grey
// files get the IDCT bound, the 4:2:0 one (this image's chroma is a worst case: a 2-pixel colour
// checkerboard) a bound on the mean only. Measured: 4:4:4 mean 0.41 / max 4, grey 0.05 / 1,
// 4:2:0 6.3 / 100 here (a real 720x477 4:2:0 photo: 1.39 / 25).
for (const [name, meanBound, maxBound] of [['rgb-jpeg', 1.5, 16], ['gray-jpeg', 1.5, 16], ['rgb-jpeg-420', 8, 256]]) {
  test(`JPEG ${name} decodes to PIL's pixels within mean < ${meanBound}, max < ${maxBound} levels`, () => {
    const img = decoded(name);
    const ref = pil(name);
    assert.is(img.width, FILES[name].width);
    assert.is(img.height, FILES[name].height);
    assert.is(img.data.length, ref.length);
    let sum = 0, max = 0;
    for (let i = 0; i < ref.length; i++) { const d = Math.abs(img.data[i] - ref[i]); sum += d; if (d > max) max = d; }
    const mean = sum / ref.length;
    assert.ok(mean < meanBound && max < maxBound, `mean |diff| ${mean.toFixed(3)}, max ${max}`);
  });
}

test('decodeImage: unknown, truncated and corrupt files are RangeErrors naming the problem', () => {
  const png = file('rgb'), jpg = file('rgb-jpeg');
  assert.throws(() => decodeImage(new Uint8Array(0)), (e) => e instanceof RangeError && /empty/.test(e.message));
  assert.throws(() => decodeImage(new TextEncoder().encode('GIF89a......')), (e) => e instanceof RangeError && /GIF/.test(e.message));
  assert.throws(() => decodeImage(new TextEncoder().encode('hello world')), (e) => e instanceof RangeError && /not a JPEG or PNG/.test(e.message));
  for (const n of [8, 30, 100, png.length >> 1, png.length - 13]) {
    assert.throws(() => decodeImage(png.subarray(0, n)), (e) => e instanceof RangeError && /PNG/.test(e.message), `PNG cut at ${n}`);
  }
  for (const n of [3, 100, jpg.length >> 1, jpg.length - 2]) {
    assert.throws(() => decodeImage(jpg.subarray(0, n)), (e) => e instanceof RangeError && /JPEG/.test(e.message), `JPEG cut at ${n}`);
  }
  const flipped = png.slice(); flipped[60] ^= 0xff; // inside the compressed IDAT
  assert.throws(() => decodeImage(flipped), RangeError);
  const huge = png.slice(); new DataView(huge.buffer).setUint32(16, 100000); new DataView(huge.buffer).setUint32(20, 100000);
  assert.throws(() => decodeImage(huge), (e) => e instanceof RangeError && /megapixels/.test(e.message));
  assert.throws(() => decodeImage('x.png'), TypeError);
  assert.throws(() => decodeImage(null), TypeError);
});

const maxDiff = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };

for (const name of ['rgb', 'tall']) {
  for (const size of [224, 64, 299]) {
    test(`preprocess torchvision ${name} at ${size}: torchvision's Resize + CenterCrop + ToTensor + Normalize within 1e-6`, () => {
      const ref = npy(`tv-${name}-${size}.npy`);
      const x = preprocess(decoded(name), 'torchvision', { size, layout: 'nchw' });
      assert.equal(x.shape, ref.shape);
      assert.is(x.layout, 'nchw');
      const d = maxDiff(x.data, ref.data);
      assert.ok(d <= 1e-6, `max |diff| ${d}`);
      // NHWC is the same numbers transposed
      const h = preprocess(decoded(name), 'torchvision', { size });
      assert.equal(h.shape, [1, size, size, 3]);
      assert.is(h.data[(5 * size + 7) * 3 + 2], x.data[(2 * size + 5) * size + 7]);
    });
  }
  test(`preprocess caffe / keras / none ${name}: BGR - mean, x/127.5 - 1 and /255 on PIL's resized pixels`, () => {
    const img = decoded(name);
    const crop = npy(`crop-${name}-224.npy`); // HWC, 0..255
    const mean = [103.939, 116.779, 123.68];
    const caffe = preprocess(img, 'caffe', { size: 224 });
    const refC = crop.data.map((_, i) => crop.data[i - (i % 3) + 2 - (i % 3)] - mean[i % 3]);
    assert.ok(maxDiff(caffe.data, refC) <= 1e-5, `caffe ${maxDiff(caffe.data, refC)}`);
    const full = npy(`full-${name}-224x224.npy`);
    const keras = preprocess(img, 'keras', { size: 224 });
    assert.ok(maxDiff(keras.data, full.data.map((v) => v / 127.5 - 1)) <= 1e-5, 'keras');
    assert.ok(keras.data.every((v) => v >= -1 && v <= 1));
    const rect = npy(`full-${name}-64x96.npy`);
    const none = preprocess(img, 'none', { size: [64, 96] });
    assert.equal(none.shape, [1, 64, 96, 3]);
    assert.ok(maxDiff(none.data, rect.data.map((v) => v / 255)) <= 1e-6, 'none');
    const torchLayout = preprocess(img, 'keras', { size: 224, layout: 'nchw' });
    assert.is(torchLayout.data[1 * 224 * 224 + 10 * 224 + 20], keras.data[(10 * 224 + 20) * 3 + 1]);
  });
}

test('preprocess refuses bad images and options with TypeError / RangeError', () => {
  const img = { width: 2, height: 2, data: new Uint8ClampedArray(16) };
  assert.throws(() => preprocess(img, 'pytorch'), (e) => e instanceof RangeError && /convention/.test(e.message));
  assert.throws(() => preprocess(img, 'none', { size: 0 }), RangeError);
  assert.throws(() => preprocess(img, 'none', { size: 2.5 }), RangeError);
  assert.throws(() => preprocess(img, 'none', { size: [2] }), RangeError);
  assert.throws(() => preprocess(img, 'none', { layout: 'chw' }), RangeError);
  assert.throws(() => preprocess({ ...img, data: new Uint8ClampedArray(15) }, 'none'), (e) => e instanceof RangeError && /needs 16/.test(e.message));
  assert.throws(() => preprocess({ ...img, data: new Float32Array(16) }, 'none'), TypeError);
  assert.throws(() => preprocess({ ...img, width: NaN }, 'none'), RangeError);
  assert.throws(() => preprocess(null, 'none'), TypeError);
  const x = preprocess(img, 'none', { size: 3 });
  assert.ok(x.data.every(Number.isFinite));
});

test('classify: the zoo net on a decoded image gives top-k probabilities, labelled; bad options throw', async () => {
  const net = await compile(buildModel('mobilenet-v1', { resolution: 128 }));
  try {
    const labels = parseLabels(readFileSync(IMAGENET_LABELS_URL, 'utf8'));
    assert.is(labels.length, 1000);
    assert.is(labels[0], 'tench');
    const out = classify(net, decoded('rgb'), { labels, top: 3 });
    assert.is(out.length, 3);
    assert.ok(out[0].score >= out[1].score && out[1].score >= out[2].score);
    const sum = out.reduce((a, c) => a + c.score, 0);
    assert.ok(sum > 0 && sum <= 1 + 1e-9, `sum ${sum}`);
    for (const c of out) assert.is(c.label, labels[c.index]);
    assert.is(classify(net, decoded('tall')).length, 5);
    assert.throws(() => classify(net, decoded('rgb'), { labels: labels.slice(1) }), (e) => e instanceof RangeError && /999 labels/.test(e.message));
    assert.throws(() => classify(net, decoded('rgb'), { top: 0 }), RangeError);
    assert.throws(() => classify(net, decoded('rgb'), { preprocess: 'tf' }), RangeError);
    assert.throws(() => classify(net, { width: 1, height: 1, data: [0, 0, 0, 0] }), TypeError);
    assert.throws(() => classify({}, decoded('rgb')), TypeError);
  } finally {
    net.dispose();
  }
});

test('probabilities: softmax of logits, a distribution kept as it is, NaN refused', () => {
  const p = probabilities(new Float32Array([1, 2, 3]));
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  assert.ok(p[2] > p[1] && p[1] > p[0]);
  assert.equal(Array.from(probabilities([0.25, 0.75])), [0.25, 0.75]);
  assert.throws(() => probabilities([0, NaN]), RangeError);
  assert.equal(parseLabels('a\r\nb\n'), ['a', 'b']);
  assert.throws(() => parseLabels('a\n\nb'), (e) => e instanceof RangeError && /line 2/.test(e.message));
  assert.throws(() => parseLabels(''), RangeError);
});

test.run();
