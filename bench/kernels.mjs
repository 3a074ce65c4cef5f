// Kernel benchmark (tinybench): the same table `npm start` prints. Usage: node bench/kernels.mjs [--json]
import { main } from '../dist/cli/main.js';

process.exitCode = await main(['bench-kernels', ...process.argv.slice(2)]);
