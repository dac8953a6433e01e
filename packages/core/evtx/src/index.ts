/**
 * @otptrace/evtx: reads Windows binary event logs (.evtx) into the ParsedEvent objects the XML reader produces.
 * Pure: the caller passes the file's bytes (no file system access here).
 *
 * Entry points, by use:
 * - `readEvtx(bytes)`: a whole file in memory → `{ header, chunks, events: [{ event, position }], rejected }`
 *   (what `otptrace analyze` needs for a .evtx file).
 * - `iterateEvtx(bytes)`: the same one event or rejection at a time, in file order.
 * - `readEvtxHeader(first4096)` + `readChunkEvents(chunkBytes, position, templates)`: streaming a large or growing
 *   file 64 KiB at a time (what analyze and a collector following a folder need); one `new TemplateCache()` per file
 *   lets each chunk reuse the template definitions of the chunks before it.
 * - `readChunk(chunkBytes, position)`: the same chunk's records as XML trees; `parsedOrRejected` maps one to an event.
 * - `iterateEvtxRecords(bytes)` / `renderRecordXml(record)`: the records as Event XML trees and text (for comparison
 *   with other tools and for a raw topic).
 */
export const PACKAGE_NAME = '@otptrace/evtx';

export { TemplateCache } from './binxml/template-cache.js';
export type { ChunkHeader } from './chunk.js';
export { CHUNK_SIZE } from './chunk.js';
export { crc32 } from './crc32.js';
export type { EvtxFileHeader } from './file-header.js';
export { FILE_HEADER_BLOCK_SIZE, readFileHeader as readEvtxHeader } from './file-header.js';
export { toParsedEvent } from './parsed-event.js';
export type { EvtxReading } from './read-evtx.js';
export { iterateEvtx, iterateEvtxChunks, iterateEvtxRecords, readEvtx, renderRecordXml } from './read-evtx.js';
export type { ChunkEvents, ChunkReading, EvtxEvent, EvtxRecord, EvtxRejection } from './records.js';
export { parsedOrRejected, readChunk, readChunkEvents } from './records.js';
export type { XmlAttribute, XmlChild, XmlElement } from './xml.js';
export { renderXml } from './xml.js';
