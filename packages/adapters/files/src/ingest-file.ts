import type { NormalizeContext } from '@otptrace/normalize';
import { emptyIngested, type IngestedFile, tallyItems, XmlIngestor } from '@otptrace/pipeline';
import { isEvtxFile, readEvtxFile } from './evtx-input.js';
import { readChunks } from './inputs.js';

/** Read one file (.evtx or EVTX-XML, by its first bytes) and tally its ingest items; `onBytes` reports progress. */
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
  const ingestor = new XmlIngestor(ctx, { maxEventBytes });
  for await (const chunk of readChunks(path)) {
    tallyItems(out, ingestor.push(chunk));
    out.bytes += chunk.length;
    onBytes(chunk.length);
  }
  tallyItems(out, ingestor.end());
  return out;
}
