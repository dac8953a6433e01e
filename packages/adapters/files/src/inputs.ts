import {
  closeSync,
  createReadStream,
  mkdtempSync,
  openSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, constants as zlib } from 'node:zlib';
import { isTarHeader, TAR_BLOCK, zipEntryOrder } from '@otptrace/archive';
import { isRecognisedLog, RECOGNISE_HEAD_BYTES } from '@otptrace/parse';
import type { AnalysisInput } from '@otptrace/pipeline';
import { isGzipMagic } from './decode.js';
import { extractTar, type KeepEntry } from './tar-archive.js';
import { extractEntry, isZipSignature, listZipEntries, readAt, type ZipSource, zipEntryHead } from './zip-archive.js';

/**
 * File name endings taken from folders, also gzip-compressed (`u_ex261102.log.gz`, as log rotation leaves them); a
 * file named on the command line is read whatever its name. JSON lines only as `.ndjson` or `.jsonl`: a folder's
 * `.json` files are as often configuration as logs.
 */
const FOLDER_EXTENSIONS = ['.xml', '.txt', '.log', '.evtx', '.ndjson', '.jsonl'].flatMap((x) => [x, `${x}.gz`]);
/** Zip archives, opened: their logs are read as a folder's (the way an exported folder is usually sent). */
const ZIP_EXTENSION = '.zip';
/** Archives and other compressions otptrace does not open: reported as not read, rather than passed over silently. */
const ARCHIVE_EXTENSIONS = ['.7z', '.rar', '.cab', '.bz2', '.xz', '.zst'];
/** Tar archives, plain or gzip-compressed: their logs are extracted (to a temporary folder) and read. */
const TAR_EXTENSIONS = ['.tar', '.tar.gz', '.tgz'];
/** What macOS' Archive Utility adds beside each file (`__MACOSX/da01/._Security.evtx`): metadata, not logs. */
const MACOS_METADATA = '__MACOSX/';

/**
 * A file to read: on disk (`path`), or an entry of a zip archive (`zip`; `path` is then the archive's path, a slash
 * and the entry's, and `size` its compressed size).
 */
export interface FileInput extends AnalysisInput {
  readonly zip?: ZipSource;
  /** Where the bytes are when not at `path` (a log extracted from a tar archive to a temporary file). */
  readonly readFrom?: string;
  /** The name the log is read under when not `path` (its path in its archive, as if extracted there). */
  readonly label?: string;
  /** Not read: why (an archive that could not be listed or extracted); one rejection. */
  readonly refused?: string;
}

/**
 * What `listInputs` found: the files to read, the archives in the folders that are not read, and the folders' other
 * files, not read because neither their name nor their first bytes are a log's (named when a folder holds no log).
 */
export interface InputList {
  readonly files: FileInput[];
  readonly archives: string[];
  readonly notLogs: string[];
}

/** The input name of standard input, as command-line tools spell it (`wevtutil qe … /f:xml | otptrace analyze -`). */
export const STDIN = '-';

/**
 * Expand files and folders (recursively) into a sorted file list; throws with a clear message for a missing path.
 * `-` stands for standard input (once). A zip archive (in a folder by its name, named on the command line by its
 * first bytes) gives its logs as a folder does, under the archive's path.
 */
export async function listInputs(paths: readonly string[]): Promise<InputList> {
  const out: InputList = { files: [], archives: [], notLogs: [] };
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
    if (s.isDirectory()) await walk(p, out, new Set([realpathSync(p)]));
    else if (startsAsZip(p)) await listZip(p, s.size, out);
    else if (tarKind(p) !== null) await listTar(p, s.size, out);
    else out.files.push({ path: p, size: s.size });
  }
  return out;
}

// Synchronous listing: a promise per directory entry costs a thread-pool round trip, which adds up over a folder of
// 10,000 client logs; nothing else runs meanwhile. Symbolic links are followed, as `find -L` does: an analyst's folder
// of links to the exported logs is read as the logs would be (they were passed over without a word). `walked` holds the
// real paths of the folders read, so that a folder reached again (a link to a parent, or to a folder read already) is
// read once. A link that leads nowhere (dangling, or links that lead to each other) is passed over.
async function walk(dir: string, out: InputList, walked: Set<string>): Promise<void> {
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const full = join(dir, e.name);
    const target = e.isSymbolicLink() ? linkTarget(full) : e;
    if (target === undefined) continue;
    if (target.isDirectory()) {
      const real = realpathSync(full);
      if (walked.has(real)) continue;
      walked.add(real);
      await walk(full, out, walked);
      continue;
    }
    if (!target.isFile()) continue;
    const name = e.name.toLowerCase();
    if (FOLDER_EXTENSIONS.some((x) => name.endsWith(x))) out.files.push({ path: full, size: statSync(full).size });
    else if (name.endsWith(ZIP_EXTENSION)) await listZip(full, statSync(full).size, out);
    else if (TAR_EXTENSIONS.some((x) => name.endsWith(x))) await listTar(full, statSync(full).size, out);
    else if (ARCHIVE_EXTENSIONS.some((x) => name.endsWith(x))) out.archives.push(full);
    // Any other name: read when its first bytes are a log's (an export saved without its extension, `IN2611.log.old`).
    else if (startsAsLog(full)) out.files.push({ path: full, size: statSync(full).size });
    else out.notLogs.push(full);
  }
}

/** Whether a file's first bytes are a log's; a file that cannot be opened is not taken (as before it was not read). */
function startsAsLog(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    return isLogHead(readAt(fd, 0, HEAD_BYTES));
  } finally {
    closeSync(fd);
  }
}

/** What a symbolic link leads to, or undefined when it leads nowhere (no such file, a loop of links). */
function linkTarget(path: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function startsAsZip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    return isZipSignature(readAt(fd, 0, 4));
  } finally {
    closeSync(fd);
  }
}

/**
 * The logs in a zip archive, chosen as a folder's files are (and its other archives named as not read), in the order
 * the extracted folder would give them, under `shown` (the archive's path, or an archive inside it). A zip inside is
 * extracted to a temporary file and read in turn (as support bundles often hold one zip per server). An archive that
 * cannot be listed is one input whose reading says why.
 */
async function listZip(
  archive: string,
  size: number,
  out: InputList,
  shown = archive,
  extractsTo = archive.replace(/\.zip$/i, ''),
  depth = 0,
): Promise<void> {
  let entries: ReturnType<typeof listZipEntries>;
  try {
    entries = listZipEntries(archive);
  } catch (error) {
    out.files.push({ path: shown, size, refused: `not read as a zip archive: ${(error as Error).message}` });
    return;
  }
  const files = entries
    .filter((e) => !e.directory && !e.name.startsWith(MACOS_METADATA))
    .sort((a, b) => zipEntryOrder(a.name, b.name));
  for (const entry of files) {
    const name = entry.name.toLowerCase();
    const path = `${shown}/${entry.name}`;
    if (FOLDER_EXTENSIONS.some((x) => name.endsWith(x)))
      out.files.push({ path, size: entry.compressedSize, zip: { archive, entry, extractsTo } });
    else if (name.endsWith(ZIP_EXTENSION) && depth < MAX_ZIP_DEPTH) {
      const copy = join(extractionFolder(), `${extracted++}.zip`);
      try {
        await extractEntry(archive, entry, copy);
      } catch (error) {
        out.files.push({
          path,
          size: entry.compressedSize,
          refused: `not read as a zip archive: ${(error as Error).message}`,
        });
        continue;
      }
      await listZip(
        copy,
        statSync(copy).size,
        out,
        path,
        `${extractsTo}/${entry.name.replace(/\.zip$/i, '')}`,
        depth + 1,
      );
    } else if (name.endsWith(ZIP_EXTENSION) || ARCHIVE_EXTENSIONS.some((x) => name.endsWith(x)))
      out.archives.push(path);
    else {
      // Any other name, as in a folder: read when its first bytes are a log's, gunzipped when they are gzip's.
      const head = zipEntryHead(archive, entry, HEAD_BYTES);
      if (isLogHead(head)) {
        const zip = { archive, entry, extractsTo, gzipped: isGzipMagic(head!) };
        out.files.push({ path, size: entry.compressedSize, zip });
      } else out.notLogs.push(path);
    }
  }
}

/**
 * The first bytes read of a file of another name: those `isRecognisedLog` judges, and enough more for a gzip file's
 * to decompress to as many (rotated logs compressed under a name of their own, `IN2611.log.1.gz`).
 */
const HEAD_BYTES = RECOGNISE_HEAD_BYTES + 1024;

/** Whether a file's first bytes are a log's: as they are, or decompressed when they are gzip's. */
function isLogHead(head: Uint8Array | null): boolean {
  if (head === null) return false;
  if (!isGzipMagic(head)) return isRecognisedLog(head);
  try {
    // A sync flush at the end: the bytes are the start of the data, not all of it.
    return isRecognisedLog(gunzipSync(head, { finishFlush: zlib.Z_SYNC_FLUSH }));
  } catch {
    return false;
  }
}

/** A tar archive by its name (`.tar.gz`, `.tgz`: gzip-compressed) or, plain, by its first header; else null. */
function tarKind(path: string): 'tar' | 'tar.gz' | null {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tar.gz') || lower.endsWith('.tgz')) return 'tar.gz';
  const fd = openSync(path, 'r');
  try {
    return isTarHeader(readAt(fd, 0, TAR_BLOCK)) ? 'tar' : null;
  } finally {
    closeSync(fd);
  }
}

/**
 * The logs in a tar archive (plain or gzip-compressed), as a folder's: extracted as the archive streams into a
 * temporary folder, then read from there under the archive's path. Zips inside are opened; other archives named.
 */
async function listTar(
  archive: string,
  size: number,
  out: InputList,
  shown = archive,
  extractsTo = archive.replace(/\.(tar|tar\.gz|tgz)$/i, ''),
): Promise<void> {
  const into = mkdtempSync(join(extractionFolder(), 'tar-'));
  const named = (name: string) => name.replace(/^(?:\.?\/)+/, '');
  const keep: KeepEntry = (entry) => {
    const name = named(entry);
    const lower = name.toLowerCase();
    if (name.startsWith(MACOS_METADATA)) return false;
    if (FOLDER_EXTENSIONS.some((x) => lower.endsWith(x)) || lower.endsWith(ZIP_EXTENSION)) return true;
    if (ARCHIVE_EXTENSIONS.some((x) => lower.endsWith(x)) || TAR_EXTENSIONS.some((x) => lower.endsWith(x))) {
      out.archives.push(`${shown}/${name}`);
      return false;
    }
    // Any other name, as in a folder: extracted when its first bytes are a log's.
    return {
      headBytes: HEAD_BYTES,
      keep: (head) => {
        if (isLogHead(head)) return true;
        out.notLogs.push(`${shown}/${name}`);
        return false;
      },
    };
  };
  let extraction: Awaited<ReturnType<typeof extractTar>>;
  try {
    extraction = await extractTar(archive, tarKind(archive) === 'tar.gz', into, keep);
  } catch (error) {
    out.files.push({ path: shown, size, refused: `not read as a tar archive: ${(error as Error).message}` });
    return;
  }
  const entries = extraction.entries
    .map((e) => ({ ...e, name: named(e.name) }))
    .sort((a, b) => zipEntryOrder(a.name, b.name));
  for (const { name, file } of entries) {
    const path = `${shown}/${name}`;
    const fileSize = statSync(file).size;
    if (name.toLowerCase().endsWith(ZIP_EXTENSION))
      await listZip(file, fileSize, out, path, `${extractsTo}/${name.replace(/\.zip$/i, '')}`, 1);
    else out.files.push({ path, size: fileSize, readFrom: file, label: `${extractsTo}/${name}` });
  }
  if (extraction.damage !== null)
    out.files.push({ path: shown, size: 0, refused: `the tar archive is read up to damage: ${extraction.damage}` });
}

/** Zips inside zips are opened this deep (a bundle of per-server bundles); deeper ones are named as not read. */
const MAX_ZIP_DEPTH = 3;

let extractionDir: string | null = null;
let extracted = 0;

/** A folder of this process for archives extracted from archives, removed when the process exits. */
function extractionFolder(): string {
  if (extractionDir === null) {
    const dir = mkdtempSync(join(tmpdir(), 'otptrace-zip-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    extractionDir = dir;
  }
  return extractionDir;
}

/** Read a file as a stream of chunks (never whole: inputs may be larger than memory). */
export function readChunks(path: string): AsyncIterable<Buffer> {
  return createReadStream(path, { highWaterMark: 1 << 20 });
}
