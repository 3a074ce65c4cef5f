// Entry for the tile-shape study only (npm run bench:tiles): every generated tile with its own
// blocked driver, so shapes can be compared in one run. Not shipped.
export { f32_gemm_pack } from './gemm/common';
export { f32_peak_muladd } from './misc/peak';
export { f32_gemm_8x8_run } from './gemm/f32_gemm_8x8';
export { f32_gemm_7x8_run } from './gemm/f32_gemm_7x8';
export { f32_gemm_4x8_run } from './gemm/f32_gemm_4x8';
export { f32_gemm_2x16_run } from './gemm/f32_gemm_2x16';
export { f32_gemm_3x16_run } from './gemm/f32_gemm_3x16';
export { f32_gemm_5x8_run } from './gemm/f32_gemm_5x8';
export { f32_gemm_6x8_run } from './gemm/f32_gemm_6x8';
export { f32_gemm_1x16_run } from './gemm/f32_gemm_1x16';
export function heap_base(): usize { return (__heap_base + 63) & ~63; }
