import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import {
  CENTRAL_DIRECTORY_TAIL_BYTES,
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

/**
 * A log inside a zip archive, as an input names it: the archive and the entry; or an archive that could not be listed
 * (damaged, split), whose reading gives one rejection saying why rather than failing the run.
 */
export type ZipSource =
  | { readonly archive: string; readonly entry: ZipEntry }
  | { readonly archive: string; readonly error: string };

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
