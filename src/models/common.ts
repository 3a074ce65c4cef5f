// Pieces shared by the zoo builders.

import { GraphBuilder, type Conv2dOptions } from '../graph/builder.js';

/** ImageNet-1k: every zoo network ends in 1000 logits. */
export const NUM_CLASSES = 1000;

/** What every family builder takes; the registry fills in defaults and validates. */
export interface NetOptions {
  /** Images per batch, N. */
  batch: number;
  /** Input height = width, pixels. */
  resolution: number;
}

/** A builder with the `[N, R, R, 3]` input already declared. */
export function start(name: string, { batch, resolution }: NetOptions): { b: GraphBuilder; x: string } {
  const b = new GraphBuilder(name);
  return { b, x: b.input([batch, resolution, resolution, 3]) };
}

/**
 * torchvision / Cadene `BasicConv2d`: conv without bias, batchnorm, ReLU, named
 * `<prefix>.conv`, `<prefix>.bn`, `<prefix>.relu`. Returns the ReLU's name.
 */
export function basicConv2d(
  b: GraphBuilder, x: string, prefix: string, conv: Omit<Conv2dOptions, 'bias'>, eps: number,
): string {
  x = b.conv2d(x, { ...conv, bias: false }, `${prefix}.conv`);
  x = b.batchnorm(x, { eps }, `${prefix}.bn`);
  return b.relu(x, `${prefix}.relu`);
}
