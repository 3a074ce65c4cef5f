// GPU memory of a PyTorch 0.4 eager forward pass, the way nvidia-smi sees it: not the bytes live
// at the peak but the bytes PyTorch's caching allocator holds from the driver. Two things make
// those differ, and Bianco et al.'s Titan Xp table shows both:
// - the allocator keeps freed blocks and reuses them only for requests that fit (best fit,
//   splitting large blocks), so tensors that grow with each batch size leave the smaller blocks
//   of earlier batches behind;
// - with `cudnn.benchmark = True`, the first convolution of each shape runs cuDNN's algorithm
//   search and then empties the allocator's cache (PyTorch 0.4 aten/src/ATen/native/cudnn/
//   Conv.cpp, findAlgorithm: the search's workspaces can be gigabytes). A forward whose shapes
//   were all searched before keeps its whole high-water mark; one that searches keeps only what
//   is live at its last search and what it allocates after.
// The allocator is modelled on THCCachingAllocator as PyTorch 0.4 ships it (sizes rounded to
// 512 bytes; requests up to 1 MiB served from 1 MiB segments; larger ones from segments of their
// size rounded to 128 KiB; a free block is split when the rest is worth keeping; neighbouring
// free blocks merge; emptyCache returns every wholly free segment to the driver).

import type { Graph } from '../graph/types.js';
import { numel } from '../graph/ops.js';

const ROUND = 512;
const SMALL = 1 << 20;
const LARGE_ROUND = 128 << 10;

interface Block { size: number; free: boolean }
interface Segment { size: number; small: boolean; blocks: Block[] }

/** A model of PyTorch 0.4's CUDA caching allocator: what it reserves, not what is in use. */
export class CachingAllocator {
  private segments: Segment[] = [];
  private live = new Map<string, { seg: Segment; block: Block }>();

  /** Bytes held from the driver (what nvidia-smi reports for the process, less its context). */
  get reservedBytes(): number {
    let s = 0;
    for (const seg of this.segments) s += seg.size;
    return s;
  }

  /** Bytes in tensors that are alive. */
  get allocatedBytes(): number {
    let s = 0;
    for (const { block } of this.live.values()) s += block.size;
    return s;
  }

  /**
   * Allocates `bytes` for tensor `id`. @throws RangeError for a negative or non-finite size or an
   * id that is already live.
   */
  malloc(id: string, bytes: number): void {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`CachingAllocator.malloc("${id}"): bytes must be a finite number >= 0, got ${bytes}`);
    if (this.live.has(id)) throw new RangeError(`CachingAllocator.malloc: "${id}" is already allocated`);
    const n = Math.max(ROUND, Math.ceil(bytes / ROUND) * ROUND);
    const small = n <= SMALL;
    let best: { seg: Segment; block: Block } | null = null;
    for (const seg of this.segments) {
      if (seg.small !== small) continue;
      for (const block of seg.blocks) if (block.free && block.size >= n && (!best || block.size < best.block.size)) best = { seg, block };
    }
    if (!best) {
      const size = small ? SMALL : Math.ceil(n / LARGE_ROUND) * LARGE_ROUND;
      const seg: Segment = { size, small, blocks: [{ size, free: true }] };
      this.segments.push(seg);
      best = { seg, block: seg.blocks[0]! };
    }
    const { seg, block } = best;
    const rest = block.size - n;
    // a small block is split down to the rounding; a large one only when the rest is itself large
    if (small ? rest >= ROUND : rest > SMALL) {
      seg.blocks.splice(seg.blocks.indexOf(block) + 1, 0, { size: rest, free: true });
      block.size = n;
    }
    block.free = false;
    this.live.set(id, best);
  }

  /** Frees tensor `id` into the cache. @throws RangeError when `id` is not live. */
  free(id: string): void {
    const at = this.live.get(id);
    if (!at) throw new RangeError(`CachingAllocator.free: "${id}" is not allocated`);
    this.live.delete(id);
    at.block.free = true;
    const bs = at.seg.blocks;
    for (let i = 0; i + 1 < bs.length; i++) {
      if (bs[i]!.free && bs[i + 1]!.free) { bs[i]!.size += bs[i + 1]!.size; bs.splice(i + 1, 1); i--; }
    }
  }

  /** torch.cuda.empty_cache(): every segment with nothing live in it goes back to the driver. */
  emptyCache(): void {
    this.segments = this.segments.filter((s) => !(s.blocks.length === 1 && s.blocks[0]!.free));
  }
}

/** One step of a forward pass's memory trace. */
export type MemoryEvent =
  | { kind: 'alloc'; id: string; bytes: number }
  | { kind: 'free'; id: string }
  /** A cuDNN convolution; `key` is what PyTorch's benchmark cache is keyed on (shapes, not bias). */
  | { kind: 'conv'; key: string };

const VIEWS = new Set(['input', 'flatten', 'dropout', 'channelslice']);
/** Ops whose PyTorch module writes into its input (torchvision's and Cadene's `inplace=True`). */
const IN_PLACE = new Set(['relu', 'relu6']);

/**
 * Networks whose PyTorch port binds every layer's output to a local variable of one `forward`
 * (Cadene's pretrainedmodels: BN-Inception and the MMdnn port of BVLC GoogLeNet), so nothing is
 * freed until forward returns: their memory grows with the sum of all activations, not the peak.
 */
export const HOLDS_EVERY_OUTPUT: ReadonlySet<string> = new Set(['inception-v2', 'bvlc-googlenet']);

/**
 * The allocations of one PyTorch eager forward of `graph` at its batch, in launch order: every
 * kernel's output is a new tensor except the in-place activations and the views (a view keeps
 * its base alive); a tensor is freed after its last consumer (or, for the ports in
 * {@link HOLDS_EVERY_OUTPUT}, when forward returns); LRN's temporaries are two more maps for the
 * length of the op. The input is the caller's, and the output outlives the forward.
 */
export function pytorchMemoryEvents(graph: Graph): MemoryEvent[] {
  const holds = HOLDS_EVERY_OUTPUT.has(graph.name);
  const base = new Map<string, string>();
  const owned = new Set<string>();
  const lastUse = new Map<string, number>();
  const rootOf = (name: string) => base.get(name) ?? name;
  graph.nodes.forEach((node, i) => {
    const aliased = (VIEWS.has(node.op) && node.op !== 'input') || IN_PLACE.has(node.op);
    if (aliased && node.inputs.length) base.set(node.name, rootOf(node.inputs[0]!));
    else if (node.op !== 'input') owned.add(node.name);
    for (const x of node.inputs) lastUse.set(rootOf(x), i);
  });
  const out = rootOf(graph.output);
  const shapes = new Map(graph.nodes.map((n) => [n.name, n.outShape]));
  const ev: MemoryEvent[] = [];
  graph.nodes.forEach((node, i) => {
    if (node.op === 'conv2d') {
      ev.push({ kind: 'conv', key: JSON.stringify([shapes.get(node.inputs[0]!), node.outChannels, node.kernel, node.stride, node.pad, node.dilation, node.groups]) });
    }
    if (owned.has(node.name)) ev.push({ kind: 'alloc', id: node.name, bytes: 4 * numel(node.outShape) });
    if (node.op === 'lrn') {
      ev.push({ kind: 'alloc', id: `${node.name}:scratch`, bytes: 8 * numel(node.outShape) });
      ev.push({ kind: 'free', id: `${node.name}:scratch` });
    }
    if (holds) return;
    for (const x of new Set(node.inputs.map(rootOf))) if (x !== out && owned.has(x) && lastUse.get(x) === i) ev.push({ kind: 'free', id: x });
  });
  if (holds) for (const x of owned) if (x !== out) ev.push({ kind: 'free', id: x });
  return ev;
}

/**
 * Replays one forward's events on `alloc`, ids prefixed with `tag` so forwards can overlap. With
 * `searched` (cuDNN's benchmark cache, shared across forwards and models of one process), a
 * convolution whose key is not in it is searched: added, then the cache is emptied, as PyTorch
 * does after the search; without it (`cudnn.benchmark = False`) nothing is emptied.
 * @returns the ids of the forward's tensors still allocated: its output (and none other, for
 * events from {@link pytorchMemoryEvents}).
 */
export function replayForward(alloc: CachingAllocator, events: readonly MemoryEvent[], tag: string, searched?: Set<string>): string[] {
  const mine = new Set<string>();
  for (const e of events) {
    if (e.kind === 'alloc') { alloc.malloc(tag + e.id, e.bytes); mine.add(tag + e.id); }
    else if (e.kind === 'free') { alloc.free(tag + e.id); mine.delete(tag + e.id); }
    else if (searched && !searched.has(e.key)) { searched.add(e.key); alloc.emptyCache(); }
  }
  return [...mine];
}

/**
 * Bytes PyTorch's caching allocator holds for the activations of `graph` at its batch once a
 * process runs it in a loop with `cudnn.benchmark = True`: the first forward searches (and so
 * empties the cache at each new shape), the second finds every shape searched; what the second
 * leaves reserved is what a serving process keeps. Weights are not included.
 */
export function pytorchReservedBytes(graph: Graph): number {
  const alloc = new CachingAllocator();
  const events = pytorchMemoryEvents(graph);
  const searched = new Set<string>();
  const inputBytes = 4 * numel(graph.nodes.find((n) => n.name === graph.input)!.outShape);
  let prev: string[] = [];
  for (const pass of ['a', 'b']) {
    alloc.malloc(`${pass}:input`, inputBytes);
    const out = replayForward(alloc, events, `${pass}:`, searched);
    alloc.free(`${pass}:input`);
    // `y = model(x)`: the previous result is released once the new one is bound
    for (const id of prev) alloc.free(id);
    prev = out;
  }
  return alloc.reservedBytes;
}
