// Zoo networks against their torchvision twins with the same weights: PyTorch (Debian's
// python3-torch / python3-torchvision, run as /usr/bin/python3) builds each model with seeded
// random weights and random batch-norm statistics and runs it in eval mode; simdnet loads the
// state dict layer by layer through setWeights(..., 'pytorch') and runs the same NCHW input.
// This is what caught fc weights behind flatten -> dropout loading unpermuted (AlexNet).
// Tolerance: max |diff| / max |reference| <= 1e-4 — float32 rounding of two different
// summation orders over K up to 9216 stays orders of magnitude below it.
// PyTorch is a test dependency (.ci/run installs it): without it this test fails, it does not skip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, compile } from '../dist/index.js';

const PYTHON = process.env.SIMDNET_PYTHON ?? '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./pytorch/twin.py', import.meta.url));

/** Runs the twin script; returns { meta, tensors: Map<name, Float32Array> }. */
function torchTwin(model, resolution, seed) {
  const dir = mkdtempSync(join(tmpdir(), 'simdnet-torch-'));
  const file = join(dir, 'twin.bin');
  try {
    const r = spawnSync(PYTHON, [SCRIPT, model, String(resolution), String(seed), file], { encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new Error(`PyTorch twin of ${model} failed (${PYTHON}; install python3-torch python3-torchvision): ${r.error?.message ?? r.stderr}`);
    }
    const buf = readFileSync(file);
    const nl = buf.indexOf(10);
    const meta = JSON.parse(buf.subarray(0, nl).toString('utf8'));
    const tensors = new Map();
    let off = nl + 1;
    for (const t of meta.tensors) {
      const n = t.shape.reduce((a, b) => a * b, 1);
      tensors.set(t.name, new Float32Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + 4 * n)));
      off += 4 * n;
    }
    assert.is(off, buf.length, 'file fully read');
    return { meta, tensors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function check(zoo, tv, resolution, opts = {}) {
  const { tensors } = torchTwin(tv, resolution, 7);
  const graph = buildModel(zoo, { resolution, ...opts });
  const net = await compile(graph);
  try {
    let loaded = 0;
    for (const n of graph.nodes) {
      const t = (k) => {
        const v = tensors.get(`${n.name}.${k}`);
        if (!v) throw new Error(`${zoo}: torchvision ${tv} has no tensor ${n.name}.${k}`);
        return v;
      };
      if (n.op === 'conv2d' || n.op === 'fc') {
        net.setWeights(n.name, n.bias ? { weight: t('weight'), bias: t('bias') } : { weight: t('weight') }, 'pytorch');
        loaded++;
      } else if (n.op === 'batchnorm') {
        net.setWeights(n.name, { gamma: t('weight'), beta: t('bias'), mean: t('running_mean'), variance: t('running_var') }, 'pytorch');
        loaded++;
      }
    }
    assert.ok(loaded > 5);
    const y = net.run(tensors.get('__input__'), { layout: 'nchw' });
    const ref = tensors.get('__output__');
    assert.is(y.length, ref.length);
    let maxDiff = 0, maxRef = 0;
    for (let i = 0; i < y.length; i++) {
      maxDiff = Math.max(maxDiff, Math.abs(y[i] - ref[i]));
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
    }
    const rel = maxDiff / maxRef;
    assert.ok(maxRef > 1e-3, `${zoo}: reference output is not degenerate (max |y| ${maxRef})`);
    assert.ok(rel <= 1e-4, `${zoo} vs torchvision ${tv}: max |diff| / max |ref| = ${rel.toExponential(2)}`);
    const top = (a) => a.indexOf(Math.max(...a));
    assert.is(top(Array.from(y)), top(Array.from(ref)), `${zoo}: top-1 agrees`);
    return rel;
  } finally {
    net.dispose();
  }
}

test('alexnet = torchvision alexnet (fc behind flatten -> dropout re-ordered)', async () => {
  await check('alexnet', 'alexnet', 224);
});

test('resnet-18 = torchvision resnet18 (batch norm folded with real statistics)', async () => {
  await check('resnet-18', 'resnet18', 64);
});

test('mobilenet-v2 = torchvision mobilenet_v2 (depthwise, ReLU6, linear bottlenecks)', async () => {
  await check('mobilenet-v2', 'mobilenet_v2', 96);
});

test('googlenet = torchvision googlenet (ceil-mode pools, in-place concat)', async () => {
  await check('googlenet', 'googlenet', 112);
});

test('squeezenet-1.0 / 1.1 = torchvision squeezenet1_0 / 1_1 (fire concat, conv classifier, ceil pools)', async () => {
  await check('squeezenet-1.0', 'squeezenet1_0', 96);
  await check('squeezenet-1.1', 'squeezenet1_1', 96);
});

test('densenet-121 = torchvision densenet121 (pre-activation BN as scale-shift, growth by concat)', async () => {
  await check('densenet-121', 'densenet121', 64);
});

test('densenet-161 = torchvision densenet161 (growth 48, stem 96)', async () => {
  await check('densenet-161', 'densenet161', 32);
});

test('resnext-50-32x4d = torchvision resnext50_32x4d (grouped 3x3, width per group)', async () => {
  await check('resnext-50-32x4d', 'resnext50_32x4d', 64);
});

test('se-resnet-50 / se-resnext-50-32x4d = Cadene pretrainedmodels senet.py, rebuilt in test/pytorch/models.py (SE module as global pool, 1x1 convs, sigmoid, channel multiply)', async () => {
  await check('se-resnet-50', 'se_resnet50', 64);
  await check('se-resnext-50-32x4d', 'se_resnext50_32x4d', 64);
});

test('xception = Cadene pretrainedmodels xception, rebuilt in test/pytorch/models.py (separable convs, pre-activation blocks, strided 1x1 shortcuts)', async () => {
  await check('xception', 'xception', 71);
});

test('resnext-101-32x4d = torchvision ResNet(Bottleneck, [3, 4, 23, 3], groups 32, width 4), the graph of Cadene\'s resnext101_32x4d', async () => {
  await check('resnext-101-32x4d', 'resnext101_32x4d', 32);
});

test('caffe-resnet-101 / fbresnet-152 = Cadene pretrainedmodels cafferesnet101 / fbresnet152, rebuilt in test/pytorch/models.py (v1 strides and the ceil-mode stem pool; biased convs)', async () => {
  await check('caffe-resnet-101', 'cafferesnet101', 64);
  await check('fbresnet-152', 'fbresnet152', 32);
});

test('bvlc-googlenet = the BVLC Caffe GoogLeNet as Bianco et al. ran it, rebuilt in test/pytorch/models.py (biases, LRN, real 5x5 branches)', async () => {
  await check('bvlc-googlenet', 'bvlc_googlenet', 96);
});

test('senet-154 = Cadene pretrainedmodels senet154, rebuilt in test/pytorch/models.py (three-conv stem, 64 groups, 3x3 projection shortcuts)', async () => {
  await check('senet-154', 'senet154', 64);
});

test('inception-resnet-v2 = Cadene pretrainedmodels inceptionresnetv2, rebuilt in test/pytorch/models.py (residual branches scaled before the add, count_include_pad off)', async () => {
  await check('inception-resnet-v2', 'inceptionresnetv2', 75);
});

test('shufflenet-g8 = the ShuffleNet-1g8 port Bianco et al. ran, rebuilt in test/pytorch/models.py (channel shuffle, grouped 1x1, concat units)', async () => {
  await check('shufflenet-g8', 'shufflenet_g8', 96);
});

test('dpn-68 / dpn-98 = Cadene pretrainedmodels dpn68 / dpn98, rebuilt in test/pytorch/models.py (dual paths as channel slices and concatenation, pre-activation BN)', async () => {
  await check('dpn-68', 'dpn68', 64);
  await check('dpn-98', 'dpn98', 32);
});

test.run();
