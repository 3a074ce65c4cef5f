// The test oracle: naive reference implementations of every op, written to be read, not to be
// fast. Every kernel and every model is judged against these functions, so they follow the
// definitions (PyTorch semantics) line by line, accumulate in float64 and round to float32 once,
// at the end.
//
// Layouts: feature maps are NHWC Float32Arrays with an explicit shape [N, H, W, C]; matrices are
// row-major; convolution weights are HWIO = [kh][kw][C/groups][outChannels]; fully connected
// weights are IO = [K][Nout]. Every op returns a fresh { data, shape } and never writes to its
// inputs. gemm, conv2d and fc also return `mag`, the float64 sum of |terms| per output, which
// close.mjs turns into an error bound.

/** @typedef {'none' | 'relu' | 'relu6'} Act */
/** @typedef {{ data: Float32Array, shape: number[] }} Tensor */
/** @typedef {{ data: Float32Array, shape: number[], mag: Float64Array }} TensorWithMag */

// ---------------------------------------------------------------------------------------------
// Helpers: argument checks. The oracle is strict so that a wrong call fails loudly instead of
// producing a plausible tensor.

/** @param {number[]} shape */
function product(shape) {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/**
 * @param {string} op
 * @param {ArrayLike<number>} data
 * @param {number[]} shape
 * @param {number} rank
 */
function checkTensor(op, data, shape, rank) {
  if (!Array.isArray(shape) || shape.length !== rank) {
    throw new TypeError(`${op}: expected a shape of rank ${rank}, got ${JSON.stringify(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 1) {
      throw new RangeError(`${op}: shape ${JSON.stringify(shape)} must hold positive integers`);
    }
  }
  if (data.length !== product(shape)) {
    throw new RangeError(
      `${op}: data has ${data.length} elements but shape ${JSON.stringify(shape)} needs ${product(shape)}`,
    );
  }
}

/**
 * @param {string} op
 * @param {string} name
 * @param {unknown} value
 * @param {number} length
 * @param {number} min smallest allowed entry
 * @returns {number[]}
 */
function checkInts(op, name, value, length, min) {
  if (!Array.isArray(value) || value.length !== length) {
    throw new TypeError(`${op}: ${name} must be an array of ${length} integers, got ${JSON.stringify(value)}`);
  }
  for (const v of value) {
    if (!Number.isInteger(v) || v < min) {
      throw new RangeError(`${op}: ${name} entries must be integers >= ${min}, got ${JSON.stringify(value)}`);
    }
  }
  return value;
}

/**
 * @param {string} op
 * @param {ArrayLike<number> | null | undefined} bias
 * @param {number} n expected length
 */
function checkBias(op, bias, n) {
  if (bias != null && bias.length !== n) {
    throw new RangeError(`${op}: bias has ${bias.length} elements, expected ${n}`);
  }
}

/**
 * Apply a fused activation to one value.
 * @param {number} v
 * @param {Act} act
 * @returns {number}
 */
function activate(v, act) {
  if (act === 'none') return v;
  if (act === 'relu') return v > 0 ? v : 0;
  if (act === 'relu6') return v < 0 ? 0 : v > 6 ? 6 : v;
  throw new TypeError(`unknown activation ${JSON.stringify(act)} (expected 'none', 'relu' or 'relu6')`);
}

// ---------------------------------------------------------------------------------------------
// Dense algebra

/**
 * Matrix product C = act(A·B + bias), all row-major.
 * @param {ArrayLike<number>} A M×K
 * @param {number} M rows of A and C
 * @param {number} K columns of A, rows of B
 * @param {ArrayLike<number>} B K×N
 * @param {number} N columns of B and C
 * @param {ArrayLike<number> | null} [bias] N values added to every row, or null
 * @param {Act} [act='none']
 * @returns {TensorWithMag} data M×N, shape [M, N], mag[i] = Σ_k |A·B terms| + |bias|
 */
export function gemm(A, M, K, B, N, bias = null, act = 'none') {
  checkTensor('gemm', A, [M, K], 2);
  checkTensor('gemm', B, [K, N], 2);
  checkBias('gemm', bias, N);
  activate(0, act); // rejects an unknown activation before any work
  const data = new Float32Array(M * N);
  const mag = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let sum = bias ? bias[j] : 0;
      let abs = bias ? Math.abs(bias[j]) : 0;
      for (let k = 0; k < K; k++) {
        const term = A[i * K + k] * B[k * N + j];
        sum += term;
        abs += Math.abs(term);
      }
      data[i * N + j] = activate(sum, act);
      mag[i * N + j] = abs;
    }
  }
  return { data, shape: [M, N], mag };
}

/**
 * Fully connected layer y = act(x·w + bias).
 * @param {ArrayLike<number>} x input [N, K]
 * @param {number[]} shape [N, K]
 * @param {ArrayLike<number>} w weights in IO layout [K][Nout]
 * @param {ArrayLike<number> | null} [bias] Nout values, or null
 * @param {Act} [act='none']
 * @returns {TensorWithMag} shape [N, Nout]
 */
export function fc(x, shape, w, bias = null, act = 'none') {
  checkTensor('fc', x, shape, 2);
  const [N, K] = shape;
  if (w.length % K !== 0) {
    throw new RangeError(`fc: weights have ${w.length} elements, not a multiple of K = ${K}`);
  }
  const nOut = w.length / K;
  return gemm(x, N, K, w, nOut, bias, act);
}

// ---------------------------------------------------------------------------------------------
// Convolution

/**
 * 2-D convolution (cross-correlation, as in PyTorch) on NHWC input with HWIO weights.
 *
 * Output channel o belongs to group g = floor(o / (outChannels / groups)) and reads input
 * channels g·(C/groups) .. g·(C/groups) + C/groups − 1. Output size per axis:
 * floor((H + padTop + padBottom − dh·(kh − 1) − 1) / sh) + 1.
 *
 * @param {ArrayLike<number>} x input [N, H, W, C]
 * @param {number[]} shape [N, H, W, C]
 * @param {ArrayLike<number>} w weights [kh][kw][C/groups][outChannels]
 * @param {ArrayLike<number> | null} bias outChannels values, or null
 * @param {{ outChannels: number, kernel: number[], stride?: number[], pad?: number[],
 *           dilation?: number[], groups?: number, act?: Act }} params
 *   stride defaults to [1, 1], pad ([top, left, bottom, right]) to zeros, dilation to [1, 1],
 *   groups to 1, act to 'none'
 * @returns {TensorWithMag} shape [N, Ho, Wo, outChannels]
 */
export function conv2d(x, shape, w, bias, params) {
  checkTensor('conv2d', x, shape, 4);
  const [N, H, W, C] = shape;
  const O = params.outChannels;
  const [kh, kw] = checkInts('conv2d', 'kernel', params.kernel, 2, 1);
  const [sh, sw] = checkInts('conv2d', 'stride', params.stride ?? [1, 1], 2, 1);
  const [pt, pl, pb, pr] = checkInts('conv2d', 'pad', params.pad ?? [0, 0, 0, 0], 4, 0);
  const [dh, dw] = checkInts('conv2d', 'dilation', params.dilation ?? [1, 1], 2, 1);
  const groups = params.groups ?? 1;
  const act = params.act ?? 'none';
  activate(0, act);
  if (!Number.isInteger(O) || O < 1) throw new RangeError(`conv2d: bad outChannels ${O}`);
  if (!Number.isInteger(groups) || groups < 1 || C % groups !== 0 || O % groups !== 0) {
    throw new RangeError(`conv2d: groups ${groups} must divide both C = ${C} and outChannels = ${O}`);
  }
  const Cg = C / groups; // input channels per group
  const Og = O / groups; // output channels per group
  if (w.length !== kh * kw * Cg * O) {
    throw new RangeError(`conv2d: weights have ${w.length} elements, expected ${kh}·${kw}·${Cg}·${O}`);
  }
  checkBias('conv2d', bias, O);

  const Ho = Math.floor((H + pt + pb - dh * (kh - 1) - 1) / sh) + 1;
  const Wo = Math.floor((W + pl + pr - dw * (kw - 1) - 1) / sw) + 1;
  if (Ho < 1 || Wo < 1) throw new RangeError(`conv2d: empty output ${Ho}×${Wo}`);

  const data = new Float32Array(N * Ho * Wo * O);
  const mag = new Float64Array(N * Ho * Wo * O);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        for (let o = 0; o < O; o++) {
          const g = Math.floor(o / Og);
          let sum = bias ? bias[o] : 0;
          let abs = bias ? Math.abs(bias[o]) : 0;
          for (let ky = 0; ky < kh; ky++) {
            const ih = oh * sh - pt + ky * dh;
            if (ih < 0 || ih >= H) continue; // zero padding
            for (let kx = 0; kx < kw; kx++) {
              const iw = ow * sw - pl + kx * dw;
              if (iw < 0 || iw >= W) continue; // zero padding
              for (let ci = 0; ci < Cg; ci++) {
                const c = g * Cg + ci;
                const xv = x[((n * H + ih) * W + iw) * C + c];
                const wv = w[((ky * kw + kx) * Cg + ci) * O + o];
                sum += xv * wv;
                abs += Math.abs(xv * wv);
              }
            }
          }
          const i = ((n * Ho + oh) * Wo + ow) * O + o;
          data[i] = activate(sum, act);
          mag[i] = abs;
        }
      }
    }
  }
  return { data, shape: [N, Ho, Wo, O], mag };
}

// ---------------------------------------------------------------------------------------------
// Pooling

/**
 * Output length of a pooling window along one axis, as PyTorch computes it
 * (aten pooling_output_shape_pad_lr), with dilation 1.
 * @param {number} size input length
 * @param {number} k kernel length
 * @param {number} s stride
 * @param {number} padBegin
 * @param {number} padEnd
 * @param {boolean} ceil
 * @returns {number}
 */
export function poolOutputSize(size, k, s, padBegin, padEnd, ceil) {
  let out = Math.floor((size + padBegin + padEnd - k + (ceil ? s - 1 : 0)) / s) + 1;
  // In ceil mode the last window must start inside the input or the leading padding;
  // a window that would start in the trailing padding is dropped.
  if (ceil && (out - 1) * s >= size + padBegin) out -= 1;
  return out;
}

/**
 * @param {string} op
 * @param {number[]} shape
 * @param {{ kernel: number[], stride?: number[], pad?: number[], ceil?: boolean }} params
 */
function poolGeometry(op, shape, params) {
  const [, H, W] = shape;
  const [kh, kw] = checkInts(op, 'kernel', params.kernel, 2, 1);
  const [sh, sw] = checkInts(op, 'stride', params.stride ?? params.kernel, 2, 1);
  const [pt, pl, pb, pr] = checkInts(op, 'pad', params.pad ?? [0, 0, 0, 0], 4, 0);
  const ceil = params.ceil ?? false;
  const Ho = poolOutputSize(H, kh, sh, pt, pb, ceil);
  const Wo = poolOutputSize(W, kw, sw, pl, pr, ceil);
  if (Ho < 1 || Wo < 1) throw new RangeError(`${op}: empty output ${Ho}×${Wo}`);
  return { kh, kw, sh, sw, pt, pl, pb, pr, Ho, Wo };
}

/**
 * Max pooling, PyTorch semantics: padding never wins (it acts as −∞).
 * @param {ArrayLike<number>} x input [N, H, W, C]
 * @param {number[]} shape [N, H, W, C]
 * @param {{ kernel: number[], stride?: number[], pad?: number[], ceil?: boolean }} params
 *   stride defaults to the kernel (as in PyTorch), pad ([top, left, bottom, right]) to zeros,
 *   ceil to false
 * @returns {Tensor} shape [N, Ho, Wo, C]
 */
export function maxpool2d(x, shape, params) {
  checkTensor('maxpool2d', x, shape, 4);
  const [N, H, W, C] = shape;
  const { kh, kw, sh, sw, pt, pl, Ho, Wo } = poolGeometry('maxpool2d', shape, params);
  const data = new Float32Array(N * Ho * Wo * C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        for (let c = 0; c < C; c++) {
          let max = -Infinity;
          let taps = 0;
          for (let ky = 0; ky < kh; ky++) {
            const ih = oh * sh - pt + ky;
            if (ih < 0 || ih >= H) continue;
            for (let kx = 0; kx < kw; kx++) {
              const iw = ow * sw - pl + kx;
              if (iw < 0 || iw >= W) continue;
              const v = x[((n * H + ih) * W + iw) * C + c];
              if (v > max || Number.isNaN(v)) max = v; // NaN propagates, as in PyTorch
              taps++;
            }
          }
          if (taps === 0) {
            throw new RangeError(`maxpool2d: window at output (${oh}, ${ow}) lies entirely in the padding`);
          }
          data[((n * Ho + oh) * Wo + ow) * C + c] = max;
        }
      }
    }
  }
  return { data, shape: [N, Ho, Wo, C] };
}

/**
 * Average pooling, PyTorch semantics (aten cpu_avg_pool). The divisor is
 * - countIncludePad = true (PyTorch's default): the window clipped to the padded extent
 *   [−padTop, H + padBottom) × [−padLeft, W + padRight), so padding counts but a ceil-mode
 *   window hanging past the padding does not;
 * - countIncludePad = false: the number of taps inside the input.
 * @param {ArrayLike<number>} x input [N, H, W, C]
 * @param {number[]} shape [N, H, W, C]
 * @param {{ kernel: number[], stride?: number[], pad?: number[], ceil?: boolean,
 *           countIncludePad?: boolean }} params
 *   stride defaults to the kernel, pad ([top, left, bottom, right]) to zeros, ceil to false,
 *   countIncludePad to true
 * @returns {Tensor} shape [N, Ho, Wo, C]
 */
export function avgpool2d(x, shape, params) {
  checkTensor('avgpool2d', x, shape, 4);
  const [N, H, W, C] = shape;
  const { kh, kw, sh, sw, pt, pl, pb, pr, Ho, Wo } = poolGeometry('avgpool2d', shape, params);
  const countIncludePad = params.countIncludePad ?? true;
  const data = new Float32Array(N * Ho * Wo * C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        // Window in input coordinates, first clipped to the padded extent (for the divisor)...
        const h0 = oh * sh - pt;
        const w0 = ow * sw - pl;
        const h1 = Math.min(h0 + kh, H + pb);
        const w1 = Math.min(w0 + kw, W + pr);
        const paddedSize = (h1 - h0) * (w1 - w0);
        // ...then clipped to the input (for the taps).
        const hStart = Math.max(h0, 0);
        const wStart = Math.max(w0, 0);
        const hEnd = Math.min(h1, H);
        const wEnd = Math.min(w1, W);
        const validSize = (hEnd - hStart) * (wEnd - wStart);
        if (hStart >= hEnd || wStart >= wEnd) {
          throw new RangeError(`avgpool2d: window at output (${oh}, ${ow}) lies entirely in the padding`);
        }
        const divisor = countIncludePad ? paddedSize : validSize;
        for (let c = 0; c < C; c++) {
          let sum = 0;
          for (let ih = hStart; ih < hEnd; ih++) {
            for (let iw = wStart; iw < wEnd; iw++) {
              sum += x[((n * H + ih) * W + iw) * C + c];
            }
          }
          data[((n * Ho + oh) * Wo + ow) * C + c] = sum / divisor;
        }
      }
    }
  }
  return { data, shape: [N, Ho, Wo, C] };
}

/**
 * Mean over H and W per image and channel.
 * @param {ArrayLike<number>} x input [N, H, W, C]
 * @param {number[]} shape [N, H, W, C]
 * @returns {Tensor} shape [N, 1, 1, C]
 */
export function globalAvgPool(x, shape) {
  checkTensor('globalAvgPool', x, shape, 4);
  const [N, H, W, C] = shape;
  const data = new Float32Array(N * C);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      let sum = 0;
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) sum += x[((n * H + h) * W + w) * C + c];
      }
      data[n * C + c] = sum / (H * W);
    }
  }
  return { data, shape: [N, 1, 1, C] };
}

// ---------------------------------------------------------------------------------------------
// Element-wise and channel ops

/**
 * Element-wise sum a + b (the residual add), optionally followed by ReLU.
 * @param {ArrayLike<number>} a
 * @param {ArrayLike<number>} b same shape as a
 * @param {number[]} shape shape of both (any rank)
 * @param {boolean} [relu=false]
 * @returns {Tensor}
 */
export function add(a, b, shape, relu = false) {
  checkTensor('add', a, shape, shape.length);
  checkTensor('add', b, shape, shape.length);
  const data = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const v = a[i] + b[i];
    data[i] = relu ? activate(v, 'relu') : v;
  }
  return { data, shape: [...shape] };
}

/**
 * Concatenate NHWC tensors along channels, in list order.
 * @param {Tensor[]} list tensors of shape [N, H, W, C_i] with equal N, H, W
 * @returns {Tensor} shape [N, H, W, Σ C_i]
 */
export function concat(list) {
  if (list.length === 0) throw new RangeError('concat: empty list');
  const [N, H, W] = list[0].shape;
  let total = 0;
  for (const t of list) {
    checkTensor('concat', t.data, t.shape, 4);
    if (t.shape[0] !== N || t.shape[1] !== H || t.shape[2] !== W) {
      throw new RangeError(`concat: shape ${JSON.stringify(t.shape)} does not match [${N}, ${H}, ${W}, *]`);
    }
    total += t.shape[3];
  }
  const data = new Float32Array(N * H * W * total);
  for (let p = 0; p < N * H * W; p++) { // p runs over pixels (n, h, w)
    let offset = 0;
    for (const t of list) {
      const C = t.shape[3];
      for (let c = 0; c < C; c++) data[p * total + offset + c] = t.data[p * C + c];
      offset += C;
    }
  }
  return { data, shape: [N, H, W, total] };
}

/**
 * Across-channel local response normalisation, PyTorch's nn.LocalResponseNorm:
 * b_c = a_c / (k + alpha/size · Σ a_{c'}²)^beta over c' in [c − floor(size/2), c + floor((size−1)/2)],
 * channels outside 0..C−1 counting as zero.
 * @param {ArrayLike<number>} x input [N, H, W, C]
 * @param {number[]} shape [N, H, W, C]
 * @param {{ size: number, alpha?: number, beta?: number, k?: number }} params
 *   PyTorch defaults: alpha 1e-4, beta 0.75, k 1
 * @returns {Tensor} shape [N, H, W, C]
 */
export function lrn(x, shape, params) {
  checkTensor('lrn', x, shape, 4);
  const [N, H, W, C] = shape;
  const size = params.size;
  const alpha = params.alpha ?? 1e-4;
  const beta = params.beta ?? 0.75;
  const k = params.k ?? 1;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`lrn: bad size ${size}`);
  const before = Math.floor(size / 2);
  const after = Math.floor((size - 1) / 2);
  const data = new Float32Array(x.length);
  for (let p = 0; p < N * H * W; p++) {
    for (let c = 0; c < C; c++) {
      let sumSq = 0;
      for (let cc = Math.max(0, c - before); cc <= Math.min(C - 1, c + after); cc++) {
        const v = x[p * C + cc];
        sumSq += v * v;
      }
      data[p * C + c] = x[p * C + c] / Math.pow(k + (alpha / size) * sumSq, beta);
    }
  }
  return { data, shape: [N, H, W, C] };
}

/**
 * Softmax over the last axis of each row, shifted by the row maximum so that large inputs
 * do not overflow.
 * @param {ArrayLike<number>} x input [N, C]
 * @param {number[]} shape [N, C]
 * @returns {Tensor} shape [N, C]
 */
/** Logistic sigmoid in float64, rounded once: 1 / (1 + exp(-x)). */
export function sigmoid(x) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = 1 / (1 + Math.exp(-x[i]));
  return out;
}

export function softmax(x, shape) {
  checkTensor('softmax', x, shape, 2);
  const [N, C] = shape;
  const data = new Float32Array(N * C);
  const e = new Float64Array(C);
  for (let n = 0; n < N; n++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, x[n * C + c]);
    let sum = 0;
    for (let c = 0; c < C; c++) {
      e[c] = Math.exp(x[n * C + c] - max);
      sum += e[c];
    }
    for (let c = 0; c < C; c++) data[n * C + c] = e[c] / sum;
  }
  return { data, shape: [N, C] };
}

/**
 * Inference-mode batch normalisation over the last axis (channels):
 * y = (x − mean) / sqrt(variance + eps) · gamma + beta.
 * @param {ArrayLike<number>} x input, channels last
 * @param {number[]} shape any rank; the last entry is C
 * @param {{ gamma: ArrayLike<number>, beta: ArrayLike<number>, mean: ArrayLike<number>,
 *           variance: ArrayLike<number>, eps?: number }} params eps defaults to 1e-5 (PyTorch)
 * @returns {Tensor}
 */
export function batchnorm(x, shape, params) {
  checkTensor('batchnorm', x, shape, shape.length);
  const C = shape[shape.length - 1];
  const { gamma, beta, mean, variance } = params;
  const eps = params.eps ?? 1e-5;
  for (const [name, v] of Object.entries({ gamma, beta, mean, variance })) {
    if (v.length !== C) throw new RangeError(`batchnorm: ${name} has ${v.length} elements, expected C = ${C}`);
  }
  const data = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const c = i % C;
    data[i] = ((x[i] - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c];
  }
  return { data, shape: [...shape] };
}

/**
 * max(x, 0) element-wise.
 * @param {ArrayLike<number>} x
 * @returns {Float32Array}
 */
export function relu(x) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = activate(x[i], 'relu');
  return out;
}

/**
 * min(max(x, 0), 6) element-wise.
 * @param {ArrayLike<number>} x
 * @returns {Float32Array}
 */
export function relu6(x) {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = activate(x[i], 'relu6');
  return out;
}

// ---------------------------------------------------------------------------------------------
// Layout converters (PyTorch checkpoints are NCHW / OIHW; we run NHWC / HWIO)

/**
 * @param {ArrayLike<number>} x
 * @param {number[]} shape [N, C, H, W]
 * @returns {Tensor} the same values as [N, H, W, C]
 */
export function nchwToNhwc(x, shape) {
  checkTensor('nchwToNhwc', x, shape, 4);
  const [N, C, H, W] = shape;
  const data = new Float32Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          data[((n * H + h) * W + w) * C + c] = x[((n * C + c) * H + h) * W + w];
        }
      }
    }
  }
  return { data, shape: [N, H, W, C] };
}

/**
 * @param {ArrayLike<number>} x
 * @param {number[]} shape [N, H, W, C]
 * @returns {Tensor} the same values as [N, C, H, W]
 */
export function nhwcToNchw(x, shape) {
  checkTensor('nhwcToNchw', x, shape, 4);
  const [N, H, W, C] = shape;
  const data = new Float32Array(x.length);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      for (let h = 0; h < H; h++) {
        for (let w = 0; w < W; w++) {
          data[((n * C + c) * H + h) * W + w] = x[((n * H + h) * W + w) * C + c];
        }
      }
    }
  }
  return { data, shape: [N, C, H, W] };
}

/**
 * Convolution weights from PyTorch's OIHW to our HWIO. For a grouped conv, I is C/groups.
 * @param {ArrayLike<number>} w
 * @param {number[]} shape [O, I, kh, kw]
 * @returns {Tensor} the same values as [kh, kw, I, O]
 */
export function oihwToHwio(w, shape) {
  checkTensor('oihwToHwio', w, shape, 4);
  const [O, I, kh, kw] = shape;
  const data = new Float32Array(w.length);
  for (let o = 0; o < O; o++) {
    for (let i = 0; i < I; i++) {
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          data[((y * kw + x) * I + i) * O + o] = w[((o * I + i) * kh + y) * kw + x];
        }
      }
    }
  }
  return { data, shape: [kh, kw, I, O] };
}

/**
 * The Winograd filter transform U[i][j] = (G g G^T)[i][j] of a 3x3 HWIO filter (c inputs, k
 * outputs), F(2,3) or F(4,3) (Lavin & Gray 2016): alpha^2 Float32Arrays of C x K, each entry
 * summed in double precision (G g, then times G^T) and rounded once.
 */
export function winogradFilter(w, c, k, m) {
  const G = m === 2 ? [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
    : [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]];
  const a = m + 2;
  const U = Array.from({ length: a * a }, () => new Float32Array(c * k));
  for (let ci = 0; ci < c; ci++) {
    for (let co = 0; co < k; co++) {
      const gg = [];
      for (let i = 0; i < a; i++) {
        for (let x = 0; x < 3; x++) {
          let s = 0;
          for (let y = 0; y < 3; y++) s += G[i][y] * w[((y * 3 + x) * c + ci) * k + co];
          gg[i * 3 + x] = s;
        }
      }
      for (let i = 0; i < a; i++) {
        for (let j = 0; j < a; j++) {
          let s = 0;
          for (let x = 0; x < 3; x++) s += gg[i * 3 + x] * G[j][x];
          U[i * a + j][ci * k + co] = s;
        }
      }
    }
  }
  return U;
}
