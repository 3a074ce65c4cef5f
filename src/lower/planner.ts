// Activation memory planning: every buffer has a lifetime [first step, last step]; buffers whose
// lifetimes overlap must not overlap in memory. Greedy by size (largest first, lowest offset that
// fits), the strategy TFLite's arena planner uses: simple and close to optimal on CNN chains.

import type { Graph } from '../graph/types.js';
import type { NodeOf } from '../graph/ops.js';
import { numel } from '../graph/ops.js';
import { convMemoryFloats, convWorkspaceFloats, dwMemoryFloats, fcMemoryFloats, type ConvPath } from '../kernels/select.js';
import { lower, rootOf, type Lowered, type LowerOptions, type Value } from './lower.js';

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

/**
 * The arena plan of a lowered program: liveness over root buffers (slices and aliases extend
 * their root's lifetime; the output lives to the end), then {@link planMemory}.
 */
export function planValues(lowered: Pick<Lowered, 'values' | 'steps' | 'output'>): MemoryPlan {
  const { values, steps, output } = lowered;
  const life = new Map<Value, [number, number]>();
  for (const v of values) {
    const r = rootOf(values, v.id);
    const cur = life.get(r) ?? [Infinity, -Infinity];
    cur[0] = Math.min(cur[0], v.def);
    cur[1] = Math.max(cur[1], v.lastUse, v.def);
    life.set(r, cur);
  }
  life.get(rootOf(values, output))![1] = steps.length;
  return planMemory([...life.entries()].map(([v, [first, last]]) => ({ id: v.id, floats: v.floats, first, last })));
}

/** Activation bytes of a lowered program: the planned arena and the naive sum of every buffer. */
export function activationBytes(lowered: Lowered): { peakBytes: number; naiveBytes: number } {
  const mem = planValues(lowered);
  return {
    peakBytes: mem.arenaFloats * 4,
    naiveBytes: lowered.values.filter((v) => v.aliasOf === undefined).reduce((s, v) => s + v.floats, 0) * 4,
  };
}

/**
 * The compiler's activation plan without compiling: the same lowering and planner as compile(),
 * no weights, no wasm.
 */
export function planActivations(graph: Graph, opts: LowerOptions = {}): { peakBytes: number; naiveBytes: number } {
  return activationBytes(lower(graph, opts));
}

/**
 * Wasm memory an engine needs for a lowered network (what a threaded engine reserves up front,
 * and the cost model's host memory prediction): the kernels' static data, the
 * activation arena, every step's packed weights, the largest packing upload, one workspace block
 * per thread, programs and scratch, plus a little room. Shared memory cannot move once created,
 * so this is its maximum; a single-thread engine instead grows as it goes.
 */
export function planEngineBytes(lowered: Lowered, threads: number): number {
  const mem = planValues(lowered);
  const shape = (id: number) => lowered.values[id]!.shape;
  let kept = 0, transient = 0, ws = 0, calls = 0;
  for (const s of lowered.steps) {
    calls += 1;
    if (s.node.op === 'conv2d') {
      const n = s.node as NodeOf<'conv2d'>, xs = shape(s.inputs[0]!);
      const cin = xs[3]!;
      if (s.kind === 'dw3x3s1' || s.kind === 'dw3x3s2' || s.kind === 'dwgeneric') {
        kept += dwMemoryFloats(cin, n.kernel);
        continue;
      }
      const path = s.kind as ConvPath;
      const m = convMemoryFloats(cin, n.outChannels, n.kernel, n.groups, path);
      kept += m.kept;
      transient = Math.max(transient, m.transient);
      const [bn, ho, wo] = s.outShape as number[];
      ws = Math.max(ws, convWorkspaceFloats({ inChannels: cin, outChannels: n.outChannels, kernel: n.kernel, stride: n.stride, groups: n.groups }, path, bn!, ho!, wo!));
    } else if (s.node.op === 'fc') {
      const n = s.node as NodeOf<'fc'>;
      const m = fcMemoryFloats(numel(shape(s.inputs[0]!).slice(1)), n.outFeatures);
      kept += m.kept;
      transient = Math.max(transient, m.transient);
    } else if (s.kind === 'scale_shift') {
      const xs = shape(s.inputs[0]!);
      kept += 2 * Math.max(16, Math.ceil(xs[xs.length - 1]! / 16) * 16);
    }
  }
  // a program: per thread per call, fn + count + up to 32 arguments (f64)
  const programFloats = calls * threads * 34 * 2 + lowered.steps.length * 16;
  const floats = mem.arenaFloats + kept + transient + ws * threads + programFloats + threads * 512;
  return Math.ceil((floats * 4 + 2 * 2 ** 20) * 1.02);
}

