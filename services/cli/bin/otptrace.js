#!/usr/bin/env node
// Launcher kept outside dist/ so the bin link exists before the first build.
import { main } from '../dist/main.js';

// Output that cannot be written ends the run with the exit code of output not all written (3), as the README says,
// never with an unhandled error and its stack trace. A reader that stops early (`otptrace analyze … | head`) closes
// the pipe: stop quietly, as command-line tools do. Any other failure (a full disk behind `> file`, an I/O error) is
// said on standard error, unless standard error itself is what failed.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE' && stream === process.stdout) {
      process.stderr.write(`otptrace: cannot write standard output: ${error.message}\n`);
    }
    process.exit(3);
  });
}

process.exitCode = await main(process.argv.slice(2));
