// Activation memory planning: every buffer has a lifetime [first step, last step]; buffers whose
// lifetimes overlap must not overlap in memory. Greedy by size (largest first, lowest offset that
// fits), the strategy TFLite's arena planner uses: simple and close to optimal on CNN chains.

export interface BufferRequest {
  id: number;
  /** size in floats */
  floats: number;
  first: number;
  last: number;
}

export interface MemoryPlan {
  /** offset in floats of each buffer id */
  offsets: Map<number, number>;
  /** arena size in floats */
  arenaFloats: number;
  /** sum of all buffer sizes in floats (what allocating every activation separately would take) */
  naiveFloats: number;
}

/** Rounds to 16 floats (one cache line) so every buffer starts cache-line aligned. */
const ALIGN = 16;

export function planMemory(reqs: BufferRequest[]): MemoryPlan {
  const sorted = [...reqs].sort((a, b) => b.floats - a.floats || a.first - b.first);
  const placed: { off: number; size: number; first: number; last: number }[] = [];
  const offsets = new Map<number, number>();
  let arena = 0;
  for (const r of sorted) {
    const size = Math.ceil(r.floats / ALIGN) * ALIGN;
    const live = placed
      .filter((p) => p.first <= r.last && r.first <= p.last)
      .sort((a, b) => a.off - b.off);
    let off = 0;
    for (const p of live) {
      if (off + size <= p.off) break;
      off = Math.max(off, p.off + p.size);
    }
    placed.push({ off, size, first: r.first, last: r.last });
    offsets.set(r.id, off);
    arena = Math.max(arena, off + size);
  }
  return { offsets, arenaFloats: arena, naiveFloats: reqs.reduce((s, r) => s + r.floats, 0) };
}
