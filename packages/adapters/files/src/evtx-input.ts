import { open } from 'node:fs/promises';
import { CHUNK_SIZE, readChunkEvents, readEvtxHeader } from '@otptrace/evtx';
import type { NormalizeContext } from '@otptrace/normalize';
import { type IngestItem, normalizeParsed } from '@otptrace/pipeline';

const HEADER_BLOCK = 4096;

/** Whether a file is a binary event log: by its first bytes, whatever its name. */
export async function isEvtxFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await handle.read(head, 0, 8, 0);
    return bytesRead === 8 && head.toString('latin1') === 'ElfFile\0';
  } finally {
    await handle.close();
  }
}

/**
 * Read a binary .evtx file one 64 KiB chunk at a time (memory stays bounded by a chunk), turning every record into an
 * ingest item exactly as the XML path does; damaged chunks and records become rejections with their byte position.
 */
export async function* readEvtxFile(path: string, ctx: NormalizeContext): AsyncGenerator<IngestItem[]> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(HEADER_BLOCK);
    const { bytesRead } = await handle.read(header, 0, HEADER_BLOCK, 0);
    if (!readEvtxHeader(header.subarray(0, bytesRead)).signatureOk) {
      yield [
        {
          type: 'rejected',
          code: 'not_an_event',
          reason: 'not an .evtx file: no "ElfFile" signature',
          position: 0,
          raw: null,
        },
      ];
      return;
    }
    const chunk = Buffer.alloc(CHUNK_SIZE);
    for (let position = HEADER_BLOCK; ; position += CHUNK_SIZE) {
      const read = (await handle.read(chunk, 0, CHUNK_SIZE, position)).bytesRead;
      if (read === 0) return;
      const items: IngestItem[] = [];
      for (const r of readChunkEvents(chunk.subarray(0, read), position).items) {
        items.push(
          r.kind === 'event'
            ? normalizeParsed(r.event, r.position, ctx)
            : { type: 'rejected', code: r.code, reason: r.reason, position: r.position, raw: null },
        );
      }
      yield items;
      if (read < CHUNK_SIZE) return;
    }
  } finally {
    await handle.close();
  }
}
