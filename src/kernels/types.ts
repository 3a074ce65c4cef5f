// The small vocabulary the kernels, ops and the graph IR share.

/** Activation fused into an epilogue (or a standalone clamp). */
export type Activation = 'none' | 'relu' | 'relu6';

/** Padding as [top, left, bottom, right] in pixels. */
export type Pad4 = [number, number, number, number];

/** [height, width] of a kernel, stride or dilation. */
export type Pair = [number, number];
