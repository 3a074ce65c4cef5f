// Pooling, NHWC, vectorised over channels. Windows are clipped to the input; the caller has
// already applied PyTorch's output-size rules (ceil mode included). Channel tails compute a full
// vector and store only the valid lanes. The windowed pools compute output rows [oy0, oy1) of
// each image: a thread's share of the layer (0, ho for all of it).
import { storeLanes } from '../misc/lanes';


/**
 * Max pool k x k, stride s, top/left padding pt/pl (padding never wins: it is -inf). Channels go
 * 16 at a time in four registers so each tap reads one cache line; pmax is one instruction on
 * x64 (a NaN input does not propagate; inputs are validated finite upstream).
 */
export function f32_maxpool(x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, ho: i32, wo: i32, out: usize, ldo: i32, oy0: i32, oy1: i32): void {
  const px = <usize>cx * 4;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * <usize>w * px;
    for (let oy = oy0; oy < oy1; oy++) {
      const y0 = max(oy * sh - pt, 0), y1 = min(oy * sh - pt + kh, h);
      for (let ox = 0; ox < wo; ox++) {
        const x0 = max(ox * sw - pl, 0), x1 = min(ox * sw - pl + kw, w);
        const o = out + <usize>((b * ho + oy) * wo + ox) * <usize>ldo * 4;
        const base = xb + <usize>(y0 * w + x0) * px;
        const rowSkip = <usize>w * px;
        let c0 = 0;
        for (; c0 + 16 <= c; c0 += 16) {
          const ninf = f32x4.splat(-Infinity);
          let m0 = ninf, m1 = ninf, m2 = ninf, m3 = ninf;
          let r = base + <usize>c0 * 4;
          for (let iy = y0; iy < y1; iy++) {
            let p = r;
            for (let ix = x0; ix < x1; ix++) {
              m0 = f32x4.pmax(m0, v128.load(p, 0));
              m1 = f32x4.pmax(m1, v128.load(p, 16));
              m2 = f32x4.pmax(m2, v128.load(p, 32));
              m3 = f32x4.pmax(m3, v128.load(p, 48));
              p += px;
            }
            r += rowSkip;
          }
          const oc = o + <usize>c0 * 4;
          v128.store(oc, m0, 0); v128.store(oc, m1, 16); v128.store(oc, m2, 32); v128.store(oc, m3, 48);
        }
        for (; c0 < c; c0 += 4) {
          let m = f32x4.splat(-Infinity);
          let r = base + <usize>c0 * 4;
          for (let iy = y0; iy < y1; iy++) {
            let p = r;
            for (let ix = x0; ix < x1; ix++) {
              m = f32x4.pmax(m, v128.load(p));
              p += px;
            }
            r += rowSkip;
          }
          storeLanes(o + <usize>c0 * 4, m, c - c0);
        }
      }
    }
  }
}

/**
 * Average pool. hp/wp are the padded extents (h + bottom pad, w + right pad): with
 * countIncludePad the divisor is the window clipped to them (PyTorch), else the valid taps.
 */
export function f32_avgpool(x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, pt: i32, pl: i32, hp: i32, wp: i32, ho: i32, wo: i32, countIncludePad: i32, out: usize, ldo: i32, oy0: i32, oy1: i32): void {
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * <usize>w * <usize>cx * 4;
    for (let oy = oy0; oy < oy1; oy++) {
      const ys = oy * sh - pt;
      const y0 = max(ys, 0), y1 = min(ys + kh, h);
      for (let ox = 0; ox < wo; ox++) {
        const xs = ox * sw - pl;
        const x0 = max(xs, 0), x1 = min(xs + kw, w);
        const count = countIncludePad
          ? (min(ys + kh, hp) - ys) * (min(xs + kw, wp) - xs)
          : (y1 - y0) * (x1 - x0);
        const inv = f32x4.splat(<f32>1 / <f32>count);
        const o = out + <usize>((b * ho + oy) * wo + ox) * <usize>ldo * 4;
        for (let c0 = 0; c0 < c; c0 += 4) {
          let s = f32x4.splat(0);
          for (let iy = y0; iy < y1; iy++) {
            let p = xb + (<usize>(iy * w + x0) * <usize>cx + <usize>c0) * 4;
            for (let ix = x0; ix < x1; ix++) {
              s = f32x4.add(s, v128.load(p));
              p += <usize>cx * 4;
            }
          }
          storeLanes(o + <usize>c0 * 4, f32x4.mul(s, inv), c - c0);
        }
      }
    }
  }
}

/** Global average pool: [n, hw pixels, c] -> [n, c] (pixel stride cx, output row stride ldo). */
export function f32_global_avgpool(x: usize, n: i32, hw: i32, cx: i32, c: i32, out: usize, ldo: i32): void {
  const inv = f32x4.splat(<f32>1 / <f32>hw);
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>hw * <usize>cx * 4;
    const o = out + <usize>b * <usize>ldo * 4;
    // 16 channels (one cache line of a pixel) per pass over the pixels: four channels per pass
    // used a quarter of every line it fetched, and a map beyond the cache was read four times over.
    // Each lane still sums even and odd pixels apart, then adds the two: the same bits however
    // the channels are blocked, so any split among threads gives them too.
    let c0 = 0;
    for (; c0 + 16 <= c; c0 += 16) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
      let p = xb + <usize>c0 * 4;
      const q = <usize>cx * 4;
      let i = 0;
      for (; i + 2 <= hw; i += 2) {
        a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
        b0 = f32x4.add(b0, v128.load(p + q)); b1 = f32x4.add(b1, v128.load(p + q, 16));
        b2 = f32x4.add(b2, v128.load(p + q, 32)); b3 = f32x4.add(b3, v128.load(p + q, 48));
        p += q * 2;
      }
      if (i < hw) {
        a0 = f32x4.add(a0, v128.load(p)); a1 = f32x4.add(a1, v128.load(p, 16));
        a2 = f32x4.add(a2, v128.load(p, 32)); a3 = f32x4.add(a3, v128.load(p, 48));
      }
      const oc = o + <usize>c0 * 4;
      v128.store(oc, f32x4.mul(f32x4.add(a0, b0), inv)); v128.store(oc, f32x4.mul(f32x4.add(a1, b1), inv), 16);
      v128.store(oc, f32x4.mul(f32x4.add(a2, b2), inv), 32); v128.store(oc, f32x4.mul(f32x4.add(a3, b3), inv), 48);
    }
    for (; c0 < c; c0 += 4) {
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
      let p = xb + <usize>c0 * 4;
      let i = 0;
      for (; i + 2 <= hw; i += 2) {
        s0 = f32x4.add(s0, v128.load(p));
        s1 = f32x4.add(s1, v128.load(p + <usize>cx * 4));
        p += <usize>cx * 8;
      }
      if (i < hw) s0 = f32x4.add(s0, v128.load(p));
      storeLanes(o + <usize>c0 * 4, f32x4.mul(f32x4.add(s0, s1), inv), c - c0);
    }
  }
}

/** Global max pooling [N, H, W, C] -> [N, C] (pixel stride cx, output row stride ldo). */
export function f32_global_maxpool(x: usize, n: i32, hw: i32, cx: i32, c: i32, out: usize, ldo: i32): void {
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>hw * <usize>cx * 4;
    const o = out + <usize>b * <usize>ldo * 4;
    for (let c0 = 0; c0 < c; c0 += 4) {
      let p = xb + <usize>c0 * 4;
      let m0 = v128.load(p), m1 = m0;
      p += <usize>cx * 4;
      let i = 1;
      for (; i + 2 <= hw; i += 2) {
        m0 = f32x4.max(m0, v128.load(p));
        m1 = f32x4.max(m1, v128.load(p + <usize>cx * 4));
        p += <usize>cx * 8;
      }
      if (i < hw) m0 = f32x4.max(m0, v128.load(p));
      storeLanes(o + <usize>c0 * 4, f32x4.max(m0, m1), c - c0);
    }
  }
}
