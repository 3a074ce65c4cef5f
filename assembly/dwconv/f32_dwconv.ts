import { madd } from '../misc/madd';
import { storeLanes } from '../misc/lanes';

// Depthwise convolution, NHWC, vectorised over channels (4 per v128). Packed weights: per group
// of 4 channels (zero-padded), the group's bias then its kh*kw taps, 4 floats each, so a group's
// bias and taps are one contiguous run of 16-byte aligned vectors. Input pixel stride cx, output stride ldo (floats).
// Channel tails compute a full vector (reading at most 3 floats past the last channel, inside the
// arena's slack) and store only the valid lanes.

// @ts-ignore: decorator
@inline function clampV(v: v128, vlo: v128, vhi: v128, clamp: i32): v128 {
  return clamp ? f32x4.pmin(f32x4.pmax(v, vlo), vhi) : v;
}

/**
 * One output pixel, any kernel: the border path and the generic kernel. The valid tap window
 * [kyLo, kyHi) x [kxLo, kxHi) is worked out once per pixel, so the channel loop has no bounds tests.
 */
function dwPixel(x: usize, h: i32, w: i32, cx: i32, c: i32, kh: i32, kw: i32, dh: i32, dw: i32,
  iy0: i32, ix0: i32, packed: usize, o: usize, vlo: v128, vhi: v128, clamp: i32): void {
  const gb = <usize>(kh * kw + 1) * 16;
  const kyLo = iy0 < 0 ? (-iy0 + dh - 1) / dh : 0;
  const kyHi = min(kh, (h - iy0 + dh - 1) / dh);
  const kxLo = ix0 < 0 ? (-ix0 + dw - 1) / dw : 0;
  const kxHi = min(kw, (w - ix0 + dw - 1) / dw);
  const px = <usize>cx * 4;
  let gp = packed;
  for (let c0 = 0; c0 < c; c0 += 4, gp += gb) {
    let acc = v128.load(gp);
    for (let ky = kyLo; ky < kyHi; ky++) {
      let ip = x + (<usize>(iy0 + ky * dh) * <usize>w * <usize>cx + <usize>(ix0 + kxLo * dw) * <usize>cx + <usize>c0) * 4;
      let wp = gp + <usize>(ky * kw + kxLo + 1) * 16;
      for (let kx = kxLo; kx < kxHi; kx++) {
        acc = madd(acc, v128.load(ip), v128.load(wp));
        ip += <usize>dw * px;
        wp += 16;
      }
    }
    storeLanes(o + <usize>c0 * 4, clampV(acc, vlo, vhi, clamp), c - c0);
  }
}

// Every depthwise kernel computes output rows [oy0, oy1) of each image: a thread's share of the
// layer (0, ho for all of it); rows are independent, so any split gives the same bits.

/** Generic depthwise k x k (any stride, padding, dilation); multiplier 1. */
export function f32_dwconv(x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, kh: i32, kw: i32,
  sh: i32, sw: i32, dh: i32, dw: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, oy0: i32, oy1: i32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * <usize>w * <usize>cx * 4;
    for (let oy = oy0; oy < oy1; oy++) {
      for (let ox = 0; ox < wo; ox++) {
        const o = out + (<usize>((b * ho + oy) * wo + ox)) * <usize>ldo * 4;
        dwPixel(xb, h, w, cx, c, kh, kw, dh, dw, oy * sh - pt, ox * sw - pl, packed, o, vlo, vhi, clamp);
      }
    }
  }
}

/** Bytes of one channel group's bias and nine taps in the 3x3 kernels' packing. */
const DW3_GROUP: usize = 160;

// One 3x3 border pixel: its valid window columns (bit kx of `cols`) known at compile time, its
// valid rows (bit ky of `rows`) a run-time test that goes the same way for every channel group.
// dw3x3Edge dispatches on the columns, so each case is straight-line code over the groups; the
// generic dwPixel loops over a run-time window per group, and on 14x14 or 7x7 maps, where a
// quarter to a half of the pixels are border, it cost more than the interior. Nine cases (rows
// fixed too) ran 4-6% faster on 14x14x512 and 7x7x1024 but made each binary 2.3 KB larger: past
// 24 KB the single-file bundle's two base64 binaries no longer fit one gzip window (32 KB), and
// it went from 79 to 105 KB gzip, over the 100 KB budget.
// @ts-ignore: decorator
@inline function edge3x3(rows: i32, cols: i32, x: usize, w: i32, cx: i32, c: i32, iy0: i32, ix0: i32,
  packed: usize, o: usize, vlo: v128, vhi: v128, clamp: i32): void {
  const pxIn = <usize>cx * 4;
  const rowIn = <usize>w * pxIn;
  // the window's top-left corner, outside the image on a border: only valid taps are loaded
  const base = x + <usize>iy0 * rowIn + <usize>ix0 * pxIn;
  let gp = packed;
  let c0 = 0;
  // four channel groups (a 64-byte line of each input pixel) at a time, as the interior passes
  for (; c0 + 16 <= c; c0 += 16, gp += 4 * DW3_GROUP) {
    const cb = <usize>c0 * 4;
    let a0 = v128.load(gp), a1 = v128.load(gp, 160), a2 = v128.load(gp, 320), a3 = v128.load(gp, 480);
    let ip = base + cb, tp = gp + 16;
    for (let ky = 0; ky < 3; ky++, ip += rowIn, tp += 48) {
      if (rows & (1 << ky)) {
        a0 = edgeRow(a0, cols, ip, tp, pxIn);
        a1 = edgeRow(a1, cols, ip + 16, tp + 160, pxIn);
        a2 = edgeRow(a2, cols, ip + 32, tp + 320, pxIn);
        a3 = edgeRow(a3, cols, ip + 48, tp + 480, pxIn);
      }
    }
    const ob = o + cb;
    v128.store(ob, clampV(a0, vlo, vhi, clamp)); v128.store(ob, clampV(a1, vlo, vhi, clamp), 16);
    v128.store(ob, clampV(a2, vlo, vhi, clamp), 32); v128.store(ob, clampV(a3, vlo, vhi, clamp), 48);
  }
  for (; c0 < c; c0 += 4, gp += DW3_GROUP) {
    const cb = <usize>c0 * 4;
    let acc = v128.load(gp);
    let ip = base + cb, tp = gp + 16;
    for (let ky = 0; ky < 3; ky++) {
      if (rows & (1 << ky)) {
        if (cols & 1) acc = madd(acc, v128.load(ip), v128.load(tp));
        if (cols & 2) acc = madd(acc, v128.load(ip + pxIn), v128.load(tp, 16));
        if (cols & 4) acc = madd(acc, v128.load(ip + 2 * pxIn), v128.load(tp, 32));
      }
      ip += rowIn;
      tp += 48;
    }
    acc = clampV(acc, vlo, vhi, clamp);
    if (c - c0 >= 4) v128.store(o + cb, acc);
    else storeLanes(o + cb, acc, c - c0);
  }
}

/** acc plus one window row's valid taps (bit kx of `cols`, a compile-time constant). */
// @ts-ignore: decorator
@inline function edgeRow(acc: v128, cols: i32, ip: usize, tp: usize, pxIn: usize): v128 {
  if (cols & 1) acc = madd(acc, v128.load(ip), v128.load(tp));
  if (cols & 2) acc = madd(acc, v128.load(ip + pxIn), v128.load(tp, 16));
  if (cols & 4) acc = madd(acc, v128.load(ip + 2 * pxIn), v128.load(tp, 32));
  return acc;
}

/** Bits of the 3-tap window [i0, i0 + 3) that fall inside [0, n). */
// @ts-ignore: decorator
@inline function tapMask(i0: i32, n: i32): i32 {
  return (i0 >= 0 && i0 < n ? 1 : 0) | (i0 + 1 >= 0 && i0 + 1 < n ? 2 : 0) | (i0 + 2 >= 0 && i0 + 2 < n ? 4 : 0);
}

/** A 3x3 border pixel: the straight-line case for its window columns, or dwPixel for the rare others. */
function dw3x3Edge(x: usize, h: i32, w: i32, cx: i32, c: i32, iy0: i32, ix0: i32,
  packed: usize, o: usize, vlo: v128, vhi: v128, clamp: i32): void {
  const r = tapMask(iy0, h), q = tapMask(ix0, w);
  if (r == 3 || r == 6 || r == 7) {
    if (q == 3) { edge3x3(r, 3, x, w, cx, c, iy0, ix0, packed, o, vlo, vhi, clamp); return; }
    if (q == 6) { edge3x3(r, 6, x, w, cx, c, iy0, ix0, packed, o, vlo, vhi, clamp); return; }
    if (q == 7) { edge3x3(r, 7, x, w, cx, c, iy0, ix0, packed, o, vlo, vhi, clamp); return; }
  }
  dwPixel(x, h, w, cx, c, 3, 3, 1, 1, iy0, ix0, packed, o, vlo, vhi, clamp);
}

/** Pixel strides (floats) whose multiples take the 3x3 kernels' channels-innermost order. */
const DW_ALIAS_FLOATS = 512;

/**
 * 3x3 depthwise, stride s (1 or 2), dilation 1, any padding: interior pixels run with the nine
 * taps of a channel group held in registers while the group sweeps along the output row;
 * border pixels take the bounds-checked path.
 */
// @ts-ignore: decorator
@inline function dw3x3(s: i32, x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, oy0: i32, oy1: i32): void {
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  // interior columns: 0 <= ox*s - pl and ox*s - pl + 2 < w
  let oxLo = (pl + s - 1) / s;
  let oxHi = (w - 3 + pl) / s + 1;
  if (w - 3 + pl < 0) oxHi = 0;
  if (oxHi > wo) oxHi = wo;
  if (oxLo > oxHi) oxLo = oxHi;
  const pxIn = <usize>cx * 4;
  const rowIn = <usize>w * pxIn;
  const pxOut = <usize>ldo * 4;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * <usize>h * rowIn;
    for (let oy = oy0; oy < oy1; oy++) {
      const iy0 = oy * s - pt;
      const orow = out + <usize>((b * ho + oy) * wo) * pxOut;
      if (iy0 < 0 || iy0 + 2 >= h) {
        for (let ox = 0; ox < wo; ox++) dw3x3Edge(xb, h, w, cx, c, iy0, ox * s - pl, packed, orow + <usize>ox * pxOut, vlo, vhi, clamp);
        continue;
      }
      for (let ox = 0; ox < oxLo; ox++) dw3x3Edge(xb, h, w, cx, c, iy0, ox * s - pl, packed, orow + <usize>ox * pxOut, vlo, vhi, clamp);
      for (let ox = oxHi; ox < wo; ox++) dw3x3Edge(xb, h, w, cx, c, iy0, ox * s - pl, packed, orow + <usize>ox * pxOut, vlo, vhi, clamp);
      if (oxLo >= oxHi) continue;
      const r0 = xb + <usize>iy0 * rowIn;
      if ((cx & (DW_ALIAS_FLOATS - 1)) == 0) {
        // Pixels a multiple of 2 KiB apart (MobileNet's 14x14x512, 7x7x1024): pixel by pixel,
        // channels innermost, so the nine input and nine tap streams run along contiguous
        // channels. The blocked order below walks pixels at that power-of-two stride, where its
        // loads alias each other and the stores (4 KiB aliasing): 0.67 -> 0.41 ms on 14x14x512,
        // while 576 or 960 channels are faster blocked (bench-kernels, /tmp-free: dwconv cases).
        // Two output pixels per pass share their overlapping input columns and every tap load:
        // 22 loads per pair instead of 38 (stride 1). Each pixel sums its taps in the same order
        // as the single-pixel pass, so the pairing does not change bits.
        const lines4 = (cx & (2 * DW_ALIAS_FLOATS - 1)) == 0;
        let ox = oxLo;
        for (; ox + 1 < oxHi; ox += 2) {
          const ib = r0 + <usize>(ox * s - pl) * pxIn;
          const ob = orow + <usize>ox * pxOut;
          let tp = packed;
          let c0 = 0;
          // Four channel groups (one 64-byte line of each input pixel) at a time, a window row
          // at a time: each of the 12 (stride 2: 15) input lines is read in one burst. Group by
          // group, those lines, a multiple of 4 KiB apart on 1024 channels, share one L1 set
          // and were each read four times in turn, more than its 8 ways hold: every load went
          // to L2.
          for (; lines4 && c0 + 16 <= c; c0 += 16, tp += 4 * DW3_GROUP) {
            const cb = <usize>c0 * 4;
            let a0 = v128.load(tp), a1 = v128.load(tp, 160), a2 = v128.load(tp, 320), a3 = v128.load(tp, 480);
            let b0 = a0, b1 = a1, b2 = a2, b3 = a3;
            let q0 = ib + cb, wp = tp + 16;
            for (let ky = 0; ky < 3; ky++, q0 += rowIn, wp += 48) {
              const q1 = q0 + pxIn, q2 = q1 + pxIn, q3 = q2 + pxIn, q4 = q3 + pxIn;
              // each input vector loaded right before its first use: eight accumulators, one tap
              // and one or two inputs live, inside the 15 vector registers V8 allocates
              if (s == 1) {
                let t = v128.load(wp, 0); let u = v128.load(q1, 0);
                a0 = madd(a0, v128.load(q0, 0), t); b0 = madd(b0, u, t);
                t = v128.load(wp, 16); a0 = madd(a0, u, t); u = v128.load(q2, 0); b0 = madd(b0, u, t);
                t = v128.load(wp, 32); a0 = madd(a0, u, t); b0 = madd(b0, v128.load(q3, 0), t);
                t = v128.load(wp, 160); u = v128.load(q1, 16);
                a1 = madd(a1, v128.load(q0, 16), t); b1 = madd(b1, u, t);
                t = v128.load(wp, 176); a1 = madd(a1, u, t); u = v128.load(q2, 16); b1 = madd(b1, u, t);
                t = v128.load(wp, 192); a1 = madd(a1, u, t); b1 = madd(b1, v128.load(q3, 16), t);
                t = v128.load(wp, 320); u = v128.load(q1, 32);
                a2 = madd(a2, v128.load(q0, 32), t); b2 = madd(b2, u, t);
                t = v128.load(wp, 336); a2 = madd(a2, u, t); u = v128.load(q2, 32); b2 = madd(b2, u, t);
                t = v128.load(wp, 352); a2 = madd(a2, u, t); b2 = madd(b2, v128.load(q3, 32), t);
                t = v128.load(wp, 480); u = v128.load(q1, 48);
                a3 = madd(a3, v128.load(q0, 48), t); b3 = madd(b3, u, t);
                t = v128.load(wp, 496); a3 = madd(a3, u, t); u = v128.load(q2, 48); b3 = madd(b3, u, t);
                t = v128.load(wp, 512); a3 = madd(a3, u, t); b3 = madd(b3, v128.load(q3, 48), t);
              } else {
                let t = v128.load(wp, 0); let u = v128.load(q2, 0);
                a0 = madd(a0, v128.load(q0, 0), t); b0 = madd(b0, u, t);
                t = v128.load(wp, 16); a0 = madd(a0, v128.load(q1, 0), t); b0 = madd(b0, v128.load(q3, 0), t);
                t = v128.load(wp, 32); a0 = madd(a0, u, t); b0 = madd(b0, v128.load(q4, 0), t);
                t = v128.load(wp, 160); u = v128.load(q2, 16);
                a1 = madd(a1, v128.load(q0, 16), t); b1 = madd(b1, u, t);
                t = v128.load(wp, 176); a1 = madd(a1, v128.load(q1, 16), t); b1 = madd(b1, v128.load(q3, 16), t);
                t = v128.load(wp, 192); a1 = madd(a1, u, t); b1 = madd(b1, v128.load(q4, 16), t);
                t = v128.load(wp, 320); u = v128.load(q2, 32);
                a2 = madd(a2, v128.load(q0, 32), t); b2 = madd(b2, u, t);
                t = v128.load(wp, 336); a2 = madd(a2, v128.load(q1, 32), t); b2 = madd(b2, v128.load(q3, 32), t);
                t = v128.load(wp, 352); a2 = madd(a2, u, t); b2 = madd(b2, v128.load(q4, 32), t);
                t = v128.load(wp, 480); u = v128.load(q2, 48);
                a3 = madd(a3, v128.load(q0, 48), t); b3 = madd(b3, u, t);
                t = v128.load(wp, 496); a3 = madd(a3, v128.load(q1, 48), t); b3 = madd(b3, v128.load(q3, 48), t);
                t = v128.load(wp, 512); a3 = madd(a3, u, t); b3 = madd(b3, v128.load(q4, 48), t);
              }
            }
            const o0 = ob + cb, o1 = o0 + pxOut;
            v128.store(o0, clampV(a0, vlo, vhi, clamp)); v128.store(o0, clampV(a1, vlo, vhi, clamp), 16);
            v128.store(o0, clampV(a2, vlo, vhi, clamp), 32); v128.store(o0, clampV(a3, vlo, vhi, clamp), 48);
            v128.store(o1, clampV(b0, vlo, vhi, clamp)); v128.store(o1, clampV(b1, vlo, vhi, clamp), 16);
            v128.store(o1, clampV(b2, vlo, vhi, clamp), 32); v128.store(o1, clampV(b3, vlo, vhi, clamp), 48);
          }
          for (; c0 < c; c0 += 4, tp += DW3_GROUP) {
            const cb = <usize>c0 * 4;
            const i0 = ib + cb, i1 = i0 + rowIn, i2 = i1 + rowIn;
            const bias = v128.load(tp);
            let x0 = v128.load(i0), x1 = v128.load(i0 + pxIn), x2 = v128.load(i0 + 2 * pxIn);
            let x3 = v128.load(i0 + 3 * pxIn), x4 = s == 2 ? v128.load(i0 + 4 * pxIn) : x3;
            let w = v128.load(tp, 16);
            let a = madd(bias, x0, w);
            let b = madd(bias, s == 1 ? x1 : x2, w);
            w = v128.load(tp, 32);
            a = madd(a, x1, w);
            b = madd(b, s == 1 ? x2 : x3, w);
            w = v128.load(tp, 48);
            a = madd(a, x2, w);
            b = madd(b, s == 1 ? x3 : x4, w);
            x0 = v128.load(i1); x1 = v128.load(i1 + pxIn); x2 = v128.load(i1 + 2 * pxIn);
            x3 = v128.load(i1 + 3 * pxIn); x4 = s == 2 ? v128.load(i1 + 4 * pxIn) : x3;
            w = v128.load(tp, 64);
            let a2 = f32x4.mul(x0, w);
            let b2 = f32x4.mul(s == 1 ? x1 : x2, w);
            w = v128.load(tp, 80);
            a2 = madd(a2, x1, w);
            b2 = madd(b2, s == 1 ? x2 : x3, w);
            w = v128.load(tp, 96);
            a2 = madd(a2, x2, w);
            b2 = madd(b2, s == 1 ? x3 : x4, w);
            x0 = v128.load(i2); x1 = v128.load(i2 + pxIn); x2 = v128.load(i2 + 2 * pxIn);
            x3 = v128.load(i2 + 3 * pxIn); x4 = s == 2 ? v128.load(i2 + 4 * pxIn) : x3;
            w = v128.load(tp, 112);
            a = madd(a, x0, w);
            b = madd(b, s == 1 ? x1 : x2, w);
            w = v128.load(tp, 128);
            a2 = madd(a2, x1, w);
            b2 = madd(b2, s == 1 ? x2 : x3, w);
            w = v128.load(tp, 144);
            a = madd(a, x2, w);
            b = madd(b, s == 1 ? x3 : x4, w);
            a = clampV(f32x4.add(a, a2), vlo, vhi, clamp);
            b = clampV(f32x4.add(b, b2), vlo, vhi, clamp);
            if (c - c0 >= 4) { v128.store(ob + cb, a); v128.store(ob + pxOut + cb, b); }
            else { storeLanes(ob + cb, a, c - c0); storeLanes(ob + pxOut + cb, b, c - c0); }
          }
        }
        for (; ox < oxHi; ox++) {
          const ib = r0 + <usize>(ox * s - pl) * pxIn;
          const ob = orow + <usize>ox * pxOut;
          let tp = packed;
          let c0 = 0;
          for (; lines4 && c0 + 16 <= c; c0 += 16, tp += 4 * DW3_GROUP) {
            const cb = <usize>c0 * 4;
            let a0 = v128.load(tp), a1 = v128.load(tp, 160), a2 = v128.load(tp, 320), a3 = v128.load(tp, 480);
            let q0 = ib + cb, wp = tp + 16;
            for (let ky = 0; ky < 3; ky++, q0 += rowIn, wp += 48) {
              const q1 = q0 + pxIn, q2 = q1 + pxIn;
              a0 = madd(madd(madd(a0, v128.load(q0), v128.load(wp)), v128.load(q1), v128.load(wp, 16)), v128.load(q2), v128.load(wp, 32));
              a1 = madd(madd(madd(a1, v128.load(q0, 16), v128.load(wp, 160)), v128.load(q1, 16), v128.load(wp, 176)), v128.load(q2, 16), v128.load(wp, 192));
              a2 = madd(madd(madd(a2, v128.load(q0, 32), v128.load(wp, 320)), v128.load(q1, 32), v128.load(wp, 336)), v128.load(q2, 32), v128.load(wp, 352));
              a3 = madd(madd(madd(a3, v128.load(q0, 48), v128.load(wp, 480)), v128.load(q1, 48), v128.load(wp, 496)), v128.load(q2, 48), v128.load(wp, 512));
            }
            const o0 = ob + cb;
            v128.store(o0, clampV(a0, vlo, vhi, clamp)); v128.store(o0, clampV(a1, vlo, vhi, clamp), 16);
            v128.store(o0, clampV(a2, vlo, vhi, clamp), 32); v128.store(o0, clampV(a3, vlo, vhi, clamp), 48);
          }
          for (; c0 < c; c0 += 4, tp += DW3_GROUP) {
            const cb = <usize>c0 * 4;
            const i0 = ib + cb, i1 = i0 + rowIn, i2 = i1 + rowIn;
            let acc = madd(v128.load(tp), v128.load(i0), v128.load(tp, 16));
            acc = madd(acc, v128.load(i0 + pxIn), v128.load(tp, 32));
            acc = madd(acc, v128.load(i0 + 2 * pxIn), v128.load(tp, 48));
            let acc2 = f32x4.mul(v128.load(i1), v128.load(tp, 64));
            acc2 = madd(acc2, v128.load(i1 + pxIn), v128.load(tp, 80));
            acc2 = madd(acc2, v128.load(i1 + 2 * pxIn), v128.load(tp, 96));
            acc = madd(acc, v128.load(i2), v128.load(tp, 112));
            acc2 = madd(acc2, v128.load(i2 + pxIn), v128.load(tp, 128));
            acc = madd(acc, v128.load(i2 + 2 * pxIn), v128.load(tp, 144));
            acc = clampV(f32x4.add(acc, acc2), vlo, vhi, clamp);
            if (c - c0 >= 4) v128.store(ob + cb, acc);
            else storeLanes(ob + cb, acc, c - c0);
          }
        }
        continue;
      }
      // Blocks of 8 output pixels, all channel groups per block: the block's input window
      // (3 rows x ~9..17 pixels x C) stays in L1 while the nine taps of each group sit in registers.
      for (let bx = oxLo; bx < oxHi; bx += 8) {
        const ex = min(bx + 8, oxHi);
        let tp = packed;
        for (let c0 = 0; c0 < c; c0 += 4, tp += DW3_GROUP) {
          const cb = <usize>c0 * 4;
          const bias = v128.load(tp);
          const w0 = v128.load(tp, 16), w1 = v128.load(tp, 32), w2 = v128.load(tp, 48);
          const w3 = v128.load(tp, 64), w4 = v128.load(tp, 80), w5 = v128.load(tp, 96);
          const w6 = v128.load(tp, 112), w7 = v128.load(tp, 128), w8 = v128.load(tp, 144);
          let i0 = r0 + <usize>(bx * s - pl) * pxIn + cb;
          let o = orow + <usize>bx * pxOut + cb;
          const step = <usize>s * pxIn;
          const nvalid = c - c0;
          for (let ox = bx; ox < ex; ox++) {
            const i1 = i0 + rowIn, i2 = i1 + rowIn;
            let acc = madd(bias, v128.load(i0), w0);
            acc = madd(acc, v128.load(i0 + pxIn), w1);
            acc = madd(acc, v128.load(i0 + 2 * pxIn), w2);
            let acc2 = f32x4.mul(v128.load(i1), w3);
            acc2 = madd(acc2, v128.load(i1 + pxIn), w4);
            acc2 = madd(acc2, v128.load(i1 + 2 * pxIn), w5);
            acc = madd(acc, v128.load(i2), w6);
            acc2 = madd(acc2, v128.load(i2 + pxIn), w7);
            acc = madd(acc, v128.load(i2 + 2 * pxIn), w8);
            acc = clampV(f32x4.add(acc, acc2), vlo, vhi, clamp);
            if (nvalid >= 4) v128.store(o, acc);
            else storeLanes(o, acc, nvalid);
            i0 += step;
            o += pxOut;
          }
        }
      }
    }
  }
}

/** 3x3 depthwise, stride 1 (MobileNet's s1 rows). */
export function f32_dwconv_3x3s1(x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, oy0: i32, oy1: i32): void {
  dw3x3(1, x, n, h, w, cx, c, pt, pl, ho, wo, packed, out, ldo, lo, hi, clamp, oy0, oy1);
}

/** 3x3 depthwise, stride 2 (MobileNet's downsampling rows). */
export function f32_dwconv_3x3s2(x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32, ho: i32, wo: i32,
  packed: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, oy0: i32, oy1: i32): void {
  dw3x3(2, x, n, h, w, cx, c, pt, pl, ho, wo, packed, out, ldo, lo, hi, clamp, oy0, oy1);
}
