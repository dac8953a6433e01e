import type { CommandIo } from '@otptrace/runtime/args';

/** Where a command writes: injected so tests can capture it. */
export interface Io extends CommandIo {
  /** Whether standard error is a terminal (progress is redrawn in place there, and shown by itself). */
  readonly stderrIsTTY?: boolean;
  /** Standard output as a stream, for reports written as bytes (tests leave it out and take the text). */
  readonly stdoutStream?: NodeJS.WritableStream;
}

/** The process's own standard output and error. */
export const processIo: Io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  stderrIsTTY: process.stderr.isTTY === true,
  stdoutStream: process.stdout,
};
