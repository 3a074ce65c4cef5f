// placeholder until the generated table lands
export const GEMM_MR = 7;
export const GEMM_NR = 8;
export function packedGemmFloats(k: number, n: number): number {
  return Math.ceil(n / GEMM_NR) * (k + 1) * GEMM_NR;
}
