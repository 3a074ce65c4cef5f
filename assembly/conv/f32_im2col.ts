import { copyF32, zeroF32 } from '../misc/copy';

/**
 * im2col for one image and one channel group, rows p0 .. p0+np of the output (row = oy*wo + ox).
 * x points at channel 0 of the group at pixel (0,0); pixels are cx floats apart; cg channels are
 * taken per tap. Each row of `out` is kh*kw*cg floats in (ky, kx, c) order — the K order of
 * packed HWIO weights. Taps that fall in the padding are zeros.
 */
export function f32_im2col(x: usize, h: i32, w: i32, cx: i32, cg: i32, kh: i32, kw: i32, sh: i32, sw: i32,
  dh: i32, dw: i32, pt: i32, pl: i32, wo: i32, p0: i32, np: i32, out: usize): void {
  const rowLen = kh * kw * cg;
  // With dilation 1 and a whole pixel per tap, the kw taps of one kernel row are one contiguous run.
  const runs = dw == 1 && cg == cx;
  let o = out;
  for (let p = p0; p < p0 + np; p++) {
    const oy = p / wo;
    const ox = p - oy * wo;
    const iy0 = oy * sh - pt;
    const ix0 = ox * sw - pl;
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      const rowOut = o + <usize>(ky * kw * cg) * 4;
      if (iy < 0 || iy >= h) {
        zeroF32(rowOut, kw * cg);
        continue;
      }
      const rowIn = x + <usize>iy * <usize>w * <usize>cx * 4;
      if (runs && ix0 >= 0 && ix0 + kw <= w) {
        copyF32(rowOut, rowIn + <usize>ix0 * <usize>cx * 4, kw * cg);
        continue;
      }
      for (let kx = 0; kx < kw; kx++) {
        const ix = ix0 + kx * dw;
        const dst = rowOut + <usize>(kx * cg) * 4;
        if (ix < 0 || ix >= w) zeroF32(dst, cg);
        else copyF32(dst, rowIn + <usize>ix * <usize>cx * 4, cg);
      }
    }
    o += <usize>rowLen * 4;
  }
}
