// Elementwise and per-row ops. Flat arrays unless a pixel stride is given.

/** out = a + b, then max(., 0) when relu != 0 (ResNet's residual join). In-place safe. */
export function f32_add(count: i32, a: usize, b: usize, out: usize, relu: i32): void {
  const z = f32x4.splat(0);
  let i = 0;
  if (relu) {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i * 4;
      v128.store(out + o, f32x4.pmax(f32x4.add(v128.load(a + o), v128.load(b + o)), z));
    }
    for (; i < count; i++) {
      const o = <usize>i * 4;
      store<f32>(out + o, max<f32>(load<f32>(a + o) + load<f32>(b + o), 0));
    }
  } else {
    for (; i + 4 <= count; i += 4) {
      const o = <usize>i * 4;
      v128.store(out + o, f32x4.add(v128.load(a + o), v128.load(b + o)));
    }
    for (; i < count; i++) {
      const o = <usize>i * 4;
      store<f32>(out + o, load<f32>(a + o) + load<f32>(b + o));
    }
  }
}

/**
 * out = alpha * a + b, then max(., 0) when relu != 0: a residual join whose branch is scaled
 * (Inception-ResNet's `out * scale + x`), rounded like PyTorch's: the product, then the sum
 * (no fused multiply-add). In-place safe.
 */
export function f32_add_scaled(count: i32, a: usize, alpha: f32, b: usize, out: usize, relu: i32): void {
  const va = f32x4.splat(alpha), z = f32x4.splat(0);
  // relu: clamp below at 0; else at -inf, which leaves every value (and NaN) as it is
  const lo = relu ? z : f32x4.splat(-Infinity);
  const slo: f32 = relu ? 0 : -Infinity;
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.pmax(f32x4.add(f32x4.mul(v128.load(a + o), va), v128.load(b + o)), lo));
  }
  for (; i < count; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(a + o) * alpha + load<f32>(b + o);
    store<f32>(out + o, v < slo ? slo : v);
  }
}

/** out = alpha * x over `count` floats (a constant multiply standing alone). In-place safe. */
export function f32_scale(count: i32, x: usize, out: usize, alpha: f32): void {
  const va = f32x4.splat(alpha);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.mul(v128.load(x + o), va));
  }
  for (; i < count; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, load<f32>(x + o) * alpha);
  }
}

/** out = min(max(x, lo), hi) over `count` floats (stand-alone ReLU / ReLU6). In-place safe. */
export function f32_clamp(count: i32, x: usize, out: usize, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i * 4;
    v128.store(out + o, f32x4.pmin(f32x4.pmax(v128.load(x + o), vlo), vhi));
  }
  for (; i < count; i++) {
    const o = <usize>i * 4;
    store<f32>(out + o, min<f32>(max<f32>(load<f32>(x + o), lo), hi));
  }
}

/** Per-channel affine y = clamp(x * scale[c] + shift[c]) (a batch norm that could not be folded). */
export function f32_scale_shift(pixels: i32, c: i32, x: usize, cx: i32, scale: usize, shift: usize,
  out: usize, ldo: i32, lo: f32, hi: f32): void {
  for (let p = 0; p < pixels; p++) {
    const xi = x + <usize>p * <usize>cx * 4;
    const oi = out + <usize>p * <usize>ldo * 4;
    for (let j = 0; j < c; j++) {
      const o = <usize>j * 4;
      const v = load<f32>(xi + o) * load<f32>(scale + o) + load<f32>(shift + o);
      store<f32>(oi + o, min<f32>(max<f32>(v, lo), hi));
    }
  }
}

/**
 * Across-channel LRN (PyTorch LocalResponseNorm): b = a / (k + alpha/size * sum a^2)^beta over
 * channels [c - size/2, c + (size-1)/2]. A running window sum keeps it O(c) per pixel.
 */
export function f32_lrn(pixels: i32, c: i32, x: usize, out: usize, size: i32, alpha: f32, beta: f32, k: f32): void {
  const lo = size / 2;
  const hi = (size - 1) / 2;
  const scale = alpha / <f32>size;
  for (let p = 0; p < pixels; p++) {
    const xi = x + <usize>p * <usize>c * 4;
    const oi = out + <usize>p * <usize>c * 4;
    // window sum over [j - lo, j + hi], computed in f64 so the sliding update does not drift
    let s: f64 = 0;
    for (let j = 0; j <= min(hi, c - 1); j++) { const v = <f64>load<f32>(xi + <usize>j * 4); s += v * v; }
    for (let j = 0; j < c; j++) {
      const d = <f32>(<f64>k + <f64>scale * s);
      store<f32>(oi + <usize>j * 4, load<f32>(xi + <usize>j * 4) * Mathf.pow(d, -beta));
      const add = j + hi + 1, drop = j - lo;
      if (add < c) { const v = <f64>load<f32>(xi + <usize>add * 4); s += v * v; }
      if (drop >= 0) { const v = <f64>load<f32>(xi + <usize>drop * 4); s -= v * v; }
    }
  }
}

/** Row-wise numerically stable softmax over `c` columns. In-place safe. */
export function f32_softmax(rows: i32, c: i32, x: usize, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const xi = x + <usize>r * <usize>c * 4;
    const oi = out + <usize>r * <usize>c * 4;
    let m = -Infinity as f32;
    for (let j = 0; j < c; j++) m = max<f32>(m, load<f32>(xi + <usize>j * 4));
    let s: f64 = 0;
    for (let j = 0; j < c; j++) {
      const e = Mathf.exp(load<f32>(xi + <usize>j * 4) - m);
      store<f32>(oi + <usize>j * 4, e);
      s += e;
    }
    const inv = <f32>(1.0 / s);
    for (let j = 0; j < c; j++) store<f32>(oi + <usize>j * 4, load<f32>(oi + <usize>j * 4) * inv);
  }
}

/**
 * out = 1 / (1 + exp(-x)) over `count` floats (squeeze-excitation gates, ONNX Sigmoid). Written as
 * exp(-|x|) so exp never overflows: x >= 0 gives 1 / (1 + e), x < 0 gives e / (1 + e). In-place safe.
 */
export function f32_sigmoid(count: i32, x: usize, out: usize): void {
  for (let i = 0; i < count; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    const e = Mathf.exp(-Mathf.abs(v));
    store<f32>(out + o, v >= 0 ? 1 / (1 + e) : e / (1 + e));
  }
}

/** out = x >= 0 ? x : alpha * x over `count` floats (LeakyReLU). In-place safe. */
export function f32_leaky_relu(count: i32, x: usize, out: usize, alpha: f32): void {
  const va = f32x4.splat(alpha), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i * 4;
    const v = v128.load(x + o);
    v128.store(out + o, f32x4.add(f32x4.max(v, zero), f32x4.mul(va, f32x4.min(v, zero))));
  }
  for (; i < count; i++) {
    const o = <usize>i * 4;
    const v = load<f32>(x + o);
    store<f32>(out + o, v >= 0 ? v : alpha * v);
  }
}

/**
 * Per-channel multiply with broadcast (squeeze-excitation's rescale): out[b][p][c] =
 * x[b][p][c] * s[b][c] over n images of hw pixels and c channels (dense). In-place safe.
 */
export function f32_channel_mul(n: i32, hw: i32, c: i32, x: usize, s: usize, out: usize): void {
  for (let b = 0; b < n; b++) {
    const sb = s + <usize>(b * c) * 4;
    const base = <usize>b * <usize>hw * <usize>c * 4;
    for (let p = 0; p < hw; p++) {
      const px = base + <usize>p * <usize>c * 4;
      let j = 0;
      for (; j + 4 <= c; j += 4) {
        const o = px + <usize>j * 4;
        v128.store(out + o, f32x4.mul(v128.load(x + o), v128.load(sb + <usize>j * 4)));
      }
      for (; j < c; j++) {
        const o = px + <usize>j * 4;
        store<f32>(out + o, load<f32>(x + o) * load<f32>(sb + <usize>j * 4));
      }
    }
  }
}

/**
 * Squeeze-excitation's rescale joined with the residual add after it: out[b][p][c] =
 * x[b][p][c] * s[b][c] + r[b][p][c], then max(., 0) when relu != 0 — the product rounded, then
 * the sum, so the bits of channel multiply then add. One pass instead of two. In-place safe.
 */
export function f32_channel_mul_add(n: i32, hw: i32, c: i32, x: usize, s: usize, r: usize, out: usize, relu: i32): void {
  const lo = relu ? f32x4.splat(0) : f32x4.splat(-Infinity);
  const slo: f32 = relu ? 0 : -Infinity;
  for (let b = 0; b < n; b++) {
    const sb = s + <usize>(b * c) * 4;
    const base = <usize>b * <usize>hw * <usize>c * 4;
    for (let p = 0; p < hw; p++) {
      const px = base + <usize>p * <usize>c * 4;
      let j = 0;
      for (; j + 4 <= c; j += 4) {
        const o = px + <usize>j * 4;
        const v = f32x4.add(f32x4.mul(v128.load(x + o), v128.load(sb + <usize>j * 4)), v128.load(r + o));
        v128.store(out + o, f32x4.pmax(v, lo));
      }
      for (; j < c; j++) {
        const o = px + <usize>j * 4;
        const v = load<f32>(x + o) * load<f32>(sb + <usize>j * 4) + load<f32>(r + o);
        store<f32>(out + o, v < slo ? slo : v);
      }
    }
  }
}

/**
 * Channel shuffle (ShuffleNet): channel g * cpg + j of each of `pixels` dense pixels moves to
 * j * groups + g, i.e. the [groups, cpg] channel matrix is transposed. Not in place.
 */
export function f32_channel_shuffle(pixels: i32, groups: i32, cpg: i32, x: usize, out: usize): void {
  const c = groups * cpg;
  for (let p = 0; p < pixels; p++) {
    const xo = x + <usize>p * c * 4, yo = out + <usize>p * c * 4;
    for (let g = 0; g < groups; g++) {
      for (let j = 0; j < cpg; j++) {
        store<f32>(yo + <usize>(j * groups + g) * 4, load<f32>(xo + <usize>(g * cpg + j) * 4));
      }
    }
  }
}
