import { readSync } from 'node:fs';
import { CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE, readChunkEvents, readEvtxHeader, TemplateCache } from '@otptrace/evtx';
import type { NormalizeContext } from '@otptrace/normalize';
import { type IngestedFile, type IngestItem, normalizeParsed, tallyItems } from '@otptrace/pipeline/readers';
import type { ByteSink, OnRead } from './decode.js';

// Binary .evtx read a 64 KiB chunk at a time: by position from a file (a range of it, for a thread), or in order from
// a decompressor. Each record becomes the ingest item the XML path would make of it.

/**
 * The records of the 64 KiB chunks starting in `[start, end)` (from 0: the file header is checked first), one chunk
 * in memory at a time, each record turned into an ingest item exactly as the XML path does.
 */
export function readEvtxRange(
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
    if (!acceptEvtxHeader(header.subarray(0, read), out, (events) => onRead(read, events, out))) return;
    first = FILE_HEADER_BLOCK_SIZE;
  }
  const chunk = Buffer.alloc(CHUNK_SIZE);
  // Each chunk repeats the definitions of its templates: decoded once for the whole range, then checked and reused.
  const templates = new TemplateCache();
  for (let position = first; position < end; position += CHUNK_SIZE) {
    const read = readSync(fd, chunk, 0, CHUNK_SIZE, position);
    if (read === 0) return;
    onRead(read, takeEvtxChunk(chunk.subarray(0, read), position, templates, ctx, out), out);
    if (read < CHUNK_SIZE) return;
  }
}

/** Whether the .evtx file header is one; if not, the file is rejected as a whole (and progress told). */
function acceptEvtxHeader(header: Buffer, out: IngestedFile, progress: (events: number) => void): boolean {
  if (readEvtxHeader(header).signatureOk) return true;
  // A copy cut short (a file being written, a failed transfer) starts with the signature all the same.
  const signed = header.length >= 8 && header.subarray(0, 8).toString('latin1') === 'ElfFile\0';
  const reason = signed
    ? `a truncated .evtx file: its header is ${header.length} bytes of 128`
    : 'not an .evtx file: no "ElfFile" signature';
  tallyItems(out, [
    { type: 'rejected', code: signed ? 'truncated_event' : 'not_an_event', reason, position: 0, raw: null },
  ]);
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

/**
 * .evtx bytes that come in order (from gunzip) rather than by position: gathered into the file header, then one
 * 64 KiB chunk at a time, each read as `readEvtxRange` reads it.
 */
export class EvtxSequence implements ByteSink {
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
