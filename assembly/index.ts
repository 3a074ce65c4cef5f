// The shipped kernel module: pointers (byte offsets), counts and strides in; no allocation.
export { f32_gemm_pack } from './gemm/common';
export { f32_gemm } from './gemm/gen/f32_gemm';
export { f32_gemv } from './gemm/f32_gemv';
export { gemm_config } from './gemm/gen/config';
export { f32_im2col } from './conv/f32_im2col';
export { f32_conv_im2col, f32_conv1x1 } from './conv/f32_conv';
export { f32_conv_winograd, f32_conv_winograd1d, f32_winograd_filter, f32_winograd1d_filter } from './conv/f32_winograd';
export { f32_dwconv, f32_dwconv_3x3s1, f32_dwconv_3x3s2 } from './dwconv/f32_dwconv';
export { f32_maxpool, f32_avgpool, f32_global_avgpool, f32_global_maxpool } from './pool/f32_pool';
export { f32_add, f32_add_scaled, f32_scale, f32_channel_shuffle, f32_clamp, f32_scale_shift, f32_lrn, f32_softmax, f32_sigmoid, f32_leaky_relu, f32_channel_mul, f32_channel_mul_add } from './eltwise/f32_eltwise';
export { f32_copy_strided } from './misc/copy';
export { f32_find_nonfinite } from './misc/finite';
export { f32_peak_muladd } from './misc/peak';
export { set_scratch, scratch_bytes } from './misc/scratch';

/** First byte the host may use for its own allocations (after static data), cache-line aligned. */
export function heap_base(): usize { return (__heap_base + 63) & ~63; }
