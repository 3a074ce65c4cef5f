#!/usr/bin/env node
// simdnet command line. Runs from a clone after `npm ci` (which builds dist/) or from the package.
import { main } from '../dist/cli/main.js';

// `simdnet list | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  console.error(`simdnet: ${err?.message ?? err}`);
  process.exitCode = 1;
});
