import { once as eventOnce } from 'node:events';
import { closeSync, createReadStream, createWriteStream, fstatSync, openSync, readSync } from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip, createInflateRaw, inflateRawSync, constants as zlib } from 'node:zlib';
import {
  CENTRAL_DIRECTORY_TAIL_BYTES,
  compressionMethodName,
  inflate,
  isZip64EndRecord,
  LOCAL_HEADER_BYTES,
  localDataOffset,
  readCentralDirectory,
  readEndOfCentralDirectory,
  readZip64EndRecord,
  ZIP64_END_RECORD_BYTES,
  type ZipDirectory,
  type ZipEntry,
  ZipFormatError,
} from '@otptrace/archive';
import { crc32 } from '@otptrace/evtx/layout';
import type { NormalizeContext } from '@otptrace/normalize';
import type { IngestedFile } from '@otptrace/pipeline/readers';
import { ingestDecoded, type OnRead, READ_SIZE, refusedInput } from './decode.js';

// Zip archives, read in place: their directory listed (`@otptrace/archive` reads it from the bytes asked for here),
// then each log entry decompressed as it is read, and read as the file it holds (decode.ts).

/**
 * A log inside a zip archive, as an input names it: the archive and the entry; or an archive that could not be listed
 * (damaged, split), whose reading gives one rejection saying why rather than failing the run.
 */
export interface ZipSource {
  /** The archive file (for an archive inside another, its extracted copy). */
  readonly archive: string;
  readonly entry: ZipEntry;
  /** The folder the archive extracts to (`logs.zip` → `logs`): the entry is read as if it were there. */
  readonly extractsTo: string;
  /**
   * Whether the entry holds gzip data, when its first bytes told (an entry of another name); otherwise its name
   * tells (`.gz`), which spares a log-named entry a read of its head.
   */
  readonly gzipped?: boolean;
}

/** The first four bytes of a zip archive: a local file header, or the end record of an empty archive. */
export function isZipSignature(head: Uint8Array): boolean {
  return (
    head.length >= 4 &&
    head[0] === 0x50 &&
    head[1] === 0x4b &&
    ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6))
  );
}

/** The entries of the zip archive at `path`, in its central directory's order; throws ZipFormatError when it is none. */
export function listZipEntries(path: string): ZipEntry[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const tailBytes = Math.min(size, CENTRAL_DIRECTORY_TAIL_BYTES);
    const end = readEndOfCentralDirectory(readAt(fd, size - tailBytes, tailBytes), size);
    let directory: ZipDirectory;
    if (end.kind === 'directory') directory = end.directory;
    else {
      // Where the locator says; else right before the locator, where writers put it (bytes before the archive, as
      // in a self-extractor, move it from where the locator says).
      let recordAt = end.recordOffset;
      let record = readAt(fd, recordAt, ZIP64_END_RECORD_BYTES);
      if (!isZip64EndRecord(record) && end.locatorOffset >= ZIP64_END_RECORD_BYTES) {
        recordAt = end.locatorOffset - ZIP64_END_RECORD_BYTES;
        record = readAt(fd, recordAt, ZIP64_END_RECORD_BYTES);
      }
      directory = readZip64EndRecord(record, recordAt);
    }
    if (directory.offset + directory.size > size) throw new ZipFormatError('the archive is cut short');
    return readCentralDirectory(readAt(fd, directory.offset, directory.size), directory);
  } finally {
    closeSync(fd);
  }
}

/** Where an entry's data starts, from its local header (open `fd` of the archive). */
export function entryDataOffset(fd: number, entry: ZipEntry): number {
  return localDataOffset(readAt(fd, entry.localHeaderOffset, LOCAL_HEADER_BYTES), entry);
}

/** `length` bytes at `position` (fewer at the end of the file). */
export function readAt(fd: number, position: number, length: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const read = readSync(fd, bytes, filled, length - filled, position + filled);
    if (read === 0) break;
    filled += read;
  }
  return bytes.subarray(0, filled);
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
export async function ingestZipEntry(
  path: string,
  source: ZipSource,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead,
): Promise<IngestedFile> {
  const refusal = entryRefusal(source.entry);
  if (refusal !== null) return refusedInput(refusal, onRead);
  const { archive, entry, extractsTo } = source;
  // The name the log would have extracted, without a .gz of its own.
  const label = `${extractsTo}/${entry.name}`.replace(/\.gz$/i, '');
  const gzipped = source.gzipped ?? /\.gz$/i.test(entry.name);
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
      if (error instanceof ZipFormatError) return refusedInput(`not read: ${error.message}`, onRead);
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

/**
 * An entry decompressed into the file `to` (an archive inside the archive, read in turn); throws, saying why, when it
 * cannot be, or when what it decompresses to is not the size and CRC-32 the archive states.
 */
export async function extractEntry(archive: string, entry: ZipEntry, to: string): Promise<void> {
  const refusal = entryRefusal(entry);
  if (refusal !== null) throw new Error(refusal);
  const fd = openSync(archive, 'r');
  let dataStart: number;
  try {
    dataStart = entryDataOffset(fd, entry);
  } finally {
    closeSync(fd);
  }
  const stream = entryStream(archive, entry, dataStart);
  let size = 0;
  let crc = 0;
  const out = createWriteStream(to);
  try {
    for await (const chunk of stream.chunks as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > entry.size) throw new Error(`it is longer than the ${entry.size} bytes the archive states`);
      crc = crc32(chunk, 0, chunk.length, crc);
      if (!out.write(chunk)) await eventOnce(out, 'drain');
    }
  } finally {
    stream.close();
    out.end();
    await finished(out).catch(() => {});
  }
  if (size !== entry.size || crc !== entry.crc32)
    throw new Error(`it decompresses to ${size} bytes with another CRC-32 than the archive states (it is damaged)`);
}

/**
 * The first `length` bytes an entry decompresses to (fewer when it is shorter), to tell a log saved under another name
 * by its first bytes; null when it cannot be read (encrypted, another method, damaged). Only the compressed bytes the
 * head needs are read: for Deflate, a little more than `length` (its blocks never grow data by more than a few
 * bytes per 64 KB).
 */
export function zipEntryHead(archive: string, entry: ZipEntry, length: number): Buffer | null {
  if (entryRefusal(entry) !== null) return null;
  const fd = openSync(archive, 'r');
  try {
    const dataStart = entryDataOffset(fd, entry);
    if (entry.method === DEFLATE64) {
      // Our decoder hands its output on a MB at a time: the compressed bytes are read as it asks, up to the first.
      let read = 0;
      const readMore = (): Uint8Array | null => {
        const bytes = readAt(fd, dataStart + read, Math.min(READ_SIZE, entry.compressedSize - read));
        read += bytes.length;
        return bytes.length === 0 ? null : bytes;
      };
      for (const piece of inflate(readMore, { deflate64: true })) return Buffer.from(piece.subarray(0, length));
      return Buffer.alloc(0);
    }
    const compressed = readAt(fd, dataStart, Math.min(entry.compressedSize, length + HEAD_SLACK_BYTES));
    if (entry.method === 0) return compressed.subarray(0, length);
    // A sync flush at the end: the bytes given are the start of the stream, not all of it.
    return inflateRawSync(compressed, { finishFlush: zlib.Z_SYNC_FLUSH }).subarray(0, length);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** Compressed bytes read beyond a head's length: Deflate's block headers and Huffman tables. */
const HEAD_SLACK_BYTES = 1024;

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

/** Why an entry cannot be read, or null. */
function entryRefusal(entry: ZipEntry): string | null {
  if (entry.encrypted) return 'the zip entry is encrypted: extract it with its password, then analyze the files';
  if (entry.method === 0 || entry.method === 8 || entry.method === DEFLATE64) return null;
  return `the zip entry is compressed with ${compressionMethodName(entry.method)}, which otptrace does not read: extract the archive, then analyze the folder`;
}
