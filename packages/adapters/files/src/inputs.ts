import { createReadStream, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnalysisInput } from '@otptrace/pipeline';

/**
 * File name endings taken from folders, also gzip-compressed (`u_ex261102.log.gz`, as log rotation leaves them); a
 * file named on the command line is read whatever its name.
 */
const FOLDER_EXTENSIONS = ['.xml', '.txt', '.log', '.evtx'].flatMap((x) => [x, `${x}.gz`]);
/** Archives and other compressions otptrace does not open: reported as not read, rather than passed over silently. */
const ARCHIVE_EXTENSIONS = ['.zip', '.7z', '.rar', '.cab', '.tar', '.tgz', '.bz2', '.xz', '.zst'];

/** What `listInputs` found: the files to read, and the archives in the folders that are not read. */
export interface InputList {
  readonly files: AnalysisInput[];
  readonly archives: string[];
}

/** The input name of standard input, as command-line tools spell it (`wevtutil qe … /f:xml | otptrace analyze -`). */
export const STDIN = '-';

/**
 * Expand files and folders (recursively) into a sorted file list; throws with a clear message for a missing path.
 * `-` stands for standard input (once).
 */
export async function listInputs(paths: readonly string[]): Promise<InputList> {
  const out: InputList = { files: [], archives: [] };
  if (paths.filter((p) => p === STDIN).length > 1) throw new Error('standard input (-) can be read only once');
  for (const p of paths) {
    if (p === STDIN) {
      out.files.push({ path: STDIN, size: 0 });
      continue;
    }
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(p);
    } catch {
      throw new Error(`cannot read ${p}: no such file or folder`);
    }
    if (s.isDirectory()) await walk(p, out);
    else out.files.push({ path: p, size: s.size });
  }
  return out;
}

// Synchronous listing: a promise per directory entry costs a thread-pool round trip, which adds up over a folder of
// 10,000 client logs; nothing else runs meanwhile.
async function walk(dir: string, out: InputList): Promise<void> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) await walk(full, out);
    else if (!e.isFile()) continue;
    const name = e.name.toLowerCase();
    if (FOLDER_EXTENSIONS.some((x) => name.endsWith(x))) out.files.push({ path: full, size: statSync(full).size });
    else if (ARCHIVE_EXTENSIONS.some((x) => name.endsWith(x))) out.archives.push(full);
  }
}

/** Read a file as a stream of chunks (never whole: inputs may be larger than memory). */
export function readChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}
