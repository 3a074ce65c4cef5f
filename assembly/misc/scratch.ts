// Per-thread scratch for the few kernels that stage a tile outside the caller's buffers (GEMM
// N tails, GEMV tails, Winograd patches). It starts in static data; a thread of the threaded
// build points it at a block of its own with set_scratch, because static data is one region of
// the shared memory and two threads staging tiles there at once would overwrite each other.
// Globals are per instance, so each thread's instance keeps its own pointer.

/** Bytes of scratch a thread needs: GEMM tail 224 at 0, GEMV tail 32 at 256, Winograd 2 x 576 at 512. */
export const SCRATCH_BYTES: usize = 2048;
export const GEMM_TAIL: usize = 0;
export const GEMV_TAIL: usize = 256;
export const WINO_PATCH: usize = 512;
export const WINO_TMP: usize = 512 + 576;

export let scratch: usize = memory.data(<i32>SCRATCH_BYTES, 16);

/** Points this instance's scratch at `p` (SCRATCH_BYTES bytes, 16-byte aligned). */
export function set_scratch(p: usize): void { scratch = p; }

/** Bytes of scratch set_scratch needs. */
export function scratch_bytes(): usize { return SCRATCH_BYTES; }
