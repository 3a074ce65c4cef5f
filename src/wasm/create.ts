import { Engine } from './engine.js';

/** Instantiates the kernels in a fresh memory (the module is compiled once per process). */
export function createEngine(source?: URL | ArrayBuffer | Uint8Array): Promise<Engine> {
  return Engine.create(source);
}
