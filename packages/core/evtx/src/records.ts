import type { DropReason, ParsedEvent } from '@otptrace/model';
import { type ChunkContext, chunkContext, decodeFragment } from './binxml/decode.js';
import { DirectReader } from './binxml/direct.js';
import { BinXmlError } from './binxml/nodes.js';
import { resolveNodes } from './binxml/resolve.js';
import type { TemplateCache } from './binxml/template-cache.js';
import { renderFiletime } from './binxml/values.js';
import { u32, u64n } from './bytes.js';
import {
  CHUNK_HEADER_SIZE,
  CHUNK_SIZE,
  type ChunkHeader,
  MIN_RECORD_SIZE,
  RECORD_SIGNATURE,
  readChunkSlot,
} from './chunk.js';
import { toParsedEvent } from './parsed-event.js';
import type { XmlElement } from './xml.js';

/** One event record decoded to its XML tree. */
export interface EvtxRecord {
  readonly kind: 'record';
  /** Byte offset of the record in the file. */
  readonly position: number;
  /** The record number in the record header (equals System/EventRecordID in a sound file). */
  readonly recordId: number;
  /** When the record was written (record header FILETIME), in the form of `renderFiletime`. */
  readonly writtenTime: string;
  /** The `<Event>` element. */
  readonly event: XmlElement;
}

/** A record's event as a ParsedEvent (the XML reader's type), with the byte offset of the record in the file. */
export interface EvtxEvent {
  readonly kind: 'event';
  readonly event: ParsedEvent;
  readonly position: number;
}

/** Bytes that could not be read as an event, with where they are and why. */
export interface EvtxRejection {
  readonly kind: 'rejected';
  /** Byte offset in the file of the record (or chunk) that was refused. */
  readonly position: number;
  readonly reason: string;
  readonly code: DropReason;
}

/** What one chunk yields: its header (null when the slot holds no readable chunk) and its records in order. */
export interface ChunkReading {
  readonly header: ChunkHeader | null;
  readonly items: Array<EvtxRecord | EvtxRejection>;
}

const CORRUPT: DropReason = 'corrupt_chunk';

/**
 * Reads every record of one chunk. `chunk` holds the chunk's bytes (64 KiB, or fewer when the file ends inside it)
 * and `position` is its offset in the file. Never throws: damage becomes rejections.
 */
export function readChunk(chunk: Uint8Array, position: number): ChunkReading {
  return readChunkWith(chunk, position, (ctx, offset, size, at, items) => {
    const record = readRecord(ctx, chunk, offset, size, at);
    items.push(record);
    return record.kind === 'record';
  });
}

/** One chunk's header and its records as events or rejections. */
export interface ChunkEvents {
  readonly header: ChunkHeader | null;
  readonly items: Array<EvtxEvent | EvtxRejection>;
}

/**
 * Reads every record of one chunk as a ParsedEvent (or a rejection), as `readChunk` + `parsedOrRejected` would, but
 * records of the known template shapes are read straight from their substitution values, without an XML tree.
 * `templates`, shared by the chunks of one file, lets a chunk reuse the template definitions of the chunks before it
 * (the same events either way; it only saves decoding and planning them again).
 */
export function readChunkEvents(chunk: Uint8Array, position: number, templates?: TemplateCache): ChunkEvents {
  let direct: DirectReader | undefined;
  return readChunkWith(chunk, position, (ctx, offset, size, at, items) => {
    if (u32(chunk, offset + size - 4) === size) {
      direct ??= new DirectReader(ctx, templates);
      const event = direct.read(offset + 24, offset + size - 4);
      if (event !== null) {
        items.push({ kind: 'event', event, position: at });
        return true;
      }
    }
    const record = readRecord(ctx, chunk, offset, size, at);
    items.push(record.kind === 'record' ? parsedOrRejected(record) : record);
    return record.kind === 'record';
  });
}

/** Maps one decoded record to a ParsedEvent, or to a rejection when its System part lacks a required field. */
export function parsedOrRejected(record: EvtxRecord): EvtxEvent | EvtxRejection {
  const parsed = toParsedEvent(record.event);
  if ('code' in parsed)
    return { kind: 'rejected', position: record.position, reason: parsed.reason, code: parsed.code };
  return { kind: 'event', event: parsed, position: record.position };
}

/** Reads one record into `items`; true when its BinXML could be decoded (so its record id counts as read). */
type RecordReader<T> = (ctx: ChunkContext, offset: number, size: number, position: number, items: T[]) => boolean;

function readChunkWith<T>(
  chunk: Uint8Array,
  position: number,
  readOne: RecordReader<T | EvtxRejection>,
): { header: ChunkHeader | null; items: Array<T | EvtxRejection> } {
  const slot = readChunkSlot(chunk, position);
  if (slot.kind === 'empty') return { header: null, items: [] };
  if (slot.kind === 'bad_magic') {
    return { header: null, items: [reject(position, CORRUPT, 'chunk signature is not "ElfChnk": chunk skipped')] };
  }
  if (slot.kind === 'truncated') {
    return {
      header: null,
      items: [reject(position, 'truncated_event', `file ends ${slot.length} bytes into a chunk`)],
    };
  }
  return { header: slot.header, items: readRecords(chunk, slot.header, readOne) };
}

function readRecords<T>(
  chunk: Uint8Array,
  header: ChunkHeader,
  readOne: RecordReader<T | EvtxRejection>,
): Array<T | EvtxRejection> {
  const items: Array<T | EvtxRejection> = [];
  const ctx = chunkContext(chunk);
  const free = header.freeSpaceOffset;
  // A free-space offset outside the chunk means a damaged header: fall back to walking records to the chunk's end.
  const trusted = free >= CHUNK_HEADER_SIZE && free <= CHUNK_SIZE;
  const end = Math.min(trusted ? free : CHUNK_SIZE, chunk.length);
  let lastRead = header.firstRecordId - 1;
  let offset = CHUNK_HEADER_SIZE;
  while (offset + 8 <= end) {
    const at = header.position + offset;
    if (u32(chunk, offset) !== RECORD_SIGNATURE) {
      if (trusted || !isZeroFrom(chunk, offset, end))
        items.push(reject(at, CORRUPT, `no record signature: ${unreadableRest(header, lastRead)}`));
      break;
    }
    const size = u32(chunk, offset + 4);
    if (size < MIN_RECORD_SIZE || offset + size > CHUNK_SIZE) {
      items.push(
        reject(at, CORRUPT, `record size ${size} does not fit the chunk: ${unreadableRest(header, lastRead)}`),
      );
      break;
    }
    if (offset + size > chunk.length) {
      items.push(reject(at, 'truncated_event', 'the file ends inside this record'));
      break;
    }
    if (readOne(ctx, offset, size, at, items)) lastRead = u64n(chunk, offset + 8);
    offset += size;
  }
  return items;
}

function readRecord(
  ctx: ChunkContext,
  chunk: Uint8Array,
  offset: number,
  size: number,
  position: number,
): EvtxRecord | EvtxRejection {
  const copy = u32(chunk, offset + size - 4);
  if (copy !== size) {
    // A zero copy means the record's tail was never written or was wiped: the record is cut short.
    return copy === 0
      ? reject(position, 'truncated_event', `record of ${size} bytes lacks its tail (trailing size copy is 0)`)
      : reject(position, CORRUPT, `record size ${size} and its trailing copy ${copy} differ`);
  }
  try {
    const nodes = decodeFragment(ctx, offset + 24, offset + size - 4);
    const event = resolveNodes(ctx, nodes).find((node): node is XmlElement => typeof node !== 'string');
    if (event === undefined) return reject(position, 'not_an_event', 'the record holds no element');
    return {
      kind: 'record',
      position,
      recordId: u64n(chunk, offset + 8),
      writtenTime: renderFiletime(u32(chunk, offset + 16), u32(chunk, offset + 20)),
      event,
    };
  } catch (error) {
    // BinXmlError is the expected case; anything else (a RangeError from a wild offset) is damage all the same.
    const detail = error instanceof BinXmlError ? `${error.message} (chunk offset ${error.at})` : String(error);
    return reject(position, CORRUPT, `record BinXML cannot be decoded: ${detail}`);
  }
}

/** Why a chunk stops early, naming the record ids its header promised but that could not be reached. */
function unreadableRest(header: ChunkHeader, lastRead: number): string {
  const lost = header.lastRecordId > lastRead ? ` (record ids ${lastRead + 1}-${header.lastRecordId} unread)` : '';
  return `rest of chunk skipped${lost}`;
}

function reject(position: number, code: DropReason, reason: string): EvtxRejection {
  return { kind: 'rejected', position, reason, code };
}

function isZeroFrom(chunk: Uint8Array, from: number, end: number): boolean {
  for (let i = from; i < end; i++) if (chunk[i] !== 0) return false;
  return true;
}
