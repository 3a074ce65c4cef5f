import { benchKernels, formatKernelTable } from './bench-kernels.js';

const HELP = `simdnet — classic ImageNet CNNs on WebAssembly SIMD

usage: simdnet <command> [options]

commands:
  bench-kernels [--json] [--filter REGEX]   benchmark the kernels (GFLOP/s vs the same-run peak)
  help                                      this text
`;

/** CLI entry; returns the exit code. Errors go to stderr, results to stdout. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith('--')));
  const value = (name: string) => { const i = rest.indexOf(name); return i >= 0 ? rest[i + 1] : undefined; };
  switch (cmd) {
    case 'bench-kernels': {
      const json = flags.has('--json');
      const f = value('--filter');
      const tty = !json && process.stderr.isTTY;
      const r = await benchKernels({
        filter: f ? new RegExp(f) : undefined,
        onProgress: tty ? (n) => process.stderr.write(`\r  measured ${n}\x1b[K`) : undefined,
      });
      if (tty) process.stderr.write('\r\x1b[K');
      if (json) {
        process.stdout.write(JSON.stringify({
          peakGflops: r.peakGflops, runtime: r.runtime,
          kernels: r.kernels.map(({ name, shape, medianMs, gflops }) => ({ name, shape, medianMs, gflops })),
        }, null, 2) + '\n');
      } else process.stdout.write(formatKernelTable(r) + '\n');
      return 0;
    }
    case undefined: case 'help': case '--help': case '-h':
      process.stdout.write(HELP);
      return cmd === undefined ? 1 : 0;
    default:
      process.stderr.write(`simdnet: unknown command '${cmd}'\n\n${HELP}`);
      return 1;
  }
}
