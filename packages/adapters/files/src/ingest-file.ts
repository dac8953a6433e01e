import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { NormalizeContext } from '@otptrace/normalize';
import { detectFormat } from '@otptrace/parse';
import {
  DetectingIngestor,
  emptyIngested,
  type IngestedFile,
  type Ingestor,
  tallyItems,
  XmlIngestor,
} from '@otptrace/pipeline/readers';
import {
  HEAD_BYTES,
  ingestDecoded,
  isGzipMagic,
  loadEvtxReader,
  loadedEvtxReader,
  type OnRead,
  READ_SIZE,
  refusedInput,
} from './decode.js';
import { STDIN } from './inputs.js';
import { type FilePart, xmlBoundary } from './parts.js';
import { ingestZipEntry, isZipSignature } from './zip-archive.js';

// Files are read with synchronous calls: a batch reader has nothing else to do meanwhile, and a promise per read costs
// a thread-pool round trip, which for a folder of 10,000 small files is most of the time spent on them.

/**
 * Read one file (.evtx, EVTX-XML, IIS W3C or NPS log file, each also gzip-compressed: by its first bytes, never its
 * name) and tally its ingest items; `onRead` reports progress.
 */
export async function ingestFile(
  path: string,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead = () => {},
): Promise<IngestedFile> {
  return ingestAnyPart({ path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' }, ctx, maxEventBytes, onRead);
}

/** What `readPartOrTell` gives for a gzip-compressed file, which it leaves to `ingestGzip`. */
const COMPRESSED = Symbol('gzip-compressed');
/** What `readPartOrTell` gives for an .evtx part before the .evtx reader is loaded (nothing of it read yet). */
const EVTX_READER_NEEDED = Symbol('evtx-reader-needed');

/**
 * Read one part of a file: a whole file (`format: 'detect'`, start 0), or a byte range of a big .evtx or Event XML
 * file (format read from its head by the planner). An XML range runs from the event boundary at or after `start` to
 * the one at or after `end` (`xmlBoundary`), so consecutive ranges tile the file and give exactly the items of one
 * whole reading (Event XML is what the detecting reader reads such a file as). Gives a marker instead, having read
 * nothing, for a gzip-compressed file and for .evtx before its reader is loaded.
 */
function readPartOrTell(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): IngestedFile | typeof COMPRESSED | typeof EVTX_READER_NEEDED {
  if (part.path === STDIN) return ingestStdin(ctx, maxEventBytes, onRead);
  const fd = openSync(part.readFrom ?? part.path, 'r');
  try {
    // A whole file's format comes from its first bytes, read with its first chunk: a read of the head alone, then
    // one of the body, cost a system call more per file (13,605 of them for a fleet's client files). A file that
    // the listing saw small is read in one chunk of a byte more than its size then: when that gives exactly the
    // listed size, the file ended there, and its size need not be asked again (any other short read, a file cut
    // short or a file system that reads less than asked, is checked against the size it has now).
    let first = part.format === 'detect' && part.listedSize !== undefined ? firstChunk(fd, part.listedSize + 1) : null;
    let size: number;
    if (first !== null && first.read === part.listedSize && first.read < first.buffer.length) size = first.read;
    else {
      size = fstatSync(fd).size;
      // Not read yet, or read into a buffer too small for the file it is now (it grew since it was listed): the first
      // chunk is read again at the size the file has now. (The rest of a file read short follows from `first.read`.)
      if (part.format === 'detect' && (first === null || first.buffer.length < Math.min(READ_SIZE, size)))
        first = firstChunk(fd, size);
    }
    const end = Math.min(part.end, size);
    const out = emptyIngested();
    const head = first === null ? null : first.buffer.subarray(0, Math.min(first.read, HEAD_BYTES));
    if (head !== null && isGzipMagic(head)) return COMPRESSED;
    if (part.format === 'evtx' || (head !== null && detectFormat(head) === 'evtx')) {
      const reader = loadedEvtxReader();
      if (reader === null) return EVTX_READER_NEEDED;
      reader.readEvtxRange(fd, part.start, end, ctx, out, onRead);
      return out;
    }
    let from = 0;
    let to = size;
    let ingestor: Ingestor;
    if (part.format === 'detect') {
      // Text inputs: Windows Event XML, IIS W3C logs, NPS log files (ODBC, DTS), detected by content.
      ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: part.label ?? part.path });
    } else {
      from = part.start === 0 ? 0 : xmlBoundary(fd, part.start, size);
      to = end >= size ? size : xmlBoundary(fd, end, size);
      ingestor = new XmlIngestor(ctx, { maxEventBytes, startPosition: from });
    }
    readRange(fd, from, to, first, (bytes) => {
      const items = ingestor.push(bytes);
      tallyItems(out, items);
      out.bytes += bytes.length;
      onRead(bytes.length, items.length, out);
    });
    const last = ingestor.end();
    tallyItems(out, last);
    onRead(0, last.length, out);
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * A part of a file as `readPartOrTell` reads it, and a whole gzip-compressed file (a rotated log,
 * `u_ex261102.log.gz`; told by its first bytes) read through gunzip as it streams, as the file inside would be read
 * (Event XML, W3C or NPS log lines, or .evtx). Damaged compressed data (cut short by a copy, corrupt) loses only what
 * follows the damage: the events before it are kept and one `compressed_data_error` rejection says where decoding
 * stopped.
 */
export async function ingestAnyPart(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead = () => {},
): Promise<IngestedFile> {
  if (part.refused !== undefined) return refusedInput(part.refused, onRead);
  if (part.zip !== undefined) return ingestZipEntry(part.path, part.zip, ctx, maxEventBytes, onRead);
  let result = readPartOrTell(part, ctx, maxEventBytes, onRead);
  if (result === EVTX_READER_NEEDED) {
    await loadEvtxReader();
    result = readPartOrTell(part, ctx, maxEventBytes, onRead);
  }
  if (result === EVTX_READER_NEEDED) throw new Error('the .evtx reader did not load');
  return result === COMPRESSED ? ingestGzip(part, ctx, maxEventBytes, onRead) : result;
}

/** The first chunk of a whole file, read into the buffer the rest of it is read into (see `readRange`). */
interface FirstChunk {
  readonly buffer: Buffer;
  readonly read: number;
}

/** The first chunk of a whole file of `size` bytes: as `readRange` reads it, and at least as many bytes as tell its kind. */
function firstChunk(fd: number, size: number): FirstChunk {
  const buffer = Buffer.allocUnsafe(Math.max(HEAD_BYTES, Math.min(READ_SIZE, size)));
  return { buffer, read: readSync(fd, buffer, 0, buffer.length, 0) };
}

function ingestGzip(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  const source = createReadStream(part.readFrom ?? part.path, { highWaterMark: READ_SIZE });
  const gunzip = createGunzip({ chunkSize: READ_SIZE });
  pipeline(source, gunzip, () => {});
  // Named as the log inside (`u_ex261102.log`): a W3C or NPS log's channel is its file name, so a compressed copy is
  // the same log as the original (the same record IDs, duplicates found, the same attempt IDs).
  const label = (part.label ?? part.path).replace(/\.gz$/i, '');
  return ingestDecoded(
    { chunks: gunzip, label, name: part.path, what: 'gzip data', bytesRead: () => source.bytesRead },
    ctx,
    maxEventBytes,
    onRead,
  );
}

/**
 * Standard input, read to its end as one text input (Event XML, W3C or NPS log lines, by content). An .evtx file needs
 * random access by chunk: it is refused, to be named as a file.
 */
function ingestStdin(ctx: NormalizeContext, maxEventBytes: number, onRead: OnRead): IngestedFile {
  const out = emptyIngested();
  const ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: STDIN });
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  let first = true;
  for (;;) {
    const read = readStdin(buffer);
    if (read === 0) break;
    const bytes = buffer.subarray(0, read);
    if (first && detectFormat(bytes.subarray(0, HEAD_BYTES)) === 'evtx')
      throw new Error('an .evtx file cannot be read from standard input: name the file');
    if (first && isGzipMagic(bytes))
      throw new Error(
        'standard input is gzip-compressed: name the .gz file, or decompress it (zcat FILE.gz | otptrace analyze -)',
      );
    if (first && isZipSignature(bytes))
      throw new Error('standard input is a zip archive, which is read by name: name the .zip file');
    first = false;
    const items = ingestor.push(bytes);
    tallyItems(out, items);
    out.bytes += read;
    onRead(read, items.length);
  }
  const last = ingestor.end();
  tallyItems(out, last);
  onRead(0, last.length);
  return out;
}

/** One read of file descriptor 0; waits briefly and retries while a non-blocking pipe has nothing yet (EAGAIN). */
function readStdin(buffer: Buffer): number {
  for (;;) {
    try {
      return readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EOF') return 0;
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
}

/**
 * Calls `take` with the bytes of `[from, to)` (the first of them already read when `first` is given, from 0), at most
 * READ_SIZE at a time, always in the same buffer: the ingestors keep (copy) only an unfinished tail once `push`
 * returns. A fresh buffer per read made the memory of a large file depend on when the garbage collector ran: dead 1 MB
 * buffers are external memory, and a synchronous read loop piled up tens of them before a collection.
 */
function readRange(
  fd: number,
  from: number,
  to: number,
  first: FirstChunk | null,
  take: (bytes: Buffer) => void,
): void {
  const buffer = first?.buffer ?? Buffer.allocUnsafe(Math.min(READ_SIZE, to - from));
  let at = from;
  if (first !== null && first.read > 0) {
    const n = Math.min(first.read, to - at);
    take(buffer.subarray(0, n));
    at += n;
  }
  while (at < to) {
    const bytes = buffer.subarray(0, Math.min(buffer.length, to - at));
    const read = readSync(fd, bytes, 0, bytes.length, at);
    if (read === 0) return;
    take(read === bytes.length ? bytes : bytes.subarray(0, read));
    at += read;
  }
}
