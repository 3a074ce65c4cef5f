// Peer: TensorFlow.js on @tensorflow/tfjs-backend-wasm (XNNPACK inside). In Node the backend
// loads tfjs-backend-wasm-simd.wasm: its multithread probe answers false under Node, and we
// also force it off and ask for one thread, so XNNPACK runs on the calling thread only. In the
// Chromium page (browser.mjs) with setThreads(n > 1) it loads the threaded SIMD build.
//
// The network is rebuilt from our graph IR with tf ops, the way a TensorFlow.js user would write
// it by hand: NHWC like us, so our HWIO conv weights are tf filters as they are (a depthwise
// [kh][kw][1][C*m] is tf's [kh][kw][C][m], same memory) and our IO fc weights are matMul's b.
// The steps are simdnet's own lowering (dist/lower): as a converted TF model would have it,
// batchnorm is folded into the preceding conv (here in float64) and conv + bias + relu/relu6 is
// one tf.fused.conv2d / fused.depthwiseConv2d, fc + bias + relu one tf.fused.matMul. Pooling follows PyTorch exactly:
// - max: XNNPACK pads with -inf, so the IR's pads (plus the ceil-mode overhang at the bottom /
//   right) go in as tf's explicit padding;
// - avg: XNNPACK divides by the taps inside the input (TensorFlow's rule). Where PyTorch counts
//   padding (count_include_pad) the result is multiplied by a constant [1, Ho, Wo, 1] map of
//   valid taps / PyTorch's divisor; skipped when that map is all ones.

import * as tf from '@tensorflow/tfjs-core';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';
import { lower } from '../../dist/lower/index.js';
import { ceilOverhang } from '../../dist/graph/ops.js';

let ready;
let threads = 1;

/**
 * Threads for the backend (before its first use): XNNPACK's pthreads, from the
 * tfjs-backend-wasm-threaded-simd.wasm build, in a cross-origin isolated page only; in Node the
 * backend has no threads and stays on one.
 */
export function setThreads(n) { threads = n; }

/** Selects the wasm backend once, with `threads` threads where it can have them. */
async function init() {
  ready ??= (async () => {
    const page = typeof globalThis.document !== 'undefined';
    if (!page || threads === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tfwasm.setThreadsCount(page ? threads : 1);
    if (page) tfwasm.setWasmPaths(new URL('/node_modules/@tensorflow/tfjs-backend-wasm/dist/', location.href).href);
    await tf.setBackend('wasm');
    await tf.ready();
    if (tf.getBackend() !== 'wasm') throw new Error(`tfjs: backend is ${tf.getBackend()}, not wasm`);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    const mt = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
    return {
      binary: `tfjs-backend-wasm${mt ? '-threaded' : ''}${simd ? '-simd' : ''}.wasm`,
      threads: tfwasm.getThreadsCount(),
    };
  })();
  return ready;
}

export const name = 'tfjs-wasm';

/** Versions and settings for the report. */
export async function describe() {
  const info = await init();
  return { 'tfjs-core': tf.version_core, 'tfjs-backend-wasm': tfwasm.version_wasm, ...info };
}

/**
 * Builds the network. Returns `run(nhwc Float32Array) -> Promise<Float32Array>` (from a JS
 * array in, to the logits read back into JS) and `dispose()`.
 */
export async function prepare(graph, weights) {
  await init();
  // The same kernel steps simdnet runs (its lowering: conv + folded batch norm + fused activation,
  // fc + activation, add + ReLU), each as the tf op a converted model would use.
  const { steps: lowered, values, input, output } = lower(graph);
  const held = []; // weight tensors, disposed with the network
  const keep = (t) => { held.push(t); return t; };
  const tfAct = (a) => (a === 'none' ? 'linear' : a);
  const steps = lowered.map((s) => {
    const node = s.node;
    const inShape = values[s.inputs[0]].shape;
    const [x] = s.inputs;
    switch (s.kind) {
      case 'conv1x1': case 'im2col': case 'winograd2': case 'winograd4': case 'winograd1d':
      case 'dw3x3s1': case 'dw3x3s2': case 'dwgeneric': {
        const w = weights.get(node.name);
        let filter = Float32Array.from(w.weight);
        let bias = w.bias ? Float32Array.from(w.bias) : null;
        if (s.bn) ({ filter, bias } = foldBatchnorm(filter, bias, weights.get(s.bn.name), s.bn.eps, node.outChannels));
        return convStep(node, x, inShape, filter, bias, tfAct(s.act), s.output, keep);
      }
      case 'gemv': case 'gemm': {
        const w = weights.get(node.name);
        const K = inShape[inShape.length - 1];
        const b = keep(tf.tensor2d(w.weight, [K, node.outFeatures]));
        const bias = w.bias ? keep(tf.tensor1d(w.bias)) : undefined;
        return (v) => v.set(s.output, tf.fused.matMul({ a: v.get(x), b, bias, activation: tfAct(s.act) }));
      }
      case 'scale_shift': {
        // a batch norm not after a conv (or whose conv output has other readers): tf's own batchNorm
        const w = weights.get(node.name);
        const [mean, variance, beta, gamma] = [w.mean, w.variance, w.beta, w.gamma].map((a) => keep(tf.tensor1d(a)));
        const act = s.act === 'relu' ? tf.relu : s.act === 'relu6' ? tf.relu6 : (y) => y;
        return (v) => v.set(s.output, act(tf.batchNorm(v.get(x), mean, variance, beta, gamma, node.eps)));
      }
      case 'sigmoid':
        return (v) => v.set(s.output, tf.sigmoid(v.get(x)));
      case 'channel_mul_add': {
        const [a, g, r] = s.inputs;
        const relu = s.act === 'relu';
        return (v) => { const y = tf.add(tf.mul(v.get(a), v.get(g)), v.get(r)); v.set(s.output, relu ? tf.relu(y) : y); };
      }
      case 'scale':
        return (v) => v.set(s.output, tf.mul(v.get(x), s.node.factor));
      case 'channel_slice': {
        const n = s.node, [b, h, w] = s.outShape;
        return (v) => v.set(s.output, tf.slice(v.get(x), [0, 0, 0, n.start], [b, h, w, n.end - n.start]));
      }
      case 'channel_shuffle': {
        const [n, h, w, c] = s.outShape, g = s.node.groups;
        return (v) => v.set(s.output, tf.reshape(tf.transpose(tf.reshape(v.get(x), [n, h, w, g, c / g]), [0, 1, 2, 4, 3]), [n, h, w, c]));
      }
      case 'channel_mul':
        // [N, H, W, C] x [N, 1, 1, C]: tf broadcasts
        return (v) => v.set(s.output, tf.mul(v.get(x), v.get(s.inputs[1])));
      case 'clamp': {
        const f = s.act === 'relu' ? tf.relu : tf.relu6;
        return (v) => v.set(s.output, f(v.get(x)));
      }
      case 'add': case 'add_relu': {
        const [a, b] = s.inputs;
        const relu = s.kind === 'add_relu', alpha = s.alpha ?? 1;
        return (v) => {
          const y = tf.add(alpha === 1 ? v.get(a) : tf.mul(v.get(a), alpha), v.get(b));
          v.set(s.output, relu ? tf.relu(y) : y);
        };
      }
      case 'maxpool': case 'avgpool':
        return poolStep(node, x, inShape, s.output, keep);
      case 'global_avgpool':
        return (v) => v.set(s.output, tf.mean(v.get(x), [1, 2], true));
      case 'concat_copy': case 'concat_inplace': {
        const xs = s.inputs;
        return (v) => v.set(s.output, tf.concat(xs.map((i) => v.get(i)), -1));
      }
      case 'lrn':
        return lrnStep(node, x, inShape, s.output, keep);
      case 'softmax':
        return (v) => v.set(s.output, tf.softmax(v.get(x), -1));
      default:
        throw new Error(`tfjs adapter: layer "${node.name}": step kind "${s.kind}" not supported`);
    }
  });

  const inShape = values[input].shape;
  return {
    async run(x) {
      const out = tf.tidy(() => {
        // flatten / dropout are aliases in the lowering: a reshape of what they alias
        const vals = new Map([[input, tf.tensor(x, inShape, 'float32')]]);
        const v = {
          set: (id, t) => vals.set(id, t),
          get: (id) => {
            const val = values[id];
            if (!vals.has(id) && val.aliasOf !== undefined) vals.set(id, tf.reshape(v.get(val.aliasOf), val.shape));
            return vals.get(id);
          },
        };
        for (const s of steps) s(v);
        return v.get(output);
      });
      const data = await out.data();
      out.dispose();
      return data;
    },
    dispose() {
      for (const t of held) t.dispose();
      held.length = 0;
    },
  };
}

/** BN(conv(x)) = conv'(x): filter scaled per output channel (the last HWIO axis), bias shifted. */
function foldBatchnorm(filter, bias, bn, eps, cout) {
  const s = new Float64Array(cout);
  for (let o = 0; o < cout; o++) s[o] = bn.gamma[o] / Math.sqrt(bn.variance[o] + eps);
  const f = new Float32Array(filter.length);
  for (let i = 0; i < filter.length; i++) f[i] = filter[i] * s[i % cout];
  const b = new Float32Array(cout);
  for (let o = 0; o < cout; o++) b[o] = ((bias ? bias[o] : 0) - bn.mean[o]) * s[o] + bn.beta[o];
  return { filter: f, bias: b };
}

/**
 * tf's padding argument for an IR Pad4 [top, left, bottom, right]: 'valid', a number when all
 * four agree, else explicit [[0, 0], [t, b], [l, r], [0, 0]].
 */
function tfPad([t, l, b, r]) {
  if (t === 0 && l === 0 && b === 0 && r === 0) return 'valid';
  if (t === l && l === b && b === r) return t;
  return [[0, 0], [t, b], [l, r], [0, 0]];
}

function convStep(node, x, inShape, filterData, biasData, activation, outName, keep) {
  const [kh, kw] = node.kernel;
  const cin = inShape[3];
  const cout = node.outChannels;
  // tf takes strides or dilations above 1, not both: then convolve at stride 1 and subsample.
  const both = node.stride.some((s) => s > 1) && node.dilation.some((d) => d > 1);
  const common = { strides: both ? [1, 1] : node.stride, pad: tfPad(node.pad), dilations: node.dilation, activation };
  const subsample = both
    ? (y) => tf.stridedSlice(y, [0, 0, 0, 0], y.shape, [1, node.stride[0], node.stride[1], 1])
    : (y) => y;
  if (node.groups === 1) {
    const filter = keep(tf.tensor4d(filterData, [kh, kw, cin, cout]));
    const bias = biasData ? keep(tf.tensor1d(biasData)) : undefined;
    return (v) => v.set(outName, subsample(tf.fused.conv2d({ x: v.get(x), filter, bias, ...common })));
  }
  if (node.groups === cin) {
    const m = cout / cin;
    const filter = keep(tf.tensor4d(filterData, [kh, kw, cin, m]));
    const bias = biasData ? keep(tf.tensor1d(biasData)) : undefined;
    return (v) => v.set(outName, subsample(tf.fused.depthwiseConv2d({ x: v.get(x), filter, bias, ...common })));
  }
  // Grouped (AlexNet 2012's two towers): tf has no groups, so split, convolve, concat.
  const g = node.groups;
  const cinG = cin / g;
  const coutG = cout / g;
  const parts = [];
  for (let k = 0; k < g; k++) {
    const f = new Float32Array(kh * kw * cinG * coutG);
    for (let p = 0; p < kh * kw * cinG; p++) {
      for (let o = 0; o < coutG; o++) f[p * coutG + o] = filterData[p * cout + k * coutG + o];
    }
    parts.push({
      filter: keep(tf.tensor4d(f, [kh, kw, cinG, coutG])),
      bias: biasData ? keep(tf.tensor1d(biasData.slice(k * coutG, (k + 1) * coutG))) : undefined,
    });
  }
  return (v) => {
    const xs = tf.split(v.get(x), g, 3);
    v.set(outName, subsample(tf.concat(parts.map((p, k) => tf.fused.conv2d({ x: xs[k], ...p, ...common })), 3)));
  };
}

function poolStep(node, x, inShape, outName, keep) {
  const [, H, W] = inShape;
  const [, Ho, Wo] = node.outShape;
  const [kh, kw] = node.kernel;
  const [sh, sw] = node.stride;
  const [pt, pl, pb, pr] = node.pad;
  const [eh, ew] = ceilOverhang(node, inShape, node.outShape);
  const pad = tfPad([pt, pl, pb + eh, pr + ew]);
  if (node.op === 'maxpool') {
    return (v) => v.set(outName, tf.maxPool(v.get(x), [kh, kw], [sh, sw], pad));
  }
  // tf divides by the valid taps; PyTorch, with countIncludePad, by the window clipped to the
  // padded extent (never the ceil overhang).
  let scale = null;
  if (node.countIncludePad) {
    const map = new Float32Array(Ho * Wo);
    let ones = true;
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const h0 = oh * sh - pt;
        const w0 = ow * sw - pl;
        const h1 = Math.min(h0 + kh, H + pb);
        const w1 = Math.min(w0 + kw, W + pr);
        const padded = (h1 - h0) * (w1 - w0);
        const valid = (Math.min(h1, H) - Math.max(h0, 0)) * (Math.min(w1, W) - Math.max(w0, 0));
        map[oh * Wo + ow] = valid / padded;
        if (valid !== padded) ones = false;
      }
    }
    if (!ones) scale = keep(tf.tensor4d(map, [1, Ho, Wo, 1]));
  }
  return (v) => {
    const y = tf.avgPool(v.get(x), [kh, kw], [sh, sw], pad);
    v.set(outName, scale ? tf.mul(y, scale) : y);
  };
}

/**
 * PyTorch LRN: b = a / (k + alpha/size * sum over channels [c - floor(size/2), c + floor((size-1)/2)]
 * of a^2)^beta. For odd sizes that is tf's localResponseNormalization with depthRadius
 * (size-1)/2 and alpha/size; even sizes get the window as a 1x1 conv of 0/1 weights.
 */
function lrnStep(node, x, inShape, outName, keep) {
  const { size, alpha, beta, k } = node;
  if (size % 2 === 1) {
    return (v) => v.set(outName, tf.localResponseNormalization(v.get(x), (size - 1) / 2, k, alpha / size, beta));
  }
  const C = inShape[3];
  const band = new Float32Array(C * C); // HWIO [1][1][C][C]: input i feeds output o
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  for (let o = 0; o < C; o++) {
    for (let i = Math.max(0, o - before); i <= Math.min(C - 1, o + after); i++) band[i * C + o] = 1;
  }
  const filter = keep(tf.tensor4d(band, [1, 1, C, C]));
  return (v) => {
    const a = v.get(x);
    const sum = tf.conv2d(tf.square(a), filter, 1, 'valid');
    v.set(outName, tf.div(a, tf.pow(tf.add(tf.mul(sum, alpha / size), k), beta)));
  };
}
