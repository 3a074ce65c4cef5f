import type { Engine } from '../wasm/engine.js';
import { withBuffers } from './run.js';
import { checkSpan, int, runCall, shape4, splitItems, type KernelCall, type Tensor, type ThreadCalls } from './util.js';

/** The checked f32_channel_shuffle over pixels [p, p + n) of `pixels` dense pixels of `c` channels. */
function shuffleCall(engine: Engine, pixels: number, c: number, groups: number, x: number, out: number): (p: number, n: number) => KernelCall {
  int('pixels', pixels);
  int('channels', c);
  int('groups', groups);
  if (c % groups !== 0) throw new RangeError(`groups ${groups} does not divide ${c} channels`);
  checkSpan(engine, 'x', x, pixels * c);
  checkSpan(engine, 'out', out, pixels * c);
  // a gather across the channels of a pixel: in place would read what it already wrote
  if (x < out + pixels * c * 4 && out < x + pixels * c * 4) throw new RangeError(`x and out overlap (${x}, ${out}): a channel shuffle cannot run in place`);
  const cpg = c / groups;
  return (p, n) => ['f32_channel_shuffle', n, groups, cpg, x + p * c * 4, out + p * c * 4];
}

/**
 * Channel shuffle of `pixels` dense pixels of `c` channels on wasm pointers (ShuffleNet): the
 * channels, seen as a [groups, c / groups] matrix, are transposed. Not in place.
 */
export function runChannelShuffle(engine: Engine, pixels: number, c: number, groups: number, x: number, out: number): void {
  runCall(engine, shuffleCall(engine, pixels, c, groups, x, out)(0, pixels));
}

/** runChannelShuffle shared among `threads` kernel threads, by pixels. Same bits. */
export function splitChannelShuffle(engine: Engine, pixels: number, c: number, groups: number, x: number, out: number, threads: number): ThreadCalls {
  return splitItems(threads, pixels, c, 1, shuffleCall(engine, pixels, c, groups, x, out));
}

/** One-shot channel shuffle of x [N, H, W, C] in `groups` groups. */
export function channelShuffle(engine: Engine, x: Float32Array, inShape: number[], groups: number): Tensor {
  const sh = shape4('inShape', inShape);
  const pixels = sh[0] * sh[1] * sh[2];
  int('groups', groups);
  if (sh[3] % groups !== 0) throw new RangeError(`groups ${groups} does not divide ${sh[3]} channels`);
  return withBuffers(engine, [{ name: 'x', data: x, length: pixels * sh[3] }], pixels * sh[3], sh,
    ([xp], yp) => runChannelShuffle(engine, pixels, sh[3], groups, xp, yp));
}
