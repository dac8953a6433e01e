import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, createInflateRaw, inflateRawSync } from 'node:zlib';
import { CompressedDataError, compressionMethodName, inflate, type ZipEntry, ZipFormatError } from '@otptrace/archive';
import {
  CHUNK_SIZE,
  crc32,
  FILE_HEADER_BLOCK_SIZE,
  readChunkEvents,
  readEvtxHeader,
  TemplateCache,
} from '@otptrace/evtx';
import type { NormalizeContext } from '@otptrace/normalize';
import { detectFormat } from '@otptrace/parse';
import {
  DetectingIngestor,
  emptyIngested,
  type IngestedFile,
  type IngestItem,
  type Ingestor,
  normalizeParsed,
  tallyItems,
  XmlIngestor,
} from '@otptrace/pipeline/readers';
import { STDIN } from './inputs.js';
import { type FilePart, xmlBoundary } from './parts.js';
import { entryDataOffset, isZipSignature, readAt, type ZipSource } from './zip-archive.js';

// Files are read with synchronous calls: a batch reader has nothing else to do meanwhile, and a promise per read costs
// a thread-pool round trip, which for a folder of 10,000 small files is most of the time spent on them.

/** Bytes read at a time from a big file; a small file is read whole. */
const READ_SIZE = 1 << 20;

/** Reports progress: bytes read and events taken in since the last call. */
export type OnRead = (bytes: number, events: number) => void;

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

/**
 * Read one part of a file: a whole file (`format: 'detect'`, start 0), or a byte range of a big .evtx or Event XML
 * file (format read from its head by the planner). An XML range runs from the event boundary at or after `start` to
 * the one at or after `end` (`xmlBoundary`), so consecutive ranges tile the file and give exactly the items of one
 * whole reading (Event XML is what the detecting reader reads such a file as).
 */
export function ingestPart(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead = () => {},
): IngestedFile {
  const result = readPartOrTellCompressed(part, ctx, maxEventBytes, onRead);
  if (result === COMPRESSED) throw new Error('the file is gzip-compressed: it is read by ingestAnyPart');
  return result;
}

/** What `readPartOrTellCompressed` gives for a gzip-compressed file, which it leaves to `ingestGzip`. */
const COMPRESSED = Symbol('gzip-compressed');

function readPartOrTellCompressed(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): IngestedFile | typeof COMPRESSED {
  if (part.path === STDIN) return ingestStdin(ctx, maxEventBytes, onRead);
  const fd = openSync(part.path, 'r');
  try {
    const size = fstatSync(fd).size;
    const end = Math.min(part.end, size);
    const out = emptyIngested();
    // A whole file's format comes from its first bytes (read once: one more read per file counts over 10,000 files).
    const head = part.format === 'detect' ? headOf(fd) : null;
    if (head !== null && isGzipMagic(head)) return COMPRESSED;
    if (part.format === 'evtx' || (head !== null && detectFormat(head) === 'evtx')) {
      readEvtxRange(fd, part.start, end, ctx, out, onRead);
      return out;
    }
    let from = 0;
    let to = size;
    let ingestor: Ingestor;
    if (part.format === 'detect') {
      // Text inputs: Windows Event XML, IIS W3C logs, NPS log files (ODBC, DTS), detected by content.
      ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: part.path });
    } else {
      from = part.start === 0 ? 0 : xmlBoundary(fd, part.start, size);
      to = end >= size ? size : xmlBoundary(fd, end, size);
      ingestor = new XmlIngestor(ctx, { maxEventBytes, startPosition: from });
    }
    readRange(fd, from, to, (bytes) => {
      const items = ingestor.push(bytes);
      tallyItems(out, items);
      out.bytes += bytes.length;
      onRead(bytes.length, items.length);
    });
    const last = ingestor.end();
    tallyItems(out, last);
    onRead(0, last.length);
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * `ingestPart`, and a whole gzip-compressed file (a rotated log, `u_ex261102.log.gz`; told by its first bytes) read
 * through gunzip as it streams, as the file inside would be read (Event XML, W3C or NPS log lines, or .evtx). Damaged
 * compressed data (cut short by a copy, corrupt) loses only what follows the damage: the events before it are kept and
 * one `compressed_data_error` rejection says where decoding stopped.
 */
export async function ingestAnyPart(
  part: FilePart,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead = () => {},
): Promise<IngestedFile> {
  if (part.zip !== undefined) return ingestZipEntry(part.path, part.zip, ctx, maxEventBytes, onRead);
  const result = readPartOrTellCompressed(part, ctx, maxEventBytes, onRead);
  return result === COMPRESSED ? ingestGzip(part.path, ctx, maxEventBytes, onRead) : result;
}

/** Entries up to this size (compressed and not) are decompressed in one call; larger ones stream. */
const WHOLE_ENTRY_BYTES = 8 << 20;

/**
 * A log inside a zip archive (`path`: the archive's path, a slash and the entry's), decompressed as it is read and
 * then read as the file itself (a .gz inside, too): stored, Deflate, or Deflate64 (which Windows Explorer uses for
 * archives over 2 GB). Its size and CRC-32 are checked against the archive's directory. What cannot be read (an
 * archive that could not be listed, an encrypted entry, another method) is one rejection that says why, not a failed
 * run.
 */
async function ingestZipEntry(
  path: string,
  source: ZipSource,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  const refusal = 'error' in source ? `not read as a zip archive: ${source.error}` : entryRefusal(source.entry);
  if (refusal !== null) return unreadableEntry(refusal, onRead);
  const { archive, entry } = source as Extract<ZipSource, { entry: unknown }>;
  // The name the log would have extracted (`logs.zip` extracts to `logs/`), without a .gz of its own.
  const label = `${archive.replace(/\.zip$/i, '')}/${entry.name}`.replace(/\.gz$/i, '');
  const gzipped = /\.gz$/i.test(entry.name);
  const verify = (decoded: number, crc: number): string | null =>
    decoded !== entry.size
      ? `is ${decoded} bytes where the archive says ${entry.size}`
      : crc !== entry.crc32
        ? 'fails its CRC-32 check (the archive is damaged)'
        : null;
  const fd = openSync(archive, 'r');
  let dataStart: number;
  try {
    try {
      dataStart = entryDataOffset(fd, entry);
    } catch (error) {
      // The directory points at no local header: the archive is damaged there (its other entries are still read).
      if (error instanceof ZipFormatError) return unreadableEntry(`not read: ${error.message}`, onRead);
      throw error;
    }
    if (!gzipped && entry.size <= WHOLE_ENTRY_BYTES && entry.compressedSize <= WHOLE_ENTRY_BYTES) {
      const compressed = readAt(fd, dataStart, entry.compressedSize);
      let decoded: Buffer | null = compressed;
      try {
        // At most the size the archive states: more is a damaged entry (or a decompression bomb), streamed below.
        if (entry.method === 8) decoded = inflateRawSync(compressed, { maxOutputLength: Math.max(1, entry.size) });
        else if (entry.method === DEFLATE64) decoded = inflateAtMost(compressed, entry.size);
      } catch {
        decoded = null; // damaged: streamed below, which keeps what comes before the damage
      }
      if (decoded !== null) {
        const chunks = [decoded];
        return await ingestDecoded(
          {
            chunks,
            label,
            name: path,
            what: 'zip entry data',
            bytesRead: () => compressed.length,
            verify,
            maxBytes: entry.size,
          },
          ctx,
          maxEventBytes,
          onRead,
        );
      }
    }
  } finally {
    closeSync(fd);
  }
  // Larger entries, damaged ones, Deflate64 and a .gz inside the archive stream. A .gz's own trailer (CRC-32 and size)
  // is checked by gunzip; the archive's check would need the bytes between the two decompressions.
  const stream = entryStream(archive, entry, dataStart);
  let chunks: AsyncIterable<Buffer> = stream.chunks;
  if (gzipped) {
    const gunzip = createGunzip({ chunkSize: READ_SIZE });
    pipeline(stream.chunks, gunzip, () => {});
    chunks = gunzip;
  }
  try {
    return await ingestDecoded(
      {
        chunks,
        label,
        name: path,
        what: 'zip entry data',
        bytesRead: stream.bytesRead,
        ...(gzipped ? {} : { verify, maxBytes: entry.size }),
      },
      ctx,
      maxEventBytes,
      onRead,
    );
  } finally {
    stream.close();
  }
}

/** Deflate64 data decoded whole, or null when it would be longer than `size` (decoded no further). */
function inflateAtMost(compressed: Uint8Array, size: number): Buffer | null {
  const pieces: Uint8Array[] = [];
  let total = 0;
  for (const piece of inflate(once(compressed), { deflate64: true })) {
    total += piece.length;
    if (total > size) return null;
    pieces.push(piece);
  }
  return Buffer.concat(pieces);
}

/** Gives `bytes`, then the end. */
function once(bytes: Uint8Array): () => Uint8Array | null {
  let given = false;
  return () => {
    if (given) return null;
    given = true;
    return bytes;
  };
}

/** Zip's method number for Deflate64 (APPNOTE 4.4.5). */
const DEFLATE64 = 9;

/**
 * An entry's decompressed bytes as they are read: as stored (method 0), through zlib (Deflate), or through our own
 * decoder (Deflate64, which zlib lacks), reading the archive as the decoder asks.
 */
function entryStream(
  archive: string,
  entry: ZipEntry,
  dataStart: number,
): { chunks: Readable; bytesRead: () => number; close: () => void } {
  if (entry.method === DEFLATE64) {
    const fd = openSync(archive, 'r');
    let read = 0;
    const readMore = (): Uint8Array | null => {
      const bytes = readAt(fd, dataStart + read, Math.min(READ_SIZE, entry.compressedSize - read));
      read += bytes.length;
      return bytes.length === 0 ? null : bytes;
    };
    function* pieces(): Generator<Buffer> {
      for (const piece of inflate(readMore, { deflate64: true }))
        yield Buffer.from(piece.buffer, piece.byteOffset, piece.length);
    }
    return {
      chunks: Readable.from(pieces(), { objectMode: false }),
      bytesRead: () => read,
      close: () => closeSync(fd),
    };
  }
  const raw = createReadStream(archive, {
    start: dataStart,
    end: dataStart + entry.compressedSize - 1,
    highWaterMark: READ_SIZE,
  });
  const none = () => {};
  if (entry.method === 0) return { chunks: raw, bytesRead: () => raw.bytesRead, close: none };
  const inflated = createInflateRaw({ chunkSize: READ_SIZE });
  pipeline(raw, inflated, none);
  return { chunks: inflated, bytesRead: () => raw.bytesRead, close: none };
}

/** An entry that cannot be read at all, as one rejection that says why. */
function unreadableEntry(reason: string, onRead: OnRead): IngestedFile {
  const out = emptyIngested();
  tallyItems(out, [{ type: 'rejected', code: 'unreadable_archive_entry', reason, position: 0, raw: null }]);
  onRead(0, 1);
  return out;
}

/** Why an entry cannot be read, or null. */
function entryRefusal(entry: ZipEntry): string | null {
  if (entry.encrypted) return 'the zip entry is encrypted: extract it with its password, then analyze the files';
  if (entry.method === 0 || entry.method === 8 || entry.method === DEFLATE64) return null;
  return `the zip entry is compressed with ${compressionMethodName(entry.method)}, which otptrace does not read: extract the archive, then analyze the folder`;
}

/** The first bytes of a file, as many as tell its kind. */
function headOf(fd: number): Buffer {
  const head = Buffer.alloc(HEAD_BYTES);
  return head.subarray(0, readSync(fd, head, 0, head.length, 0));
}

/** The first two bytes of a gzip stream (RFC 1952, section 2.3.1). */
function isGzipMagic(bytes: Buffer): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Where decompressed bytes go: a text ingestor or an .evtx chunk reader, chosen by the first bytes. */
interface ByteSink {
  push(bytes: Buffer): void;
  end(): void;
}

function ingestGzip(path: string, ctx: NormalizeContext, maxEventBytes: number, onRead: OnRead): Promise<IngestedFile> {
  const source = createReadStream(path, { highWaterMark: READ_SIZE });
  const gunzip = createGunzip({ chunkSize: READ_SIZE });
  pipeline(source, gunzip, () => {});
  // Named as the log inside (`u_ex261102.log`): a W3C or NPS log's channel is its file name, so a compressed copy is
  // the same log as the original (the same record IDs, duplicates found, the same attempt IDs).
  const label = path.replace(/\.gz$/i, '');
  return ingestDecoded(
    { chunks: gunzip, label, name: path, what: 'gzip data', bytesRead: () => source.bytesRead },
    ctx,
    maxEventBytes,
    onRead,
  );
}

/** Decompressed bytes to read as a file's: where they come from, and how to name them. */
interface DecodedInput {
  readonly chunks: AsyncIterable<Buffer> | Iterable<Buffer>;
  /** The name of the log inside, which text logs take their channel (and W3C logs their server) from. */
  readonly label: string;
  /** The input's name in messages. */
  readonly name: string;
  /** What is decoded, in messages (`gzip data`). */
  readonly what: string;
  /** The input's own (compressed) bytes read so far: progress counts them, as the plan's total does. */
  readonly bytesRead: () => number;
  /** Checks the whole output once it is decoded (a zip entry's size and CRC-32); a message when it fails. */
  readonly verify?: (decoded: number, crc: number) => string | null;
  /** The most bytes the output may have (a zip entry's stated size); decoding stops past it. */
  readonly maxBytes?: number;
}

async function ingestDecoded(
  input: DecodedInput,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  const out = emptyIngested();
  let reported = 0;
  const progress = (events: number) => {
    const read = input.bytesRead();
    onRead(read - reported, events);
    out.bytes += read - reported;
    reported = read;
  };
  const text = (): ByteSink => {
    const ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: input.label });
    const take = (items: IngestItem[]) => {
      tallyItems(out, items);
      progress(items.length);
    };
    return { push: (bytes) => take(ingestor.push(bytes)), end: () => take(ingestor.end()) };
  };
  let sink: ByteSink | null = null;
  let head: Buffer[] = [];
  let headBytes = 0;
  let decoded = 0;
  let crc = 0;
  let damage: string | null = null;
  try {
    for await (const whole of input.chunks) {
      let chunk = whole;
      if (input.maxBytes !== undefined && decoded + chunk.length > input.maxBytes) {
        // Longer than stated: what fits is read, the rest not decoded (a bomb stops here too).
        chunk = chunk.subarray(0, input.maxBytes - decoded);
        damage = `is longer than the ${input.maxBytes} bytes the archive states`;
      }
      decoded += chunk.length;
      if (input.verify !== undefined) crc = crc32(chunk, 0, chunk.length, crc);
      if (sink !== null) {
        sink.push(chunk);
        if (damage !== null) break;
        continue;
      }
      head.push(chunk);
      headBytes += chunk.length;
      if (headBytes < HEAD_BYTES && damage === null) continue;
      const bytes = Buffer.concat(head);
      head = [];
      sink = detectFormat(bytes.subarray(0, HEAD_BYTES)) === 'evtx' ? new EvtxSequence(ctx, out, progress) : text();
      sink.push(bytes);
      if (damage !== null) break;
    }
  } catch (error) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR: data corrupt or cut short) and the Deflate64 decoder's are the
    // input's; others (I/O) fail the read.
    const zlib = String((error as NodeJS.ErrnoException).code ?? '').startsWith('Z_');
    if (!zlib && !(error instanceof CompressedDataError)) throw error;
    damage = (error as Error).message.replace(/^unexpected end of file$/, 'ends early');
  }
  sink ??= text();
  if (head.length > 0) sink.push(Buffer.concat(head));
  sink.end();
  if (damage === null && input.verify !== undefined) damage = input.verify(decoded, crc);
  if (damage !== null) {
    const reason = `${input.what} ${damage} after ${decoded} bytes: the rest of ${input.name} is not read`;
    tallyItems(out, [{ type: 'rejected', code: 'compressed_data_error', reason, position: decoded, raw: null }]);
    progress(1);
  }
  return out;
}

/** Bytes that tell a file's kind: the .evtx signature (`ElfFile\0`) is 8, gzip's magic 2. */
const HEAD_BYTES = 8;

/**
 * .evtx bytes that come in order (from gunzip) rather than by position: gathered into the file header, then one
 * 64 KiB chunk at a time, each read as `readEvtxRange` reads it.
 */
class EvtxSequence implements ByteSink {
  private readonly header = Buffer.alloc(FILE_HEADER_BLOCK_SIZE);
  private readonly chunk = Buffer.alloc(CHUNK_SIZE);
  private readonly templates = new TemplateCache();
  private filled = 0;
  private position = 0;
  private refused = false;

  constructor(
    private readonly ctx: NormalizeContext,
    private readonly out: IngestedFile,
    private readonly progress: (events: number) => void,
  ) {}

  push(bytes: Buffer): void {
    for (let at = 0; at < bytes.length && !this.refused; ) {
      const block = this.position === 0 ? this.header : this.chunk;
      const n = Math.min(block.length - this.filled, bytes.length - at);
      bytes.copy(block, this.filled, at, at + n);
      this.filled += n;
      at += n;
      if (this.filled === block.length) this.complete();
    }
    if (this.refused) this.progress(0);
  }

  end(): void {
    if (this.filled > 0 && !this.refused) this.complete();
  }

  private complete(): void {
    if (this.position === 0) {
      this.refused = !acceptEvtxHeader(this.header.subarray(0, this.filled), this.out, this.progress);
      this.position = FILE_HEADER_BLOCK_SIZE;
    } else {
      this.progress(
        takeEvtxChunk(this.chunk.subarray(0, this.filled), this.position, this.templates, this.ctx, this.out),
      );
      this.position += CHUNK_SIZE;
    }
    this.filled = 0;
  }
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
 * Calls `take` with the bytes of `[from, to)`, at most READ_SIZE at a time, always in the same buffer: the ingestors
 * keep (copy) only an unfinished tail once `push` returns. A fresh buffer per read made the memory of a large file
 * depend on when the garbage collector ran: dead 1 MB buffers are external memory, and a synchronous read loop piled
 * up tens of them before a collection.
 */
function readRange(fd: number, from: number, to: number, take: (bytes: Buffer) => void): void {
  const buffer = Buffer.allocUnsafe(Math.min(READ_SIZE, to - from));
  for (let at = from; at < to; ) {
    const bytes = buffer.subarray(0, Math.min(buffer.length, to - at));
    const read = readSync(fd, bytes, 0, bytes.length, at);
    if (read === 0) return;
    take(read === bytes.length ? bytes : bytes.subarray(0, read));
    at += read;
  }
}

/**
 * The records of the 64 KiB chunks starting in `[start, end)` (from 0: the file header is checked first), one chunk
 * in memory at a time, each record turned into an ingest item exactly as the XML path does.
 */
function readEvtxRange(
  fd: number,
  start: number,
  end: number,
  ctx: NormalizeContext,
  out: IngestedFile,
  onRead: OnRead,
): void {
  let first = start;
  if (start === 0) {
    const header = Buffer.alloc(FILE_HEADER_BLOCK_SIZE);
    const read = readSync(fd, header, 0, FILE_HEADER_BLOCK_SIZE, 0);
    if (!acceptEvtxHeader(header.subarray(0, read), out, (events) => onRead(read, events))) return;
    first = FILE_HEADER_BLOCK_SIZE;
  }
  const chunk = Buffer.alloc(CHUNK_SIZE);
  // Each chunk repeats the definitions of its templates: decoded once for the whole range, then checked and reused.
  const templates = new TemplateCache();
  for (let position = first; position < end; position += CHUNK_SIZE) {
    const read = readSync(fd, chunk, 0, CHUNK_SIZE, position);
    if (read === 0) return;
    onRead(read, takeEvtxChunk(chunk.subarray(0, read), position, templates, ctx, out));
    if (read < CHUNK_SIZE) return;
  }
}

/** Whether the .evtx file header is one; if not, the file is rejected as a whole (and progress told). */
function acceptEvtxHeader(header: Buffer, out: IngestedFile, progress: (events: number) => void): boolean {
  if (readEvtxHeader(header).signatureOk) return true;
  const reason = 'not an .evtx file: no "ElfFile" signature';
  tallyItems(out, [{ type: 'rejected', code: 'not_an_event', reason, position: 0, raw: null }]);
  progress(1);
  return false;
}

/** One chunk's records as ingest items, exactly as the XML path makes them, tallied; returns how many. */
function takeEvtxChunk(
  chunk: Buffer,
  position: number,
  templates: TemplateCache,
  ctx: NormalizeContext,
  out: IngestedFile,
): number {
  const items: IngestItem[] = [];
  for (const r of readChunkEvents(chunk, position, templates).items) {
    items.push(
      r.kind === 'event'
        ? normalizeParsed(r.event, r.position, ctx)
        : { type: 'rejected', code: r.code, reason: r.reason, position: r.position, raw: null },
    );
  }
  tallyItems(out, items);
  return items.length;
}
