import type { NormalizeContext } from '@otptrace/normalize';
import { DetectingIngestor, emptyIngested, type IngestedFile, tallyItems } from '@otptrace/pipeline';
import { isEvtxFile, readEvtxFile } from './evtx-input.js';
import { readChunks } from './inputs.js';

/** Read one file (.evtx, EVTX-XML, IIS W3C or NPS log file: by its first bytes, never its name) and tally its ingest items; `onBytes` reports progress. */
export async function ingestFile(
  path: string,
  ctx: NormalizeContext,
  maxEventBytes: number,
  onBytes: (n: number) => void = () => {},
): Promise<IngestedFile> {
  const out = emptyIngested();
  if (await isEvtxFile(path)) {
    for await (const items of readEvtxFile(path, ctx)) tallyItems(out, items);
    return out;
  }
  // Text inputs: Windows Event XML, IIS W3C logs, NPS log files (ODBC, DTS), detected by content.
  const ingestor = new DetectingIngestor(ctx, { maxEventBytes }, { label: path });
  for await (const chunk of readChunks(path)) {
    tallyItems(out, ingestor.push(chunk));
    out.bytes += chunk.length;
    onBytes(chunk.length);
  }
  tallyItems(out, ingestor.end());
  return out;
}
