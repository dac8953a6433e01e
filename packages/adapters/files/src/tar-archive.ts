import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { longName, paxPath, readTarHeader, TAR_BLOCK, type TarHeader, tarPadded } from '@otptrace/archive';
import { READ_SIZE } from './decode.js';

// Tar archives (`.tar`, `.tar.gz`, `.tgz`: what a Linux-side collection or a SIEM export hands over) have no directory
// and, compressed, no random access: their entries are extracted as the archive streams, each to a file of its own in
// a temporary folder, and read from there. Only what `keep` wants is written: by its name, or by its first bytes.

/** An entry extracted: its path in the archive, and the file it was written to. */
export interface ExtractedEntry {
  readonly name: string;
  readonly file: string;
}

/** What a tar archive gave: the entries kept, and why reading stopped early (damage), if it did. */
export interface TarExtraction {
  readonly entries: ExtractedEntry[];
  readonly damage: string | null;
}

/**
 * Whether an entry of this name is extracted: yes, no, or by its first `headBytes` bytes (a log saved under another
 * name), which are held until `keep` has judged them.
 */
export type KeepEntry = (
  name: string,
) => boolean | { readonly headBytes: number; readonly keep: (head: Uint8Array) => boolean };

/** The first bytes of an entry being judged, held until there are enough of them or the entry ends. */
interface HeldHead {
  readonly bytes: Buffer[];
  held: number;
  readonly wanted: number;
  readonly keep: (head: Uint8Array) => boolean;
}

/** The entry being read: its header, the bytes of it still to come, and where they go. */
interface Current {
  readonly header: TarHeader;
  readonly name: string;
  left: number;
  skip: number;
  fd: number | null;
  head: HeldHead | null;
  readonly meta: Buffer[] | null;
}

/**
 * The files of the tar archive at `path` (gzip-compressed when `gzipped`) that `keep` wants, written into the folder
 * `into` as they stream. Entries before damage (a header that does not add up, compressed data cut short) are kept;
 * the damage is said in `damage`.
 */
export async function extractTar(
  path: string,
  gzipped: boolean,
  into: string,
  keep: KeepEntry,
): Promise<TarExtraction> {
  const source = createReadStream(path, { highWaterMark: READ_SIZE });
  let chunks: AsyncIterable<Buffer> = source;
  if (gzipped) {
    const gunzip = createGunzip({ chunkSize: READ_SIZE });
    pipeline(source, gunzip, () => {});
    chunks = gunzip;
  }
  const entries: ExtractedEntry[] = [];
  let current: Current | null = null;
  let nextName: string | undefined;
  let ended = false;
  let pending: Buffer = Buffer.alloc(0);
  const start = (header: TarHeader): Current => {
    const name = header.type === 'file' ? (nextName ?? header.name) : header.name;
    if (header.type === 'file') nextName = undefined;
    const wanted = header.type === 'file' ? keep(name) : false;
    const meta = header.type === 'longName' || header.type === 'pax' ? [] : null;
    const entry: Current = {
      header,
      name,
      left: header.size,
      skip: tarPadded(header.size) - header.size,
      fd: null,
      head: null,
      meta,
    };
    if (wanted === true) extract(entry);
    else if (wanted !== false) entry.head = { bytes: [], held: 0, wanted: wanted.headBytes, keep: wanted.keep };
    return entry;
  };
  const extract = (entry: Current): void => {
    const file = join(into, String(entries.length));
    entry.fd = openSync(file, 'w');
    entries.push({ name: entry.name, file });
  };
  /** The held first bytes judged: the entry extracted from its start, or passed over. */
  const judge = (entry: Current, head: HeldHead): void => {
    entry.head = null;
    const bytes = Buffer.concat(head.bytes);
    if (!head.keep(bytes.subarray(0, head.wanted))) return;
    extract(entry);
    writeSync(entry.fd as number, bytes);
  };
  const finish = (entry: Current): void => {
    if (entry.head !== null) judge(entry, entry.head);
    if (entry.fd !== null) closeSync(entry.fd);
    if (entry.meta !== null) {
      const data = Buffer.concat(entry.meta);
      nextName = entry.header.type === 'longName' ? longName(data) : (paxPath(data) ?? nextName);
    }
  };
  try {
    for await (const chunk of chunks) {
      const bytes = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      let at = 0;
      while (!ended) {
        if (current === null) {
          if (bytes.length - at < TAR_BLOCK) break;
          const header = readTarHeader(bytes.subarray(at, at + TAR_BLOCK));
          at += TAR_BLOCK;
          if (header === null) ended = true;
          else current = start(header);
          continue;
        }
        const take = Math.min(current.left, bytes.length - at);
        if (take > 0) {
          const data = bytes.subarray(at, at + take);
          if (current.fd !== null) writeSync(current.fd, data);
          else if (current.head !== null) {
            current.head.bytes.push(Buffer.from(data));
            current.head.held += data.length;
            if (current.head.held >= current.head.wanted) judge(current, current.head);
          }
          current.meta?.push(Buffer.from(data));
          at += take;
          current.left -= take;
        }
        if (current.left > 0) break;
        const skip = Math.min(current.skip, bytes.length - at);
        at += skip;
        current.skip -= skip;
        if (current.skip > 0) break;
        finish(current);
        current = null;
      }
      if (ended) break;
      pending = bytes.subarray(at);
    }
  } catch (error) {
    if (current !== null) finish(current);
    const code = String((error as NodeJS.ErrnoException).code ?? '');
    if (!code.startsWith('Z_') && (error as Error).name !== 'TarFormatError') throw error;
    return { entries, damage: (error as Error).message };
  }
  if (current !== null) {
    finish(current);
    return { entries, damage: `the archive ends inside ${current.name}: it is cut short` };
  }
  return { entries, damage: null };
}
