#!/usr/bin/env node
// Launcher kept outside dist/ so the bin link exists before the first build.
import { main } from '../dist/main.js';

// A reader that stops early (`otptrace analyze … | head`) closes the pipe: stop quietly, as command-line tools do,
// with the exit code of output not all written (3), instead of an unhandled EPIPE and its stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(3);
  });
}

process.exitCode = await main(process.argv.slice(2));
