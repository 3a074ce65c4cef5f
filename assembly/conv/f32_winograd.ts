// Winograd convolution for 3x3 stride-1 layers (Lavin & Gray 2016), NHWC, channels in v128 lanes.
// F(m x m, 3x3) with m = 2 (4x4 tiles, exact-ish: transform coefficients 0/±1) or m = 4 (6x6
// tiles, 4x fewer multiplies than direct, coefficients up to 8 so rounding grows a little).
// Per band of output tile rows: the input transform writes alpha^2 matrices V[xi] = [tiles x C],
// alpha^2 packed GEMMs give M[xi] = V[xi] * U[xi] (U = G g G^T packed once), and the output
// transform folds each tile back to m x m pixels with bias and clamp fused.
import { f32_gemm } from '../gemm/gen/f32_gemm';
import { GEMM_NR } from '../gemm/gen/config';
import { storeLanes } from '../misc/lanes';

import { scratch, WINO_PATCH, WINO_TMP } from '../misc/scratch';

// @ts-ignore: decorator
@inline function splat(v: f32): v128 { return f32x4.splat(v); }

/** B^T for F(2,3) along one direction: 4 vectors (stride ss bytes) -> 4 (stride ds). */
// @ts-ignore: decorator
@inline function bt4(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s), d1 = v128.load(s + ss), d2 = v128.load(s + 2 * ss), d3 = v128.load(s + 3 * ss);
  v128.store(d, f32x4.sub(d0, d2));
  v128.store(d + ds, f32x4.add(d1, d2));
  v128.store(d + 2 * ds, f32x4.sub(d2, d1));
  v128.store(d + 3 * ds, f32x4.sub(d1, d3));
}

/** B^T for F(4,3): 6 -> 6. */
// @ts-ignore: decorator
@inline function bt6(s: usize, ss: usize, d: usize, ds: usize): void {
  const d0 = v128.load(s), d1 = v128.load(s + ss), d2 = v128.load(s + 2 * ss);
  const d3 = v128.load(s + 3 * ss), d4 = v128.load(s + 4 * ss), d5 = v128.load(s + 5 * ss);
  const four = splat(4), five = splat(5), two = splat(2);
  const t0 = f32x4.sub(d4, f32x4.mul(four, d2));
  const t1 = f32x4.sub(d3, f32x4.mul(four, d1));
  const t2 = f32x4.sub(d4, d2);
  const t3 = f32x4.mul(two, f32x4.sub(d3, d1));
  v128.store(d, f32x4.add(f32x4.sub(f32x4.mul(four, d0), f32x4.mul(five, d2)), d4));
  v128.store(d + ds, f32x4.add(t0, t1));
  v128.store(d + 2 * ds, f32x4.sub(t0, t1));
  v128.store(d + 3 * ds, f32x4.add(t2, t3));
  v128.store(d + 4 * ds, f32x4.sub(t2, t3));
  v128.store(d + 5 * ds, f32x4.add(f32x4.sub(f32x4.mul(four, d1), f32x4.mul(five, d3)), d5));
}

/** A^T for F(2,3): 4 -> 2. */
// @ts-ignore: decorator
@inline function at4(s: usize, ss: usize, d: usize, ds: usize): void {
  const m0 = v128.load(s), m1 = v128.load(s + ss), m2 = v128.load(s + 2 * ss), m3 = v128.load(s + 3 * ss);
  v128.store(d, f32x4.add(f32x4.add(m0, m1), m2));
  v128.store(d + ds, f32x4.sub(f32x4.sub(m1, m2), m3));
}

/** A^T for F(4,3): 6 -> 4. */
// @ts-ignore: decorator
@inline function at6(s: usize, ss: usize, d: usize, ds: usize): void {
  const m0 = v128.load(s), m1 = v128.load(s + ss), m2 = v128.load(s + 2 * ss);
  const m3 = v128.load(s + 3 * ss), m4 = v128.load(s + 4 * ss), m5 = v128.load(s + 5 * ss);
  const s12 = f32x4.add(m1, m2), d12 = f32x4.sub(m1, m2);
  const s34 = f32x4.add(m3, m4), d34 = f32x4.sub(m3, m4);
  v128.store(d, f32x4.add(f32x4.add(m0, s12), s34));
  v128.store(d + ds, f32x4.add(d12, f32x4.mul(splat(2), d34)));
  v128.store(d + 2 * ds, f32x4.add(s12, f32x4.mul(splat(4), s34)));
  v128.store(d + 3 * ds, f32x4.add(f32x4.add(d12, f32x4.mul(splat(8), d34)), m5));
}

/**
 * Input transform of tiles [t0, t0 + nt) counted over the batch (tile t of image b = t / tiles is
 * tt = t % tiles = ty * ntx + tx, origin (ty*m - pt, tx*m - pl); images imgStride bytes apart):
 * V[xi][t - t0][c] for xi in 0..alpha^2, rows c4 floats apart, matrices xiStride bytes apart.
 * Pixels outside the image are zero (the padding).
 */
function winoInput(m: i32, x0: usize, imgStride: usize, tiles: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32,
  t0: i32, nt: i32, ntx: i32, V: usize, c4: i32, xiStride: usize): void {
  const a = m + 2;
  const PATCH = scratch + WINO_PATCH, TMP = scratch + WINO_TMP; // alpha x alpha vectors each
  const vs = <usize>a * 16; // PATCH row stride: alpha vectors
  for (let t = t0; t < t0 + nt; t++) {
    const b = t / tiles, tt = t - b * tiles;
    const x = x0 + <usize>b * imgStride;
    const ty = tt / ntx, tx = tt - ty * ntx;
    const iy0 = ty * m - pt, ix0 = tx * m - pl;
    const inside = iy0 >= 0 && ix0 >= 0 && iy0 + a <= h && ix0 + a <= w;
    const vrow = V + <usize>(t - t0) * <usize>c4 * 4;
    for (let c0 = 0; c0 < c; c0 += 4) {
      // gather the alpha x alpha patch of 4 channels
      for (let i = 0; i < a; i++) {
        const iy = iy0 + i;
        const prow = PATCH + <usize>i * vs;
        if (inside) {
          const src = x + (<usize>(iy * w + ix0) * <usize>cx + <usize>c0) * 4;
          for (let j = 0; j < a; j++) v128.store(prow + <usize>j * 16, v128.load(src + <usize>j * <usize>cx * 4));
        } else {
          for (let j = 0; j < a; j++) {
            const ix = ix0 + j;
            let v = i32x4.splat(0);
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = v128.load(x + (<usize>(iy * w + ix) * <usize>cx + <usize>c0) * 4);
            v128.store(prow + <usize>j * 16, v);
          }
        }
      }
      // rows then columns; the column pass writes straight into V
      const dst = vrow + <usize>c0 * 4;
      if (m == 2) {
        for (let j = 0; j < 4; j++) bt4(PATCH + <usize>j * 16, vs, TMP + <usize>j * 16, vs);
        for (let i = 0; i < 4; i++) bt4(TMP + <usize>i * vs, 16, dst + <usize>(i * 4) * xiStride, xiStride);
      } else {
        for (let j = 0; j < 6; j++) bt6(PATCH + <usize>j * 16, vs, TMP + <usize>j * 16, vs);
        for (let i = 0; i < 6; i++) bt6(TMP + <usize>i * vs, 16, dst + <usize>(i * 6) * xiStride, xiStride);
      }
    }
  }
}

/**
 * Output transform of tiles [t0, t0 + nt) counted over the batch (as winoInput; output images
 * imgStride bytes apart), channels [kBegin, k): M[xi][t][k] -> m x m pixels, + bias, clamp.
 */
function winoOutput(m: i32, M: usize, kBegin: i32, k: i32, k4: i32, xiStride: usize, t0: i32, nt: i32, ntx: i32, tiles: i32,
  ho: i32, wo: i32, bias: usize, out0: usize, imgStride: usize, ldo: i32, lo: f32, hi: f32, clamp: i32): void {
  const a = m + 2;
  const PATCH = scratch + WINO_PATCH, TMP = scratch + WINO_TMP;
  const vs = <usize>a * 16;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let t = t0; t < t0 + nt; t++) {
    const b = t / tiles, tt = t - b * tiles;
    const out = out0 + <usize>b * imgStride;
    const ty = tt / ntx, tx = tt - ty * ntx;
    const oy0 = ty * m, ox0 = tx * m;
    const src = M + <usize>(t - t0) * <usize>k4 * 4;
    for (let k0 = kBegin; k0 < k; k0 += 4) {
      const s = src + <usize>k0 * 4;
      // rows of the alpha x alpha block: at() over xi = i*alpha + j along j, into TMP (alpha x m)
      if (m == 2) {
        for (let i = 0; i < 4; i++) at4(s + <usize>(i * 4) * xiStride, xiStride, TMP + <usize>i * vs, 16);
        for (let j = 0; j < 2; j++) at4(TMP + <usize>j * 16, vs, PATCH + <usize>j * 16, vs);
      } else {
        for (let i = 0; i < 6; i++) at6(s + <usize>(i * 6) * xiStride, xiStride, TMP + <usize>i * vs, 16);
        for (let j = 0; j < 4; j++) at6(TMP + <usize>j * 16, vs, PATCH + <usize>j * 16, vs);
      }
      const b = v128.load(bias + <usize>k0 * 4);
      const nk = k - k0;
      for (let i = 0; i < m; i++) {
        const oy = oy0 + i;
        if (oy >= ho) break;
        for (let j = 0; j < m; j++) {
          const ox = ox0 + j;
          if (ox >= wo) break;
          let v = f32x4.add(v128.load(PATCH + <usize>i * vs + <usize>j * 16), b);
          if (clamp) v = f32x4.pmin(f32x4.pmax(v, vlo), vhi);
          storeLanes(out + (<usize>(oy * wo + ox) * <usize>ldo + <usize>k0) * 4, v, nk);
        }
      }
    }
  }
}

/**
 * 3x3 stride-1 convolution by Winograd F(m x m, 3x3), m = 2 or 4. U: alpha^2 GEMM-packed C x K
 * matrices (zero bias), `uStride` bytes apart; bias: k floats padded to a multiple of 4.
 * Workspace: V (alpha^2 x bandTiles x c4) and Mb (alpha^2 x bandTiles x k4) floats.
 * A thread's share, with a workspace of its own: tiles [tBegin, tEnd) of each image (row-major
 * over the tile grid; a share of all of them takes the batch's tiles in bands that cross images)
 * and output channels [nBegin, nEnd) (nBegin a multiple of the panel width: few tiles, as on 7x7
 * maps, split by channels so each thread streams only its part of U). Tiles and channels are
 * independent, so any split gives the same bits.
 */
export function f32_conv_winograd(m: i32, x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32,
  ho: i32, wo: i32, U: usize, uStride: usize, k: i32, bias: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32,
  V: usize, Mb: usize, bandTiles: i32, tBegin: i32, tEnd: i32, nBegin: i32, nEnd: i32): void {
  const a = m + 2;
  const xis = a * a;
  const c4 = (c + 3) & ~3, k4 = (k + 3) & ~3;
  const nty = (ho + m - 1) / m, ntx = (wo + m - 1) / m;
  const tiles = nty * ntx;
  const kEnd = min(nEnd, k);
  if (kEnd <= nBegin) return;
  const panelOffset = <usize>(nBegin / GEMM_NR) * <usize>(c + 1) * <usize>GEMM_NR * 4;
  const inStride = <usize>h * <usize>w * <usize>cx * 4, outStride = <usize>ho * <usize>wo * <usize>ldo * 4;
  const t1 = min(tEnd, tiles);
  // A share of every tile runs its bands on across images (a 7x7 map has 4 F(4x4) tiles an
  // image: batched, the alpha^2 GEMMs get rows enough to stream U once per band, not per image).
  const whole = tBegin == 0 && t1 == tiles;
  const runs = whole ? 1 : n;
  for (let b = 0; b < runs; b++) {
    const g0 = whole ? 0 : b * tiles + tBegin, g1 = whole ? n * tiles : b * tiles + t1;
    for (let t0 = g0; t0 < g1; t0 += bandTiles) {
      const nt = min(bandTiles, g1 - t0);
      const vStride = <usize>nt * <usize>c4 * 4, mStride = <usize>nt * <usize>k4 * 4;
      winoInput(m, x, inStride, tiles, h, w, cx, c, pt, pl, t0, nt, ntx, V, c4, vStride);
      for (let xi = 0; xi < xis; xi++) {
        f32_gemm(nt, kEnd - nBegin, c, V + <usize>xi * vStride, <usize>c4 * 4, U + <usize>xi * uStride + panelOffset,
          Mb + <usize>xi * mStride + <usize>nBegin * 4, <usize>k4 * 4, 0, 0, 0);
      }
      winoOutput(m, Mb, nBegin, kEnd, k4, mStride, t0, nt, ntx, tiles, ho, wo, bias, out, outStride, ldo, lo, hi, clamp);
    }
  }
}

// 1-D Winograd F(m, r) for the 1 x r and r x 1 layers (Inception's factorised 7-tap convolutions):
// the transform runs along one axis only, so n = m + r - 1 transformed matrices stand in for the
// r taps, r*m/n fewer multiplies (F(4,7): 2.8x). The transform matrices come from the caller
// (n x n B^T, m x n A^T, row-major f32), built for the tile and points it chose, so one kernel
// serves any m and r with n <= 10 (the scratch patch holds 36 vectors).

/** Input transform of tiles [t0, t0 + nt) (grid nty x ntx per image, tile (ty, tx) at input (ty*my - pt, tx*mx - pl), n pixels along the axis). */
function wino1Input(axis: i32, m: i32, r: i32, x0: usize, imgStride: usize, tiles: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32,
  t0: i32, nt: i32, ntx: i32, V: usize, c4: i32, xiStride: usize, BT: usize): void {
  const n = m + r - 1;
  const PATCH = scratch + WINO_PATCH;
  const my = axis ? m : 1, mx = axis ? 1 : m;
  const dy = axis, dx = 1 - axis;
  for (let t = t0; t < t0 + nt; t++) {
    const b = t / tiles, tt = t - b * tiles;
    const x = x0 + <usize>b * imgStride;
    const ty = tt / ntx, tx = tt - ty * ntx;
    const iy0 = ty * my - pt, ix0 = tx * mx - pl;
    const inside = iy0 >= 0 && ix0 >= 0 && iy0 + dy * (n - 1) < h && ix0 + dx * (n - 1) < w;
    const step = <usize>(dy * w + dx) * <usize>cx * 4;
    const vrow = V + <usize>(t - t0) * <usize>c4 * 4;
    for (let c0 = 0; c0 < c; c0 += 4) {
      if (inside) {
        let src = x + (<usize>(iy0 * w + ix0) * <usize>cx + <usize>c0) * 4;
        for (let j = 0; j < n; j++, src += step) v128.store(PATCH + <usize>j * 16, v128.load(src));
      } else {
        for (let j = 0; j < n; j++) {
          const iy = iy0 + j * dy, ix = ix0 + j * dx;
          let v = i32x4.splat(0);
          if (iy >= 0 && iy < h && ix >= 0 && ix < w) v = v128.load(x + (<usize>(iy * w + ix) * <usize>cx + <usize>c0) * 4);
          v128.store(PATCH + <usize>j * 16, v);
        }
      }
      const dst = vrow + <usize>c0 * 4;
      let row = BT;
      for (let i = 0; i < n; i++) {
        let acc = i32x4.splat(0);
        for (let j = 0; j < n; j++, row += 4) {
          const q = load<f32>(row);
          if (q != 0) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(q), v128.load(PATCH + <usize>j * 16)));
        }
        v128.store(dst + <usize>i * xiStride, acc);
      }
    }
  }
}

/** Output transform of tiles [t0, t0 + nt), channels [kBegin, k): n matrices -> m pixels along the axis, + bias, clamp. */
function wino1Output(axis: i32, m: i32, r: i32, M: usize, kBegin: i32, k: i32, k4: i32, xiStride: usize, t0: i32, nt: i32, ntx: i32, tiles: i32,
  ho: i32, wo: i32, bias: usize, out0: usize, imgStride: usize, ldo: i32, lo: f32, hi: f32, clamp: i32, AT: usize): void {
  const n = m + r - 1;
  const my = axis ? m : 1, mx = axis ? 1 : m;
  const dy = axis, dx = 1 - axis;
  const vlo = f32x4.splat(lo), vhi = f32x4.splat(hi);
  for (let t = t0; t < t0 + nt; t++) {
    const b = t / tiles, tt = t - b * tiles;
    const out = out0 + <usize>b * imgStride;
    const ty = tt / ntx, tx = tt - ty * ntx;
    const oy0 = ty * my, ox0 = tx * mx;
    // outputs of this tile inside the map (the last tile along the axis may hang over)
    const valid = min(m, axis ? ho - oy0 : wo - ox0);
    const src = M + <usize>(t - t0) * <usize>k4 * 4;
    for (let k0 = kBegin; k0 < k; k0 += 4) {
      const s = src + <usize>k0 * 4;
      const bv = v128.load(bias + <usize>k0 * 4);
      const nk = k - k0;
      let row = AT;
      for (let i = 0; i < valid; i++) {
        let acc = bv;
        for (let j = 0; j < n; j++) {
          const q = load<f32>(row + <usize>j * 4);
          if (q != 0) acc = f32x4.add(acc, f32x4.mul(f32x4.splat(q), v128.load(s + <usize>j * xiStride)));
        }
        row += <usize>n * 4;
        if (clamp) acc = f32x4.pmin(f32x4.pmax(acc, vlo), vhi);
        storeLanes(out + (<usize>((oy0 + i * dy) * wo + ox0 + i * dx) * <usize>ldo + <usize>k0) * 4, acc, nk);
      }
    }
  }
}

/**
 * 1 x r (axis 0, along W) or r x 1 (axis 1, along H) stride-1 convolution by 1-D Winograd
 * F(m, r), n = m + r - 1 <= 10. U: n GEMM-packed C x K matrices (zero bias) `uStride` bytes apart;
 * BT (n x n) and AT (m x n) the transforms; bias k floats padded to a multiple of 4. Workspace,
 * threads and bands as f32_conv_winograd: tiles [tBegin, tEnd) of each image (grid ho x ceil(wo/m)
 * along W, ceil(ho/m) x wo along H) and output channels [nBegin, nEnd); any split, same bits.
 */
export function f32_conv_winograd1d(axis: i32, m: i32, r: i32, x: usize, n: i32, h: i32, w: i32, cx: i32, c: i32, pt: i32, pl: i32,
  ho: i32, wo: i32, U: usize, uStride: usize, k: i32, bias: usize, out: usize, ldo: i32, lo: f32, hi: f32, clamp: i32,
  BT: usize, AT: usize, V: usize, Mb: usize, bandTiles: i32, tBegin: i32, tEnd: i32, nBegin: i32, nEnd: i32): void {
  const xis = m + r - 1;
  const c4 = (c + 3) & ~3, k4 = (k + 3) & ~3;
  const nty = axis ? (ho + m - 1) / m : ho, ntx = axis ? wo : (wo + m - 1) / m;
  const tiles = nty * ntx;
  const kEnd = min(nEnd, k);
  if (kEnd <= nBegin) return;
  const panelOffset = <usize>(nBegin / GEMM_NR) * <usize>(c + 1) * <usize>GEMM_NR * 4;
  const inStride = <usize>h * <usize>w * <usize>cx * 4, outStride = <usize>ho * <usize>wo * <usize>ldo * 4;
  const t1 = min(tEnd, tiles);
  const whole = tBegin == 0 && t1 == tiles;
  const runs = whole ? 1 : n;
  for (let b = 0; b < runs; b++) {
    const g0 = whole ? 0 : b * tiles + tBegin, g1 = whole ? n * tiles : b * tiles + t1;
    for (let t0 = g0; t0 < g1; t0 += bandTiles) {
      const nt = min(bandTiles, g1 - t0);
      const vStride = <usize>nt * <usize>c4 * 4, mStride = <usize>nt * <usize>k4 * 4;
      wino1Input(axis, m, r, x, inStride, tiles, h, w, cx, c, pt, pl, t0, nt, ntx, V, c4, vStride, BT);
      for (let xi = 0; xi < xis; xi++) {
        f32_gemm(nt, kEnd - nBegin, c, V + <usize>xi * vStride, <usize>c4 * 4, U + <usize>xi * uStride + panelOffset,
          Mb + <usize>xi * mStride + <usize>nBegin * 4, <usize>k4 * 4, 0, 0, 0);
      }
      wino1Output(axis, m, r, Mb, nBegin, kEnd, k4, mStride, t0, nt, ntx, tiles, ho, wo, bias, out, outStride, ldo, lo, hi, clamp, AT);
    }
  }
}

// G (alpha x 3, row-major) of F(2,3) and F(4,3) in f64: the filter transform runs in double
// precision and rounds once to f32, so U carries one rounding whatever the coefficients.
const WINO_G2: StaticArray<f64> = [1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1];
const WINO_G4: StaticArray<f64> = [
  0.25, 0, 0,
  -0.16666666666666666, -0.16666666666666666, -0.16666666666666666,
  -0.16666666666666666, 0.16666666666666666, -0.16666666666666666,
  0.041666666666666664, 0.08333333333333333, 0.16666666666666666,
  0.041666666666666664, -0.08333333333333333, 0.16666666666666666,
  0, 0, 1,
];

/**
 * Row i of the Winograd filter transform U = G g G^T, for every (input ci, output co) channel
 * pair of a 3x3 HWIO filter `w` (c inputs, k outputs): the alpha matrices U[i][j] (C x K), written
 * interleaved as [ci][j][co], so matrix j starts at out + j*k floats with row stride alpha*k
 * (what f32_gemm_pack reads). Output channels two at a time in f64 lanes; each sum runs in the
 * order of the plain scalar loop (G g first, then times G^T), then rounds to f32.
 */
export function f32_winograd_filter(m: i32, c: i32, k: i32, w: usize, i: i32, out: usize): void {
  const a = m + 2;
  const G = m == 2 ? changetype<usize>(WINO_G2) : changetype<usize>(WINO_G4);
  const gi = G + <usize>i * 24;
  const si0 = load<f64>(gi), si1 = load<f64>(gi, 8), si2 = load<f64>(gi, 16);
  const gi0 = f64x2.splat(si0), gi1 = f64x2.splat(si1), gi2 = f64x2.splat(si2);
  const tap = <usize>c * k * 4, zero = f64x2.splat(0);
  for (let ci = 0; ci < c; ci++) {
    const src = w + <usize>ci * k * 4, dst = out + <usize>ci * a * k * 4;
    let co = 0;
    for (; co + 2 <= k; co += 2) {
      const p = src + <usize>co * 4;
      // gg[x] = sum over y of G[i][y] g[y][x]
      const g00 = f64x2.promote_low_f32x4(v128.load64_zero(p)), g01 = f64x2.promote_low_f32x4(v128.load64_zero(p + tap));
      const g02 = f64x2.promote_low_f32x4(v128.load64_zero(p + 2 * tap)), g10 = f64x2.promote_low_f32x4(v128.load64_zero(p + 3 * tap));
      const g11 = f64x2.promote_low_f32x4(v128.load64_zero(p + 4 * tap)), g12 = f64x2.promote_low_f32x4(v128.load64_zero(p + 5 * tap));
      const g20 = f64x2.promote_low_f32x4(v128.load64_zero(p + 6 * tap)), g21 = f64x2.promote_low_f32x4(v128.load64_zero(p + 7 * tap));
      const g22 = f64x2.promote_low_f32x4(v128.load64_zero(p + 8 * tap));
      const gg0 = f64x2.add(f64x2.add(f64x2.add(zero, f64x2.mul(gi0, g00)), f64x2.mul(gi1, g10)), f64x2.mul(gi2, g20));
      const gg1 = f64x2.add(f64x2.add(f64x2.add(zero, f64x2.mul(gi0, g01)), f64x2.mul(gi1, g11)), f64x2.mul(gi2, g21));
      const gg2 = f64x2.add(f64x2.add(f64x2.add(zero, f64x2.mul(gi0, g02)), f64x2.mul(gi1, g12)), f64x2.mul(gi2, g22));
      for (let j = 0; j < a; j++) {
        const gj = G + <usize>j * 24;
        const s = f64x2.add(f64x2.add(f64x2.add(zero, f64x2.mul(gg0, f64x2.splat(load<f64>(gj)))),
          f64x2.mul(gg1, f64x2.splat(load<f64>(gj, 8)))), f64x2.mul(gg2, f64x2.splat(load<f64>(gj, 16))));
        v128.store64_lane(dst + (<usize>j * k + <usize>co) * 4, f32x4.demote_f64x2_zero(s), 0);
      }
    }
    for (; co < k; co++) {
      const p = src + <usize>co * 4;
      const gg0 = 0 + si0 * <f64>load<f32>(p) + si1 * <f64>load<f32>(p + 3 * tap) + si2 * <f64>load<f32>(p + 6 * tap);
      const gg1 = 0 + si0 * <f64>load<f32>(p + tap) + si1 * <f64>load<f32>(p + 4 * tap) + si2 * <f64>load<f32>(p + 7 * tap);
      const gg2 = 0 + si0 * <f64>load<f32>(p + 2 * tap) + si1 * <f64>load<f32>(p + 5 * tap) + si2 * <f64>load<f32>(p + 8 * tap);
      for (let j = 0; j < a; j++) {
        const gj = G + <usize>j * 24;
        store<f32>(dst + (<usize>j * k + <usize>co) * 4, <f32>(0 + gg0 * load<f64>(gj) + gg1 * load<f64>(gj, 8) + gg2 * load<f64>(gj, 16)));
      }
    }
  }
}

/**
 * One matrix of the 1-D Winograd filter transform: out[i] = sum over taps t < r of g[t] w[t*ck + i]
 * for i < ck, where w holds the r taps of a 1 x r or r x 1 HWIO filter (ck = C*K floats each) and
 * g (r f64 values) is one row of G. Two floats at a time in f64 lanes, the sum in tap order from
 * zero as a scalar loop, rounded once to f32.
 */
export function f32_winograd1d_filter(r: i32, ck: i32, w: usize, g: usize, out: usize): void {
  const tap = <usize>ck * 4, zero = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= ck; i += 2) {
    const p = w + <usize>i * 4;
    let s = zero;
    for (let t = 0; t < r; t++) {
      s = f64x2.add(s, f64x2.mul(f64x2.splat(load<f64>(g + <usize>t * 8)), f64x2.promote_low_f32x4(v128.load64_zero(p + <usize>t * tap))));
    }
    v128.store64_lane(out + <usize>i * 4, f32x4.demote_f64x2_zero(s), 0);
  }
  for (; i < ck; i++) {
    const p = w + <usize>i * 4;
    let s: f64 = 0;
    for (let t = 0; t < r; t++) s += load<f64>(g + <usize>t * 8) * <f64>load<f32>(p + <usize>t * tap);
    store<f32>(out + <usize>i * 4, <f32>s);
  }
}
