import type { DropReason, ParsedEvent } from '@otptrace/model';
import { TemplateCache } from './binxml/template-cache.js';
import type { ChunkHeader } from './chunk.js';
import { CHUNK_SIZE } from './chunk.js';
import { type EvtxFileHeader, FILE_HEADER_BLOCK_SIZE, readFileHeader } from './file-header.js';
import {
  type ChunkEvents,
  type EvtxEvent,
  type EvtxRecord,
  type EvtxRejection,
  readChunk,
  readChunkEvents,
} from './records.js';
import { renderXml } from './xml.js';

/** Everything read from one .evtx file. */
export interface EvtxReading {
  readonly header: EvtxFileHeader;
  /** Headers of the chunks found (checksum verdicts included), in file order. */
  readonly chunks: readonly ChunkHeader[];
  readonly events: Array<{ readonly event: ParsedEvent; readonly position: number }>;
  readonly rejected: Array<{ readonly position: number; readonly reason: string; readonly code: DropReason }>;
}

/**
 * Every record of a .evtx file, decoded to its XML tree, or rejected with its position. Walks every 64 KiB chunk
 * slot after the file header, however many chunks the header claims (a dirty file's header lags behind its chunks).
 * Never throws.
 */
export function* iterateEvtxRecords(bytes: Uint8Array): Generator<EvtxRecord | EvtxRejection, void, undefined> {
  for (const { items } of iterateEvtxChunks(bytes)) yield* items;
}

/** Chunk by chunk: each chunk's header and its records (for callers that report per-chunk damage). */
export function* iterateEvtxChunks(bytes: Uint8Array): Generator<ReturnType<typeof readChunk>, void, undefined> {
  const header = readFileHeader(bytes);
  if (!header.signatureOk) {
    yield { header: null, items: [fileRejection(bytes)] };
    return;
  }
  for (let position = FILE_HEADER_BLOCK_SIZE; position < bytes.length; position += CHUNK_SIZE) {
    yield readChunk(bytes.subarray(position, position + CHUNK_SIZE), position);
  }
}

/** Every event of a .evtx file as a ParsedEvent (the XML reader's type), or a rejection, in file order. */
export function* iterateEvtx(bytes: Uint8Array): Generator<EvtxEvent | EvtxRejection, void, undefined> {
  for (const { items } of iterateEvtxChunkEvents(bytes)) yield* items;
}

/** Chunk by chunk, each chunk's header and its records as events or rejections. */
function* iterateEvtxChunkEvents(bytes: Uint8Array): Generator<ChunkEvents, void, undefined> {
  const header = readFileHeader(bytes);
  if (!header.signatureOk) {
    yield { header: null, items: [fileRejection(bytes)] };
    return;
  }
  const templates = new TemplateCache();
  for (let position = FILE_HEADER_BLOCK_SIZE; position < bytes.length; position += CHUNK_SIZE) {
    yield readChunkEvents(bytes.subarray(position, position + CHUNK_SIZE), position, templates);
  }
}

/** Reads a whole .evtx file held in memory into ParsedEvents, rejections, and header and chunk facts. */
export function readEvtx(bytes: Uint8Array): EvtxReading {
  const events: EvtxReading['events'] = [];
  const rejected: EvtxReading['rejected'] = [];
  const chunks: ChunkHeader[] = [];
  for (const reading of iterateEvtxChunkEvents(bytes)) {
    if (reading.header !== null) chunks.push(reading.header);
    for (const item of reading.items) {
      if (item.kind === 'event') events.push({ event: item.event, position: item.position });
      else rejected.push({ position: item.position, reason: item.reason, code: item.code });
    }
  }
  return { header: readFileHeader(bytes), chunks, events, rejected };
}

/** A record's event as Windows-style Event XML (compact, as `wevtutil qe /f:xml` prints it). */
export function renderRecordXml(record: EvtxRecord): string {
  return renderXml(record.event);
}

function fileRejection(bytes: Uint8Array): EvtxRejection {
  const reason =
    bytes.length < FILE_HEADER_BLOCK_SIZE && bytes.length < 128
      ? `file of ${bytes.length} bytes is shorter than an .evtx header`
      : 'file does not start with the .evtx signature "ElfFile"';
  return { kind: 'rejected', position: 0, reason, code: 'not_an_event' };
}
