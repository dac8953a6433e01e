import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE, readChunkEvents, readEvtxHeader, TemplateCache } from '@otptrace/evtx';
import type { NormalizeContext } from '@otptrace/normalize';
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

// Files are read with synchronous calls: a batch reader has nothing else to do meanwhile, and a promise per read costs
// a thread-pool round trip, which for a folder of 10,000 small files is most of the time spent on them.

/** Bytes read at a time from a big file; a small file is read whole. */
const READ_SIZE = 1 << 20;

/** Reports progress: bytes read and events taken in since the last call. */
export type OnRead = (bytes: number, events: number) => void;

/**
 * Read one file (.evtx, EVTX-XML, IIS W3C or NPS log file: by its first bytes, never its name) and tally its ingest
 * items; `onRead` reports progress.
 */
export async function ingestFile(
  path: string,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: OnRead = () => {},
): Promise<IngestedFile> {
  return ingestPart({ path, start: 0, end: Number.POSITIVE_INFINITY, format: 'detect' }, ctx, maxEventBytes, onRead);
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
  if (part.path === STDIN) return ingestStdin(ctx, maxEventBytes, onRead);
  const fd = openSync(part.path, 'r');
  try {
    const size = fstatSync(fd).size;
    const end = Math.min(part.end, size);
    const out = emptyIngested();
    if (part.format === 'evtx' || (part.format === 'detect' && isEvtxHead(fd))) {
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
    if (first && bytes.subarray(0, 8).toString('latin1') === 'ElfFile\0')
      throw new Error('an .evtx file cannot be read from standard input: name the file');
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

function isEvtxHead(fd: number): boolean {
  const head = Buffer.alloc(8);
  return readSync(fd, head, 0, 8, 0) === 8 && head.toString('latin1') === 'ElfFile\0';
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
    if (!readEvtxHeader(header.subarray(0, read)).signatureOk) {
      const reason = 'not an .evtx file: no "ElfFile" signature';
      tallyItems(out, [{ type: 'rejected', code: 'not_an_event', reason, position: 0, raw: null }]);
      onRead(read, 1);
      return;
    }
    first = FILE_HEADER_BLOCK_SIZE;
  }
  const chunk = Buffer.alloc(CHUNK_SIZE);
  // Each chunk repeats the definitions of its templates: decoded once for the whole range, then checked and reused.
  const templates = new TemplateCache();
  for (let position = first; position < end; position += CHUNK_SIZE) {
    const read = readSync(fd, chunk, 0, CHUNK_SIZE, position);
    if (read === 0) return;
    const items: IngestItem[] = [];
    for (const r of readChunkEvents(chunk.subarray(0, read), position, templates).items) {
      items.push(
        r.kind === 'event'
          ? normalizeParsed(r.event, r.position, ctx)
          : { type: 'rejected', code: r.code, reason: r.reason, position: r.position, raw: null },
      );
    }
    tallyItems(out, items);
    onRead(read, items.length);
    if (read < CHUNK_SIZE) return;
  }
}
