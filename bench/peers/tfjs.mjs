// Peer: TensorFlow.js on @tensorflow/tfjs-backend-wasm (XNNPACK inside). In Node the backend
// loads tfjs-backend-wasm-simd.wasm: its multithread probe answers false under Node, and we
// also force it off and ask for one thread, so XNNPACK runs on the calling thread only.
//
// The network is rebuilt from our graph IR with tf ops, the way a TensorFlow.js user would write
// it by hand: NHWC like us, so our HWIO conv weights are tf filters as they are (a depthwise
// [kh][kw][1][C*m] is tf's [kh][kw][C][m], same memory) and our IO fc weights are matMul's b.
// As a converted TF model would have it, batchnorm is folded into the preceding conv (in
// float64) and conv + bias + relu/relu6 is one tf.fused.conv2d / fused.depthwiseConv2d, fc +
// bias + relu one tf.fused.matMul. Pooling follows PyTorch exactly:
// - max: XNNPACK pads with -inf, so the IR's pads (plus the ceil-mode overhang at the bottom /
//   right) go in as tf's explicit padding;
// - avg: XNNPACK divides by the taps inside the input (TensorFlow's rule). Where PyTorch counts
//   padding (count_include_pad) the result is multiplied by a constant [1, Ho, Wo, 1] map of
//   valid taps / PyTorch's divisor; skipped when that map is all ones.

import * as tf from '@tensorflow/tfjs-core';
import * as tfwasm from '@tensorflow/tfjs-backend-wasm';

let ready;

/** Selects the wasm backend once, single-threaded. */
async function init() {
  ready ??= (async () => {
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    tfwasm.setThreadsCount(1);
    await tf.setBackend('wasm');
    await tf.ready();
    if (tf.getBackend() !== 'wasm') throw new Error(`tfjs: backend is ${tf.getBackend()}, not wasm`);
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    return {
      binary: simd ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm',
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
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const readers = new Map();
  for (const n of graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  /** The single reader of `name`'s output, if exactly one and `name` is not the graph output. */
  const soleReader = (name) => {
    if (name === graph.output || readers.get(name) !== 1) return undefined;
    return graph.nodes.find((n) => n.inputs.includes(name));
  };

  const held = []; // weight tensors, disposed with the network
  const keep = (t) => { held.push(t); return t; };
  const steps = []; // (values: Map) => void, in graph order
  const absorbed = new Set(); // nodes fused into an earlier step

  for (const node of graph.nodes) {
    if (absorbed.has(node.name) || node.op === 'input') continue;
    const inShape = node.inputs.length ? byName.get(node.inputs[0]).outShape : [];
    switch (node.op) {
      case 'conv2d': {
        // conv [-> batchnorm] [-> relu | relu6], each link the sole reader of the previous one.
        let last = node;
        const w = weights.get(node.name);
        let filter = Float32Array.from(w.weight);
        let bias = w.bias ? Float32Array.from(w.bias) : null;
        let next = soleReader(last.name);
        if (next?.op === 'batchnorm') {
          ({ filter, bias } = foldBatchnorm(filter, bias, weights.get(next.name), next.eps, node.outChannels));
          absorbed.add(next.name);
          last = next;
          next = soleReader(last.name);
        }
        let activation = 'linear';
        if (next?.op === 'relu' || next?.op === 'relu6') {
          activation = next.op;
          absorbed.add(next.name);
          last = next;
        }
        steps.push(convStep(node, inShape, filter, bias, activation, last.name, keep));
        break;
      }
      case 'fc': {
        let last = node;
        const w = weights.get(node.name);
        let activation = 'linear';
        const next = soleReader(node.name);
        if (next?.op === 'relu' || next?.op === 'relu6') {
          activation = next.op;
          absorbed.add(next.name);
          last = next;
        }
        const K = inShape[inShape.length - 1];
        const b = keep(tf.tensor2d(w.weight, [K, node.outFeatures]));
        const bias = w.bias ? keep(tf.tensor1d(w.bias)) : undefined;
        const x = node.inputs[0];
        steps.push((v) => v.set(last.name, tf.fused.matMul({ a: v.get(x), b, bias, activation })));
        break;
      }
      case 'batchnorm': {
        // Not after a conv (or the conv's output has other readers): tf's own batchNorm.
        const w = weights.get(node.name);
        const [mean, variance, beta, gamma] = [w.mean, w.variance, w.beta, w.gamma].map((a) => keep(tf.tensor1d(a)));
        const x = node.inputs[0];
        steps.push((v) => v.set(node.name, tf.batchNorm(v.get(x), mean, variance, beta, gamma, node.eps)));
        break;
      }
      case 'relu': case 'relu6': {
        const f = node.op === 'relu' ? tf.relu : tf.relu6;
        const x = node.inputs[0];
        steps.push((v) => v.set(node.name, f(v.get(x))));
        break;
      }
      case 'maxpool': case 'avgpool':
        steps.push(poolStep(node, inShape, keep));
        break;
      case 'globalavgpool': {
        const x = node.inputs[0];
        steps.push((v) => v.set(node.name, tf.mean(v.get(x), [1, 2], true)));
        break;
      }
      case 'add': {
        const [a, b] = node.inputs;
        steps.push((v) => v.set(node.name, tf.add(v.get(a), v.get(b))));
        break;
      }
      case 'concat': {
        const xs = node.inputs;
        steps.push((v) => v.set(node.name, tf.concat(xs.map((x) => v.get(x)), -1)));
        break;
      }
      case 'lrn':
        steps.push(lrnStep(node, inShape, keep));
        break;
      case 'flatten': {
        // NHWC memory is already in H, W, C order: a reshape.
        const x = node.inputs[0];
        const shape = node.outShape;
        steps.push((v) => v.set(node.name, tf.reshape(v.get(x), shape)));
        break;
      }
      case 'dropout': {
        const x = node.inputs[0];
        steps.push((v) => v.set(node.name, v.get(x)));
        break;
      }
      case 'softmax': {
        const x = node.inputs[0];
        steps.push((v) => v.set(node.name, tf.softmax(v.get(x), -1)));
        break;
      }
      default:
        throw new Error(`tfjs adapter: layer "${node.name}": op "${node.op}" not supported`);
    }
  }

  const inShape = byName.get(graph.input).outShape;
  return {
    async run(x) {
      const out = tf.tidy(() => {
        const v = new Map([[graph.input, tf.tensor(x, inShape, 'float32')]]);
        for (const s of steps) s(v);
        return v.get(graph.output);
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

function convStep(node, inShape, filterData, biasData, activation, outName, keep) {
  const [kh, kw] = node.kernel;
  const cin = inShape[3];
  const cout = node.outChannels;
  const x = node.inputs[0];
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

function poolStep(node, inShape, keep) {
  const [, H, W] = inShape;
  const [, Ho, Wo] = node.outShape;
  const [kh, kw] = node.kernel;
  const [sh, sw] = node.stride;
  const [pt, pl, pb, pr] = node.pad;
  // Ceil mode: extra bottom / right padding so that tf's floor-mode size is the IR's.
  const eh = Math.max(0, (Ho - 1) * sh + kh - (H + pt + pb));
  const ew = Math.max(0, (Wo - 1) * sw + kw - (W + pl + pr));
  const pad = tfPad([pt, pl, pb + eh, pr + ew]);
  const x = node.inputs[0];
  if (node.op === 'maxpool') {
    return (v) => v.set(node.name, tf.maxPool(v.get(x), [kh, kw], [sh, sw], pad));
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
    v.set(node.name, scale ? tf.mul(y, scale) : y);
  };
}

/**
 * PyTorch LRN: b = a / (k + alpha/size * sum over channels [c - floor(size/2), c + floor((size-1)/2)]
 * of a^2)^beta. For odd sizes that is tf's localResponseNormalization with depthRadius
 * (size-1)/2 and alpha/size; even sizes get the window as a 1x1 conv of 0/1 weights.
 */
function lrnStep(node, inShape, keep) {
  const { size, alpha, beta, k } = node;
  const x = node.inputs[0];
  if (size % 2 === 1) {
    return (v) => v.set(node.name, tf.localResponseNormalization(v.get(x), (size - 1) / 2, k, alpha / size, beta));
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
    v.set(node.name, tf.div(a, tf.pow(tf.add(tf.mul(sum, alpha / size), k), beta)));
  };
}
