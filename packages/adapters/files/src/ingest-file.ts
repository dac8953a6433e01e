import { CHUNK_SIZE } from '@otptrace/evtx';
import type { NormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor, emptyIngested, type IngestedFile, tallyItems } from '@otptrace/pipeline';
import { isEvtxFile, readEvtxFile } from './evtx-input.js';
import { readChunks } from './inputs.js';

/**
 * Read one file (.evtx, EVTX-XML, IIS W3C or NPS log file: by its first bytes, never its name) and tally its ingest items; `onRead` reports progress (bytes
 * read and events taken in since the last call; for .evtx, a chunk's size as it is read).
 */
export async function ingestFile(
  path: string,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onRead: (bytes: number, events: number) => void = () => {},
): Promise<IngestedFile> {
  const out = emptyIngested();
  if (await isEvtxFile(path)) {
    for await (const items of readEvtxFile(path, ctx)) {
      tallyItems(out, items);
      onRead(CHUNK_SIZE, items.length);
    }
    return out;
  }
  // Text inputs: Windows Event XML, IIS W3C logs, NPS log files (ODBC, DTS), detected by content.
  const ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: path });
  for await (const chunk of readChunks(path)) {
    const items = ingestor.push(chunk);
    tallyItems(out, items);
    out.bytes += chunk.length;
    onRead(chunk.length, items.length);
  }
  const last = ingestor.end();
  tallyItems(out, last);
  onRead(0, last.length);
  return out;
}
