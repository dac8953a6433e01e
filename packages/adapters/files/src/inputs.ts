import { createReadStream, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisInput } from '@otptrace/pipeline';

/** File name endings taken from folders; a file named on the command line is read whatever its name. */
const FOLDER_EXTENSIONS = ['.xml', '.txt', '.log', '.evtx'];

/** The input name of standard input, as command-line tools spell it (`wevtutil qe … /f:xml | otptrace analyze -`). */
export const STDIN = '-';

/**
 * Expand files and folders (recursively) into a sorted file list; throws with a clear message for a missing path.
 * `-` stands for standard input (once).
 */
export async function listInputs(paths: readonly string[]): Promise<AnalysisInput[]> {
  const out: AnalysisInput[] = [];
  if (paths.filter((p) => p === STDIN).length > 1) throw new Error('standard input (-) can be read only once');
  for (const p of paths) {
    if (p === STDIN) {
      out.push({ path: STDIN, size: 0 });
      continue;
    }
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(p);
    } catch {
      throw new Error(`cannot read ${p}: no such file or folder`);
    }
    if (s.isDirectory()) await walk(p, out);
    else out.push({ path: p, size: s.size });
  }
  return out;
}

// Synchronous listing: a promise per directory entry costs a thread-pool round trip, which adds up over a folder of
// 10,000 client logs; nothing else runs meanwhile.
async function walk(dir: string, out: AnalysisInput[]): Promise<void> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (e.isFile() && FOLDER_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) {
      out.push({ path: full, size: statSync(full).size });
    }
  }
}

/** Read a file as a stream of chunks (never whole: inputs may be larger than memory). */
export function readChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}
