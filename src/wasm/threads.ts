// Whether kernel threads can run here, and how many 'auto' means.
import { THREADS_PROBE, validates } from './probe.js';

/** Upper bound for threads: 'auto' (past it, the small maps of most layers stop splitting well). */
export const MAX_AUTO_THREADS = 8;
/** Upper bound for an explicit thread count. */
export const MAX_THREADS = 64;

let nodeCores: number | undefined;

/** Node 20 has no navigator.hardwareConcurrency: read the core count once, at init. */
export async function learnCoreCount(): Promise<void> {
  const g = globalThis as any;
  if (nodeCores !== undefined || g.navigator?.hardwareConcurrency || !g.process?.versions?.node) return;
  try {
    const os = await import(/* @vite-ignore */ /* webpackIgnore: true */ ['node:os'][0]!);
    nodeCores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  } catch {
    nodeCores = 1;
  }
}

/** The core count, capped at MAX_AUTO_THREADS. */
export function autoThreadCount(): number {
  const g = globalThis as any;
  const cores = Number(g.navigator?.hardwareConcurrency) || nodeCores || 1;
  return Math.max(1, Math.min(MAX_AUTO_THREADS, Math.floor(cores)));
}

/** Why kernel threads cannot run in this runtime, or null when they can. */
export function threadsUnavailableReason(): string | null {
  const g = globalThis as any;
  if (typeof g.SharedArrayBuffer !== 'function' || g.crossOriginIsolated === false) {
    return 'SharedArrayBuffer is unavailable: a page must be cross-origin isolated '
      + '(served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)';
  }
  if (!validates(THREADS_PROBE)) return 'this runtime does not support WebAssembly threads (shared memory and atomics)';
  if (typeof g.Worker !== 'function' && !g.process?.versions?.node) return 'this runtime has no Worker';
  return null;
}
