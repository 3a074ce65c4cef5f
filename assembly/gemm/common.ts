// Shared pieces of the GEMM family: tail copies and weight packing (the blocking rules are in
// gen/config.ts, generated from the table in scripts/gen-gemm.mjs).

/** Copies an mr x nc block of floats between two row-strided buffers (GEMM N tails). */
export function copyCols(mr: i32, nc: i32, src: usize, lds: usize, dst: usize, ldd: usize): void {
  for (let i = 0; i < mr; i++) {
    memory.copy(dst + <usize>i * ldd, src + <usize>i * lds, <usize>nc * 4);
  }
}

/**
 * Packs W (k x n, row stride ldw floats, as HWIO / [k][n]) and bias (n floats, or 0 for none)
 * into NR-wide panels: per panel, NR bias values then k rows of NR weights, zero-padded past n.
 * With `scale` (n floats, or 0 for none) every weight of column j is multiplied by scale[j] on
 * the way: a batch norm folded while packing instead of in a pass of its own over the weights.
 * Writes ceil(n/NR) * (k+1) * NR floats at out.
 */
export function f32_gemm_pack(nr: i32, n: i32, k: i32, w: usize, ldw: usize, bias: usize, out: usize, scale: usize): void {
  const npanels = (n + nr - 1) / nr;
  let o = out;
  for (let p = 0; p < npanels; p++) {
    const n0 = p * nr;
    const nc = min(nr, n - n0);
    if (nc == nr && (nr & 3) == 0) {
      // a full panel: whole vectors, no per-float tail test (packing is most of a compile)
      for (let j = 0; j < nr; j += 4) {
        v128.store(o + <usize>j * 4, bias != 0 ? v128.load(bias + <usize>(n0 + j) * 4) : f32x4.splat(0));
      }
      o += <usize>nr * 4;
      if (scale != 0) {
        const sc = scale + <usize>n0 * 4;
        for (let kk = 0; kk < k; kk++) {
          const src = w + (<usize>kk * ldw + <usize>n0) * 4;
          for (let j = 0; j < nr; j += 4) {
            v128.store(o + <usize>j * 4, f32x4.mul(v128.load(src + <usize>j * 4), v128.load(sc + <usize>j * 4)));
          }
          o += <usize>nr * 4;
        }
        continue;
      }
      for (let kk = 0; kk < k; kk++) {
        const src = w + (<usize>kk * ldw + <usize>n0) * 4;
        for (let j = 0; j < nr; j += 4) v128.store(o + <usize>j * 4, v128.load(src + <usize>j * 4));
        o += <usize>nr * 4;
      }
      continue;
    }
    for (let j = 0; j < nr; j++) {
      store<f32>(o + <usize>j * 4, j < nc && bias != 0 ? load<f32>(bias + <usize>(n0 + j) * 4) : 0);
    }
    o += <usize>nr * 4;
    for (let kk = 0; kk < k; kk++) {
      const src = w + (<usize>kk * ldw + <usize>n0) * 4;
      for (let j = 0; j < nr; j++) {
        const v = j < nc ? load<f32>(src + <usize>j * 4) : 0;
        store<f32>(o + <usize>j * 4, scale != 0 && j < nc ? v * load<f32>(scale + <usize>(n0 + j) * 4) : v);
      }
      o += <usize>nr * 4;
    }
  }
}
