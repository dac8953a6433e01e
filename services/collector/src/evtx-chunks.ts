import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE, readChunk, readEvtxHeader, renderRecordXml } from '@otptrace/evtx';

/** What one read of a followed .evtx file gives: its records as Event XML, and where the next read starts. */
export interface EvtxChunkRead {
  /** The chunk's records rendered as Event XML (as wevtutil prints them), ready for the XML path. */
  readonly xml: string;
  readonly records: number;
  /** Damaged parts of the chunk (reported, then skipped: the rest of the file is still read). */
  readonly damaged: readonly { position: number; reason: string }[];
  readonly next: number;
}

/** Whether bytes start like a binary event log. */
export function isEvtx(head: Uint8Array): boolean {
  return Buffer.from(head.subarray(0, 8)).toString('latin1') === 'ElfFile\0';
}

/** The first chunk's offset, or null when the header is not an .evtx header. */
export function firstChunkOffset(header: Uint8Array): number | null {
  return readEvtxHeader(header).signatureOk ? FILE_HEADER_BLOCK_SIZE : null;
}

/**
 * Read the chunk at `position` when it is whole (a chunk is 64 KiB; the file grows a chunk at a time). Null while
 * the chunk is not complete yet, so a growing file is read again at the next poll.
 */
export function readEvtxChunk(bytes: Uint8Array, position: number): EvtxChunkRead | null {
  if (bytes.length < CHUNK_SIZE) return null;
  const parts: string[] = [];
  const damaged: { position: number; reason: string }[] = [];
  for (const item of readChunk(bytes.subarray(0, CHUNK_SIZE), position).items) {
    if (item.kind === 'record') parts.push(renderRecordXml(item));
    else damaged.push({ position: item.position, reason: item.reason });
  }
  return { xml: parts.join('\n'), records: parts.length, damaged, next: position + CHUNK_SIZE };
}

export { CHUNK_SIZE };
